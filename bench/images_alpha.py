"""Images with transparency, generated: a logo over nothing and a photo cut out with a soft edge.

``bench.alpha`` measures quant's RGBA palettes on them, the tests use small ones, and the
dashboard may offer them as samples. Both are pure functions of their arguments (no
file is read but scikit-learn's bundled ``china.jpg``), the same every time.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFilter
from sklearn.datasets import load_sample_image

__all__ = ["cutout_rgba", "logo_rgba"]

_SUPERSAMPLE = 4


def logo_rgba(size: int = 256) -> np.ndarray:
    """A flat-coloured logo on a transparent background, anti-aliased, with a soft shadow.

    Parameters
    ----------
    size : int, default 256
        Width and height in pixels, at least 16.

    Returns
    -------
    (size, size, 4) uint8 array
        Straight RGBA. About two thirds of the pixels are fully transparent (their
        colour is black), the shapes are opaque in a handful of colours, and their
        anti-aliased edges and a blurred drop shadow are partly transparent: the
        character of an icon, a sprite or a logo exported with transparency.
    """
    if int(size) < 16:
        raise ValueError(f"size must be at least 16, got {size!r}")
    big = int(size) * _SUPERSAMPLE

    def at(*fractions: float) -> list[float]:
        return [fraction * big for fraction in fractions]

    # The shadow: the badge's shape, dark and half transparent, blurred (its colour
    # is the same under every alpha, so the blur only spreads the alpha).
    canvas = Image.new("RGBA", (big, big), (20, 20, 40, 0))
    ImageDraw.Draw(canvas).ellipse(at(0.16, 0.18, 0.90, 0.92), fill=(20, 20, 40, 140))
    canvas = canvas.filter(ImageFilter.GaussianBlur(0.02 * big))

    layer = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    draw.ellipse(at(0.10, 0.10, 0.84, 0.84), fill=(226, 76, 44, 255))
    draw.ellipse(at(0.20, 0.20, 0.74, 0.74), fill=(252, 196, 64, 255))
    draw.rounded_rectangle(at(0.33, 0.40, 0.61, 0.54), radius=0.05 * big, fill=(36, 52, 120, 255))
    draw.polygon(at(0.47, 0.22, 0.60, 0.40, 0.34, 0.40), fill=(255, 255, 255, 255))
    draw.line(at(0.12, 0.92, 0.88, 0.78), fill=(36, 52, 120, 255), width=max(1, big // 40))
    # A translucent highlight: partly transparent everywhere, not only at the edges.
    glow = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    ImageDraw.Draw(glow).ellipse(at(0.22, 0.14, 0.56, 0.36), fill=(255, 255, 255, 110))
    canvas = Image.alpha_composite(Image.alpha_composite(canvas, layer), glow)
    # Pillow averages RGBA with alpha weights, so the edges blend with nothing, not black.
    small = canvas.resize((int(size), int(size)), Image.Resampling.BOX)
    pixels = np.array(small, dtype=np.uint8)
    pixels[pixels[..., 3] == 0] = 0
    return pixels


def cutout_rgba(size: tuple[int, int] | None = None, *, feather: float = 0.18) -> np.ndarray:
    """scikit-learn's ``china.jpg`` cut out by a soft-edged ellipse: an RGBA photo cut-out.

    Parameters
    ----------
    size : (width, height), optional
        Resize the photo (bicubic) first; default its own 640 × 427.
    feather : float, default 0.18
        Width of the soft edge, as a fraction of the ellipse's radius: alpha falls
        from 255 to 0 linearly across it.

    Returns
    -------
    (height, width, 4) uint8 array
        Straight RGBA. The photo's own colours stay under the transparent surround
        (as an editor's cut-out keeps them), so an error that ignored alpha would
        count them; inside the ellipse it is opaque, and its edge is a wide band of
        partly transparent pixels.
    """
    photo = Image.fromarray(load_sample_image("china.jpg"))
    if size is not None:
        photo = photo.resize((int(size[0]), int(size[1])), Image.Resampling.BICUBIC)
    rgb = np.asarray(photo, dtype=np.uint8)
    height, width = rgb.shape[:2]
    rows, columns = np.mgrid[0:height, 0:width].astype(np.float64)
    radius = np.hypot((columns + 0.5 - width / 2) / (0.46 * width), (rows + 0.5 - height / 2) / (0.46 * height))
    alpha = np.clip((1.0 - radius) / feather, 0.0, 1.0)
    return np.concatenate([rgb, np.rint(alpha * 255).astype(np.uint8)[..., None]], axis=2)
