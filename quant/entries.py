"""Looking at one palette entry among the others: its nearest neighbour and how far it
is, and orders in which to lay the swatches out (by share, hue or lightness).

A palette is easier to judge when each swatch can be asked "is there another one like
you?": two entries a ΔE of 1 apart are one colour spent twice, and an entry no pixel
takes is one colour wasted. Distances are CIEDE2000, as in :func:`quant.metrics`.
"""

from __future__ import annotations

import numpy as np

from quant.errors import ImageError

__all__ = ["SWATCH_ORDERS", "nearest_entries", "swatch_order"]

SWATCH_ORDERS = ("share", "hue", "lightness")
"""Orders :func:`swatch_order` accepts."""

_GREY_SATURATION = 0.08
"""Below this HSV saturation a colour has no hue worth sorting by: greys go last."""


def _check_palette(palette: object) -> np.ndarray:
    array = np.asarray(palette)
    if array.ndim != 2 or array.shape[1] != 3 or array.shape[0] < 1 or array.dtype != np.uint8:
        raise ImageError(
            f"palette must be a (k, 3) uint8 array of at least one colour, got shape {array.shape} of {array.dtype}."
        )
    return array


def _lab(palette: np.ndarray) -> np.ndarray:
    from skimage.color import rgb2lab  # here: importing scikit-image takes a while

    return rgb2lab(palette.reshape(-1, 1, 3).astype(np.float64) / 255.0).reshape(-1, 3)


def nearest_entries(palette: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each entry's nearest other entry and the CIEDE2000 ΔE between them.

    Parameters
    ----------
    palette : (k, 3) uint8 array
        The palette's colours.

    Returns
    -------
    nearest : (k,) int64 array
        Index of the nearest other entry; -1 for a palette of one colour.
    delta_e : (k,) float64 array
        ΔE (CIEDE2000) to that entry; ``inf`` for a palette of one colour.

    Raises
    ------
    ImageError
        If ``palette`` is not a (k, 3) uint8 array with k ≥ 1.

    Examples
    --------
    >>> import numpy as np
    >>> nearest, delta_e = nearest_entries(np.array([[0, 0, 0], [255, 255, 255], [10, 10, 10]], np.uint8))
    >>> nearest.tolist()
    [2, 2, 0]
    """
    palette = _check_palette(palette)
    k = palette.shape[0]
    if k == 1:
        return np.array([-1]), np.array([np.inf])
    from skimage.color import deltaE_ciede2000

    lab = _lab(palette)
    # k is at most 256: the k × k table is 65,536 distances.
    distances = deltaE_ciede2000(lab[:, None, :], lab[None, :, :])
    np.fill_diagonal(distances, np.inf)
    nearest = np.argmin(distances, axis=1)
    return nearest.astype(np.int64), distances[np.arange(k), nearest]


def swatch_order(palette: np.ndarray, counts: np.ndarray, *, by: str = "share") -> np.ndarray:
    """The order in which to lay out a palette's swatches.

    Parameters
    ----------
    palette : (k, 3) uint8 array
        The palette's colours.
    counts : (k,) array
        Pixels per entry.
    by : {"share", "hue", "lightness"}, default "share"
        ``"share"``: most pixels first. ``"hue"``: around the colour wheel from red,
        then the greys (saturation below 0.08) from dark to light. ``"lightness"``:
        CIELAB L*, dark to light. Ties keep palette order.

    Returns
    -------
    (k,) int64 array
        Entry indices in display order.

    Raises
    ------
    ImageError
        If ``by`` is not one of :data:`SWATCH_ORDERS`, or ``palette`` and ``counts``
        do not match.
    """
    palette = _check_palette(palette)
    counts = np.asarray(counts)
    if counts.shape != (palette.shape[0],):
        raise ImageError(f"counts must have one value per palette entry ({palette.shape[0]}), got shape {counts.shape}.")
    if by not in SWATCH_ORDERS:
        raise ImageError(f"by must be one of {', '.join(SWATCH_ORDERS)}, got {by!r}.")
    if by == "share":
        return np.argsort(-counts.astype(np.float64), kind="stable").astype(np.int64)
    lightness = _lab(palette)[:, 0]
    if by == "lightness":
        return np.argsort(lightness, kind="stable").astype(np.int64)
    from skimage.color import rgb2hsv

    hsv = rgb2hsv(palette.reshape(-1, 1, 3).astype(np.float64) / 255.0).reshape(-1, 3)
    grey = hsv[:, 1] < _GREY_SATURATION
    # Colours by hue, then greys by lightness: lexsort's last key is the primary one.
    return np.lexsort((np.where(grey, lightness, hsv[:, 0]), grey)).astype(np.int64)
