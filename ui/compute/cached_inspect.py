"""Reconstructions' tools for looking closer: a tile's full-size pixels at 1:1
(:func:`detail`, :func:`detail_pictures`) and the smallest palette that meets a quality
target (:func:`smallest_palette`). Cut from, and stored beside, the tiles of
:mod:`ui.compute.cached`."""

from __future__ import annotations

import io
import time
from dataclasses import dataclass

import numpy as np
from PIL import Image

import quant
from ui.compute import cached, cached_entries
from ui.compute.waiting import stored
from ui.figures import pictures
from ui.frame.state import ImageRef, Settings

__all__ = ["DETAIL_SIZE", "Detail", "DetailPictures", "QualityTarget", "detail", "detail_pictures", "smallest_palette"]

DETAIL_SIZE = 320
"""Side of the 1:1 detail in screen pixels (the region is half of it at 2:1)."""


@dataclass(frozen=True)
class Detail:
    """A square region of the original and of a reconstruction, pixel for pixel."""

    top: int
    left: int
    original: np.ndarray
    reconstruction: np.ndarray


def detail(
    ref: ImageRef,
    n_colors: int,
    settings: Settings,
    *,
    top: int,
    left: int,
    size: int = DETAIL_SIZE,
    method: str | None = None,
    edits: cached_entries.Edits = (),
) -> Detail:
    """A ``size`` × ``size`` region (clipped to the image) of the full-size original and
    of a tile's full-size reconstruction (with the visitor's ``edits`` of its palette),
    cut at (``top``, ``left``), moved inside the image."""
    method = method or settings.method
    image = cached.pixels(ref)
    height, width = image.shape[:2]
    top = int(min(max(0, top), max(0, height - size)))
    left = int(min(max(0, left), max(0, width - size)))
    full = cached.full_labels(ref, n_colors, method, settings)
    window = (slice(top, top + size), slice(left, left + size))
    original = np.array(image[window])
    reconstruction = full.picture(cached_entries.edited_palette(full.palette, edits), window)
    cached.read_only(original, reconstruction)
    return Detail(top=top, left=left, original=original, reconstruction=reconstruction)


@dataclass(frozen=True)
class DetailPictures:
    """A :class:`Detail` ready for the screen: both regions magnified and encoded once,
    and a small copy of the picture with the region outlined."""

    top: int
    left: int
    height: int
    width: int
    original_png: bytes
    reconstruction_png: bytes
    locator_png: bytes


def _png(picture: np.ndarray) -> bytes:
    """``picture`` as a PNG for the screen; with transparency, over a light checkerboard."""
    buffer = io.BytesIO()
    Image.fromarray(pictures.on_checkerboard(picture)).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def _magnified(picture: np.ndarray, zoom: int) -> np.ndarray:
    """Every pixel drawn as a ``zoom`` × ``zoom`` block, so the browser has nothing to smooth."""
    return np.repeat(np.repeat(picture, zoom, axis=0), zoom, axis=1) if zoom > 1 else picture


def detail_pictures(
    ref: ImageRef,
    n_colors: int,
    settings: Settings,
    *,
    centre: tuple[int, int],
    zoom: int,
    method: str | None = None,
    edits: cached_entries.Edits = (),
) -> DetailPictures:
    """:func:`detail` around ``centre`` (row, column) at ``zoom`` (1 or 2), as PNGs kept
    in the store, so that a page redrawn with the same region encodes nothing."""
    method = method or settings.method
    size = DETAIL_SIZE // zoom

    def make() -> DetailPictures:
        region = detail(
            ref, n_colors, settings, top=centre[0] - size // 2, left=centre[1] - size // 2, size=size, method=method,
            edits=edits,
        )
        height, width = region.original.shape[:2]
        small = cached.original_small(ref)
        full_height, full_width = cached.pixels(ref).shape[:2]
        box = (
            region.left / full_width,
            region.top / full_height,
            (region.left + width) / full_width,
            (region.top + height) / full_height,
        )
        return DetailPictures(
            top=region.top,
            left=region.left,
            height=height,
            width=width,
            original_png=_png(_magnified(region.original, zoom)),
            reconstruction_png=_png(_magnified(region.reconstruction, zoom)),
            locator_png=_png(pictures.outlined(small, box)),
        )

    key = (*cached.tile_key("detail", ref, n_colors, method, settings), centre, zoom, edits)
    return stored(key, make)


@dataclass(frozen=True)
class QualityTarget:
    """What :func:`smallest_palette` found for a target mean ΔE.

    ``n_colors`` is None when even the largest palette misses; ``message`` then says so.
    """

    max_delta_e: float
    n_colors: int | None
    delta_e: float | None
    tried: tuple[tuple[int, float], ...]
    """Every size measured on the full image, with its mean ΔE, in the order tried."""
    guide_tried: int
    """Sizes measured on the subsample that guided the search."""
    seconds: float
    message: str = ""


def smallest_palette(ref: ImageRef, max_delta_e: float, settings: Settings) -> QualityTarget:
    """The fewest colours whose palette (the sidebar's method, space and seed, without
    dithering) has a mean CIEDE2000 ΔE at most ``max_delta_e`` on the full-size image.

    Only the size is kept: the tile is :func:`reconstruction` of that size, whose palette
    is the same. A target that even 256 colours miss is kept as an answer too, so
    that asking again does not search again.

    Raises
    ------
    quant.ImageError
        For a target ``quant`` does not accept (not a positive number).
    """
    target = float(max_delta_e)

    def make() -> QualityTarget:
        started = time.perf_counter()
        try:
            search = quant.smallest_fit(
                cached.pixels(ref), max_delta_e=target, method=settings.method, space=settings.space, seed=settings.seed,
                fixed=cached.colors_of(settings.pins),
            )
        except quant.ImageError as err:
            if not str(err).startswith("No palette of at most"):
                raise
            return QualityTarget(target, None, None, (), 0, time.perf_counter() - started, str(err))
        return QualityTarget(
            max_delta_e=target,
            n_colors=search.n_colors,
            delta_e=search.delta_e,
            tried=tuple(search.tried.items()),
            guide_tried=len(search.guide_tried),
            seconds=time.perf_counter() - started,
        )

    return stored(("smallest", ref.digest, target, settings.method, settings.space, settings.seed, settings.pins), make)
