"""The Colour space page's figures: the colour cloud in 3D and its three planes, in
RGB or CIELAB. Arrays in, Plotly figures out; no Streamlit here.

They are plain functions so that tests can check a figure's data without running the
app. Colours are passed to Plotly as "#rrggbb" strings and coordinates as uint8 arrays,
which Plotly serialises as compact typed arrays: the 3D cloud stays far below 1 MB.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots
from skimage.color import rgb2lab

import quant
from ui.figures.style import BACKDROP, CHANNELS, SCENE_AXIS, centre_sizes, legible_text

__all__ = [
    "LAB_PLANES",
    "PLANES",
    "color_cloud",
    "color_planes",
]

PLANES: tuple[tuple[int, int], ...] = ((0, 1), (0, 2), (1, 2))
"""Channel pairs of the three 2D views: red–green, red–blue, green–blue."""
LAB_PLANES: tuple[tuple[int, int], ...] = ((1, 2), (1, 0), (2, 0))
"""Channel pairs (of L*, a*, b*) of the three 2D views in Lab: a*–b* (the hues, seen
from above), a*–L* and b*–L* (lightness up the side)."""



@dataclass(frozen=True)
class _Axes:
    """How a colour space is drawn: channel names, 3D axis order, ranges, 2D views."""

    names: tuple[str, str, str]
    titles: tuple[str, str, str]
    scene_order: tuple[int, int, int]
    """Channels on the 3D x, y and z axes."""
    ranges: tuple[tuple[float, float] | None, tuple[float, float] | None, tuple[float, float] | None]
    """Fixed range of each channel; None: fitted to the colours drawn."""
    ticks: tuple[tuple[float, ...] | None, tuple[float, ...] | None, tuple[float, ...] | None]
    planes: tuple[tuple[int, int], ...]
    equal_units: bool
    """Draw every axis to the same scale, so that equal distances look equal."""


_RGB_AXES = _Axes(
    names=CHANNELS,
    titles=CHANNELS,
    scene_order=(0, 1, 2),
    ranges=((0, 255),) * 3,
    ticks=((0, 64, 128, 192, 255),) * 3,
    planes=PLANES,
    equal_units=False,
)
# Lightness keeps its whole range; a* and b* (-86..98 and -108..94 for sRGB) fit the
# image's colours, which in a photo rarely reach far from grey. One unit is one unit
# on every axis: Lab's distances are what k-means in Lab minimises.
_LAB_AXES = _Axes(
    names=("L*", "a*", "b*"),
    titles=("L* (lightness)", "a* (green–red)", "b* (blue–yellow)"),
    scene_order=(1, 2, 0),
    ranges=((0, 100), None, None),
    ticks=((0, 25, 50, 75, 100), None, None),
    planes=LAB_PLANES,
    equal_units=True,
)


def _ranges(axes: _Axes, *coordinates: np.ndarray) -> list[tuple[float, float]]:
    """Each channel's range: the fixed one, or the colours' extent with a margin,
    at least -25..25, in whole tens."""
    ranges = []
    for channel, fixed in enumerate(axes.ranges):
        if fixed is not None:
            ranges.append(fixed)
            continue
        values = np.concatenate([np.asarray(c[:, channel], dtype=np.float64) for c in coordinates])
        low = min(float(np.floor((values.min() - 5) / 10) * 10), -25.0)
        high = max(float(np.ceil((values.max() + 5) / 10) * 10), 25.0)
        ranges.append((low, high))
    return ranges


def _axes(space: str) -> _Axes:
    if space not in ("rgb", "lab"):
        raise ValueError(f"space must be 'rgb' or 'lab', got {space!r}.")
    return _LAB_AXES if space == "lab" else _RGB_AXES


def _coordinates(colors: np.ndarray, space: str) -> np.ndarray:
    """Where colours sit in ``space``: the uint8 RGB values themselves, or CIELAB
    (L*, a*, b*) as float32 rounded to 0.1, which Plotly sends as a compact typed array."""
    if space == "rgb":
        return colors
    lab = rgb2lab(colors.reshape(-1, 1, 3).astype(np.float32) / np.float32(255)).reshape(-1, 3)
    return np.round(lab, 1).astype(np.float32)


def _point_colors(colors: np.ndarray, palette: np.ndarray, labels: np.ndarray | None) -> list[str]:
    if labels is None:
        return quant.palette_hex(colors)
    centre_hex = np.asarray(quant.palette_hex(palette))
    return centre_hex[np.asarray(labels)].tolist()


def _centre_hover(palette: np.ndarray, counts: np.ndarray, pinned: np.ndarray | None = None) -> list[str]:
    total = max(int(np.sum(counts)), 1)
    pinned = np.zeros(len(palette), dtype=bool) if pinned is None else np.asarray(pinned, dtype=bool)
    return [
        f"{'pinned colour' if is_pinned else 'centre'} {i + 1}: {hex_color}<br>"
        + (f"{int(count):,} pixels ({100 * int(count) / total:.1f} %)" if count else "no pixel is nearest to it")
        for i, (hex_color, count, is_pinned) in enumerate(zip(quant.palette_hex(palette), counts, pinned))
    ]


_PINNED_MIN_SIZE = 14
"""Smallest marker of a pinned colour: a pin few pixels take must still be seen."""


def _marker_sizes(counts: np.ndarray, pinned: np.ndarray | None, *, smallest: float, largest: float) -> np.ndarray:
    sizes = centre_sizes(counts, smallest=smallest, largest=largest)
    if pinned is not None:
        sizes = np.where(np.asarray(pinned, dtype=bool), np.maximum(sizes, _PINNED_MIN_SIZE), sizes)
    return sizes


def _centre_symbols(n: int, pinned: np.ndarray | None) -> list[str]:
    """Pinned colours are diamonds among the round centres: told apart by shape, not colour."""
    if pinned is None:
        return ["circle"] * n
    return ["diamond" if is_pinned else "circle" for is_pinned in np.asarray(pinned, dtype=bool)]


def color_cloud(
    colors: np.ndarray,
    counts: np.ndarray,
    palette: np.ndarray,
    palette_counts: np.ndarray,
    *,
    labels: np.ndarray | None = None,
    space: str = "rgb",
    height: int = 640,
    pinned: np.ndarray | None = None,
) -> go.Figure:
    """3D scatter of sampled colours in the RGB cube or in CIELAB, with the palette's centres on top.

    Parameters
    ----------
    colors : (n, 3) uint8 array
        Sampled distinct colours; each point is drawn in its own colour.
    counts : (n,) int array
        Pixels of each sampled colour, shown on hover.
    palette : (k, 3) uint8 array
        The centres, drawn as large outlined markers.
    palette_counts : (k,) int array
        Pixels per centre; a marker's area grows with its share.
    labels : (n,) int array, optional
        Index of each colour's centre; when given, points take their centre's colour.
    space : {"rgb", "lab"}, default "rgb"
        ``"rgb"``: the RGB cube, red, green and blue on x, y and z (0–255). ``"lab"``:
        CIELAB, a* on x, b* on y and L* up the z axis, where k-means in Lab measures
        its distances.
    height : int
        Figure height in pixels.
    pinned : (k,) bool array, optional
        Which centres are pinned colours: drawn as diamonds, the others as circles.

    Returns
    -------
    plotly.graph_objects.Figure
        Two traces: "colours" then "centres".
    """
    axes = _axes(space)
    colors = np.asarray(colors, dtype=np.uint8)
    palette = np.asarray(palette, dtype=np.uint8)
    points_at = _coordinates(colors, space)
    centres_at = _coordinates(palette, space)
    x, y, z = axes.scene_order
    if space == "rgb":
        where = "rgb(%{x}, %{y}, %{z})"
    else:
        where = "L* %{z:.1f}, a* %{x:.1f}, b* %{y:.1f}"
    # Plain dicts, put together unvalidated (go.Figure(..., _validate=False)): Plotly
    # would otherwise check each of the thousands of colours, about 0.3 s a figure,
    # on every step of the page's k slider. Tests check the figures' data instead.
    points = dict(
        type="scatter3d",
        name="colours",
        x=points_at[:, x],
        y=points_at[:, y],
        z=points_at[:, z],
        mode="markers",
        marker={"size": 2.5, "color": _point_colors(colors, palette, labels), "opacity": 0.9},
        customdata=np.asarray(counts, dtype=np.int64),
        hovertemplate=where + "<br>%{customdata:,} pixels<extra></extra>",
    )
    centres = dict(
        type="scatter3d",
        name="centres",
        x=centres_at[:, x],
        y=centres_at[:, y],
        z=centres_at[:, z],
        mode="markers",
        marker={
            "size": _marker_sizes(palette_counts, pinned, smallest=6, largest=30),
            "color": quant.palette_hex(palette),
            "opacity": 1.0,
            "line": {"color": "#111111", "width": 3},
            "symbol": _centre_symbols(len(palette), pinned),
        },
        text=_centre_hover(palette, palette_counts, pinned),
        hovertemplate="%{text}<extra></extra>",
    )
    figure = go.Figure([points, centres], _validate=False)
    ranges = _ranges(axes, points_at, centres_at)
    scene_axes = {
        name: {
            "title": {"text": axes.titles[channel]},
            "range": list(ranges[channel]),
            **({} if axes.ticks[channel] is None else {"tickvals": list(axes.ticks[channel])}),
            **SCENE_AXIS,
        }
        for name, channel in zip(("xaxis", "yaxis", "zaxis"), axes.scene_order)
    }
    if axes.equal_units:
        spans = [ranges[channel][1] - ranges[channel][0] for channel in axes.scene_order]
        aspect = {"aspectmode": "manual", "aspectratio": dict(zip("xyz", (span / max(spans) for span in spans)))}
    else:
        aspect = {"aspectmode": "cube"}
    figure.update_layout(
        height=height,
        margin={"l": 0, "r": 0, "t": 10, "b": 0},
        showlegend=False,
        scene={
            **scene_axes,
            **aspect,
            "camera": {"eye": {"x": 1.6, "y": -1.6, "z": 1.1}},
        },
    )
    return legible_text(figure)


def color_planes(
    colors: np.ndarray,
    palette: np.ndarray,
    palette_counts: np.ndarray,
    *,
    labels: np.ndarray | None = None,
    space: str = "rgb",
    height: int = 380,
    pinned: np.ndarray | None = None,
) -> go.Figure:
    """The notebook's three 2D views of the colours: red–green, red–blue, green–blue in
    RGB; a*–b*, a*–L*, b*–L* in Lab.

    Parameters are those of :func:`color_cloud` (without the colour counts).

    Returns
    -------
    plotly.graph_objects.Figure
        Three subplots, each with a "colours" and a "centres" trace, in the order of
        :data:`PLANES` (RGB) or :data:`LAB_PLANES` (Lab).
    """
    axes = _axes(space)
    colors = np.asarray(colors, dtype=np.uint8)
    palette = np.asarray(palette, dtype=np.uint8)
    points_at = _coordinates(colors, space)
    centres_at = _coordinates(palette, space)
    point_colors = _point_colors(colors, palette, labels)
    centre_colors = quant.palette_hex(palette)
    marker_sizes = _marker_sizes(palette_counts, pinned, smallest=6, largest=26)
    hover = _centre_hover(palette, palette_counts, pinned)
    symbols = _centre_symbols(len(palette), pinned)
    ranges = _ranges(axes, points_at, centres_at)
    titles = [f"{axes.names[a]}–{axes.names[b]}" for a, b in axes.planes]
    figure = make_subplots(rows=1, cols=3, subplot_titles=titles, horizontal_spacing=0.06)
    # Traces as plain dicts, joined to the subplots' layout unvalidated: see color_cloud.
    traces = []
    for column, (a, b) in enumerate(axes.planes, start=1):
        on_axes = {"xaxis": "x" if column == 1 else f"x{column}", "yaxis": "y" if column == 1 else f"y{column}"}
        traces.append(
            dict(
                type="scattergl",
                name="colours",
                x=points_at[:, a],
                y=points_at[:, b],
                mode="markers",
                marker={"size": 3, "color": point_colors},
                hoverinfo="skip",
                **on_axes,
            )
        )
        traces.append(
            dict(
                type="scatter",
                name="centres",
                x=centres_at[:, a],
                y=centres_at[:, b],
                mode="markers",
                marker={
                    "size": marker_sizes,
                    "color": centre_colors,
                    "line": {"color": "#111111", "width": 2},
                    "symbol": symbols,
                },
                text=hover,
                hovertemplate="%{text}<extra></extra>",
                **on_axes,
            )
        )
        for update, channel in ((figure.update_xaxes, a), (figure.update_yaxes, b)):
            low, high = ranges[channel]
            # A little room beyond the range so that centres on the edge are not cut in half.
            pad = 0.047 * (high - low)
            update(
                title_text=axes.titles[channel],
                range=[low - pad, high + pad],
                gridcolor="#e6e6e6",
                zeroline=False,
                row=1,
                col=column,
                **({} if axes.ticks[channel] is None else {"tickvals": list(axes.ticks[channel])}),
            )
        if axes.equal_units:
            x_name = "x" if column == 1 else f"x{column}"
            figure.update_yaxes(scaleanchor=x_name, scaleratio=1, constrain="domain", row=1, col=column)
            figure.update_xaxes(constrain="domain", row=1, col=column)
    figure.update_layout(
        height=height,
        showlegend=False,
        plot_bgcolor=BACKDROP,
        margin={"l": 40, "r": 10, "t": 50, "b": 40},
    )
    return go.Figure(traces, layout=legible_text(figure).layout, _validate=False)
