"""Palettes: reduce an image to at most k colours and rebuild it from them.

The default method is k-means on the image's colour *histogram* rather than on its
pixels, the way fast quantizers work: a 12-megapixel photo has millions of pixels but
far fewer distinct colours, and fewer still once near-identical colours share a bin.

1. Pack every pixel into a 24-bit code and count the distinct colours
   (:mod:`quant.colors`).
2. Group the distinct colours into the cells of a coarse grid (32 levels per
   channel) and of a fine one (64 levels), each occupied cell represented by the
   weighted mean of its colours and weighted by its pixel count. k-means on these
   weighted means minimises the same squared error as on the pixels, up to the
   spread inside each cell.
3. Coarse to fine: weighted k-means (k-means++ seeding, then Lloyd iterations:
   :mod:`quant.lloyd`, NumPy) several times on the coarse cells, then continue the
   best fits with Lloyd iterations on the exact distinct colours, or on the fine
   cells when there are too many colours, and keep the best. The fits run side by
   side on the machine's cores (:mod:`quant.parallel`).
4. Round the centres to 8 bits, map each distinct colour to its nearest palette
   entry once, exactly, and gather every pixel through that lookup table.

This module holds those steps; :mod:`quant.pipeline` puts them together as
:func:`quant.fit_palette`, :func:`quant.apply_palette` and :func:`quant.quantize`.

The other methods are there to compare against: ``"minibatch"`` is the teaching
notebook's ``MiniBatchKMeans`` on every pixel, ``"median-cut"`` and ``"octree"`` are
Pillow's quantizers, and ``"random"`` draws colours uniformly from the RGB cube.

References
----------
.. [1] D. Arthur and S. Vassilvitskii, "k-means++: the advantages of careful
   seeding", SODA 2007.
.. [2] P. Heckbert, "Color image quantization for frame buffer display",
   SIGGRAPH 1982 (median cut).
"""

from __future__ import annotations

import sys
import threading
import warnings
from collections.abc import Callable

import numpy as np
from PIL import Image
from threadpoolctl import ThreadpoolController

from quant.colors import ColorHistogram, remembered
from quant.errors import ImageError
from quant.lloyd import _CHUNK_ELEMENTS, _each, _fit, _Level, _lloyd_around, _Run, _seed_around  # noqa: F401 - _fit: quant.alpha's
from quant.parallel import for_each_block, map_in_parallel

# scikit-learn and scikit-image are imported in the functions that use them (the
# "minibatch" method, the Lab space): importing them takes a second or more, which
# `import quant` and `python -m quant` on its default path should not pay.


def __getattr__(name: str) -> object:
    """``quant.palette.MiniBatchKMeans``: scikit-learn's class the ``"minibatch"`` fit
    uses, imported on first use."""
    if name == "MiniBatchKMeans":
        import sklearn.cluster

        return sklearn.cluster.MiniBatchKMeans
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "MAX_COLORS",
    "MAX_SEED",
    "METHODS",
    "SPACES",
    "assign_colors",
]

METHODS = ("kmeans", "minibatch", "median-cut", "octree", "random")
"""Palette methods accepted by :func:`quantize`."""

SPACES = ("rgb", "lab")
"""Colour spaces in which distances are measured."""

MAX_COLORS = 256
"""Largest palette: what an indexed (mode P) PNG can hold."""

_COARSE_BITS = 5
"""Bits per channel of the coarse bins the k-means++ seedings are tried on (at most 32,768 bins)."""

_FINE_BITS = 6
"""Bits per channel of the fine bins used when an image has too many distinct colours to
fit on them directly (at most 262,144 bins; about 50,000 for a noisy 12 MP photo)."""

_EXACT_LIMIT = 1 << 16
"""Most distinct colours the final Lloyd iterations run on directly; beyond it they run on
the fine bins."""

_MIN_POINTS_PER_COLOR = 8
"""The coarse level needs at least this many points per palette colour, or a finer level is used."""

