"""Plotly figures shared by every session that draws them: built once per distinct
arguments, handed to Streamlit as one memoized dict. Nothing may modify them."""

from __future__ import annotations

import base64
import hashlib

import numpy as np
import plotly.graph_objects as go
import streamlit as st

__all__ = ["SharedFigure", "figure", "shared_figure", "shared_figure_of"]


def _digest_of(value: object) -> object:
    """A hashable stand-in for a figure builder's argument: arrays by a digest of their bytes."""
    if isinstance(value, np.ndarray):
        return (value.shape, str(value.dtype), hashlib.blake2b(np.ascontiguousarray(value).tobytes(), digest_size=16).hexdigest())
    if isinstance(value, dict):
        return tuple((key, _digest_of(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return tuple(_digest_of(item) for item in value)
    return value


def _with_arrays(value: object) -> object:
    """A copy of a figure's plain dict with its typed arrays (``{"dtype", "bdata"}``)
    made numpy arrays again, as they were when the figure was built from them."""
    if isinstance(value, dict):
        if "bdata" in value and "dtype" in value:
            array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
            if "shape" in value:
                array = array.reshape([int(size) for size in value["shape"].split(",") if size.strip()])
            return array
        return {key: _with_arrays(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_with_arrays(item) for item in value]
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
    _unread: bool = False
    """Made from a plain dict (:func:`shared_figure_of`) whose Plotly properties are not filled in yet."""

    def to_dict(self) -> dict:
        if self._dict is None:
            self._dict = super().to_dict()
        return self._dict

    def _filled(self) -> SharedFigure:
        """This figure with its Plotly properties made from its dict, validated, the first time they are read."""
        if self._unread:
            self._unread = False
            go.Figure.__init__(self, _with_arrays(self._dict))
        return self

    # Plotly's own properties, filled from the dict the first time they are touched.
    data = property(
        lambda self: go.Figure.data.fget(self._filled()), lambda self, value: go.Figure.data.fset(self._filled(), value)
    )
    layout = property(
        lambda self: go.Figure.layout.fget(self._filled()), lambda self, value: go.Figure.layout.fset(self._filled(), value)
    )
    frames = property(
        lambda self: go.Figure.frames.fget(self._filled()), lambda self, value: go.Figure.frames.fset(self._filled(), value)
    )


def shared_figure(built: go.Figure) -> SharedFigure:
    """``built``, made a :class:`SharedFigure` in place, for a figure cached as a
    resource. In place, not copied: copying a figure validates every property again,
    0.1-0.4 s for a cloud of a few thousand coloured points."""
    if not isinstance(built, SharedFigure):
        built.__class__ = SharedFigure
    return built


def shared_figure_of(spec: dict) -> SharedFigure:
    """A :class:`SharedFigure` of a figure's plain dict, as :meth:`~plotly.graph_objects.Figure.to_dict`
    gives one (typed arrays included), made without Plotly's validation: Streamlit draws
    ``spec`` as it is. A Figure validates every property as it is set, 0.1-0.5 s for an
    animation of some fifty frames. Its ``data``, ``layout`` and ``frames`` are made from
    ``spec``, validated, only if they are read (tests do; pages read :meth:`~SharedFigure.to_dict`).
    Nothing may modify ``spec`` from then on."""
    shared = SharedFigure()
    shared._dict = spec
    shared._unread = True
    return shared


@st.cache_resource(max_entries=64, show_spinner=False)
def _built_figure(builder: str, key: object, _build) -> go.Figure:
    return shared_figure(_build())


def figure(build, *args, **kwargs) -> go.Figure:
    """``build(*args, **kwargs)``, a figure builder of :mod:`ui.figures`, made once per
    distinct arguments and shared: building a Plotly figure validates every property,
    tens of milliseconds a figure on every redraw of a page. Nothing may modify it."""
    key = (_digest_of(args), _digest_of(kwargs))
    return _built_figure(f"{build.__module__}.{build.__qualname__}", key, lambda: build(*args, **kwargs))
