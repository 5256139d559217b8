"""The "k-means step by step" page's door into ``quant``: traces of k-means on the
full-size image, their animation and the seed table, stored like every heavy result
(:mod:`ui.compute.cached`, :mod:`ui.compute.waiting`).

Every trace keeps the pinned colours the sidebar holds for its k (centres that never
move), so the pins are part of every key. Every trace works on the colours one can see
(:func:`ui.compute.cached.visible_pixels`): an RGBA image's fully transparent pixels
are left out, and the pictures rebuilt per step keep the transparency of the picture.

On a first visit the page starts MiniBatch's trace and the seed table's thirty runs
(:func:`minibatch_trace_started`, :func:`seed_table_started`) in threads of its run,
each job through the gate with the page's ticket, while it draws the animation; the
animation is made from its plain dict, never validated by Plotly
(:func:`ui.compute.shared_figures.shared_figure_of`)."""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import streamlit as st
from PIL import Image

import quant
from ui.compute import cached, shared_figures
from ui.compute.store import STORE
from ui.compute.waiting import side_by_side, stored
from ui.figures import steps_animation as animation_figures
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
    "minibatch_trace_started",
    "seed_table",
    "seed_table_started",
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
    """Centres with no pixel at the end, pins left aside (a pin is never stranded by k-means)."""


def _trace(kind: str, ref: ImageRef, n_colors: int, init: str, seed: int, pins: tuple[str, ...]) -> quant.KMeansSteps:
    def make() -> quant.KMeansSteps:
        image = cached.visible_pixels(ref)
        fixed = cached.colors_of(pins)
        if kind == "lloyd":
            trace = quant.kmeans_steps(image, n_colors, init=init, seed=seed, max_iter=STEPS_MAX_ITER, fixed=fixed)
        else:
            trace = quant.minibatch_steps(
                image, n_colors, init=init, seed=seed, max_iter=STEPS_MAX_ITER, batch_size=max(STEPS_BATCH_SIZE, n_colors),
                fixed=fixed,
            )
        cached.read_only(trace.centres, trace.mse, trace.update_mse, trace.counts, trace.pinned)
        return trace

    return stored(("kmeans-steps", kind, ref.digest, int(n_colors), init, int(seed), STEPS_MAX_ITER, pins), make)


def kmeans_trace(ref: ImageRef, n_colors: int, init: str, seed: int, pins: tuple[str, ...] = ()) -> quant.KMeansSteps:
    """Every step of Lloyd's k-means on the full-size image's visible colours (at most
    :data:`STEPS_MAX_ITER`), the ``pins`` ("#rrggbb") being centres that never move."""
    return _trace("lloyd", ref, int(n_colors), init, int(seed), tuple(pins))


def minibatch_trace(ref: ImageRef, n_colors: int, init: str, seed: int, pins: tuple[str, ...] = ()) -> quant.KMeansSteps:
    """The notebook's MiniBatchKMeans from the same start and pins, one batch of pixels per step."""
    return _trace("minibatch", ref, int(n_colors), init, int(seed), tuple(pins))


def minibatch_trace_started(
    ref: ImageRef, n_colors: int, init: str, seed: int, pins: tuple[str, ...] = ()
) -> Callable[[], quant.KMeansSteps]:
    """Start :func:`minibatch_trace` now, in a thread of this page run, and return what
    waits for it. Its first run in a process also imports scikit-learn's clustering,
    a few tenths of a second that the page's other work fills; the job goes through the
    gate with the page's ticket (:func:`ui.compute.waiting.side_by_side`)."""
    line = side_by_side([functools.partial(minibatch_trace, ref, n_colors, init, seed, pins)], workers=1)
    return lambda: next(line)


_OPACITIES = np.array([85, 170, 255], dtype=np.uint8)
"""Opacities of a picture rebuilt per step from an image with transparency: each pixel
of its small copy shows at the nearest of these (fully transparent when nearer 0), so
that a centre needs at most three palette entries and k = 64 fits in one indexed PNG."""


