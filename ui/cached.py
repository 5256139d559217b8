"""The dashboard's only door into ``quant``: cached wrappers, keyed on content digests.

Every heavy result is cached with ``st.cache_data``. The key is the image's digest (see
:class:`ui.state.ImageRef`) plus the parameters, never the pixels themselves: Streamlit
hashes large arrays by sampling them, so two different images could share an entry.
The :class:`~ui.state.ImageRef` rides along as an ``_ref`` argument, which Streamlit
leaves out of the key; it is only used on a miss, to decode the pixels again. Its
digest covers the whole content, so leaving it out is safe.

``max_entries`` bounds every cache: the hosted demo shares about 2.7 GB between all
visitors. Results are small on purpose (display-sized PNGs, palettes, metrics) because
``st.cache_data`` unpickles a fresh copy on every hit, and a page switch must stay fast.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from PIL import Image

import quant
from ui import figures, samples
from ui.state import ImageRef, Settings

__all__ = [
    "CLOUD_SAMPLES",
    "PREVIEW_PIXELS",
    "TILE_PIXELS",
    "WORK_PIXELS",
    "ComparePoint",
    "ImageFacts",
    "Picture",
    "Reconstruction",
    "centre_labels",
    "cloud_figures",
    "color_sample",
    "compare_point",
    "error_map",
    "facts",
    "original_picture",
    "pixels",
    "reconstruction",
    "reconstructions",
    "sample_ref",
    "upload_ref",
    "work_size",
]

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
class Reconstruction:
    """What the pages need of one quantization, without the full-size arrays."""

    n_colors: int
    method: str
    space: str
    dither: bool
    seed: int
    palette: np.ndarray
    counts: np.ndarray
    metrics: quant.Metrics
    png: bytes
    preview: Picture
    seconds: float

    @property
    def k(self) -> int:
        """Colours actually used (can be fewer than asked for)."""
        return int(self.palette.shape[0])


@dataclass(frozen=True)
class ComparePoint:
    """One point of the Compare page's error curves, on the downscaled working copy."""

    n_colors: int
    method: str
    k: int
    metrics: quant.Metrics
    seconds: float


# --- the image itself --------------------------------------------------------------


@st.cache_resource(max_entries=4, show_spinner=False)
def _pixels(digest: str, _ref: ImageRef) -> np.ndarray:
    # A resource, not cache_data: one shared read-only array instead of a fresh 36 MB
    # unpickled copy for every caller (a 12 MP upload is read seven times a run).
    if _ref.sample is not None:
        image = samples.load_sample(_ref.sample)
    else:
        upload = io.BytesIO(_ref.raw)
        upload.name = _ref.name  # quant's error messages name the file
        image = quant.load_image(upload)
    image.flags.writeable = False
    return image


def pixels(ref: ImageRef) -> np.ndarray:
    """Decode the image (a sample or an upload) at full size, once; the array is read-only.

    Raises
    ------
    quant.ImageError
        If an upload cannot be read; nothing is cached then.
    """
    return _pixels(ref.digest, ref)


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


@st.cache_data(max_entries=8, show_spinner=False)
def _facts(digest: str, _ref: ImageRef) -> ImageFacts:
    image = pixels(_ref)
    height, width = image.shape[:2]
    raw_bits = quant.storage(height * width, quant.MAX_COLORS).raw_bits
    return ImageFacts(
        height=height, width=width, n_colors=quant.count_colors(image), raw_bytes=raw_bits // 8
    )


def facts(ref: ImageRef) -> ImageFacts:
    """Size and exact distinct-colour count of the full-size image."""
    return _facts(ref.digest, ref)


