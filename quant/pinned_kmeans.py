"""Pinned k-means: Lloyd's algorithm on the colour histogram with some centres held fixed.

The pins (:mod:`quant.pinned`) take part in every assignment step (a colour goes to a
pin when a pin is its nearest entry) but never move in the update step. k-means++
seeding starts with the pins as centres already chosen and picks the others in
proportion to the squared distance from the nearest centre chosen so far
(:func:`_seed_around`), so no free entry is spent near a pin. It runs coarse to fine
on the colour histogram as the unpinned fit does (:mod:`quant.palette`): several
seedings on the coarse level, the best continued on the fine level beside a given
start (:func:`_kmeans_around`).

scikit-learn's ``KMeans`` cannot hold centres fixed, so the iterations are NumPy
here: exact assignments in chunks that stay in cache, and after the first, only for
the points whose bounds say they might have changed centre (Hamerly's algorithm);
late iterations, in which the centres hardly move, look at few points.

References
----------
.. [1] D. Arthur and S. Vassilvitskii, "k-means++: the advantages of careful
   seeding", SODA 2007.
.. [2] G. Hamerly, "Making k-means even faster", SDM 2010.
"""

from __future__ import annotations

import math

import numpy as np

from quant.colors import ColorHistogram
from quant.palette import (
    _CANDIDATES,
    _CHUNK_ELEMENTS,
    _FINE_MAX_ITER,
    _FINE_TOL,
    _MAX_N_INIT,
    _histogram_points,
    _levels,
    _to_space,
)
from quant.parallel import for_each_block, map_in_parallel

__all__: list[str] = []


