"""From an image to its palette to the picture rebuilt from it: :func:`quantize`, and its
two halves, :func:`fit_palette` and :func:`apply_palette`.

:mod:`quant.palette` finds the colours (k-means on the colour histogram, or the other
methods) and maps colours to them; this module puts those steps together and returns
the results (:mod:`quant.results`): a :class:`PaletteFit` (the palette and where each
distinct colour goes, no per-pixel array) and a :class:`Quantized` (the full-size
labels and picture). Dithering (:mod:`quant.dither`, :mod:`quant.ordered`) happens here, when the palette
is applied.
"""

from __future__ import annotations

import time

import numpy as np
from numpy.typing import ArrayLike

from quant.colors import N_CODES, ColorHistogram, analyse, remembered
from quant.errors import ImageError
from quant.loading import check_image
from quant.palette import (
    _THREADPOOLS,
    _check_choice,
    _check_n_colors,
    _check_seed,
    _gather,
    _histogram_weights,
    _kmeans_centres,
    _minibatch_centres,
    _nearest_colors,
    _pillow_palette,
    _reconstruct,
    _squared_error,
    _to_rgb8,
    METHODS,
    SPACES,
)
from quant.pinned import check_fixed, fit_around, pinned_mask
from quant.results import ColorPairs, PaletteFit, Quantized

__all__ = ["DITHER_KINDS", "ColorPairs", "PaletteFit", "Quantized", "apply_palette", "fit_palette", "quantize"]


def _check_dither(dither: bool | float) -> float:
    """The dithering strength as a float from 0 to 1 (True is 1.0, False 0.0)."""
    if isinstance(dither, (bool, np.bool_)):
        return 1.0 if dither else 0.0
    if isinstance(dither, (int, float, np.integer, np.floating)) and 0.0 <= float(dither) <= 1.0:
        return float(dither)
    raise ImageError(f"dither must be True, False or a strength from 0 to 1, got {dither!r}.")


DITHER_KINDS = ("diffusion", "ordered")
"""How :func:`quantize` dithers: error diffusion (:mod:`quant.dither`) or an ordered
8 × 8 pattern (:mod:`quant.ordered`)."""


def _check_dither_kind(dither_kind: str) -> str:
    if dither_kind not in DITHER_KINDS:
        raise ImageError(f"dither_kind must be one of {', '.join(map(repr, DITHER_KINDS))}, got {dither_kind!r}.")
    return dither_kind


def _ordered_labels(codes: np.ndarray, histogram: ColorHistogram, fit: PaletteFit, strength: float, nearest: np.ndarray) -> np.ndarray:
    """Ordered dithering of every pixel onto ``fit.palette`` (:mod:`quant.ordered`), as
    (H, W) uint8: the mix is chosen once per distinct colour, the pattern per pixel."""
    from quant.ordered import mixes, ordered_labels

    partners, levels = mixes(histogram.colors, fit.palette, fit.color_labels, strength)
    table = np.empty(N_CODES, dtype=np.uint8)
    pixel_partners = _per_pixel(partners, histogram, codes, table).reshape(nearest.shape)
    pixel_levels = _per_pixel(levels, histogram, codes, table).reshape(nearest.shape)
    return ordered_labels(nearest, pixel_partners, pixel_levels)


def _per_pixel(per_color: np.ndarray, histogram: ColorHistogram, codes: np.ndarray, table: np.ndarray | None = None) -> np.ndarray:
    """Each pixel's value of ``per_color`` (one uint8 per distinct colour of
    ``histogram``), looked up by its packed code in a 2²⁴-entry table (``table``, if
    given, is reused)."""
    table = np.empty(N_CODES, dtype=np.uint8) if table is None else table
    table[histogram.codes] = per_color
    return _gather(table, codes)


def _dithered_labels(
    image: np.ndarray, palette: np.ndarray, strength: float, nearest: np.ndarray, mse: float, histogram: ColorHistogram
) -> np.ndarray:
    """Error diffusion of every pixel onto ``palette`` (:mod:`quant.dither`), as (H, W) uint8.

    ``nearest`` is each pixel's nearest entry and ``mse`` that mapping's error. The
    picture's contrast map is remembered with its ``histogram``: every palette of one
    picture dithers with the same one.
    """
    # Imported here: Numba costs about 60 MB and half a second to import, and only
    # dithering needs it.
    from quant.dither import contrast_map
    from quant.dither import dither as error_diffusion

    def make() -> np.ndarray:
        made = contrast_map(image)
        made.flags.writeable = False
        return made

    contrast = remembered(histogram, "contrast-map", make)
    return error_diffusion(image, palette, strength=strength, nearest_labels=nearest, mse=mse, contrast=contrast)