def _encoded(picture: np.ndarray) -> bytes:
    """A JPEG of an RGB picture (a fraction of a PNG's size), a PNG of an RGBA one."""
    buffer = io.BytesIO()
    if picture.shape[-1] == 4:
        Image.fromarray(picture).save(buffer, format="PNG")
    else:
        Image.fromarray(picture).save(buffer, format="JPEG", quality=88)
    return buffer.getvalue()


def _rebuilt(trace: quant.KMeansSteps, small: np.ndarray, row: int) -> bytes:
    """An indexed PNG of ``small`` with every pixel replaced by its nearest centre of
    ``row``; an RGBA copy keeps its alpha, in the steps of :data:`_OPACITIES`."""
    height, width = small.shape[:2]
    if small.shape[-1] == 3:
        return quant.indexed_png_of_labels(trace.labels_of(small, row).astype(np.uint8).reshape(height, width), trace.palette(row))
    level = np.rint(small[..., 3].astype(np.float64) * (len(_OPACITIES) / 255)).astype(np.intp)
    seen = level > 0
    # Entry 0 is transparent; centre j at opacity level l is entry 1 + 3 j + (l - 1).
    entries = np.zeros((height, width), dtype=np.intp)
    if seen.any():
        entries[seen] = 1 + len(_OPACITIES) * trace.labels_of(small[..., :3][seen], row) + level[seen] - 1
    palette = np.concatenate([np.zeros((1, 3), dtype=np.uint8), np.repeat(trace.palette(row), len(_OPACITIES), axis=0)])
    alpha = np.concatenate([np.zeros(1, dtype=np.uint8), np.tile(_OPACITIES, trace.k)])
    used, labels = np.unique(entries.ravel(), return_inverse=True)
    return quant.indexed_png_of_labels(labels.astype(np.uint8).reshape(height, width), palette[used], alpha=alpha[used])


def animation_of(trace: quant.KMeansSteps, image: np.ndarray, *, visible: np.ndarray | None = None) -> shared_figures.SharedFigure:
    """The animated figure of a trace on an image (uncached; see :func:`steps_animation`),
    made from its plain dict without Plotly's validation (:mod:`ui.figures.steps_animation`).

    The points are :data:`STEPS_POINTS` of the image's colours (``visible``, the colours
    of an RGBA image's visible pixels, which it then needs), the pictures a copy of at
    most :data:`STEPS_PICTURE_PIXELS` pixels rebuilt from each row's centres, with the
    copy's transparency when ``image`` is RGBA. The pinned centres are drawn apart.
    """
    has_alpha = image.shape[-1] == 4
    if has_alpha and visible is None:
        raise ValueError(f"an RGBA image ({image.shape}) needs the colours of its visible pixels, visible=...")
    sample = quant.sample_colors(visible if has_alpha else image, STEPS_POINTS, seed=0)
    small = quant.downscale(image, STEPS_PICTURE_PIXELS, alpha=has_alpha)
    rows = range(trace.n_steps + 1)
    groups = np.stack([trace.labels_of(sample.colors, row) for row in rows]).astype(np.uint8)
    pictures = [_rebuilt(trace, small, row) for row in rows]
    spec = animation_figures.kmeans_animation(
        sample.colors, groups, trace.centres, trace.counts, trace.mse, trace.update_mse, _encoded(small), pictures,
        converged=trace.converged, pinned=trace.pinned, checkerboard=has_alpha,
    )
    return shared_figures.shared_figure_of(spec)


@st.cache_resource(max_entries=8, show_spinner=False)
def _steps_animation(digest: str, n_colors: int, init: str, seed: int, pins: tuple[str, ...], _ref: ImageRef) -> shared_figures.SharedFigure:
    trace = kmeans_trace(_ref, n_colors, init, seed, pins)
    return animation_of(trace, cached.pixels(_ref), visible=cached.visible_pixels(_ref))


def steps_animation(ref: ImageRef, n_colors: int, init: str, seed: int, pins: tuple[str, ...] = ()) -> shared_figures.SharedFigure:
    """The page's animated figure of :func:`kmeans_trace` (shared: nothing may modify it;
    read its dict, :meth:`~ui.compute.shared_figures.SharedFigure.to_dict`, which is ready)."""
    return _steps_animation(ref.digest, int(n_colors), init, int(seed), tuple(pins), ref)


