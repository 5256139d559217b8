"""The animation of the "k-means step by step" page, built as Plotly's own plain dict.

One animation, played in the browser from Plotly frames (no server round trip per
frame): the colour cloud in 3D and on a plane, the picture rebuilt from the centres,
and the error curve, all moving together. Each iteration is two frames, *assign*
(every point takes the colour of its nearest centre) and *update* (every centre moves
to the mean of its points), the way k-means is taught on toy 2-D points.

The animation must stay small (the page keeps it under 1 MB of JSON): points are a
sample, their colours travel as one byte each (an index into a per-frame colour scale
of the centres' colours), coordinates as typed arrays, and only what changes is in a
frame.

Why a dict and not a ``plotly.graph_objects.Figure``: Plotly validates every property
of a Figure as it is set, and for some fifty frames of typed arrays that took 0.2 to
0.5 s, a fifth of the page's first visit, to produce what
:meth:`~plotly.graph_objects.Figure.to_dict` then gives back. This module writes that
dict directly, typed arrays included, in the form Plotly itself would give: the tests
check that ``go.Figure(spec).to_dict() == spec``. The subplot grid (axis domains,
subplot titles, the template) is still Plotly's own (``make_subplots``), made once per
plane. No Streamlit here.
"""

from __future__ import annotations

import base64
import functools
import io
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from _plotly_utils.utils import plotlyjsShortTypes, to_typed_array_spec
from PIL import Image
from plotly.subplots import make_subplots

import quant
from ui.figures.pictures import on_checkerboard
from ui.figures.steps import (
    _AXIS,
    _CENTRE_OUTLINE,
    _GRID,
    _LLOYD,
    _PINNED_MIN_SIZE,
    _hex,
    _paths,
    _pinned,
    _symbols,
)
from ui.figures.style import BACKDROP, CHANNELS, SCENE_AXIS, centre_sizes

__all__ = ["Frame", "frame_plan", "kmeans_animation", "n_points"]


class Frame(NamedTuple):
    """One frame of the animation.

    Points are coloured by their nearest centre of row ``groups_row`` (None: in their
    own colours) and the centres drawn are those of row ``centres_row``.
    """

    kind: str
    """"start", "assign", "update" or "end"."""
    groups_row: int | None
    centres_row: int


def frame_plan(n_steps: int) -> list[Frame]:
    """The frames of a trace of ``n_steps`` iterations, in order (2 n_steps + 2 of them).

    The start (centres placed, points in their own colours); then for iteration i =
    1..n_steps its assign half (groups of row i - 1, centres of row i - 1) and its update
    half (same groups, centres of row i); then the end (groups and centres of the last
    row).
    """
    plan = [Frame("start", None, 0)]
    for step in range(1, n_steps + 1):
        plan += [Frame("assign", step - 1, step - 1), Frame("update", step - 1, step)]
    plan.append(Frame("end", n_steps, n_steps))
    return plan


def _error_x(frame: Frame) -> float | None:
    """Where a frame sits on the error curve's x axis (iterations; updates half-way)."""
    if frame.kind == "start":
        return None
    if frame.kind == "update":
        return frame.centres_row - 0.5
    return float(frame.centres_row)


def _colorscale(centres: np.ndarray) -> list[list]:
    """A colour scale on which value j (with cmin -0.5 and cmax k - 0.5) is centre j's colour.

    One stop per centre, at the position value j maps to, so that the values, all
    whole numbers, land exactly on a stop; the ends repeat the first and last colour.
    """
    colors = _hex(centres)
    k = len(colors)
    return [[0, colors[0]], *[[(j + 0.5) / k, color] for j, color in enumerate(colors)], [1, colors[-1]]]


def _data_uri(encoded: bytes) -> str:
    """A PNG's or a JPEG's bytes as a data URI for an image trace's ``source``."""
    kind = "jpeg" if encoded[:2] == b"\xff\xd8" else "png"
    return f"data:image/{kind};base64," + base64.b64encode(encoded).decode("ascii")


