"""The "k-means step by step" page's door into ``quant``: traces of k-means on the
full-size image, their animation and the seed table, stored like every heavy result
(:mod:`ui.compute.cached`, :mod:`ui.compute.waiting`)."""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from PIL import Image

import quant
from ui.compute import cached, shared_figures
from ui.compute.waiting import stored
from ui.figures import steps as steps_figures
from ui.frame.state import ImageRef

__all__ = [
    "STEPS_MAX_ITER",
    "STEPS_TABLE_MAX_ITER",
    "STEPS_TABLE_PIXELS",
    "STEPS_TABLE_SEEDS",
    "SeedRun",
    "SeedTable",
    "animation_of",
    "kmeans_trace",
    "minibatch_trace",
    "seed_table",
    "steps_animation",
]

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
        image = cached.pixels(ref)
        if kind == "lloyd":
            trace = quant.kmeans_steps(image, n_colors, init=init, seed=seed, max_iter=STEPS_MAX_ITER)
        else:
            trace = quant.minibatch_steps(
                image, n_colors, init=init, seed=seed, max_iter=STEPS_MAX_ITER, batch_size=max(STEPS_BATCH_SIZE, n_colors)
            )
        cached.read_only(trace.centres, trace.mse, trace.update_mse, trace.counts)
        return trace

    return stored(("kmeans-steps", kind, ref.digest, int(n_colors), init, int(seed), STEPS_MAX_ITER), make)


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
    return shared_figures.shared_figure(animation_of(kmeans_trace(_ref, n_colors, init, seed), cached.pixels(_ref)))


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
        work = quant.downscale(cached.pixels(ref), STEPS_TABLE_PIXELS)

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
    return stored(key, make)
