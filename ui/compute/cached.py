"""The dashboard's only door into ``quant``: stored results, keyed on content digests.

Views from the histogram, full resolution on demand. What a page shows first is
computed from the image's colour histogram and screen-sized pictures: a palette and
its exact error (:func:`palette_view`), a grid tile (:func:`reconstruction`). Full-size
artefacts, the indexed PNG of a tile (:func:`indexed_png`) and its 1:1 detail
(:mod:`ui.compute.cached_inspect`), are made when a page asks for them, after its view is on
screen. The k-means page has its own door beside this one, :mod:`ui.compute.cached_steps`.

Heavy results live in :data:`ui.compute.store.STORE`: one process-wide store bounded by the
bytes it holds, shared by every visitor, one computation per key, and every
full-size computation admitted by the gate :data:`ui.compute.gate.HEAVY`; :mod:`ui.compute.waiting`
keeps a page's place in line and shows it. Keys are the image's digest (see
:class:`ui.frame.state.ImageRef`) plus the parameters, never the pixels. Values are shared,
so they are immutable: frozen dataclasses, read-only arrays, bytes.

Plotly figures are cached as resources with ``max_entries``: they are small, and
building one validates every point colour.
"""

from __future__ import annotations

import functools
import hashlib
import io
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from PIL import Image

import quant
from quant.alpha import reconstruct_rgba
from ui.compute.gate import HEAVY
from ui.compute.shared_figures import shared_figure
from ui.compute.store import STORE
from ui.compute.waiting import side_by_side, stored
from ui.figures import cloud, pictures
from ui.frame import samples
from ui.frame.state import ImageRef, Settings

__all__ = [
    "CLOUD_SAMPLES",
    "PREVIEW_PIXELS",
    "TILE_PIXELS",
    "FullLabels",
    "ImageFacts",
    "BROUGHT",
    "PaletteView",
    "Picture",
    "Reconstruction",
    "cloud_figures",
    "color_sample",
    "colors_of",
    "downscaled",
    "facts",
    "fit",
    "full_labels",
    "indexed_png",
    "indexed_pngs",
    "original_picture",
    "original_small",
    "palette_choice",
    "palette_view",
    "pixels",
    "reconstruction",
    "read_only",
    "reconstructions",
    "sample_ref",
    "screen_picture",
    "tile_key",
    "upload_ref",
    "visible_pixels",
    "warm_up",
]


PREVIEW_PIXELS = 1_500_000
"""Pixel budget of the big picture on screen; downloads stay full size."""
PREVIEW_WIDTH = 1460
"""Streamlit re-encodes images wider than this (its largest content width), so stay under."""
TILE_PIXELS = 600_000
"""Pixel budget of a reconstruction tile in the grid."""
TILE_WIDTH = 960
CLOUD_SAMPLES = 5000
"""Colours drawn for the 3D cloud: enough to see the shape, small enough for the browser."""
_CLOUD_SEED = 0
"""The cloud's sample stays put when the sidebar seed changes; only the palette moves."""


@dataclass(frozen=True)
class Picture:
    """A downscaled image encoded once as PNG, ready for ``st.image``."""

    png: bytes
    width: int
    height: int


@dataclass(frozen=True)
class ImageFacts:
    """Size, exact number of distinct colours and transparency of an image."""

    height: int
    width: int
    n_colors: int
    """Distinct colours (:func:`quant.count_colors`: with transparency, the visible
    RGBA values and one for all the fully transparent pixels)."""
    raw_bytes: int
    """Size as plain 24-bit RGB, or 32-bit RGBA when the image has transparency."""
    n_transparent: int = 0
    """Pixels with alpha 0."""
    n_partial: int = 0
    """Pixels with alpha 1 to 254."""
    has_alpha: bool = False
    """The image was loaded with an alpha channel (it has some transparency)."""

    @property
    def n_pixels(self) -> int:
        return self.height * self.width

    @property
    def n_visible(self) -> int:
        """Pixels one can see (alpha above 0)."""
        return self.n_pixels - self.n_transparent


