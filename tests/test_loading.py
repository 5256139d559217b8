"""Tests of quant.loading: every input is made in memory (tests/hostile_inputs.py) or in tmp_path."""

from __future__ import annotations

import io
import re
import subprocess
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import EpsImagePlugin, GifImagePlugin, Image

import quant.loading
from quant.colors import count_colors
from quant.errors import ImageError
from quant.loading import (
    ALLOWED_FORMATS,
    MAX_PIXELS,
    check_image,
    downscale,
    image_digest,
    load_image,
)
from tests.hostile_inputs import (
    BAD_INPUTS,
    EPS,
    ODD_INPUTS,
    animated_gif,
    encode,
    palette_image,
    png_claiming,
    quadrants,
    truncated_jpeg,
)

SUPPORTED = "is not an image in a supported format (PNG, JPEG, WebP, GIF, BMP, TIFF)"


# --- helpers --------------------------------------------------------------------------


def over_white(colour: int, alpha: int) -> int:
    return round((colour * alpha + 255 * (255 - alpha)) / 255)


@pytest.fixture
def rgb_png() -> bytes:
    return encode(Image.fromarray(quadrants()), "PNG")


# --- sources --------------------------------------------------------------------------


def test_loads_from_path_str_path_bytes_and_file_objects(tmp_path: Path, rgb_png: bytes):
    path = tmp_path / "card.png"
    path.write_bytes(rgb_png)
    sources = [
        str(path),
        path,
        rgb_png,
        bytearray(rgb_png),
        memoryview(rgb_png),
        io.BytesIO(rgb_png),
    ]
    for source in sources:
        np.testing.assert_array_equal(load_image(source), quadrants())
    with open(path, "rb") as file:
        np.testing.assert_array_equal(load_image(file), quadrants())


def test_file_object_is_read_from_start_and_position_restored(rgb_png: bytes):
    upload = io.BytesIO(rgb_png)
    upload.seek(10)
    np.testing.assert_array_equal(load_image(upload), quadrants())
    assert upload.tell() == 10


