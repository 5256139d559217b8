"""Pins: palette entries a person fixes, kept exactly as given, the others fitted around them.

A pin is a colour that must be in the palette whatever the image (a brand colour, pure
white, the background of a sprite sheet). libimagequant calls them fixed colours
(``liq_image_add_fixed_color``); palette tools call it "lock this colour, regenerate the
rest". With ``m`` pins and a palette of ``n`` colours, ``n - m`` entries are fitted.

With ``"kmeans"`` the free entries come from pinned k-means (:mod:`quant.pinned_kmeans`):
the pins take part in every assignment and never move, and k-means++ seeding starts
from them as centres already chosen. This module checks what a caller gives as
colours, and makes the palette with pins for every method (:func:`fit_around`).

Pins can only raise the error, but never above a simple way of honouring them: fit
freely, then overwrite the entries nearest the pins with the pins
(:func:`overwrite_nearest`). That palette is one of the states pinned k-means can
reach, so it is also a start of its fine iterations, and the result is the better of
the two, measured exactly (:func:`fit_around`).
"""

from __future__ import annotations

import reprlib
from collections.abc import Callable

import numpy as np

from quant.colors import ColorHistogram
from quant.errors import ImageError
from quant.palette import (
    _CHUNK_ELEMENTS,
    _histogram_points,
    _histogram_weights,
    _levels,
    _nearest,
    _nearest_colors,
    _prunes,
    _reconstruct,
    _squared_error,
    _to_rgb8,
    _to_space,
)
from quant.parallel import for_each_block
from quant.pinned_kmeans import _kmeans_around, _Level, _seed_around

__all__ = [
    "check_colors",
    "check_fixed",
    "count_with_pins",
    "distinct_colors",
    "fit_around",
    "overwrite_nearest",
    "pinned_mask",
    "space_error",
    "start_around",
    "with_image_colors",
]

_ACCEPTED = "RGB colours: an (m, 3) array or a list of (r, g, b) triples of whole numbers from 0 to 255"
"""What :func:`check_colors` accepts, in the words of its messages."""


def _received(value: object) -> str:
    """A short description of a value for a message."""
    if isinstance(value, (str, bytes)):
        return f"the text {reprlib.repr(value)} (quant.parse_colors reads hex colours such as '#ff0000')"
    return f"{type(value).__name__} {reprlib.repr(value)}"


def check_colors(colors: object, *, name: str) -> np.ndarray:
    """Colours given by a caller as an (m, 3) uint8 array, in their order, duplicates kept.

    Parameters
    ----------
    colors : array-like
        An (m, 3) array or a sequence of (r, g, b) triples of whole numbers 0 to 255
        (integers, or floats with whole values); ``m`` may be 0.
    name : str
        The parameter's name, for the message.

    Raises
    ------
    ImageError
        If ``colors`` is not that, with what was received.
    """
    if isinstance(colors, (str, bytes)):
        raise ImageError(f"{name} must be {_ACCEPTED}; got {_received(colors)}.")
    try:
        array = np.asarray(colors)
    except (ValueError, TypeError):
        raise ImageError(f"{name} must be {_ACCEPTED}; got {_received(colors)}.") from None
    if array.ndim == 1 and array.shape[0] == 0:
        array = array.reshape(0, 3)
    if array.ndim != 2 or array.shape[1] != 3:
        hint = "; write one colour as [(r, g, b)]" if array.shape == (3,) else ""
        raise ImageError(f"{name} must be {_ACCEPTED}; got an array of shape {array.shape}{hint}.")
    if array.dtype.kind not in "uif":
        what = "true/false values" if array.dtype.kind == "b" else f"values of type {array.dtype}"
        raise ImageError(f"{name} must be {_ACCEPTED}; got {what}.")
    bad = (array < 0) | (array > 255)
    if array.dtype.kind == "f":
        bad |= ~np.isfinite(array) | (array != np.round(array))
    if bad.any():
        row, channel = np.argwhere(bad)[0]
        colour = ", ".join(f"{value:g}" for value in array[row].tolist())
        raise ImageError(
            f"{name} must be {_ACCEPTED}; got the value {array[row, channel].item():g} in colour {row + 1}, ({colour})."
        )
    return np.ascontiguousarray(array, dtype=np.uint8)