def _picture(image: np.ndarray, *, max_pixels: int, max_width: int) -> Picture:
    height, width = image.shape[:2]
    # Also cap the pixel budget so that the width fits: a wide panorama under the
    # budget could still be wider than the screen.
    budget = max(1, min(max_pixels, max_width * max_width * height // width))
    small = quant.downscale(image, budget)
    buffer = io.BytesIO()
    Image.fromarray(small).save(buffer, format="PNG", compress_level=3)
    return Picture(png=buffer.getvalue(), width=small.shape[1], height=small.shape[0])


@st.cache_data(max_entries=8, show_spinner=False)
def _original_picture(digest: str, _ref: ImageRef) -> Picture:
    return _picture(pixels(_ref), max_pixels=PREVIEW_PIXELS, max_width=PREVIEW_WIDTH)


def original_picture(ref: ImageRef, *, tile: bool = False) -> Picture:
    """The image downscaled for the screen; ``tile=True`` gives the grid-tile size."""
    if tile:
        return _original_tile(ref.digest, ref)
    return _original_picture(ref.digest, ref)


@st.cache_data(max_entries=8, show_spinner=False)
def _original_tile(digest: str, _ref: ImageRef) -> Picture:
    return _picture(pixels(_ref), max_pixels=TILE_PIXELS, max_width=TILE_WIDTH)


# --- colours and palettes ----------------------------------------------------------


@st.cache_data(max_entries=8, show_spinner=False)
def _color_sample(digest: str, n_samples: int, seed: int, _ref: ImageRef) -> quant.ColorSample:
    return quant.sample_colors(pixels(_ref), n_samples, seed=seed)


def color_sample(ref: ImageRef) -> quant.ColorSample:
    """A frequency-weighted sample of the image's distinct colours, for the 3D cloud."""
    return _color_sample(ref.digest, CLOUD_SAMPLES, _CLOUD_SEED, ref)


_ENCODERS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="png")
"""Shared by all sessions: it holds no state, and two threads match the host's two cores."""


@st.cache_data(max_entries=24, show_spinner=False)
def _reconstruction(
    digest: str,
    n_colors: int,
    method: str,
    space: str,
    dither: bool,
    seed: int,
    _ref: ImageRef,
) -> Reconstruction:
    image = pixels(_ref)
    result = quant.quantize(image, n_colors, method=method, space=space, dither=dither, seed=seed)
    # zlib and the resize release the GIL while the metrics run on this thread: on two
    # cores this cuts a 12 MP tile by about a third (scripts/measure_app.py).
    png = _ENCODERS.submit(quant.indexed_png, result)
    preview = _ENCODERS.submit(_picture, result.image, max_pixels=TILE_PIXELS, max_width=TILE_WIDTH)
    measured = quant.metrics(image, result, ssim=False)
    return Reconstruction(
        n_colors=n_colors,
        method=method,
        space=space,
        dither=dither,
        seed=seed,
        palette=result.palette,
        counts=result.counts,
        metrics=measured,
        png=png.result(),
        preview=preview.result(),
        seconds=result.seconds,
    )


def reconstruction(
    ref: ImageRef, n_colors: int, settings: Settings, *, method: str | None = None
) -> Reconstruction:
    """Quantize the full-size image; ``method`` overrides the sidebar's (for "random").

    Raises
    ------
    quant.ImageError
        For a palette size or method ``quant`` does not accept.
    """
    return _reconstruction(
        ref.digest,
        int(n_colors),
        method or settings.method,
        settings.space,
        settings.dither,
        settings.seed,
        ref,
    )


def reconstructions(
    ref: ImageRef, tiles: Sequence[tuple[int, str]], settings: Settings
) -> Iterator[Reconstruction]:
    """:func:`reconstruction` for several tiles, yielded one by one in the order asked.

    A page draws each tile as soon as it is ready. They are computed one after the
    other on purpose: the work is memory-bound (two at once on two cores gained about
    10 % on a 12 MP photo) and one 12 MP palette with its metrics needs about 0.6 GB
    while it is computed, on a host whose 2.7 GB all visitors share.

    Parameters
    ----------
    tiles : sequence of (n_colors, method)
        What to compute; ``method`` overrides the sidebar's.
    """
    for n_colors, method in tiles:
        yield reconstruction(ref, n_colors, settings, method=method)


@st.cache_data(max_entries=16, show_spinner=False)
def _centre_labels(
    digest: str,
    n_colors: int,
    method: str,
    space: str,
    dither: bool,
    seed: int,
    _ref: ImageRef,
) -> np.ndarray:
    settings = Settings(method=method, space=space, dither=dither, seed=seed)
    palette = reconstruction(_ref, n_colors, settings).palette
    return quant.assign_colors(color_sample(_ref).colors, palette, space=space)


def centre_labels(ref: ImageRef, n_colors: int, settings: Settings) -> np.ndarray:
    """For each colour of :func:`color_sample`, the index of its nearest palette entry."""
    return _centre_labels(
        ref.digest, int(n_colors), settings.method, settings.space, settings.dither, settings.seed, ref
    )


@st.cache_resource(max_entries=16, show_spinner=False)
def _cloud_figures(
    digest: str,
    n_colors: int,
    method: str,
    space: str,
    dither: bool,
    seed: int,
    by_centre: bool,
    _ref: ImageRef,
) -> tuple[go.Figure, go.Figure]:
    settings = Settings(method=method, space=space, dither=dither, seed=seed)
    sample = color_sample(_ref)
    result = reconstruction(_ref, n_colors, settings)
    labels = centre_labels(_ref, n_colors, settings) if by_centre else None
    return (
        figures.color_cloud(sample.colors, sample.counts, result.palette, result.counts, labels=labels),
        figures.color_planes(sample.colors, result.palette, result.counts, labels=labels),
    )


def cloud_figures(
    ref: ImageRef, n_colors: int, settings: Settings, *, by_centre: bool
) -> tuple[go.Figure, go.Figure]:
    """The Colour space page's 3D cloud and its three 2D views.

    Cached as resources, i.e. shared and not copied: Plotly validates every one of the
    20,000 point colours whenever a figure is built (or unpickled, as ``cache_data``
    would), about half a second, while the charts only read the figures. Nothing may
    modify the returned figures.
    """
    return _cloud_figures(
        ref.digest,
        int(n_colors),
        settings.method,
        settings.space,
        settings.dither,
        settings.seed,
        by_centre,
        ref,
    )


# --- the Compare page: many palettes on a downscaled copy --------------------------


@st.cache_data(max_entries=2, show_spinner=False)
def _work_pixels(digest: str, max_pixels: int, _ref: ImageRef) -> np.ndarray:
    return quant.downscale(pixels(_ref), max_pixels)


def work_size(ref: ImageRef) -> tuple[int, int]:
    """(height, width) of the Compare page's working copy."""
    height, width = _work_pixels(ref.digest, WORK_PIXELS, ref).shape[:2]
    return height, width


@st.cache_data(max_entries=96, show_spinner=False)
def _compare_result(
    digest: str,
    max_pixels: int,
    n_colors: int,
    method: str,
    space: str,
    dither: bool,
    seed: int,
    _ref: ImageRef,
) -> tuple[ComparePoint, np.ndarray]:
    work = _work_pixels(digest, max_pixels, _ref)
    result = quant.quantize(work, n_colors, method=method, space=space, dither=dither, seed=seed)
    point = ComparePoint(
        n_colors=n_colors,
        method=method,
        k=result.k,
        metrics=quant.metrics(work, result, ssim=False),
        seconds=result.seconds,
    )
    return point, result.image


def compare_point(ref: ImageRef, n_colors: int, method: str, settings: Settings) -> ComparePoint:
    """Quantize the working copy (at most :data:`WORK_PIXELS`) and measure the error."""
    point, _ = _compare_result(
        ref.digest, WORK_PIXELS, int(n_colors), method, settings.space, settings.dither, settings.seed, ref
    )
    return point


@st.cache_data(max_entries=8, show_spinner=False)
def _error_map(
    digest: str,
    max_pixels: int,
    n_colors: int,
    method: str,
    space: str,
    dither: bool,
    seed: int,
    _ref: ImageRef,
) -> np.ndarray:
    work = _work_pixels(digest, max_pixels, _ref)
    _, reconstructed = _compare_result(digest, max_pixels, n_colors, method, space, dither, seed, _ref)
    return quant.error_map(work, reconstructed, kind="delta_e")


def error_map(ref: ImageRef, n_colors: int, method: str, settings: Settings) -> np.ndarray:
    """Per-pixel ΔE between the working copy and one of its reconstructions."""
    return _error_map(
        ref.digest, WORK_PIXELS, int(n_colors), method, settings.space, settings.dither, settings.seed, ref
    )
