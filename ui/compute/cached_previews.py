"""Screen-sized previews of dithered tiles, drawn while their full-size pictures are made.

Without dithering a tile's measures come from the colour histogram. With dithering
each pixel's colour depends on its neighbours' errors, so the exact measures need the
whole full-size picture dithered: about two core-seconds for a 12-megapixel photo,
more than a visitor should wait to see anything. The palette needs none of it
(dithering maps the pixels to the palette of the plain tile, :func:`ui.compute.cached.fit`),
so the Reconstructions grid first shows each palette applied with the same dithering
to the original's tile-sized copy (:func:`ui.compute.cached.original_small`), and says so;
the full-size picture and its exact measures replace it when they are ready.

A preview is not the full-size result shrunk: dithering at screen size spreads its
noise over screen pixels, where the full-size picture's noise is averaged away by the
shrinking. The page never shows a preview's numbers.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

import quant
from ui.compute import cached
from ui.compute.store import STORE
from ui.compute.waiting import side_by_side, stored
from ui.frame.state import ImageRef, Settings

__all__ = ["TilePreview", "previews_needed", "tile_preview", "tile_previews"]


@dataclass(frozen=True)
class TilePreview:
    """A dithered tile drawn at screen size: its palette, and no measure."""

    n_colors: int
    method: str
    palette: np.ndarray
    """The palette, in the plain tile's order (the full-size tile orders it by its dithered counts)."""
    pinned: np.ndarray
    """Which entries are pinned colours (bool, one per entry)."""
    picture: cached.Picture
    """The original's tile-sized copy mapped to the palette with the settings' dithering."""


def previews_needed(ref: ImageRef, tiles: Sequence[tuple[int, str]], settings: Settings) -> bool:
    """Whether the grid should show previews first: the tiles are dithered, the image is
    opaque, and some full-size tile is not held yet.

    An image with transparency keeps its see-through entries only in the full-size
    result, so it has no preview.
    """
    if not settings.dither or not tiles or cached.facts(ref).has_alpha:
        return False
    return any(STORE.peek(cached.tile_key("tile", ref, n_colors, method, settings)) is None for n_colors, method in tiles)


def tile_preview(ref: ImageRef, n_colors: int, method: str, settings: Settings) -> TilePreview:
    """One tile's palette dithered onto the original's tile-sized copy (see the module).

    The palette itself is the full-size fit (a heavy job only if not held yet); the
    mapping is screen-sized work, outside the gate.

    Raises
    ------
    quant.ImageError
        For a palette size or method ``quant`` does not accept.
    """

    def make() -> TilePreview:
        fitted = cached.fit(ref, n_colors, method, settings)
        mapped = quant.map_to_palette(
            cached.original_small(ref), fitted.palette, space=settings.space, dither=settings.dither,
            dither_kind=settings.dither_kind,
        )
        palette, pinned = fitted.palette.copy(), fitted.pinned.copy()
        cached.read_only(palette, pinned)
        return TilePreview(
            n_colors=int(n_colors), method=method, palette=palette, pinned=pinned,
            picture=cached.screen_picture(mapped.image, tile=True),
        )

    return stored(cached.tile_key("preview", ref, n_colors, method, settings), make, heavy=False)


def tile_previews(ref: ImageRef, tiles: Sequence[tuple[int, str]], settings: Settings) -> Iterator[TilePreview]:
    """:func:`tile_preview` of several tiles, two at a time, yielded in the order asked."""
    return side_by_side([functools.partial(tile_preview, ref, n_colors, method, settings) for n_colors, method in tiles])