@dataclass(frozen=True)
class PaletteView:
    """A palette and its exact error, without any per-pixel array."""

    n_colors: int
    method: str
    palette: np.ndarray
    counts: np.ndarray
    mse: float
    pinned: np.ndarray
    """Which entries are pinned colours (bool, one per entry)."""
    alpha: np.ndarray
    """Each entry's opacity (uint8, one per entry; all 255 for an image without transparency)."""

    @property
    def k(self) -> int:
        """Colours actually used (can be fewer than asked for)."""
        return int(self.palette.shape[0])


@dataclass(frozen=True)
class Reconstruction:
    """One grid tile: the palette, its exact measures and a screen-sized picture.

    The full-size indexed PNG is not part of it: :func:`indexed_png` makes it on demand.
    """

    n_colors: int
    method: str
    space: str
    dither: float
    seed: int
    palette: np.ndarray
    counts: np.ndarray
    metrics: quant.Metrics
    preview: Picture
    seconds: float
    pinned: np.ndarray
    """Which entries are pinned colours (bool, one per entry)."""
    alpha: np.ndarray
    """Each entry's opacity (uint8, one per entry; all 255 for an image without transparency)."""

    @property
    def k(self) -> int:
        """Colours actually used (can be fewer than asked for)."""
        return int(self.palette.shape[0])


@dataclass(frozen=True)
class FullLabels:
    """The full-size result of a tile, as compactly as it can be kept: one byte a pixel."""

    labels: np.ndarray
    palette: np.ndarray
    alpha: np.ndarray
    """Each entry's opacity (all 255 for an image without transparency)."""

    def picture(self, palette: np.ndarray | None = None, window: tuple[slice, slice] | None = None) -> np.ndarray:
        """The reconstruction (or its ``window``) with ``palette`` (default its own):
        (H, W, 3), or (H, W, 4) straight RGBA when some entry is below alpha 255."""
        labels = self.labels if window is None else self.labels[window]
        colors = self.palette if palette is None else palette
        if bool((self.alpha < 255).any()):
            return reconstruct_rgba(colors, self.alpha, labels)
        return colors[labels]

# --- once per process ----------------------------------------------------------------


@st.cache_resource(max_entries=1, show_spinner=False)
def warm_up() -> threading.Thread:
    """Compile quant's dithering (Numba) in the background when the server starts.

    On a fresh installation (a new deploy) the first dithered palette would otherwise
    wait 10–20 s for the compiler; later starts load the compiled code from disk. It is
    background work for the gate (:meth:`ui.compute.gate.Gate.background_ticket`):
    it starts only when no visitor's job runs.
    """

    def compile_dithering() -> None:
        gradient = np.linspace(0, 255, 8 * 8 * 3).astype(np.uint8).reshape(8, 8, 3)
        with HEAVY.admit(ticket=HEAVY.background_ticket()):
            for kind in quant.DITHER_KINDS:
                quant.quantize(gradient, 4, dither=True, dither_kind=kind)

    thread = threading.Thread(target=compile_dithering, name="warm-up", daemon=True)
    thread.start()
    return thread


# --- the image itself --------------------------------------------------------------


def _decode(ref: ImageRef) -> np.ndarray:
    if ref.sample is not None:
        image = samples.load_sample(ref.sample)
    else:
        upload = io.BytesIO(ref.raw)
        upload.name = ref.name  # quant's error messages name the file
        # An image with transparency keeps it: (H, W, 4), straight alpha.
        image = quant.load_image(upload, keep_alpha=True)
    # Frozen: shared by every visitor, and quant then knows it by identity instead of
    # comparing its pixels on every palette of it.
    return quant.freeze(image)


