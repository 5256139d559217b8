"""The Compare page's door into ``quant``: many palettes of a downscaled working copy
(at most :data:`WORK_PIXELS`), their errors and where one of them errs, stored like
every heavy result (:mod:`ui.compute.store`, :mod:`ui.compute.waiting`).

Views from the histogram: a point of the curves is a palette fitted to the working
copy's colour histogram (:func:`compare_fit`) measured per distinct colour, or, when
dithered, per (colour, entry) pair, exactly as ``quant.metrics`` measures the
rebuilt picture, without rebuilding it. SSIM, which has to look at the pixels, is
measured apart (:func:`compare_ssim`, with ``quant.ssim``: nothing else measured
again), so the page can draw the curves first.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import quant
from ui.compute.cached import colors_of, downscaled
from ui.compute.shared_figures import shared_figure
from ui.compute.store import STORE
from ui.compute.waiting import side_by_side, stored
from ui.figures import compare as compare_figures
from ui.frame.state import ImageRef, Settings

__all__ = [
    "BASELINES",
    "PILLOW_METHODS",
    "SIZES",
    "WORK_PIXELS",
    "ComparePoint",
    "compare_fit",
    "compare_point",
    "compare_points",
    "compare_ssim",
    "compare_ssims",
    "error_heatmap",
    "error_map",
    "methods_for",
    "points_held",
    "ssims_held",
    "work_size",
]

WORK_PIXELS = 250_000
"""Pixel budget of the copy the Compare page quantizes 30-odd times."""
SIZES = (2, 4, 8, 16, 32, 64, 128, 256)
"""The palette sizes of the curves."""
BASELINES = ("kmeans", "median-cut", "octree", "random")
"""The methods always compared; the sidebar's joins them when it is another."""


def methods_for(settings: Settings) -> tuple[str, ...]:
    """The methods the page compares: :data:`BASELINES`, and the sidebar's first when
    it is not one of them."""
    return BASELINES if settings.method in BASELINES else (settings.method, *BASELINES)


@dataclass(frozen=True)
class ComparePoint:
    """One point of the Compare page's error curves, on the downscaled working copy.

    ``metrics.ssim`` is None: SSIM is measured apart (:func:`compare_ssim`)."""

    n_colors: int
    method: str
    k: int
    metrics: quant.Metrics
    seconds: float


def _work_pixels(ref: ImageRef) -> np.ndarray:
    return downscaled(ref, WORK_PIXELS)


def work_size(ref: ImageRef) -> tuple[int, int]:
    """(height, width) of the Compare page's working copy."""
    height, width = _work_pixels(ref).shape[:2]
    return height, width


def _compare_key(kind: str, ref: ImageRef, n_colors: int, method: str, settings: Settings, *, dithered: bool = True) -> tuple:
    """The store key of a ``kind`` of result; a fit does not depend on dithering."""
    dither = (settings.dither, settings.dither_kind) if dithered else None
    return (kind, ref.digest, WORK_PIXELS, int(n_colors), method, settings.space, dither, settings.seed, settings.pins_for(n_colors))


def compare_fit(ref: ImageRef, n_colors: int, method: str, settings: Settings) -> quant.PaletteFit:
    """The palette of ``method`` for the working copy, from its colour histogram:
    shared by the point, its SSIM and its heat map, dithered or not."""

    def make() -> quant.PaletteFit:
        return quant.fit_palette(
            _work_pixels(ref), int(n_colors), method=method, space=settings.space, seed=settings.seed,
            fixed=colors_of(settings.pins_for(n_colors)),
        )

    return stored(_compare_key("compare-fit", ref, n_colors, method, settings, dithered=False), make)


def _rebuilt(ref: ImageRef, n_colors: int, method: str, settings: Settings) -> quant.Quantized:
    """The working copy rebuilt from :func:`compare_fit`, dithered as the sidebar says:
    bit for bit ``quant.quantize`` of the copy with the same settings (not stored)."""
    return quant.apply_palette(
        _work_pixels(ref), compare_fit(ref, n_colors, method, settings), dither=settings.dither,
        dither_kind=settings.dither_kind,
    )


def compare_point(ref: ImageRef, n_colors: int, method: str, settings: Settings) -> ComparePoint:
    """The error of ``method``'s palette of ``n_colors`` on the working copy: MSE, PSNR
    and mean ΔE, exactly those of ``quant.quantize`` + ``quant.metrics``; no SSIM."""

    def make() -> ComparePoint:
        fitted = compare_fit(ref, n_colors, method, settings)
        if settings.dither:
            result = _rebuilt(ref, n_colors, method, settings)
            measured, k, seconds = quant.metrics(_work_pixels(ref), result, ssim=False), result.k, result.seconds
        else:
            measured, k, seconds = quant.metrics(_work_pixels(ref), fitted, ssim=False), fitted.k, fitted.seconds
        return ComparePoint(n_colors=int(n_colors), method=method, k=k, metrics=measured, seconds=seconds)

    return stored(_compare_key("compare", ref, n_colors, method, settings), make)