_MAX_N_INIT = 6
"""Most k-means++ seedings tried on the coarse bins.

Small palettes gain from several tries (about 3% lower error at k = 16), large ones
hardly (0.3% at k = 256 for four times the work), so the count shrinks as k grows:
``min(6, max(1, 192 // k))``. Six, not four: the seedings race (:data:`_SEED_TOL`), so
the two more cost little, and they narrow the spread of the error from seed to seed."""

_CANDIDATES = 2
"""Best coarse fits carried on to the fine level; the one with the lower final error wins.
The best fit on coarse bins is not always the best once the bins are split, and one more
candidate costs nothing on two cores."""

_COARSE_TOL = 1e-6
"""Relative tolerance of the Lloyd iterations on the coarse level: they stop once the
centres moved by at most this times the points' variance (squared, in all)."""

_COARSE_MAX_ITER = 300
"""Most Lloyd iterations on the coarse level (scikit-learn's default)."""

_SEED_TOL = 1e-3
"""Relative tolerance at which the coarse seedings stop when there are more of them than
are carried on (k <= 64): the ones carried on then go on to :data:`_COARSE_TOL`. The
others' last iterations took a quarter to a third of a fit at k = 8 and hardly ever
changed which were carried on (error within 0.2 %, mean of 8 seeds, 5 images)."""

_FINE_TOL = 1e-6
"""Relative tolerance of the fine Lloyd iterations, which start close to the end. At
scikit-learn's default (1e-4) they could stop while the centres still crept towards a
much better fit (3 % lower error for flower.jpg at k = 8); :data:`_FINE_MAX_ITER` bounds them."""

_FINE_MAX_ITER = 20
"""Most Lloyd iterations on the fine level. They start from a converged coarse fit; the
ones past 20 lowered the error by under 0.5% on the sample photos and took a third of
the time of a 12 MP palette."""


_POOL_MODULES = ("sklearn.utils._openmp_helpers", "scipy.linalg._fblas")
"""Extension modules loaded with a native pool: scikit-learn's OpenMP runtime, scipy's BLAS."""


class _NativePools:
    """A ``ThreadpoolController`` made on first use, and made again once
    :data:`_POOL_MODULES` have loaded their pools: scikit-learn (and with it scipy) is
    imported when a ``"minibatch"`` fit first needs it. Inspecting costs 5-30 ms, so it
    is not done on every call."""

    def __init__(self) -> None:
        self._inspected: tuple[int, ThreadpoolController] | None = None
        self._lock = threading.Lock()  # sessions quantize in threads side by side

    def limit(self, **limits) -> object:
        """``ThreadpoolController.limit(**limits)`` over the pools loaded now."""
        loaded = sum(name in sys.modules for name in _POOL_MODULES)
        with self._lock:
            if self._inspected is None or self._inspected[0] != loaded:
                self._inspected = (loaded, ThreadpoolController())
            controller = self._inspected[1]
        return controller.limit(**limits)


_THREADPOOLS = _NativePools()
"""Native thread pools (BLAS, OpenMP).

Every public function here runs with these pools limited to one thread. The products
are thin (inner dimension 3) and the k-means fits small, so waking threads costs more
than the arithmetic: 8 times more for the assignment on an idle machine, and far worse
when other sessions keep the cores busy and OpenMP threads wait for each other.
"""