def pixels(ref: ImageRef) -> np.ndarray:
    """Decode the image (a sample or an upload) at full size, once; the array is read-only.

    Raises
    ------
    quant.ImageError
        If an upload cannot be read; nothing is kept then.
    """
    return stored(("pixels", ref.digest), lambda: _decode(ref))


@st.cache_data(max_entries=len(samples.SAMPLES), show_spinner=False)
def _sample_digest(name: str) -> str:
    return quant.image_digest(samples.load_sample(name))


def sample_ref(name: str) -> ImageRef:
    """The reference of a bundled sample, identified by the digest of its pixels."""
    file_name = {"china": "china.jpg", "flower": "flower.jpg", "sky": "sky-gradient.png", "logo": "logo.png"}[name]
    return ImageRef(digest=_sample_digest(name), name=file_name, sample=name)


def upload_ref(name: str, raw: bytes) -> ImageRef:
    """The reference of an uploaded file, identified by a digest of all its bytes."""
    digest = hashlib.blake2b(raw, digest_size=16).hexdigest()
    return ImageRef(digest=digest, name=name, raw=raw)


def facts(ref: ImageRef) -> ImageFacts:
    """Size and exact distinct-colour count of the full-size image."""

    def make() -> ImageFacts:
        image = pixels(ref)
        height, width = image.shape[:2]
        has_alpha = image.shape[-1] == 4
        raw_bits = quant.storage(height * width, quant.MAX_COLORS, alpha=has_alpha).raw_bits
        n_transparent = n_partial = 0
        if has_alpha:
            classes = np.bincount(quant.visibility(image).reshape(-1), minlength=3)
            n_transparent, n_partial = int(classes[0]), int(classes[1])
        return ImageFacts(
            height=height, width=width, n_colors=quant.count_colors(image), raw_bytes=raw_bits // 8,
            n_transparent=n_transparent, n_partial=n_partial, has_alpha=has_alpha,
        )

    return stored(("facts", ref.digest), make)