def distinct_colors(colors: np.ndarray) -> np.ndarray:
    """The distinct rows of an (m, 3) uint8 array, in order of first appearance."""
    _, first = np.unique(colors, axis=0, return_index=True)
    return np.ascontiguousarray(colors[np.sort(first)])


def check_fixed(fixed: object, n_colors: int) -> np.ndarray | None:
    """The pins of a palette of ``n_colors``, distinct, in order; None for none.

    ``None`` and an empty list mean no pins; equal pins collapse into one.

    Raises
    ------
    ImageError
        If ``fixed`` is not colours (:func:`check_colors`) or holds more distinct
        colours than ``n_colors``.
    """
    if fixed is None:
        return None
    pins = distinct_colors(check_colors(fixed, name="fixed"))
    if pins.shape[0] == 0:
        return None
    if pins.shape[0] > n_colors:
        raise ImageError(
            f"fixed holds {pins.shape[0]} distinct colours, more than the palette of "
            f"n_colors={n_colors}; pin at most {n_colors}, or ask for at least {pins.shape[0]} colours."
        )
    return pins


def pinned_mask(palette: np.ndarray, pins: np.ndarray | None) -> np.ndarray:
    """(k,) bool: which palette entries are among the pins."""
    if pins is None:
        return np.zeros(palette.shape[0], dtype=bool)
    return np.isin(_codes(palette), _codes(pins))


def _codes(colors: np.ndarray) -> np.ndarray:
    rgb = colors.astype(np.uint32)
    return (rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2]


def count_with_pins(histogram: ColorHistogram, pins: np.ndarray) -> int:
    """How many distinct colours the image's colours and the pins are together."""
    return len(histogram) + int((~np.isin(_codes(pins), histogram.codes)).sum())


def with_image_colors(pins: np.ndarray, histogram: ColorHistogram, n_colors: int) -> np.ndarray | None:
    """The pins, then the image's other colours, when they are at most ``n_colors``
    together (a palette with no error); else None."""
    if len(histogram) > n_colors:
        return None
    others = histogram.colors[~np.isin(histogram.codes, _codes(pins))]
    together = np.concatenate([pins, others])
    return together if together.shape[0] <= n_colors else None


def overwrite_nearest(palette: np.ndarray, pins: np.ndarray, space: str) -> tuple[np.ndarray, np.ndarray]:
    """``palette`` with the entries nearest the pins replaced by the pins.

    Pairs are taken closest first: the pin and entry nearest each other of all pairs
    not yet taken, then the next, so that every pin replaces one entry and no entry is
    replaced twice; pins beyond the palette's length are appended.

    Parameters
    ----------
    palette : (k, 3) uint8 array
    pins : (m, 3) uint8 array
        Distinct.
    space : {"rgb", "lab"}
        Where "nearest" is measured.

    Returns
    -------
    palette : (max(k, m), 3) uint8 array
        In the same order as ``palette`` (appended pins last); may hold a pin twice
        when an entry not replaced equals it.
    pinned : (max(k, m),) bool array
        True for the entries that are now pins.
    """
    result = np.concatenate([palette, np.zeros((max(0, pins.shape[0] - palette.shape[0]), 3), np.uint8)])
    pinned = np.zeros(result.shape[0], dtype=bool)
    entries, targets = _to_space(palette, space), _to_space(pins, space)
    distances = ((targets[:, None, :] - entries[None, :, :]) ** 2).sum(axis=2)
    pin_free = np.ones(pins.shape[0], dtype=bool)
    for flat in np.argsort(distances, axis=None, kind="stable"):
        pin, entry = divmod(int(flat), palette.shape[0])
        if pin_free[pin] and not pinned[entry]:
            result[entry], pinned[entry], pin_free[pin] = pins[pin], True, False
            if not pin_free.any():
                break
    extra = np.flatnonzero(pin_free)
    result[palette.shape[0] :] = pins[extra]
    pinned[palette.shape[0] :] = True
    return result, pinned


