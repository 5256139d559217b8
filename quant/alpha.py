"""Transparency kept end to end: an RGBA image reduced to a palette whose entries have an alpha.

:func:`quant.quantize`, :func:`quant.fit_palette`, :func:`quant.apply_palette`,
:func:`quant.map_fit` and :func:`quant.map_to_palette` hand an (H, W, 4) image here.
The error measured is libimagequant's: the squared difference of the premultiplied
channels R·a, G·a, B·a (a = alpha / 255) and of A, so the colour under a fully
transparent pixel costs nothing and that of a half-transparent one half as much.

The design keeps the exact RGB engine for the bulk of the pixels. They are split by
alpha into three classes:

* **transparent** (alpha 0): all of them take ONE entry, alpha 0 and colour (0, 0, 0),
  whatever colour lies under them. It costs one palette entry and no error.
* **opaque** (alpha 255): usually most of the picture. Their RGB colours go to the
  engine unchanged (the histogram k-means, or whichever method was asked for, pins
  included), which gives the opaque entries (alpha 255); an opaque pixel only ever
  takes an opaque entry, so it can never turn transparent.
* **partly transparent** (alpha 1 to 254): usually a thin anti-aliased edge or a soft
  shadow. Their distinct RGBA colours, weighted by pixel count, are clustered by
  k-means in premultiplied RGBA (4-D; past 65,536 of them, seeded on a 32-level grid
  of that space and finished on a 64-level one, as the engine does for RGB) into entries with their own alpha. Each of these pixels
  then takes the entry nearest it in premultiplied RGBA among ALL entries, opaque and
  transparent ones included (an edge pixel of alpha 250 may well be served best by an
  opaque entry).

The palette's share: the transparent entry if there is any transparent pixel, at least
one opaque entry if there is any opaque pixel (and every pin: pins are RGB, hence
opaque), and the rest divided between the opaque and the partly transparent pixels by
one coarse k-means over both in premultiplied RGBA (the opaque colours on the engine's
32-level grid, the partly transparent ones on a 32-level grid of premultiplied RGBA):
as many entries go to the partly transparent pixels as there are centres serving more
of their weight than of the opaque pixels', at least one when there is room, and those
centres start their own k-means. The total error decides, not the pixel counts: a flat
logo needs few opaque entries and many for its edges, a photo the other way round. A
class with fewer distinct colours than its share gives the rest to the other, so an
image with at most ``n_colors`` distinct RGBA colours (all transparent pixels counting
as one) keeps them exactly. With the ``"random"`` method the partly transparent entries
are drawn at random as well (colour uniform, alpha 1 to 254); with every other method
they come from the k-means above. Too few colours for the classes present (a
transparent and an opaque pixel, or the pins, need their entries) is an
:class:`~quant.errors.ImageError` saying how many are needed.

Dithering works on the opaque pixels only, among the opaque entries: the picture is
dithered as an RGB image whose pixels that are not opaque are filled with an opaque
entry (which they match exactly, so they send no error to their neighbours), and only
the opaque pixels' labels are kept. Transparent and partly transparent pixels are
never dithered, so dithering never makes a transparent pixel visible, nor an opaque
one transparent.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from quant.colors import ColorHistogram, analyse
from quant.errors import ImageError
from quant.palette import (
    MAX_COLORS,
    _fit,
    _gather,
    _histogram_weights,
    _nearest,
    _reconstruct,
    _squared_error,
)
from quant.results import ColorPairs, PaletteFit, Quantized, Transparency

__all__ = ["OPAQUE", "PARTIAL", "TRANSPARENT", "premultiply", "visibility"]

TRANSPARENT, PARTIAL, OPAQUE = 0, 1, 2
"""The visibility classes of :func:`visibility`: alpha 0, alpha 1 to 254, alpha 255."""

_EXACT_PARTIAL = 1 << 16
"""Most distinct partly transparent colours clustered as they are; more are binned first."""

_COARSE_SHIFT, _FINE_SHIFT = 3, 2
"""Premultiplied channels are binned to ``256 >> 3 = 32`` levels (seeding) and ``256 >> 2 = 64``
levels (the Lloyd iterations) when there are too many colours to cluster as they are."""

_PARTIAL_N_INIT = 2
"""k-means++ seedings tried for the partly transparent entries."""


def visibility(image: np.ndarray) -> np.ndarray:
    """Each pixel's visibility class: :data:`TRANSPARENT` (0), :data:`PARTIAL` (1) or :data:`OPAQUE` (2).

    Parameters
    ----------
    image : (H, W, 4) or (H, W, 3) uint8 array
        An RGBA image (an RGB one is opaque everywhere).

    Returns
    -------
    (H, W) uint8 array
    """
    if image.shape[-1] == 3:
        return np.full(image.shape[:2], OPAQUE, dtype=np.uint8)
    alpha = image[..., 3]
    return (alpha > 0).astype(np.uint8) + (alpha == 255)


def premultiply(colors: np.ndarray) -> np.ndarray:
    """(n, 4) uint8 straight RGBA to float64 premultiplied ``(r·a/255, g·a/255, b·a/255, a)``."""
    colors = np.asarray(colors, dtype=np.float64).reshape(-1, 4)
    points = colors.copy()
    points[:, :3] *= colors[:, 3:] / 255.0
    return points


@dataclass(frozen=True, eq=False)
class Split:
    """An RGBA image's pixels by visibility class (prior validation assumed)."""

    shape: tuple[int, int]
    opaque: np.ndarray
    """(H, W) bool: alpha 255."""
    transparent: np.ndarray
    """(H, W) bool: alpha 0."""
    partial: np.ndarray
    """(H, W) bool: alpha 1 to 254."""
    opaque_pixels: np.ndarray | None
    """(1, N, 3) uint8: the opaque pixels' colours in row-major order, as an image for
    the RGB engine; None when there is none."""
    partial_colors: np.ndarray
    """(m, 4) uint8: the distinct partly transparent colours, by packed RGBA code."""
    partial_counts: np.ndarray
    """(m,) int64: pixels of each."""
    partial_inverse: np.ndarray
    """(P,) intp: each partly transparent pixel's colour (row-major order)."""
    n_transparent: int

    @property
    def n_opaque(self) -> int:
        return 0 if self.opaque_pixels is None else int(self.opaque_pixels.shape[1])

    @cached_property
    def partial_points(self) -> np.ndarray:
        """(m, 4) float64: :attr:`partial_colors` premultiplied, made once."""
        return premultiply(self.partial_colors)


