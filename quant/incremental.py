"""Measures and files of a result whose palette entries are given new colours, made
from those of the result by redoing only what the new colours change.

Recolouring a result (:func:`quant.recolor`: each pixel keeps its entry, entries get
new colours) changes the error of the pixels of the edited entries only. An editor
that recolours one result again and again (the dashboard's entry inspector) keeps the
result's error summed per entry (:func:`entry_errors`) and, at each edit, measures
the colours of the changed entries again (:func:`recolored_errors`): the cost follows
the edited entries' share of the colours, not the image. Each entry's sum adds the
same terms in the same order as measuring every colour would, so the sums are those
of the recoloured result bit for bit.

An indexed PNG stores the palette apart from the pixels: :func:`recolor_png` rewrites
the palette chunk of the result's file, and leaves its compressed pixels as they are.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from quant.colors import ColorHistogram
from quant.errors import ImageError
from quant.metrics import Metrics, _delta_e, _histogram_lab, _lab_of_colors, _psnr
from quant.modes import WHITE, check_background, composite
from quant.palette import _THREADPOOLS, _histogram_weights
from quant.pinned import check_colors
from quant.results import PaletteFit, Quantized

__all__ = ["EntryErrors", "entry_errors", "recolor_png", "recolored_errors"]


@dataclass(frozen=True, eq=False)
class _Pairs:
    """(Original colour, entry) pairs that one part of a result's error sums over, with
    their pixel counts: opaque colours, rows ``index`` of ``histogram`` (None: every
    colour once, in order), or partly transparent ones, ``colors`` in straight RGBA."""

    labels: np.ndarray
    weights: np.ndarray
    histogram: ColorHistogram | None = None
    index: np.ndarray | None = None
    colors: np.ndarray | None = None


@dataclass(frozen=True, eq=False)
class EntryErrors:
    """A result's error summed per palette entry: what :func:`recolored_errors` needs to
    measure the result with some entries recoloured, without measuring the others again.

    Made by :func:`entry_errors`. It keeps the result's colour histogram, its
    ``color_labels`` or ``pairs`` and its partly transparent colours, not its pixels.

    Attributes
    ----------
    palette : (k, 3) uint8 array
        The colours measured.
    alpha : (k,) uint8 array
        Each entry's opacity, as in the result.
    squared : (k,) float64 array
        Per entry, the squared error of its pixels summed over them and the channels
        (premultiplied R, G, B and A for a result of an RGBA image, as its ``mse``).
    delta_e : (k,) float64 array
        Per entry, the CIEDE2000 ΔE of its pixels summed over them (for an RGBA image,
        of both sides composited on ``metrics.background``).
    metrics : Metrics
        The result's measures: ``squared`` and ``delta_e`` summed and averaged; no SSIM.
    """

    palette: np.ndarray
    alpha: np.ndarray
    squared: np.ndarray
    delta_e: np.ndarray
    metrics: Metrics
    n_pixels: int = field(repr=False)
    parts: tuple[_Pairs, ...] = field(repr=False)


def _entry_sums(
    part: _Pairs, entries: np.ndarray, entry_lab: np.ndarray, background: tuple[int, int, int] | None, changed: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """Per entry, the squared error and the ΔE of the pairs of ``part`` whose entry is
    ``changed`` (every pair with None), against ``entries`` ((k, 4) straight RGBA)."""
    k = entries.shape[0]
    rows = slice(None) if changed is None else np.flatnonzero(changed[part.labels])
    labels, weights = part.labels[rows], part.weights[rows]
    if labels.size == 0:
        return np.zeros(k), np.zeros(k)
    if part.histogram is not None:
        which = rows if part.index is None else part.index[rows]
        diff = part.histogram.colors[which].astype(np.int32) - entries[labels, :3]
        lab = _histogram_lab(part.histogram)[which]
    else:
        from quant.alpha import premultiply

        colors = part.colors[rows]
        diff = premultiply(colors) - premultiply(entries[labels])
        lab = _lab_of_colors(composite(colors[np.newaxis], background)[0])
    # The products are those quant.metrics and quant.recolor sum; each entry's sum
    # adds them in the same order whether all pairs or only the changed are measured.
    squared = weights * np.einsum("ij,ij->i", diff, diff)
    delta_e = _delta_e(lab, entry_lab[labels]).astype(np.float64) * weights
    return np.bincount(labels, weights=squared, minlength=k), np.bincount(labels, weights=delta_e, minlength=k)


def _entries_lab(entries: np.ndarray, background: tuple[int, int, int] | None) -> np.ndarray:
    """Lab of the entries as ΔE sees them: composited on ``background`` with transparency."""
    flat = entries[:, :3] if background is None else composite(entries[np.newaxis], background)[0]
    return _lab_of_colors(np.ascontiguousarray(flat))


def _errors(
    palette: np.ndarray, alpha: np.ndarray, parts: tuple[_Pairs, ...], base: EntryErrors | None, *,
    n_pixels: int, changed_visibility: int | None, background: tuple[int, int, int] | None,
) -> EntryErrors:
    """The :class:`EntryErrors` of ``palette``: every pair measured, or with ``base`` only
    those of the entries whose colour differs from ``base.palette``."""
    entries = np.column_stack([palette, alpha])
    entry_lab = _entries_lab(entries, background)
    changed = None
    squared, delta_e = np.zeros(palette.shape[0]), np.zeros(palette.shape[0])
    if base is not None:
        changed = np.any(palette != base.palette, axis=1)
        squared, delta_e = np.where(changed, 0.0, base.squared), np.where(changed, 0.0, base.delta_e)
    for part in parts:
        part_squared, part_delta_e = _entry_sums(part, entries, entry_lab, background, changed)
        squared += part_squared
        delta_e += part_delta_e
    channels = 3 if background is None else 4
    mse = float(squared.sum()) / (channels * n_pixels)
    measured = Metrics(
        mse=mse, psnr=_psnr(mse), ssim=None, delta_e=float(delta_e.sum()) / n_pixels,
        changed_visibility=changed_visibility, background=background,
    )
    return EntryErrors(
        palette=palette, alpha=alpha, squared=squared, delta_e=delta_e, metrics=measured, n_pixels=n_pixels, parts=parts
    )


def entry_errors(result: PaletteFit | Quantized, *, background: tuple[int, int, int] = WHITE) -> EntryErrors:
    """A result's error against the image it was made from, summed per palette entry.

    The start of an editor's measures: :func:`recolored_errors` then gives the
    measures of the result with any entries recoloured, measuring only the colours of
    the entries whose colour changed.

    Parameters
    ----------
    result : PaletteFit or Quantized
        A result of :func:`quant.fit_palette`, :func:`quant.quantize`,
        :func:`map_to_palette` and the like, or of :func:`recolor`.
    background : (r, g, b), default (255, 255, 255)
        For a result of an RGBA image: the colour both sides are composited on for
        ΔE, as in :func:`quant.metrics`. Unused otherwise.

    Returns
    -------
    EntryErrors
        Its ``metrics`` equal ``quant.metrics(original, result, ssim=False)`` to within
        float rounding (another order of summing), the MSE of an RGB result bit for bit.

    Raises
    ------
    ValueError
        If a :class:`Quantized` records neither its source histogram with
        ``color_labels`` nor its ``pairs`` (the engine's results always do), or
        ``background`` is not a colour.

    Examples
    --------
    >>> import numpy as np
    >>> from quant import fit_palette
    >>> image = np.zeros((2, 2, 3), dtype=np.uint8); image[0, 0] = 250
    >>> errors = entry_errors(fit_palette(image, 1))
    >>> errors.squared.tolist(), errors.metrics.mse
    ([140628.0], 11719.0)
    """
    histogram, tr = result.source, result.transparency
    pairs = getattr(result, "pairs", None)
    parts = []
    if histogram is not None and pairs is not None:
        parts.append(_Pairs(pairs.labels, pairs.counts.astype(np.float64), histogram=histogram, index=pairs.colors))
    elif histogram is not None and result.color_labels is not None:
        parts.append(_Pairs(result.color_labels, _histogram_weights(histogram), histogram=histogram))
    elif histogram is not None or tr is None:
        raise ValueError("result records neither its colour histogram with color_labels nor its pairs: its error cannot be measured.")
    changed_visibility = None
    if tr is not None:
        background = check_background(background)
        if tr.colors.shape[0]:
            parts.append(_Pairs(tr.labels, tr.counts.astype(np.float64), colors=tr.colors))
        entry_alpha = result.alpha[tr.labels]
        changed_visibility = int(tr.counts[(entry_alpha == 0) | (entry_alpha == 255)].sum())
    n_pixels = result.shape[0] * result.shape[1] if isinstance(result, PaletteFit) else result.labels.size
    with _THREADPOOLS.limit(limits=1):
        return _errors(
            result.palette, result.alpha, tuple(parts), None, n_pixels=n_pixels, changed_visibility=changed_visibility,
            background=background if tr is not None else None,
        )


def recolored_errors(errors: EntryErrors, palette: ArrayLike) -> EntryErrors:
    """The error of a result with its entries given new colours, from its :func:`entry_errors`:
    the colours (or dithered pairs) of the entries whose colour changed are measured again,
    the others' sums are kept.

    Parameters
    ----------
    errors : EntryErrors
        :func:`entry_errors` of the result (or what this function returned for it).
    palette : (k, 3) array-like of int
        The new colours, one per entry, as :func:`recolor` takes them.

    Returns
    -------
    EntryErrors
        Those of ``recolor(result, palette)``, bit for bit what :func:`entry_errors`
        gives for it; its ``metrics`` are then those of :func:`quant.metrics` with
        ``ssim=False`` to within float rounding. An entry edited back to its colour
        counts as unchanged.

    Raises
    ------
    ImageError
        If ``palette`` is not colours, or not one per entry.

    Examples
    --------
    >>> import numpy as np
    >>> from quant import fit_palette
    >>> image = np.zeros((2, 2, 3), dtype=np.uint8); image[0, 0] = 250
    >>> errors = entry_errors(fit_palette(image, 2))
    >>> recolored_errors(errors, [(0, 0, 0), (255, 255, 255)]).metrics.mse
    6.25
    """
    colors = check_colors(palette, name="palette")
    if colors.shape != errors.palette.shape:
        raise ImageError(
            f"palette must give one colour per entry of the result, shape {errors.palette.shape}, got shape {colors.shape}."
        )
    if np.array_equal(colors, errors.palette):
        return errors
    colors = colors.copy()  # check_colors may hand back the caller's own array
    colors.flags.writeable = False
    with _THREADPOOLS.limit(limits=1):
        return _errors(
            colors, errors.alpha, errors.parts, errors, n_pixels=errors.n_pixels,
            changed_visibility=errors.metrics.changed_visibility, background=errors.metrics.background,
        )


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def recolor_png(png: bytes, palette: ArrayLike) -> bytes:
    """An indexed PNG file with the colours of its palette replaced: the file of a
    recoloured result, made from the file of the result without touching its pixels.

    Parameters
    ----------
    png : bytes
        An indexed-colour PNG (colour type 3), such as :func:`quant.indexed_png` writes.
    palette : (k, 3) array-like of int
        The new colours, one per entry of the file's palette (its PLTE chunk), in the
        file's order: the result's order, unless the file has transparency (see
        :func:`quant.indexed_png_of_labels`).

    Returns
    -------
    bytes
        The file with its PLTE chunk's colours and checksum changed, every other byte
        as it was (a tRNS chunk keeps each entry's alpha). For an opaque file of
        :func:`quant.indexed_png_of_labels` this is, byte for byte, that function's
        file of the same labels with ``palette``.

    Raises
    ------
    ImageError
        If ``palette`` is not colours.
    ValueError
        If ``png`` is not an indexed PNG, or its palette holds another number of entries.

    Examples
    --------
    >>> import numpy as np
    >>> from quant import indexed_png_of_labels
    >>> labels = np.array([[0, 1]], dtype=np.uint8)
    >>> old = indexed_png_of_labels(labels, np.array([[0, 0, 0], [9, 9, 9]], np.uint8))
    >>> new = np.array([[255, 0, 0], [9, 9, 9]], np.uint8)
    >>> recolor_png(old, new) == indexed_png_of_labels(labels, new)
    True
    """
    colors = check_colors(palette, name="palette")
    data = bytes(png)
    if not data.startswith(_PNG_SIGNATURE) or data[12:16] != b"IHDR" or len(data) < 33 or data[25] != 3:
        raise ValueError("png must be an indexed-colour PNG file (colour type 3).")
    start = len(_PNG_SIGNATURE)
    while start + 12 <= len(data):
        (length,) = struct.unpack(">I", data[start : start + 4])
        kind = data[start + 4 : start + 8]
        if kind == b"PLTE":
            if length != 3 * colors.shape[0]:
                raise ValueError(f"the file's palette has {length // 3} entries, got {colors.shape[0]} colours.")
            body = kind + colors.astype(np.uint8).tobytes()
            chunk = data[start : start + 4] + body + struct.pack(">I", zlib.crc32(body))
            return data[:start] + chunk + data[start + 12 + length :]
        if kind in (b"IDAT", b"IEND"):
            break
        start += 12 + length
    raise ValueError("png has no palette (PLTE chunk) before its pixels.")
