"""The dashboard's only door into ``quant``: stored results, keyed on content digests.

Views from the histogram, full resolution on demand. What a page shows first is
computed from the image's colour histogram and screen-sized pictures: a palette and
its exact error (:func:`palette_view`), a grid tile (:func:`reconstruction`). Full-size
artefacts, the indexed PNG of a tile (:func:`indexed_png`) and its 1:1 detail
(:func:`detail`), are made when a page asks for them, after its view is on screen.

Heavy results live in :data:`ui.store.STORE`: one process-wide store bounded by the
bytes it holds, shared by every visitor, one computation per key, and every
full-size computation admitted by the gate :data:`ui.gate.HEAVY`. A visitor whose
work waits in line sees how many jobs are ahead in the notice that
:func:`waiting_notice` places. Keys are the image's digest (see
:class:`ui.state.ImageRef`) plus the parameters, never the pixels. Values are shared,
so they are immutable: frozen dataclasses, read-only arrays, bytes.

Plotly figures are cached as resources with ``max_entries``: they are small, and
building one validates every point colour.
"""

from __future__ import annotations

import functools
import hashlib
import io
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from PIL import Image

import quant
from ui import figures, samples
from ui.gate import HEAVY
from ui.state import ImageRef, Settings
from ui.store import STORE

__all__ = [
    "CLOUD_SAMPLES",
    "DETAIL_SIZE",
    "PREVIEW_PIXELS",
    "TILE_PIXELS",
    "WORK_PIXELS",
    "ComparePoint",
    "Detail",
    "DetailPictures",
    "ImageFacts",
    "PaletteView",
    "Picture",
    "Reconstruction",
    "cloud_figures",
    "color_sample",
    "compare_point",
    "detail",
    "detail_pictures",
    "error_map",
    "facts",
    "figure",
    "indexed_png",
    "indexed_pngs",
    "original_picture",
    "original_small",
    "palette_view",
    "pixels",
    "reconstruction",
    "reconstructions",
    "sample_ref",
    "upload_ref",
    "warm_up",
    "waiting_notice",
    "work_size",
]

T = TypeVar("T")

PREVIEW_PIXELS = 1_500_000
"""Pixel budget of the big picture on screen; downloads stay full size."""
PREVIEW_WIDTH = 1460
"""Streamlit re-encodes images wider than this (its largest content width), so stay under."""
TILE_PIXELS = 600_000
"""Pixel budget of a reconstruction tile in the grid."""
TILE_WIDTH = 960
WORK_PIXELS = 250_000
"""Pixel budget of the copy the Compare page quantizes 30-odd times."""
CLOUD_SAMPLES = 5000
"""Colours drawn for the 3D cloud: enough to see the shape, small enough for the browser."""
_CLOUD_SEED = 0
"""The cloud's sample stays put when the sidebar seed changes; only the palette moves."""
DETAIL_SIZE = 320
"""Side of the square region the 1:1 detail cuts from the full-size images."""


@dataclass(frozen=True)
class Picture:
    """A downscaled image encoded once as PNG, ready for ``st.image``."""

    png: bytes
    width: int
    height: int


@dataclass(frozen=True)
class ImageFacts:
    """Size and exact number of distinct colours of an image."""

    height: int
    width: int
    n_colors: int
    raw_bytes: int
    """Size as plain 24-bit RGB."""

    @property
    def n_pixels(self) -> int:
        return self.height * self.width


@dataclass(frozen=True)
class PaletteView:
    """A palette and its exact error, without any per-pixel array."""

    n_colors: int
    method: str
    palette: np.ndarray
    counts: np.ndarray
    mse: float

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

    @property
    def k(self) -> int:
        """Colours actually used (can be fewer than asked for)."""
        return int(self.palette.shape[0])


@dataclass(frozen=True)
class _FullLabels:
    """The full-size result of a tile, as compactly as it can be kept: one byte a pixel."""

    labels: np.ndarray
    palette: np.ndarray


@dataclass(frozen=True)
class Detail:
    """A square region of the original and of a reconstruction, pixel for pixel."""

    top: int
    left: int
    original: np.ndarray
    reconstruction: np.ndarray


@dataclass(frozen=True)
class ComparePoint:
    """One point of the Compare page's error curves, on the downscaled working copy."""

    n_colors: int
    method: str
    k: int
    metrics: quant.Metrics
    seconds: float


