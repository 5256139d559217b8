"""Work done ahead of the first visitors: the bundled samples' slowest pages.

A visitor starts on a sample, and two of its pages take seconds on a first visit: the
k-means step by step page (its traces, their animation, thirty runs for the seed
table) and the Compare page (32 palettes, their SSIM, a heat map). ``app.py`` starts
:func:`start` once its first page is on screen; from then on a thread of the server
computes those pages' results for the samples with the sidebar's defaults, the
default sample first, then compiles the dithering (:func:`ui.compute.cached.warm_up`),
then the other samples.

It goes through the gate and the store like everything else: each result is one
background job (:meth:`ui.compute.gate.Gate.background_ticket`), which waits behind
every visitor's job and is let in only when no other job runs, and it lands in the
one store (:mod:`ui.compute.store`), bounded in bytes like any result, where a
visitor finds it, or waits for it if it is being computed. A visitor who arrives
before it is done is served first; at worst one background job, a fraction of a
second, is running when they arrive.

``QUANT_WARM=0`` turns it off and ``QUANT_WARM=1`` on; unset, it runs under
``streamlit run`` but not under Streamlit's ``AppTest``, where tests would find
a thread of work they did not ask for.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator

import streamlit as st

from ui.compute import cached, cached_compare, waiting
from ui.frame import samples, state

__all__ = ["PREPARED", "default_settings", "enabled", "jobs", "run", "start"]

logger = logging.getLogger(__name__)

THREAD_NAME = "warm-samples"
PREPARED: dict[str, threading.Event] = {name: threading.Event() for name in samples.SAMPLES}
"""Set once a sample's work ahead of time is done (or has failed), for measurements
(``scripts/measure_app.py``) and tests; no page waits for it."""


def enabled() -> bool:
    """Whether to work ahead: ``QUANT_WARM`` ("0" or "1"), else only in a real server."""
    setting = os.environ.get("QUANT_WARM", "").strip()
    if setting in ("0", "1"):
        return setting == "1"
    from streamlit.runtime import Runtime

    # AppTest installs a stand-in for the runtime, not a Runtime.
    return Runtime.exists() and type(Runtime.instance()) is Runtime


def default_settings() -> state.Settings:
    """The sidebar's settings of a new visitor (:data:`ui.frame.state.DEFAULTS`)."""
    defaults = state.DEFAULTS
    return state.Settings(
        method=str(defaults[state.METHOD]), space=str(defaults[state.SPACE]), dither=0.0, seed=int(defaults[state.SEED]),
        pins=tuple(defaults[state.PINS]),
    )


def _compare_jobs(ref: state.ImageRef, settings: state.Settings) -> Iterator[tuple[str, Callable[[], object]]]:
    runs = [(method, n_colors) for method in cached_compare.methods_for(settings) for n_colors in cached_compare.SIZES]
    for method, n_colors in runs:
        yield f"Compare point {method} {n_colors}", lambda m=method, n=n_colors: cached_compare.compare_point(ref, n, m, settings)
    method, n_colors = state.DEFAULTS[state.HEATMAP_CHOICE]
    yield "Compare heat map", lambda: cached_compare.error_heatmap(ref, n_colors, method, settings)
    for method, n_colors in runs:
        yield f"Compare SSIM {method} {n_colors}", lambda m=method, n=n_colors: cached_compare.compare_ssim(ref, n, m, settings)


def _steps_jobs(ref: state.ImageRef) -> Iterator[tuple[str, Callable[[], object]]]:
    from ui.compute import cached_steps

    k, init, seed = int(state.DEFAULTS[state.STEPS_K]), str(state.DEFAULTS[state.STEPS_INIT]), int(state.DEFAULTS[state.STEPS_SEED])
    yield "k-means trace", lambda: cached_steps.kmeans_trace(ref, k, init, seed)
    yield "k-means animation", lambda: cached_steps.steps_animation(ref, k, init, seed)
    yield "MiniBatch trace", lambda: cached_steps.minibatch_trace(ref, k, init, seed)
    yield "seed table", lambda: cached_steps.seed_table(ref, k)


def jobs(sample: str) -> Iterator[tuple[str, Callable[[], object]]]:
    """(what, job) of every result worked out ahead for ``sample``: the k-means page's
    (next in the navigation after the first page) and then Compare's."""
    ref = cached.sample_ref(sample)
    yield from _steps_jobs(ref)
    yield from _compare_jobs(ref, default_settings())


def _sample_order() -> list[str]:
    default = str(state.DEFAULTS[state.SOURCE])
    return [default, *(name for name in samples.SAMPLES if name != default)]


def run(sample_names: list[str] | None = None) -> None:
    """Work out every job of :func:`jobs` for each sample (the default one first), one
    at a time as background work. A failing job is logged and skipped: nobody is
    waiting for it, and a visitor who asks later computes it (and sees the error)."""
    with waiting.in_background():
        for index, sample in enumerate(sample_names if sample_names is not None else _sample_order()):
            if index == 1:
                # After the first sample, not before: a visitor who opens its slow
                # pages at once has them sooner; dithering is rarely the first step.
                cached.warm_up().join()
            try:
                for what, job in jobs(sample):
                    try:
                        job()
                    except Exception:
                        logger.exception("Working out %s of the sample %r ahead of time failed", what, sample)
            except Exception:
                logger.exception("Working ahead on the sample %r failed", sample)
            finally:
                PREPARED[sample].set()


@st.cache_resource(max_entries=1, show_spinner=False)
def start() -> threading.Thread | None:
    """Start :func:`run` in a thread of the server, once per process; when not
    :func:`enabled`, only compile the dithering (:func:`ui.compute.cached.warm_up`) and
    return None."""
    if not enabled():
        cached.warm_up()
        return None
    for event in PREPARED.values():
        event.clear()
    thread = threading.Thread(target=run, name=THREAD_NAME, daemon=True)
    thread.start()
    return thread