def quantize(
    image: np.ndarray,
    n_colors: int,
    *,
    method: str = "kmeans",
    space: str = "rgb",
    dither: bool | float = False,
    seed: int = 0,
    dither_kind: str = "diffusion",
    fixed: ArrayLike | None = None,
) -> Quantized:
    """Reduce an image to a palette of at most ``n_colors`` colours.

    Parameters
    ----------
    image : (H, W, 3) or (H, W, 4) uint8 array
        An RGB image, as :func:`quant.load_image` returns, or an RGBA one (straight
        alpha, as ``load_image(..., keep_alpha=True)`` returns for an image with
        transparency). An RGBA image gets a palette whose entries have an alpha
        (``Quantized.alpha``), one fully transparent entry for every pixel of alpha 0,
        its opaque pixels fitted by ``method`` as an RGB image would be, and an
        (H, W, 4) reconstruction; its ``mse`` is over premultiplied RGBA. Dithering
        then touches only its opaque pixels; pins are opaque entries. How, and what
        ``n_colors`` is too small for: :mod:`quant.alpha`.
    n_colors : int
        Largest palette size, 1 to 256.
    method : {"kmeans", "minibatch", "median-cut", "octree", "random"}, default "kmeans"
        ``"kmeans"`` minimises the squared error over all pixels, fitted on the colour
        histogram; ``"minibatch"`` is ``MiniBatchKMeans`` on every pixel (at most
        300,000, drawn at random from a larger image);
        ``"median-cut"`` and ``"octree"`` are Pillow's quantizers; ``"random"`` draws
        ``n_colors`` colours uniformly from the RGB cube.
    space : {"rgb", "lab"}, default "rgb"
        Where distances are measured, for clustering and for mapping pixels to the
        palette. ``"lab"`` uses CIELAB; the palette is returned in RGB either way.
    dither : bool or float, default False
        Map pixels by error diffusion (:mod:`quant.dither`: serpentine Sierra-3 with
        damped, clamped error, less of it at edges and in noise, and an exact
        nearest-entry search for every pixel) instead of to the nearest colour.
        ``True`` is full strength (1.0); a float from 0 to 1 sets the strength;
        ``False`` or 0 is the plain nearest-colour mapping. Diffusion works in RGB,
        the space of the MSE it keeps low, whatever ``space`` is.
    seed : int, default 0
        Seed of the random parts, 0 to :data:`MAX_SEED`; the same seed gives the
        same result.
    dither_kind : {"diffusion", "ordered"}, default "diffusion"
        With ``dither``: error diffusion, or an ordered 8 × 8 Bayer pattern that mixes
        each colour's nearest entry with one partner in a fixed proportion
        (:mod:`quant.ordered`): a higher error than diffusion, but a calm, regular
        texture that some prefer for flat artwork and gradients. The mix is computed
        in RGB; with ``space="lab"`` the nearest entry is the Lab one.
    fixed : (m, 3) array-like of int, optional
        Pins: colours that must be in the palette exactly as given, 1 to ``n_colors``
        of them, as an (m, 3) array or a list of (r, g, b) triples (0–255); equal
        pins count once, and None or an empty list means none. The other
        ``n_colors - m`` entries are fitted around them (see Notes). Pins no pixel
        is nearest to are kept, with count 0, at the end of the palette;
        ``Quantized.pinned`` marks them.

    Returns
    -------
    Quantized
        Palette, labels, reconstruction, counts and error.

    Raises
    ------
    ImageError
        If ``n_colors``, ``method``, ``space``, ``dither``, ``dither_kind``, ``seed``
        or ``fixed`` is not one of the accepted values, or there are more pins than
        ``n_colors``.
    ValueError
        If ``image`` is not an (H, W, 3) or (H, W, 4) uint8 array.

    Notes
    -----
    A dithered result records the distinct (original colour, entry) pairs it made
    (``pairs``), so :func:`quant.metrics` measures it exactly per pair.

    An image with at most ``n_colors`` distinct colours gets exactly its own colours
    (zero error) from every method but ``"random"``, whose point is to ignore them.

    With pins (``fixed``), by method (:func:`quant.pinned.fit_around`):

    * ``"kmeans"``: pinned k-means. The pins take part in every assignment and never
      move; k-means++ seeding starts from them as centres already chosen. Pins in
      ``space="lab"`` are converted to Lab for the fit and returned as given.
    * ``"minibatch"``, ``"median-cut"``, ``"octree"``: the method's palette of
      ``n_colors - m`` colours, plus the pins (no pinned refinement: each method
      stays itself, to compare against).
    * ``"random"``: the same draw as without pins (the colours no pixel takes
      dropped), each pin replacing the drawn colour nearest it.

    Whatever the method, the error (in ``space``) is never above that of the
    *overwrite palette*: the palette fitted without pins, its entries nearest the
    pins replaced by them, every pixel mapped to its nearest entry; that palette is
    returned when it is the better. An image whose distinct colours and pins number
    at most ``n_colors`` together gets exactly those (zero error), but with
    ``"random"``; one with more is fitted as above (pins first, then the colours
    that fit best), every pixel mapped to its nearest entry.

    Examples
    --------
    >>> import numpy as np
    >>> image = np.zeros((2, 2, 3), dtype=np.uint8); image[0, 0] = 255
    >>> result = quantize(image, 16)
    >>> result.palette.tolist(), result.mse
    ([[0, 0, 0], [255, 255, 255]], 0.0)
    """
    with _THREADPOOLS.limit(limits=1):
        return _quantize(
            image, n_colors, method=method, space=space, dither=dither, seed=seed, dither_kind=dither_kind, fixed=fixed
        )