# --- waiting in line -----------------------------------------------------------------

_notice = threading.local()


@contextmanager
def waiting_notice() -> Iterator[None]:
    """Where this script run says that its work is waiting for a free slot.

    ``ui.frame`` opens it at the top of every page; the notice appears only while a
    job of this visitor waits, and disappears when the page is drawn.
    """
    placeholder = st.empty()
    _notice.placeholder = placeholder
    # One ticket for the whole run: this page's jobs are served before those of
    # visitors who came later (ui.gate.Gate).
    _notice.ticket = HEAVY.ticket()
    try:
        yield
    finally:
        _notice.placeholder = None
        _notice.ticket = None
        placeholder.empty()


def _on_wait(ahead: int | None) -> None:
    relay = getattr(_notice, "relay", None)
    if relay is not None:  # a worker of :func:`_side_by_side`: its page's thread shows it
        relay.report(ahead)
        return
    placeholder = getattr(_notice, "placeholder", None)
    if placeholder is None:
        return
    if ahead is None:
        message = "The same picture is being prepared for another visitor; yours appears as soon as it is ready."
    else:
        jobs = "job is" if ahead == 1 else "jobs are"
        message = (
            f"Many people are using the dashboard: {ahead} {jobs} ahead of yours, and "
            f"{HEAVY.slots} run at a time. Your image and settings are kept; this page "
            "fills in by itself when your turn comes."
        )
    placeholder.info(message, icon=":material/hourglass_top:")
    _notice.shown = True


def _stored(key: tuple, make, *, heavy: bool = True):
    """``STORE.get`` with this run's waiting notice; the notice goes once the value is in."""
    value = STORE.get(key, make, heavy=heavy, on_wait=_on_wait, ticket=getattr(_notice, "ticket", None))
    _clear_notice()
    return value


def _clear_notice() -> None:
    if getattr(_notice, "shown", False):
        _notice.shown = False
        placeholder = getattr(_notice, "placeholder", None)
        if placeholder is not None:
            placeholder.empty()