def _two_nearest(points: np.ndarray, norms: np.ndarray, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each point's nearest centre, the distance to it and the distance to the second
    nearest (Euclidean, float64; ``inf`` with one centre), chunk by chunk on every core."""
    centre_norms = np.einsum("ij,ij->i", centres, centres)
    minus_twice = -2.0 * centres.T
    labels = np.empty(points.shape[0], dtype=np.intp)
    first = np.empty(points.shape[0], dtype=np.float64)
    second = np.empty(points.shape[0], dtype=np.float64)
    step = max(1, _CHUNK_ELEMENTS // (2 * centres.shape[0]))

    def nearest_in(start: int, stop: int) -> None:
        for chunk in range(start, stop, step):
            end = min(chunk + step, stop)
            rows = np.arange(end - chunk)
            matrix = points[chunk:end] @ minus_twice
            matrix += centre_norms
            nearest = np.argmin(matrix, axis=1)
            labels[chunk:end] = nearest
            first[chunk:end] = matrix[rows, nearest]
            matrix[rows, nearest] = np.inf
            second[chunk:end] = matrix.min(axis=1)

    for_each_block(nearest_in, points.shape[0], min_block=1 << 14)
    for distances in (first, second):
        distances += norms
        np.sqrt(np.maximum(distances, 0.0, out=distances), out=distances)
    return labels, first, second


class _Level:
    """One level of the histogram (weighted points in the fitting space) and the pins
    on it: what the seeding and the Lloyd iterations read."""

    def __init__(self, points: np.ndarray, weights: np.ndarray, pins: np.ndarray) -> None:
        self.points = np.ascontiguousarray(points, dtype=np.float64)
        self.norms = np.einsum("ij,ij->i", self.points, self.points)
        self.weights = np.asarray(weights, dtype=np.float64)
        self.pins = np.asarray(pins, dtype=np.float64)
        self.weighted = [self.weights * self.points[:, c] for c in range(3)]
        mean = (self.weights @ self.points) / self.weights.sum()
        self.variance = float(self.weights @ ((self.points - mean) ** 2).mean(axis=1)) / self.weights.sum()

    def sums(self, labels: np.ndarray, n_centres: int, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Weight (n_centres,) and weighted sum (n_centres, 3) of the points (all, or
        ``rows``) in each group, ``labels`` giving each one's group."""
        weights = self.weights if rows is None else self.weights[rows]
        counts = np.bincount(labels, weights=weights, minlength=n_centres)
        sums = np.empty((n_centres, 3))
        for channel, weighted in enumerate(self.weighted):
            sums[:, channel] = np.bincount(labels, weights=weighted if rows is None else weighted[rows], minlength=n_centres)
        return counts, sums

    def squared_distances(self, centres: np.ndarray) -> np.ndarray:
        """(len(centres), n) squared distances from a few centres to every point."""
        distances = centres @ (-2.0 * self.points.T)
        distances += self.norms
        distances += np.einsum("ij,ij->i", centres, centres)[:, None]
        return np.maximum(distances, 0.0, out=distances)


def _seed_around(level: _Level, n_free: int, rng: np.random.Generator) -> np.ndarray:
    """k-means++ seeding of ``n_free`` centres, the pins counting as centres already chosen.

    Greedy, as scikit-learn's: each pick draws ``2 + ln k`` candidates in proportion to
    the squared distance from the nearest centre so far and keeps the one that lowers
    the total most. Fewer centres are returned when every point already is a centre.
    """
    if n_free <= 0:
        return np.zeros((0, 3))
    trials = 2 + int(math.log(n_free + level.pins.shape[0]))
    # Chunked: up to 256 pins and 262,144 points would be half a gigabyte at once.
    closest = _two_nearest(level.points, level.norms, level.pins)[1] ** 2
    chosen: list[int] = []
    for _ in range(n_free):
        shares = np.cumsum(level.weights * closest)
        if shares[-1] <= 0:
            break
        candidates = np.minimum(np.searchsorted(shares, rng.random(trials) * shares[-1], side="right"), shares.shape[0] - 1)
        lowered = np.minimum(closest[None, :], level.squared_distances(level.points[candidates]))
        best = int(np.argmin(lowered @ level.weights))
        closest = lowered[best]
        chosen.append(int(candidates[best]))
    return level.points[chosen].reshape(-1, 3)


_BOUND_SLACK = 1e-6
"""Distances compared with bounds are trusted to this much (in the space's units): a
point this close to being taken by another centre has its distances recomputed."""


def _lloyd_around(level: _Level, free: np.ndarray, *, max_iter: int, tol: float) -> tuple[np.ndarray, float]:
    """Weighted Lloyd iterations of the free centres, the pins taking part in every
    assignment and never moving.

    Each assignment is exact, but only the points that might have changed centre are
    looked at again (Hamerly's bounds): every point keeps an upper bound on the
    distance to its centre and a lower bound on the distance to any other, both moved
    by how far the centres moved; a point whose upper bound is below the lower one, or
    below half the gap from its centre to the nearest other, keeps its centre. Late
    iterations, in which the centres hardly move, look at few points.

    A free centre left with no points moves to the point farthest from its centre, as
    scikit-learn's k-means does. Stops after ``max_iter`` updates, or when the centres
    moved by at most ``tol`` times the points' variance in all (squared). Returns the
    free centres and the weighted squared error of the assignment to them and the pins.

    References
    ----------
    .. [1] G. Hamerly, "Making k-means even faster", SDM 2010.
    """
    n_pins = level.pins.shape[0]
    centres = np.concatenate([level.pins, np.asarray(free, dtype=np.float64).reshape(-1, 3)])
    n_centres = centres.shape[0]
    labels, upper, lower = _two_nearest(level.points, level.norms, centres)
    counts, sums = level.sums(labels, n_centres)
    tol_abs = tol * level.variance
    for _ in range(max_iter if n_centres > n_pins else 0):
        moved = centres.copy()
        occupied = counts > 0
        occupied[:n_pins] = False
        moved[occupied] = sums[occupied] / counts[occupied, None]
        empty = np.flatnonzero(~occupied)
        empty = empty[empty >= n_pins]
        if empty.shape[0]:
            far = np.argpartition(-upper, min(empty.shape[0], upper.shape[0]) - 1)[: empty.shape[0]]
            moved[empty[: far.shape[0]]] = level.points[far]
        moves = np.sqrt(((moved - centres) ** 2).sum(axis=1))
        centres = moved
        # The bounds follow the centres: one's own moved away by at most its move, any
        # other came nearer by at most the largest move of the others.
        upper += moves[labels]
        order = np.argsort(moves)
        largest, runner_up = moves[order[-1]], moves[order[-2]] if n_centres > 1 else 0.0
        lower -= np.where(labels == order[-1], runner_up, largest)
        gaps = np.sqrt(np.maximum(_pairwise(centres), 0.0))
        np.fill_diagonal(gaps, np.inf)
        bound = np.maximum(lower, 0.5 * gaps.min(axis=1)[labels]) - _BOUND_SLACK
        suspect = np.flatnonzero(upper > bound)
        if suspect.shape[0]:
            diff = level.points[suspect] - centres[labels[suspect]]
            upper[suspect] = np.sqrt(np.einsum("ij,ij->i", diff, diff))
            suspect = suspect[upper[suspect] > bound[suspect]]
        if suspect.shape[0]:
            before = labels[suspect]
            labels[suspect], upper[suspect], lower[suspect] = _two_nearest(level.points[suspect], level.norms[suspect], centres)
            # The groups' totals follow the points that changed centre, not a pass over all.
            changed = labels[suspect] != before
            if changed.any():
                left_counts, left_sums = level.sums(before[changed], n_centres, suspect[changed])
                joined_counts, joined_sums = level.sums(labels[suspect[changed]], n_centres, suspect[changed])
                counts += joined_counts - left_counts
                sums += joined_sums - left_sums
        if float(moves @ moves) <= tol_abs:
            break
    diff = level.points - centres[labels]
    inertia = float(level.weights @ np.einsum("ij,ij->i", diff, diff))
    return centres[n_pins:], inertia


def _pairwise(centres: np.ndarray) -> np.ndarray:
    """(k, k) squared distances between centres."""
    norms = np.einsum("ij,ij->i", centres, centres)
    return norms[:, None] + norms[None, :] - 2.0 * centres @ centres.T


_COARSE_TOL = 1e-6
"""Relative tolerance of the coarse Lloyd iterations (scikit-learn's default, as the unpinned fit)."""

_COARSE_MAX_ITER = 300
"""Most Lloyd iterations on the coarse level (scikit-learn's default)."""


def _kmeans_around(histogram: ColorHistogram, n_colors: int, pins: np.ndarray, start: np.ndarray, space: str, seed: int) -> np.ndarray:
    """Pinned k-means on the histogram, coarse to fine: the free centres (in ``space``).

    Several seedings around the pins run on the coarse level; the best goes on to the
    fine level beside ``start`` (the free entries of the overwrite palette, (j, 3) in
    ``space``), and the one with the lower error there is returned.
    """
    (coarse_colors, coarse_weights), fine = _levels(histogram, n_colors)
    pins_in_space = _to_space(pins, space)
    coarse = _Level(_to_space(coarse_colors, space), coarse_weights, pins_in_space)
    n_free = n_colors - pins.shape[0]
    # Half the unpinned fit's seedings: the overwrite palette is one more start, and
    # the other half lowered the error by under 0.01 % on the sample photos.
    n_init = max(1, min(_MAX_N_INIT, 128 // n_colors) // 2)
    seeds = np.random.RandomState(seed).randint(np.iinfo(np.int32).max, size=n_init)

    def seeded(run_seed: int) -> tuple[np.ndarray, float]:
        centres = _seed_around(coarse, n_free, np.random.default_rng(int(run_seed)))
        return _lloyd_around(coarse, centres, max_iter=_COARSE_MAX_ITER, tol=_COARSE_TOL)

    runs = sorted(map_in_parallel(seeded, list(seeds)), key=lambda run: run[1])
    if fine is None:
        finish_on, max_iter, tol = coarse, _COARSE_MAX_ITER, _COARSE_TOL
        starts = [start]
        finished = [runs[0]]
    else:
        fine_colors, fine_weights = fine
        fine_points = _histogram_points(histogram, space) if fine_colors is histogram.colors else _to_space(fine_colors, space)
        finish_on, max_iter, tol = _Level(fine_points, fine_weights, pins_in_space), _FINE_MAX_ITER, _FINE_TOL
        starts = [centres for centres, _ in runs[: _CANDIDATES - 1]] + [start]
        finished = []
    finished += map_in_parallel(lambda centres: _lloyd_around(finish_on, centres, max_iter=max_iter, tol=tol), starts)
    return min(finished, key=lambda run: run[1])[0]
