"""The palette of an indexed PNG or GIF, read safely, for :func:`quant.read_palette`.

A palette made in an image editor often travels as a small indexed image: a PNG or
GIF in palette mode, whose pixels show the swatches. :func:`indexed_colors` reads the
entries those pixels use. The file comes from a user, so it is opened as
:func:`quant.load_image` opens images: the pixel count is checked before decoding,
Pillow's warnings are silenced, and whatever Pillow raises on a malformed file
becomes one :class:`~quant.errors.ImageError`.
"""

from __future__ import annotations

import io
import struct
import warnings

import numpy as np
from PIL import Image, UnidentifiedImageError

from quant import loading
from quant.errors import ImageError

__all__ = ["indexed_colors"]

# What Pillow raises for malformed files (see quant.loading).
_DECODE_ERRORS = (OSError, ValueError, EOFError, SyntaxError, IndexError, KeyError, struct.error)


def indexed_colors(data: bytes, *, where: str = "the palette file") -> list[tuple[int, int, int]]:
    """The palette entries an indexed PNG or GIF uses, in index order.

    Parameters
    ----------
    data : bytes
        The whole file, a PNG or GIF. Its size is the caller's to limit.
    where : str
        How messages name the file, mid-sentence: a quoted file name, or
        ``"the palette file"``.

    Returns
    -------
    list of tuple of int
        ``(red, green, blue)``, each 0-255, of every entry its pixels use (the first
        frame of a GIF), in index order, duplicates included. Unused entries and fully
        transparent ones (GIF transparency index, PNG ``tRNS`` alpha 0) are left out.

    Raises
    ------
    ImageError
        If the file is truncated or corrupt, larger than ``quant.MAX_PIXELS``, or not
        a palette-mode image (only its palette could be read).
    """
    subject = where[:1].upper() + where[1:]
    corrupt = f"{subject} is a truncated or corrupt PNG or GIF image"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            image = Image.open(io.BytesIO(data), formats=["PNG", "GIF"])
        except (UnidentifiedImageError, Image.DecompressionBombError, *_DECODE_ERRORS) as err:
            raise ImageError(f"{corrupt} ({type(err).__name__}); expected a readable indexed PNG or GIF.") from err
        with image:
            width, height = image.size
            if width * height > loading.MAX_PIXELS:
                raise ImageError(
                    f"{subject} is {width} × {height} = {width * height:,} pixels; "
                    f"palette images are accepted up to {loading.MAX_PIXELS:,}."
                )
            if image.mode != "P":
                raise ImageError(
                    f"{subject} is a {image.format} image in colour mode {image.mode}, which has no palette; "
                    f"an image is accepted as a palette only as an indexed (palette) PNG or GIF."
                )
            try:
                image.load()
                indices = np.asarray(image)
                flat = image.getpalette("RGB") or []
            except (Image.DecompressionBombError, *_DECODE_ERRORS) as err:
                raise ImageError(f"{corrupt} ({type(err).__name__}); expected a readable indexed PNG or GIF.") from err
            transparency = image.info.get("transparency")
    entries = np.array(flat, dtype=np.uint8).reshape(-1, 3)
    used = np.flatnonzero(np.bincount(indices.ravel(), minlength=256))
    if used.size and used[-1] >= entries.shape[0]:
        raise ImageError(
            f"{corrupt}: its pixels use palette entry {int(used[-1])} but it defines {entries.shape[0]}; "
            f"expected a readable indexed PNG or GIF."
        )
    alpha = np.full(256, 255, dtype=np.uint8)
    if isinstance(transparency, int) and not isinstance(transparency, bool) and 0 <= transparency < 256:
        alpha[transparency] = 0
    elif isinstance(transparency, bytes):
        alpha[: min(len(transparency), 256)] = np.frombuffer(transparency[:256], dtype=np.uint8)
    visible = used[alpha[used] > 0]
    return [(red, green, blue) for red, green, blue in entries[visible].tolist()]
