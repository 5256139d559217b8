"""AppTest flows of issue 10's views: Lab axes on Colour space, the Compare chart's
views and SSIM, the smallest palette for a quality target on Reconstructions."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from ui import cached, state

TIMEOUT_S = 90


@pytest.fixture(autouse=True)
def small_compare_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cached, "WORK_PIXELS", 20_000)


def open_page(page: str, params: dict[str, str] | None = None) -> AppTest:
    app = AppTest.from_file("../app.py", default_timeout=TIMEOUT_S)
    app.query_params.update(params or {})
    app.switch_page(f"pages/{page}.py")
    return app.run()


def chart_specs(app: AppTest) -> list[dict]:
    """The Plotly figures on the page, as the JSON Streamlit sends to the browser."""
    return [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]


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
