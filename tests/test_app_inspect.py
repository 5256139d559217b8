"""AppTest flows of issue 10's views: Lab axes on Colour space, the Compare chart's
views and SSIM, the smallest palette for a quality target on Reconstructions."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from ui.compute import cached_compare
from ui.frame import state

TIMEOUT_S = 90


@pytest.fixture(autouse=True)
def small_compare_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cached_compare, "WORK_PIXELS", 20_000)


def open_page(page: str, params: dict[str, str] | None = None) -> AppTest:
    app = AppTest.from_file("../app.py", default_timeout=TIMEOUT_S)
    app.query_params.update(params or {})
    app.switch_page(f"pages/{page}.py")
    return app.run()


def chart_specs(app: AppTest) -> list[dict]:
    """The Plotly figures on the page, as the JSON Streamlit sends to the browser."""
    return [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]


def number(text: str) -> float:
    """A "colours needed" bar label as a number: "≈ 23" -> 23, "more than 256" -> inf."""
    return float("inf") if text.startswith("more") else float(text.lstrip("≈ "))


def assert_clean(app: AppTest) -> None:
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]


# --- Colour space in Lab -------------------------------------------------------------


def test_colour_space_draws_lab_axes_when_the_space_is_lab() -> None:
    app = open_page("colour_space", {"space": "lab", "image": "flower"})
    assert_clean(app)
    cloud, planes = chart_specs(app)
    scene = cloud["layout"]["scene"]
    assert scene["zaxis"]["title"]["text"].startswith("L*")
    assert scene["xaxis"]["title"]["text"].startswith("a*")
    assert scene["yaxis"]["title"]["text"].startswith("b*")
    assert [a["text"] for a in planes["layout"]["annotations"]] == ["a*–b*", "a*–L*", "b*–L*"]
    assert "CIELAB" in app.markdown[0].value

    # Back to RGB: the cube again.
    app.radio(key=state.SPACE).set_value("rgb").run()
    assert_clean(app)
    cloud, planes = chart_specs(app)
    assert cloud["layout"]["scene"]["xaxis"]["title"]["text"] == "red"
    assert [a["text"] for a in planes["layout"]["annotations"]] == ["red–green", "red–blue", "green–blue"]


# --- Compare ---------------------------------------------------------------------------


def test_compare_shows_log_curves_colours_needed_ssim_and_the_table() -> None:
    app = open_page("compare")
    assert_clean(app)
    curves, needed, _heatmap = chart_specs(app)
    assert curves["layout"]["yaxis"]["type"] == "log"
    assert [trace["name"] for trace in curves["data"]] == ["k-means", "median cut", "octree", "random"]
    bars = needed["data"][0]
    assert bars["y"] == ["k-means", "median cut", "octree", "random"]
    # k-means needs fewer colours than a random palette for the same ΔE.
    assert number(bars["text"][0]) < number(bars["text"][3])
    table = app.dataframe[0].value
    assert {"SSIM", "ΔE", "MSE", "PSNR (dB)"} <= set(table.columns)
    assert table["SSIM"].between(0, 1).all()
    kmeans_64 = table[(table["Method"] == "k-means") & (table["Colours"] == 64)]
    random_64 = table[(table["Method"] == "random") & (table["Colours"] == 64)]
    assert float(kmeans_64["SSIM"].iloc[0]) > float(random_64["SSIM"].iloc[0])

    # SSIM as the measure: a linear axis (the toggle is off for it), values from the table.
    app.radio(key=state.COMPARE_METRIC).set_value("ssim").run()
    assert_clean(app)
    curves = chart_specs(app)[0]
    assert curves["layout"]["yaxis"].get("type") != "log"
    assert app.toggle(key=state.COMPARE_LOG).proto.disabled

    # A linear ΔE axis when asked.
    app.radio(key=state.COMPARE_METRIC).set_value("delta_e").run()
    app.toggle(key=state.COMPARE_LOG).set_value(False).run()
    assert chart_specs(app)[0]["layout"]["yaxis"].get("type") != "log"

    # A stricter target needs at least as many colours from k-means.
    app.select_slider(key=state.COMPARE_TARGET).set_value(8.0).run()
    loose = chart_specs(app)[1]["data"][0]["text"][0]
    app.select_slider(key=state.COMPARE_TARGET).set_value(2.0).run()
    strict = chart_specs(app)[1]["data"][0]["text"][0]
    assert_clean(app)
    assert number(strict) > number(loose)


# --- the smallest palette for a quality target ---------------------------------------


def test_reconstructions_finds_the_smallest_palette_for_a_target() -> None:
    import quant
    from ui.frame import samples

    app = open_page("reconstructions", {"image": "flower", "sizes": "8"})
    assert_clean(app)
    # Nothing is searched until a target is given.
    assert app.number_input(key=state.QUALITY_TARGET).value is None
    assert not [m for m in app.metric if m.label == "Colours needed"]

    app.number_input(key=state.QUALITY_TARGET).set_value(4.0).run()
    assert_clean(app)
    shown = {m.label: m.value for m in app.metric}
    k = int(shown["Colours needed"])
    image = samples.load_sample("flower")
    assert k == quant.smallest_palette(image, max_delta_e=4.0).n_colors
    assert float(shown["Mean ΔE"]) <= 4.0
    # The file size shown is the real indexed PNG's.
    png = quant.indexed_png(quant.quantize(image, k))
    assert shown["Indexed PNG"] == f"{len(png) / 1000:,.1f} KB"
    captions = "\n".join(c.value for c in app.caption)
    assert f"{k - 1} colours give ΔE" in captions


def test_a_target_no_palette_meets_says_so_without_an_error() -> None:
    app = open_page("reconstructions", {"sizes": "8"})
    app.number_input(key=state.QUALITY_TARGET).set_value(0.5).run()
    assert_clean(app)
    assert any("No palette of at most 256 colours" in w.value for w in app.warning)