def compare_ssim(ref: ImageRef, n_colors: int, method: str, settings: Settings) -> float | None:
    """SSIM of the working copy rebuilt by ``method``'s palette of ``n_colors`` (None
    when the copy is too small for SSIM's window)."""

    def make() -> float | None:
        return quant.ssim(_work_pixels(ref), _rebuilt(ref, n_colors, method, settings))

    return stored(_compare_key("compare-ssim", ref, n_colors, method, settings), make)


def _held(kind: str, ref: ImageRef, runs: Sequence[tuple[str, int]], settings: Settings) -> bool:
    return all(_compare_key(kind, ref, n_colors, method, settings) in STORE for method, n_colors in runs)


def points_held(ref: ImageRef, runs: Sequence[tuple[str, int]], settings: Settings) -> bool:
    """Whether :func:`compare_point` of every (method, n_colors) of ``runs`` is held."""
    return _held("compare", ref, runs, settings)


def ssims_held(ref: ImageRef, runs: Sequence[tuple[str, int]], settings: Settings) -> bool:
    """Whether :func:`compare_ssim` of every (method, n_colors) of ``runs`` is held."""
    return _held("compare-ssim", ref, runs, settings)


PILLOW_METHODS = ("octree", "median-cut")
"""Methods whose palette is Pillow's, which holds the GIL throughout."""


def compare_points(ref: ImageRef, runs: Sequence[tuple[str, int]], settings: Settings) -> Iterator[ComparePoint]:
    """:func:`compare_point` of every (method, n_colors) of ``runs``, yielded in the
    order asked: straight from the store when every one is held, else in two threads
    of this page run, one for Pillow's quantizers, which hold the GIL throughout, and
    one for the others, whose k-means and ΔE mostly release it (the two run side by
    side instead of one waiting for the other's turn)."""
    held = [STORE.peek(_compare_key("compare", ref, n_colors, method, settings)) for method, n_colors in runs]
    if all(value is not None for value in held):
        return iter(held)
    streams = {
        pillow: side_by_side(
            [
                lambda method=method, n_colors=n_colors: compare_point(ref, n_colors, method, settings)
                for method, n_colors in runs
                if (method in PILLOW_METHODS) == pillow
            ],
            workers=1,
        )
        for pillow in (True, False)
    }
    return (next(streams[method in PILLOW_METHODS]) for method, _ in runs)


def compare_ssims(ref: ImageRef, runs: Sequence[tuple[str, int]], settings: Settings) -> Iterator[float | None]:
    """:func:`compare_ssim` of every (method, n_colors) of ``runs``, two at a time
    (SSIM's filters release the GIL), yielded in the order asked."""
    held = [STORE.peek(_compare_key("compare-ssim", ref, n_colors, method, settings)) for method, n_colors in runs]
    if all(value is not None for value in held):
        return iter(held)
    return side_by_side([lambda method=method, n_colors=n_colors: compare_ssim(ref, n_colors, method, settings) for method, n_colors in runs])


def error_map(ref: ImageRef, n_colors: int, method: str, settings: Settings) -> np.ndarray:
    """Per-pixel ΔE between the working copy and one of its reconstructions."""

    def make() -> np.ndarray:
        error = quant.error_map(_work_pixels(ref), _rebuilt(ref, n_colors, method, settings).image, kind="delta_e")
        error.flags.writeable = False
        return error

    return stored(_compare_key("error", ref, n_colors, method, settings), make)


@st.cache_resource(max_entries=8, show_spinner=False)
def _error_heatmap(key: tuple, _error: np.ndarray) -> go.Figure:
    return shared_figure(compare_figures.error_heatmap(_error, title="ΔE"))


def error_heatmap(ref: ImageRef, n_colors: int, method: str, settings: Settings) -> go.Figure:
    """The Compare page's heat map of :func:`error_map`, built once per choice and keyed
    on the choice, not on the map's 250,000 values (hashing them cost 7 ms a redraw).
    Shared: nothing may modify it."""
    key = _compare_key("heatmap", ref, n_colors, method, settings)
    # The map is fetched here, not in the cached function: waiting for a free slot for
    # it (beside the page's SSIM line, or behind other visitors) shows the queue
    # notice, a Streamlit element, which a cached function may not draw.
    return _error_heatmap(key, error_map(ref, n_colors, method, settings))
