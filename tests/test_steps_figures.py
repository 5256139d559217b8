"""Unit tests of ui/figures/steps.py: the k-means animation and its companions, on their data."""

from __future__ import annotations

import base64
import inspect
import io

import numpy as np
import plotly.graph_objects as go
import pytest
from PIL import Image

import quant
from ui.compute import cached_steps, shared_figures
from ui.figures import steps as steps_figures
from ui.figures import steps_animation as animation_figures
from ui.frame import samples


def png(picture: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(picture).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def small_trace():
    """A short trace on a small photo crop, and what the page passes to the builder."""
    image = np.ascontiguousarray(samples.load_sample("flower")[100:220, 200:380])
    trace = quant.kmeans_steps(image, 5, init="random", seed=2, max_iter=4)
    sample = quant.sample_colors(image, 300, seed=0)
    groups = np.stack([trace.labels_of(sample.colors, row) for row in range(trace.n_steps + 1)])
    pictures = [png(trace.palette(row)[trace.labels_of(image, row).reshape(image.shape[:2])]) for row in range(trace.n_steps + 1)]
    return image, trace, sample, groups, pictures


def figure_of(spec: dict) -> go.Figure:
    """The builder's dict as Plotly's own objects, validated, its typed arrays read as arrays."""
    return shared_figures.shared_figure_of(spec)


def build(small_trace) -> go.Figure:
    image, trace, sample, groups, pictures = small_trace
    return figure_of(animation_figures.kmeans_animation(
        sample.colors, groups, trace.centres, trace.counts, trace.mse, trace.update_mse, png(image), pictures,
        converged=trace.converged,
    ))


def test_frame_plan_alternates_assign_and_update() -> None:
    plan = animation_figures.frame_plan(3)
    assert [frame.kind for frame in plan] == ["start", "assign", "update", "assign", "update", "assign", "update", "end"]
    assert [(frame.groups_row, frame.centres_row) for frame in plan] == [
        (None, 0), (0, 0), (0, 1), (1, 1), (1, 2), (2, 2), (2, 3), (3, 3)
    ]


def test_every_half_step_is_a_named_frame_on_the_slider(small_trace) -> None:
    figure = build(small_trace)
    trace = small_trace[1]
    plan = animation_figures.frame_plan(trace.n_steps)
    assert len(figure.frames) == len(plan) == 2 * trace.n_steps + 2
    assert [frame.name for frame in figure.frames] == [str(i) for i in range(len(plan))]
    steps = figure.layout.sliders[0].steps
    assert [list(step.args[0]) for step in steps] == [[str(i)] for i in range(len(plan))]
    assert all(step.method == "animate" for step in steps)
    play, pause = figure.layout.updatemenus[0].buttons
    assert play.args[0] is None and play.args[1]["frame"]["redraw"] is True
    assert list(pause.args[0]) == [None]
    titles = [frame.layout.title.text for frame in figure.frames]
    assert "assign" in titles[1] and "update" in titles[2] and titles[-1].startswith("<b>End")


def test_frames_paint_points_and_centres_with_the_centres_colours(small_trace) -> None:
    figure = build(small_trace)
    _, trace, sample, groups, pictures = small_trace
    names = [trace.name for trace in figure.data]
    assert names == ["colours 3D", "paths 3D", "centres 3D", "colours", "paths", "centres", "picture", "error", "now"]
    # The start: points in their own colours, the original picture.
    start = figure.frames[0]
    points = dict(zip(start.traces, start.data))[0]
    assert list(points.marker.color) == quant.palette_hex(sample.colors)
    for index, frame in enumerate(animation_figures.frame_plan(trace.n_steps)):
        shown = figure.frames[index]
        by_trace = dict(zip(shown.traces, shown.data))
        # Centres at their row's position, coloured (via the colour axis) in their rounded colour.
        np.testing.assert_allclose(np.asarray(by_trace[2].x), trace.centres[frame.centres_row, :, 0], atol=1e-3)
        np.testing.assert_allclose(np.asarray(by_trace[5].y), trace.centres[frame.centres_row, :, 1], atol=1e-3)
        scale = shown.layout.coloraxis.colorscale
        assert [color for _, color in scale[1:-1]] == quant.palette_hex(trace.palette(frame.centres_row))
        if frame.kind in ("assign", "end"):
            np.testing.assert_array_equal(np.asarray(by_trace[0].marker.color), groups[frame.groups_row])
            assert by_trace[6].source == "data:image/png;base64," + base64.b64encode(pictures[frame.groups_row]).decode()
        if frame.kind == "update":
            # Groups and picture come from the assign frame just before.
            assert shown.baseframe == str(index - 1)
            assert 0 not in by_trace and 6 not in by_trace
    # Both point traces and the centres share the colour axis; value j lands on stop j.
    k = trace.k
    assert figure.layout.coloraxis.cmin == -0.5 and figure.layout.coloraxis.cmax == k - 0.5
    positions = [stop for stop, _ in figure.layout.coloraxis.colorscale[1:-1]]
    np.testing.assert_allclose(positions, (np.arange(k) + 0.5) / k)
    assert figure.data[2].marker.coloraxis == "coloraxis" and figure.data[0].marker.coloraxis == "coloraxis"


def test_error_curve_has_both_halves(small_trace) -> None:
    figure = build(small_trace)
    trace = small_trace[1]
    error = figure.data[7]
    np.testing.assert_allclose(np.asarray(error.x), np.arange(0, trace.n_steps + 0.25, 0.5))
    np.testing.assert_allclose(np.asarray(error.y)[0::2], trace.mse)
    np.testing.assert_allclose(np.asarray(error.y)[1::2], trace.update_mse)
    # The "now" marker sits on the curve: after the update of iteration 2, at 1.5.
    update_2 = dict(zip(figure.frames[4].traces, figure.frames[4].data))[8]
    assert list(update_2.x) == [1.5] and update_2.y[0] == pytest.approx(trace.update_mse[1])


def test_empty_centres_are_open_rings() -> None:
    rng = np.random.default_rng(0)
    image = rng.integers(10, 40, size=(30, 30, 3)).astype(np.uint8)
    trace = quant.kmeans_steps(image, 6, init="uniform", seed=0, max_iter=3)
    assert trace.empty[-1].any()
    sample = quant.sample_colors(image, 100)
    groups = np.stack([trace.labels_of(sample.colors, row) for row in range(trace.n_steps + 1)])
    pictures = [png(image)] * (trace.n_steps + 1)
    figure = figure_of(animation_figures.kmeans_animation(
        sample.colors, groups, trace.centres, trace.counts, trace.mse, trace.update_mse, png(image), pictures,
        converged=trace.converged,
    ))
    last = dict(zip(figure.frames[-1].traces, figure.frames[-1].data))
    symbols = np.asarray(last[2].marker.symbol)
    assert list(np.flatnonzero(symbols == "circle-open")) == list(np.flatnonzero(trace.empty[-1]))
    assert "empty" in figure.frames[-1].layout.title.text


def test_pictures_must_match_the_rows(small_trace) -> None:
    image, trace, sample, groups, pictures = small_trace
    with pytest.raises(ValueError, match="pictures"):
        animation_figures.kmeans_animation(
            sample.colors, groups, trace.centres, trace.counts, trace.mse, trace.update_mse, png(image), pictures[:-1],
            converged=trace.converged,
        )


def visible_of(image: np.ndarray) -> np.ndarray:
    """What ui.compute.cached.visible_pixels gives for an image."""
    return image if image.shape[-1] == 3 else np.ascontiguousarray(image[..., :3][image[..., 3] > 0])[None]


@pytest.mark.parametrize("name", list(samples.SAMPLES))
def test_animation_json_stays_under_one_megabyte(name: str) -> None:
    # The page's own assembly at its largest: k = 64 and up to 30 iterations.
    image = samples.load_sample(name)
    visible = visible_of(image)
    trace = quant.kmeans_steps(visible, 64, max_iter=cached_steps.STEPS_MAX_ITER)
    figure = cached_steps.animation_of(trace, image, visible=visible)
    assert len(figure.frames) == 2 * trace.n_steps + 2
    assert len(figure.to_json()) <= 1_000_000


def test_lloyd_and_minibatch_figure(small_trace) -> None:
    image = small_trace[0]
    lloyd = quant.kmeans_steps(image, 4, seed=1, max_iter=6)
    batches = quant.minibatch_steps(image, 4, seed=1, max_iter=9, batch_size=256)
    figure = steps_figures.lloyd_and_minibatch(lloyd.centres, lloyd.mse, batches.centres, batches.mse, batch_size=256)
    by_name = {trace.name: trace for trace in figure.data}
    np.testing.assert_allclose(np.asarray(by_name["Lloyd (every pixel, every step)"].y), lloyd.mse)
    np.testing.assert_allclose(np.asarray(by_name["MiniBatch (256 pixels a step)"].y), batches.mse)
    # A path per centre, each separated by a gap, over every row.
    paths = np.asarray(by_name["MiniBatch paths"].x, dtype=float)
    assert paths.shape == (4 * (batches.n_steps + 2),) and np.isnan(paths).sum() == 4
    np.testing.assert_allclose(np.asarray(by_name["start"].x), lloyd.centres[0, :, 0])


def test_seed_spread_marks_the_current_seed() -> None:
    finals = {"k-means++": [10.0, 11.0, 10.5], "uniform": [30.0, 12.0, 50.0]}
    figure = steps_figures.seed_spread(finals, seeds=[0, 1, 2], current=("uniform", 2))
    assert [trace.name for trace in figure.data] == ["k-means++", "uniform", "this run"]
    assert list(figure.data[1].x) == [30.0, 12.0, 50.0]
    assert list(figure.data[2].x) == [50.0] and list(figure.data[2].y) == ["uniform"]
    assert len(steps_figures.seed_spread(finals, seeds=[0, 1, 2], current=("uniform", 7)).data) == 2


# --- pinned colours ------------------------------------------------------------------------

PINS = np.array([[255, 0, 0], [0, 200, 0]], dtype=np.uint8)


@pytest.fixture(scope="module")
def pinned_trace():
    image = np.ascontiguousarray(samples.load_sample("flower")[100:220, 200:380])
    return image, quant.kmeans_steps(image, 6, init="random", seed=2, max_iter=5, fixed=PINS)


def test_pinned_centres_are_diamonds_that_never_move(pinned_trace) -> None:
    image, trace = pinned_trace
    assert trace.pinned.tolist() == [True, True, False, False, False, False]
    figure = cached_steps.animation_of(trace, image)
    assert "2 pinned" in figure.frames[0].layout.title.text and "never move" in figure.frames[0].layout.title.text
    for name in ("centres 3D", "centres"):
        drawn = next(t for t in figure.data if t.name == name)
        assert list(drawn.text) == ["pinned colour"] * 2 + ["centre"] * 4
        assert "%{text}" in drawn.hovertemplate
    for frame in figure.frames:
        by_trace = dict(zip(frame.traces, frame.data))
        for index in (2, 5):  # the centres in 3D and on the plane
            marker = by_trace[index].marker
            symbols = [symbol.removesuffix("-open") for symbol in marker.symbol]
            assert symbols == ["diamond"] * 2 + ["circle"] * 4
            # Never smaller than the Colour space page's pins, however few pixels they take.
            assert min(np.asarray(marker.size)[:2]) >= 14
        # A pin stays where it was put.
        np.testing.assert_allclose(np.asarray(by_trace[5].x)[:2], PINS[:, 0], atol=1e-3)
        np.testing.assert_allclose(np.asarray(by_trace[5].y)[:2], PINS[:, 1], atol=1e-3)


def test_pins_are_as_large_as_on_the_colour_space_page() -> None:
    from ui.figures import cloud

    assert steps_figures._PINNED_MIN_SIZE == cloud._PINNED_MIN_SIZE


def test_without_pins_every_centre_is_round(small_trace) -> None:
    figure = build(small_trace)
    for frame in figure.frames:
        symbols = dict(zip(frame.traces, frame.data))[2].marker.symbol
        assert set([symbols] if isinstance(symbols, str) else symbols) <= {"circle", "circle-open"}
    assert "pinned" not in figure.frames[0].layout.title.text
    assert set(figure.data[2].text) == {"centre"}


def test_pinned_must_match_the_centres(small_trace) -> None:
    image, trace, sample, groups, pictures = small_trace
    with pytest.raises(ValueError, match="pinned"):
        animation_figures.kmeans_animation(
            sample.colors, groups, trace.centres, trace.counts, trace.mse, trace.update_mse, png(image), pictures,
            converged=trace.converged, pinned=np.ones(trace.k + 1, dtype=bool),
        )


def test_lloyd_and_minibatch_draw_the_pins_once(pinned_trace) -> None:
    image, lloyd = pinned_trace
    batches = quant.minibatch_steps(image, 6, init="random", seed=2, max_iter=6, batch_size=256, fixed=PINS)
    figure = steps_figures.lloyd_and_minibatch(
        lloyd.centres, lloyd.mse, batches.centres, batches.mse, batch_size=256, pinned=lloyd.pinned
    )
    by_name = {trace.name: trace for trace in figure.data}
    pins = by_name["pinned"]
    assert pins.marker.symbol == "diamond" and pins.marker.size >= 14
    assert list(pins.x) == [255, 0] and list(pins.y) == [0, 200]
    # The start and the ends are the centres that move.
    for name in ("start", "Lloyd end", "MiniBatch end"):
        assert len(by_name[name].x) == 4
    assert "pinned" not in {trace.name for trace in steps_figures.lloyd_and_minibatch(
        lloyd.centres, lloyd.mse, batches.centres, batches.mse, batch_size=256).data}


# --- transparency ----------------------------------------------------------------------------


def rgba_disc(size: int = 90) -> np.ndarray:
    """A disc of two colours with a soft edge on a fully transparent ground (colour hidden under it)."""
    y, x = np.mgrid[:size, :size]
    radius = np.hypot(x - size / 2, y - size / 2)
    image = np.zeros((size, size, 4), dtype=np.uint8)
    image[..., :3] = (250, 250, 250)  # hidden under alpha 0: must not become a centre
    image[x < size / 2, :3] = (200, 40, 30)
    image[x >= size / 2, :3] = (30, 60, 200)
    image[..., 3] = np.clip((size / 3 - radius) * 64, 0, 255).astype(np.uint8)
    return image


def test_an_rgba_animation_keeps_the_pictures_transparency() -> None:
    image = rgba_disc()
    visible = visible_of(image)
    trace = quant.kmeans_steps(visible, 3, init="random", seed=1, max_iter=4)
    with pytest.raises(ValueError, match="visible"):
        cached_steps.animation_of(trace, image)
    figure = cached_steps.animation_of(trace, image, visible=visible)
    assert (np.asarray(figure.data[0].x) < 250).all()  # no point of the hidden colour
    # A checkerboard under the picture, the picture's size; the figure keeps its own height.
    board = figure.layout.images[0]
    assert (board.layer, board.xref, board.yref, board.sizex, board.sizey) == ("below", "x", "y", 90, 90)
    assert figure.layout.height == inspect.signature(animation_figures.kmeans_animation).parameters["height"].default
    picture = dict(zip(figure.frames[0].traces, figure.frames[0].data))[6]
    assert picture.source.startswith("data:image/png;base64,")  # the original, with its alpha
    for index, frame in enumerate(animation_figures.frame_plan(trace.n_steps)):
        if frame.kind not in ("assign", "end"):
            continue
        source = dict(zip(figure.frames[index].traces, figure.frames[index].data))[6].source
        shown = np.asarray(Image.open(io.BytesIO(base64.b64decode(source.split(",", 1)[1]))).convert("RGBA"))
        assert shown.shape == image.shape
        # Transparent where the picture is (at least where it is nearer transparent than a third).
        np.testing.assert_array_equal(shown[..., 3] == 0, image[..., 3] < 43)
        assert set(np.unique(shown[..., 3])) <= {0, 85, 170, 255}
        # Every visible pixel takes a centre's colour of that row.
        seen = shown[..., 3] > 0
        colours = {tuple(c) for c in shown[seen][:, :3]}
        assert colours <= {tuple(c) for c in trace.palette(frame.groups_row)}
