"""Pinned k-means: the engine's k-means on the colour histogram with some centres held fixed.

The pins (:mod:`quant.pinned`) take part in every assignment step (a colour goes to a
pin when a pin is its nearest entry) but never move in the update step. k-means++
seeding starts with the pins as centres already chosen and picks the others in
proportion to the squared distance from the nearest centre chosen so far, so no free
entry is spent near a pin. The seeding and the iterations are :mod:`quant.lloyd`'s,
run coarse to fine on the histogram by :func:`quant.palette._kmeans_centres`, as
without pins; what is particular to pins is the start: the free entries of the
palette overwritten by the pins are one more start on the fine level
(:func:`_kmeans_around`).
"""

from __future__ import annotations

import numpy as np

from quant.colors import ColorHistogram
from quant.lloyd import _Level, _seed_around  # noqa: F401 - quant.pinned seeds a trace's start with them
from quant.palette import _kmeans_centres

__all__: list[str] = []


def _kmeans_around(histogram: ColorHistogram, n_colors: int, pins: np.ndarray, start: np.ndarray, space: str, seed: int) -> np.ndarray:
    """Pinned k-means on the histogram, coarse to fine: the free centres (in ``space``).

    Half the unpinned fit's seedings run on the coarse level around the pins ((p, 3)
    uint8): the overwrite palette is one more start (``start``, the free entries of
    the palette the pins overwrote, (j, 3) in ``space``), and the other half lowered
    the error by under 0.01 % on the sample photos. The best seeding goes on to the
    fine level beside ``start``, and the one with the lower error there is returned.
    """
    return _kmeans_centres(histogram, n_colors, space, seed, pins=pins, start=start)
