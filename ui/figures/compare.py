"""The Compare page's figure builders: error against palette size, the colours each
method needs for a target, and where a reconstruction errs. Arrays in, Plotly figures
out; no Streamlit here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from ui.figures.style import LINE_COLORS, legible_text, line_style

__all__ = ["colours_needed", "colours_needed_chart", "error_curves", "error_heatmap"]


def error_curves(
    n_colors: Sequence[int],
    errors: Mapping[str, Sequence[float]],
    *,
    metric: str,
    log_y: bool = False,
) -> go.Figure:
    """Error against palette size, one line per method, on a log2 x axis.

    Parameters
    ----------
    n_colors : sequence of int
        Palette sizes, the x values shared by every line.
    errors : mapping of str to sequence of float
        Method label -> error at each palette size (NaN where unknown).
    metric : str
        Axis title of the error, e.g. "mean ΔE (lower is better)".
    log_y : bool, default False
        A logarithmic error axis: equal ratios look equal, so a far worse method (a
        random palette) no longer flattens the differences between the good ones.

    Returns
    -------
    plotly.graph_objects.Figure
        One "lines+markers" trace per method, named by its label, each with its own
        colour, dash and marker shape (:func:`ui.figures.style.line_style`).
    """
    figure = go.Figure()
    for index, (label, values) in enumerate(errors.items()):
        y = np.asarray(values, dtype=np.float64)
        # An exact copy has infinite PSNR; leave a gap rather than break the axis.
        y[~np.isfinite(y)] = np.nan
        style = line_style(index)
        figure.add_trace(
            go.Scatter(
                name=label,
                x=list(n_colors),
                y=y,
                mode="lines+markers",
                # Colour, dash and marker shape: the lines differ without colour too.
                line={**style["line"], "width": 2.5},
                marker={**style["marker"], "size": 8},
                hovertemplate=f"{label}<br>%{{x}} colours: %{{y:.3g}}<extra></extra>",
            )
        )
    figure.update_layout(
        height=420,
        margin={"l": 60, "r": 10, "t": 10, "b": 50},
        legend={"orientation": "h", "y": 1.08, "x": 0},
        hovermode="closest",
    )
    figure.update_xaxes(
        type="log",
        tickvals=list(n_colors),
        ticktext=[str(k) for k in n_colors],
        title_text="number of colours (log₂ scale)",
    )
    figure.update_yaxes(title_text=metric)
    if log_y:
        ticks = _log_ticks([v for values in errors.values() for v in values])
        figure.update_yaxes(
            type="log", title_text=f"{metric}, log scale", tickvals=ticks, ticktext=[f"{t:g}" for t in ticks]
        )
    return legible_text(figure)


def _log_ticks(values: Sequence[float]) -> list[float]:
    """1, 2, 3, 5, 10, 20, 30, 50… covering the positive finite ``values``: round numbers on a
    log axis, without Plotly's crowded minor labels."""
    data = np.asarray(values, dtype=np.float64)
    data = data[np.isfinite(data) & (data > 0)]
    if data.size == 0:
        return []
    low, high = np.floor(np.log10(data.min())), np.ceil(np.log10(data.max()))
    ticks = [m * 10.0**p for p in range(int(low), int(high) + 1) for m in (1, 2, 3, 5)]
    # One tick below and above the data, so the curves sit between labelled values.
    below = [t for t in ticks if t <= data.min()]
    above = [t for t in ticks if t >= data.max()]
    lowest, highest = (below[-1] if below else ticks[0]), (above[0] if above else ticks[-1])
    return [t for t in ticks if lowest <= t <= highest]