def test_unseekable_file_object_is_read_whole(rgb_png: bytes):
    class Pipe(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self._data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:
            chunk = self._data.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    np.testing.assert_array_equal(load_image(Pipe(rgb_png)), quadrants())


def test_rejects_unknown_source_type():
    with pytest.raises(TypeError, match="got int"):
        load_image(42)  # type: ignore[arg-type]


def test_does_not_write_uploads_to_disk(tmp_path: Path, monkeypatch, rgb_png: bytes):
    monkeypatch.chdir(tmp_path)
    load_image(io.BytesIO(rgb_png))
    load_image(rgb_png)
    assert list(tmp_path.iterdir()) == []


# --- output contract ------------------------------------------------------------------


@pytest.mark.parametrize("format_name", ALLOWED_FORMATS)
def test_output_is_new_contiguous_writeable_uint8_rgb(format_name: str):
    options = {"lossless": True} if format_name == "WEBP" else {}
    data = encode(Image.fromarray(quadrants()), format_name, **options)
    image = load_image(data)
    assert image.dtype == np.uint8
    assert image.shape == (32, 48, 3)
    assert image.flags.c_contiguous
    assert image.flags.writeable
    if format_name != "JPEG":
        np.testing.assert_array_equal(image, quadrants())


def test_loading_is_deterministic():
    data = encode(Image.fromarray(quadrants()), "JPEG", quality=80)
    first, second = load_image(data), load_image(data)
    np.testing.assert_array_equal(first, second)
    assert image_digest(first) == image_digest(second)


def test_one_by_one_image():
    data = encode(Image.new("RGB", (1, 1), (10, 20, 30)), "PNG")
    image = load_image(data)
    assert image.shape == (1, 1, 3)
    assert image.tolist() == [[[10, 20, 30]]]


# --- size limits ----------------------------------------------------------------------


def test_default_limit():
    assert MAX_PIXELS == 50_000_000
    assert ALLOWED_FORMATS == ("PNG", "JPEG", "WEBP", "GIF", "BMP", "TIFF")


def test_huge_header_is_refused_before_decoding():
    data = png_claiming(20000, 20000)
    assert len(data) < 200
    tracemalloc.start()
    try:
        with pytest.raises(ImageError) as caught:
            load_image(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(caught.value) == (
        "The image is 20000 × 20000 = 400,000,000 pixels; the limit is 50,000,000."
    )
    assert peak < 50_000_000


def test_header_between_our_limit_and_pillows_is_refused_by_ours():
    # 64 Mpx is over our 50 Mpx but under Pillow's own error limit of about 179 Mpx.
    tracemalloc.start()
    try:
        with pytest.raises(ImageError, match=r"8000 × 8000 = 64,000,000 pixels; the limit is 50,000,000\."):
            load_image(png_claiming(8000, 8000))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50_000_000


def test_pillow_limit_still_applies_and_is_reported(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)
    data = encode(Image.new("RGB", (20, 20)), "PNG")
    with pytest.raises(ImageError, match=r"20 × 20 = 400 pixels; the limit is 200\.") as caught:
        load_image(data, max_pixels=10_000)
    assert isinstance(caught.value.__cause__, Image.DecompressionBombError)


def test_monkeypatched_module_limit_is_read_at_call_time(monkeypatch, rgb_png: bytes):
    monkeypatch.setattr(quant.loading, "MAX_PIXELS", 1000)
    with pytest.raises(ImageError, match=r"is 48 × 32 = 1,536 pixels; the limit is 1,000\."):
        load_image(rgb_png)
    assert load_image(rgb_png, max_pixels=1536).shape == (32, 48, 3)


def test_path_source_names_the_file_in_size_error(tmp_path: Path, rgb_png: bytes):
    path = tmp_path / "holiday.png"
    path.write_bytes(rgb_png)
    with pytest.raises(ImageError, match=r"^'holiday\.png' is 48 × 32 = 1,536 pixels"):
        load_image(path, max_pixels=100)


@pytest.mark.parametrize("max_pixels", [0, -5, 2.5, True, "100"])
def test_invalid_max_pixels(max_pixels, rgb_png: bytes):
    with pytest.raises(ValueError, match="max_pixels must be a positive integer") as caught:
        load_image(rgb_png, max_pixels=max_pixels)
    assert not isinstance(caught.value, ImageError)


# --- files that are not accepted images -----------------------------------------------


def test_text_named_png(tmp_path: Path):
    path = tmp_path / "notes.png"
    path.write_text("shopping list: eggs, milk\n")
    with pytest.raises(ImageError) as caught:
        load_image(path)
    message = str(caught.value)
    assert message.startswith("'notes.png' looks like text")
    assert SUPPORTED in message


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"<!DOCTYPE html>\n<html><body>Not found</body></html>\n", "an HTML page"),
        (
            b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
            b'width="10" height="10"><rect width="10" height="10"/></svg>\n',
            "an SVG drawing",
        ),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "a PDF document"),
        (bytes(range(256)) * 4, None),
    ],
)
def test_not_an_image(data: bytes, kind: str | None):
    with pytest.raises(ImageError) as caught:
        load_image(data)
    message = str(caught.value)
    assert SUPPORTED in message
    if kind is None:
        assert message == f"The file {SUPPORTED}."
    else:
        assert kind in message


