"""Dithered tiles drawn from screen-sized previews first, then replaced by the exact
full-size tiles (ui/compute/cached_previews.py and the Reconstructions page)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

import quant
from ui.compute import cached, cached_previews
from ui.compute.store import STORE
from ui.frame import samples, state
from ui.frame.state import Settings

TIMEOUT_S = 120
DITHERED = Settings(method="kmeans", space="rgb", dither=1.0, seed=0, dither_kind="diffusion", pins=(), palette=(), palette_name="")
PLAIN = Settings(method="kmeans", space="rgb", dither=0.0, seed=0, dither_kind="diffusion", pins=(), palette=(), palette_name="")


@pytest.fixture(autouse=True)
def empty_store() -> None:
    STORE.clear()


def decoded(png: bytes) -> np.ndarray:
    return np.array(Image.open(io.BytesIO(png)).convert("RGB"))


@pytest.mark.parametrize(("space", "kind"), [("rgb", "diffusion"), ("lab", "ordered")])
def test_a_preview_is_the_tiles_palette_dithered_onto_the_tile_sized_original(space: str, kind: str) -> None:
    ref = cached.sample_ref("flower")
    settings = Settings(**{**DITHERED.__dict__, "space": space, "dither_kind": kind})
    preview = cached_previews.tile_preview(ref, 16, "kmeans", settings)
    fitted = quant.fit_palette(samples.load_sample("flower"), 16, seed=0, space=space)
    np.testing.assert_array_equal(preview.palette, fitted.palette)
    np.testing.assert_array_equal(preview.pinned, fitted.pinned)
    small = cached.original_small(ref)
    expected = quant.map_to_palette(small, fitted.palette, space=space, dither=1.0, dither_kind=kind).image
    np.testing.assert_array_equal(decoded(preview.picture.png), expected)
    assert (preview.picture.width, preview.picture.height) == (small.shape[1], small.shape[0])
    # Dithered, not the plain tile's nearest colours.
    plain = quant.map_to_palette(small, fitted.palette, space=space).image
    assert not np.array_equal(expected, plain)


def test_previews_are_needed_only_for_dithered_opaque_tiles_not_made_yet() -> None:
    china, logo = cached.sample_ref("china"), cached.sample_ref("logo")
    tiles = [(8, "kmeans"), (16, "kmeans")]
    assert cached_previews.previews_needed(china, tiles, DITHERED)
    assert not cached_previews.previews_needed(china, tiles, PLAIN)
    assert not cached_previews.previews_needed(china, [], DITHERED)
    assert not cached_previews.previews_needed(logo, tiles, DITHERED)  # transparency: full-size only
    cached.reconstruction(china, 8, DITHERED)
    assert cached_previews.previews_needed(china, tiles, DITHERED)  # one still to make
    cached.reconstruction(china, 16, DITHERED)
    assert not cached_previews.previews_needed(china, tiles, DITHERED)


def test_dithering_on_draws_every_preview_before_any_full_size_tile_then_the_exact_tiles(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    happened: list[tuple[str, int]] = []
    preview, reconstruction = cached_previews.tile_preview, cached.reconstruction

    def recorded_preview(ref, n_colors, method, settings):
        happened.append(("preview", n_colors))
        return preview(ref, n_colors, method, settings)

    def recorded_reconstruction(ref, n_colors, settings, *, method=None):
        happened.append(("full", n_colors))
        return reconstruction(ref, n_colors, settings, method=method)

    monkeypatch.setattr(cached_previews, "tile_preview", recorded_preview)
    monkeypatch.setattr(cached, "reconstruction", recorded_reconstruction)
    app = AppTest.from_file("../app.py", default_timeout=TIMEOUT_S)
    app.session_state[state.RECON_SIZES] = [8, 16]
    app.session_state[state.RECON_RANDOM] = False
    app.run()
    app.switch_page("pages/reconstructions.py").run()
    assert {what for what, _ in happened} == {"full"}, happened  # undithered: no preview
    happened.clear()

    app.toggle(key=state.DITHER).set_value(True).run()
    assert not app.exception, [e.value for e in app.exception]
    kinds = [what for what, _ in happened]
    assert sorted(n for what, n in happened if what == "preview") == [8, 16]
    assert kinds.index("full") > max(i for i, what in enumerate(kinds) if what == "preview")
    # What is left on screen is the full-size tiles, exact, with no preview among them.
    captions = [image.caption for element in app.get("imgs") for image in element.proto.imgs]
    assert not any("Preview" in caption for caption in captions)
    image = samples.load_sample("china")
    for n_colors in (8, 16):
        measured = quant.metrics(image, quant.quantize(image, n_colors, dither=True), ssim=False)
        expected = f"MSE {measured.mse:.1f} · PSNR {measured.psnr:.1f} dB · ΔE {measured.delta_e:.2f} · indexed PNG "
        assert any(c.value.startswith(expected) for c in app.caption), (n_colors, [c.value for c in app.caption])

    # Made once: dithering off and on again shows the held tiles straight away.
    app.toggle(key=state.DITHER).set_value(False).run()
    happened.clear()
    app.toggle(key=state.DITHER).set_value(True).run()
    assert not any(what == "preview" for what, _ in happened)