def start_around(histogram: ColorHistogram, n_colors: int, init: str, seed: int, pins: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The start of a k-means trace (:func:`quant.kmeans_steps`) with pins: initial
    (k, 3) float64 centres and which of them are pins.

    "uniform" is the same draw, the pins replacing the colours nearest them (as
    ``quantize(method="random", fixed=pins)``); "random" draws the other centres from
    the image's other colours; "k-means++" seeds them around the pins
    (:func:`_seed_around`). The pins come first but with "uniform".
    """
    if init == "uniform":
        drawn = np.random.default_rng(seed).integers(0, 256, size=(n_colors, 3), dtype=np.uint8)
        centres, pinned = overwrite_nearest(drawn, pins, "rgb")
        return centres.astype(np.float64), pinned
    together = with_image_colors(pins, histogram, n_colors)
    if together is not None:
        return together.astype(np.float64), pinned_mask(together, pins)
    n_free = n_colors - pins.shape[0]
    if init == "random":
        # Drawn as without pins, in proportion to pixel counts, among the other colours.
        others = np.flatnonzero(~pinned_mask(histogram.colors, pins))
        keys = np.random.default_rng(seed).exponential(size=others.shape[0]) / histogram.counts[others]
        chosen = others[np.sort(np.argpartition(keys, n_free - 1)[:n_free])] if n_free else others[:0]
        free = histogram.colors[chosen].astype(np.float64)
    else:
        (colors, weights), _ = _levels(histogram, n_colors)
        free = _seed_around(_Level(colors, weights, pins.astype(np.float64)), n_free, np.random.default_rng(seed))
    centres = np.concatenate([pins.astype(np.float64), free])
    return centres, np.arange(centres.shape[0]) < pins.shape[0]


# --- the palette with pins, by every method ----------------------------------------------


def space_error(histogram: ColorHistogram, palette: np.ndarray, color_labels: np.ndarray, space: str) -> float:
    """Sum over pixels of the squared distance, in ``space``, from each colour to its entry.

    In RGB it is exact (whole numbers); in Lab it is summed in float64 from the
    histogram's float32 Lab coordinates.
    """
    weights = _histogram_weights(histogram)
    if space == "rgb":
        return _squared_error(histogram.colors, weights, _reconstruct(palette, color_labels))
    points = _histogram_points(histogram, space)
    entries = _to_space(palette, space)
    block_sums: dict[int, float] = {}

    def sum_in(start: int, stop: int) -> None:
        diff = points[start:stop].astype(np.float64) - entries[color_labels[start:stop]]
        block_sums[start] = float(weights[start:stop] @ np.einsum("ij,ij->i", diff, diff))

    for_each_block(sum_in, points.shape[0])
    return sum(block_sums[start] for start in sorted(block_sums))


def fit_around(
    histogram: ColorHistogram,
    n_colors: int,
    pins: np.ndarray,
    method_palette: Callable[[int], np.ndarray],
    *,
    method: str,
    space: str,
    seed: int,
) -> tuple[np.ndarray, np.ndarray]:
    """A palette of at most ``n_colors`` distinct colours that holds the pins exactly.

    Prior validation is assumed; ``method_palette(size)`` is the palette of ``size``
    colours ``method`` makes without pins (:func:`quant.pipeline._method_palette`).

    * An image whose colours and the pins are at most ``n_colors`` together gets
      exactly those (no error), except with ``"random"``; ``n_colors`` pins are the
      palette.
    * Otherwise the *overwrite palette* is a candidate: the entries of ``free`` that
      some colour is nearest to, those nearest the pins replaced by them
      (:func:`overwrite_nearest`). ``"random"`` returns it: the same draw as without
      pins, the pins in place of the entries nearest them.
    * ``"kmeans"``: pinned k-means (:func:`_kmeans_around`), whose fine iterations
      also start from the overwrite palette.
    * ``"minibatch"``, ``"median-cut"``, ``"octree"``: the method's palette of
      ``n_colors - m`` colours (m pins), with the pins added.

    The candidate with the lowest error in ``space`` (:func:`space_error`) is returned,
    so the palette is never worse than the overwrite palette.

    Returns
    -------
    palette : (k, 3) uint8 array
        Distinct colours, the pins among them.
    color_labels : (n,) intp array
        Index of the nearest entry of each distinct colour of ``histogram``.
    """
    together = with_image_colors(pins, histogram, n_colors) if method != "random" else None
    if together is None and pins.shape[0] == n_colors:
        together = pins  # what overwriting any palette of n_colors gives
    if together is not None:
        return together, _nearest_colors(histogram, together, space)
    free = method_palette(n_colors)
    free_labels = _nearest_colors(histogram, free, space)
    used = np.flatnonzero(np.bincount(free_labels, minlength=free.shape[0]))
    overwritten, replaced = overwrite_nearest(free[used], pins, space)
    position = np.zeros(free.shape[0], dtype=np.intp)
    position[used] = np.arange(used.shape[0])
    baseline_labels = _labels_after_overwrite(histogram, overwritten, replaced, position[free_labels], space)
    baseline, inverse = _distinct_with_inverse(overwritten)
    scored = [(space_error(histogram, baseline, inverse[baseline_labels], space), baseline, inverse[baseline_labels])]
    n_free = n_colors - pins.shape[0]
    challenger = None
    if method == "kmeans" and n_free > 0:
        start = _to_space(overwritten[~pinned_mask(overwritten, pins)], space)
        centres = _kmeans_around(histogram, n_colors, pins, start, space, seed)
        challenger = distinct_colors(np.concatenate([pins, _to_rgb8(centres, space)]))
    elif method in ("minibatch", "median-cut", "octree") and n_free > 0:
        challenger = distinct_colors(np.concatenate([pins, method_palette(n_free)]))
    if challenger is not None:
        labels = _nearest_colors(histogram, challenger, space)
        # Listed first: on a tie the fitted palette wins.
        scored.insert(0, (space_error(histogram, challenger, labels, space), challenger, labels))
    _, palette, labels = min(scored, key=lambda candidate: candidate[0])
    return palette, labels


def _distinct_with_inverse(colors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`distinct_colors` and the index of each row of ``colors`` in it."""
    _, first, inverse = np.unique(colors, axis=0, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.shape[0])
    return np.ascontiguousarray(colors[first[order]]), rank[inverse.reshape(-1)]


def _labels_after_overwrite(
    histogram: ColorHistogram, palette: np.ndarray, replaced: np.ndarray, labels: np.ndarray, space: str
) -> np.ndarray:
    """Each colour's nearest entry of ``palette`` once some of its entries were replaced
    by pins (:func:`overwrite_nearest`), from its nearest entry before (``labels``).

    A colour whose entry stayed keeps it unless a pin is nearer (every other entry that
    stayed was already no nearer); only the colours whose entry was replaced are
    compared with the whole palette. For large palettes, which
    :func:`quant.palette._nearest_colors` maps colour by colour, and a few pins this
    costs a fraction of mapping every colour again.
    """
    pin_rows = np.flatnonzero(replaced)
    if _prunes(histogram, palette.shape[0], space) or pin_rows.shape[0] * 8 > palette.shape[0]:
        return _nearest_colors(histogram, palette, space)
    points = _histogram_points(histogram, space)
    entries = _to_space(palette, space).astype(np.float32)
    result = labels.copy()
    step = max(1, _CHUNK_ELEMENTS // pin_rows.shape[0])

    def relabel_in(start: int, stop: int) -> None:
        for chunk in range(start, stop, step):
            end = min(chunk + step, stop)
            block, own = points[chunk:end], labels[chunk:end]
            # Single precision, as _nearest: exact for 8-bit RGB.
            difference = block - entries[own]
            own_distances = np.einsum("ij,ij->i", difference, difference)
            nearest_pin, pin_distances = _nearest_with_distance(block, entries[pin_rows])
            result[chunk:end] = np.where(pin_distances < own_distances, pin_rows[nearest_pin], own)

    for_each_block(relabel_in, len(histogram))
    lost = np.flatnonzero(replaced[labels])
    result[lost] = _nearest(points[lost], entries)
    return result


def _nearest_with_distance(points: np.ndarray, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest of a few centres for each point, and the squared distance to it (float32)."""
    matrix = points @ (-2.0 * centres.T)
    matrix += np.einsum("ij,ij->i", centres, centres)
    nearest = np.argmin(matrix, axis=1)
    distances = matrix[np.arange(points.shape[0]), nearest] + np.einsum("ij,ij->i", points, points)
    return nearest, distances
