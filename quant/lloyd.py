"""Weighted k-means in NumPy: k-means++ seeding and Lloyd's iterations, some centres
optionally held fixed.

This is the engine's one k-means: the ``"kmeans"`` method's, with and without pins
(:func:`quant.palette._kmeans_centres` runs it coarse to fine on the colour
histogram), the start of a k-means trace (:mod:`quant.steps`), and the partly
transparent entries of an RGBA palette (:func:`_fit`, :mod:`quant.alpha`). It works on
weighted points: the colours of a histogram level and their pixel counts, which is the
same as working on every pixel.

- Seeding is greedy k-means++, as scikit-learn's ``kmeans_plusplus`` with
  ``sample_weight``: the first centre is a point drawn in proportion to its weight,
  and each further one is the best (the one that lowers the weighted error most) of
  ``2 + ln k`` candidates drawn in proportion to weight times the squared distance to
  the nearest centre so far. Pins count as centres already chosen, so no free
  centre is spent near one (:func:`_seed_around`).
- Lloyd's iterations assign every point to its nearest centre, exactly, then move
  every free centre to the weighted mean of its points; pins take part in every
  assignment and never move; a centre left with no points moves to the point
  farthest from its centre. After the first assignment, only the points whose bounds
  say they might have changed centre are looked at again (after Hamerly), so late
  iterations, in which the centres hardly move, are cheap (:func:`_lloyd_around`).

Everything is NumPy on arrays made for the call: no state is shared between calls,
so fits run side by side in threads, and the large operations release the GIL.
Importing this module imports NumPy only (no scikit-learn or scipy: a command-line
run of one photo would spend most of its time importing them).

References
----------
.. [1] D. Arthur and S. Vassilvitskii, "k-means++: the advantages of careful
   seeding", SODA 2007.
.. [2] G. Hamerly, "Making k-means even faster", SDM 2010.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from quant.parallel import Item, for_each_block, map_in_parallel

__all__: list[str] = []

_CHUNK_ELEMENTS = 1 << 18
"""Distance-matrix elements computed at once: 1 MB of float32 (2 MB of float64), small
enough to stay in cache, which makes an assignment several times faster."""


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
            matrix = points[chunk:end] @ minus_twice
            matrix += centre_norms
            # argmin and a gather, not min: along short rows NumPy's min is several times slower.
            flat = matrix.reshape(-1)
            row_starts = np.arange(0, flat.shape[0], centres.shape[0])
            nearest = np.argmin(matrix, axis=1)
            labels[chunk:end] = nearest
            at = row_starts + nearest
            first[chunk:end] = flat.take(at)
            flat[at] = np.inf
            second[chunk:end] = flat.take(row_starts + np.argmin(matrix, axis=1))

    for_each_block(nearest_in, points.shape[0], min_block=1 << 14)
    for distances in (first, second):
        distances += norms
        np.sqrt(np.maximum(distances, 0.0, out=distances), out=distances)
    return labels, first, second


class _Level:
    """Weighted points (one level of a colour histogram, in the fitting space) and the
    pins among which they are clustered: what the seeding and the iterations read.

    Parameters
    ----------
    points : (n, d) array
        The points, ``n >= 1``: colours (d = 3), or premultiplied RGBA ones (d = 4).
    weights : (n,) array
        Their weights (pixel counts), positive.
    pins : (p, d) array
        Centres that never move, ``p >= 0``.
    """

    def __init__(self, points: np.ndarray, weights: np.ndarray, pins: np.ndarray) -> None:
        self.points = np.ascontiguousarray(points, dtype=np.float64)
        self.norms = np.einsum("ij,ij->i", self.points, self.points)
        self.weights = np.asarray(weights, dtype=np.float64)
        self.pins = np.asarray(pins, dtype=np.float64).reshape(-1, self.points.shape[1])
        self.weighted = [self.weights * channel for channel in self.points.T]
        mean = (self.weights @ self.points) / self.weights.sum()
        self.variance = float(self.weights @ ((self.points - mean) ** 2).mean(axis=1)) / self.weights.sum()

    def sums(self, labels: np.ndarray, n_centres: int, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Weight (n_centres,) and weighted sum (n_centres, d) of the points (all, or
        ``rows``) in each group, ``labels`` giving each one's group."""
        weights = self.weights if rows is None else self.weights[rows]
        counts = np.bincount(labels, weights=weights, minlength=n_centres)
        sums = np.empty((n_centres, len(self.weighted)))
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
    weight times the squared distance from the nearest centre so far and keeps the
    one that lowers the total most. Without pins the first centre is a point drawn in
    proportion to its weight. Fewer centres are returned when every point already is
    a centre.
    """
    if n_free <= 0:
        return np.zeros((0, level.points.shape[1]))
    trials = 2 + int(math.log(n_free + level.pins.shape[0]))
    chosen: list[int] = []
    if level.pins.shape[0]:
        # Chunked: up to 256 pins and 262,144 points would be half a gigabyte at once.
        closest = _two_nearest(level.points, level.norms, level.pins)[1] ** 2
    else:
        shares = np.cumsum(level.weights)
        chosen.append(min(int(np.searchsorted(shares, rng.random() * shares[-1], side="right")), shares.shape[0] - 1))
        closest = level.squared_distances(level.points[chosen])[0]
    while len(chosen) < n_free:
        shares = np.cumsum(level.weights * closest)
        if shares[-1] <= 0:
            break
        candidates = np.minimum(np.searchsorted(shares, rng.random(trials) * shares[-1], side="right"), shares.shape[0] - 1)
        lowered = np.minimum(closest[None, :], level.squared_distances(level.points[candidates]))
        best = int(np.argmin(lowered @ level.weights))
        closest = lowered[best]
        chosen.append(int(candidates[best]))
    return level.points[chosen].reshape(-1, level.points.shape[1])


_BOUND_SLACK = 1e-6
"""Distances compared with bounds are trusted to this much (in the space's units): a
point this close to being taken by another centre has its distances recomputed."""


def _lloyd_around(level: _Level, free: np.ndarray, *, max_iter: int, tol: float) -> tuple[np.ndarray, float, np.ndarray]:
    """Weighted Lloyd iterations of the free centres, the pins taking part in every
    assignment and never moving.

    Each assignment is exact, but only the points that might have changed centre are
    looked at again (Hamerly's bounds [1]_, kept as one number per point). When a
    point is assigned, the gap between its distances to the nearest and the
    second-nearest centre is its margin. Since then, the distance to its own centre
    has grown by at most how far that centre moved, and the distance to any other
    shrunk by at most the sum of each step's largest move; while the two together
    stay under the margin, the point keeps its centre. A step then costs one
    comparison per point, and the distances of the few points in doubt; late steps,
    in which the centres hardly move, have few.

    A free centre left with no points moves to the point farthest from its centre, as
    scikit-learn's k-means does. Stops after ``max_iter`` updates, or when the centres
    moved by at most ``tol`` times the points' variance in all (squared). Returns the
    free centres, the weighted squared error of the points' assignment to them and the
    pins, and that assignment (each point's centre, pins first).

    References
    ----------
    .. [1] G. Hamerly, "Making k-means even faster", SDM 2010.
    """
    n_pins = level.pins.shape[0]
    centres = np.concatenate([level.pins, np.asarray(free, dtype=np.float64).reshape(-1, level.points.shape[1])])
    n_centres = centres.shape[0]
    labels, nearest, second = _two_nearest(level.points, level.norms, centres)
    counts, sums = level.sums(labels, n_centres)
    # drift[c]: how far centre c has moved in all; spread: the sum of every step's largest
    # move. A point keeps its centre while drift[its centre] + spread < allowance.
    drift = np.zeros(n_centres)
    spread = 0.0
    allowance = second - nearest - _BOUND_SLACK
    tol_abs = tol * level.variance
    for _ in range(max_iter if n_centres > n_pins else 0):
        moved = centres.copy()
        occupied = counts > 0
        occupied[:n_pins] = False
        moved[occupied] = sums[occupied] / counts[occupied, None]
        empty = np.flatnonzero(~occupied)
        empty = empty[empty >= n_pins]
        if empty.shape[0]:
            diff = level.points - np.take(centres, labels, axis=0)
            far = np.argpartition(-np.einsum("ij,ij->i", diff, diff), min(empty.shape[0], labels.shape[0]) - 1)
            far = far[: empty.shape[0]]
            moved[empty[: far.shape[0]]] = level.points[far]
        moves = np.sqrt(((moved - centres) ** 2).sum(axis=1))
        centres = moved
        drift += moves
        spread += float(moves.max())
        suspect = np.flatnonzero(np.take(drift, labels) >= allowance - spread)
        if suspect.shape[0]:
            before = labels[suspect]
            after, nearest, second = _two_nearest(np.take(level.points, suspect, axis=0), level.norms[suspect], centres)
            labels[suspect] = after
            allowance[suspect] = second - nearest - _BOUND_SLACK + np.take(drift, after) + spread
            # The groups' totals follow the points that changed centre, not a pass over all.
            changed = after != before
            if changed.any():
                left_counts, left_sums = level.sums(before[changed], n_centres, suspect[changed])
                joined_counts, joined_sums = level.sums(after[changed], n_centres, suspect[changed])
                counts += joined_counts - left_counts
                sums += joined_sums - left_sums
        if float(moves @ moves) <= tol_abs:
            break
    diff = level.points - np.take(centres, labels, axis=0)
    inertia = float(level.weights @ np.einsum("ij,ij->i", diff, diff))
    return centres[n_pins:], inertia, labels


_Run = tuple[np.ndarray, float, np.ndarray]
"""One fit (:func:`_lloyd_around`): its free centres, its error and its labels."""

_PARALLEL_WORK = 1 << 19
"""Points times centres from which several fits of one level run side by side in threads
(:func:`_each`). Below it their NumPy calls are too short to leave the GIL for long:
two coarse fits in two threads took 1.1 to 2 times as long as one after the other on
the sample photos, two fine ones (25,000 to 63,000 colours, k = 32) 0.7 times as long."""


def _each(level: _Level, n_centres: int, fit: Callable[[Item], _Run], items: Sequence[Item]) -> list[_Run]:
    """``[fit(item) for item in items]``, fits on ``level`` with ``n_centres`` centres,
    side by side on the cores (:func:`quant.parallel.map_in_parallel`) when they are
    large enough to gain from it, else one after the other."""
    if level.points.shape[0] * n_centres >= _PARALLEL_WORK:
        return map_in_parallel(fit, items)
    return [fit(item) for item in items]


@dataclass(frozen=True, eq=False)
class _KMeansFit:
    """One weighted k-means fit (:func:`_fit`), its parts named as scikit-learn's
    ``KMeans`` names them, which :mod:`quant.alpha` reads."""

    cluster_centers_: np.ndarray
    """(k, d) centres; fewer than asked when every point is a centre already."""
    inertia_: float
    """Weighted squared error of the points' assignment to the centres."""
    labels_: np.ndarray
    """(n,) each point's centre."""


def _fit(
    points: np.ndarray, weights: np.ndarray, n_clusters: int, *, init: np.ndarray | str, random_state: int, tol: float, max_iter: int = 300
) -> _KMeansFit:
    """One weighted k-means fit of (n, d) points, seeded by k-means++ (``init="k-means++"``,
    drawn with ``random_state``) or started from the (k, d) centres ``init``: for the
    premultiplied RGBA colours of :mod:`quant.alpha`, whose fits run in any thread."""
    level = _Level(points, weights, np.zeros((0, np.shape(points)[1])))
    start = _seed_around(level, n_clusters, np.random.default_rng(random_state)) if isinstance(init, str) else init
    centres, inertia, labels = _lloyd_around(level, start, max_iter=max_iter, tol=tol)
    return _KMeansFit(cluster_centers_=centres, inertia_=inertia, labels_=labels)
