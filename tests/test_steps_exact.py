"""The k-means page's fast paths give exactly what the straightforward computation gives:
the animation, written as Plotly's plain dict, is the dict Plotly itself makes of it."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import pytest

import quant
from tests.test_cached_steps import rgba_picture
from ui.compute import cached_steps, shared_figures
from ui.figures import keyboard
from ui.frame import samples


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

