"""Figure builders of the "k-means step by step" page: arrays in, Plotly figures out.

MiniBatch's path beside Lloyd's, and the spread of the seeds' final errors; the start's
names and what the page's figures share (axes, colours, the pins' markers, the
centres' paths). The animation, the page's main figure, is built as Plotly's plain dict
in :mod:`ui.figures.steps_animation`. No Streamlit here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

import quant
from ui.figures.style import BACKDROP, CHANNELS, LINE_COLORS

__all__ = ["INIT_LABELS", "lloyd_and_minibatch", "seed_spread"]

INIT_LABELS: dict[str, str] = {
    "k-means++": "k-means++",
    "random": "random colours of the image",
    "uniform": "uniform in the RGB cube",
}
"""Every ``quant.INITS`` start -> how the page names it."""

_AXIS = {"range": [0, 255], "tickvals": [0, 64, 128, 192, 255]}
"""An RGB channel's axis, 0 to 255."""
_LLOYD = "#1f4e79"
_MINIBATCH = "#d95f02"
_CENTRE_OUTLINE = "#111111"
_GRID = "#e6e6e6"
_PINNED_MIN_SIZE = 14
"""Smallest marker of a pinned centre, as on the Colour space page (:mod:`ui.figures.cloud`):
a pin few pixels take must still be seen."""


def _pinned(pinned: np.ndarray | None, k: int) -> np.ndarray:
    """(k,) bool: which centres are pins (none when not given)."""
    pinned = np.zeros(k, dtype=bool) if pinned is None else np.asarray(pinned, dtype=bool)
    if pinned.shape != (k,):
        raise ValueError(f"pinned must be ({k},) like the centres, got {pinned.shape}.")
    return pinned


def _symbols(pinned: np.ndarray, empty: np.ndarray) -> list[str] | str:
    """Centres are circles and pins diamonds, told apart by shape, not colour; an empty
    one is open."""
    if not pinned.any() and not empty.any():
        return "circle"
    shapes = np.where(pinned, "diamond", "circle")
    return np.where(empty, np.char.add(shapes, "-open"), shapes).tolist()


def _hex(centres: np.ndarray) -> list[str]:
    return quant.palette_hex(np.clip(np.rint(centres), 0, 255).astype(np.uint8))


def _paths(centres: np.ndarray, upto: int, axes: Sequence[int]) -> list[np.ndarray]:
    """Each centre's path over rows 0..upto as float32 coordinate arrays, paths split by NaN."""
    k = centres.shape[1]
    rows = upto + 1
    block = np.full((k, rows + 1, len(axes)), np.nan, dtype=np.float32)
    block[:, :rows, :] = np.transpose(centres[:rows][:, :, axes], (1, 0, 2))
    flat = block.reshape(-1, len(axes))
    return [np.ascontiguousarray(flat[:, a]) for a in range(len(axes))]


