"""Plotly figures shared by every session that draws them: built once per distinct
arguments, handed to Streamlit as one memoized dict. Nothing may modify them."""

from __future__ import annotations

import hashlib

import numpy as np
import plotly.graph_objects as go
import streamlit as st

__all__ = ["SharedFigure", "figure", "shared_figure"]


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

    def to_dict(self) -> dict:
        if self._dict is None:
            self._dict = super().to_dict()
        return self._dict


def shared_figure(built: go.Figure) -> SharedFigure:
    """``built``, made a :class:`SharedFigure` in place, for a figure cached as a
    resource. In place, not copied: copying a figure validates every property again,
    0.1-0.4 s for a cloud of a few thousand coloured points."""
    if not isinstance(built, SharedFigure):
        built.__class__ = SharedFigure
    return built


@st.cache_resource(max_entries=64, show_spinner=False)
def _built_figure(builder: str, key: object, _build) -> go.Figure:
    return shared_figure(_build())


def figure(build, *args, **kwargs) -> go.Figure:
    """``build(*args, **kwargs)``, a figure builder of :mod:`ui.figures`, made once per
    distinct arguments and shared: building a Plotly figure validates every property,
    tens of milliseconds a figure on every redraw of a page. Nothing may modify it."""
    key = (_digest_of(args), _digest_of(kwargs))
    return _built_figure(f"{build.__module__}.{build.__qualname__}", key, lambda: build(*args, **kwargs))
