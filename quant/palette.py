"""Palettes: reduce an image to at most k colours and rebuild it from them.

The default method is k-means on the image's colour *histogram* rather than on its
pixels, the way fast quantizers work: a 12-megapixel photo has millions of pixels but
far fewer distinct colours, and fewer still once near-identical colours share a bin.

1. Pack every pixel into a 24-bit code and count the distinct colours
   (:mod:`quant.colors`).
2. Group the distinct colours into bins of 2**(3*bits) cells, each bin represented
   by the weighted mean of its colours and weighted by its pixel count.
3. Fit scikit-learn's ``KMeans`` (k-means++ seeding, Lloyd iterations) on the bins
   with ``sample_weight``; k-means on these weighted means minimises the same
   squared error as on the pixels, up to the spread inside each bin.
4. Refine with exact Lloyd steps on the distinct colours, round the centres to
   8 bits, map each distinct colour to its nearest palette entry once, and gather
   every pixel through that lookup table.

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

import threading
import time
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image
from skimage import color as skcolor
from sklearn.cluster import KMeans, MiniBatchKMeans
from threadpoolctl import ThreadpoolController

from quant.colors import ColorHistogram, N_CODES, analyse
from quant.errors import ImageError
from quant.loading import check_image
from quant.metrics import mean_squared_error

__all__ = [
    "MAX_COLORS",
    "METHODS",
    "SPACES",
    "Quantized",
    "assign_colors",
    "quantize",
]

METHODS = ("kmeans", "minibatch", "median-cut", "octree", "random")
"""Palette methods accepted by :func:`quantize`."""

SPACES = ("rgb", "lab")
"""Colour spaces in which distances are measured."""

MAX_COLORS = 256
"""Largest palette: what an indexed (mode P) PNG can hold."""

_BIN_TARGET = 40_000
"""Largest number of weighted bins k-means is fitted on before exact refinement."""

_REFINE_STEPS = 1
"""Exact Lloyd steps on the distinct colours after the fit on bins."""

_MAX_N_INIT = 4
"""Most k-means++ seedings tried on the bins; the one with the lowest weighted error is kept.

