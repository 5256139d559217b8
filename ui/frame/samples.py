"""The bundled sample images: they work offline and are the same on every machine.

Two photographs ship with scikit-learn; two pictures are generated here: a smooth
evening sky with a sun glow whose long gentle gradients show banding as soon as the
palette gets small, and a logo over nothing, whose transparent background and soft
edges an indexed PNG keeps. No Streamlit here, so tests can use the samples directly.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

__all__ = ["SAMPLES", "LOGO_SIZE", "load_sample", "logo_rgba", "sky_gradient"]

SAMPLES: dict[str, str] = {
    "china": "China (scikit-learn)",
    "flower": "Flower (scikit-learn)",
    "sky": "Sky gradient (shows banding)",
    "logo": "Logo (transparent background)",
}
"""Sample identifier -> label shown in the sidebar."""

_SKLEARN_FILES = {"china": "china.jpg", "flower": "flower.jpg"}
LOGO_SIZE = 512
"""Width and height of the logo sample."""


def sky_gradient(*, width: int = 1200, height: int = 800) -> np.ndarray:
    """Draw a smooth sky, deep blue overhead to warm at the horizon, with a sun glow.

    Deterministic: the same call returns the same pixels everywhere.

    Parameters
    ----------
    width, height : int
        Size of the picture in pixels.

    Returns
    -------
    (height, width, 3) uint8 array
    """
    rows = np.linspace(0.0, 1.0, height)[:, None, None]
    columns = np.linspace(0.0, 1.0, width)[None, :, None]
    zenith = np.array([18.0, 52.0, 128.0])
    horizon = np.array([246.0, 178.0, 132.0])
    # A power above 1 keeps the upper sky blue longer, as in a real evening sky.
    sky = zenith + (horizon - zenith) * rows**1.7
    distance = np.hypot((columns - 0.7) * width / height, rows - 0.8)
    glow = np.exp(-((distance / 0.22) ** 2))
    sun = np.array([255.0, 240.0, 205.0])
    picture = sky + (sun - sky) * 0.92 * glow
    return np.rint(picture).astype(np.uint8)


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


def load_sample(name: str) -> np.ndarray:
    """Return a sample picture as an (H, W, 3) uint8 array, or (H, W, 4) straight RGBA
    for the logo.

    Parameters
    ----------
    name : str
        One of the keys of :data:`SAMPLES`.

    Raises
    ------
    KeyError
        For an unknown name (a programming error: the sidebar offers only the keys).
    """
    if name == "sky":
        return sky_gradient()
    if name == "logo":
        return logo_rgba(LOGO_SIZE)
    # Imported here: scikit-learn's datasets module is slow to import and only these
    # two photographs need it.
    from sklearn.datasets import load_sample_image

    return np.ascontiguousarray(load_sample_image(_SKLEARN_FILES[name]), dtype=np.uint8)