@pytest.mark.parametrize("name", [None, "drawing.png", "drawing.eps"])
def test_eps_never_reaches_its_plugin_or_ghostscript(tmp_path: Path, monkeypatch, name):
    def forbidden(*args, **kwargs):
        raise AssertionError("a subprocess was started")

    def eps_opened(self, *args, **kwargs):
        raise AssertionError("the EPS plugin parsed the file")

    monkeypatch.setattr(subprocess, "Popen", forbidden)
    monkeypatch.setattr(subprocess, "run", forbidden)
    monkeypatch.setattr(subprocess, "check_call", forbidden)
    monkeypatch.setattr(EpsImagePlugin, "Ghostscript", forbidden)
    monkeypatch.setattr(EpsImagePlugin.EpsImageFile, "_open", eps_opened)
    if name is None:
        source: object = EPS
    else:
        source = tmp_path / name
        source.write_bytes(EPS)
    with pytest.raises(ImageError) as caught:
        load_image(source)
    assert "a PostScript/EPS file" in str(caught.value)
    assert SUPPORTED in str(caught.value)
    assert isinstance(caught.value.__cause__, Image.UnidentifiedImageError)


@pytest.mark.parametrize(
    ("format_name", "kind"),
    [("ICO", "an ICO icon"), ("PCX", "a PCX image"), ("PPM", "a PNM"), ("TGA", None), ("SGI", None)],
)
def test_formats_pillow_reads_but_we_refuse(format_name: str, kind: str | None):
    data = encode(Image.fromarray(quadrants()), format_name)
    assert Image.open(io.BytesIO(data)).format == format_name  # Pillow itself would open it
    with pytest.raises(ImageError) as caught:
        load_image(data)
    message = str(caught.value)
    assert SUPPORTED in message
    if kind is not None:
        assert kind in message


# --- broken files ---------------------------------------------------------------------


def test_truncated_jpeg_raises_instead_of_returning_half_an_image():
    _, data = truncated_jpeg()
    with pytest.raises(ImageError, match=r"^The image data is truncated or corrupt: ") as caught:
        load_image(data)
    assert isinstance(caught.value.__cause__, OSError)


