"""Pillow's image modes turned into 8-bit RGB or RGBA arrays, and RGBA composited on a colour.

:func:`quant.load_image` decodes a file and hands the frame to :func:`frame_to_array`,
which knows what each Pillow mode means: 16- and 32-bit data are scaled instead of
clipped, and transparency (an alpha channel, a palette's tRNS alphas, a GIF's or a
PNG's transparent colour) is either composited on white, as the loader has always done,
or kept as a fourth channel. :func:`composite` is that blend on any background, for
the loader, the metrics (ΔE and SSIM of an RGBA image are measured on its composite)
and the command line's ``--background``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image

__all__ = ["WHITE", "check_background", "composite", "frame_to_array"]

WHITE = (255, 255, 255)
"""The background transparency is composited on unless another is asked for."""

# Rows of the alpha blend are processed in blocks of about this many values, so that
# compositing a 50-megapixel image needs tens of megabytes, not gigabytes.
_BLOCK_VALUES = 1 << 22


def check_background(background: Sequence[int]) -> tuple[int, int, int]:
    """``background`` as an (r, g, b) tuple of ints 0–255; ValueError for anything else."""
    try:
        values = tuple(int(value) for value in background)
        exact = all(int(value) == value for value in background) and not isinstance(background, (str, bytes))
    except (TypeError, ValueError):
        values, exact = (), False
    if not exact or len(values) != 3 or not all(0 <= value <= 255 for value in values):
        raise ValueError(f"background must be an (r, g, b) colour of three whole numbers 0 to 255, got {background!r}")
    return values  # type: ignore[return-value]


def composite(image: np.ndarray, background: Sequence[int] = WHITE) -> np.ndarray:
    """An RGBA image (straight, not premultiplied, alpha) blended onto a solid colour.

    Parameters
    ----------
    image : (H, W, 4) or (H, W, 3) uint8 array
        The picture; an RGB one is returned as it is (it has no transparency).
    background : (r, g, b), default (255, 255, 255)
        The colour behind it.

    Returns
    -------
    (H, W, 3) uint8 array
        ``round((c * a + bg * (255 - a)) / 255)`` per channel, exactly: a fully
        transparent pixel is the background whatever colour it hides, an opaque one
        keeps its colour.

    Examples
    --------
    >>> import numpy as np
    >>> composite(np.array([[[200, 0, 0, 0], [200, 0, 0, 255], [200, 0, 0, 128]]], dtype=np.uint8)).tolist()
    [[[255, 255, 255], [200, 0, 0], [227, 127, 127]]]
    """
    bg = np.array(check_background(background), dtype=np.uint16)
    if image.ndim != 3 or image.shape[2] not in (3, 4) or image.dtype != np.uint8:
        raise ValueError(f"image must be an (H, W, 4) or (H, W, 3) uint8 array, got shape {image.shape} and dtype {image.dtype}")
    if image.shape[2] == 3:
        return image
    height, width = image.shape[:2]
    rgb = np.empty((height, width, 3), dtype=np.uint8)
    rows = max(1, _BLOCK_VALUES // (4 * max(width, 1)))
    for top in range(0, height, rows):
        block = image[top : top + rows].astype(np.uint16)
        colour, alpha = block[..., :3], block[..., 3:]
        # c*a + bg*(255-a) <= 65025 + 127 fits in uint16; 255 is odd, so no ties.
        rgb[top : top + rows] = (colour * alpha + bg * (255 - alpha) + 127) // 255
    return rgb


def frame_to_array(frame: Image.Image, *, keep_alpha: bool = False) -> np.ndarray:
    """A loaded Pillow image of any mode as a new uint8 array, (H, W, 3) or (H, W, 4).

    Without ``keep_alpha`` transparency is composited on white. With it, an image
    that carries transparency and has a pixel whose alpha is below 255 comes back as
    straight RGBA; every other image as RGB. The rules per mode are those of
    :func:`quant.load_image`.
    """
    mode = frame.mode
    if mode == "F" or mode == "I" or mode.startswith("I;"):
        values = np.asarray(frame)
        grey = _grey_to_uint8(values)
        transparency = frame.info.get("transparency")
        rgb = np.repeat(grey[:, :, np.newaxis], 3, axis=2)
        if isinstance(transparency, int) and not isinstance(transparency, bool):
            hidden = values == transparency
            if keep_alpha and hidden.any():
                alpha = np.where(hidden, 0, 255).astype(np.uint8)
                return np.concatenate([rgb, alpha[:, :, np.newaxis]], axis=2)
            rgb[hidden] = 255
        return rgb
    if mode == "La":
        # Pillow converts premultiplied La to LA but not straight to RGBA.
        frame = frame.convert("LA")
    if frame.has_transparency_data:
        # 16-bit RGBA PNGs arrive as RGBA already reduced to 8 bits by Pillow; P, PA,
        # LA, 1 and RGB with a tRNS chunk or a GIF's transparent index all convert.
        rgba = np.array(frame.convert("RGBA"), dtype=np.uint8)
        if not keep_alpha:
            return composite(rgba)
        if bool((rgba[..., 3] == 255).all()):
            return np.ascontiguousarray(rgba[..., :3])
        return rgba
    if mode != "RGB":
        frame = frame.convert("RGB")
    return np.array(frame, dtype=np.uint8)


def _grey_to_uint8(values: np.ndarray) -> np.ndarray:
    """Scale single-channel 16-bit, 32-bit integer or float data to 0..255 (see load_image)."""
    if values.dtype.kind == "u" and values.dtype.itemsize == 2:
        return _SIXTEEN_TO_EIGHT[values]
    if values.dtype.kind in "iu":
        low, high = int(values.min()), int(values.max())
        if low >= 0 and high <= 65535:
            return _SIXTEEN_TO_EIGHT[values.astype(np.uint16)]
        return _stretch(values.astype(np.float64), low, high)
    finite = np.isfinite(values)
    if not finite.any():
        return np.zeros(values.shape, dtype=np.uint8)
    low = float(values.min(where=finite, initial=np.inf))
    high = float(values.max(where=finite, initial=-np.inf))
    clean = np.where(finite, values, low).astype(np.float64)
    if low >= 0.0 and high <= 1.0:
        grey = np.rint(clean * 255.0).astype(np.uint8)
    else:
        grey = _stretch(clean, low, high)
    if not finite.all():
        grey[np.isnan(values) | np.isneginf(values)] = 0
        grey[np.isposinf(values)] = 255
    return grey


def _stretch(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """Map [low, high] linearly onto 0..255, rounded; a constant image becomes 0."""
    if high <= low:
        return np.zeros(values.shape, dtype=np.uint8)
    scaled = (values - low) * (255.0 / (high - low))
    return np.rint(np.clip(scaled, 0.0, 255.0)).astype(np.uint8)


# round(v * 255 / 65535) == (v + 128) // 257 exactly, since 65535 == 255 * 257 and the
# quotient is never a tie (257 is odd).
_SIXTEEN_TO_EIGHT = ((np.arange(65536, dtype=np.uint32) + 128) // 257).astype(np.uint8)
