"""What the dashboard's figures share: the backdrop behind colour points, the channel
names, the methods' line colours, dashes and marker shapes, and how a centre's marker
grows with its share."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

__all__ = [
    "BACKDROP",
    "CHANNELS",
    "LINE_COLORS",
    "LINE_DASHES",
    "LINE_SYMBOLS",
    "SCENE_AXIS",
    "TEXT",
    "centre_sizes",
    "legible_text",
    "line_style",
]

CHANNELS = ("red", "green", "blue")
BACKDROP = "#c9c9c9"
SCENE_AXIS = {"backgroundcolor": BACKDROP, "showbackground": True, "gridcolor": "#e6e6e6"}
"""Mid grey behind the colour points, so that whites and blacks both stand out."""
LINE_COLORS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#000000", "#e69f00")
"""The methods' line colours, in order: Okabe and Ito's palette, told apart with every
common colour-vision deficiency; the first five have at least 3:1 contrast on white
(WCAG 1.4.11). Never the only difference: see :data:`LINE_DASHES` and :data:`LINE_SYMBOLS`."""
LINE_DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
"""Each method's line dash, in the order of :data:`LINE_COLORS`, so that lines differ
without colour too (WCAG 1.4.1)."""
LINE_SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "star")
"""Each method's marker shape, in the order of :data:`LINE_COLORS`."""


TEXT = "#444444"
"""The figures' text: Plotly's own dark grey, 9.7:1 on white."""


def legible_text(figure: go.Figure) -> go.Figure:
    """``figure`` with every label in :data:`TEXT`, and returned.

    Streamlit's chart theme draws axis labels, axis titles and subplot titles in a grey
    of 3.6:1 on white, under the 4.5:1 WCAG 2.1 AA asks of text; colours set on the
    figure win over the theme's.
    """
    figure.update_layout(font_color=TEXT)
    figure.update_xaxes(tickfont_color=TEXT, title_font_color=TEXT)
    figure.update_yaxes(tickfont_color=TEXT, title_font_color=TEXT)
    figure.update_annotations(font_color=TEXT)
    return figure


def line_style(index: int) -> dict[str, dict[str, str]]:
    """The ``line`` and ``marker`` of the ``index``-th method: its colour, dash and shape."""
    color = LINE_COLORS[index % len(LINE_COLORS)]
    return {
        "line": {"color": color, "dash": LINE_DASHES[index % len(LINE_DASHES)]},
        "marker": {"color": color, "symbol": LINE_SYMBOLS[index % len(LINE_SYMBOLS)]},
    }


def centre_sizes(counts: np.ndarray, *, smallest: float, largest: float) -> np.ndarray:
    """Marker sizes whose *area* grows with a centre's pixel share."""
    share = np.asarray(counts, dtype=np.float64)
    share = share / max(float(share.sum()), 1.0)
    return smallest + (largest - smallest) * np.sqrt(share / max(float(share.max()), 1e-12))
