"""load_image(keep_alpha=True): every kind of transparency a real upload carries, kept.

Every file is made in memory; the default (composite on white) is tests/test_loading.py's.
"""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

import quant
from quant.loading import check_image, downscale, load_image
from quant.modes import check_background, composite, frame_to_array
from tests.hostile_inputs import BAD_INPUTS, ODD_INPUTS, encode, palette_image, png_chunk


def png16_rgba(pixels: np.ndarray) -> bytes:
    """A 16-bit RGBA PNG (colour type 6, bit depth 16), written chunk by chunk."""
    height, width, _ = pixels.shape
    rows = b"".join(b"\x00" + pixels[y].astype(">u2").tobytes() for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 16, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(rows))
        + png_chunk(b"IEND", b"")
    )


def test_rgba_keeps_alpha_and_the_colour_under_it() -> None:
    pixels = np.array([[[12, 34, 56, 0], [200, 100, 0, 128], [1, 2, 3, 255]]], dtype=np.uint8)
    data = encode(Image.fromarray(pixels), "PNG")
    kept = load_image(data, keep_alpha=True)
    assert kept.shape == (1, 3, 4) and kept.dtype == np.uint8 and kept.flags.writeable
    np.testing.assert_array_equal(kept, pixels)
    # The default is unchanged: composited on white, three channels.
    assert load_image(data).shape == (1, 3, 3)
    np.testing.assert_array_equal(load_image(data), composite(pixels))


def test_la_and_premultiplied_la() -> None:
    pixels = np.array([[[90, 255], [90, 0], [90, 100]]], dtype=np.uint8)
    kept = load_image(encode(Image.fromarray(pixels), "PNG"), keep_alpha=True)
    assert kept.tolist() == [[[90, 90, 90, 255], [90, 90, 90, 0], [90, 90, 90, 100]]]
    # No plugin writes premultiplied La; a frame in that mode is converted all the same.
    kept = frame_to_array(Image.fromarray(pixels).convert("La"), keep_alpha=True)
    assert kept.shape == (1, 3, 4) and kept[:, :, 3].tolist() == [[255, 0, 100]]


def test_pa_palette_with_alpha() -> None:
    source = palette_image("PA")
    source.putpixel((1, 0), (1, 0))
    source.putpixel((2, 0), (2, 128))
    kept = load_image(encode(source, "TIFF"), keep_alpha=True)
    assert kept.tolist() == [[[200, 0, 0, 255], [0, 200, 0, 0], [0, 0, 200, 128]]]


def test_palette_with_trns_alphas() -> None:
    data = encode(palette_image(), "PNG", transparency=bytes([255, 0, 128]))
    assert load_image(data, keep_alpha=True).tolist() == [[[200, 0, 0, 255], [0, 200, 0, 0], [0, 0, 200, 128]]]


@pytest.mark.parametrize("format_name", ["PNG", "GIF"])
def test_palette_with_a_transparent_index(format_name: str) -> None:
    data = encode(palette_image(), format_name, transparency=1)
    kept = load_image(data, keep_alpha=True)
    assert kept[0, :, 3].tolist() == [255, 0, 255]
    assert kept[0, 0, :3].tolist() == [200, 0, 0] and kept[0, 2, :3].tolist() == [0, 0, 200]


def test_sixteen_bit_rgba_png() -> None:
    pixels = np.zeros((2, 3, 4), dtype=np.uint16)
    pixels[..., 0] = 65535
    pixels[0, :, 3] = (0, 32768, 65535)
    pixels[1, :, 3] = 65535
    kept = load_image(png16_rgba(pixels), keep_alpha=True)
    assert kept.shape == (2, 3, 4)
    assert kept[0, :, 3].tolist() == [0, 128, 255] and kept[1, :, 3].tolist() == [255, 255, 255]
    assert kept[..., 0].min() == 255


def test_apng_first_frame() -> None:
    first = Image.new("RGBA", (4, 4), (255, 0, 0, 0))
    first.putpixel((0, 0), (10, 20, 30, 200))
    second = Image.new("RGBA", (4, 4), (0, 255, 0, 255))
    data = encode(first, "PNG", save_all=True, append_images=[second])
    assert Image.open(io.BytesIO(data)).n_frames == 2
    kept = load_image(data, keep_alpha=True)
    assert kept[0, 0].tolist() == [10, 20, 30, 200]
    assert kept[1:, 1:, 3].max() == 0


