"""What a dithered mapping did to each colour: its distinct (colour, palette entry)
pairs and their pixel counts, which :func:`quant.metrics` measures instead of pixels.

Both ditherers (:mod:`quant.dither`, :mod:`quant.ordered`) map one colour's pixels to
a few entries; counting the pairs is one pass over the pixels, on the cores.
"""

from __future__ import annotations

import numpy as np

from quant.compiled import jit as _jit
from quant.parallel import map_in_parallel

__all__ = ["color_pairs"]


_PART_BITS = 3
"""Pairs are counted in ``2**_PART_BITS`` parts by the colour codes' top bits, on the
cores, each with a lookup table of ``2**(24 - _PART_BITS)`` entries (8 MB)."""


@_jit
def _pairs_of_part(codes, labels, part, color_codes, color_counts, k):
    """:func:`color_pairs` for the pixels whose code has top bits ``part``;
    ``color_codes`` and ``color_counts`` are that part's colours."""
    shift = 24 - _PART_BITS
    n_colors = color_codes.shape[0]
    index = np.empty(1 << shift, dtype=np.int32)
    low_bits = (1 << shift) - 1
    for i in range(n_colors):
        index[color_codes[i] & low_bits] = i
    # Counting sort of the part's pixels' entries by colour (the counts are known) ...
    cursor = np.empty(n_colors, dtype=np.int64)
    total = 0
    for i in range(n_colors):
        cursor[i] = total
        total += color_counts[i]
    bucket = np.empty(total, dtype=np.uint8)
    for p in range(codes.shape[0]):
        if codes[p] >> shift == part:
            i = index[codes[p] & low_bits]
            bucket[cursor[i]] = labels[p]
            cursor[i] += 1
    # ... then a tally per colour: once to count the pairs, once to write them.
    tally = np.zeros(k, dtype=np.int64)
    n_pairs = 0
    start = 0
    for i in range(n_colors):
        stop = start + color_counts[i]
        for p in range(start, stop):
            if tally[bucket[p]] == 0:
                n_pairs += 1
            tally[bucket[p]] += 1
        for p in range(start, stop):
            tally[bucket[p]] = 0
        start = stop
    pair_colors = np.empty(n_pairs, dtype=np.int32)
    pair_labels = np.empty(n_pairs, dtype=np.uint8)
    pair_counts = np.empty(n_pairs, dtype=np.int64)
    n = 0
    start = 0
    for i in range(n_colors):
        stop = start + color_counts[i]
        for p in range(start, stop):
            tally[bucket[p]] += 1
        for p in range(start, stop):
            label = bucket[p]
            if tally[label] > 0:
                pair_colors[n] = i
                pair_labels[n] = label
                pair_counts[n] = tally[label]
                tally[label] = 0
                n += 1
        start = stop
    return pair_colors, pair_labels, pair_counts


def color_pairs(
    codes: np.ndarray, color_codes: np.ndarray, color_counts: np.ndarray, labels: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct (original colour, palette entry) pairs of a mapping, with pixel counts.

    Parameters
    ----------
    codes : (n,) uint32 array
        Each pixel's packed colour (:func:`quant.colors.pack_colors`).
    color_codes, color_counts : (m,) arrays
        The image's distinct codes and their pixel counts (its colour histogram).
    labels : (n,) uint8 array
        Each pixel's palette entry, below ``k``.
    k : int
        Palette size.

    Returns
    -------
    colors : (p,) int32 array
        Index of the pair's colour in ``color_codes``, increasing.
    labels : (p,) uint8 array
        The pair's entry (in order of first appearance among the colour's pixels).
    counts : (p,) int64 array
        Pixels with that colour and entry; they sum to ``n``.

    Notes
    -----
    A dithered 12-megapixel photo has a few million pairs: measuring each pair once
    (MSE, CIEDE2000) is exact and cheaper than measuring every pixel. The pixels are
    counting-sorted by colour (the counts are known), then tallied colour by colour,
    in eight parts by the codes' top bits, side by side on the cores.
    """
    codes = np.ascontiguousarray(codes, dtype=np.uint32).reshape(-1)
    labels = np.ascontiguousarray(labels, dtype=np.uint8).reshape(-1)
    color_codes = np.ascontiguousarray(color_codes, dtype=np.uint32)
    color_counts = np.ascontiguousarray(color_counts, dtype=np.int64)
    # The colours are sorted by code, so each part's colours are a slice of them.
    bounds = np.searchsorted(color_codes, np.arange((1 << _PART_BITS) + 1, dtype=np.int64) << (24 - _PART_BITS))

    def count_part(part: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        start, stop = bounds[part], bounds[part + 1]
        colors, part_labels, counts = _pairs_of_part(codes, labels, part, color_codes[start:stop], color_counts[start:stop], int(k))
        colors += start
        return colors, part_labels, counts

    parts = map_in_parallel(count_part, range(1 << _PART_BITS))
    return tuple(np.concatenate([part[i] for part in parts]) for i in range(3))