@pytest.mark.parametrize("format_name", ["PNG", "GIF", "BMP", "TIFF", "WEBP"])
def test_truncated_files_raise(format_name: str):
    rng = np.random.default_rng(1)
    noise = rng.integers(0, 256, size=(64, 64, 3), dtype=np.uint8)
    data = encode(Image.fromarray(noise), format_name)
    with pytest.raises(ImageError, match="truncated or corrupt") as caught:
        load_image(data[: len(data) // 2])
    assert caught.value.__cause__ is not None


def test_signature_of_accepted_format_with_broken_header():
    with pytest.raises(ImageError, match="truncated or corrupt: the header cannot be read"):
        load_image(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)


def test_truncated_file_names_path(tmp_path: Path):
    data = encode(Image.fromarray(quadrants()), "JPEG")
    path = tmp_path / "cut.jpg"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageError, match=r"^The image data in 'cut\.jpg' is truncated or corrupt"):
        load_image(path)


@pytest.mark.parametrize("source", [b"", bytearray(), memoryview(b""), io.BytesIO()])
def test_empty_input(source):
    with pytest.raises(ImageError) as caught:
        load_image(source)
    assert str(caught.value) == (
        "The file is empty (0 bytes); expected a PNG, JPEG, WebP, GIF, BMP or TIFF image."
    )


def test_empty_file(tmp_path: Path):
    path = tmp_path / "blank.png"
    path.touch()
    with pytest.raises(ImageError, match=r"^'blank\.png' is empty \(0 bytes\)"):
        load_image(path)


def test_missing_path(tmp_path: Path):
    path = tmp_path / "missing.png"
    with pytest.raises(ImageError, match=r"There is no file at '.*missing\.png'") as caught:
        load_image(str(path))
    assert isinstance(caught.value.__cause__, FileNotFoundError)


def test_directory_path(tmp_path: Path):
    with pytest.raises(ImageError, match="is a folder, not a file"):
        load_image(tmp_path)


def test_image_error_is_a_value_error():
    with pytest.raises(ValueError):
        load_image(b"not an image")


# --- colour modes ---------------------------------------------------------------------

SIXTEEN_BIT = np.array([[0, 1000, 30000, 32768, 45000, 60000, 65535]], dtype=np.uint16)


@pytest.mark.parametrize(
    ("format_name", "mode"),
    [("PNG", "I;16"), ("TIFF", "I;16"), ("TIFF", "I;16B")],
)
def test_sixteen_bit_grey_is_scaled_not_clipped(format_name: str, mode: str):
    # Not source.convert("I;16B"): Pillow converts between 16-bit modes through 8 bits.
    order = ">" if mode == "I;16B" else "<"
    source = Image.fromarray(SIXTEEN_BIT.astype(f"{order}u2"))
    assert source.mode == mode
    data = encode(source, format_name)
    assert Image.open(io.BytesIO(data)).mode == mode
    image = load_image(data)
    expected = [round(int(v) * 255 / 65535) for v in SIXTEEN_BIT[0]]
    assert image[0, :, 0].tolist() == expected
    assert expected[2] == 117  # a mid value, where clipping would give 255
    np.testing.assert_array_equal(image[..., 0], image[..., 1])
    np.testing.assert_array_equal(image[..., 0], image[..., 2])


def test_sixteen_bit_grey_with_transparent_value():
    data = encode(Image.fromarray(SIXTEEN_BIT), "PNG", transparency=1000)
    image = load_image(data)
    assert image[0, 1].tolist() == [255, 255, 255]
    assert image[0, 0].tolist() == [0, 0, 0]


def test_32_bit_integer_within_16_bit_range_is_scaled_like_16_bit():
    values = np.array([[0, 257, 30000, 65535]], dtype=np.int32)
    image = load_image(encode(Image.fromarray(values), "TIFF"))
    assert image[0, :, 0].tolist() == [0, 1, 117, 255]


def test_32_bit_integer_outside_16_bit_range_is_stretched():
    values = np.array([[-100, 0, 100_000]], dtype=np.int32)
    image = load_image(encode(Image.fromarray(values), "TIFF"))
    assert image[0, :, 0].tolist() == [0, round(100 * 255 / 100_100), 255]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([0.0, 0.25, 1.0], [0, 64, 255]),
        ([-1.0, 1.0, 3.0], [0, 128, 255]),
        ([2.0, 2.0, 2.0], [0, 0, 0]),
        ([0.5, np.nan, np.inf, -np.inf], [128, 0, 255, 0]),
        ([-2.0, 0.0, 2.0, np.nan], [0, 128, 255, 0]),
    ],
)
def test_float_images(values, expected):
    array = np.array([values], dtype=np.float32)
    image = load_image(encode(Image.fromarray(array), "TIFF"))
    assert image[0, :, 0].tolist() == expected


@pytest.mark.parametrize(
    ("cmyk", "rgb"),
    [
        ((0, 0, 0, 0), (255, 255, 255)),
        ((255, 0, 0, 0), (0, 255, 255)),
        ((0, 255, 0, 0), (255, 0, 255)),
        ((0, 0, 0, 255), (0, 0, 0)),
    ],
)
def test_cmyk_jpeg(cmyk, rgb):
    data = encode(Image.new("CMYK", (16, 16), cmyk), "JPEG", quality=95)
    # Pillow writes CMYK JPEGs with an Adobe marker and inverted ink values.
    assert "adobe" in Image.open(io.BytesIO(data)).info
    image = load_image(data)
    assert image.shape == (16, 16, 3)
    assert np.abs(image[8, 8].astype(int) - rgb).max() <= 3


def test_rgba_hidden_colour_becomes_white_and_partial_alpha_blends():
    pixels = np.array(
        [[[12, 34, 56, 0], [200, 100, 0, 128], [1, 2, 3, 255], [255, 0, 0, 1]]],
        dtype=np.uint8,
    )
    image = load_image(encode(Image.fromarray(pixels), "PNG"))
    assert image[0, 0].tolist() == [255, 255, 255]
    assert image[0, 1].tolist() == [over_white(200, 128), over_white(100, 128), over_white(0, 128)]
    assert image[0, 2].tolist() == [1, 2, 3]
    assert image[0, 3].tolist() == [255, over_white(0, 1), over_white(0, 1)]


