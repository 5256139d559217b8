"""The Compare page answers with its first curves while the rest arrive: its numbers are
those of ``quant.quantize`` + ``quant.metrics`` on the working copy, whichever way they
were computed, and SSIM, measured once the rest is on screen, is the same too."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import quant
from ui.compute import cached, cached_compare
from ui.compute.store import STORE
from ui.frame import state

TIMEOUT_S = 120


@pytest.fixture(autouse=True)
def small_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cached_compare, "WORK_PIXELS", 20_000)
    STORE.clear()


def start(source: str = "china") -> AppTest:
    app = AppTest.from_file("../app.py", default_timeout=TIMEOUT_S)
    app.session_state[state.SOURCE] = source
    return app.run()


def values(y: list | dict) -> np.ndarray:
    """A trace's y values from a chart's JSON (Plotly may send them as base64 bytes)."""
    if isinstance(y, dict):
        return np.frombuffer(base64.b64decode(y["bdata"]), dtype=y["dtype"])
    return np.array([np.nan if value is None else value for value in y], dtype=np.float64)


def assert_clean(app: AppTest) -> None:
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]


@pytest.mark.parametrize("dither", [0.0, 1.0])
def test_points_and_ssim_are_those_of_quantize_and_metrics(dither: float) -> None:
    settings = state.Settings(method="kmeans", space="rgb", dither=dither, seed=0)
    ref = cached.sample_ref("flower")
    work = cached.downscaled(ref, cached_compare.WORK_PIXELS)
    for method, n_colors in (("kmeans", 16), ("median-cut", 8), ("octree", 64), ("random", 32)):
        point = cached_compare.compare_point(ref, n_colors, method, settings)
        direct = quant.quantize(work, n_colors, method=method, dither=dither, seed=0)
        expected = quant.metrics(work, direct, ssim=True)
        assert point.k == direct.k
        assert point.metrics.mse == pytest.approx(expected.mse, rel=1e-12)
        assert point.metrics.delta_e == pytest.approx(expected.delta_e, rel=1e-9)
        assert point.metrics.ssim is None
        assert cached_compare.compare_ssim(ref, n_colors, method, settings) == pytest.approx(expected.ssim, rel=1e-12)


def test_first_visit_draws_curves_method_by_method_median_cut_last_and_ssim_after() -> None:
    app = start("sky")
    app.switch_page("pages/compare.py").run()
    assert_clean(app)
    charts = app.get("plotly_chart")
    specs = [json.loads(chart.proto.spec) for chart in charts]
    curves = [spec for spec in specs if spec["data"][0]["type"] == "scatter" and len(spec["data"]) == 4]
    # The placeholder keeps only the last drawing: every method's line, with numbers.
    assert len(curves) == 1
    assert all(np.isfinite(values(trace["y"])).all() for trace in curves[0]["data"])
    table = app.dataframe[0].value
    assert table["SSIM"].notna().all()  # filled in by the end of the run
    assert not any("being measured" in caption.value for caption in app.caption)

    # Each partial drawing had the methods measured so far, median cut last.
    drawn: list[list[str]] = []
    STORE.clear()
    from streamlit.delta_generator import DeltaGenerator

    plotly_chart = DeltaGenerator.plotly_chart

    def spy(self, figure, *args, **kwargs):
        if str(kwargs.get("key", "")).startswith("compare_curves"):
            drawn.append([trace.name for trace in figure.data if any(y == y for y in trace.y)])
        return plotly_chart(self, figure, *args, **kwargs)

    DeltaGenerator.plotly_chart = spy
    try:
        app = start("sky")
        app.switch_page("pages/compare.py").run()
    finally:
        DeltaGenerator.plotly_chart = plotly_chart
    assert_clean(app)
    labels = state.METHOD_LABELS
    assert drawn[0] == [labels["kmeans"]]
    assert drawn[-1] == [labels[m] for m in cached_compare.BASELINES]
    assert labels["median-cut"] not in drawn[-2]

    # A second visit has every point: the curves are drawn once.
    drawn.clear()
    DeltaGenerator.plotly_chart = spy
    try:
        app.switch_page("pages/image.py").run()
        app.switch_page("pages/compare.py").run()
    finally:
        DeltaGenerator.plotly_chart = plotly_chart
    assert len(drawn) == 1


def test_ssim_measure_draws_ssim_curves() -> None:
    app = start("sky")
    app.switch_page("pages/compare.py").run()
    app.radio(key=state.COMPARE_METRIC).set_value("ssim").run()
    assert_clean(app)
    specs = [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]
    curves = next(spec for spec in specs if spec["data"][0]["type"] == "scatter" and len(spec["data"]) == 4)
    table = app.dataframe[0].value
    kmeans = table[table["Method"] == state.METHOD_LABELS["kmeans"]]["SSIM"].tolist()
    assert values(curves["data"][0]["y"]) == pytest.approx(kmeans)
