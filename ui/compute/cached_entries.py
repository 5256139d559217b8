"""Reconstructions' door for one palette entry: a tile with some entries edited by the
visitor, and a picture of where one entry's pixels are.

An edit changes colours, never which pixels an entry paints (``quant.recolor``): no
refit, so the tile, its exact measures and its PNG follow at once. Edits are given as
a tuple of ``(entry index, "#rrggbb")`` pairs, part of every key. Full-size work
(the PNG, the highlighted picture) goes through the gate like every heavy result.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

import quant
from ui.compute import cached
from ui.compute.waiting import stored
from ui.frame.state import ImageRef, Settings

__all__ = ["Edits", "edited_palette", "edited_png", "edited_tile", "edits_of", "entry_picture", "pins_after_refit", "tile_identity"]

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


def edited_tile(ref: ImageRef, n_colors: int, settings: Settings, edits: Edits, *, method: str | None = None) -> cached.Reconstruction:
    """The tile of :func:`ui.compute.cached.reconstruction` with ``edits`` applied: the
    same pixels per entry, the new colours, the exact measures of the result.

    Without dithering the measures come from the colour histogram (``quant.recolor`` of
    the fit); with dithering, from the full-size picture rebuilt with the new colours.
    """
    method = method or settings.method
    tile = cached.reconstruction(ref, n_colors, settings, method=method)
    if not edits:
        return tile

    def make() -> cached.Reconstruction:
        image = cached.pixels(ref)
        palette = edited_palette(tile.palette, edits)
        full = cached.full_labels(ref, n_colors, method, settings)
        rebuilt = palette[full.labels]
        if settings.dither:
            measured = quant.metrics(image, rebuilt, ssim=False)
        else:
            measured = quant.metrics(image, quant.recolor(cached.fit(ref, n_colors, method, settings), palette), ssim=False)
        return dataclasses.replace(tile, palette=palette, metrics=measured, preview=cached.screen_picture(rebuilt, tile=True))

    return stored(_key("edited", ref, n_colors, method, settings, edits), make)


def edited_png(ref: ImageRef, n_colors: int, settings: Settings, edits: Edits, *, method: str | None = None) -> bytes:
    """The full-size indexed PNG of an edited tile: the tile's labels, the new colours."""
    method = method or settings.method
    if not edits:
        return cached.indexed_png(ref, n_colors, settings, method=method)

    def make() -> bytes:
        full = cached.full_labels(ref, n_colors, method, settings)
        return quant.indexed_png_of_labels(full.labels, edited_palette(full.palette, edits))

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
        return cached.screen_picture(table[full.labels], tile=True)

    return stored((*_key("entry", ref, n_colors, method, settings, edits), int(index)), make)


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