class _Relay:
    """What the workers of one :func:`_side_by_side` call report while they wait in
    line, for the page's own thread to show: Streamlit elements belong to that thread."""

    FRESH_S = 1.5
    """A report older than this is over: waiting jobs report about twice a second."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reports: dict[int, tuple[int | None, float]] = {}

    def report(self, ahead: int | None) -> None:
        with self._lock:
            self._reports[threading.get_ident()] = (ahead, time.monotonic())

    def done(self) -> None:
        with self._lock:
            self._reports.pop(threading.get_ident(), None)

    def waiting(self) -> tuple[bool, int | None]:
        """(whether a worker waits, the fewest jobs ahead of one that waits for a slot)."""
        now = time.monotonic()
        with self._lock:
            current = [ahead for ahead, at in self._reports.values() if now - at < self.FRESH_S]
        if not current:
            return False, None
        in_line = [ahead for ahead in current if ahead is not None]
        return True, (min(in_line) if in_line else None)


def _side_by_side(jobs: Sequence[Callable[[], T]], *, workers: int = 2) -> Iterator[T]:
    """Run ``jobs`` in ``workers`` threads of this page run, yielding results in order.

    One visitor's full-size jobs, two at a time: each releases the GIL for most of its
    work but has serial stretches (a preview, a PNG) that the other fills. Every job
    still goes through the gate with this run's ticket, so a crowd gets no more than
    the gate's slots, and the page's thread shows the queue notice for them. The
    threads are this run's own: a process-wide pool would queue visitors out of the
    gate's sight. When the page stops asking, jobs not started are dropped.
    """
    ticket = getattr(_notice, "ticket", None)
    relay = _Relay()

    def run(job: Callable[[], T]) -> T:
        _notice.ticket, _notice.relay = ticket, relay  # the page's place in the gate's line
        try:
            return job()
        finally:
            relay.done()
            _notice.ticket = _notice.relay = None

    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="page-jobs")
    try:
        futures = [pool.submit(run, job) for job in jobs]
        for future in futures:
            while True:
                try:
                    value = future.result(timeout=0.5)
                    break
                except FutureTimeout:
                    waiting, ahead = relay.waiting()
                    if waiting:
                        _on_wait(ahead)
            _clear_notice()
            yield value
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


# --- once per process ----------------------------------------------------------------


@st.cache_resource(max_entries=1, show_spinner=False)
def warm_up() -> threading.Thread:
    """Compile quant's dithering (Numba) in the background when the server starts.

    On a fresh installation (a new deploy) the first dithered palette would otherwise
    wait 10–20 s for the compiler; later starts load the compiled code from disk.
    """

    def compile_dithering() -> None:
        gradient = np.linspace(0, 255, 8 * 8 * 3).astype(np.uint8).reshape(8, 8, 3)
        quant.quantize(gradient, 4, dither=True)

    thread = threading.Thread(target=compile_dithering, name="warm-up", daemon=True)
    thread.start()
    return thread


# --- figures of small data ------------------------------------------------------------


def _digest_of(value: object) -> object:
    """A hashable stand-in for a figure builder's argument: arrays by a digest of their bytes."""
    if isinstance(value, np.ndarray):
        return (value.shape, str(value.dtype), hashlib.blake2b(np.ascontiguousarray(value).tobytes(), digest_size=16).hexdigest())
    if isinstance(value, dict):
        return tuple((key, _digest_of(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return tuple(_digest_of(item) for item in value)
    return value


class SharedFigure(go.Figure):
    """A figure shared by every session that draws it, so never modified: it makes its
    plain-dict form once.

    ``st.plotly_chart`` asks a figure for :meth:`to_dict` on every script run, and
    Plotly's copies every property and re-encodes every array each time: about 50 ms for
    the k-means animation, most of a cached page switch. This one hands out the same
    dict every time, which Streamlit only reads (to write its JSON).
    """

    _dict: dict | None = None

    def __init__(self, built: go.Figure) -> None:
        super().__init__(built)

    def to_dict(self) -> dict:
        if self._dict is None:
            self._dict = super().to_dict()
        return self._dict


def _shared(built: go.Figure) -> SharedFigure:
    return built if isinstance(built, SharedFigure) else SharedFigure(built)


@st.cache_resource(max_entries=64, show_spinner=False)
def _built_figure(builder: str, key: object, _build) -> go.Figure:
    return _shared(_build())


def figure(build, *args, **kwargs) -> go.Figure:
    """``build(*args, **kwargs)``, a figure builder of :mod:`ui.figures`, made once per
    distinct arguments and shared: building a Plotly figure validates every property,
    tens of milliseconds a figure on every redraw of a page. Nothing may modify it."""
    key = (_digest_of(args), _digest_of(kwargs))
    return _built_figure(f"{build.__module__}.{build.__qualname__}", key, lambda: build(*args, **kwargs))


# --- the image itself --------------------------------------------------------------


def _decode(ref: ImageRef) -> np.ndarray:
    if ref.sample is not None:
        image = samples.load_sample(ref.sample)
    else:
        upload = io.BytesIO(ref.raw)
        upload.name = ref.name  # quant's error messages name the file
        image = quant.load_image(upload)
    image.flags.writeable = False
    return image


def pixels(ref: ImageRef) -> np.ndarray:
    """Decode the image (a sample or an upload) at full size, once; the array is read-only.

    Raises
    ------
    quant.ImageError
        If an upload cannot be read; nothing is kept then.
    """
    return _stored(("pixels", ref.digest), lambda: _decode(ref))


@st.cache_data(max_entries=len(samples.SAMPLES), show_spinner=False)
def _sample_digest(name: str) -> str:
    return quant.image_digest(samples.load_sample(name))


def sample_ref(name: str) -> ImageRef:
    """The reference of a bundled sample, identified by the digest of its pixels."""
    file_name = {"china": "china.jpg", "flower": "flower.jpg", "sky": "sky-gradient.png"}[name]
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
        raw_bits = quant.storage(height * width, quant.MAX_COLORS).raw_bits
        return ImageFacts(height=height, width=width, n_colors=quant.count_colors(image), raw_bytes=raw_bits // 8)

    return _stored(("facts", ref.digest), make)


def _picture(image: np.ndarray, *, max_pixels: int, max_width: int) -> Picture:
    height, width = image.shape[:2]
    # Also cap the pixel budget so that the width fits: a wide panorama under the
    # budget could still be wider than the screen.
    budget = max(1, min(max_pixels, max_width * max_width * height // width))
    small = quant.downscale(image, budget)
    buffer = io.BytesIO()
    Image.fromarray(small).save(buffer, format="PNG", compress_level=3)
    return Picture(png=buffer.getvalue(), width=small.shape[1], height=small.shape[0])


def original_picture(ref: ImageRef, *, tile: bool = False) -> Picture:
    """The image downscaled for the screen; ``tile=True`` gives the grid-tile size."""
    max_pixels, max_width = (TILE_PIXELS, TILE_WIDTH) if tile else (PREVIEW_PIXELS, PREVIEW_WIDTH)
    return _stored(
        ("picture", ref.digest, max_pixels),
        lambda: _picture(pixels(ref), max_pixels=max_pixels, max_width=max_width),
    )


def _downscaled(ref: ImageRef, max_pixels: int) -> np.ndarray:
    """The image shrunk to at most ``max_pixels``, as a stored read-only array."""

    def make() -> np.ndarray:
        small = quant.downscale(pixels(ref), max_pixels)
        small.flags.writeable = False
        return small

    return _stored(("downscaled", ref.digest, max_pixels), make)


def original_small(ref: ImageRef) -> np.ndarray:
    """The image downscaled to the grid-tile size, as a read-only array."""
    return _downscaled(ref, TILE_PIXELS)


# --- colours and palettes ----------------------------------------------------------


def color_sample(ref: ImageRef) -> quant.ColorSample:
    """A frequency-weighted sample of the image's distinct colours, for the 3D cloud."""
    return _stored(
        ("sample", ref.digest, CLOUD_SAMPLES, _CLOUD_SEED),
        lambda: quant.sample_colors(pixels(ref), CLOUD_SAMPLES, seed=_CLOUD_SEED),
    )


def _read_only(*arrays: np.ndarray) -> None:
    for array in arrays:
        array.flags.writeable = False


def _fit(ref: ImageRef, n_colors: int, method: str, settings: Settings) -> quant.PaletteFit:
    """The palette and where each distinct colour goes: shared by the palette views and
    the tiles, dithered or not (dithering maps pixels to the same palette)."""
    return _stored(
        ("fit", ref.digest, int(n_colors), method, settings.space, settings.seed),
        lambda: quant.fit_palette(pixels(ref), int(n_colors), method=method, space=settings.space, seed=settings.seed),
    )


def palette_view(ref: ImageRef, n_colors: int, settings: Settings, *, method: str | None = None) -> PaletteView:
    """The palette the sidebar's settings give (``method`` overrides the sidebar's),
    from the colour histogram: no full-size image is rebuilt or encoded.

    Raises
    ------
    quant.ImageError
        For a palette size or method ``quant`` does not accept.
    """
    fit = _fit(ref, n_colors, method or settings.method, settings)
    return PaletteView(n_colors=int(n_colors), method=fit.method, palette=fit.palette, counts=fit.counts, mse=fit.mse)


def _tile_key(kind: str, ref: ImageRef, n_colors: int, method: str, settings: Settings) -> tuple:
    return (kind, ref.digest, int(n_colors), method, settings.space, settings.dither, settings.seed)


def _full_size(ref: ImageRef, n_colors: int, method: str, settings: Settings) -> quant.Quantized:
    """The full-size result of a tile (one job); its labels are kept for the PNG and the detail."""
    image = pixels(ref)
    result = quant.apply_palette(image, _fit(ref, n_colors, method, settings), dither=settings.dither)
    _read_only(result.labels, result.palette, result.counts)
    STORE.put(_tile_key("labels", ref, n_colors, method, settings), _FullLabels(result.labels, result.palette))
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
        fit = _fit(ref, n_colors, method, settings)
        result = _full_size(ref, n_colors, method, settings)
        measured = quant.metrics(image, result if settings.dither else fit, ssim=False)
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
        )

    return _stored(_tile_key("tile", ref, n_colors, method, settings), make)


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
    held = [STORE.peek(_tile_key("tile", ref, n_colors, method or settings.method, settings)) for n_colors, method in tiles]
    if all(tile is not None for tile in held):
        yield from held  # a page switch: no threads
        return
    yield from _side_by_side(
        [functools.partial(reconstruction, ref, n_colors, settings, method=method) for n_colors, method in tiles]
    )


def _full_labels(ref: ImageRef, n_colors: int, method: str, settings: Settings) -> _FullLabels:
    def make() -> _FullLabels:
        result = _full_size(ref, n_colors, method, settings)
        return _FullLabels(result.labels, result.palette)

    return _stored(_tile_key("labels", ref, n_colors, method, settings), make)


def indexed_png(ref: ImageRef, n_colors: int, settings: Settings, *, method: str | None = None) -> bytes:
    """The full-size indexed PNG of a tile, made on demand (the download, and its size).

    Bit for bit ``quant.indexed_png(quant.quantize(...))`` with the same settings.
    """
    method = method or settings.method

    def make() -> bytes:
        full = _full_labels(ref, n_colors, method, settings)
        return quant.indexed_png_of_labels(full.labels, full.palette)

    return _stored(_tile_key("png", ref, n_colors, method, settings), make)


def indexed_pngs(ref: ImageRef, tiles: Sequence[tuple[int, str]], settings: Settings) -> Iterator[bytes]:
    """:func:`indexed_png` of several tiles, two made at a time (zlib releases the GIL),
    yielded in the order asked."""
    held = [STORE.peek(_tile_key("png", ref, n_colors, method or settings.method, settings)) for n_colors, method in tiles]
    if all(png is not None for png in held):
        yield from held
        return
    yield from _side_by_side(
        [functools.partial(indexed_png, ref, n_colors, settings, method=method) for n_colors, method in tiles]
    )


def detail(
    ref: ImageRef, n_colors: int, settings: Settings, *, top: int, left: int, size: int = DETAIL_SIZE, method: str | None = None
) -> Detail:
    """A ``size`` × ``size`` region (clipped to the image) of the full-size original and
    of a tile's full-size reconstruction, cut at (``top``, ``left``), moved inside the image."""
    method = method or settings.method
    image = pixels(ref)
    height, width = image.shape[:2]
    top = int(min(max(0, top), max(0, height - size)))
    left = int(min(max(0, left), max(0, width - size)))
    full = _full_labels(ref, n_colors, method, settings)
    window = (slice(top, top + size), slice(left, left + size))
    original = np.array(image[window])
    reconstruction = full.palette[full.labels[window]]
    _read_only(original, reconstruction)
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
    buffer = io.BytesIO()
    Image.fromarray(picture).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def _magnified(picture: np.ndarray, zoom: int) -> np.ndarray:
    """Every pixel drawn as a ``zoom`` × ``zoom`` block, so the browser has nothing to smooth."""
    return np.repeat(np.repeat(picture, zoom, axis=0), zoom, axis=1) if zoom > 1 else picture


def detail_pictures(
    ref: ImageRef, n_colors: int, settings: Settings, *, centre: tuple[int, int], zoom: int, method: str | None = None
) -> DetailPictures:
    """:func:`detail` around ``centre`` (row, column) at ``zoom`` (1 or 2), as PNGs kept
    in the store, so that a page redrawn with the same region encodes nothing."""
    method = method or settings.method
    size = DETAIL_SIZE // zoom

    def make() -> DetailPictures:
        region = detail(ref, n_colors, settings, top=centre[0] - size // 2, left=centre[1] - size // 2, size=size, method=method)
        height, width = region.original.shape[:2]
        small = original_small(ref)
        full_height, full_width = pixels(ref).shape[:2]
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
            locator_png=_png(figures.outlined(small, box)),
        )

    key = (*_tile_key("detail", ref, n_colors, method, settings), centre, zoom)
    return _stored(key, make)


@st.cache_resource(max_entries=16, show_spinner=False)
def _cloud_figures(
    digest: str,
    n_colors: int,
    method: str,
    space: str,
    seed: int,
    by_centre: bool,
    _ref: ImageRef,
    _settings: Settings,
) -> tuple[go.Figure, go.Figure]:
    sample = color_sample(_ref)
    view = palette_view(_ref, n_colors, _settings)
    labels = quant.assign_colors(sample.colors, view.palette, space=space) if by_centre else None
    return (
        _shared(figures.color_cloud(sample.colors, sample.counts, view.palette, view.counts, labels=labels, space=space)),
        _shared(figures.color_planes(sample.colors, view.palette, view.counts, labels=labels, space=space)),
    )


def cloud_figures(
    ref: ImageRef, n_colors: int, settings: Settings, *, by_centre: bool
) -> tuple[go.Figure, go.Figure]:
    """The Colour space page's 3D cloud and its three 2D views, from the palette alone.

    Cached as resources, i.e. shared and not copied: Plotly validates every one of the
    20,000 point colours whenever a figure is built (or unpickled, as ``cache_data``
    would), about half a second, while the charts only read the figures. Nothing may
    modify the returned figures. Dithering changes no palette, so it is not in the key.
    """
    return _cloud_figures(
        ref.digest, int(n_colors), settings.method, settings.space, settings.seed, by_centre, ref, settings
    )


# --- the Compare page: many palettes on a downscaled copy --------------------------


def _work_pixels(ref: ImageRef) -> np.ndarray:
    return _downscaled(ref, WORK_PIXELS)


def work_size(ref: ImageRef) -> tuple[int, int]:
    """(height, width) of the Compare page's working copy."""
    height, width = _work_pixels(ref).shape[:2]
    return height, width


def _compare_key(kind: str, ref: ImageRef, n_colors: int, method: str, settings: Settings) -> tuple:
    return (kind, ref.digest, WORK_PIXELS, int(n_colors), method, settings.space, settings.dither, settings.seed)


def compare_point(ref: ImageRef, n_colors: int, method: str, settings: Settings) -> ComparePoint:
    """Quantize the working copy (at most :data:`WORK_PIXELS`) and measure the error."""

    def make() -> ComparePoint:
        work = _work_pixels(ref)
        result = quant.quantize(work, int(n_colors), method=method, space=settings.space, dither=settings.dither, seed=settings.seed)
        return ComparePoint(
            n_colors=int(n_colors),
            method=method,
            k=result.k,
            # SSIM too: on at most WORK_PIXELS it adds about half to the page's first draw.
            metrics=quant.metrics(work, result, ssim=True),
            seconds=result.seconds,
        )

    return _stored(_compare_key("compare", ref, n_colors, method, settings), make)


def error_map(ref: ImageRef, n_colors: int, method: str, settings: Settings) -> np.ndarray:
    """Per-pixel ΔE between the working copy and one of its reconstructions."""

    def make() -> np.ndarray:
        work = _work_pixels(ref)
        result = quant.quantize(work, int(n_colors), method=method, space=settings.space, dither=settings.dither, seed=settings.seed)
        error = quant.error_map(work, result.image, kind="delta_e")
        error.flags.writeable = False
        return error

    return _stored(_compare_key("error", ref, n_colors, method, settings), make)


# --- k-means step by step ------------------------------------------------------------
# The "k-means step by step" page: traces of k-means on the full-size image, and their
# animation. Kept in one section so that it can grow without touching the rest.

from ui import steps_figures  # noqa: E402 - this section's own figure builders

STEPS_MAX_ITER = 30
"""Most iterations a trace on the page shows."""
STEPS_POINTS = 1500
"""Colours drawn in the animated cloud: every frame repeats one byte per point."""
STEPS_PICTURE_PIXELS = 20_000
"""Pixel budget of the picture rebuilt for every step (about 175 x 115 for a 3:2 photo):
with the points it keeps the animation under 1 MB of chart JSON at k = 64."""
STEPS_BATCH_SIZE = 1024
"""Pixels per MiniBatch step: scikit-learn's default, the notebook's."""
STEPS_TABLE_PIXELS = 60_000
"""Pixel budget of the copy the seed table runs 30 traces on."""
STEPS_TABLE_MAX_ITER = 100
"""Most iterations of a trace in the seed table: enough for most runs to converge, so
that the table can say how many steps each took."""
STEPS_TABLE_SEEDS = tuple(range(10))
"""Seeds of the table, for each of the three starts."""


@dataclass(frozen=True)
class SeedRun:
    """One row of the seed table: a trace's start, first and last error, and length."""

    init: str
    seed: int
    start_mse: float
    final_mse: float
    n_steps: int
    converged: bool
    n_empty: int


def _trace(kind: str, ref: ImageRef, n_colors: int, init: str, seed: int) -> quant.KMeansSteps:
    def make() -> quant.KMeansSteps:
        image = pixels(ref)
        if kind == "lloyd":
            trace = quant.kmeans_steps(image, n_colors, init=init, seed=seed, max_iter=STEPS_MAX_ITER)
        else:
            trace = quant.minibatch_steps(
                image, n_colors, init=init, seed=seed, max_iter=STEPS_MAX_ITER, batch_size=max(STEPS_BATCH_SIZE, n_colors)
            )
        _read_only(trace.centres, trace.mse, trace.update_mse, trace.counts)
        return trace

    return _stored(("kmeans-steps", kind, ref.digest, int(n_colors), init, int(seed), STEPS_MAX_ITER), make)


def kmeans_trace(ref: ImageRef, n_colors: int, init: str, seed: int) -> quant.KMeansSteps:
    """Every step of Lloyd's k-means on the full-size image (at most :data:`STEPS_MAX_ITER`)."""
    return _trace("lloyd", ref, int(n_colors), init, int(seed))


def minibatch_trace(ref: ImageRef, n_colors: int, init: str, seed: int) -> quant.KMeansSteps:
    """The notebook's MiniBatchKMeans from the same start, one batch of pixels per step."""
    return _trace("minibatch", ref, int(n_colors), init, int(seed))


def _jpeg(picture: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(picture).save(buffer, format="JPEG", quality=88)
    return buffer.getvalue()


def animation_of(trace: quant.KMeansSteps, image: np.ndarray) -> go.Figure:
    """The animated figure of a trace on an image (uncached; see :func:`steps_animation`).

    The points are :data:`STEPS_POINTS` of the image's colours, the pictures a copy of
    at most :data:`STEPS_PICTURE_PIXELS` pixels rebuilt from each row's centres.
    """
    sample = quant.sample_colors(image, STEPS_POINTS, seed=0)
    small = quant.downscale(image, STEPS_PICTURE_PIXELS)
    rows = range(trace.n_steps + 1)
    groups = np.stack([trace.labels_of(sample.colors, row) for row in rows]).astype(np.uint8)
    pictures = [
        quant.indexed_png_of_labels(trace.labels_of(small, row).astype(np.uint8).reshape(small.shape[:2]), trace.palette(row))
        for row in rows
    ]
    return steps_figures.kmeans_animation(
        sample.colors, groups, trace.centres, trace.counts, trace.mse, trace.update_mse, _jpeg(small), pictures,
        converged=trace.converged,
    )


@st.cache_resource(max_entries=8, show_spinner=False)
def _steps_animation(digest: str, n_colors: int, init: str, seed: int, _ref: ImageRef) -> go.Figure:
    return _shared(animation_of(kmeans_trace(_ref, n_colors, init, seed), pixels(_ref)))


def steps_animation(ref: ImageRef, n_colors: int, init: str, seed: int) -> go.Figure:
    """The page's animated figure of :func:`kmeans_trace` (shared: nothing may modify it)."""
    return _steps_animation(ref.digest, int(n_colors), init, int(seed), ref)


@dataclass(frozen=True)
class SeedTable:
    """Traces for many seeds and every start, on a copy of the image of this size."""

    height: int
    width: int
    runs: tuple[SeedRun, ...]


def seed_table(ref: ImageRef, n_colors: int) -> SeedTable:
    """A trace for every seed of :data:`STEPS_TABLE_SEEDS` and every start, on a copy of
    at most :data:`STEPS_TABLE_PIXELS` pixels."""

    def make() -> SeedTable:
        work = quant.downscale(pixels(ref), STEPS_TABLE_PIXELS)

        def run(start: tuple[str, int]) -> SeedRun:
            init, seed = start
            trace = quant.kmeans_steps(work, n_colors, init=init, seed=seed, max_iter=STEPS_TABLE_MAX_ITER)
            return SeedRun(
                init=init,
                seed=seed,
                start_mse=float(trace.mse[0]),
                final_mse=float(trace.mse[-1]),
                n_steps=trace.n_steps,
                converged=trace.converged,
                n_empty=int(trace.empty[-1].sum()),
            )

        # One after another: each is small, and running them side by side gained little
        # on two cores while it would take both from other visitors' jobs.
        runs = [run((init, seed)) for init in quant.INITS for seed in STEPS_TABLE_SEEDS]
        return SeedTable(height=work.shape[0], width=work.shape[1], runs=tuple(runs))

    key = ("kmeans-seeds", ref.digest, STEPS_TABLE_PIXELS, int(n_colors), STEPS_TABLE_MAX_ITER, STEPS_TABLE_SEEDS)
    return _stored(key, make)


# --- the smallest palette for a quality target -----------------------------------------
# Reconstructions' "smallest palette with ΔE ≤ …" (ui/quality_target.py). Kept in one
# section at the end so that it can grow without touching the rest.



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
                pixels(ref), max_delta_e=target, method=settings.method, space=settings.space, seed=settings.seed
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

    return _stored(("smallest", ref.digest, target, settings.method, settings.space, settings.seed), make)
