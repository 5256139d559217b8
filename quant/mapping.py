"""Palettes a person brings or edits: map an image to given colours, or recolour a result.

:func:`map_to_palette` is pngquant's ``--map``: no fitting, every pixel takes its
nearest entry of a given palette (a preset such as PICO-8, a palette file), with or
without dithering. :func:`map_fit` is its histogram-level twin for interactive views,
ready for :func:`quant.apply_palette` like any fitted palette. Both use the engine's
exact nearest-colour mapping of the image's distinct colours
(:func:`quant.palette._nearest_colors`), so the cost follows the colour count, and an
image seen before reuses its colour histogram.

:func:`recolor` is what a person editing one swatch of a result needs: the same
assignment of colours to entries, new colours for the entries, the error recomputed
exactly.
"""

from __future__ import annotations

import dataclasses
import time
from typing import TypeVar

import numpy as np
from numpy.typing import ArrayLike

from quant.colors import analyse
from quant.errors import ImageError
from quant.loading import check_image
from quant.palette import (
    _THREADPOOLS,
    MAX_COLORS,
    SPACES,
    _check_choice,
    _histogram_weights,
    _nearest_colors,
    _reconstruct,
    _squared_error,
)
from quant.pinned import check_colors, distinct_colors
from quant.pipeline import (
    MAPPED,
    _apply_palette,
    _check_dither,
    _check_dither_kind,
    _fit_of,
)
from quant.results import PaletteFit, Quantized

__all__ = ["check_palette", "map_fit", "map_to_palette", "recolor"]

Result = TypeVar("Result", PaletteFit, Quantized)


def check_palette(palette: ArrayLike) -> np.ndarray:
    """A palette given by a caller: its distinct colours, in order, as (k, 3) uint8.

    Parameters
    ----------
    palette : (k, 3) array-like of int
        An array or a list of (r, g, b) triples, whole numbers 0 to 255; equal
        entries count once.

    Returns
    -------
    (k, 3) uint8 array
        1 to 256 distinct colours.

    Raises
    ------
    ImageError
        If ``palette`` is not colours, or has no entry or more than 256 distinct ones.
    """
    entries = distinct_colors(check_colors(palette, name="palette"))
    if not 1 <= entries.shape[0] <= MAX_COLORS:
        raise ImageError(
            f"palette must hold 1 to {MAX_COLORS} distinct colours (what an indexed PNG can hold), "
            f"got {entries.shape[0]}."
        )
    return entries


def map_fit(image: np.ndarray, palette: ArrayLike, *, space: str = "rgb") -> PaletteFit:
    """Where each distinct colour of ``image`` goes on a given palette, without fitting.

    The histogram-level twin of :func:`map_to_palette`:
    ``apply_palette(image, map_fit(image, palette), dither=...)`` is
    ``map_to_palette(image, palette, dither=...)``, bit for bit.

    Parameters
    ----------
    image : (H, W, 3) or (H, W, 4) uint8 array
        An RGB image, or an RGBA one: the palette's colours are then opaque entries,
        one transparent entry is added for its pixels of alpha 0 (so a palette of 256
        colours leaves no room for it), and each partly transparent pixel takes the
        entry nearest it in premultiplied RGBA (:mod:`quant.alpha`).
    palette : (k, 3) array-like of int
        The colours, as :func:`check_palette` accepts them.
    space : {"rgb", "lab"}, default "rgb"
        Where "nearest" is measured.

    Returns
    -------
    PaletteFit
        ``method`` is ``"palette"``, ``n_colors`` the number of distinct entries and
        ``seed`` 0. Every entry is kept, ordered by pixel share, those no colour is
        nearest to at the end with count 0 (in the order given). ``pinned`` is all
        False: nothing was fitted around the entries.

    Raises
    ------
    ImageError
        If ``palette`` is not 1 to 256 colours or ``space`` is not accepted.
    ValueError
        If ``image`` is not an (H, W, 3) or (H, W, 4) uint8 array.

    Examples
    --------
    >>> import numpy as np
    >>> image = np.zeros((2, 2, 3), dtype=np.uint8); image[0, 0] = 250
    >>> fit = map_fit(image, [(255, 255, 255), (0, 0, 0), (255, 0, 0)])
    >>> fit.palette.tolist(), fit.counts.tolist()
    ([[0, 0, 0], [255, 255, 255], [255, 0, 0]], [3, 1, 0])
    """
    with _THREADPOOLS.limit(limits=1):
        image = check_image(image, alpha=True)
        if image.shape[2] == 4:
            from quant.alpha import fit_rgba

            return fit_rgba(image, 0, method=MAPPED, space=space, seed=0, given=check_palette(palette))[1]
        _, fit = _map_fit(image, palette, space=space)
        return fit