def _title(frame: Frame, n_steps: int, mse: np.ndarray, update_mse: np.ndarray, counts: np.ndarray, converged: bool, n_pinned: int) -> str:
    if frame.kind == "start":
        pins = f" ({n_pinned} pinned: the diamonds, which never move)" if n_pinned else ""
        return f"<b>Start</b>: {counts.shape[1]} centres placed{pins}; the points still have their own colours"
    empty = int((counts[frame.groups_row] == 0).sum())
    empty_note = f" · {empty} empty" if empty else ""
    if frame.kind == "assign":
        return (
            f"<b>Iteration {frame.groups_row + 1} of {n_steps} · assign</b>: every point joins its nearest centre"
            f" · MSE {mse[frame.groups_row]:.1f}{empty_note}"
        )
    if frame.kind == "update":
        return (
            f"<b>Iteration {frame.centres_row} of {n_steps} · update</b>: every centre moves to the mean of its points"
            f" · MSE {update_mse[frame.groups_row]:.1f}{empty_note}"
        )
    verdict = "converged: the centres have stopped moving" if converged else f"stopped after {n_steps} iterations"
    return f"<b>End</b>: {verdict} · MSE {mse[-1]:.1f}{empty_note}"


def _typed(values: np.ndarray) -> dict | np.ndarray:
    """An array as Plotly's figures hand it on: a typed array (dtype and base64 bytes).

    What Plotly's own ``to_typed_array_spec`` makes, without the checks for data
    frames of other libraries that it makes first, a third of the animation's time."""
    values = np.ascontiguousarray(values)
    if values.ndim != 1 or values.size == 0 or values.dtype.name not in plotlyjsShortTypes:
        return to_typed_array_spec(values)
    return {"dtype": plotlyjsShortTypes[values.dtype.name], "bdata": base64.b64encode(values).decode("ascii")}


def _merged(base: dict, update: dict) -> dict:
    """A new dict: ``base`` with ``update`` merged in, nested dicts merged too (as
    ``update_layout`` merges), neither of them changed."""
    merged = dict(base)
    for key, value in update.items():
        merged[key] = _merged(base[key], value) if isinstance(value, dict) and isinstance(base.get(key), dict) else value
    return merged


@functools.lru_cache(maxsize=3)
def _grid(plane: tuple[int, int]) -> dict:
    """The layout of the subplot grid, as Plotly's ``make_subplots`` makes it (axis
    domains and anchors, subplot titles, the default template); read-only by agreement."""
    a, b = plane
    return make_subplots(
        rows=3,
        cols=2,
        specs=[
            [{"type": "scene", "rowspan": 2}, {"type": "xy"}],
            [None, {"type": "xy"}],
            [{"type": "xy", "colspan": 2}, None],
        ],
        column_widths=[0.56, 0.44],
        row_heights=[0.34, 0.42, 0.24],
        horizontal_spacing=0.06,
        vertical_spacing=0.08,
        subplot_titles=(
            "",
            "the picture from these centres",
            f"{CHANNELS[a]}–{CHANNELS[b]} plane",
            "error (MSE): after each assign (whole iterations) and each update (halves)",
        ),
    ).to_dict()["layout"]