def split(image: np.ndarray) -> Split:
    """Sort an (H, W, 4) uint8 image's pixels into the three classes."""
    alpha = image[..., 3]
    opaque = alpha == 255
    transparent = alpha == 0
    partial = ~(opaque | transparent)
    opaque_pixels = image[..., :3][opaque][np.newaxis] if opaque.any() else None
    rgba = np.ascontiguousarray(image[partial])
    codes = rgba.view(">u4").reshape(-1)
    present, inverse, counts = np.unique(codes, return_inverse=True, return_counts=True)
    return Split(
        shape=image.shape[:2],
        opaque=opaque,
        transparent=transparent,
        partial=partial,
        opaque_pixels=opaque_pixels,
        partial_colors=present.astype(">u4").view(np.uint8).reshape(-1, 4),
        partial_counts=counts.astype(np.int64),
        partial_inverse=inverse.reshape(-1),
        n_transparent=int(np.count_nonzero(transparent)),
    )


def _partial_points(parts: Split, shift: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The partly transparent colours in premultiplied RGBA (float64) and their pixel counts;
    with ``shift``, the weighted means of the occupied cells of a ``256 >> shift``-level grid."""
    points = parts.partial_points
    weights = parts.partial_counts.astype(np.float64)
    if shift is None:
        return points, weights
    cells = np.minimum(points, 255.0).astype(np.uint32) >> shift
    bits = 8 - shift
    cell_codes = ((cells[:, 0] << bits | cells[:, 1]) << bits | cells[:, 2]) << bits | cells[:, 3]
    if 4 * bits <= 20:  # a table of every cell is small: count without sorting
        occupied = np.flatnonzero(np.bincount(cell_codes, minlength=1 << (4 * bits)))
        lookup = np.zeros(1 << (4 * bits), dtype=np.intp)
        lookup[occupied] = np.arange(occupied.shape[0])
        cell_of = lookup[cell_codes]
    else:
        cell_of = np.unique(cell_codes, return_inverse=True)[1].reshape(-1)
    totals = np.bincount(cell_of, weights=weights)
    sums = np.stack([np.bincount(cell_of, weights=weights * points[:, c]) for c in range(4)], axis=1)
    return sums / totals[:, None], totals


def _budgets(
    free: int, need_opaque: int, parts: Split, histogram: ColorHistogram | None, n_pins: int, seed: int
) -> tuple[int, int, np.ndarray | None]:
    """(opaque entries, partly transparent entries) sharing ``free`` entries, and the
    partly transparent entries' starting centres when the joint fit gives them (see the
    module's notes)."""
    from quant.palette import _COARSE_BITS, _bins

    n_partial = parts.partial_colors.shape[0]
    if n_partial == 0:
        return free, 0, None
    if histogram is None:
        return need_opaque, min(free - need_opaque, n_partial), None
    n_opaque_colors = len(histogram) + n_pins
    if n_opaque_colors + n_partial <= free:
        return free - n_partial, n_partial, None
    if free <= need_opaque:
        return free, 0, None
    opaque_cells, opaque_weights = _bins(histogram, _COARSE_BITS)
    partial_cells, partial_weights = _partial_points(parts, _COARSE_SHIFT)
    points = np.concatenate([np.column_stack([opaque_cells, np.full(opaque_cells.shape[0], 255.0)]), partial_cells])
    weights = np.concatenate([opaque_weights, partial_weights])
    most = min(free - need_opaque, n_partial)
    if points.shape[0] <= free:
        partial = int(np.clip(free - min(n_opaque_colors, opaque_cells.shape[0]), 1, most))
        return free - partial, partial, None
    # One k-means over both kinds of pixel, in premultiplied RGBA, on coarse cells: the
    # centres that serve mostly partly transparent weight say how many entries they need.
    model = _fit(points, weights, free, init="k-means++", random_state=seed, tol=1e-4)
    labels = model.labels_
    n_cells = opaque_cells.shape[0]
    opaque_weight = np.bincount(labels[:n_cells], weights=opaque_weights, minlength=free)
    partial_weight = np.bincount(labels[n_cells:], weights=partial_weights, minlength=free)
    serves_partial = partial_weight > opaque_weight
    partial = int(np.clip(np.count_nonzero(serves_partial), 1, most))
    if free - partial > n_opaque_colors:  # more than the opaque colours can use
        partial = min(n_partial, free - n_opaque_colors)
    centres = model.cluster_centers_[serves_partial]
    return free - partial, partial, centres if centres.shape[0] == partial else None


def _partial_entries(parts: Split, n_entries: int, *, method: str, seed: int, start: np.ndarray | None = None) -> np.ndarray:
    """(p, 4) uint8 straight RGBA entries for the partly transparent pixels; ``start``:
    (p, 4) premultiplied centres to start the Lloyd iterations from."""
    colors = parts.partial_colors
    if n_entries == 0:
        return np.empty((0, 4), dtype=np.uint8)
    if method == "random":
        rng = np.random.default_rng([seed, 4])
        entries = rng.integers(0, 256, size=(n_entries, 4), dtype=np.uint8)
        entries[:, 3] = rng.integers(1, 255, size=n_entries, dtype=np.uint8)
        return entries
    if colors.shape[0] <= n_entries:
        return colors.copy()
    many = colors.shape[0] > _EXACT_PARTIAL
    points, weights = _partial_points(parts, _FINE_SHIFT if many else None)
    if points.shape[0] <= n_entries:  # the colours crowd into few cells: cluster them as they are
        points, weights = _partial_points(parts)
    if start is None:
        coarse, coarse_weights = _partial_points(parts, _COARSE_SHIFT) if many else (points, weights)
        if coarse.shape[0] <= n_entries:
            coarse, coarse_weights = points, weights
        seeds = np.random.RandomState(seed).randint(np.iinfo(np.int32).max, size=_PARTIAL_N_INIT)
        start = min(
            (_fit(coarse, coarse_weights, n_entries, init="k-means++", random_state=int(s), tol=1e-6) for s in seeds),
            key=lambda fitted: fitted.inertia_,
        ).cluster_centers_
        if coarse is points:
            return _to_straight(start)
    centres = _fit(points, weights, n_entries, init=start, random_state=seed, tol=1e-4, max_iter=30).cluster_centers_
    return _to_straight(centres)


def _to_straight(centres: np.ndarray) -> np.ndarray:
    """Premultiplied float centres to the nearest straight (p, 4) uint8 RGBA entries."""
    alpha = np.clip(np.rint(centres[:, 3]), 0, 255)
    scale = np.divide(255.0, alpha, out=np.zeros_like(alpha), where=alpha > 0)
    rgb = np.clip(np.rint(centres[:, :3] * scale[:, None]), 0, 255)
    return np.concatenate([rgb, alpha[:, None]], axis=1).astype(np.uint8)


def _rgba_codes(entries: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(entries, dtype=np.uint8).view(">u4").reshape(-1).astype(np.uint32)


def premultiplied_squared(colors: np.ndarray, weights: np.ndarray, entries: np.ndarray) -> float:
    """Sum of ``weights`` times the premultiplied RGBA squared distance of each colour to its entry.

    ``colors`` and ``entries`` are (n, 4) uint8 straight RGBA, row for row.
    """
    if colors.shape[0] == 0:
        return 0.0
    diff = premultiply(colors) - premultiply(entries)
    return float(np.asarray(weights, dtype=np.float64) @ np.einsum("ij,ij->i", diff, diff))


def _check_room(n_entries: int, n_colors: int, parts: Split, n_pins: int) -> None:
    if n_entries <= n_colors:
        return
    needs = []
    if parts.n_transparent:
        needs.append("one transparent entry")
    if parts.n_opaque or n_pins:
        needs.append(f"{max(n_pins, 1)} opaque ({n_pins} pinned)" if n_pins else "one opaque entry")
    raise ImageError(
        f"n_colors={n_colors} is too few for this image: it has {' and '.join(needs)} to keep "
        f"(transparent pixels never turn opaque, nor opaque ones transparent); ask for at least {n_entries}."
    )


def fit_rgba(
    image: np.ndarray, n_colors: int, *, method: str, space: str, seed: int, fixed: object = None, given: np.ndarray | None = None
) -> tuple[Split, PaletteFit]:
    """:func:`quant.fit_palette` of an (H, W, 4) image (``given``: :func:`quant.map_fit`'s palette,
    no fitting); thread pools limited, image checked, arguments not yet."""
    from quant.mapping import _map_fit
    from quant.palette import METHODS, SPACES, _check_choice, _check_n_colors, _check_seed
    from quant.pinned import check_fixed
    from quant.pipeline import MAPPED, _fit_palette

    started = time.perf_counter()
    _check_choice(space, "space", SPACES)
    parts = split(image)
    histogram = analyse(parts.opaque_pixels)[1] if parts.n_opaque else None
    n_transparent_entries = int(parts.n_transparent > 0)
    if given is not None:
        n_pins = 0
        if given.shape[0] + n_transparent_entries > MAX_COLORS:
            raise ImageError(
                f"palette holds {given.shape[0]} colours, and this image's transparent pixels need one more "
                f"entry than that: an indexed PNG holds {MAX_COLORS}; give at most {MAX_COLORS - 1} colours."
            )
        opaque_fit = _map_fit(parts.opaque_pixels, given, space=space)[1] if histogram is not None else None
        opaque_palette = given if opaque_fit is None else opaque_fit.palette
        opaque_kept, opaque_pinned = np.ones(given.shape[0], dtype=bool), np.zeros(given.shape[0], dtype=bool)
        partial_entries = np.empty((0, 4), dtype=np.uint8)
        method, n_colors, seed = MAPPED, given.shape[0], 0
    else:
        n_colors = _check_n_colors(n_colors)
        _check_choice(method, "method", METHODS)
        seed = _check_seed(seed)
        pins = check_fixed(fixed, n_colors)
        n_pins = 0 if pins is None else pins.shape[0]
        need_opaque = max(n_pins, int(parts.n_opaque > 0))
        _check_room(n_transparent_entries + need_opaque, n_colors, parts, n_pins)
        n_opaque, n_partial, start = _budgets(n_colors - n_transparent_entries, need_opaque, parts, histogram, n_pins, seed)
        if histogram is not None:
            opaque_fit = _fit_palette(parts.opaque_pixels, n_opaque, method=method, space=space, seed=seed, fixed=pins)[1]
            opaque_palette, opaque_pinned = opaque_fit.palette, opaque_fit.pinned
        else:
            opaque_fit = None
            opaque_palette = np.empty((0, 3), dtype=np.uint8) if pins is None else pins
            opaque_pinned = np.ones(opaque_palette.shape[0], dtype=bool)
        opaque_kept = opaque_pinned
        partial_entries = _partial_entries(parts, n_partial, method=method, seed=seed, start=start)

    # Every entry as straight RGBA: opaque first (their indices are the opaque fit's),
    # then the partly transparent ones, then the transparent one; duplicates dropped.
    partial_entries[partial_entries[:, 3] == 0] = 0
    entries = np.concatenate([
        np.column_stack([opaque_palette, np.full(opaque_palette.shape[0], 255, dtype=np.uint8)]),
        partial_entries,
        np.zeros((n_transparent_entries, 4), dtype=np.uint8),
    ])
    _, first = np.unique(_rgba_codes(entries), return_index=True)
    entries = entries[np.sort(first)]
    n_opaque_entries = opaque_palette.shape[0]
    transparent = np.flatnonzero(entries[:, 3] == 0)
    transparent_entry = int(transparent[0]) if transparent.size else -1

    partial_labels = (
        _nearest(parts.partial_points, premultiply(entries)) if parts.partial_colors.shape[0] else np.empty(0, dtype=np.intp)
    )
    counts = np.bincount(partial_labels, weights=parts.partial_counts, minlength=entries.shape[0])
    if opaque_fit is not None:
        counts[:n_opaque_entries] += opaque_fit.counts
    if parts.n_transparent:
        counts[transparent_entry] += parts.n_transparent
    keep = np.zeros(entries.shape[0], dtype=bool)
    keep[:n_opaque_entries] = opaque_kept
    pinned = np.zeros(entries.shape[0], dtype=bool)
    pinned[:n_opaque_entries] = opaque_pinned
    fit = _ranked_fit(
        parts, histogram, entries, counts, keep, pinned,
        None if opaque_fit is None else opaque_fit.color_labels, partial_labels, transparent_entry,
        method=method, space=space, n_colors=n_colors, seed=seed, started=started,
    )
    return parts, fit


def _ranked_fit(
    parts: Split,
    histogram: ColorHistogram | None,
    entries: np.ndarray,
    counts: np.ndarray,
    keep: np.ndarray,
    pinned: np.ndarray,
    color_labels: np.ndarray | None,
    partial_labels: np.ndarray,
    transparent_entry: int,
    *,
    method: str,
    space: str,
    n_colors: int,
    seed: int,
    started: float,
) -> PaletteFit:
    """The :class:`PaletteFit` of the entries, largest share first, unused ones dropped but for ``keep``."""
    from quant.pipeline import _by_share

    palette, counts, rank, order = _by_share(entries[:, :3], counts, keep)
    alpha = np.ascontiguousarray(entries[order, 3])
    if color_labels is not None:
        color_labels = rank[color_labels]
    transparency = Transparency(
        n_opaque=parts.n_opaque,
        n_transparent=parts.n_transparent,
        transparent_entry=int(rank[transparent_entry]) if transparent_entry >= 0 and transparent_entry in order else -1,
        colors=parts.partial_colors,
        counts=parts.partial_counts,
        labels=rank[partial_labels],
    )
    squared = _opaque_squared(histogram, palette, color_labels) + premultiplied_squared(
        transparency.colors, transparency.counts, np.column_stack([palette, alpha])[transparency.labels]
    )
    pinned = pinned[order]
    for array in (palette, counts, alpha, pinned, transparency.colors, transparency.counts, transparency.labels):
        array.flags.writeable = False
    if color_labels is not None:
        color_labels.flags.writeable = False
    height, width = parts.shape
    return PaletteFit(
        palette=palette,
        counts=counts,
        color_labels=color_labels,
        source=histogram,
        mse=squared / (4 * height * width),
        method=method,
        space=space,
        n_colors=n_colors,
        seed=seed,
        seconds=time.perf_counter() - started,
        shape=parts.shape,
        pinned=pinned,
        alpha=alpha,
        transparency=transparency,
    )


def _opaque_squared(histogram: ColorHistogram | None, palette: np.ndarray, color_labels: np.ndarray | None) -> float:
    if histogram is None:
        return 0.0
    return _squared_error(histogram.colors, _histogram_weights(histogram), _reconstruct(palette, color_labels))


def apply_rgba(
    image: np.ndarray, fit: PaletteFit, *, dither: float, dither_kind: str, started: float, parts: Split | None = None
) -> Quantized:
    """:func:`quant.apply_palette` of an (H, W, 4) image and the fit made from it; dither checked."""
    from quant.pairs import color_pairs
    from quant.pipeline import _by_share, _kept, _per_pixel

    parts = split(image) if parts is None else parts
    _check_same_image(parts, fit)
    tr = fit.transparency
    height, width = parts.shape
    labels = np.empty(parts.shape, dtype=np.uint8)
    if parts.n_transparent:
        labels[parts.transparent] = tr.transparent_entry
    if tr.colors.shape[0]:
        labels[parts.partial] = tr.labels[parts.partial_inverse]
    palette, alpha, counts, pinned, color_labels, pairs, mse = fit.palette, fit.alpha, fit.counts, fit.pinned, fit.color_labels, None, fit.mse
    if parts.n_opaque:
        codes, histogram = analyse(parts.opaque_pixels)
        nearest = _per_pixel(fit.color_labels, histogram, codes)
        if dither > 0 and _opaque_squared(histogram, fit.palette, fit.color_labels) > 0:
            dithered = _dithered_opaque(image, parts, fit, dither, dither_kind)
            pair_colors, pair_labels, pair_counts = color_pairs(codes, histogram.codes, histogram.counts, dithered, fit.k)
            counts = np.bincount(pair_labels, weights=pair_counts, minlength=fit.k) + fit.counts
            counts -= np.bincount(fit.color_labels, weights=histogram.counts, minlength=fit.k)
            palette, counts, rank, order = _by_share(fit.palette, counts, _kept(fit))
            alpha, pinned = fit.alpha[order], fit.pinned[order]
            labels[parts.opaque] = dithered
            labels = _gather(rank, labels)
            pairs = ColorPairs(colors=pair_colors, labels=rank[pair_labels], counts=pair_counts)
            tr = Transparency(
                n_opaque=tr.n_opaque, n_transparent=tr.n_transparent,
                transparent_entry=int(rank[tr.transparent_entry]) if tr.transparent_entry >= 0 else -1,
                colors=tr.colors, counts=tr.counts, labels=rank[tr.labels],
            )
            for array in (*vars(pairs).values(), palette, counts, alpha, pinned, tr.labels):
                array.flags.writeable = False
            squared = _squared_error(histogram.colors[pair_colors], pair_counts.astype(np.float64), palette[pairs.labels])
            squared += premultiplied_squared(tr.colors, tr.counts, np.column_stack([palette, alpha])[tr.labels])
            mse = squared / (4 * height * width)
            color_labels = None
        else:
            labels[parts.opaque] = nearest
    return Quantized(
        palette=palette,
        labels=labels,
        image=reconstruct_rgba(palette, alpha, labels),
        counts=counts,
        mse=mse,
        method=fit.method,
        space=fit.space,
        n_colors=fit.n_colors,
        dither=dither,
        dither_kind=dither_kind if dither > 0 else "diffusion",
        seed=fit.seed,
        seconds=time.perf_counter() - started,
        source=fit.source,
        color_labels=color_labels,
        pairs=pairs,
        pinned=pinned,
        alpha=alpha,
        transparency=tr,
    )


def reconstruct_rgba(palette: np.ndarray, alpha: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """``(palette | alpha)[labels]`` as a contiguous (H, W, 4) uint8 image, one 4-byte copy per pixel."""
    rows = np.ascontiguousarray(np.column_stack([palette, alpha]), dtype=np.uint8).view(np.dtype("V4")).reshape(-1)
    return _gather(rows, labels).view(np.uint8).reshape(labels.shape + (4,))


def recolor_rgba(result: PaletteFit | Quantized, colors: np.ndarray) -> PaletteFit | Quantized:
    """:func:`quant.recolor` of a result of an RGBA image: new colours, the same alphas and
    labels, the premultiplied error recomputed per distinct colour (or pair)."""
    import dataclasses

    tr = result.transparency
    histogram = result.source
    squared = premultiplied_squared(tr.colors, tr.counts, np.column_stack([colors, result.alpha])[tr.labels])
    pairs = getattr(result, "pairs", None)
    if histogram is not None and pairs is not None:
        squared += _squared_error(histogram.colors[pairs.colors], pairs.counts.astype(np.float64), _reconstruct(colors, pairs.labels))
    else:
        squared += _opaque_squared(histogram, colors, result.color_labels)
    if isinstance(result, PaletteFit):
        return dataclasses.replace(result, palette=colors, mse=squared / (4 * result.shape[0] * result.shape[1]))
    image = reconstruct_rgba(colors, result.alpha, result.labels)
    return dataclasses.replace(result, palette=colors, image=image, mse=squared / (4 * result.labels.size))


def _check_same_image(parts: Split, fit: PaletteFit) -> None:
    """ValueError unless ``fit`` was made from the image ``parts`` splits."""
    if fit.transparency is None:
        raise ValueError("image has an alpha channel, but the palette was fitted to an RGB image.")
    if parts.shape != fit.shape:
        raise ValueError(f"image is {parts.shape[1]} x {parts.shape[0]}, but the palette was fitted to a {fit.shape[1]} x {fit.shape[0]} image.")
    if not _same_pixels(parts, fit):
        raise ValueError("image is not the image the palette was fitted to: their colours differ.")


def _same_pixels(parts: Split, result: PaletteFit | Quantized) -> bool:
    """Whether ``result`` (of an RGBA image of the same size) was made from the pixels ``parts`` splits."""
    tr = result.transparency
    same = (
        parts.n_transparent == tr.n_transparent
        and parts.n_opaque == tr.n_opaque
        and np.array_equal(parts.partial_colors, tr.colors)
        and np.array_equal(parts.partial_counts, tr.counts)
    )
    if same and parts.n_opaque:
        histogram = analyse(parts.opaque_pixels)[1]
        same = histogram is result.source or (
            np.array_equal(histogram.codes, result.source.codes) and np.array_equal(histogram.counts, result.source.counts)
        )
    return same


def made_from(image: np.ndarray, result: PaletteFit | Quantized) -> bool:
    """Whether a result of an RGBA image was made from ``image`` (an (H, W, 4) uint8 array):
    then its ``source``, ``color_labels`` or ``pairs`` and ``transparency`` describe every
    pixel of it, and :func:`quant.metrics` measures it per distinct colour."""
    if result.transparency is None or image.ndim != 3 or image.shape[2] != 4:
        return False
    shape = result.shape if isinstance(result, PaletteFit) else result.labels.shape
    return image.shape[:2] == tuple(shape) and _same_pixels(split(image), result)


def _dithered_opaque(image: np.ndarray, parts: Split, fit: PaletteFit, strength: float, dither_kind: str) -> np.ndarray:
    """Each opaque pixel's entry (index into ``fit.palette``, row-major order) when the
    picture is dithered among the opaque entries; see the module's notes."""
    from quant.mapping import _map_fit
    from quant.pipeline import _apply_palette

    opaque_entries = np.flatnonzero(fit.alpha == 255)
    colors = fit.palette[opaque_entries]
    filled = np.array(image[..., :3])
    filled[~parts.opaque] = colors[0]
    codes, mapped = _map_fit(filled, colors, space=fit.space)
    result = _apply_palette(filled, codes, mapped, dither=strength, dither_kind=dither_kind, started=0.0)
    # The mapped palette is the opaque entries re-ordered by share: find each in fit.palette.
    entry_of = {tuple(color): entry for color, entry in zip(colors.tolist(), opaque_entries.tolist())}
    back = np.array([entry_of[tuple(color)] for color in result.palette.tolist()], dtype=np.uint8)
    return _gather(back, result.labels[parts.opaque])