def test_webp_hidden_colour_becomes_white():
    pixels = np.zeros((4, 4, 4), dtype=np.uint8)
    pixels[..., :3] = (12, 34, 56)
    pixels[:2, ..., 3] = 255
    data = encode(Image.fromarray(pixels), "WEBP", lossless=True, exact=True)
    image = load_image(data)
    assert image[0, 0].tolist() == [12, 34, 56]
    assert image[3, 3].tolist() == [255, 255, 255]


@pytest.mark.parametrize("format_name", ["PNG", "GIF"])
def test_palette_with_transparent_index(format_name: str):
    data = encode(palette_image(), format_name, transparency=1)
    opened = Image.open(io.BytesIO(data))
    assert opened.mode == "P" and opened.info["transparency"] == 1
    assert load_image(data).tolist() == [[[200, 0, 0], [255, 255, 255], [0, 0, 200]]]


def test_palette_with_per_index_alpha():
    data = encode(palette_image(), "PNG", transparency=bytes([255, 0, 128]))
    assert load_image(data).tolist() == [
        [[200, 0, 0], [255, 255, 255], [over_white(0, 128), over_white(0, 128), over_white(200, 128)]]
    ]


def test_palette_alpha_mode_pa():
    source = palette_image("PA")
    source.putpixel((1, 0), (1, 0))
    source.putpixel((2, 0), (2, 128))
    data = encode(source, "TIFF")
    assert Image.open(io.BytesIO(data)).mode == "PA"
    assert load_image(data).tolist() == [
        [[200, 0, 0], [255, 255, 255], [over_white(0, 128), over_white(0, 128), over_white(200, 128)]]
    ]


@pytest.mark.parametrize("format_name", ["PNG", "BMP", "TIFF", "GIF"])
def test_greyscale_l(format_name: str):
    grey = np.array([[0, 7, 128, 255]], dtype=np.uint8)
    image = load_image(encode(Image.fromarray(grey), format_name))
    assert image.tolist() == [[[v, v, v] for v in (0, 7, 128, 255)]]


def test_greyscale_la():
    pixels = np.array([[[90, 255], [90, 0], [90, 100]]], dtype=np.uint8)
    data = encode(Image.fromarray(pixels), "PNG")
    assert Image.open(io.BytesIO(data)).mode == "LA"
    blended = over_white(90, 100)
    assert load_image(data).tolist() == [[[90] * 3, [255] * 3, [blended] * 3]]


@pytest.mark.parametrize("format_name", ["PNG", "BMP", "TIFF"])
def test_bilevel_1(format_name: str):
    source = Image.new("1", (3, 1))
    source.putpixel((1, 0), 1)
    data = encode(source, format_name)
    assert load_image(data).tolist() == [[[0, 0, 0], [255, 255, 255], [0, 0, 0]]]


def test_greyscale_and_rgb_with_transparent_colour():
    grey = Image.fromarray(np.array([[0, 100, 200]], dtype=np.uint8))
    assert load_image(encode(grey, "PNG", transparency=0)).tolist() == [
        [[255, 255, 255], [100, 100, 100], [200, 200, 200]]
    ]
    rgb = Image.fromarray(np.array([[[1, 2, 3], [4, 5, 6]]], dtype=np.uint8))
    assert load_image(encode(rgb, "PNG", transparency=(1, 2, 3))).tolist() == [
        [[255, 255, 255], [4, 5, 6]]
    ]


@pytest.mark.parametrize("mode", ["YCbCr", "LAB", "CMYK"])
def test_other_tiff_modes_use_pillows_conversion(mode: str):
    source = Image.fromarray(quadrants()).convert(mode) if mode != "LAB" else Image.new(
        "LAB", (4, 4), (128, 128, 128)
    )
    data = encode(source, "TIFF")
    opened = Image.open(io.BytesIO(data))
    assert opened.mode == mode
    np.testing.assert_array_equal(load_image(data), np.asarray(opened.convert("RGB")))


