"""The k-means step by step page in Chromium: the animation has its frames and plays
in the browser, the slider goes back, and the page shows no exception."""

from __future__ import annotations

import pytest

from e2e_support import go_to_page, wait_for_app_run

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip, or under CI fail, before any test uses it
    expect = None

pytestmark = pytest.mark.e2e

FRAME_COUNT = "() => document.querySelector('.st-key-steps_animation .js-plotly-plot')._transitionData._frames.length"
TITLE = ".st-key-steps_animation .js-plotly-plot .gtitle"


def assert_no_exception(page) -> None:
    assert page.get_by_test_id("stException").count() == 0, page.get_by_test_id("stException").all_inner_texts()
    assert page.get_by_test_id("stAlertContentError").count() == 0


def test_animation_has_frames_and_plays(app) -> None:
    go_to_page(app, "k-means step by step")
    chart = app.locator(".st-key-steps_animation")
    expect(chart.locator(".js-plotly-plot")).to_be_visible()
    assert_no_exception(app)
    # Every half-step is a frame held by the browser: nothing goes back to the server.
    n_frames = app.evaluate(FRAME_COUNT)
    assert n_frames >= 4 and n_frames % 2 == 0
    title = app.locator(TITLE).first
    expect(title).to_contain_text("Start")
    images_before = app.evaluate("() => document.querySelector('.st-key-steps_animation image')?.getAttribute('href')")

    chart.locator("g.updatemenu-button").filter(has_text="Play").click()
    expect(title).to_contain_text("Iteration 2", timeout=30_000)
    chart.locator("g.updatemenu-button").filter(has_text="Pause").click()
    expect(title).not_to_contain_text("Start")
    images_after = app.evaluate("() => document.querySelector('.st-key-steps_animation image')?.getAttribute('href')")
    assert images_before and images_after and images_before != images_after  # the picture was rebuilt
    # The slider followed the animation; going back to its first step shows the start again.
    active = app.evaluate(
        "() => document.querySelector('.st-key-steps_animation .js-plotly-plot')._fullLayout.sliders[0].active"
    )
    assert active >= 3
    app.evaluate(
        "() => { const gd = document.querySelector('.st-key-steps_animation .js-plotly-plot');"
        " return Plotly.animate(gd, ['0'], {frame: {duration: 0, redraw: true}, mode: 'immediate'}); }"
    )
    expect(title).to_contain_text("Start")
    assert_no_exception(app)


def test_new_seed_redraws_the_animation(app) -> None:
    go_to_page(app, "k-means step by step")
    app.locator(".st-key-steps_new_seed button").click()
    wait_for_app_run(app)
    seed = app.locator(".st-key-steps_seed input").input_value()
    assert seed != "0"
    expect(app.get_by_test_id("stMain")).to_contain_text(f"(seed {seed})")
    assert app.evaluate(FRAME_COUNT) >= 4
    assert_no_exception(app)