def _quantize(
    image: np.ndarray,
    n_colors: int,
    *,
    method: str,
    space: str,
    dither: bool | float,
    seed: int,
    dither_kind: str,
    fixed: ArrayLike | None,
) -> Quantized:
    """:func:`quantize` with the native thread pools already limited."""
    started = time.perf_counter()
    image = check_image(image, alpha=True)
    strength = _check_dither(dither)
    _check_dither_kind(dither_kind)
    if image.shape[2] == 4:
        from quant.alpha import apply_rgba, fit_rgba

        parts, fit = fit_rgba(image, n_colors, method=method, space=space, seed=seed, fixed=fixed)
        return apply_rgba(image, fit, dither=strength, dither_kind=dither_kind, started=started, parts=parts)
    codes, fit = _fit_palette(image, n_colors, method=method, space=space, seed=seed, fixed=fixed)
    return _apply_palette(image, codes, fit, dither=dither, dither_kind=dither_kind, started=started)

def fit_palette(
    image: np.ndarray,
    n_colors: int,
    *,
    method: str = "kmeans",
    space: str = "rgb",
    seed: int = 0,
    fixed: ArrayLike | None = None,
) -> PaletteFit:
    """The palette :func:`quantize` would choose, and its exact error, without rebuilding the image.

    Everything is computed on the image's colour histogram (``"kmeans"``,
    ``"random"``) or its pixels (the other methods), but no per-pixel array is kept
    or made: on a 12-megapixel photo this is the palette's cost without the
    reconstruction's. :func:`apply_palette` makes the full-size result later, and
    :func:`quant.metrics` measures a fit exactly, per distinct colour.

    Parameters
    ----------
    image : (H, W, 3) or (H, W, 4) uint8 array
        An RGB or RGBA image (as in :func:`quantize`).
    n_colors : int
        Largest palette size, 1 to 256.
    method, space, seed, fixed
        As in :func:`quantize`.

    Returns
    -------
    PaletteFit
        Palette, counts, per-colour mapping and error of the nearest-colour mapping.

    Raises
    ------
    ImageError
        If ``n_colors``, ``method``, ``space``, ``seed`` or ``fixed`` is not one of the
        accepted values.
    ValueError
        If ``image`` is not an (H, W, 3) or (H, W, 4) uint8 array.

    Examples
    --------
    >>> import numpy as np
    >>> image = np.zeros((2, 2, 3), dtype=np.uint8); image[0, 0] = 255
    >>> fit = fit_palette(image, 16)
    >>> fit.palette.tolist(), fit.counts.tolist(), fit.mse
    ([[0, 0, 0], [255, 255, 255]], [3, 1], 0.0)
    """
    with _THREADPOOLS.limit(limits=1):
        image = check_image(image, alpha=True)
        if image.shape[2] == 4:
            from quant.alpha import fit_rgba

            return fit_rgba(image, n_colors, method=method, space=space, seed=seed, fixed=fixed)[1]
        _, fit = _fit_palette(image, n_colors, method=method, space=space, seed=seed, fixed=fixed)
        return fit


