"""Views from the histogram, full resolution on demand: what each page computes, and
that a number computed later is the number computed directly."""

from __future__ import annotations

import re

import numpy as np
import pytest
from sklearn.datasets import load_sample_image
from streamlit.testing.v1 import AppTest

import quant
from ui.compute import cached, cached_compare, cached_inspect, shared_figures
from ui.compute.store import STORE
from ui.frame import state

TIMEOUT_S = 120


@pytest.fixture(autouse=True)
def empty_store() -> None:
    STORE.clear()


def start(source: str = "china") -> AppTest:
    app = AppTest.from_file("../app.py", default_timeout=TIMEOUT_S)
    app.session_state[state.SOURCE] = source
    return app.run()


def assert_clean(app: AppTest) -> None:
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]


def test_colour_space_never_rebuilds_or_encodes_the_full_size_image(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    for name in ("apply_palette", "quantize", "indexed_png", "indexed_png_of_labels"):
        original = getattr(quant, name)

        def spy(*args, _name=name, _original=original, **kwargs):
            calls.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(quant, name, spy)
    app = start("flower")  # the Image page, which does make PNGs
    calls.clear()
    app.switch_page("pages/colour_space.py").run()
    assert_clean(app)
    app.slider(key=state.CLOUD_K).set_value(24).run()
    app.toggle(key=state.CLOUD_BY_CENTRE).set_value(True).run()
    assert_clean(app)
    assert "24 centres" in " ".join(c.value for c in app.caption)
    assert calls == []


def _tile_numbers(app: AppTest) -> list[str]:
    return [c.value for c in app.caption if c.value.startswith("MSE ")]


def test_tile_numbers_are_those_of_a_direct_quantize() -> None:
    app = start("china")
    app.session_state[state.RECON_SIZES] = [16, 32]
    app.session_state[state.RECON_RANDOM] = False
    app.switch_page("pages/reconstructions.py").run()
    assert_clean(app)
    image = load_sample_image("china.jpg")
    expected = []
    for n_colors in (16, 32):
        result = quant.quantize(image, n_colors)
        measured = quant.metrics(image, result.image, ssim=False)  # the pixel path
        expected.append(
            f"MSE {measured.mse:.1f} · PSNR {measured.psnr:.1f} dB · ΔE {measured.delta_e:.2f}"
            f" · indexed PNG {_size(len(quant.indexed_png(result)))}"
        )
    assert _tile_numbers(app) == expected


def test_tile_numbers_are_the_same_computed_early_or_late() -> None:
    # Early: the grid, then the PNGs. Late: the PNG first (Image page), the grid after.
    first = start("flower")
    first.switch_page("pages/reconstructions.py").run()
    early = _tile_numbers(first)
    STORE.clear()
    second = start("flower")  # the Image page makes the 16/32/64 PNGs first
    second.switch_page("pages/reconstructions.py").run()
    assert_clean(second)
    assert _tile_numbers(second) == early
    assert len(early) == 4 and all(re.search(r"indexed PNG \d", text) for text in early)


def test_dithered_tiles_measure_the_dithered_image() -> None:
    app = start("china")
    app.session_state[state.RECON_SIZES] = [16]
    app.session_state[state.RECON_RANDOM] = False
    app.session_state[state.DITHER] = True
    app.switch_page("pages/reconstructions.py").run()
    assert_clean(app)
    image = load_sample_image("china.jpg")
    with_dither = quant.quantize(image, 16, dither=True)  # the sidebar's default strength
    measured = quant.metrics(image, with_dither.image, ssim=False)
    numbers = _tile_numbers(app)
    assert numbers == [
        f"MSE {measured.mse:.1f} · PSNR {measured.psnr:.1f} dB · ΔE {measured.delta_e:.2f}"
        f" · indexed PNG {_size(len(quant.indexed_png(with_dither)))}"
    ]
    undithered = quant.metrics(image, quant.quantize(image, 16).image, ssim=False)
    assert not numbers[0].startswith(f"MSE {undithered.mse:.1f} · PSNR {undithered.psnr:.1f} dB")


def _size(n_bytes: int) -> str:
    from ui.frame import text

    return text.file_size(n_bytes)


@pytest.mark.parametrize("dither", [False, True])
def test_detail_is_cut_from_the_full_size_images(dither: bool) -> None:
    ref = cached.sample_ref("china")
    settings = state.Settings(method="kmeans", space="rgb", dither=dither, seed=0)
    image = load_sample_image("china.jpg")
    full = quant.quantize(image, 16, dither=dither).image
    region = cached_inspect.detail(ref, 16, settings, top=100, left=200, size=64)
    assert (region.top, region.left) == (100, 200)
    np.testing.assert_array_equal(region.original, image[100:164, 200:264])
    np.testing.assert_array_equal(region.reconstruction, full[100:164, 200:264])
    # Asked past the edge, the region moves inside the image, still 64 x 64.
    corner = cached_inspect.detail(ref, 16, settings, top=10_000, left=-50, size=64)
    assert (corner.top, corner.left) == (image.shape[0] - 64, 0)
    np.testing.assert_array_equal(corner.reconstruction, full[-64:, :64])


def test_detail_on_the_page_follows_its_controls() -> None:
    app = start("china")
    app.switch_page("pages/reconstructions.py").run()
    assert_clean(app)
    app.slider(key=state.RECON_DETAIL_X).set_value(0).run()
    app.slider(key=state.RECON_DETAIL_Y).set_value(100).run()
    assert_clean(app)
    captions = " ".join(c.value for c in app.caption)
    assert "Pixels 0–319 across, 107–426 down, of 640 × 427." in captions
    app.selectbox(key=state.RECON_DETAIL_TILE).set_value(3).run()
    assert_clean(app)
    assert "32 colours · random in RGB · 1:1" in " ".join(c.value for c in app.caption)


def test_kmeans_page_builds_its_charts_once_and_reuses_them(monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.figures import steps as steps_figures
    from ui.figures import steps_animation

    builds: list[str] = []
    for module, name in ((steps_animation, "kmeans_animation"), (steps_figures, "lloyd_and_minibatch"), (steps_figures, "seed_spread")):
        original = getattr(module, name)

        def spy(*args, _name=name, _original=original, **kwargs):
            builds.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, name, spy)
    st_cache_clear()
    app = start("sky")
    app.switch_page("pages/kmeans_steps.py").run()
    assert_clean(app)
    assert sorted(builds) == ["kmeans_animation", "lloyd_and_minibatch", "seed_spread"]
    app.switch_page("pages/image.py").run()
    app.switch_page("pages/kmeans_steps.py").run()
    assert_clean(app)
    assert len(builds) == 3, builds  # a cached switch draws the same figures again


def test_shared_figure_hands_out_one_dict_equal_to_plotlys() -> None:
    import plotly.graph_objects as go

    built = go.Figure(go.Scatter(x=np.arange(50), y=np.arange(50) ** 2), frames=[go.Frame(data=[go.Scatter(y=[1, 2])])])
    expected = built.to_json()
    shared = shared_figures.shared_figure(built)
    assert shared is built  # made shared in place, not copied (a copy validates everything again)
    assert isinstance(shared, shared_figures.SharedFigure)
    assert shared.to_dict() is shared.to_dict()
    assert shared.to_json() == expected


def st_cache_clear() -> None:
    import streamlit as st

    st.cache_resource.clear()


def test_compare_heat_map_is_the_error_map_built_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from ui.figures import compare as compare_figures

    built: list[np.ndarray] = []
    original = compare_figures.error_heatmap

    def spy(error: np.ndarray, **kwargs):
        built.append(error)
        return original(error, **kwargs)

    monkeypatch.setattr(compare_figures, "error_heatmap", spy)
    st_cache_clear()
    app = start("flower")
    app.switch_page("pages/compare.py").run()
    assert_clean(app)
    app.switch_page("pages/image.py").run()
    app.switch_page("pages/compare.py").run()
    assert_clean(app)
    assert len(built) == 1  # a cached switch draws the same figure again
    settings = state.Settings(method="kmeans", space="rgb", dither=0.0, seed=0)
    ref = cached.sample_ref("flower")
    np.testing.assert_array_equal(built[0], cached_compare.error_map(ref, 16, "kmeans", settings))
    specs = [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]
    heatmaps = [spec for spec in specs if spec["data"][0]["type"] == "heatmap"]
    assert len(heatmaps) == 1
