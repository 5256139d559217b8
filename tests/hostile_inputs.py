"""Files a visitor may upload, made in memory: the bad ones and the merely odd ones.

Shared by the loader's unit tests (``tests/test_loading.py``), the app's upload tests
(``tests/test_app_hostile.py``) and anything else that needs them. Every builder
returns ``(file_name, content)``; nothing here touches the disk.

:data:`BAD_INPUTS` lists files that must be refused with a clear message;
:data:`ODD_INPUTS` lists files that must load and look right, with the size and
number of distinct colours a viewer would see.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable

import numpy as np
from PIL import Image

__all__ = [
    "BAD_INPUTS",
    "BAD_REASONS",
    "EPS",
    "ODD_INPUTS",
    "SIXTEEN_BIT",
    "UNKNOWN",
    "encode",
    "gradient_png",
    "palette_image",
    "png_chunk",
    "png_claiming",
    "quadrants",
]

Built = tuple[str, bytes]
"""What every builder returns: the file name a visitor's browser sends, and the bytes."""


# --- low-level helpers ----------------------------------------------------------------


def encode(image: Image.Image, format_name: str, **options) -> bytes:
    """``image`` saved in ``format_name`` to bytes, with Pillow's ``save`` options."""
    buffer = io.BytesIO()
    image.save(buffer, format_name, **options)
    return buffer.getvalue()


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(kind + payload)
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


def png_claiming(width: int, height: int) -> bytes:
    """A well-formed RGB PNG header with a tiny IDAT that cannot fill the claimed size."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + png_chunk(b"IEND", b"")
    )


def quadrants(height: int = 32, width: int = 48) -> np.ndarray:
    """A non-symmetric test card: red, green / blue, white quadrants."""
    image = np.zeros((height, width, 3), dtype=np.uint8)
    image[: height // 2, : width // 2] = (255, 0, 0)
    image[: height // 2, width // 2 :] = (0, 255, 0)
    image[height // 2 :, : width // 2] = (0, 0, 255)
    image[height // 2 :, width // 2 :] = (255, 255, 255)
    return image


def palette_image(mode: str = "P") -> Image.Image:
    """A 3 × 1 palette image: red, green, blue (``mode="PA"`` adds opaque alpha)."""
    image = Image.new(mode, (3, 1))
    image.putpalette([200, 0, 0, 0, 200, 0, 0, 0, 200])
    for x in range(3):
        image.putpixel((x, 0), x if mode == "P" else (x, 255))
    return image


def gradient_png(width: int, height: int, *, blue: int = 128) -> bytes:
    """An RGB gradient with ``min(width, 256) * min(height, 256)`` distinct colours."""
    x = np.linspace(0, 255, width).round().astype(np.uint8)
    y = np.linspace(0, 255, height).round().astype(np.uint8)
    pixels = np.empty((height, width, 3), dtype=np.uint8)
    pixels[..., 0] = x[np.newaxis, :]
    pixels[..., 1] = y[:, np.newaxis]
    pixels[..., 2] = blue
    return encode(Image.fromarray(pixels), "PNG")


EPS = (
    b"%!PS-Adobe-3.0 EPSF-3.0\n"
    b"%%BoundingBox: 0 0 10 10\n"
    b"%%EndComments\n"
    b"newpath 0 0 moveto 10 10 lineto stroke\n"
    b"showpage\n"
    b"%%EOF\n"
)
"""A valid little EPS drawing: Pillow would hand it to Ghostscript if allowed to."""

SIXTEEN_BIT = np.array([[0, 1000, 30000, 32768, 45000, 60000, 65535]], dtype=np.uint16)
"""16-bit grey levels; clipping instead of scaling would turn most of them white."""


# --- files that must be refused -------------------------------------------------------


def decompression_bomb() -> Built:
    """A PNG of about 100 bytes whose header claims 20000 × 20000 pixels."""
    return "bomb.png", png_claiming(20000, 20000)


def over_max_pixels() -> Built:
    """A header of 8000 × 8000: over quant.MAX_PIXELS, under Pillow's own bomb limit."""
    return "huge.png", png_claiming(8000, 8000)


def text_named_png() -> Built:
    return "notes.png", b"shopping list: eggs, milk\n" * 10


def html_named_png() -> Built:
    return "page.png", b"<!DOCTYPE html>\n<html><body><script>alert(1)</script></body></html>\n"


def svg_named_png() -> Built:
    return "drawing.png", (
        b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
        b'width="10" height="10"><rect width="10" height="10"/></svg>\n'
    )


def eps_named_png() -> Built:
    return "poster.png", EPS