def apply_palette(
    image: np.ndarray, fit: PaletteFit, *, dither: bool | float = False, dither_kind: str = "diffusion"
) -> Quantized:
    """Rebuild ``image`` at full size from a palette :func:`fit_palette` fitted to it.

    ``quantize(image, k, ...)`` is ``apply_palette(image, fit_palette(image, k, ...))``:
    the same palette, labels and error, bit for bit.

    Parameters
    ----------
    image : (H, W, 3) or (H, W, 4) uint8 array
        The image ``fit`` was made from.
    fit : PaletteFit
        Its palette.
    dither : bool or float, default False
        Map with dithering at this strength (as in :func:`quantize`) instead of to the
        nearest colour. The palette is then re-ordered by the dithered pixel counts.
    dither_kind : {"diffusion", "ordered"}, default "diffusion"
        Error diffusion or the ordered pattern (as in :func:`quantize`).

    Returns
    -------
    Quantized
        Full-size labels and reconstruction.

    Raises
    ------
    ImageError
        If ``dither`` is not True, False or a strength from 0 to 1, or ``dither_kind``
        is not one of :data:`DITHER_KINDS`.
    ValueError
        If ``image`` is not an (H, W, 3) or (H, W, 4) uint8 array or has a colour, or a size, that
        the image ``fit`` was made from does not have.
    """
    with _THREADPOOLS.limit(limits=1):
        started = time.perf_counter()
        image = check_image(image, alpha=True)
        if image.shape[2] == 4 or fit.transparency is not None:
            from quant.alpha import apply_rgba

            if image.shape[2] == 3:
                raise ValueError("the palette was fitted to an image with an alpha channel, but image has none.")
            strength = _check_dither(dither)
            return apply_rgba(image, fit, dither=strength, dither_kind=_check_dither_kind(dither_kind), started=started - fit.seconds)
        if image.shape[:2] != fit.shape:
            raise ValueError(f"image is {image.shape[1]} x {image.shape[0]}, but the palette was fitted to a {fit.shape[1]} x {fit.shape[0]} image.")
        codes, histogram = analyse(image)
        if histogram is not fit.source and not (
            np.array_equal(histogram.codes, fit.source.codes) and np.array_equal(histogram.counts, fit.source.counts)
        ):
            raise ValueError("image is not the image the palette was fitted to: their colours differ.")
        return _apply_palette(image, codes, fit, dither=dither, dither_kind=dither_kind, started=started - fit.seconds)


def _fit_palette(
    image: np.ndarray, n_colors: int, *, method: str, space: str, seed: int, fixed: ArrayLike | None = None
) -> tuple[np.ndarray, PaletteFit]:
    """The packed codes of ``image`` and :func:`fit_palette`'s result; thread pools limited, image checked."""
    started = time.perf_counter()
    n_colors = _check_n_colors(n_colors)
    _check_choice(method, "method", METHODS)
    _check_choice(space, "space", SPACES)
    seed = _check_seed(seed)
    pins = check_fixed(fixed, n_colors)

    codes, histogram = analyse(image)

    if pins is None:
        palette = _method_palette(image, histogram, n_colors, method, space, seed)
        color_labels = _nearest_colors(histogram, palette, space)
    else:
        palette, color_labels = fit_around(
            histogram,
            n_colors,
            pins,
            lambda size: _method_palette(image, histogram, size, method, space, seed),
            method=method,
            space=space,
            seed=seed,
        )
    fit = _fit_of(
        histogram,
        palette,
        color_labels,
        pinned_mask(palette, pins),
        shape=image.shape[:2],
        method=method,
        space=space,
        n_colors=n_colors,
        seed=seed,
        started=started,
    )
    return codes, fit


def _fit_of(
    histogram: ColorHistogram,
    palette: np.ndarray,
    color_labels: np.ndarray,
    pinned: np.ndarray,
    *,
    shape: tuple[int, int],
    method: str,
    space: str,
    n_colors: int,
    seed: int,
    started: float,
) -> PaletteFit:
    """The :class:`PaletteFit` of distinct colours mapped to a palette (``color_labels``),
    the palette ordered by share, unused entries dropped but for the ``pinned`` ones."""
    counts = np.bincount(color_labels, weights=_histogram_weights(histogram), minlength=palette.shape[0])
    palette, counts, rank, order = _by_share(palette, counts, pinned | (method == MAPPED))
    pinned = pinned[order]
    color_ranks = rank[color_labels]
    squared = _squared_error(histogram.colors, _histogram_weights(histogram), _reconstruct(palette, color_ranks))
    for array in (palette, counts, pinned, color_ranks):
        array.flags.writeable = False
    return PaletteFit(
        palette=palette,
        counts=counts,
        color_labels=color_ranks,
        source=histogram,
        mse=squared / (3 * shape[0] * shape[1]),
        method=method,
        space=space,
        n_colors=n_colors,
        seed=seed,
        seconds=time.perf_counter() - started,
        shape=shape,
        pinned=pinned,
    )