def test_transparent_colours_of_grey_rgb_bilevel_and_sixteen_bit_grey() -> None:
    grey = Image.fromarray(np.array([[0, 7]], dtype=np.uint8))
    assert load_image(encode(grey, "PNG", transparency=0), keep_alpha=True)[0, :, 3].tolist() == [0, 255]
    rgb = Image.fromarray(np.array([[[1, 2, 3], [4, 5, 6]]], dtype=np.uint8))
    assert load_image(encode(rgb, "PNG", transparency=(1, 2, 3)), keep_alpha=True)[0, :, 3].tolist() == [0, 255]
    bilevel = Image.new("1", (2, 1))
    bilevel.putpixel((1, 0), 1)
    kept = load_image(encode(bilevel, "PNG", transparency=0), keep_alpha=True)
    assert kept.tolist() == [[[0, 0, 0, 0], [255, 255, 255, 255]]]
    sixteen = Image.fromarray(np.array([[1000, 65535]], dtype=np.uint16))
    kept = load_image(encode(sixteen, "PNG", transparency=1000), keep_alpha=True)
    assert kept.shape == (1, 2, 4) and kept[0, :, 3].tolist() == [0, 255] and kept[0, 1, :3].tolist() == [255] * 3


def test_webp_and_tiff_rgba() -> None:
    pixels = np.zeros((4, 4, 4), dtype=np.uint8)
    pixels[..., :3] = (12, 34, 56)
    pixels[:2, :, 3] = 255
    pixels[2, :, 3] = 77
    for data in (encode(Image.fromarray(pixels), "WEBP", lossless=True, exact=True), encode(Image.fromarray(pixels), "TIFF")):
        np.testing.assert_array_equal(load_image(data, keep_alpha=True), pixels)


def test_alpha_255_everywhere_and_no_transparency_give_three_channels() -> None:
    opaque = np.full((3, 5, 4), 255, dtype=np.uint8)
    opaque[..., 0] = 9
    kept = load_image(encode(Image.fromarray(opaque), "PNG"), keep_alpha=True)
    assert kept.shape == (3, 5, 3) and kept[..., 0].max() == 9
    rgb = np.zeros((2, 2, 3), dtype=np.uint8)
    for format_name in ("PNG", "JPEG", "BMP", "GIF"):
        assert load_image(encode(Image.fromarray(rgb), format_name), keep_alpha=True).shape == (2, 2, 3)
    # A palette whose only non-opaque entry no pixel uses.
    data = encode(palette_image(), "PNG", transparency=bytes([255, 255, 255, 0]))
    assert load_image(data, keep_alpha=True).shape == (1, 3, 3)


def test_every_odd_input_loads_with_keep_alpha_and_bad_ones_still_fail() -> None:
    for name, (build, (width, height), _) in ODD_INPUTS.items():
        kept = load_image(build()[1], keep_alpha=True)
        assert kept.shape[:2] == (height, width) and kept.shape[2] in (3, 4), name
        # Whatever is kept, its composite on white is what the default gives.
        np.testing.assert_array_equal(composite(kept), load_image(build()[1]), err_msg=name)
    for name, build in BAD_INPUTS.items():
        with pytest.raises((quant.ImageError, ValueError, TypeError)):
            load_image(build()[1], keep_alpha=True)


def test_check_image_and_downscale_take_rgba_only_when_asked() -> None:
    rgba = np.zeros((40, 40, 4), dtype=np.uint8)
    rgba[:, 20:] = (0, 0, 255, 255)
    rgba[:, :20] = (255, 0, 0, 0)
    with pytest.raises(ValueError, match=r"\(H, W, 3\) uint8"):
        check_image(rgba)
    assert check_image(rgba, alpha=True) is rgba
    small = downscale(rgba, 100, alpha=True)
    assert small.shape == (10, 10, 4)
    # Pillow averages with alpha weights: hidden red never bleeds into the blue.
    assert small[..., 0].max() == 0 and small[:, :5, 3].max() == 0 and small[:, 5:, 3].min() == 255


def test_composite_is_exact_on_any_background() -> None:
    colours = np.arange(256, dtype=np.uint8)
    pixels = np.stack(np.broadcast_arrays(colours[:, None], colours[None, :]), axis=-1)
    rgba = np.concatenate([np.repeat(pixels[..., :1], 3, axis=2), pixels[..., 1:]], axis=2)
    for background in ((255, 255, 255), (0, 0, 0), (17, 128, 250)):
        expected = np.rint((rgba[..., :3] * (rgba[..., 3:] / 255.0)) + np.array(background) * (1 - rgba[..., 3:] / 255.0))
        np.testing.assert_array_equal(composite(rgba, background), expected.astype(np.uint8))
    assert check_background([1, 2, 3]) == (1, 2, 3)
    for bad in ((1, 2), (1, 2, 300), (1.5, 2, 3), "fff", None):
        with pytest.raises(ValueError, match="background must be"):
            check_background(bad)
