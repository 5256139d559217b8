"""The Compare page's door into ``quant``: many palettes of a downscaled working copy
(at most :data:`WORK_PIXELS`), their errors and where one of them errs, stored like
every heavy result (:mod:`ui.compute.store`, :mod:`ui.compute.waiting`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import quant
from ui.compute.cached import colors_of, downscaled
from ui.compute.shared_figures import shared_figure
from ui.compute.waiting import stored
from ui.figures import compare as compare_figures
from ui.frame.state import ImageRef, Settings

__all__ = ["WORK_PIXELS", "ComparePoint", "compare_point", "error_heatmap", "error_map", "work_size"]

WORK_PIXELS = 250_000
"""Pixel budget of the copy the Compare page quantizes 30-odd times."""


@dataclass(frozen=True)
class ComparePoint:
    """One point of the Compare page's error curves, on the downscaled working copy."""

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


def _compare_key(kind: str, ref: ImageRef, n_colors: int, method: str, settings: Settings) -> tuple:
    return (
        kind, ref.digest, WORK_PIXELS, int(n_colors), method, settings.space, settings.dither, settings.dither_kind, settings.seed,
        settings.pins_for(n_colors),
    )


def compare_point(ref: ImageRef, n_colors: int, method: str, settings: Settings) -> ComparePoint:
    """Quantize the working copy (at most :data:`WORK_PIXELS`) and measure the error."""

    def make() -> ComparePoint:
        work = _work_pixels(ref)
        result = quant.quantize(
            work, int(n_colors), method=method, space=settings.space, dither=settings.dither, seed=settings.seed,
            dither_kind=settings.dither_kind, fixed=colors_of(settings.pins_for(n_colors)),
        )
        return ComparePoint(
            n_colors=int(n_colors),
            method=method,
            k=result.k,
            # SSIM too: on at most WORK_PIXELS it adds about half to the page's first draw.
            metrics=quant.metrics(work, result, ssim=True),
            seconds=result.seconds,
        )

    return stored(_compare_key("compare", ref, n_colors, method, settings), make)


def error_map(ref: ImageRef, n_colors: int, method: str, settings: Settings) -> np.ndarray:
    """Per-pixel ΔE between the working copy and one of its reconstructions."""

    def make() -> np.ndarray:
        work = _work_pixels(ref)
        result = quant.quantize(
            work, int(n_colors), method=method, space=settings.space, dither=settings.dither, seed=settings.seed,
            dither_kind=settings.dither_kind, fixed=colors_of(settings.pins_for(n_colors)),
        )
        error = quant.error_map(work, result.image, kind="delta_e")
        error.flags.writeable = False
        return error

    return stored(_compare_key("error", ref, n_colors, method, settings), make)


@st.cache_resource(max_entries=8, show_spinner=False)
def _error_heatmap(key: tuple, _ref: ImageRef, _n_colors: int, _method: str, _settings: Settings) -> go.Figure:
    return shared_figure(compare_figures.error_heatmap(error_map(_ref, _n_colors, _method, _settings), title="ΔE"))


def error_heatmap(ref: ImageRef, n_colors: int, method: str, settings: Settings) -> go.Figure:
    """The Compare page's heat map of :func:`error_map`, built once per choice and keyed
    on the choice, not on the map's 250,000 values (hashing them cost 7 ms a redraw).
    Shared: nothing may modify it."""
    key = _compare_key("heatmap", ref, n_colors, method, settings)
    return _error_heatmap(key, ref, int(n_colors), method, settings)
