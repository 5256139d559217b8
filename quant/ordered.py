"""Ordered dithering: a fixed 8 × 8 pattern mixes two palette colours for each colour.

Error diffusion (:mod:`quant.dither`) spreads what each pixel lost onto its
neighbours, which gives the lowest error but a restless, image-dependent grain.
Ordered dithering answers every pixel from its own colour and its position alone: a
colour between two palette entries is drawn as a regular mix of the two, the same
mix wherever the colour appears. Flat artwork, pixel art and gradients keep a calm,
regular texture, and a small change in the picture changes the pattern only there.

How a colour is drawn, following T. Yliluoma's "arbitrary-palette positional
dithering" (his algorithm 1) [1]_:

* Its nearest entry ``A`` (the undithered mapping) is mixed with a partner ``B``; a
  share ``s`` of ``B`` (counted in 64ths of the 8 × 8 pattern, at most 1/2 since
  ``A`` is the nearer, scaled by the strength) gives the pattern the mean
  ``A + s (B - A)``.
* The partner and share with the smallest ``|mean - colour|² + λ s (1 - s) |B - A|²``
  win. The second term is the pattern's own variance, the visible noise of mixing
  ``A`` and ``B``: it keeps far-apart colours from being mixed and pulls the share
  a little towards ``A``. No partner (``A`` alone, no noise) wins when mixing does
  not pay for its noise. Yliluoma's penalty is ``0.1 (1/2 + |s - 1/2|) |B - A|²``,
  largest for the smallest shares: near each entry a band of colours was then never
  mixed, and gradients showed flat stripes that the variance does not leave.
* A pixel takes ``B`` where the Bayer matrix at its position (modulo 8) is below
  ``64 s``, so any 8 × 8 block holds exactly ``64 s`` pixels of ``B``.

Everything but the last step depends on the colour alone, so it is done once per
distinct colour of the picture (its histogram), not per pixel.

References
----------
.. [1] J. Yliluoma, "Joel Yliluoma's arbitrary-palette positional dithering
   algorithm", https://bisqwit.iki.fi/story/howto/dither/jy/ (2011).
.. [2] B. E. Bayer, "An optimum method for two-level rendition of continuous-tone
   pictures", IEEE International Conference on Communications, 1973.
"""

from __future__ import annotations

import numpy as np

from quant.compiled import jit as _jit
from quant.parallel import for_each_block

__all__ = ["BAYER", "LEVELS", "mixes", "ordered_labels"]

LEVELS = 64
"""Cells of the 8 × 8 pattern: a mix is counted in 64ths."""

_PENALTY = 0.1
"""λ, the weight of the pattern's variance in a mix's cost. Over scikit-image's china,
coffee and astronaut and a red-green gradient at 8, 16 and 32 colours, the error after
a small blur (Gaussian, σ = 1 pixel: what the eye averages) was, for λ = 0.5: 102/44/20,
71/28/10, 133/49/19, 12.5/2.6/0.6; 0.25: 98/42/18, 64/25/9, 114/39/17, 6.8/1.3/0.2;
0.1: 96/41/18, 62/24/9, 104/35/16, 4.8/1.0/0.2; 0.03: 97/42/19, 63/25/9, 103/35/17,
4.7/0.9/0.2, with the per-pixel MSE rising as λ falls (china at 16 colours: 130, 152,
183, 229). Yliluoma's own penalty, at its best weight (0.03), gave 97/41/18, 63/25/9,
107/36/17, 5.2/1.0/0.2 and the flat stripes."""


def _bayer(size: int) -> np.ndarray:
    """The ``size`` × ``size`` Bayer matrix (``size`` a power of 2), values 0..size²-1."""
    matrix = np.zeros((1, 1), dtype=np.int64)
    while matrix.shape[0] < size:
        matrix = np.block([[4 * matrix, 4 * matrix + 2], [4 * matrix + 3, 4 * matrix + 1]])
    return matrix


BAYER = _bayer(8).astype(np.uint8)
"""The 8 × 8 Bayer threshold matrix: every value 0..63 once, neighbours far apart."""


@_jit
def _mixes(colors, palette, nearest, strength, partners, levels):
    k = palette.shape[0]
    for i in range(colors.shape[0]):
        a = nearest[i]
        er = colors[i, 0] - palette[a, 0]
        eg = colors[i, 1] - palette[a, 1]
        eb = colors[i, 2] - palette[a, 2]
        best = er * er + eg * eg + eb * eb  # A alone
        partner = a
        level = 0
        for b in range(k):
            dr = palette[b, 0] - palette[a, 0]
            dg = palette[b, 1] - palette[a, 1]
            db = palette[b, 2] - palette[a, 2]
            gap = dr * dr + dg * dg + db * db
            if gap == 0.0:
                continue  # A itself, or a duplicate of it
            t = (er * dr + eg * dg + eb * db) / gap
            # The share of B minimising (t - s)² + λ s (1 - s): the projection, pulled
            # towards A by the penalty.
            best_share = (2.0 * min(t, 0.5) - _PENALTY) / (2.0 - 2.0 * _PENALTY)
            if best_share <= 0.0:
                continue  # B lies behind A, or too little of it would be mixed
            cells = int(np.floor(best_share * strength * LEVELS + 0.5))
            if cells == 0:
                continue
            share = cells / LEVELS
            mr = er - share * dr
            mg = eg - share * dg
            mb = eb - share * db
            cost = mr * mr + mg * mg + mb * mb + _PENALTY * share * (1.0 - share) * gap
            if cost < best:
                best = cost
                partner = b
                level = cells
        partners[i] = partner
        levels[i] = level


def mixes(colors: np.ndarray, palette: np.ndarray, nearest: np.ndarray, strength: float) -> tuple[np.ndarray, np.ndarray]:
    """Each colour's partner entry and how many of 64 pattern cells take it.

    Parameters
    ----------
    colors : (n, 3) uint8 array
        Distinct colours.
    palette : (k, 3) uint8 array
    nearest : (n,) integer array
        Each colour's nearest entry (``A``).
    strength : float
        From 0 (every colour its nearest entry) to 1.

    Returns
    -------
    partners : (n,) uint8 array
        The entry mixed in (``B``); the nearest entry itself when nothing is mixed.
    levels : (n,) uint8 array
        Cells of 64 that take the partner, 0 to 32.
    """
    colors64 = np.ascontiguousarray(colors, dtype=np.float64).reshape(-1, 3)
    palette64 = np.ascontiguousarray(palette, dtype=np.float64).reshape(-1, 3)
    nearest = np.ascontiguousarray(nearest, dtype=np.int64).reshape(-1)
    partners = np.empty(colors64.shape[0], dtype=np.uint8)
    levels = np.empty(colors64.shape[0], dtype=np.uint8)

    def mix_in(start: int, stop: int) -> None:
        _mixes(colors64[start:stop], palette64, nearest[start:stop], float(strength), partners[start:stop], levels[start:stop])

    for_each_block(mix_in, colors64.shape[0])
    return partners, levels


def ordered_labels(nearest: np.ndarray, partners: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Every pixel's entry: its partner where the Bayer matrix is below its level.

    Parameters
    ----------
    nearest, partners, levels : (H, W) uint8 arrays
        Each pixel's nearest entry, partner and level (from :func:`mixes`, per colour).

    Returns
    -------
    (H, W) uint8 array
    """
    height, width = nearest.shape
    threshold = np.tile(BAYER, (height // 8 + 1, width // 8 + 1))[:height, :width]
    return np.where(threshold < levels, partners, nearest)
