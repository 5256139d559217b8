"""k-means step by step: every iteration of a fit on an image's colours, for watching.

:func:`quant.quantize` returns only the finished palette. :func:`kmeans_steps` keeps
the whole path of one plain k-means (Lloyd's algorithm) run, so that a student can see
where the first centres land and how they move, and :func:`minibatch_steps` keeps the
path of the teaching notebook's ``MiniBatchKMeans`` from the same start, for contrast.

Lloyd's algorithm alternates two halves until nothing changes:

1. *assign*: every colour goes to its nearest centre;
2. *update*: every centre moves to the mean of its colours, weighted by pixel count.

Neither half can raise the squared error, so the error falls at every step and the
centres settle in a local minimum, which depends on where they started.

How it is made exact and fast
-----------------------------
The iterations run on the image's exact distinct colours, each weighted by its pixel
count (:func:`quant.colors.analyse`), which is the same as running them on every
pixel. A 12-megapixel photo has over a million distinct colours, so the assignment is
done cell by cell as :func:`quant.palette._nearest_colors` does it: the colours of a
6-bit grid cell that lies wholly inside one centre's region all go to that centre,
and what the update needs from them (their pixel count and colour sum) is the cell's
own, precomputed; only the colours of the other cells are assigned one by one. The
error of a step then follows from the same sums,
``sum w |x - c|^2 = sum w |x|^2 - sum_j (2 c_j . S_j - W_j |c_j|^2)``,
with no further pass over the colours.

A centre that loses all its colours (it can happen with the ``"uniform"`` start, whose
colours may lie far from any in the image) *stays where it is* and is reported empty
(:attr:`KMeansSteps.empty`); it can win colours back later if its neighbours move
away. :func:`quant.quantize`'s k-means (:mod:`quant.lloyd`), as scikit-learn's, instead
moves such a centre to a far-away point; keeping it shows what the plain algorithm
does and why a careful start matters.

References
----------
.. [1] S. Lloyd, "Least squares quantization in PCM", IEEE Trans. Inf. Theory 28(2), 1982.
.. [2] D. Arthur and S. Vassilvitskii, "k-means++: the advantages of careful
   seeding", SODA 2007.
.. [3] D. Sculley, "Web-scale k-means clustering", WWW 2010 (mini-batch k-means).
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from quant.colors import ColorHistogram, analyse, color_histogram
from quant.errors import ImageError
from quant.lloyd import _Level, _seed_around
from quant.loading import check_image
from quant.parallel import map_in_parallel
from quant.palette import (
    _FINE_BITS,
    _THREADPOOLS,
    _check_choice,
    _check_n_colors,
    _check_seed,
    _grid,
    _histogram_points,
    _histogram_weights,
    _levels,
    _nearest,
    _remembered,
    _sure_cells,
)
from quant.pinned import check_fixed, count_with_pins, start_around

__all__ = ["INITS", "MAX_STEPS", "TOL", "KMeansSteps", "kmeans_steps", "minibatch_steps"]

INITS = ("k-means++", "random", "uniform")
"""Starts accepted by :func:`kmeans_steps`: k-means++ seeding (what :func:`quant.quantize`
uses), k distinct colours of the image drawn in proportion to their pixel counts (Forgy),
and k colours drawn uniformly from the RGB cube (the notebook's random palette)."""

MAX_STEPS = 500
"""Most iterations a trace may ask for."""

TOL = 0.5
"""A trace has converged when no centre moved by more than this in a step, in 8-bit RGB
levels: half a level, so the palette rounded to 8 bits hardly changes any more. On the
sample photos that takes 8 to 40 iterations at k = 8 to 32; the error is then within
1 % of where it stops altogether, which can take a few hundred more."""

_CELL_MIN_COLORS = 1 << 16
"""Images with at least this many distinct colours are assigned cell by cell."""


@dataclass(frozen=True, eq=False)
class KMeansSteps:
    """The path of one k-means run: centres, error and cluster sizes at every step.

    Row 0 is the start; row ``i`` holds the centres after ``i`` iterations, with the
    error and pixel counts of the assignment of every pixel to its nearest centre.

    Attributes
    ----------
    centres : (n_steps + 1, k, 3) float64 array
        RGB centres (0–255, not rounded) at the start and after each iteration.
    mse : (n_steps + 1,) float64 array
        Mean squared error over pixels and channels (0–255 scale, the measure of
        ``Quantized.mse``) of the image with every pixel replaced by its nearest
        centre of that row, computed exactly over all pixels. The centres are not
        rounded; rounding them to an 8-bit palette adds about 1/12 on average.
        Under Lloyd's algorithm it never rises.
    update_mse : (n_steps,) float64 array
        The error half-way through each iteration: every pixel still with the centre
        it was nearest to before the iteration, the centres already moved (row
        ``i + 1``'s centres with row ``i``'s groups). Under Lloyd's algorithm,
        ``mse[i] >= update_mse[i] >= mse[i + 1]``: both halves lower the error.
    counts : (n_steps + 1, k) int64 array
        Pixels nearest to each centre; each row sums to the number of pixels.
    converged : bool
        True when an iteration moved no centre by more than :data:`TOL` levels
        (the trace stops after it), within ``max_iter`` iterations.
    method : {"lloyd", "minibatch"}
        Lloyd's algorithm on every colour, or one ``MiniBatchKMeans.partial_fit``
        batch per step.
    init : str
        How the centres started, one of :data:`INITS`.
    seed : int
        Seed of the start (and of the batches, for "minibatch").
    n_colors : int
        Number of centres asked for; ``k`` can be smaller when the image has fewer
        distinct colours (except with the "uniform" start).
    batch_size : int or None
        Pixels per batch for "minibatch", None for "lloyd".
    n_pixels : int
        Pixels in the image.
    seconds : float
        Wall-clock time of the call.
    pinned : (k,) bool array
        The centres that are pins (``fixed``): they never move. All False without pins.
    """

    centres: np.ndarray
    mse: np.ndarray
    update_mse: np.ndarray
    counts: np.ndarray
    converged: bool
    method: str
    init: str
    seed: int
    n_colors: int
    batch_size: int | None
    n_pixels: int
    seconds: float
    pinned: np.ndarray

    @property
    def k(self) -> int:
        """Number of centres."""
        return int(self.centres.shape[1])

    @property
    def n_steps(self) -> int:
        """Iterations done (rows minus one)."""
        return int(self.centres.shape[0]) - 1

    @property
    def empty(self) -> np.ndarray:
        """(n_steps + 1, k) bool: centres that no pixel is nearest to, at each row."""
        return self.counts == 0

    @property
    def moves(self) -> np.ndarray:
        """(n_steps, k) float64: how far each centre moved in each iteration (RGB levels)."""
        return np.linalg.norm(np.diff(self.centres, axis=0), axis=2)

    def palette(self, step: int = -1) -> np.ndarray:
        """The centres of a row rounded to an 8-bit palette, (k, 3) uint8."""
        return np.clip(np.rint(self.centres[step]), 0, 255).astype(np.uint8)

    def labels_of(self, colors: np.ndarray, step: int = -1) -> np.ndarray:
        """Index of the nearest centre of the given row for each of some colours.

        Parameters
        ----------
        colors : (n, 3) uint8 or float array
            RGB colours, e.g. a sample of the image's colours or a small copy's pixels.
        step : int, default -1
            Row of :attr:`centres`.

        Returns
        -------
        (n,) intp array
        """
        points = np.asarray(colors, dtype=np.float32).reshape(-1, 3)
        with _THREADPOOLS.limit(limits=1):
            return _nearest(points, self.centres[step])


def _check_whole(value: int, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= high:
        raise ImageError(f"{name} must be a whole number from {low} to {high}, got {value!r}.")
    return int(value)


# --- starts ------------------------------------------------------------------------


def _start(histogram: ColorHistogram, n_colors: int, init: str, seed: int, pins: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Initial (k, 3) float64 centres and which of them are pins; k = min(n_colors,
    distinct colours, with the pins) unless "uniform"."""
    if pins is not None:
        return start_around(histogram, n_colors, init, seed, pins)
    centres = _unpinned_start(histogram, n_colors, init, seed)
    return centres, np.zeros(centres.shape[0], dtype=bool)


def _unpinned_start(histogram: ColorHistogram, n_colors: int, init: str, seed: int) -> np.ndarray:
    """:func:`_start` without pins."""
    if init == "uniform":
        # The very draw of quantize(method="random"): step 0 is the random palette.
        return np.random.default_rng(seed).integers(0, 256, size=(n_colors, 3), dtype=np.uint8).astype(np.float64)
    n_distinct = len(histogram)
    if n_distinct <= n_colors:
        return histogram.colors.astype(np.float64)
    if init == "random":
        # k distinct colours, drawn with probability proportional to their pixel counts
        # without replacement (exponential keys, as quant.colors.sample_colors draws).
        keys = np.random.default_rng(seed).exponential(size=n_distinct) / histogram.counts
        chosen = np.sort(np.argpartition(keys, n_colors - 1)[:n_colors])
        return histogram.colors[chosen].astype(np.float64)
    # quantize's k-means++ (quant.lloyd), on the level it seeds on (coarse bins, or the exact colours).
    (colors, weights), _ = _levels(histogram, n_colors)
    return _seed_around(_Level(colors, weights, np.zeros((0, 3))), n_colors, np.random.default_rng(seed))


# --- one assignment, exactly -------------------------------------------------------


def _sums(labels: np.ndarray, points: np.ndarray, weights: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel count (k,) and weighted colour sum (k, 3) of each centre's colours.

    The four sums are independent passes, shared out over the cores. Weights and 8-bit
    colours are whole numbers, so every sum is exact in float64 whatever the order.
    """

    def total(channel: int) -> np.ndarray:
        channel_weights = weights if channel < 0 else weights * points[:, channel]
        return np.bincount(labels, weights=channel_weights, minlength=k)

    if labels.shape[0] < 1 << 17:
        totals = [total(channel) for channel in (-1, 0, 1, 2)]
    else:
        totals = map_in_parallel(total, [-1, 0, 1, 2])
    return totals[0], np.stack(totals[1:], axis=1)


@dataclass(frozen=True, eq=False)
class _ByCell:
    """The distinct colours sorted by their 6-bit cell, so that a cell's colours are one slice."""

    starts: np.ndarray
    """(m + 1,) intp: cell ``i``'s colours are rows ``starts[i]:starts[i + 1]`` below."""
    points: np.ndarray
    """(n, 3) float32 colours."""
    weights: np.ndarray
    """(n,) float64 pixel counts."""
    cell_weights: np.ndarray
    """(m,) float64 pixels in each cell."""
    cell_sums: np.ndarray
    """(m, 3) float64 sum of each cell's pixel colours (whole numbers, exact)."""


def _by_cell(histogram: ColorHistogram) -> _ByCell:
    """The histogram's colours grouped by 6-bit cell (remembered for the image)."""

    def make() -> _ByCell:
        cell_of_color, corners = _grid(histogram, _FINE_BITS)
        order = np.argsort(cell_of_color, kind="stable")
        starts = np.zeros(corners.shape[0] + 1, dtype=np.intp)
        np.cumsum(np.bincount(cell_of_color, minlength=corners.shape[0]), out=starts[1:])
        weights = _histogram_weights(histogram)
        cell_weights, cell_sums = _sums(cell_of_color, histogram.colors, weights, corners.shape[0])
        return _ByCell(
            starts=starts,
            points=_histogram_points(histogram, "rgb")[order],
            weights=weights[order],
            cell_weights=cell_weights,
            cell_sums=cell_sums,
        )

    return _remembered(histogram, "steps-by-cell", make)


def _rows_of(cells: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Row indices of the given cells' colours, cell after cell (see :class:`_ByCell`)."""
    lengths = starts[cells + 1] - starts[cells]
    ends = np.cumsum(lengths)
    return np.arange(int(ends[-1]) if ends.shape[0] else 0) + np.repeat(starts[cells] - (ends - lengths), lengths)


def _assign(histogram: ColorHistogram, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Assign every distinct colour to its nearest centre; return each centre's pixel count
    (k,) and weighted colour sum (k, 3), exactly."""
    k = centres.shape[0]
    if len(histogram) < _CELL_MIN_COLORS:
        points = _histogram_points(histogram, "rgb")
        return _sums(_nearest(points, centres), points, _histogram_weights(histogram), k)
    by_cell = _by_cell(histogram)
    first, sure = _sure_cells(histogram, centres)
    sure_cells = np.flatnonzero(sure)
    counts = np.bincount(first[sure_cells], weights=by_cell.cell_weights[sure_cells], minlength=k)
    sums = np.stack(
        [np.bincount(first[sure_cells], weights=by_cell.cell_sums[sure_cells, c], minlength=k) for c in range(3)], axis=1
    )
    rows = _rows_of(np.flatnonzero(~sure), by_cell.starts)
    points = np.take(by_cell.points, rows, axis=0)
    unsure_counts, unsure_sums = _sums(_nearest(points, centres), points, np.take(by_cell.weights, rows), k)
    return counts + unsure_counts, sums + unsure_sums


def _square_total(histogram: ColorHistogram) -> float:
    """``sum over pixels of |x|^2``, exactly (remembered for the image)."""

    def make() -> float:
        colors = histogram.colors.astype(np.int64)
        return float(histogram.counts @ np.einsum("ij,ij->i", colors, colors))

    return _remembered(histogram, "square-total", make)


def _error(square_total: float, centres: np.ndarray, counts: np.ndarray, sums: np.ndarray, n_values: int) -> float:
    """Mean squared error of the assignment whose per-centre counts and sums are given."""
    cross = 2.0 * np.einsum("ij,ij->", centres, sums) - counts @ np.einsum("ij,ij->i", centres, centres)
    return max(0.0, (square_total - cross) / n_values)


# --- the traces --------------------------------------------------------------------


class _Path:
    """The rows of a trace as they are made (see :class:`KMeansSteps`)."""

    def __init__(self, histogram: ColorHistogram, centres: np.ndarray, pinned: np.ndarray) -> None:
        self.histogram = histogram
        self.pinned = pinned
        self.n_values = 3 * float(histogram.counts.sum())
        self.square_total = _square_total(histogram)
        self.counts, self.sums = _assign(histogram, centres)
        self.centres = [centres]
        self.mse = [self._error(centres)]
        self.update_mse: list[float] = []
        self.sizes = [self.counts]

    def _error(self, centres: np.ndarray) -> float:
        return _error(self.square_total, centres, self.counts, self.sums, self.n_values)

    def move_to(self, centres: np.ndarray) -> float:
        """Record new centres (after the update half) and assign to them; return the
        largest distance a centre moved."""
        largest_move = float(np.max(np.linalg.norm(centres - self.centres[-1], axis=1)))
        self.update_mse.append(self._error(centres))
        self.counts, self.sums = _assign(self.histogram, centres)
        self.centres.append(centres)
        self.mse.append(self._error(centres))
        self.sizes.append(self.counts)
        return largest_move

    def means(self) -> np.ndarray:
        """The update half: each centre to the mean of its colours; an empty one, and a
        pin, stays."""
        occupied = (self.counts > 0) & ~self.pinned
        moved = self.centres[-1].copy()
        moved[occupied] = self.sums[occupied] / self.counts[occupied, None]
        return moved

    def steps(self, **details) -> KMeansSteps:
        return KMeansSteps(
            centres=np.stack(self.centres),
            mse=np.asarray(self.mse),
            update_mse=np.asarray(self.update_mse, dtype=np.float64),
            counts=np.rint(np.stack(self.sizes)).astype(np.int64),
            n_pixels=int(self.histogram.counts.sum()),
            pinned=self.pinned,
            **details,
        )


def _lloyd(
    histogram: ColorHistogram, centres: np.ndarray, pinned: np.ndarray, *, max_iter: int, tol: float = TOL
) -> tuple[_Path, bool]:
    """Lloyd iterations on the exact distinct colours from the given (k, 3) float centres,
    those marked ``pinned`` never moving; prior validation is assumed. Returns the path
    and whether it converged."""
    path = _Path(histogram, centres, pinned)
    for _ in range(max_iter):
        if path.move_to(path.means()) <= tol:
            return path, True
    return path, False


def _checked(
    image: np.ndarray, n_colors: int, init: str, seed: int, max_iter: int, fixed: ArrayLike | None
) -> tuple[np.ndarray, int, int, int, np.ndarray | None]:
    image = check_image(image)
    n_colors = _check_n_colors(n_colors)
    _check_choice(init, "init", INITS)
    seed = _check_seed(seed)
    max_iter = _check_whole(max_iter, "max_iter", 0, MAX_STEPS)
    return image, n_colors, seed, max_iter, check_fixed(fixed, n_colors)


def kmeans_steps(
    image: np.ndarray,
    n_colors: int,
    *,
    init: str = "k-means++",
    seed: int = 0,
    max_iter: int = 30,
    fixed: ArrayLike | None = None,
) -> KMeansSteps:
    """Every step of Lloyd's k-means on an image's colours, from a chosen start.

    Parameters
    ----------
    image : (H, W, 3) uint8 array
        An RGB image, as :func:`quant.load_image` returns.
    n_colors : int
        Number of centres, 1 to 256.
    init : {"k-means++", "random", "uniform"}, default "k-means++"
        The start: k-means++ seeding on the colour histogram (as :func:`quant.quantize`
        seeds, once here), k distinct colours of the image drawn in proportion to
        their pixel counts (Forgy's start), or k colours drawn uniformly from the RGB
        cube (the same draw as ``quantize(..., method="random", seed=seed)``).
    seed : int, default 0
        Seed of the start, 0 to :data:`quant.MAX_SEED`; the same seed gives the same trace.
    max_iter : int, default 30
        Most iterations, 0 to :data:`MAX_STEPS`. The trace stops earlier once no
        centre moves by more than :data:`TOL` levels.
    fixed : (m, 3) array-like of int, optional
        Pins, as in :func:`quant.quantize`: centres that take part in every
        assignment and never move (:attr:`KMeansSteps.pinned`). The starts keep
        them: "k-means++" seeds the other centres around them, "random" draws the
        others among the image's other colours, "uniform" replaces the drawn colours
        nearest them. An image whose colours and pins number at most ``n_colors``
        together starts with exactly those.

    Returns
    -------
    KMeansSteps
        Centres, exact error and pixel counts at the start and after every iteration.

    Raises
    ------
    ImageError
        If ``n_colors``, ``init``, ``seed``, ``max_iter`` or ``fixed`` is not an
        accepted value.
    ValueError
        If ``image`` is not an (H, W, 3) uint8 array.

    Notes
    -----
    A centre that no colour is nearest to stays where it is (see the module notes).
    With the "k-means++" and "random" starts an image with fewer distinct colours
    than ``n_colors`` gets one centre per colour, and zero error from the start.

    Examples
    --------
    >>> import numpy as np
    >>> image = np.zeros((2, 2, 3), dtype=np.uint8); image[0] = 200
    >>> trace = kmeans_steps(image, 2, init="uniform", seed=3)
    >>> trace.centres.shape[1:], float(trace.mse[-1]), trace.counts[-1].tolist()
    ((2, 3), 0.0, [2, 2])
    """
    started = time.perf_counter()
    image, n_colors, seed, max_iter, pins = _checked(image, n_colors, init, seed, max_iter, fixed)
    with _THREADPOOLS.limit(limits=1):
        _, histogram = analyse(image)
        centres, pinned = _start(histogram, n_colors, init, seed, pins)
        path, converged = _lloyd(histogram, centres, pinned, max_iter=max_iter)
    return path.steps(
        converged=converged,
        method="lloyd",
        init=init,
        seed=seed,
        n_colors=n_colors,
        batch_size=None,
        seconds=time.perf_counter() - started,
    )


def minibatch_steps(
    image: np.ndarray,
    n_colors: int,
    *,
    init: str = "k-means++",
    seed: int = 0,
    max_iter: int = 30,
    batch_size: int = 1024,
    fixed: ArrayLike | None = None,
) -> KMeansSteps:
    """Every step of the notebook's ``MiniBatchKMeans``: one batch of pixels per step.

    It starts from the same centres as :func:`kmeans_steps` with the same ``init`` and
    ``seed``; each step draws ``batch_size`` pixels of the image at random (with
    replacement) and gives them to ``MiniBatchKMeans.partial_fit``, which nudges each
    centre toward the batch's pixels nearest to it, by less and less as it has seen
    more of them. The error of each row is measured exactly, on every pixel.

    Parameters
    ----------
    image, n_colors, init, seed, max_iter
        As for :func:`kmeans_steps`, but the trace always takes ``max_iter`` steps:
        MiniBatch's steps shrink as its centres see more pixels, so a small move says
        nothing about having converged.
    batch_size : int, default 1024
        Pixels per batch (scikit-learn's default, the notebook's), from the number of
        centres to 65,536.
    fixed : (m, 3) array-like of int, optional
        Pins, as in :func:`kmeans_steps`: after every batch the pinned centres are
        put back where they were, so they never move.

    Returns
    -------
    KMeansSteps
        With ``method="minibatch"`` and ``converged`` False. Its error can rise from
        one step to the next: a batch is a small sample of the picture.

    Raises
    ------
    ImageError
        If a parameter is not an accepted value.
    ValueError
        If ``image`` is not an (H, W, 3) uint8 array.

    Notes
    -----
    scikit-learn moves a centre that gets too few pixels over the batches to a random
    pixel of a later batch; that is part of what is traced.
    """
    # Before the thread pools are limited below, so that the limit sees its OpenMP.
    from sklearn.cluster import MiniBatchKMeans

    started = time.perf_counter()
    image, n_colors, seed, max_iter, pins = _checked(image, n_colors, init, seed, max_iter, fixed)
    histogram = color_histogram(image)
    n_centres = len(histogram) if pins is None else count_with_pins(histogram, pins)
    batch_size = _check_whole(batch_size, "batch_size", min(n_colors, n_centres), 1 << 16)
    with _THREADPOOLS.limit(limits=1):
        _, histogram = analyse(image)
        centres, pinned = _start(histogram, n_colors, init, seed, pins)
        path = _Path(histogram, centres, pinned)
        pixels = image.reshape(-1, 3)
        batches = np.random.default_rng(seed)
        model = MiniBatchKMeans(
            n_clusters=centres.shape[0], init=centres, n_init=1, batch_size=batch_size, random_state=seed
        )
        with warnings.catch_warnings():
            # Duplicate points in a batch and an explicit start are expected here.
            warnings.simplefilter("ignore")
            for _ in range(max_iter):
                batch = pixels[batches.integers(0, pixels.shape[0], size=batch_size)].astype(np.float64)
                model.partial_fit(batch)
                model.cluster_centers_[pinned] = centres[pinned]
                path.move_to(model.cluster_centers_.astype(np.float64))
    return path.steps(
        converged=False,
        method="minibatch",
        init=init,
        seed=seed,
        n_colors=n_colors,
        batch_size=batch_size,
        seconds=time.perf_counter() - started,
    )
