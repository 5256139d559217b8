"""The k-means page's fast paths give exactly what the straightforward computation gives:
the seed table's runs, two at a time, equal one run after another, and the animation,
written as Plotly's plain dict, is the dict Plotly itself makes of it."""

from __future__ import annotations

import json
import threading

import numpy as np
import plotly.graph_objects as go
import pytest

import quant
from tests.test_cached_steps import PINS, patched, rgba_picture
from ui.compute import cached, cached_steps, shared_figures
from ui.figures import keyboard
from ui.frame import samples


def sequential_rows(work: np.ndarray, n_colors: int, pins: tuple[str, ...]) -> list[cached_steps.SeedRun]:
    """The seed table as it was first written: every run, one after another."""
    fixed = cached.colors_of(pins)
    rows = []
    for init in quant.INITS:
        for seed in cached_steps.STEPS_TABLE_SEEDS:
            trace = quant.kmeans_steps(work, n_colors, init=init, seed=seed, max_iter=cached_steps.STEPS_TABLE_MAX_ITER, fixed=fixed)
            rows.append(cached_steps.SeedRun(
                init=init, seed=seed, start_mse=float(trace.mse[0]), final_mse=float(trace.mse[-1]), n_steps=trace.n_steps,
                converged=trace.converged, n_empty=int((trace.empty[-1] & ~trace.pinned).sum()),
            ))
    return rows


@pytest.mark.parametrize("pins", [(), PINS])
def test_the_seed_table_equals_its_runs_one_after_another(monkeypatch: pytest.MonkeyPatch, pins: tuple[str, ...]) -> None:
    image = np.ascontiguousarray(samples.load_sample("flower")[::2, ::2])  # over the table's pixel budget
    ref = patched(monkeypatch, image)
    table = cached_steps.seed_table(ref, 6, pins)
    work = quant.downscale(image, cached_steps.STEPS_TABLE_PIXELS)
    assert (table.height, table.width, table.n_visible) == (*work.shape[:2], None)
    # Bit for bit: the same floats, steps and empty centres, in the same order.
    assert list(table.runs) == sequential_rows(work, 6, pins)
    assert cached_steps.seed_table(ref, 6, pins) is table  # kept whole once made


def test_an_rgba_seed_table_equals_its_runs_one_after_another(monkeypatch: pytest.MonkeyPatch) -> None:
    image = rgba_picture(300, 400)  # 90,000 visible pixels: every other one is taken
    ref = patched(monkeypatch, image)
    table = cached_steps.seed_table(ref, 3)
    visible = image[image[..., 3] > 0][None, :, :3]
    work = visible[:, :: -(-visible.shape[1] // cached_steps.STEPS_TABLE_PIXELS)]
    assert (table.height, table.width, table.n_visible) == (1, work.shape[1], visible.shape[1])
    assert list(table.runs) == sequential_rows(np.ascontiguousarray(work), 3, ())


def test_the_seed_runs_start_before_the_table_is_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    ref = patched(monkeypatch, rgba_picture())
    started = threading.Event()
    original = quant.kmeans_steps

    def noted(*args, **kwargs):
        started.set()
        return original(*args, **kwargs)

    monkeypatch.setattr(quant, "kmeans_steps", noted)
    table = cached_steps.seed_table_started(ref, 3)
    assert started.wait(30), "no run started before the table was asked for"
    assert len(table().runs) == 3 * len(cached_steps.STEPS_TABLE_SEEDS)


def animations() -> list[tuple[np.ndarray, np.ndarray | None, quant.KMeansSteps]]:
    """(image, its visible colours or None, a trace): plain, pins with empty centres, RGBA, no step."""
    flower = np.ascontiguousarray(samples.load_sample("flower")[100:260, 150:390])
    rgba = rgba_picture()
    visible = np.ascontiguousarray(rgba[rgba[..., 3] > 0][None, :, :3])
    return [
        (flower, None, quant.kmeans_steps(flower, 8, init="k-means++", seed=0, max_iter=30)),
        (flower, None, quant.kmeans_steps(flower, 12, init="uniform", seed=3, max_iter=30, fixed=[[255, 0, 0], [0, 0, 255]])),
        (rgba, visible, quant.kmeans_steps(visible, 3, init="random", seed=1, max_iter=30)),
        (flower, None, quant.kmeans_steps(flower, 5, init="random", seed=2, max_iter=0)),
    ]


@pytest.mark.parametrize("case", range(4))
def test_the_animation_dict_is_the_one_plotly_makes_of_it(case: int) -> None:
    image, visible, trace = animations()[case]
    figure = cached_steps.animation_of(trace, image, visible=visible)
    spec = figure.to_dict()
    # Plotly's validation changes nothing: every property valid, every array already in
    # the typed form Figure.to_dict() gives, the template and subplot grid Plotly's own.
    assert go.Figure(spec).to_dict() == spec
    assert json.loads(figure.to_json()) == json.loads(go.Figure(spec).to_json())


def test_a_figure_made_from_a_dict_is_filled_only_when_read() -> None:
    image, visible, trace = animations()[0]
    figure = cached_steps.animation_of(trace, image, visible=visible)
    assert figure._unread
    spec = figure.to_dict()
    assert figure.to_dict() is spec and figure._unread  # the dict is handed out as it is
    titles = keyboard.frame_titles(figure)
    assert figure._unread and len(titles) == 2 * trace.n_steps + 2 and titles[0].startswith("Start: 8 centres")
    # Read through Plotly's properties, it is the figure its dict describes, arrays and all.
    assert len(figure.frames) == len(titles) and not figure._unread
    np.testing.assert_array_equal(figure.data[0].x, quant.sample_colors(image, cached_steps.STEPS_POINTS, seed=0).colors[:, 0])
    assert figure.to_dict() is spec
    from ui.figures import steps_animation

    assert steps_animation.n_points(spec) == len(figure.data[0].x)


def test_a_shared_dict_figure_is_drawn_without_validating(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = go.Figure(go.Scatter(x=np.arange(5), y=np.arange(5) ** 2)).to_dict()
    shared = shared_figures.shared_figure_of(spec)

    def no_validation(*args, **kwargs):
        raise AssertionError("validated")

    monkeypatch.setattr(go.Figure, "__init__", no_validation)
    import plotly.tools

    assert plotly.tools.return_figure_from_figure_or_data(shared, validate_figure=True) is spec