def _method_palette(image: np.ndarray, histogram: ColorHistogram, n_colors: int, method: str, space: str, seed: int) -> np.ndarray:
    """The distinct colours (at most ``n_colors``, (k, 3) uint8, sorted) that ``method``
    chooses for ``image``, whose histogram is given; prior validation is assumed.

    An image with at most ``n_colors`` distinct colours gets exactly its own, from every
    method but ``"random"``.
    """
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
    return np.unique(palette, axis=0)


MAPPED = "palette"
"""The ``method`` of a palette given by the caller (:func:`quant.map_fit`), not fitted:
every entry of it is kept, used or not."""


def _kept(fit: PaletteFit) -> np.ndarray:
    """(k,) bool: the entries of ``fit`` kept even when no pixel takes them."""
    return fit.pinned | (fit.method == MAPPED)


def _by_share(
    palette: np.ndarray, counts: np.ndarray, keep: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Palette and counts largest share first, entries no pixel chose dropped unless
    ``keep`` marks them (those go last, in their order), the rank (new index, uint8)
    of every old entry, and the old index of every new one."""
    order = np.argsort(-counts, kind="stable")
    order = order[(counts[order] > 0) | keep[order]]
    rank = np.zeros(palette.shape[0], dtype=np.uint8)
    rank[order] = np.arange(order.shape[0], dtype=np.uint8)
    return np.ascontiguousarray(palette[order]), counts[order].astype(np.int64), rank, order


def _apply_palette(
    image: np.ndarray, codes: np.ndarray, fit: PaletteFit, *, dither: bool | float, dither_kind: str, started: float
) -> Quantized:
    """The full-size :class:`Quantized` of a fit; ``codes`` are the image's packed pixels."""
    strength = _check_dither(dither)
    dither_kind = _check_dither_kind(dither_kind)
    histogram = fit.source
    labels = _per_pixel(fit.color_labels, histogram, codes).reshape(image.shape[:2])
    pairs = None
    if strength > 0 and fit.mse > 0:
        # Every colour an entry of the palette: nothing to diffuse.
        from quant.pairs import color_pairs

        if dither_kind == "ordered":
            pixel_labels = _ordered_labels(codes, histogram, fit, strength, labels)
        else:
            pixel_labels = _dithered_labels(image, fit.palette, strength, labels, fit.mse, histogram)
        pair_colors, pair_labels, pair_counts = color_pairs(codes, histogram.codes, histogram.counts, pixel_labels, fit.k)
        counts = np.bincount(pair_labels, weights=pair_counts, minlength=fit.k)
        palette, counts, rank, order = _by_share(fit.palette, counts, _kept(fit))
        pinned = fit.pinned[order]
        labels = _gather(rank, pixel_labels)
        pairs = ColorPairs(colors=pair_colors, labels=rank[pair_labels], counts=pair_counts)
        for array in (*vars(pairs).values(), palette, counts, pinned):
            array.flags.writeable = False
        squared = _squared_error(histogram.colors[pair_colors], pair_counts.astype(np.float64), palette[pairs.labels])
        mse = squared / (3 * codes.shape[0])
        color_labels = None
    else:
        palette, counts, color_labels, pinned = fit.palette, fit.counts, fit.color_labels, fit.pinned
        mse = fit.mse
    reconstruction = _reconstruct(palette, labels)

    return Quantized(
        palette=palette,
        labels=labels,
        image=reconstruction,
        counts=counts,
        mse=mse,
        method=fit.method,
        space=fit.space,
        n_colors=fit.n_colors,
        dither=strength,
        dither_kind=dither_kind if strength > 0 else "diffusion",
        seed=fit.seed,
        seconds=time.perf_counter() - started,
        source=histogram,
        color_labels=color_labels,
        pairs=pairs,
        pinned=pinned,
    )
