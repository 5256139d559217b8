"""The notebooks' door: a page's view as a notebook (:mod:`ui.notebooks`), built from the
visitor's session and kept per view, so that redrawing a page builds nothing."""

from __future__ import annotations

import dataclasses

import streamlit as st

import ui.notebooks as notebooks
from ui.compute import cached
from ui.frame import state
from ui.notebooks.settings import UPLOAD

__all__ = ["code", "file_bytes", "file_name", "view_settings"]


def view_settings(ref: state.ImageRef) -> notebooks.NotebookSettings:
    """The notebook settings of the view on screen: the image (and whether it was decoded
    with transparency), the sidebar's choices (pins and a brought palette included) and
    every page's own controls."""
    session = st.session_state
    settings = state.settings()
    chosen = session[state.PALETTE]
    is_preset = chosen not in (state.PALETTE_COMPUTED, state.PALETTE_FROM_FILE)
    return notebooks.NotebookSettings(
        image=ref.sample if ref.sample is not None else UPLOAD,
        upload_name=None if ref.sample is not None else ref.name,
        upload_bytes=None if ref.sample is not None else ref.raw,
        # As the dashboard decoded it (already stored): the notebook then keeps the alpha.
        has_alpha=cached.pixels(ref).shape[-1] == 4,
        method=settings.method,
        space=settings.space,
        seed=settings.seed,
        dither=bool(session[state.DITHER]),
        dither_kind=str(session[state.DITHER_KIND]),
        dither_strength=float(session[state.DITHER_STRENGTH]),
        k=int(session[state.CLOUD_K]),
        by_centre=bool(session[state.CLOUD_BY_CENTRE]),
        sizes=tuple(sorted(int(n) for n in session[state.RECON_SIZES])),
        with_random=bool(session[state.RECON_RANDOM]),
        quality_target=session[state.QUALITY_TARGET],
        steps_k=int(session[state.STEPS_K]),
        start=str(session[state.STEPS_INIT]),
        steps_seed=int(session[state.STEPS_SEED]),
        measure=str(session[state.COMPARE_METRIC]),
        log_axis=bool(session[state.COMPARE_LOG]),
        target=float(session[state.COMPARE_TARGET]),
        heatmap=tuple(session[state.HEATMAP_CHOICE]),
        pins=settings.pins,
        palette=chosen if is_preset else None,
        palette_colours=settings.palette,
    )


def _key(settings: notebooks.NotebookSettings, digest: str) -> tuple:
    """A hashable key for a view: the settings without the upload's bytes (the image's
    digest stands for them), so that a key never hashes megabytes."""
    return (dataclasses.replace(settings, upload_bytes=None), digest)


@st.cache_data(max_entries=64, show_spinner=False)
def _code(page: str, key: tuple, _settings: notebooks.NotebookSettings) -> list[str]:
    return notebooks.code_cells(page, _settings)


def code(page: str, settings: notebooks.NotebookSettings, digest: str) -> list[str]:
    """The central code cells of ``page``'s notebook, for "Show the code"."""
    return _code(page, _key(settings, digest), settings)


@st.cache_data(max_entries=16, show_spinner=False)
def _file(page: str, key: tuple, _settings: notebooks.NotebookSettings) -> bytes:
    return notebooks.notebook_bytes(page, _settings)


def file_bytes(page: str, settings: notebooks.NotebookSettings, digest: str) -> bytes:
    """The ``.ipynb`` file of ``page``'s view, made when the visitor asks for it."""
    return _file(page, _key(settings, digest), settings)


def file_name(page: str, settings: notebooks.NotebookSettings) -> str:
    """The download's file name, ASCII only whatever the upload was called."""
    return notebooks.notebook_file_name(page, settings)
