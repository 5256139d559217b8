"""AppTest smoke tests and flows of every page: samples, controls, state across pages."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from ui.compute import cached_compare
from ui.frame import samples, state

PAGES = {
    "Image": "pages/image.py",
    "Colour space": "pages/colour_space.py",
    "Reconstructions": "pages/reconstructions.py",
    "Compare": "pages/compare.py",
}
TIMEOUT_S = 60


@pytest.fixture(autouse=True)
def small_compare_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    # AppTest runs the script in this process, so the page sees the patched budget:
    # the Compare page's 32 quantizations then take a fraction of a second.
    monkeypatch.setattr(cached_compare, "WORK_PIXELS", 20_000)


def start(source: str = "china") -> AppTest:
    """Run the app once on its first page with the given sample selected."""
    app = AppTest.from_file("../app.py", default_timeout=TIMEOUT_S)
    app.session_state[state.SOURCE] = source
    return app.run()


def assert_clean(app: AppTest) -> None:
    """No exception and no error box (app.py turns a failing page into st.error)."""
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]


def texts(app: AppTest) -> str:
    """All markdown, captions and metric values of the current page, as one string."""
    parts = [m.value for m in app.markdown] + [c.value for c in app.caption]
    parts += [f"{m.label}: {m.value}" for m in app.metric]
    return "\n".join(parts)


@pytest.mark.parametrize("source", list(samples.SAMPLES))
@pytest.mark.parametrize("title", list(PAGES))
def test_every_page_renders_every_sample(source: str, title: str) -> None:
    app = start(source)
    app.switch_page(PAGES[title]).run()
    assert_clean(app)
    assert app.title[0].value == title


def test_image_page_shows_size_colours_and_storage() -> None:
    app = start("china")
    assert_clean(app)
    metrics = {m.label: m.value for m in app.metric}
    assert re.fullmatch(r"640\s*×\s*427 px", metrics["Size"])
    assert metrics["Pixels"] == f"{640 * 427:,}"
    assert int(metrics["Distinct colours"].replace(",", "")) > 1000
    table = app.dataframe[0].value
    assert list(table["Colours"]) == ["all (24-bit)", "16", "32", "64"]
    assert list(table["Bits per pixel"]) == [24, 4, 5, 6]
    assert not any(table["Indexed PNG"].str.contains("measuring"))


def test_colour_space_k_changes_the_centres() -> None:
    app = start("flower")
    app.switch_page(PAGES["Colour space"]).run()
    assert_clean(app)
    assert "16 centres" in texts(app)

    app.slider(key=state.CLOUD_K).set_value(5).run()
    assert_clean(app)
    assert "5 centres" in texts(app)

    app.toggle(key=state.CLOUD_BY_CENTRE).set_value(True).run()
    assert_clean(app)
    assert len(app.get("plotly_chart")) == 2


def test_method_changes_the_reconstructions() -> None:
    app = start("china")
    app.switch_page(PAGES["Reconstructions"]).run()
    assert_clean(app)
    assert app.get("flex_container")  # the grid is there
    before = [c.value for c in app.caption]
    assert "k-means in RGB" in texts(app)

    app.selectbox(key=state.METHOD).set_value("median-cut").run()
    assert_clean(app)
    assert "median cut in RGB" in texts(app)
    assert [c.value for c in app.caption] != before


def test_reconstruction_tiles_follow_the_chosen_sizes() -> None:
    app = start("sky")
    app.switch_page(PAGES["Reconstructions"]).run()
    tiles = re.findall(r"\*\*(\d+) colours\*\*", texts(app))
    assert tiles == ["16", "32", "64", "32"]  # and the random 32 last
    # One PNG and five palette downloads (.gpl, JSON, CSV, hex, .ase) per tile.
    assert len([b for b in app.download_button if "recon_" in b.proto.id]) == 6 * 4

    app.multiselect(key=state.RECON_SIZES).set_value([8, 128]).run()
    app.toggle(key=state.RECON_RANDOM).set_value(False).run()
    assert_clean(app)
    assert re.findall(r"\*\*(\d+) colours\*\*", texts(app)) == ["8", "128"]


def test_compare_page_measures_every_method_and_size() -> None:
    app = start("china")
    app.switch_page(PAGES["Compare"]).run()
    assert_clean(app)
    table = app.dataframe[0].value
    assert set(table["Method"]) == {"k-means", "median cut", "octree", "random"}
    assert sorted(set(table["Colours"])) == [2, 4, 8, 16, 32, 64, 128, 256]
    # k-means beats the random palette at every size.
    kmeans = table[table["Method"] == "k-means"].set_index("Colours")["ΔE"]
    random = table[table["Method"] == "random"].set_index("Colours")["ΔE"]
    assert (kmeans < random).all()
    assert "at most 20,000 pixels" in "\n".join(i.value for i in app.info)

    app.selectbox(key=state.HEATMAP_CHOICE).set_value(("octree", 8)).run()
    assert_clean(app)
    assert "octree · 8 colours reconstruction" in texts(app)


def test_minibatch_joins_the_comparison() -> None:
    app = start("china")
    app.selectbox(key=state.METHOD).set_value("minibatch").run()
    app.switch_page(PAGES["Compare"]).run()
    assert_clean(app)
    assert "MiniBatch k-means" in set(app.dataframe[0].value["Method"])


def test_settings_survive_switching_pages() -> None:
    app = start("china")
    app.selectbox(key=state.METHOD).set_value("octree").run()
    app.radio(key=state.SPACE).set_value("lab").run()
    app.switch_page(PAGES["Colour space"]).run()
    app.slider(key=state.CLOUD_K).set_value(7).run()
    app.switch_page(PAGES["Reconstructions"]).run()
    assert_clean(app)
    assert "octree in Lab" in texts(app)

    app.switch_page(PAGES["Colour space"]).run()
    assert app.slider(key=state.CLOUD_K).value == 7
    assert app.selectbox(key=state.METHOD).value == "octree"
    assert app.radio(key=state.SPACE).value == "lab"
    assert "7 centres" in texts(app)


def test_changing_the_sample_changes_the_image() -> None:
    app = start("china")
    app.selectbox(key=state.SOURCE).set_value("sky").run()
    assert_clean(app)
    metrics = {m.label: m.value for m in app.metric}
    assert re.fullmatch(r"1,200\s*×\s*800 px", metrics["Size"])