# --- orientation and frames -----------------------------------------------------------

ORIENTATIONS = {
    1: lambda a: a,
    2: lambda a: a[:, ::-1],
    3: lambda a: a[::-1, ::-1],
    4: lambda a: a[::-1],
    5: lambda a: a.transpose(1, 0, 2),
    6: lambda a: np.rot90(a, -1),
    7: lambda a: np.rot90(a, 2).transpose(1, 0, 2),
    8: lambda a: np.rot90(a, 1),
}


@pytest.mark.parametrize("orientation", sorted(ORIENTATIONS))
def test_exif_orientation_png(orientation: int):
    source = Image.fromarray(quadrants())
    exif = source.getexif()
    exif[0x0112] = orientation
    data = encode(source, "PNG", exif=exif.tobytes())
    np.testing.assert_array_equal(load_image(data), ORIENTATIONS[orientation](quadrants()))


def test_exif_rotated_jpeg_is_upright():
    source = Image.fromarray(quadrants())  # stored 32 high, 48 wide, red top-left
    exif = source.getexif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    image = load_image(encode(source, "JPEG", quality=95, exif=exif.tobytes()))
    assert image.shape == (48, 32, 3)
    corners = {
        "top-left": image[2, 2],
        "top-right": image[2, -3],
        "bottom-left": image[-3, 2],
        "bottom-right": image[-3, -3],
    }
    expected = {
        "top-left": (0, 0, 255),
        "top-right": (255, 0, 0),
        "bottom-left": (255, 255, 255),
        "bottom-right": (0, 255, 0),
    }
    for corner, colour in expected.items():
        assert np.abs(corners[corner].astype(int) - colour).max() <= 8, corner


def test_animated_gif_returns_first_frame_without_decoding_the_others(monkeypatch):
    _, data = animated_gif(300)
    assert Image.open(io.BytesIO(data)).n_frames == 300

    seeks: list[int] = []
    original_seek = GifImagePlugin.GifImageFile._seek

    def counting_seek(self, frame, *args, **kwargs):
        seeks.append(frame)
        return original_seek(self, frame, *args, **kwargs)

    monkeypatch.setattr(GifImagePlugin.GifImageFile, "_seek", counting_seek)
    image = load_image(data)
    assert image.shape == (16, 16, 3)
    assert (image == (0, 200, 50)).all()
    assert seeks == [0]


@pytest.mark.parametrize("format_name", ["PNG", "WEBP"])
def test_animated_png_and_webp_return_first_frame(format_name: str):
    frames = [Image.new("RGB", (8, 8), colour) for colour in [(0, 200, 50), (255, 0, 0), (0, 0, 255)]]
    options = {"lossless": True} if format_name == "WEBP" else {}
    data = encode(frames[0], format_name, save_all=True, append_images=frames[1:], **options)
    assert Image.open(io.BytesIO(data)).n_frames == 3
    assert (load_image(data) == (0, 200, 50)).all()


# --- warnings -------------------------------------------------------------------------