def colours_needed(
    n_colors: Sequence[int], delta_e: Sequence[float], target: float
) -> tuple[float | None, bool]:
    """How many colours a method needs for a mean ΔE of at most ``target``, read off its curve.

    Between two measured sizes the curve is taken as a straight line in log k - log ΔE
    (ΔE falls roughly as a power of k), so the answer is an estimate between measured
    sizes and exact at them.

    Parameters
    ----------
    n_colors : sequence of int
        The measured palette sizes, increasing.
    delta_e : sequence of float
        Mean ΔE at each size.
    target : float
        The ΔE to reach, positive.

    Returns
    -------
    (float or None, bool)
        The number of colours (a size at which the curve first reaches the target),
        or None if no measured size reaches it; and whether it was measured exactly
        (True) or interpolated (False).
    """
    sizes = np.asarray(n_colors, dtype=np.float64)
    values = np.asarray(delta_e, dtype=np.float64)
    known = np.isfinite(values)  # an unmeasured size is skipped, not taken as reached
    sizes, values = sizes[known], values[known]
    for index, (size, value) in enumerate(zip(sizes, values)):
        if value <= target:
            if index == 0 or value == target or value <= 0:
                return float(size), True
            k0, e0 = sizes[index - 1], values[index - 1]
            # Straight line in log-log through (k0, e0) and (size, value).
            fraction = (np.log(target) - np.log(e0)) / (np.log(value) - np.log(e0))
            return float(np.exp(np.log(k0) + fraction * (np.log(size) - np.log(k0)))), False
    return None, False


def colours_needed_chart(
    needed: Mapping[str, tuple[float | None, bool]], *, target: float, max_colors: int = 256
) -> go.Figure:
    """One horizontal bar per method: the colours it needs to reach ``target`` ΔE.

    Parameters
    ----------
    needed : mapping of str to (float or None, bool)
        Method label -> :func:`colours_needed`'s answer.
    target : float
        The ΔE reached, for the hover text.
    max_colors : int
        The largest size measured; a method that never reaches the target is drawn
        to it, hatched, and labelled "more than ``max_colors``".

    Returns
    -------
    plotly.graph_objects.Figure
        A single Bar trace (methods top to bottom in the order given) on a log2 x axis.
    """
    labels = list(needed)
    values, texts, patterns = [], [], []
    for label in labels:
        count, exact = needed[label]
        if count is None:
            values.append(float(max_colors))
            texts.append(f"more than {max_colors}")
            patterns.append("/")
        else:
            values.append(count)
            texts.append(f"{count:.0f}" if exact else f"≈ {count:.0f}")
            patterns.append("")
    colors = [LINE_COLORS[index % len(LINE_COLORS)] for index in range(len(labels))]
    figure = go.Figure(
        go.Bar(
            x=values,
            y=labels,
            orientation="h",
            text=texts,
            textposition="outside",
            cliponaxis=False,
            marker={"color": colors, "pattern": {"shape": patterns, "fgcolor": "#ffffff"}},
            hovertemplate="%{y}: %{text} colours for mean ΔE ≤ " + f"{target:g}" + "<extra></extra>",
        )
    )
    ticks = [2**power for power in range(1, int(np.log2(max_colors)) + 1)]
    figure.update_xaxes(
        type="log",
        range=[np.log10(1.6), np.log10(max_colors * 2.2)],
        tickvals=ticks,
        ticktext=[str(t) for t in ticks],
        title_text="colours needed (log₂ scale)",
    )
    figure.update_yaxes(autorange="reversed")
    figure.update_layout(
        height=70 + 44 * len(labels),
        margin={"l": 10, "r": 30, "t": 10, "b": 50},
        showlegend=False,
        bargap=0.35,
    )
    return legible_text(figure)


def error_heatmap(error: np.ndarray, *, title: str = "ΔE") -> go.Figure:
    """Per-pixel error as a heat map, upright and with square pixels.

    Parameters
    ----------
    error : (H, W) float array
        Error of each pixel, e.g. from ``quant.error_map``.
    title : str
        Colour-bar title.

    Returns
    -------
    plotly.graph_objects.Figure
        A single Heatmap trace.
    """
    error = np.asarray(error, dtype=np.float32)
    height, width = error.shape
    figure = go.Figure(
        go.Heatmap(
            z=error,
            colorscale="Inferno",
            colorbar={"title": {"text": title}},
            hovertemplate="x %{x}, y %{y}<br>" + title + " %{z:.1f}<extra></extra>",
        )
    )
    figure.update_xaxes(visible=False, range=[-0.5, width - 0.5], constrain="domain")
    figure.update_yaxes(
        visible=False, autorange="reversed", scaleanchor="x", scaleratio=1, constrain="domain"
    )
    figure.update_layout(
        height=min(640, max(240, int(560 * height / max(width, 1)))),
        margin={"l": 0, "r": 0, "t": 10, "b": 0},
    )
    return figure