def _map_fit(image: np.ndarray, palette: ArrayLike, *, space: str) -> tuple[np.ndarray, PaletteFit]:
    """The packed codes of ``image`` and :func:`map_fit`'s result; thread pools limited, image checked."""
    started = time.perf_counter()
    entries = check_palette(palette)
    _check_choice(space, "space", SPACES)
    codes, histogram = analyse(image)
    fit = _fit_of(
        histogram,
        entries,
        _nearest_colors(histogram, entries, space),
        np.zeros(entries.shape[0], dtype=bool),
        shape=image.shape[:2],
        method=MAPPED,
        space=space,
        n_colors=entries.shape[0],
        seed=0,
        started=started,
    )
    return codes, fit


def map_to_palette(
    image: np.ndarray,
    palette: ArrayLike,
    *,
    space: str = "rgb",
    dither: bool | float = False,
    dither_kind: str = "diffusion",
) -> Quantized:
    """Rebuild an image from a given palette: every pixel takes one of its colours.

    Parameters
    ----------
    image : (H, W, 3) or (H, W, 4) uint8 array
        An RGB image, or an RGBA one: the palette's colours are then opaque entries,
        one transparent entry is added for its pixels of alpha 0 (so a palette of 256
        colours leaves no room for it), and each partly transparent pixel takes the
        entry nearest it in premultiplied RGBA (:mod:`quant.alpha`).
    palette : (k, 3) array-like of int
        1 to 256 colours, as an array or a list of (r, g, b) triples (0–255), e.g. a
        preset or a palette file read by :func:`quant.read_palette`; equal entries
        count once.
    space : {"rgb", "lab"}, default "rgb"
        Where "nearest" is measured.
    dither : bool or float, default False
        Dithering strength, as in :func:`quant.quantize`.
    dither_kind : {"diffusion", "ordered"}, default "diffusion"
        As in :func:`quant.quantize`.

    Returns
    -------
    Quantized
        ``method`` is ``"palette"`` and ``n_colors`` the number of distinct entries.
        Every output colour is an entry; every entry is kept, those no pixel takes
        at the end with count 0, so a viewer can say which are unused. ``pinned``
        is all False.

    Raises
    ------
    ImageError
        If ``palette`` is not 1 to 256 colours, or ``space``, ``dither`` or
        ``dither_kind`` is not accepted.
    ValueError
        If ``image`` is not an (H, W, 3) or (H, W, 4) uint8 array.

    Examples
    --------
    >>> import numpy as np
    >>> image = np.zeros((2, 2, 3), dtype=np.uint8); image[0, 0] = 250
    >>> result = map_to_palette(image, [(255, 255, 255), (0, 0, 0), (255, 0, 0)])
    >>> result.palette.tolist(), result.counts.tolist(), result.method
    ([[0, 0, 0], [255, 255, 255], [255, 0, 0]], [3, 1, 0], 'palette')
    """
    with _THREADPOOLS.limit(limits=1):
        started = time.perf_counter()
        image = check_image(image, alpha=True)
        strength = _check_dither(dither)
        _check_dither_kind(dither_kind)
        if image.shape[2] == 4:
            from quant.alpha import apply_rgba, fit_rgba

            parts, fit = fit_rgba(image, 0, method=MAPPED, space=space, seed=0, given=check_palette(palette))
            return apply_rgba(image, fit, dither=strength, dither_kind=dither_kind, started=started, parts=parts)
        codes, fit = _map_fit(image, palette, space=space)
        return _apply_palette(image, codes, fit, dither=dither, dither_kind=dither_kind, started=started)


