"""The bundled sample images: they work offline and are the same on every machine.

Two photographs ship with scikit-learn; the third picture is generated here, a smooth
evening sky with a sun glow whose long gentle gradients show banding as soon as the
palette gets small. No Streamlit here, so tests can use the samples directly.
"""

from __future__ import annotations

import numpy as np

__all__ = ["SAMPLES", "load_sample", "sky_gradient"]

SAMPLES: dict[str, str] = {
    "china": "China (scikit-learn)",
    "flower": "Flower (scikit-learn)",
    "sky": "Sky gradient (shows banding)",
}
"""Sample identifier -> label shown in the sidebar."""

_SKLEARN_FILES = {"china": "china.jpg", "flower": "flower.jpg"}


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


def load_sample(name: str) -> np.ndarray:
    """Return a sample picture as an (H, W, 3) uint8 array.

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
    # Imported here: scikit-learn's datasets module is slow to import and only these
    # two photographs need it.
    from sklearn.datasets import load_sample_image

    return np.ascontiguousarray(load_sample_image(_SKLEARN_FILES[name]), dtype=np.uint8)
