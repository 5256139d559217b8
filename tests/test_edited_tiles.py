"""ui.compute.cached_entries: an edited tile, its PNG, its entry picture and its 1:1
detail are what rebuilding the full-size picture with the new colours gives, measured
and encoded from scratch, whichever way the door makes them (the tile's file
recoloured, or rebuilt and shrunk; dithered or not; with transparency)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

import quant
from bench.images_alpha import cutout_rgba
from ui.compute import cached, cached_entries, cached_inspect
from ui.compute.store import STORE
from ui.frame.state import Settings

PLAIN = Settings("kmeans", "rgb", 0.0, 0)
EDITS = ((0, "#00ff00"), (3, "#123456"))


@pytest.fixture(autouse=True)
def forget() -> None:
    STORE.clear()


def decoded(png: bytes, mode: str = "RGB") -> np.ndarray:
    with Image.open(io.BytesIO(png)) as image:
        return np.asarray(image.convert(mode))


def assert_measured_as_rebuilt(tile: cached.Reconstruction, image: np.ndarray, rebuilt: np.ndarray) -> None:
    """The tile's measures are those of the rebuilt full-size picture, measured pixel by pixel."""
    direct = quant.metrics(image, rebuilt, ssim=False)
    assert tile.metrics.mse == pytest.approx(direct.mse, rel=1e-12)
    assert tile.metrics.delta_e == pytest.approx(direct.delta_e, rel=1e-9)
    assert tile.metrics.psnr == pytest.approx(direct.psnr, rel=1e-12)


@pytest.mark.parametrize(
    "settings",
    [PLAIN, Settings("kmeans", "lab", 1.0, 0), Settings("median-cut", "rgb", 0.8, 0, dither_kind="ordered")],
    ids=["plain", "diffusion", "ordered"],
)
def test_an_edited_tile_is_the_rebuilt_picture(settings: Settings) -> None:
    ref = cached.sample_ref("china")
    image = cached.pixels(ref)
    tile = cached.reconstruction(ref, 16, settings)
    full = cached.full_labels(ref, 16, settings.method, settings)
    edited = cached_entries.edited_tile(ref, 16, settings, EDITS)
    palette = cached_entries.edited_palette(tile.palette, EDITS)
    np.testing.assert_array_equal(edited.palette, palette)
    assert edited.palette[0].tolist() == [0, 255, 0] and edited.palette[3].tolist() == [0x12, 0x34, 0x56]
    rebuilt = palette[full.labels]
    assert_measured_as_rebuilt(edited, image, rebuilt)
    # China is under the tile's pixel budget: the tile shows every pixel.
    np.testing.assert_array_equal(decoded(edited.preview.png), rebuilt)
    assert (edited.preview.width, edited.preview.height) == (image.shape[1], image.shape[0])
    png = cached_entries.edited_png(ref, 16, settings, EDITS)
    assert png == quant.indexed_png_of_labels(full.labels, palette)

    # The entry's pixels as they are, the others faded.
    shown = decoded(cached_entries.entry_picture(ref, 16, settings, EDITS, 3).png)
    mine = full.labels == 3
    np.testing.assert_array_equal(shown[mine], rebuilt[mine])
    assert not (shown[~mine] == rebuilt[~mine]).all(axis=-1).any()

    # The 1:1 detail: the original as without edits, the reconstruction with them.
    for zoom in (1, 2):
        plain = cached_inspect.detail_pictures(ref, 16, settings, centre=(200, 300), zoom=zoom)
        region = cached_entries.edited_detail(ref, 16, settings, EDITS, centre=(200, 300), zoom=zoom)
        assert region.original_png == plain.original_png and region.locator_png == plain.locator_png
        window = rebuilt[region.top : region.top + region.height, region.left : region.left + region.width]
        np.testing.assert_array_equal(decoded(region.reconstruction_png), np.repeat(np.repeat(window, zoom, 0), zoom, 1))
        slow = cached_inspect.detail_pictures(ref, 16, settings, centre=(200, 300), zoom=zoom, edits=EDITS)
        np.testing.assert_array_equal(decoded(region.reconstruction_png), decoded(slow.reconstruction_png))


def test_an_edit_back_to_the_colour_gives_the_tile() -> None:
    ref = cached.sample_ref("china")
    tile = cached.reconstruction(ref, 8, PLAIN)
    back = ((2, quant.palette_hex(tile.palette)[2]),)
    edited = cached_entries.edited_tile(ref, 8, PLAIN, back)
    assert edited.metrics.mse == tile.metrics.mse
    assert edited.metrics.delta_e == pytest.approx(tile.metrics.delta_e, rel=1e-12)
    assert cached_entries.edited_png(ref, 8, PLAIN, back) == cached.indexed_png(ref, 8, PLAIN)
    assert cached_entries.edited_tile(ref, 8, PLAIN, ()) is tile


def test_a_tile_shrunk_for_the_screen_is_rebuilt_and_shrunk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cached, "TILE_PIXELS", 40_000)
    ref = cached.sample_ref("china")
    image = cached.pixels(ref)
    full = cached.full_labels(ref, 16, PLAIN.method, PLAIN)
    edited = cached_entries.edited_tile(ref, 16, PLAIN, EDITS)
    rebuilt = edited.palette[full.labels]
    assert_measured_as_rebuilt(edited, image, rebuilt)
    assert edited.preview == cached.screen_picture(rebuilt, tile=True)
    assert edited.preview.width * edited.preview.height <= 40_000
    assert cached_entries.edited_png(ref, 16, PLAIN, EDITS) == quant.indexed_png_of_labels(full.labels, edited.palette)


def test_an_edited_tile_with_transparency() -> None:
    buffer = io.BytesIO()
    Image.fromarray(cutout_rgba((160, 120))).save(buffer, format="PNG")
    ref = cached.upload_ref("cutout.png", buffer.getvalue())
    image = cached.pixels(ref)
    if image.shape[-1] != 4:
        pytest.skip("this version of the dashboard loads images without their transparency")
    full = cached.full_labels(ref, 8, PLAIN.method, PLAIN)
    opaque = int(np.flatnonzero(full.alpha == 255)[0])
    edits = ((opaque, "#ff00ff"),)
    edited = cached_entries.edited_tile(ref, 8, PLAIN, edits)
    rebuilt = full.picture(edited.palette)
    assert_measured_as_rebuilt(edited, image, rebuilt)
    assert edited.metrics.changed_visibility == quant.metrics(image, rebuilt, ssim=False).changed_visibility
    np.testing.assert_array_equal(decoded(cached_entries.edited_png(ref, 8, PLAIN, edits), "RGBA"), rebuilt)
