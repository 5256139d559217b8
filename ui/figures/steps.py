"""Figure builders of the "k-means step by step" page: arrays in, Plotly figures out.

The main figure is one animation, played in the browser from Plotly frames (no server
round trip per frame): the colour cloud in 3D and on a plane, the picture rebuilt from
the centres, and the error curve, all moving together. Each iteration is two frames,
*assign* (every point takes the colour of its nearest centre) and *update* (every
centre moves to the mean of its points), the way k-means is taught on toy 2-D points.

The animation must stay small (the page keeps it under 1 MB of JSON): points are a
sample, their colours travel as one byte each (an index into a per-frame colour scale
of the centres' colours), coordinates as typed arrays, and only what changes is in a
frame. No Streamlit here.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np
import plotly.graph_objects as go
from PIL import Image
from plotly.subplots import make_subplots

import quant
from ui.figures.pictures import on_checkerboard
from ui.figures.style import BACKDROP, CHANNELS, LINE_COLORS, SCENE_AXIS, centre_sizes

__all__ = ["INIT_LABELS", "Frame", "frame_plan", "kmeans_animation", "lloyd_and_minibatch", "seed_spread"]

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


def _hex(centres: np.ndarray) -> list[str]:
    return quant.palette_hex(np.clip(np.rint(centres), 0, 255).astype(np.uint8))


def _colorscale(centres: np.ndarray) -> list[list]:
    """A colour scale on which value j (with cmin -0.5 and cmax k - 0.5) is centre j's colour.

    One stop per centre, at the position value j maps to, so that the values, all
    whole numbers, land exactly on a stop; the ends repeat the first and last colour.
    """
    colors = _hex(centres)
    k = len(colors)
    return [[0, colors[0]], *[[(j + 0.5) / k, color] for j, color in enumerate(colors)], [1, colors[-1]]]


def _paths(centres: np.ndarray, upto: int, axes: Sequence[int]) -> list[np.ndarray]:
    """Each centre's path over rows 0..upto as float32 coordinate arrays, paths split by NaN."""
    k = centres.shape[1]
    rows = upto + 1
    block = np.full((k, rows + 1, len(axes)), np.nan, dtype=np.float32)
    block[:, :rows, :] = np.transpose(centres[:rows][:, :, axes], (1, 0, 2))
    flat = block.reshape(-1, len(axes))
    return [np.ascontiguousarray(flat[:, a]) for a in range(len(axes))]