def test_no_warning_escapes(monkeypatch):
    # Over Pillow's warning limit (300) but under its error limit (600) and ours.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 300)
    sources = [
        encode(Image.new("RGB", (20, 20), (1, 2, 3)), "PNG"),
        encode(palette_image(), "PNG", transparency=bytes([255, 0, 128])),
        encode(palette_image(), "GIF", transparency=1),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for source in sources:
            load_image(source)
        for broken in (b"", b"text", EPS, png_claiming(20000, 20000)):
            with pytest.raises(ImageError):
                load_image(broken)


# --- downscale ------------------------------------------------------------------------


def test_downscale_returns_small_image_itself():
    image = quadrants()
    assert downscale(image, image.shape[0] * image.shape[1]) is image


@pytest.mark.parametrize(
    ("shape", "max_pixels"),
    [((32, 48), 100), ((1000, 10), 50), ((1, 1_000_000), 10), ((1_000, 1), 7), ((3, 3), 1)],
)
def test_downscale_fits_budget_and_keeps_aspect(shape, max_pixels):
    image = np.full((*shape, 3), 77, dtype=np.uint8)
    small = downscale(image, max_pixels)
    height, width = small.shape[:2]
    assert small.dtype == np.uint8 and small.shape[2] == 3
    assert 1 <= height * width <= max_pixels
    assert height >= 1 and width >= 1
    assert (small == 77).all()
    if min(height, width) > 1:
        assert abs(width / height - shape[1] / shape[0]) / (shape[1] / shape[0]) < 0.25


def test_downscale_averages_blocks():
    image = quadrants(64, 64)
    small = downscale(image, 4)
    assert small.shape == (2, 2, 3)
    assert small.tolist() == [[[255, 0, 0], [0, 255, 0]], [[0, 0, 255], [255, 255, 255]]]


@pytest.mark.parametrize(
    "bad",
    [
        np.zeros((4, 4), dtype=np.uint8),
        np.zeros((4, 4, 4), dtype=np.uint8),
        np.zeros((4, 4, 3), dtype=np.float32),
        np.zeros((0, 4, 3), dtype=np.uint8),
    ],
)
def test_downscale_validates_image(bad):
    with pytest.raises(ValueError, match=re.escape(f"got shape {bad.shape}")) as caught:
        downscale(bad, 10)
    assert not isinstance(caught.value, ImageError)
    assert str(bad.dtype) in str(caught.value)


@pytest.mark.parametrize("max_pixels", [0, -1, 1.5])
def test_downscale_validates_max_pixels(max_pixels):
    with pytest.raises(ValueError, match="max_pixels must be a positive integer"):
        downscale(quadrants(), max_pixels)


# --- image_digest and check_image ------------------------------------------------------


def test_image_digest():
    image = quadrants()
    digest = image_digest(image)
    assert len(digest) == 32 and int(digest, 16) >= 0
    assert image_digest(image.copy()) == digest
    assert image_digest(np.asfortranarray(image)) == digest
    changed = image.copy()
    changed[31, 47, 2] ^= 1
    assert image_digest(changed) != digest
    assert image_digest(image.reshape(48, 32, 3)) != digest
    assert image_digest(image.view(np.int8)) != digest


def test_image_digest_rejects_non_arrays():
    with pytest.raises(TypeError):
        image_digest([[1, 2, 3]])  # type: ignore[arg-type]


def test_check_image():
    image = quadrants()
    assert check_image(image) is image
    with pytest.raises(ValueError, match=r"^original must be .*got shape \(2, 2\) and dtype int64"):
        check_image(np.zeros((2, 2), dtype=np.int64), name="original")
    with pytest.raises(TypeError, match="got list"):
        check_image([[[0, 0, 0]]])  # type: ignore[arg-type]


# --- the shared table of hostile uploads (tests/hostile_inputs.py) --------------------


@pytest.mark.parametrize("kind", sorted(BAD_INPUTS))
def test_every_bad_upload_is_an_image_error(kind: str):
    name, data = BAD_INPUTS[kind]()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ImageError):
            load_image(io.BytesIO(data))


@pytest.mark.parametrize("kind", sorted(ODD_INPUTS))
def test_every_odd_upload_loads_at_its_upright_size(kind: str):
    build, (width, height), n_colors = ODD_INPUTS[kind]
    _, data = build()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        image = load_image(io.BytesIO(data), keep_alpha=True)
        flat = load_image(io.BytesIO(data))
    assert image.shape[:2] == (height, width) and image.shape[2] in (3, 4)
    assert flat.shape == (height, width, 3)
    if n_colors >= 0:
        # As the dashboard loads it, alpha kept: all the pixels of alpha 0 are one colour.
        assert count_colors(image) == n_colors
