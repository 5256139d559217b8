"""Reconstructions' door for one palette entry: a tile with some entries edited by the
visitor, and a picture of where one entry's pixels are.

An edit changes colours, never which pixels an entry paints (``quant.recolor``): no
refit, so the tile, its exact measures and its PNG follow at once. Edits are given as
a tuple of ``(entry index, "#rrggbb")`` pairs, part of every key. Full-size work
(the PNG, the highlighted picture) goes through the gate like every heavy result.

An edit redoes only what the new colours change. The tile's error is kept summed per
entry (:func:`quant.incremental.entry_errors`, once per tile), and each edit measures
again the colours of the edited entries only. When the tile shows the image at full
size (it is under the tile's pixel budget) and has no transparency, every picture of
it is its labels with some palette: the tile's indexed PNG with its palette chunk
rewritten (:func:`quant.incremental.recolor_png`), no pixel rebuilt or compressed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

import quant
from quant.incremental import EntryErrors, entry_errors, recolor_png, recolored_errors
from ui.compute import cached
from ui.compute.waiting import stored
from ui.frame.state import ImageRef, Settings

if TYPE_CHECKING:
    from ui.compute.cached_inspect import DetailPictures

__all__ = [
    "Edits",
    "edited_detail",
    "edited_palette",
    "edited_png",
    "edited_tile",
    "edits_of",
    "entry_picture",
    "pins_after_refit",
    "tile_identity",
]

Edits = tuple[tuple[int, str], ...]
"""Edited entries of one tile: (index into the tile's palette, new "#rrggbb"), by index."""

_VEIL = 0.78
"""How far the pixels of the other entries fade in :func:`entry_picture`: towards white
around a dark entry, towards near-black around a light one, so that it always stands out."""
_LIGHT_LUMA = 150.0
"""Rec. 601 luma above which an entry counts as light."""


def edited_palette(palette: np.ndarray, edits: Edits) -> np.ndarray:
    """``palette`` with the edited entries replaced (read-only)."""
    changed = np.array(palette, dtype=np.uint8, copy=True)
    for index, color in edits:
        if 0 <= index < changed.shape[0]:
            changed[index] = quant.parse_colors(color)[0]
    changed.flags.writeable = False
    return changed


def _key(kind: str, ref: ImageRef, n_colors: int, method: str, settings: Settings, edits: Edits) -> tuple:
    return (*cached.tile_key(kind, ref, n_colors, method, settings), edits)


def _errors(ref: ImageRef, n_colors: int, method: str, settings: Settings) -> EntryErrors:
    """The unedited tile's error per entry, from which every edit of it is measured
    (one job, once per tile): from the fit's colour histogram, or, dithered, from the
    tile's (colour, entry) pairs, mapped again (the tile keeps only its labels)."""

    def make() -> EntryErrors:
        fitted = cached.fit(ref, n_colors, method, settings)
        if settings.dither:
            fitted = quant.apply_palette(
                cached.pixels(ref), fitted, dither=settings.dither, dither_kind=settings.dither_kind
            )
        return entry_errors(fitted)

    return stored(_key("entry-errors", ref, n_colors, method, settings, ()), make)


def _labels_shown(ref: ImageRef) -> bool:
    """Whether a tile's picture is its labels with its palette: the image is opaque and
    under the tile's pixel budget (its tile is not downscaled)."""
    image = cached.pixels(ref)
    return image.shape[-1] == 3 and cached.original_small(ref).shape[:2] == image.shape[:2]


def _rebuilt(ref: ImageRef, full: cached.FullLabels, palette: np.ndarray) -> np.ndarray:
    """The full-size picture of ``full``'s labels with ``palette`` (with each entry's
    alpha, for an image with transparency)."""
    return full.picture(palette) if cached.pixels(ref).shape[-1] == 4 else palette[full.labels]


def _picture(ref: ImageRef, n_colors: int, method: str, settings: Settings, palette: np.ndarray) -> cached.Picture:
    """The tile's picture with ``palette``: the tile's indexed PNG recoloured when the
    tile is its labels, else rebuilt at full size and shrunk like the tile's."""
    if _labels_shown(ref):
        height, width = cached.pixels(ref).shape[:2]
        png = recolor_png(cached.indexed_png(ref, n_colors, settings, method=method), palette)
        return cached.Picture(png=png, width=width, height=height)
    full = cached.full_labels(ref, n_colors, method, settings)
    return cached.screen_picture(_rebuilt(ref, full, palette), tile=True)


def edited_tile(ref: ImageRef, n_colors: int, settings: Settings, edits: Edits, *, method: str | None = None) -> cached.Reconstruction:
    """The tile of :func:`ui.compute.cached.reconstruction` with ``edits`` applied: the
    same pixels per entry, the new colours, the exact measures of the result.

    The measures are the unedited tile's with the edited entries' colours (or, with
    dithering, (colour, entry) pairs) measured again: equal to measuring the edited
    full-size picture, to within float rounding.
    """
    method = method or settings.method
    tile = cached.reconstruction(ref, n_colors, settings, method=method)
    if not edits:
        return tile

    def make() -> cached.Reconstruction:
        palette = edited_palette(tile.palette, edits)
        measured = recolored_errors(_errors(ref, n_colors, method, settings), palette).metrics
        return dataclasses.replace(tile, palette=palette, metrics=measured, preview=_picture(ref, n_colors, method, settings, palette))

    return stored(_key("edited", ref, n_colors, method, settings, edits), make)


def edited_png(ref: ImageRef, n_colors: int, settings: Settings, edits: Edits, *, method: str | None = None) -> bytes:
    """The full-size indexed PNG of an edited tile: the tile's labels, the new colours.

    Byte for byte ``quant.indexed_png_of_labels`` of them; made from the tile's PNG by
    rewriting its palette when the image is opaque.
    """
    method = method or settings.method
    if not edits:
        return cached.indexed_png(ref, n_colors, settings, method=method)

    def make() -> bytes:
        full = cached.full_labels(ref, n_colors, method, settings)
        palette = edited_palette(full.palette, edits)
        if cached.pixels(ref).shape[-1] == 3:
            return recolor_png(cached.indexed_png(ref, n_colors, settings, method=method), palette)
        # With transparency the file orders its entries by alpha and lightness: written anew.
        return quant.indexed_png_of_labels(full.labels, palette, alpha=full.alpha)

    return stored(_key("edited-png", ref, n_colors, method, settings, edits), make)


def entry_picture(
    ref: ImageRef, n_colors: int, settings: Settings, edits: Edits, index: int, *, method: str | None = None
) -> cached.Picture:
    """The tile's picture with the pixels of entry ``index`` as they are and every other
    pixel faded (towards white, or towards black for a light entry): where that entry
    paints."""
    method = method or settings.method

    def make() -> cached.Picture:
        full = cached.full_labels(ref, n_colors, method, settings)
        palette = edited_palette(full.palette, edits)
        luma = float(palette[index].astype(np.float64) @ np.array([0.299, 0.587, 0.114]))
        veil = 24.0 if luma > _LIGHT_LUMA else 255.0
        table = np.rint(palette * (1 - _VEIL) + veil * _VEIL).astype(np.uint8)
        table[index] = palette[index]
        return _picture(ref, n_colors, method, settings, table)

    return stored((*_key("entry", ref, n_colors, method, settings, edits), int(index)), make)


def edited_detail(
    ref: ImageRef, n_colors: int, settings: Settings, edits: Edits, *, centre: tuple[int, int], zoom: int, method: str | None = None
) -> DetailPictures:
    """:func:`ui.compute.cached_inspect.detail_pictures` of an edited tile. For an opaque
    image the unedited one's original and locator are kept, and only the region of the
    reconstruction is made again: its labels as an indexed PNG with the new colours."""
    from ui.compute import cached_inspect  # which imports this module

    method = method or settings.method
    if not edits or cached.pixels(ref).shape[-1] == 4:
        return cached_inspect.detail_pictures(ref, n_colors, settings, centre=centre, zoom=zoom, method=method, edits=edits)
    region = cached_inspect.detail_pictures(ref, n_colors, settings, centre=centre, zoom=zoom, method=method)

    def make() -> bytes:
        full = cached.full_labels(ref, n_colors, method, settings)
        window = full.labels[region.top : region.top + region.height, region.left : region.left + region.width]
        magnified = np.repeat(np.repeat(window, zoom, axis=0), zoom, axis=1) if zoom > 1 else window
        return quant.indexed_png_of_labels(np.ascontiguousarray(magnified), edited_palette(full.palette, edits), compress_level=1)

    key = (*_key("detail-edited", ref, n_colors, method, settings, edits), region.top, region.left, region.height, zoom)
    return dataclasses.replace(region, reconstruction_png=stored(key, make, heavy=False))


def tile_identity(ref: ImageRef, n_colors: int, method: str, settings: Settings) -> str:
    """A short text naming a tile's palette, under which its edits are remembered."""
    return repr(cached.tile_key("edits", ref, n_colors, method, settings))


def edits_of(all_edits: dict, identity: str) -> Edits:
    """The edits remembered for one tile, as a sorted tuple (a key part)."""
    return tuple(sorted(all_edits.get(identity, {}).items()))


def pins_after_refit(pins: Sequence[str], palette: np.ndarray, edits: Edits) -> tuple[str, ...]:
    """"Refit the rest": the pins so far and every edited entry's new colour."""
    edited = quant.palette_hex(edited_palette(palette, edits))
    added = [edited[index] for index, _ in edits if 0 <= index < len(edited)]
    return tuple(dict.fromkeys([*pins, *added]))