def _data_uri(encoded: bytes) -> str:
    """A PNG's or a JPEG's bytes as a data URI for ``go.Image(source=...)``."""
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
) -> go.Figure:
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
    plotly.graph_objects.Figure
        Traces "colours 3D", "paths 3D", "centres 3D", "colours", "paths", "centres",
        "picture", "error", "now"; one frame per entry of :func:`frame_plan`, named
        ``"0"``, ``"1"``, …; a play/pause menu and a slider over the frames.

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

    figure = make_subplots(
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
    )
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
        return {"size": sizes.round().astype(np.uint8), "symbol": _symbols(pinned, empty)}

    def coordinates(row: int, axes: Sequence[int]) -> dict:
        points = centres[row].astype(np.float32)
        return {name: np.ascontiguousarray(points[:, axis]) for name, axis in zip("xyz", axes)}

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
            point_colors = own_colors if frame.groups_row is None else np.asarray(groups[frame.groups_row], dtype=np.uint8)
            picture = original if frame.groups_row is None else pictures[frame.groups_row]
            traces += [POINTS_3D, POINTS_2D, PICTURE]
            data += [
                {"type": "scatter3d", "marker": {"color": point_colors}},
                {"type": "scattergl", "marker": {"color": point_colors}},
                {"type": "image", "source": _data_uri(picture)},
            ]
        return traces, data

    track_3d = _paths(centres, n_steps, (0, 1, 2))
    track_2d = _paths(centres, n_steps, (a, b))
    points_marker = {"color": own_colors, "coloraxis": "coloraxis", "opacity": 0.9}
    centres_marker = {"color": centre_index, "coloraxis": "coloraxis", "opacity": 1.0}
    start_centres = {**centre_marker(plan[0], three_d=True)}
    centre_names = np.where(pinned, "pinned colour", "centre").tolist()
    figure.add_trace(
        go.Scatter3d(name="colours 3D", x=colors[:, 0], y=colors[:, 1], z=colors[:, 2], mode="markers",
                     marker={**points_marker, "size": 2.2}, hoverinfo="skip"),
        row=1, col=1,
    )
    figure.add_trace(
        go.Scatter3d(name="paths 3D", x=track_3d[0], y=track_3d[1], z=track_3d[2], mode="lines",
                     line={"color": "rgba(20,20,20,0.5)", "width": 3}, hoverinfo="skip", connectgaps=False),
        row=1, col=1,
    )
    figure.add_trace(
        go.Scatter3d(name="centres 3D", **coordinates(0, (0, 1, 2)), mode="markers",
                     marker={**centres_marker, **start_centres, "line": {"color": _CENTRE_OUTLINE, "width": 2}},
                     text=centre_names, hovertemplate="%{text} rgb(%{x:.0f}, %{y:.0f}, %{z:.0f})<extra></extra>"),
        row=1, col=1,
    )
    figure.add_trace(
        go.Scattergl(name="colours", x=colors[:, a], y=colors[:, b], mode="markers",
                     marker={**points_marker, "size": 3.5}, hoverinfo="skip"),
        row=2, col=2,
    )
    figure.add_trace(
        go.Scatter(name="paths", x=track_2d[0], y=track_2d[1], mode="lines",
                   line={"color": "rgba(20,20,20,0.5)", "width": 1.5}, hoverinfo="skip", connectgaps=False),
        row=2, col=2,
    )
    figure.add_trace(
        go.Scatter(name="centres", **coordinates(0, (a, b)), mode="markers", cliponaxis=False,
                   marker={**centres_marker, **centre_marker(plan[0], three_d=False), "line": {"color": _CENTRE_OUTLINE, "width": 1.5}},
                   text=centre_names,
                   hovertemplate=f"%{{text}}: {CHANNELS[a]} %{{x:.0f}}, {CHANNELS[b]} %{{y:.0f}}<extra></extra>"),
        row=2, col=2,
    )
    figure.add_trace(go.Image(name="picture", source=_data_uri(original), hoverinfo="skip"), row=1, col=2)
    if checkerboard:
        columns, rows = Image.open(io.BytesIO(original)).size
        board = io.BytesIO()
        Image.fromarray(on_checkerboard(np.zeros((rows, columns, 4), dtype=np.uint8), square=4)).save(board, format="PNG")
        # Under the picture's pixels, which Plotly centres on whole coordinates from 0.
        figure.add_layout_image(source=_data_uri(board.getvalue()), xref="x", yref="y", x=-0.5, y=-0.5, sizex=columns,
                                sizey=rows, xanchor="left", yanchor="top", sizing="stretch", layer="below")
    figure.add_trace(
        go.Scatter(name="error", x=x_error, y=y_error, mode="lines+markers", line={"color": _LLOYD, "width": 2},
                   marker={"size": 4}, hovertemplate="iteration %{x}: MSE %{y:.2f}<extra></extra>"),
        row=3, col=1,
    )
    figure.add_trace(
        go.Scatter(name="now", x=[], y=[], mode="markers",
                   marker={"size": 13, "color": "#e4572e", "line": {"color": "#ffffff", "width": 2}}, hoverinfo="skip"),
        row=3, col=1,
    )

    titles = [_title(frame, n_steps, mse, update_mse, counts, converged, int(pinned.sum())) for frame in plan]
    frames = []
    for index, frame in enumerate(plan):
        traces, data = frame_data(frame)
        layout = {"title": {"text": titles[index]}, "coloraxis": {"colorscale": _colorscale(centres[frame.centres_row])}}
        entry = {"name": str(index), "traces": traces, "data": data, "layout": layout}
        if frame.kind == "update":
            # The points' groups and the picture are the assign frame's: inherit them.
            entry["baseframe"] = str(index - 1)
        frames.append(entry)
    figure.frames = frames

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

    figure.update_layout(
        height=height,
        margin={"l": 48, "r": 10, "t": 56, "b": 78},
        showlegend=False,
        title={"text": titles[0], "x": 0.01, "xanchor": "left", "y": 0.99, "yanchor": "top", "font": {"size": 15}},
        plot_bgcolor="#ffffff",
        uirevision="kmeans-steps",
        coloraxis={"colorscale": _colorscale(centres[0]), "cmin": -0.5, "cmax": k - 0.5, "showscale": False},
        scene={
            # A little room past 0-255: a centre on the cube's faces (a pure colour, often a pin) is not lost in the wall.
            "xaxis": {"title": {"text": "red"}, **_AXIS, "range": [-6, 261], **SCENE_AXIS},
            "yaxis": {"title": {"text": "green"}, **_AXIS, "range": [-6, 261], **SCENE_AXIS},
            "zaxis": {"title": {"text": "blue"}, **_AXIS, "range": [-6, 261], **SCENE_AXIS},
            "aspectmode": "cube",
            "camera": {"eye": {"x": 1.95, "y": -1.95, "z": 1.2}},
            "domain": {"x": [0.035, 0.56], "y": [0.27, 1.0]},
        },
        updatemenus=[
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
        sliders=[
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
    )
    plane_axis = {**_AXIS, "range": [-8, 263], "gridcolor": _GRID, "zeroline": False}
    figure.update_xaxes(visible=False, row=1, col=2)
    figure.update_yaxes(visible=False, row=1, col=2)
    figure.update_xaxes(title_text=CHANNELS[a], title_standoff=2, row=2, col=2, constrain="domain", **plane_axis)
    figure.update_yaxes(title_text=CHANNELS[b], title_standoff=2, row=2, col=2, scaleanchor="x2", scaleratio=1,
                        constrain="domain", **plane_axis)
    figure.update_xaxes(title_text="iteration", title_standoff=4, row=3, col=1, range=[-0.3, n_steps + 0.3], gridcolor=_GRID, dtick=1 if n_steps <= 12 else 5)
    figure.update_yaxes(title_text="MSE", title_standoff=4, row=3, col=1, gridcolor=_GRID)
    # Grey behind the colour points only, so that whites and blacks both stand out.
    figure.add_shape(type="rect", xref="x2", yref="y2", x0=-8, y0=-8, x1=263, y1=263,
                     fillcolor=BACKDROP, line={"width": 0}, layer="below")
    return figure


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