def kmeans_animation(
    colors: np.ndarray,
    groups: np.ndarray,
    centres: np.ndarray,
    counts: np.ndarray,
    mse: np.ndarray,
    update_mse: np.ndarray,
    original: bytes,
    pictures: Sequence[bytes],
    *,
    converged: bool,
    pinned: np.ndarray | None = None,
    checkerboard: bool = False,
    plane: tuple[int, int] = (0, 1),
    frame_ms: int = 800,
    height: int = 940,
) -> dict:
    """The animated k-means figure: 3D cloud, one plane, rebuilt picture, error curve.

    Parameters
    ----------
    colors : (m, 3) uint8 array
        A sample of the image's colours, the points drawn.
    groups : (n + 1, m) int array
        Index of each point's nearest centre for every row of the trace.
    centres : (n + 1, k, 3) float array
        The trace's centres (``KMeansSteps.centres``).
    counts : (n + 1, k) int array
        Pixels nearest to each centre for every row; a centre's marker grows with its
        share, and an empty centre is drawn as an open ring.
    mse, update_mse : (n + 1,) and (n,) float arrays
        The trace's error after each assign and each update half.
    original : bytes
        PNG or JPEG of the image (shown at the start; a JPEG is a fraction of the size).
        A PNG may be transparent in places: the figure's white shows there.
    pictures : sequence of bytes
        One PNG per row: the image with every pixel replaced by its nearest centre of
        that row, rounded to 8 bits.
    converged : bool
        Whether the trace converged (said in the last frame's title).
    pinned : (k,) bool array, optional
        Which centres are pins (``KMeansSteps.pinned``): they never move, and are
        drawn as diamonds of at least 14 px among the round centres.
    checkerboard : bool
        Draw a light checkerboard under the picture, showing through where it is
        transparent, as the dashboard shows transparency everywhere.
    plane : (a, b)
        Channels of the 2D view, 0 red, 1 green, 2 blue.
    frame_ms : int
        How long each frame shows when playing.
    height : int
        Figure height in pixels.

    Returns
    -------
    dict
        The figure as Plotly's plain dict, what ``go.Figure(...).to_dict()`` gives
        (``go.Figure(spec)`` makes the Figure, validating it): traces "colours 3D",
        "paths 3D", "centres 3D", "colours", "paths", "centres", "picture", "error",
        "now"; one frame per entry of :func:`frame_plan`, named ``"0"``, ``"1"``, …; a
        play/pause menu and a slider over the frames. Shared parts (the template) are
        shared between calls: nothing may modify it.

    Notes
    -----
    Points and centres are coloured through one shared colour axis whose scale, set
    by every frame, holds the centres' current colours; a point carries only its
    centre's index. An update frame holds only the centres and that scale; it names
    the assign frame before it as its ``baseframe``, from which Plotly takes the
    points' groups and the picture (they do not change in an update).
    """
    colors = np.asarray(colors, dtype=np.uint8)
    groups = np.asarray(groups)
    centres = np.asarray(centres, dtype=np.float64)
    counts = np.asarray(counts)
    n_steps = centres.shape[0] - 1
    k = centres.shape[1]
    if groups.shape != (n_steps + 1, colors.shape[0]) or len(pictures) != n_steps + 1:
        raise ValueError(
            f"groups must be ({n_steps + 1}, {colors.shape[0]}) and pictures hold {n_steps + 1} PNGs, "
            f"got {groups.shape} and {len(pictures)}."
        )
    pinned = _pinned(pinned, k)
    plan = frame_plan(n_steps)
    a, b = plane
    POINTS_3D, PATHS_3D, CENTRES_3D, POINTS_2D, PATHS_2D, CENTRES_2D, PICTURE, ERROR, NOW = range(9)
    # Where make_subplots puts each trace: the picture top right (x, y), the plane below
    # it (x2, y2), the error along the bottom (x3, y3), the cloud in the scene.
    scene, picture_axes, plane_axes, error_axes = {"scene": "scene"}, {"xaxis": "x", "yaxis": "y"}, {"xaxis": "x2", "yaxis": "y2"}, {"xaxis": "x3", "yaxis": "y3"}

    own_colors = quant.palette_hex(colors)
    centre_index = np.arange(k, dtype=np.uint8)
    x_error = np.arange(0, n_steps + 0.25, 0.5)
    y_error = np.empty(x_error.shape[0])
    y_error[0::2] = mse
    y_error[1::2] = update_mse

    def centre_marker(frame: Frame, *, three_d: bool) -> dict:
        row_counts = counts[frame.groups_row] if frame.groups_row is not None else np.ones(k)
        empty = row_counts == 0
        sizes = centre_sizes(row_counts, smallest=7 if three_d else 9, largest=22 if three_d else 28)
        sizes = np.where(empty, sizes.min(), sizes)
        sizes = np.where(pinned, np.maximum(sizes, _PINNED_MIN_SIZE), sizes)
        return {"size": _typed(sizes.round().astype(np.uint8)), "symbol": _symbols(pinned, empty)}

    def coordinates(row: int, axes: Sequence[int]) -> dict:
        points = centres[row].astype(np.float32)
        return {name: _typed(points[:, axis]) for name, axis in zip("xyz", axes)}

    def frame_data(frame: Frame) -> tuple[list[int], list[dict]]:
        row = frame.centres_row
        x_now = _error_x(frame)
        traces = [CENTRES_3D, CENTRES_2D, NOW]
        data = [
            {"type": "scatter3d", **coordinates(row, (0, 1, 2)), "marker": centre_marker(frame, three_d=True)},
            {"type": "scatter", **coordinates(row, (a, b)), "marker": centre_marker(frame, three_d=False)},
            {
                "type": "scatter",
                "x": [] if x_now is None else [x_now],
                "y": [] if x_now is None else [float(np.interp(x_now, x_error, y_error))],
            },
        ]
        if frame.kind != "update":
            point_colors = own_colors if frame.groups_row is None else _typed(np.asarray(groups[frame.groups_row], dtype=np.uint8))
            picture = original if frame.groups_row is None else pictures[frame.groups_row]
            traces += [POINTS_3D, POINTS_2D, PICTURE]
            data += [
                {"type": "scatter3d", "marker": {"color": point_colors}},
                {"type": "scattergl", "marker": {"color": point_colors}},
                {"type": "image", "source": _data_uri(picture)},
            ]
        return traces, data

    track_3d = [_typed(axis) for axis in _paths(centres, n_steps, (0, 1, 2))]
    track_2d = [_typed(axis) for axis in _paths(centres, n_steps, (a, b))]
    points_marker = {"color": own_colors, "coloraxis": "coloraxis", "opacity": 0.9}
    centres_marker = {"color": _typed(centre_index), "coloraxis": "coloraxis", "opacity": 1.0}
    centre_names = np.where(pinned, "pinned colour", "centre").tolist()
    path_line = {"color": "rgba(20,20,20,0.5)"}
    data = [
        {"type": "scatter3d", **scene, "name": "colours 3D", "x": _typed(colors[:, 0]), "y": _typed(colors[:, 1]),
         "z": _typed(colors[:, 2]), "mode": "markers", "marker": {**points_marker, "size": 2.2}, "hoverinfo": "skip"},
        {"type": "scatter3d", **scene, "name": "paths 3D", "x": track_3d[0], "y": track_3d[1], "z": track_3d[2],
         "mode": "lines", "line": {**path_line, "width": 3}, "hoverinfo": "skip", "connectgaps": False},
        {"type": "scatter3d", **scene, "name": "centres 3D", **coordinates(0, (0, 1, 2)), "mode": "markers",
         "marker": {**centres_marker, **centre_marker(plan[0], three_d=True), "line": {"color": _CENTRE_OUTLINE, "width": 2}},
         "text": centre_names, "hovertemplate": "%{text} rgb(%{x:.0f}, %{y:.0f}, %{z:.0f})<extra></extra>"},
        {"type": "scattergl", **plane_axes, "name": "colours", "x": _typed(colors[:, a]), "y": _typed(colors[:, b]),
         "mode": "markers", "marker": {**points_marker, "size": 3.5}, "hoverinfo": "skip"},
        {"type": "scatter", **plane_axes, "name": "paths", "x": track_2d[0], "y": track_2d[1], "mode": "lines",
         "line": {**path_line, "width": 1.5}, "hoverinfo": "skip", "connectgaps": False},
        {"type": "scatter", **plane_axes, "name": "centres", **coordinates(0, (a, b)), "mode": "markers", "cliponaxis": False,
         "marker": {**centres_marker, **centre_marker(plan[0], three_d=False), "line": {"color": _CENTRE_OUTLINE, "width": 1.5}},
         "text": centre_names,
         "hovertemplate": f"%{{text}}: {CHANNELS[a]} %{{x:.0f}}, {CHANNELS[b]} %{{y:.0f}}<extra></extra>"},
        {"type": "image", **picture_axes, "name": "picture", "source": _data_uri(original), "hoverinfo": "skip"},
        {"type": "scatter", **error_axes, "name": "error", "x": _typed(x_error), "y": _typed(y_error), "mode": "lines+markers",
         "line": {"color": _LLOYD, "width": 2}, "marker": {"size": 4},
         "hovertemplate": "iteration %{x}: MSE %{y:.2f}<extra></extra>"},
        {"type": "scatter", **error_axes, "name": "now", "x": [], "y": [], "mode": "markers",
         "marker": {"size": 13, "color": "#e4572e", "line": {"color": "#ffffff", "width": 2}}, "hoverinfo": "skip"},
    ]

    titles = [_title(frame, n_steps, mse, update_mse, counts, converged, int(pinned.sum())) for frame in plan]
    frames = []
    for index, frame in enumerate(plan):
        traces, frame_traces = frame_data(frame)
        entry = {
            "name": str(index),
            "traces": traces,
            "data": frame_traces,
            "layout": {"title": {"text": titles[index]}, "coloraxis": {"colorscale": _colorscale(centres[frame.centres_row])}},
        }
        if frame.kind == "update":
            # The points' groups and the picture are the assign frame's: inherit them.
            entry["baseframe"] = str(index - 1)
        frames.append(entry)

    play = {"frame": {"duration": frame_ms, "redraw": True}, "fromcurrent": True, "transition": {"duration": 0}, "mode": "immediate"}
    jump = {"frame": {"duration": 0, "redraw": True}, "transition": {"duration": 0}, "mode": "immediate"}
    pause = {"frame": {"duration": 0, "redraw": False}, "transition": {"duration": 0}, "mode": "immediate"}
    every = 1 if n_steps <= 10 else 5 if n_steps <= 20 else 10

    def slider_step(index: int, frame: Frame) -> dict:
        if frame.kind in ("start", "end"):
            label = frame.kind
        elif frame.kind == "assign" and (frame.groups_row + 1) % every == 0:
            label = str(frame.groups_row + 1)
        else:
            label = ""
        return {"label": label, "value": str(index), "method": "animate", "args": [[str(index)], jump]}

    scene_axis = {**_AXIS, "range": [-6, 261], **SCENE_AXIS}
    plane_axis = {**_AXIS, "range": [-8, 263], "gridcolor": _GRID, "zeroline": False}
    layout = _merged(
        _grid(plane),
        {
            "height": height,
            "margin": {"l": 48, "r": 10, "t": 56, "b": 78},
            "showlegend": False,
            "title": {"text": titles[0], "x": 0.01, "xanchor": "left", "y": 0.99, "yanchor": "top", "font": {"size": 15}},
            "plot_bgcolor": "#ffffff",
            "uirevision": "kmeans-steps",
            "coloraxis": {"colorscale": _colorscale(centres[0]), "cmin": -0.5, "cmax": k - 0.5, "showscale": False},
            "scene": {
                # A little room past 0-255: a centre on the cube's faces (a pure colour, often a pin) is not lost in the wall.
                "xaxis": {"title": {"text": "red"}, **scene_axis},
                "yaxis": {"title": {"text": "green"}, **scene_axis},
                "zaxis": {"title": {"text": "blue"}, **scene_axis},
                "aspectmode": "cube",
                "camera": {"eye": {"x": 1.95, "y": -1.95, "z": 1.2}},
                "domain": {"x": [0.035, 0.56], "y": [0.27, 1.0]},
            },
            "updatemenus": [
                {
                    "type": "buttons",
                    "direction": "left",
                    "showactive": False,
                    "x": 0.0,
                    "y": 0.0,
                    "xanchor": "left",
                    "yanchor": "top",
                    "pad": {"t": 38, "r": 10},
                    "buttons": [
                        {"label": "▶ Play", "method": "animate", "args": [None, play]},
                        {"label": "❚❚ Pause", "method": "animate", "args": [[None], pause]},
                    ],
                }
            ],
            "sliders": [
                {
                    "active": 0,
                    "x": 0.17,
                    "len": 0.83,
                    "y": 0.0,
                    "yanchor": "top",
                    "pad": {"t": 30, "b": 0},
                    "currentvalue": {"visible": False},
                    "ticklen": 3,
                    "font": {"size": 11},
                    "steps": [slider_step(index, frame) for index, frame in enumerate(plan)],
                }
            ],
            "xaxis": {"visible": False},
            "yaxis": {"visible": False},
            "xaxis2": {"title": {"text": CHANNELS[a], "standoff": 2}, "constrain": "domain", **plane_axis},
            "yaxis2": {"title": {"text": CHANNELS[b], "standoff": 2}, "scaleanchor": "x2", "scaleratio": 1,
                       "constrain": "domain", **plane_axis},
            "xaxis3": {"title": {"text": "iteration", "standoff": 4}, "range": [-0.3, n_steps + 0.3], "gridcolor": _GRID,
                       "dtick": 1 if n_steps <= 12 else 5},
            "yaxis3": {"title": {"text": "MSE", "standoff": 4}, "gridcolor": _GRID},
            # Grey behind the colour points only, so that whites and blacks both stand out.
            "shapes": [{"type": "rect", "xref": "x2", "yref": "y2", "x0": -8, "y0": -8, "x1": 263, "y1": 263,
                        "fillcolor": BACKDROP, "line": {"width": 0}, "layer": "below"}],
        },
    )
    if checkerboard:
        columns, rows = Image.open(io.BytesIO(original)).size
        board = io.BytesIO()
        Image.fromarray(on_checkerboard(np.zeros((rows, columns, 4), dtype=np.uint8), square=4)).save(board, format="PNG")
        # Under the picture's pixels, which Plotly centres on whole coordinates from 0.
        layout["images"] = [{"source": _data_uri(board.getvalue()), "xref": "x", "yref": "y", "x": -0.5, "y": -0.5,
                             "sizex": columns, "sizey": rows, "xanchor": "left", "yanchor": "top", "sizing": "stretch",
                             "layer": "below"}]
    return {"data": data, "layout": layout, "frames": frames}


def n_points(spec: dict) -> int:
    """How many colours the animation's clouds show (the length of the 3D cloud's ``x``)."""
    x = spec["data"][0]["x"]
    if isinstance(x, dict):  # a typed array
        return len(base64.b64decode(x["bdata"])) // np.dtype(x["dtype"]).itemsize
    return len(x)