def lloyd_and_minibatch(
    lloyd_centres: np.ndarray,
    lloyd_mse: np.ndarray,
    minibatch_centres: np.ndarray,
    minibatch_mse: np.ndarray,
    *,
    batch_size: int,
    pinned: np.ndarray | None = None,
    plane: tuple[int, int] = (0, 1),
    height: int = 420,
) -> go.Figure:
    """Lloyd's path and MiniBatch's from the same start: the centres on a plane, and the error.

    Parameters
    ----------
    lloyd_centres, minibatch_centres : (n + 1, k, 3) float arrays
        The two traces' centres (they may differ in length).
    lloyd_mse, minibatch_mse : (n + 1,) float arrays
        Their errors over all pixels at each row.
    batch_size : int
        Pixels per MiniBatch step, for the legend.
    pinned : (k,) bool array, optional
        Which centres are pins, the same in both traces: they never move, so they are
        drawn once, as diamonds of at least 14 px ("pinned"), and not as a start or an end.
    plane : (a, b)
        Channels of the plane.

    Returns
    -------
    plotly.graph_objects.Figure
        Left: traces "Lloyd paths", "MiniBatch paths", "start", "Lloyd end", "MiniBatch
        end" (and "pinned" with pins) on the plane; right: "Lloyd" and "MiniBatch" error
        curves. Lloyd's are solid with circles, MiniBatch's dotted with squares, not told
        apart by colour alone.
    """
    a, b = plane
    lloyd_centres = np.asarray(lloyd_centres, dtype=np.float64)
    minibatch_centres = np.asarray(minibatch_centres, dtype=np.float64)
    pinned = _pinned(pinned, lloyd_centres.shape[1])
    moving = ~pinned
    figure = make_subplots(
        rows=1, cols=2, column_widths=[0.45, 0.55], horizontal_spacing=0.09,
        subplot_titles=(f"centre paths on the {CHANNELS[a]}–{CHANNELS[b]} plane", "error (MSE) over all pixels after each step"),
    )
    minibatch_name = f"MiniBatch ({batch_size:,} pixels a step)"
    # Lloyd solid with circles, MiniBatch dotted with squares: told apart without colour too.
    for name, centres, color, width, dash in (
        ("Lloyd paths", lloyd_centres, _LLOYD, 2.5, "solid"),
        ("MiniBatch paths", minibatch_centres, _MINIBATCH, 1.5, "dot"),
    ):
        xs, ys = _paths(centres, centres.shape[0] - 1, (a, b))
        figure.add_trace(
            go.Scatter(name=name, x=xs, y=ys, mode="lines", line={"color": color, "width": width, "dash": dash},
                       hoverinfo="skip", legendgroup=name.split()[0], showlegend=False),
            row=1, col=1,
        )
    figure.add_trace(
        go.Scatter(name="start", x=lloyd_centres[0, moving, a], y=lloyd_centres[0, moving, b], mode="markers",
                   marker={"size": 8, "color": "#ffffff", "line": {"color": _CENTRE_OUTLINE, "width": 1.5}},
                   hovertemplate="start<extra></extra>", showlegend=False),
        row=1, col=1,
    )
    for name, centres, color, symbol in (
        ("Lloyd end", lloyd_centres, _LLOYD, "circle"), ("MiniBatch end", minibatch_centres, _MINIBATCH, "square"),
    ):
        figure.add_trace(
            go.Scatter(name=name, x=centres[-1, moving, a], y=centres[-1, moving, b], mode="markers",
                       marker={"size": 11, "color": _hex(centres[-1, moving]), "symbol": symbol, "line": {"color": color, "width": 2.5}},
                       hovertemplate=f"{name}<extra></extra>", showlegend=False),
            row=1, col=1,
        )
    if pinned.any():
        pins = lloyd_centres[0, pinned]
        marker = {"size": _PINNED_MIN_SIZE, "color": _hex(pins), "symbol": "diamond", "line": {"color": _CENTRE_OUTLINE, "width": 2}}
        figure.add_trace(go.Scatter(name="pinned", x=pins[:, a], y=pins[:, b], mode="markers", marker=marker, text=_hex(pins), cliponaxis=False,
                                    hovertemplate="pinned colour %{text}: never moves<extra></extra>", showlegend=False), row=1, col=1)
    for name, mse, color, dash, symbol in (
        ("Lloyd (every pixel, every step)", lloyd_mse, _LLOYD, "solid", "circle"),
        (minibatch_name, minibatch_mse, _MINIBATCH, "dot", "square"),
    ):
        figure.add_trace(
            go.Scatter(name=name, x=np.arange(len(mse)), y=np.asarray(mse, dtype=np.float64), mode="lines+markers",
                       line={"color": color, "width": 2.5, "dash": dash}, marker={"size": 6, "symbol": symbol},
                       hovertemplate="step %{x}: MSE %{y:.2f}<extra></extra>"),
            row=1, col=2,
        )
    plane_axis = {**_AXIS, "range": [-8, 263], "gridcolor": _GRID, "zeroline": False}
    figure.update_xaxes(title_text=CHANNELS[a], row=1, col=1, constrain="domain", **plane_axis)
    figure.update_yaxes(title_text=CHANNELS[b], row=1, col=1, scaleanchor="x", scaleratio=1, constrain="domain", **plane_axis)
    figure.update_xaxes(title_text="step", row=1, col=2, gridcolor=_GRID)
    figure.update_yaxes(title_text="MSE", row=1, col=2, gridcolor=_GRID, rangemode="tozero")
    figure.update_layout(
        height=height,
        margin={"l": 50, "r": 10, "t": 40, "b": 40},
        legend={"x": 0.99, "y": 0.97, "xanchor": "right", "yanchor": "top", "bgcolor": "rgba(255,255,255,0.85)"},
        plot_bgcolor="#ffffff",
    )
    figure.add_shape(type="rect", xref="x", yref="y", x0=-8, y0=-8, x1=263, y1=263,
                     fillcolor=BACKDROP, line={"width": 0}, layer="below")
    return figure


def seed_spread(final_mse: Mapping[str, Sequence[float]], *, current: tuple[str, int] | None = None, seeds: Sequence[int] = (), height: int = 240) -> go.Figure:
    """Final error of many seeds for each start, one dot per run: the spread shows the local minima.

    Parameters
    ----------
    final_mse : mapping of str to sequence of float
        Start label -> final MSE of each seed's trace.
    current : (label, seed), optional
        The run the page shows, drawn larger.
    seeds : sequence of int
        The seeds, in the order of each sequence, for hovering.

    Returns
    -------
    plotly.graph_objects.Figure
        One "markers" trace per start (named by its label), and "this run" when given.
    """
    figure = go.Figure()
    labels = list(final_mse)
    for index, label in enumerate(labels):
        values = np.asarray(final_mse[label], dtype=np.float64)
        figure.add_trace(
            go.Scatter(
                name=label, x=values, y=[label] * len(values), mode="markers",
                marker={"size": 11, "color": LINE_COLORS[index % len(LINE_COLORS)], "opacity": 0.75,
                        "line": {"color": "#ffffff", "width": 1}},
                customdata=list(seeds) if len(seeds) == len(values) else None,
                hovertemplate=("seed %{customdata}: " if len(seeds) == len(values) else "") + "MSE %{x:.2f}<extra></extra>",
            )
        )
    if current is not None and current[0] in final_mse and len(seeds):
        label, seed = current
        if seed in list(seeds):
            value = float(np.asarray(final_mse[label])[list(seeds).index(seed)])
            figure.add_trace(
                go.Scatter(name="this run", x=[value], y=[label], mode="markers",
                           marker={"size": 17, "color": "rgba(0,0,0,0)", "line": {"color": "#111111", "width": 2.5}},
                           hovertemplate="the seed chosen above: MSE %{x:.2f}<extra></extra>")
            )
    figure.update_layout(
        height=height, showlegend=False, margin={"l": 10, "r": 10, "t": 10, "b": 45},
        xaxis={"title": {"text": "final MSE (lower is better)"}, "gridcolor": _GRID},
        yaxis={"categoryorder": "array", "categoryarray": labels[::-1], "automargin": True},
        plot_bgcolor="#ffffff",
    )
    return figure