def recolor(result: Result, palette: ArrayLike) -> Result:
    """The same result with its entries given new colours: what editing a swatch does.

    Each colour (or pixel) keeps its entry; only the entries' colours change, so
    ``labels``, ``color_labels``, ``counts``, ``pairs`` and ``pinned`` stay as they
    are, and the entries are *not* reordered. The error is recomputed exactly, from
    the colour histogram: per distinct colour for a :class:`PaletteFit` or an
    undithered :class:`Quantized`, per (colour, entry) pair for a dithered one.

    Parameters
    ----------
    result : PaletteFit or Quantized
        A result of :func:`quant.fit_palette`, :func:`quant.quantize`,
        :func:`map_to_palette` and the like.
    palette : (k, 3) array-like of int
        The new colours, one per entry of ``result.palette`` (the same ``k``), whole
        numbers 0 to 255. Equal entries are allowed: the result then holds the
        same colour twice (no longer its nearest-colour mapping, nor duplicate-free).

    Returns
    -------
    PaletteFit or Quantized
        The same type, with the new ``palette`` and ``mse`` (and, for a
        :class:`Quantized`, ``image``); ``seconds`` and the other fields unchanged.
        A result of an RGBA image keeps its entries' ``alpha``; its error stays the
        premultiplied RGBA one.

    Raises
    ------
    ImageError
        If ``palette`` is not colours, or not one per entry.
    ValueError
        If a :class:`Quantized` records neither its source histogram with
        ``color_labels`` nor its ``pairs`` (the engine's results always do).

    Examples
    --------
    >>> import numpy as np
    >>> from quant import fit_palette
    >>> image = np.zeros((2, 2, 3), dtype=np.uint8); image[0, 0] = 250
    >>> fit = fit_palette(image, 2)
    >>> edited = recolor(fit, [(0, 0, 0), (255, 255, 255)])
    >>> edited.palette.tolist(), edited.mse
    ([[0, 0, 0], [255, 255, 255]], 6.25)
    """
    colors = check_colors(palette, name="palette")
    if colors.shape != result.palette.shape:
        raise ImageError(
            f"palette must give one colour per entry of the result, shape {result.palette.shape}, "
            f"got shape {colors.shape}."
        )
    colors.flags.writeable = False
    histogram = result.source
    with _THREADPOOLS.limit(limits=1):
        if result.transparency is not None:
            from quant.alpha import recolor_rgba

            return recolor_rgba(result, colors)
        if isinstance(result, PaletteFit):
            n_pixels = result.shape[0] * result.shape[1]
            squared = _squared_error(histogram.colors, _histogram_weights(histogram), _reconstruct(colors, result.color_labels))
            return dataclasses.replace(result, palette=colors, mse=squared / (3 * n_pixels))
        n_pixels = result.labels.size
        if histogram is not None and result.pairs is not None:
            pairs = result.pairs
            squared = _squared_error(histogram.colors[pairs.colors], pairs.counts.astype(np.float64), _reconstruct(colors, pairs.labels))
        elif histogram is not None and result.color_labels is not None:
            squared = _squared_error(histogram.colors, _histogram_weights(histogram), _reconstruct(colors, result.color_labels))
        else:
            raise ValueError("result records neither its colour histogram with color_labels nor its pairs: its error cannot be recomputed.")
        image = _reconstruct(colors, result.labels)
        return dataclasses.replace(result, palette=colors, image=image, mse=squared / (3 * n_pixels))