Small palettes gain from several tries (about 3% lower error at k = 16), large ones
hardly (0.3% at k = 256 for four times the work), so the count shrinks as k grows:
``min(4, max(1, 128 // k))``."""

_CHUNK_ELEMENTS = 1 << 18
"""Distance-matrix elements computed at once when assigning colours: 1 MB of float32,
small enough to stay in cache, which makes the assignment several times faster."""


_THREADPOOLS = ThreadpoolController()
"""Native thread pools (BLAS, OpenMP); inspected once, because inspecting costs milliseconds.

Every public function here runs with these pools limited to one thread. The products
are thin (inner dimension 3) and the k-means fits small, so waking threads costs more
than the arithmetic: 8 times more for the assignment on an idle machine, and far worse
when other sessions keep the cores busy and OpenMP threads wait for each other.
"""


@dataclass(frozen=True, eq=False)
class Quantized:
    """An image reduced to a palette, and its reconstruction.

    Attributes
    ----------
    palette : (k, 3) uint8 array
        The colours, without duplicates, ordered by pixel share, largest first.
        ``k <= n_colors``.
    labels : (H, W) uint8 array (uint16 never needed: k <= 256)
        Index into ``palette`` of each pixel.
    image : (H, W, 3) uint8 array
        The reconstruction, equal to ``palette[labels]``.
    counts : (k,) int64 array
        Pixels per palette entry, decreasing.
    mse : float
        Mean squared error against the original over pixels and channels (0–255 scale).
    method, space : str
        How the palette was made and in which colour space distances were measured.
    n_colors : int
        The palette size that was asked for.
    dither : bool
        Whether Floyd–Steinberg error diffusion was used when mapping.
    seed : int
        Seed of the random parts (k-means++ seeding, the random palette).
    seconds : float
        Wall-clock time of the call.
    """

    palette: np.ndarray
    labels: np.ndarray
    image: np.ndarray
    counts: np.ndarray
    mse: float
    method: str
    space: str
    n_colors: int
    dither: bool
    seed: int
    seconds: float

    @property
    def k(self) -> int:
        """Number of colours actually used."""
        return int(self.palette.shape[0])


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


def _to_space(colors: np.ndarray, space: str) -> np.ndarray:
    """(n, 3) uint8 or float RGB (0–255) to float coordinates in ``space``."""
    if space == "rgb":
        return np.asarray(colors, dtype=np.float64)
    rgb = np.asarray(colors, dtype=np.float64).reshape(-1, 1, 3) / 255.0
    return skcolor.rgb2lab(rgb).reshape(-1, 3)


def _to_rgb8(points: np.ndarray, space: str) -> np.ndarray:
    """Float coordinates in ``space`` to the nearest (n, 3) uint8 RGB colours."""
    if space == "lab":
        with warnings.catch_warnings():
            # Centres outside the sRGB gamut are clipped below; the warning says nothing more.
            warnings.simplefilter("ignore")
            points = skcolor.lab2rgb(points.reshape(-1, 1, 3)).reshape(-1, 3) * 255.0
    return np.clip(np.rint(points), 0, 255).astype(np.uint8)


def _nearest(points: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Index of the nearest centre of each point (squared Euclidean distance).

    Works in float32 chunks: for 8-bit RGB every term is an integer below 2**24, so
    the distances, and the choice of nearest, are exact.
    """
    points32 = np.asarray(points, dtype=np.float32)
    centres32 = np.asarray(centres, dtype=np.float32)
    centre_norms = np.einsum("ij,ij->i", centres32, centres32)
    minus_twice_centres = -2.0 * centres32.T
    labels = np.empty(points32.shape[0], dtype=np.intp)
    step = max(1, _CHUNK_ELEMENTS // centres32.shape[0])
    for start in range(0, points32.shape[0], step):
        # |x - c|^2 = |x|^2 - 2 x.c + |c|^2, and |x|^2 does not change the argmin.
        distances = points32[start : start + step] @ minus_twice_centres
        distances += centre_norms
        labels[start : start + step] = np.argmin(distances, axis=1)
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


_derived: dict[str, object] = {}
"""What :func:`_binned` and :func:`_histogram_points` made of the histogram in
``_derived_of``. The memo of :func:`quant.colors.analyse` hands the same (read-only)
histogram object to every call on one image, so several palettes of one picture bin
its colours and convert them to Lab once."""
_derived_of: list[ColorHistogram] = []
_derived_lock = threading.Lock()


def _remembered(histogram: ColorHistogram, what: str, make):
    """``make()``, remembered for the histogram of the last image (one image at a time)."""
    with _derived_lock:
        if _derived_of and _derived_of[0] is histogram and what in _derived:
            return _derived[what]
    value = make()
    with _derived_lock:
        if not (_derived_of and _derived_of[0] is histogram):
            _derived.clear()
            _derived_of[:] = [histogram]
        _derived[what] = value
    return value


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


def _binned(histogram: ColorHistogram) -> tuple[np.ndarray, np.ndarray]:
    """Weighted-mean colours and pixel counts of histogram bins (remembered; see :func:`_bin`)."""
    return _remembered(histogram, "bins", lambda: _bin(histogram))


def _bin(histogram: ColorHistogram) -> tuple[np.ndarray, np.ndarray]:
    """Weighted-mean colours and pixel counts of histogram bins, at most about _BIN_TARGET.

    Returns the distinct colours themselves when there are few enough.
    """
    if len(histogram) <= _BIN_TARGET:
        return histogram.colors.astype(np.float64), histogram.counts.astype(np.float64)
    for bits in (6, 5, 4):
        shift = 8 - bits
        cells = (histogram.colors >> shift).astype(np.intp)
        keys = (cells[:, 0] << (2 * bits)) | (cells[:, 1] << bits) | cells[:, 2]
        weights = np.bincount(keys, weights=histogram.counts, minlength=1 << (3 * bits))
        occupied = np.flatnonzero(weights)
        if occupied.shape[0] <= _BIN_TARGET:
            break
    sums = np.stack(
        [
            np.bincount(keys, weights=histogram.counts * histogram.colors[:, c], minlength=weights.shape[0])[occupied]
            for c in range(3)
        ],
        axis=1,
    )
    weights = weights[occupied]
    return sums / weights[:, None], weights


def _weighted_means(points: np.ndarray, weights: np.ndarray, labels: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    totals = np.bincount(labels, weights=weights, minlength=k)
    sums = np.stack([np.bincount(labels, weights=weights * points[:, c], minlength=k) for c in range(3)], axis=1)
    used = totals > 0
    return sums[used] / totals[used, None], totals[used]


def _kmeans_centres(histogram: ColorHistogram, n_colors: int, space: str, seed: int) -> np.ndarray:
    """k-means centres (in ``space``) of the colour histogram, refined on the exact colours."""
    bin_colors, bin_weights = _binned(histogram)
    bin_points = _to_space(bin_colors, space)
    model = KMeans(n_clusters=n_colors, init="k-means++", n_init=min(_MAX_N_INIT, max(1, 128 // n_colors)), random_state=seed, max_iter=300, tol=1e-6)
    with warnings.catch_warnings():
        # Fewer distinct bins than clusters only happens with duplicate points; handled below.
        warnings.simplefilter("ignore")
        model.fit(bin_points, sample_weight=bin_weights)
    centres = model.cluster_centers_
    if bin_colors.shape[0] == len(histogram):
        return centres
    points = _histogram_points(histogram, space)
    weights = _histogram_weights(histogram)
    for _ in range(_REFINE_STEPS):
        labels = _nearest(points, centres)
        centres, _ = _weighted_means(points, weights, labels, centres.shape[0])
    return centres


def _minibatch_centres(image: np.ndarray, n_colors: int, space: str, seed: int) -> np.ndarray:
    """The notebook's method: ``MiniBatchKMeans`` fitted on every pixel."""
    pixels = image.reshape(-1, 3)
    points = pixels.astype(np.float32) if space == "rgb" else _to_space(pixels, space).astype(np.float32)
    model = MiniBatchKMeans(n_clusters=n_colors, random_state=seed, n_init=3, batch_size=4096)
    with warnings.catch_warnings():
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


def _dithered_labels(image: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """Floyd–Steinberg mapping of every pixel to ``palette``, done by Pillow in C."""
    k = palette.shape[0]
    # Pad to 256 entries with copies of the first colour so that no unused (black)
    # slot of Pillow's palette can be chosen; indices past k then mean entry 0.
    padded = np.concatenate([palette, np.repeat(palette[:1], MAX_COLORS - k, axis=0)])
    palette_image = Image.new("P", (1, 1))
    palette_image.putpalette(padded.ravel().tolist())
    indexed = Image.fromarray(image).quantize(palette=palette_image, dither=Image.Dither.FLOYDSTEINBERG)
    labels = np.asarray(indexed).astype(np.intp)
    labels[labels >= k] = 0
    return labels


def _gather(palette: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """``palette[labels]`` as a contiguous (H, W, 3) uint8 image.

    Each palette row is taken as one 3-byte item, so every pixel is written in a single
    copy: twice as fast as ``palette[labels]`` or a gather per channel.
    """
    rows = np.ascontiguousarray(palette, dtype=np.uint8).view(np.dtype("V3")).reshape(-1)
    return np.take(rows, labels).view(np.uint8).reshape(labels.shape + (3,))


_ERROR_ROWS = 1 << 16
"""Colours whose error :func:`_squared_error` computes at once (small temporaries)."""


def _squared_error(colors: np.ndarray, weights: np.ndarray, mapped: np.ndarray) -> float:
    """Sum over colours of ``weights * |colors - mapped|^2`` (RGB, exact), in blocks."""
    total = 0.0
    for start in range(0, colors.shape[0], _ERROR_ROWS):
        stop = start + _ERROR_ROWS
        diff = colors[start:stop].astype(np.int32) - mapped[start:stop]
        total += float(weights[start:stop] @ np.einsum("ij,ij->i", diff, diff))
    return total


def quantize(
    image: np.ndarray,
    n_colors: int,
    *,
    method: str = "kmeans",
    space: str = "rgb",
    dither: bool = False,
    seed: int = 0,
) -> Quantized:
    """Reduce an image to a palette of at most ``n_colors`` colours.

    Parameters
    ----------
    image : (H, W, 3) uint8 array
        An RGB image, as :func:`quant.load_image` returns.
    n_colors : int
        Largest palette size, 1 to 256.
    method : {"kmeans", "minibatch", "median-cut", "octree", "random"}, default "kmeans"
        ``"kmeans"`` minimises the squared error over all pixels, fitted on the colour
        histogram; ``"minibatch"`` is ``MiniBatchKMeans`` on every pixel;
        ``"median-cut"`` and ``"octree"`` are Pillow's quantizers; ``"random"`` draws
        ``n_colors`` colours uniformly from the RGB cube.
    space : {"rgb", "lab"}, default "rgb"
        Where distances are measured, for clustering and for mapping pixels to the
        palette. ``"lab"`` uses CIELAB; the palette is returned in RGB either way.
    dither : bool, default False
        Map pixels with Floyd–Steinberg error diffusion (in RGB) instead of to the
        nearest colour.
    seed : int, default 0
        Seed of the random parts; the same seed gives the same result.

    Returns
    -------
    Quantized
        Palette, labels, reconstruction, counts and error.

    Raises
    ------
    ImageError
        If ``n_colors``, ``method`` or ``space`` is not one of the accepted values.
    ValueError
        If ``image`` is not an (H, W, 3) uint8 array.

    Notes
    -----
    An image with at most ``n_colors`` distinct colours gets exactly its own colours
    (zero error) from every method but ``"random"``, whose point is to ignore them.

    Examples
    --------
    >>> import numpy as np
    >>> image = np.zeros((2, 2, 3), dtype=np.uint8); image[0, 0] = 255
    >>> result = quantize(image, 16)
    >>> result.palette.tolist(), result.mse
    ([[0, 0, 0], [255, 255, 255]], 0.0)
    """
    with _THREADPOOLS.limit(limits=1):
        return _quantize(image, n_colors, method=method, space=space, dither=dither, seed=seed)


def _quantize(image: np.ndarray, n_colors: int, *, method: str, space: str, dither: bool, seed: int) -> Quantized:
    """:func:`quantize` with the native thread pools already limited."""
    started = time.perf_counter()
    image = check_image(image)
    n_colors = _check_n_colors(n_colors)
    _check_choice(method, "method", METHODS)
    _check_choice(space, "space", SPACES)
    seed = int(seed)

    codes, histogram = analyse(image)

    if method != "random" and len(histogram) <= n_colors:
        palette = histogram.colors
    elif method == "kmeans":
        palette = _to_rgb8(_kmeans_centres(histogram, n_colors, space, seed), space)
    elif method == "minibatch":
        palette = _to_rgb8(_minibatch_centres(image, n_colors, space, seed), space)
    elif method == "random":
        palette = np.random.default_rng(seed).integers(0, 256, size=(n_colors, 3), dtype=np.uint8)
    else:
        palette = _pillow_palette(image, n_colors, method)
    palette = np.unique(palette, axis=0)

    if dither and len(histogram) > palette.shape[0]:
        pixel_labels = _dithered_labels(image, palette).ravel()
        counts = np.bincount(pixel_labels, minlength=palette.shape[0])
    else:
        pixel_labels = None
        color_labels = _nearest(_histogram_points(histogram, space), _to_space(palette, space))
        counts = np.bincount(color_labels, weights=histogram.counts, minlength=palette.shape[0])

    # Largest share first; entries no pixel chose are dropped.
    order = np.argsort(-counts, kind="stable")
    order = order[counts[order] > 0]
    rank = np.zeros(palette.shape[0], dtype=np.uint8)
    rank[order] = np.arange(order.shape[0], dtype=np.uint8)
    palette = np.ascontiguousarray(palette[order])
    counts = counts[order].astype(np.int64)

    if pixel_labels is None:
        lookup = np.empty(N_CODES, dtype=np.uint8)
        lookup[histogram.codes] = rank[color_labels]
        labels = lookup[codes].reshape(image.shape[:2])
    else:
        labels = rank[pixel_labels].reshape(image.shape[:2])
    reconstruction = _gather(palette, labels)

    if pixel_labels is None:
        squared = _squared_error(histogram.colors, _histogram_weights(histogram), palette[rank[color_labels]])
        mse = squared / (3 * codes.shape[0])
    else:
        mse = mean_squared_error(image, reconstruction)

    return Quantized(
        palette=palette,
        labels=labels,
        image=reconstruction,
        counts=counts,
        mse=mse,
        method=method,
        space=space,
        n_colors=n_colors,
        dither=bool(dither),
        seed=seed,
        seconds=time.perf_counter() - started,
    )