def truncated_jpeg() -> Built:
    """The first half of a noisy JPEG: Pillow alone would return a half-grey image."""
    noise = np.random.default_rng(0).integers(0, 256, size=(64, 64, 3), dtype=np.uint8)
    data = encode(Image.fromarray(noise), "JPEG", quality=90)
    return "cut.jpg", data[: len(data) // 2]


def empty_file() -> Built:
    return "empty.png", b""


def _refused_format(format_name: str) -> Callable[[], Built]:
    def build() -> Built:
        return f"{format_name.lower()}-image.png", encode(Image.fromarray(quadrants()), format_name)

    build.__name__ = f"{format_name.lower()}_named_png"
    build.__doc__ = f"A {format_name} image, which Pillow reads but quant refuses, named .png."
    return build


def pdf_named_png() -> Built:
    return "document.png", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


_NOT_SUPPORTED = "not an image in a supported format"

BAD_INPUTS: dict[str, Callable[[], Built]] = {
    "bomb": decompression_bomb,
    "over-max-pixels": over_max_pixels,
    "text": text_named_png,
    "html": html_named_png,
    "svg": svg_named_png,
    "eps": eps_named_png,
    "pdf": pdf_named_png,
    "truncated-jpeg": truncated_jpeg,
    "empty": empty_file,
    "ico": _refused_format("ICO"),
    "ppm": _refused_format("PPM"),
    "tga": _refused_format("TGA"),
    "pcx": _refused_format("PCX"),
}
"""Every kind of file the loader and the app must refuse: test id -> builder."""

BAD_REASONS: dict[str, str] = {
    "bomb": "20000 × 20000 = 400,000,000 pixels; the limit is 50,000,000",
    "over-max-pixels": "8000 × 8000 = 64,000,000 pixels; the limit is 50,000,000",
    "text": "looks like text",
    "html": "looks like an HTML page",
    "svg": "looks like an SVG drawing",
    "eps": "looks like a PostScript/EPS file",
    "pdf": "looks like a PDF document",
    "truncated-jpeg": "truncated or corrupt",
    "empty": "is empty (0 bytes)",
    "ico": "looks like an ICO icon",
    "ppm": "looks like a PNM",
    "tga": _NOT_SUPPORTED,
    "pcx": "looks like a PCX image",
}
"""A fragment of the reason the visitor reads for each of :data:`BAD_INPUTS`."""


# --- files that must load and look right ----------------------------------------------


def sixteen_bit_png() -> Built:
    """A 7 × 1 16-bit greyscale PNG (mode I;16)."""
    return "sixteen-bit.png", encode(Image.fromarray(SIXTEEN_BIT), "PNG")


def cmyk_jpeg() -> Built:
    """A 16 × 16 CMYK JPEG (Adobe marker, inverted inks) of pure cyan."""
    return "print.jpg", encode(Image.new("CMYK", (16, 16), (255, 0, 0, 0)), "JPEG", quality=95)


def rgba_hidden_colours() -> Built:
    """4 × 2 RGBA: four different colours under alpha 0 above red, green, blue, white."""
    pixels = np.zeros((2, 4, 4), dtype=np.uint8)
    pixels[0, :, :3] = [(12, 34, 56), (200, 100, 0), (1, 2, 3), (255, 0, 0)]
    pixels[0, :, 3] = 0
    pixels[1, :, :3] = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)]
    pixels[1, :, 3] = 255
    return "hidden.png", encode(Image.fromarray(pixels), "PNG")


def palette_png_with_transparency() -> Built:
    """3 × 1 palette PNG: red, a transparent green, blue."""
    return "palette.png", encode(palette_image(), "PNG", transparency=1)


def greyscale_l() -> Built:
    return "grey.png", encode(Image.fromarray(np.array([[0, 7, 128, 255]], dtype=np.uint8)), "PNG")


def greyscale_la() -> Built:
    pixels = np.array([[[90, 255], [90, 0], [90, 100]]], dtype=np.uint8)
    return "grey-alpha.png", encode(Image.fromarray(pixels), "PNG")


def bilevel_1() -> Built:
    source = Image.new("1", (3, 1))
    source.putpixel((1, 0), 1)
    return "bilevel.png", encode(source, "PNG")


def exif_rotated_jpeg() -> Built:
    """A phone photo: stored 48 wide and 32 high, EXIF orientation 6 (shown 32 × 48)."""
    source = Image.fromarray(quadrants())
    exif = source.getexif()
    exif[0x0112] = 6
    return "phone.jpg", encode(source, "JPEG", quality=95, exif=exif.tobytes())


def animated_gif(n_frames: int = 300) -> Built:
    """A 16 × 16 GIF of ``n_frames`` frames; the first is one flat green."""
    frames = [Image.new("RGB", (16, 16), (0, 200, 50))]
    frames += [Image.new("RGB", (16, 16), (i % 256, 0, 255 - i % 256)) for i in range(1, n_frames)]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=10)
    return "animation.gif", data


def one_pixel() -> Built:
    return "dot.png", encode(Image.new("RGB", (1, 1), (10, 20, 30)), "PNG")


def one_colour() -> Built:
    """64 × 48 of a single colour, for palettes larger than the image has colours."""
    return "flat.png", encode(Image.new("RGB", (64, 48), (40, 90, 160)), "PNG")


UNKNOWN = -1
"""``n_colors`` of a lossy file, whose exact count depends on the encoder."""

ODD_INPUTS: dict[str, tuple[Callable[[], Built], tuple[int, int], int]] = {
    "sixteen-bit": (sixteen_bit_png, (7, 1), 7),
    "cmyk-jpeg": (cmyk_jpeg, (16, 16), UNKNOWN),
    # Kept with its alpha: the four opaque colours, and one see-through entry for the
    # four pixels of alpha 0 whatever lies under them.
    "rgba-hidden": (rgba_hidden_colours, (4, 2), 5),
    "palette-transparent": (palette_png_with_transparency, (3, 1), 3),
    "L": (greyscale_l, (4, 1), 4),
    "LA": (greyscale_la, (3, 1), 3),
    "1": (bilevel_1, (3, 1), 2),
    "exif-rotated": (exif_rotated_jpeg, (32, 48), UNKNOWN),
    "animated-gif": (animated_gif, (16, 16), 1),
    "1x1": (one_pixel, (1, 1), 1),
    "one-colour": (one_colour, (64, 48), 1),
}
"""Every odd but valid file: test id -> (builder, upright (width, height), distinct
colours a viewer sees, or :data:`UNKNOWN`)."""