@dataclass(frozen=True)
class SeedTable:
    """Traces for many seeds and every start, on a copy of the image of this size.

    For an image with transparency the copy is a row of ``width`` of its
    ``n_visible`` visible pixels, evenly spread (``height`` 1)."""

    height: int
    width: int
    runs: tuple[SeedRun, ...]
    n_visible: int | None = None
    """The image's visible pixels when it has transparency; None without."""


def _table_work(ref: ImageRef) -> tuple[np.ndarray, int | None]:
    """What the seed table runs on: a copy of at most :data:`STEPS_TABLE_PIXELS`
    pixels, or for an image with transparency every so many of its visible pixels,
    exactly as they are; and the number of visible pixels (None without transparency).
    Made once and frozen, so that every run of the table finds its colour histogram
    by identity (:func:`quant.freeze`)."""

    def make() -> tuple[np.ndarray, int | None]:
        visible = cached.visible_pixels(ref)
        if cached.pixels(ref).shape[-1] == 3:
            return quant.freeze(quant.downscale(visible, STEPS_TABLE_PIXELS)), None
        n_visible = visible.shape[1]
        return quant.freeze(visible[:, :: -(-n_visible // STEPS_TABLE_PIXELS)]), n_visible

    return stored(("kmeans-seeds-work", ref.digest, STEPS_TABLE_PIXELS), make)


def _seed_run(ref: ImageRef, n_colors: int, init: str, seed: int, pins: tuple[str, ...]) -> SeedRun:
    """One row of the seed table: a trace to convergence on the table's copy."""

    def make() -> SeedRun:
        work, _ = _table_work(ref)
        trace = quant.kmeans_steps(
            work, n_colors, init=init, seed=seed, max_iter=STEPS_TABLE_MAX_ITER, fixed=cached.colors_of(pins)
        )
        return SeedRun(
            init=init,
            seed=seed,
            start_mse=float(trace.mse[0]),
            final_mse=float(trace.mse[-1]),
            n_steps=trace.n_steps,
            converged=trace.converged,
            n_empty=int((trace.empty[-1] & ~trace.pinned).sum()),
        )

    key = ("kmeans-seed-run", ref.digest, STEPS_TABLE_PIXELS, n_colors, STEPS_TABLE_MAX_ITER, init, seed, pins)
    return stored(key, make)


def seed_table_started(ref: ImageRef, n_colors: int, pins: tuple[str, ...] = ()) -> Callable[[], SeedTable]:
    """Start the runs of :func:`seed_table` now, two at a time, and return what waits for
    them and makes the table.

    The page starts them before it draws its other charts, which are worked out
    meanwhile in the page's own thread: the thirty runs are most of the page's work, and
    one at a time they left a core idle. Each run is a job of its own through the gate
    (:func:`ui.compute.waiting.side_by_side`), with the page's ticket, and is kept on its
    own; the table, once made, is kept whole.
    """
    n_colors, pins = int(n_colors), tuple(pins)
    key = ("kmeans-seeds", ref.digest, STEPS_TABLE_PIXELS, n_colors, STEPS_TABLE_MAX_ITER, STEPS_TABLE_SEEDS, pins)
    held = STORE.peek(key)
    if held is not None:
        return lambda: held
    runs = side_by_side(
        [
            functools.partial(_seed_run, ref, n_colors, init, seed, pins)
            for init in quant.INITS
            for seed in STEPS_TABLE_SEEDS
        ]
    )

    def table() -> SeedTable:
        made_runs = tuple(runs)
        work, n_visible = _table_work(ref)
        made = SeedTable(height=work.shape[0], width=work.shape[1], runs=made_runs, n_visible=n_visible)
        STORE.put(key, made)
        return made

    return table


def seed_table(ref: ImageRef, n_colors: int, pins: tuple[str, ...] = ()) -> SeedTable:
    """A trace for every seed of :data:`STEPS_TABLE_SEEDS` and every start, with the same
    pins, on a copy of at most :data:`STEPS_TABLE_PIXELS` pixels (see
    :func:`seed_table_started`)."""
    return seed_table_started(ref, n_colors, pins)()