def _screen_budget(shape: tuple[int, ...], max_pixels: int, max_width: int) -> int:
    """``max_pixels``, lowered so that a wide panorama under it still fits ``max_width``."""
    height, width = shape[:2]
    return max(1, min(max_pixels, max_width * max_width * height // width))


def _encoded(small: np.ndarray) -> Picture:
    """``small`` as a PNG for the screen; with transparency, over a light checkerboard."""
    buffer = io.BytesIO()
    # Level 1: a 600,000-pixel tile in 0.06 s instead of 0.085 s at level 3, 2.6% larger.
    Image.fromarray(pictures.on_checkerboard(small)).save(buffer, format="PNG", compress_level=1)
    return Picture(png=buffer.getvalue(), width=small.shape[1], height=small.shape[0])


def _picture(image: np.ndarray, *, max_pixels: int, max_width: int) -> Picture:
    budget = _screen_budget(image.shape, max_pixels, max_width)
    return _encoded(quant.downscale(image, budget, alpha=image.shape[-1] == 4))


def screen_picture(image: np.ndarray, *, tile: bool = False) -> Picture:
    """A full-size picture downscaled and encoded for the screen: to the grid-tile size,
    or to the big picture's. An RGBA picture is shown over a light checkerboard."""
    if tile:
        return _picture(image, max_pixels=TILE_PIXELS, max_width=TILE_WIDTH)
    return _picture(image, max_pixels=PREVIEW_PIXELS, max_width=PREVIEW_WIDTH)


def original_picture(ref: ImageRef, *, tile: bool = False) -> Picture:
    """The image downscaled for the screen; ``tile=True`` gives the grid-tile size (the
    picture of :func:`original_small`)."""
    if tile:
        return stored(("picture", ref.digest, TILE_PIXELS), lambda: _encoded(original_small(ref)))
    return stored(
        ("picture", ref.digest, PREVIEW_PIXELS),
        lambda: _picture(pixels(ref), max_pixels=PREVIEW_PIXELS, max_width=PREVIEW_WIDTH),
    )


def downscaled(ref: ImageRef, max_pixels: int) -> np.ndarray:
    """The image shrunk to at most ``max_pixels``, as a stored read-only array (RGBA
    stays RGBA, averaged with alpha weights)."""

    def make() -> np.ndarray:
        image = pixels(ref)
        small = quant.downscale(image, max_pixels, alpha=image.shape[-1] == 4)
        small.flags.writeable = False
        return small

    return stored(("downscaled", ref.digest, max_pixels), make)


def original_small(ref: ImageRef) -> np.ndarray:
    """The image downscaled to the grid-tile size, as a read-only array: the original's
    tile and the 1:1 detail's locator are made from this one copy."""
    return downscaled(ref, _screen_budget(pixels(ref).shape, TILE_PIXELS, TILE_WIDTH))


# --- colours and palettes ----------------------------------------------------------


def visible_pixels(ref: ImageRef) -> np.ndarray:
    """The colours of the pixels one can see, as a read-only (H, W, 3) image: the image
    itself when it has no transparency, else a (1, N, 3) row of the N pixels whose
    alpha is above 0 (their straight colours; fully transparent pixels are left out).

    What the colour cloud, the k-means traces and the colour count work on: the colour
    under a fully transparent pixel is not part of the picture. N can be 0.
    """
    image = pixels(ref)
    if image.shape[-1] == 3:
        return image

    def make() -> np.ndarray:
        visible = np.ascontiguousarray(image[..., :3][image[..., 3] > 0])[None]
        visible.flags.writeable = False
        return visible

    return stored(("visible", ref.digest), make)


def color_sample(ref: ImageRef) -> quant.ColorSample:
    """A frequency-weighted sample of the distinct colours one can see, for the 3D cloud
    (fully transparent pixels are left out: :func:`visible_pixels`).

    Raises
    ------
    quant.ImageError
        If no pixel can be seen (the image is fully transparent).
    """

    def make() -> quant.ColorSample:
        visible = visible_pixels(ref)
        if visible.size == 0:
            raise quant.ImageError("Every pixel of this picture is fully transparent: it has no colour to show.")
        return quant.sample_colors(visible, CLOUD_SAMPLES, seed=_CLOUD_SEED)

    return stored(("sample", ref.digest, CLOUD_SAMPLES, _CLOUD_SEED), make)


def read_only(*arrays: np.ndarray) -> None:
    """Mark arrays about to be stored read-only: every visitor shares them."""
    for array in arrays:
        array.flags.writeable = False


BROUGHT = "palette"
"""The tile method of the palette a visitor brought (``quant.map_fit``: mapped, not fitted)."""


def colors_of(hex_colors: Sequence[str]) -> np.ndarray | None:
    """"#rrggbb" strings as an (n, 3) uint8 array, or None for none."""
    return quant.parse_colors(",".join(hex_colors)) if hex_colors else None


def palette_choice(n_colors: int, method: str, settings: Settings) -> tuple[str, ...]:
    """What besides the method and size decides a palette: the pins it holds, or the
    brought palette's colours. Part of every key of a palette's results."""
    return settings.palette if method == BROUGHT else settings.pins_for(n_colors)


def fit(ref: ImageRef, n_colors: int, method: str, settings: Settings) -> quant.PaletteFit:
    """The palette and where each distinct colour goes: shared by the palette views and
    the tiles, dithered or not (dithering maps pixels to the same palette). A brought
    palette is mapped as it is; a computed one keeps the pins it holds."""
    choice = palette_choice(n_colors, method, settings)
    if method == BROUGHT:
        if not choice:
            raise quant.ImageError("No palette has been brought: choose a preset or a palette file in the sidebar.")

        def make() -> quant.PaletteFit:
            return quant.map_fit(pixels(ref), colors_of(choice), space=settings.space)

    else:

        def make() -> quant.PaletteFit:
            return quant.fit_palette(
                pixels(ref), int(n_colors), method=method, space=settings.space, seed=settings.seed, fixed=colors_of(choice)
            )

    return stored(("fit", ref.digest, int(n_colors), method, settings.space, settings.seed, choice), make)


def palette_view(ref: ImageRef, n_colors: int, settings: Settings, *, method: str | None = None) -> PaletteView:
    """The palette the sidebar's settings give (``method`` overrides the sidebar's),
    from the colour histogram: no full-size image is rebuilt or encoded.

    Raises
    ------
    quant.ImageError
        For a palette size or method ``quant`` does not accept.
    """
    fitted = fit(ref, n_colors, method or settings.method, settings)
    return PaletteView(
        n_colors=int(n_colors), method=fitted.method, palette=fitted.palette, counts=fitted.counts, mse=fitted.mse,
        pinned=fitted.pinned, alpha=fitted.alpha,
    )


def tile_key(kind: str, ref: ImageRef, n_colors: int, method: str, settings: Settings) -> tuple:
    """The store key of a tile's ``kind`` of result ("tile", "labels", "png", "detail")."""
    return (
        kind, ref.digest, int(n_colors), method, settings.space, settings.dither, settings.dither_kind, settings.seed,
        palette_choice(n_colors, method, settings),
    )


def _full_size(ref: ImageRef, n_colors: int, method: str, settings: Settings) -> quant.Quantized:
    """The full-size result of a tile (one job); its labels are kept for the PNG and the detail."""
    image = pixels(ref)
    result = quant.apply_palette(
        image, fit(ref, n_colors, method, settings), dither=settings.dither, dither_kind=settings.dither_kind
    )
    read_only(result.labels, result.palette, result.counts, result.alpha)
    STORE.put(tile_key("labels", ref, n_colors, method, settings), FullLabels(result.labels, result.palette, result.alpha))
    return result


def reconstruction(
    ref: ImageRef, n_colors: int, settings: Settings, *, method: str | None = None
) -> Reconstruction:
    """One grid tile of the full-size image; ``method`` overrides the sidebar's (for "random").

    Without dithering the palette and its measures come from the colour histogram;
    the picture is the full-size reconstruction downscaled, whose labels are kept (one
    byte a pixel, while the store has room) for :func:`indexed_png` and :func:`detail`.

    Raises
    ------
    quant.ImageError
        For a palette size or method ``quant`` does not accept.
    """
    method = method or settings.method

    def make() -> Reconstruction:
        image = pixels(ref)
        fitted = fit(ref, n_colors, method, settings)
        result = _full_size(ref, n_colors, method, settings)
        measured = quant.metrics(image, result if settings.dither else fitted, ssim=False)
        return Reconstruction(
            n_colors=int(n_colors),
            method=method,
            space=settings.space,
            dither=settings.dither,
            seed=settings.seed,
            palette=result.palette,
            counts=result.counts,
            metrics=measured,
            preview=_picture(result.image, max_pixels=TILE_PIXELS, max_width=TILE_WIDTH),
            seconds=result.seconds,
            pinned=result.pinned,
            alpha=result.alpha,
        )

    return stored(tile_key("tile", ref, n_colors, method, settings), make)


def reconstructions(
    ref: ImageRef, tiles: Sequence[tuple[int, str]], settings: Settings
) -> Iterator[Reconstruction]:
    """:func:`reconstruction` for several tiles, two computed at a time, yielded one by
    one in the order asked.

    A page draws each tile as soon as it is ready. Each is one job for the gate:
    a 12 MP palette with its reconstruction needs a few hundred megabytes while it is
    computed, on a host whose 2.7 GB all visitors share.

    Parameters
    ----------
    tiles : sequence of (n_colors, method)
        What to compute; ``method`` overrides the sidebar's.
    """
    return _for_each_tile("tile", reconstruction, ref, tiles, settings)


def _for_each_tile(kind: str, make, ref: ImageRef, tiles: Sequence[tuple[int, str]], settings: Settings) -> Iterator:
    """``make(ref, n_colors, settings, method=method)`` for each tile, two at a time, in
    order; straight from the store when every one is held (a page switch: no threads)."""
    held = [STORE.peek(tile_key(kind, ref, n_colors, method or settings.method, settings)) for n_colors, method in tiles]
    if all(value is not None for value in held):
        return iter(held)
    return side_by_side([functools.partial(make, ref, n_colors, settings, method=method) for n_colors, method in tiles])


def full_labels(ref: ImageRef, n_colors: int, method: str, settings: Settings) -> FullLabels:
    """A tile's full-size labels and palette: kept by :func:`reconstruction`, made again
    (one job) if the store let them go."""
    def make() -> FullLabels:
        result = _full_size(ref, n_colors, method, settings)
        return FullLabels(result.labels, result.palette, result.alpha)

    return stored(tile_key("labels", ref, n_colors, method, settings), make)


def indexed_png(ref: ImageRef, n_colors: int, settings: Settings, *, method: str | None = None) -> bytes:
    """The full-size indexed PNG of a tile, made on demand (the download, and its size).

    Bit for bit ``quant.indexed_png(quant.quantize(...))`` with the same settings; with
    transparency, its tRNS chunk keeps each entry's alpha.
    """
    method = method or settings.method

    def make() -> bytes:
        full = full_labels(ref, n_colors, method, settings)
        return quant.indexed_png_of_labels(full.labels, full.palette, alpha=full.alpha)

    return stored(tile_key("png", ref, n_colors, method, settings), make)


def indexed_pngs(ref: ImageRef, tiles: Sequence[tuple[int, str]], settings: Settings) -> Iterator[bytes]:
    """:func:`indexed_png` of several tiles, two made at a time (zlib releases the GIL),
    yielded in the order asked."""
    return _for_each_tile("png", indexed_png, ref, tiles, settings)


@st.cache_resource(max_entries=16, show_spinner=False)
def _cloud_figures(
    digest: str,
    n_colors: int,
    method: str,
    space: str,
    seed: int,
    choice: tuple[str, ...],
    by_centre: bool,
    _ref: ImageRef,
    _settings: Settings,
) -> tuple[go.Figure, go.Figure]:
    sample = color_sample(_ref)
    view = palette_view(_ref, n_colors, _settings, method=method)
    # The transparent entry has no colour to place among the points.
    seen = view.alpha > 0
    palette, counts, pinned = view.palette[seen], view.counts[seen], view.pinned[seen]
    labels = quant.assign_colors(sample.colors, palette, space=space) if by_centre else None
    return (
        shared_figure(cloud.color_cloud(sample.colors, sample.counts, palette, counts, labels=labels, space=space, pinned=pinned)),
        shared_figure(cloud.color_planes(sample.colors, palette, counts, labels=labels, space=space, pinned=pinned)),
    )


def cloud_figures(
    ref: ImageRef, n_colors: int, settings: Settings, *, by_centre: bool, method: str | None = None
) -> tuple[go.Figure, go.Figure]:
    """The Colour space page's 3D cloud and its three 2D views, from the palette alone
    (``method`` overrides the sidebar's: :data:`BROUGHT` for the visitor's palette).

    Cached as resources, i.e. shared and not copied: Plotly validates every one of the
    20,000 point colours whenever a figure is built (or unpickled, as ``cache_data``
    would), about half a second, while the charts only read the figures. Nothing may
    modify the returned figures. Dithering changes no palette, so it is not in the key.
    """
    method = method or settings.method
    return _cloud_figures(
        ref.digest, int(n_colors), method, settings.space, settings.seed, palette_choice(n_colors, method, settings),
        by_centre, ref, settings,
    )