def _check_choice(value: str, name: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ImageError(
            f"Unknown {name} {value!r}; expected one of {', '.join(map(repr, choices))}."
        )
    return value


def _check_n_colors(n_colors: int) -> int:
    if isinstance(n_colors, bool) or not isinstance(n_colors, (int, np.integer)):
        raise ImageError(f"n_colors must be a whole number from 1 to {MAX_COLORS}, got {n_colors!r}.")
    if not 1 <= n_colors <= MAX_COLORS:
        raise ImageError(f"n_colors must be from 1 to {MAX_COLORS}, got {n_colors}.")
    return int(n_colors)


MAX_SEED = 2**32 - 1
"""Largest seed: what NumPy's and scikit-learn's random generators accept."""


def _check_seed(seed: int) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed <= MAX_SEED:
        raise ImageError(f"seed must be a whole number from 0 to {MAX_SEED}, got {seed!r}.")
    return int(seed)


def _to_space(colors: np.ndarray, space: str) -> np.ndarray:
    """(n, 3) uint8 or float RGB (0–255) to float coordinates in ``space``."""
    if space == "rgb":
        return np.asarray(colors, dtype=np.float64)
    from skimage.color import rgb2lab

    rgb = np.asarray(colors, dtype=np.float64).reshape(-1, 1, 3) / 255.0
    return rgb2lab(rgb).reshape(-1, 3)


def _to_rgb8(points: np.ndarray, space: str) -> np.ndarray:
    """Float coordinates in ``space`` to the nearest (n, 3) uint8 RGB colours."""
    if space == "lab":
        from skimage.color import lab2rgb

        with warnings.catch_warnings():
            # Centres outside the sRGB gamut are clipped below; the warning says nothing more.
            warnings.simplefilter("ignore")
            points = lab2rgb(points.reshape(-1, 1, 3)).reshape(-1, 3) * 255.0
    return np.clip(np.rint(points), 0, 255).astype(np.uint8)


def _nearest(points: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Index of the nearest centre of each point (squared Euclidean distance).

    Works in float32 chunks, on every core: for 8-bit RGB every term is an integer
    below 2**24, so the distances, and the choice of nearest, are exact.
    """
    points32 = np.asarray(points, dtype=np.float32)
    centres32 = np.asarray(centres, dtype=np.float32)
    centre_norms = np.einsum("ij,ij->i", centres32, centres32)
    minus_twice_centres = -2.0 * centres32.T
    labels = np.empty(points32.shape[0], dtype=np.intp)
    step = max(1, _CHUNK_ELEMENTS // centres32.shape[0])

    def nearest_in(start: int, stop: int) -> None:
        for chunk in range(start, stop, step):
            end = min(chunk + step, stop)
            # |x - c|^2 = |x|^2 - 2 x.c + |c|^2, and |x|^2 does not change the argmin.
            distances = points32[chunk:end] @ minus_twice_centres
            distances += centre_norms
            np.argmin(distances, axis=1, out=labels[chunk:end])

    for_each_block(nearest_in, points32.shape[0])
    return labels


def assign_colors(colors: np.ndarray, palette: np.ndarray, *, space: str = "rgb") -> np.ndarray:
    """Index of the nearest palette entry of each colour.

    Parameters
    ----------
    colors : (n, 3) uint8 array
        Colours to map.
    palette : (k, 3) uint8 array
        Palette, ``k >= 1``.
    space : {"rgb", "lab"}, default "rgb"
        Space in which the Euclidean distance is measured ("lab": CIE 1976 ΔE).

    Returns
    -------
    (n,) intp array
        ``labels`` with ``palette[labels]`` the nearest colours.
    """
    _check_choice(space, "space", SPACES)
    colors = np.asarray(colors)
    palette = np.asarray(palette)
    for name, array in (("colors", colors), ("palette", palette)):
        if array.ndim != 2 or array.shape[1] != 3 or array.dtype != np.uint8:
            raise ValueError(
                f"{name} must be an (n, 3) uint8 array, got shape {array.shape} and dtype {array.dtype}."
            )
    if palette.shape[0] == 0:
        raise ValueError("palette must hold at least one colour, got an empty palette.")
    with _THREADPOOLS.limit(limits=1):
        return _nearest(_to_space(colors, space), _to_space(palette, space))


_remembered = remembered
"""What the helpers below (:func:`_histogram_points`, :func:`_histogram_weights`,
:func:`_grid`, :func:`_bins`) make of a histogram is remembered for the last images
(:func:`quant.colors.remembered`): several palettes of one picture place its colours
on the grids and convert them to Lab once."""


def _histogram_points(histogram: ColorHistogram, space: str) -> np.ndarray:
    """The histogram's distinct colours as float32 coordinates in ``space`` (remembered).

    Single precision is what :func:`_nearest` computes in, and holds 8-bit RGB exactly.
    """
    return _remembered(
        histogram, "points-" + space, lambda: _to_space(histogram.colors, space).astype(np.float32)
    )


def _histogram_weights(histogram: ColorHistogram) -> np.ndarray:
    """The histogram's pixel counts as float64 weights (remembered)."""
    return _remembered(histogram, "weights", lambda: histogram.counts.astype(np.float64))


def _grid(histogram: ColorHistogram, bits: int) -> tuple[np.ndarray, np.ndarray]:
    """The histogram's colours placed on a grid of ``2**bits`` levels per channel (remembered).

    Returns
    -------
    cell_of_color : (n,) intp array
        Index of each distinct colour's cell among the occupied cells.
    corners : (m, 3) intp array
        Grid coordinates (0 to ``2**bits - 1``) of each occupied cell.
    """

    def make() -> tuple[np.ndarray, np.ndarray]:
        drop, mask = 8 - bits, (1 << bits) - 1
        codes = histogram.codes
        keys = ((codes >> (16 + drop)) & mask) << (2 * bits)
        keys |= ((codes >> (8 + drop)) & mask) << bits
        keys |= (codes >> drop) & mask
        index = np.zeros(1 << (3 * bits), dtype=np.intp)
        index[keys] = 1
        occupied = np.flatnonzero(index)
        index[occupied] = np.arange(occupied.shape[0])
        corners = np.stack([occupied >> (2 * bits), (occupied >> bits) & mask, occupied & mask], axis=1)
        return index[keys], corners

    return _remembered(histogram, f"grid-{bits}", make)


def _bins(histogram: ColorHistogram, bits: int) -> tuple[np.ndarray, np.ndarray]:
    """Weighted-mean colours and pixel counts of the occupied cells of a ``2**bits`` per
    channel grid (remembered).

    Returns
    -------
    colors : (m, 3) float64 array
        Mean colour of the pixels in each occupied cell.
    weights : (m,) float64 array
        Pixels in each occupied cell.
    """

    def make() -> tuple[np.ndarray, np.ndarray]:
        cell_of_color, corners = _grid(histogram, bits)
        weights = _histogram_weights(histogram)
        totals = np.bincount(cell_of_color, weights=weights, minlength=corners.shape[0])
        sums = np.stack(
            [np.bincount(cell_of_color, weights=weights * histogram.colors[:, c], minlength=corners.shape[0]) for c in range(3)],
            axis=1,
        )
        return sums / totals[:, None], totals

    return _remembered(histogram, f"bins-{bits}", make)


_PRUNE_MIN_COLORS = 1 << 18
"""Images with at least this many distinct colours map them to a palette cell by cell
(:func:`_nearest_colors`); for fewer, the plain pass is as fast."""

_PRUNE_MAX_PALETTE = 128
"""Largest palette mapped cell by cell: with more entries fewer cells lie inside one
entry's region and the plain pass is as fast."""

_CELL_RADIUS = 1.5 * np.sqrt(3.0)
"""Largest distance from the centre of a 6-bit cell (4 levels a side) to a colour in it."""


def _cells(histogram: ColorHistogram) -> tuple[np.ndarray, np.ndarray]:
    """Each distinct colour's 6-bit cell, and the centres (RGB, float64) of the occupied cells."""
    cell_of_color, corners = _grid(histogram, _FINE_BITS)
    side = 1 << (8 - _FINE_BITS)
    return cell_of_color, corners * float(side) + (side - 1) / 2.0


def _sure_cells(histogram: ColorHistogram, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each occupied 6-bit cell, the entry nearest its centre, and whether every colour
    of the cell is sure to have that same nearest entry.

    The colours of a cell lie within :data:`_CELL_RADIUS` of its centre. They all have
    the cell centre's nearest entry ``a`` when, for every other entry ``b``, the plane
    halfway between ``a`` and ``b`` is farther from the cell centre than that radius:
    ``(|x - b|^2 - |x - a|^2) / (2 |b - a|) > radius``, strictly, so no tie can differ
    from the plain pass. (This is never weaker than asking the second-nearest entry
    to be farther by the cell's diameter.) ``centres`` are float RGB coordinates, not
    necessarily 8-bit; a cell next to two equal centres is never sure.

    Returns
    -------
    first : (m,) intp array
        Index of the entry nearest each occupied cell's centre.
    sure : (m,) bool array
        True where all the cell's colours have ``first`` as their nearest entry.
    """
    _, cell_centres = _cells(histogram)
    centres = np.asarray(centres, dtype=np.float64)
    first = np.empty(cell_centres.shape[0], dtype=np.intp)
    sure = np.empty(cell_centres.shape[0], dtype=bool)
    centre_norms = np.einsum("ij,ij->i", centres, centres)
    apart = np.sqrt(np.maximum(centre_norms[:, None] + centre_norms[None, :] - 2.0 * centres @ centres.T, 0.0))
    with np.errstate(divide="ignore"):
        # 1 / (2 |b - a|); an entry's own column (and an equal entry's) become -inf below.
        half_inverse = np.where(apart > 0.0, 0.5 / apart, -np.inf)

    def plane_test_in(start: int, stop: int) -> None:
        block = cell_centres[start:stop]
        distances = block @ (-2.0 * centres.T)
        distances += centre_norms
        distances += np.einsum("ij,ij->i", block, block)[:, None]
        rows = np.arange(stop - start)
        nearest = np.argmin(distances, axis=1)
        distances -= distances[rows, nearest][:, None]
        with np.errstate(invalid="ignore"):  # 0 * -inf: the entry itself, or an equal one
            distances *= half_inverse[nearest]
        distances[rows, nearest] = np.inf
        first[start:stop] = nearest
        # 1e-6 absorbs rounding in the distances above, which are accurate to about 1e-10.
        sure[start:stop] = distances.min(axis=1) > _CELL_RADIUS + 1e-6

    for_each_block(plane_test_in, cell_centres.shape[0], min_block=4096)
    return first, sure


def _prunes(histogram: ColorHistogram, n_entries: int, space: str) -> bool:
    """Whether :func:`_nearest_colors` maps the histogram's colours to a palette of
    ``n_entries`` cell by cell (else colour by colour)."""
    return space == "rgb" and len(histogram) >= _PRUNE_MIN_COLORS and 2 <= n_entries <= _PRUNE_MAX_PALETTE


def _nearest_colors(histogram: ColorHistogram, palette: np.ndarray, space: str) -> np.ndarray:
    """Index of the nearest palette entry of each distinct colour of the histogram, exactly.

    With many distinct colours most of them sit in 6-bit cells that lie wholly inside
    one palette entry's region (:func:`_sure_cells`); only the colours of the other
    cells go through :func:`_nearest`.
    """
    points = _histogram_points(histogram, space)
    centres = _to_space(palette, space)
    if not _prunes(histogram, palette.shape[0], space):
        return _nearest(points, centres)
    cell_of_color, _ = _grid(histogram, _FINE_BITS)
    first, sure = _sure_cells(histogram, centres)
    labels = first[cell_of_color]
    unsure = np.flatnonzero(~sure[cell_of_color])
    labels[unsure] = _nearest(points[unsure], centres)
    return labels


def _levels(histogram: ColorHistogram, n_colors: int) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray] | None]:
    """The (colours, weights) k-means is seeded on, and those it finishes on (or None).

    The coarse level is the coarsest of the 5-bit bins, the 6-bit bins and the exact
    colours that holds at least ``_MIN_POINTS_PER_COLOR * n_colors`` points; the fine
    level is the exact colours when there are at most ``_EXACT_LIMIT`` of them, the
    6-bit bins otherwise, and None when it would be no finer than the coarse level.
    """
    exact = (histogram.colors, _histogram_weights(histogram))
    # Both grids at once, one per core, the first time an image is seen (then remembered).
    candidates = map_in_parallel(lambda bits: _bins(histogram, bits), [_COARSE_BITS, _FINE_BITS]) + [exact]
    coarse_index = next(
        (i for i, (colors, _) in enumerate(candidates) if colors.shape[0] >= _MIN_POINTS_PER_COLOR * n_colors),
        len(candidates) - 1,
    )
    fine_index = 2 if len(histogram) <= _EXACT_LIMIT else 1
    fine = candidates[fine_index] if fine_index > coarse_index else None
    return candidates[coarse_index], fine


def _kmeans_centres(
    histogram: ColorHistogram,
    n_colors: int,
    space: str,
    seed: int,
    *,
    pins: np.ndarray | None = None,
    start: np.ndarray | None = None,
) -> np.ndarray:
    """k-means centres (in ``space``) of the colour histogram, coarse to fine; prior
    validation is assumed.

    Several k-means++ seedings (:data:`_MAX_N_INIT` at most) are fitted on the coarse
    level; the best :data:`_CANDIDATES` of them are carried on with Lloyd iterations
    on the fine level, and the fit with the lowest weighted error there is kept. The
    fits run side by side on the machine's cores.

    With ``pins`` ((p, 3) uint8 RGB), they take part in every assignment and never
    move, and only the ``n_colors - p`` free centres are returned; ``start`` ((j, 3)
    in ``space``) is one more start for the fine level, in place of the second-best
    seeding, and half the seedings are tried (see :mod:`quant.pinned_kmeans`).
    """
    (coarse_colors, coarse_weights), fine = _levels(histogram, n_colors)
    pins_in_space = np.zeros((0, 3)) if pins is None else _to_space(pins, space)
    coarse = _Level(_to_space(coarse_colors, space), coarse_weights, pins_in_space)
    n_init = min(_MAX_N_INIT, max(1, 32 * _MAX_N_INIT // n_colors))
    if start is not None:
        n_init = max(1, n_init // 2)
    seeds = np.random.RandomState(seed).randint(np.iinfo(np.int32).max, size=n_init)
    given = [] if start is None else [start]
    kept = 1 if fine is None else _CANDIDATES - len(given)
    # More seedings than are kept race: all stop early, and only the kept ones converge.
    seed_tol = _SEED_TOL if n_init > kept else _COARSE_TOL

    def seeded(run_seed: int) -> _Run:
        centres = _seed_around(coarse, n_colors - pins_in_space.shape[0], np.random.default_rng(int(run_seed)))
        return _lloyd_around(coarse, centres, max_iter=_COARSE_MAX_ITER, tol=seed_tol)

    def converged(level: _Level, max_iter: int, tol: float) -> Callable[[np.ndarray], _Run]:
        return lambda centres: _lloyd_around(level, centres, max_iter=max_iter, tol=tol)

    runs = sorted(_each(coarse, n_colors, seeded, list(seeds)), key=lambda run: run[1])[:kept]
    if seed_tol != _COARSE_TOL:
        runs = _each(coarse, n_colors, converged(coarse, _COARSE_MAX_ITER, _COARSE_TOL), [run[0] for run in runs])
    if fine is None:  # the coarse level is the finest
        finished = runs + _each(coarse, n_colors, converged(coarse, _COARSE_MAX_ITER, _COARSE_TOL), given)
    else:
        fine_colors, fine_weights = fine
        fine_points = _histogram_points(histogram, space) if fine_colors is histogram.colors else _to_space(fine_colors, space)
        finish_on = _Level(fine_points, fine_weights, pins_in_space)
        finished = _each(finish_on, n_colors, converged(finish_on, _FINE_MAX_ITER, _FINE_TOL), [run[0] for run in runs] + given)
    return min(finished, key=lambda run: run[1])[0]


MINIBATCH_PIXELS = 300_000
"""Most pixels ``"minibatch"`` fits ``MiniBatchKMeans`` on: every pixel of the notebook's
photos (china.jpg has 273,280); a larger image is fitted on this many pixels drawn
uniformly at random (seeded). On every pixel of a 12 MP photo its epochs took 2.6 s at
16 colours but 337 s at 64 here, holding one of the server's two slots all along."""


def _minibatch_centres(image: np.ndarray, n_colors: int, space: str, seed: int) -> np.ndarray:
    """The notebook's method: ``MiniBatchKMeans`` fitted on every pixel (at most
    :data:`MINIBATCH_PIXELS` of them)."""
    from sklearn.cluster import MiniBatchKMeans

    pixels = image.reshape(-1, 3)
    if pixels.shape[0] > MINIBATCH_PIXELS:
        drawn = np.random.default_rng(seed).integers(0, pixels.shape[0], size=MINIBATCH_PIXELS)
        pixels = pixels[np.sort(drawn)]
    points = pixels.astype(np.float32) if space == "rgb" else _to_space(pixels, space).astype(np.float32)
    model = MiniBatchKMeans(n_clusters=n_colors, random_state=seed, n_init=3, batch_size=4096)
    # The caller's limit may predate scikit-learn's import, and so its OpenMP runtime.
    with _THREADPOOLS.limit(limits=1, user_api="openmp"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(points)
    return model.cluster_centers_.astype(np.float64)


def _pillow_palette(image: np.ndarray, n_colors: int, method: str) -> np.ndarray:
    """Palette of Pillow's median-cut or fast-octree quantizer, as (k, 3) uint8."""
    pillow_method = Image.Quantize.MEDIANCUT if method == "median-cut" else Image.Quantize.FASTOCTREE
    indexed = Image.fromarray(image).quantize(colors=n_colors, method=pillow_method, dither=Image.Dither.NONE)
    used = np.unique(np.asarray(indexed))
    flat = np.asarray(indexed.getpalette()[: 3 * (int(used.max()) + 1)], dtype=np.uint8)
    return flat.reshape(-1, 3)[used]


_GATHER_CHUNK = 1 << 18
"""Indices gathered at once: ``np.take`` first copies its indices to a 64-bit array, which
for a whole 12 MP image would be 96 MB of fresh memory; a chunk's copy is 2 MB and stays
in cache."""


def _gather(table: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """``table[indices]`` for a 1-D table, on every core (indices must be in range)."""
    flat = indices.reshape(-1)
    result = np.empty(flat.shape[0], dtype=table.dtype)

    def gather_in(start: int, stop: int) -> None:
        for chunk in range(start, stop, _GATHER_CHUNK):
            end = min(chunk + _GATHER_CHUNK, stop)
            np.take(table, flat[chunk:end], out=result[chunk:end], mode="clip")

    for_each_block(gather_in, flat.shape[0])
    return result.reshape(indices.shape)


def _reconstruct(palette: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """``palette[labels]`` as a contiguous (H, W, 3) uint8 image.

    Each palette row is taken as one 3-byte item, so every pixel is written in a single
    copy: twice as fast as ``palette[labels]`` or a gather per channel.
    """
    rows = np.ascontiguousarray(palette, dtype=np.uint8).view(np.dtype("V3")).reshape(-1)
    return _gather(rows, labels).view(np.uint8).reshape(labels.shape + (3,))


_ERROR_ROWS = 1 << 16
"""Colours whose error :func:`_squared_error` computes at once (small temporaries)."""


def _squared_error(colors: np.ndarray, weights: np.ndarray, mapped: np.ndarray) -> float:
    """Sum over colours of ``weights * |colors - mapped|^2`` (RGB, exact), on every core."""
    block_sums: dict[int, float] = {}

    def sum_in(start: int, stop: int) -> None:
        total = 0.0
        for chunk in range(start, stop, _ERROR_ROWS):
            end = min(chunk + _ERROR_ROWS, stop)
            diff = colors[chunk:end].astype(np.int32) - mapped[chunk:end]
            total += float(weights[chunk:end] @ np.einsum("ij,ij->i", diff, diff))
        block_sums[start] = total

    for_each_block(sum_in, colors.shape[0])
    return sum(block_sums[start] for start in sorted(block_sums))
