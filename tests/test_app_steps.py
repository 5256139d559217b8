"""AppTest flows of the "k-means step by step" page: every sample, its controls, an upload."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.test_app_upload import png_bytes
from ui.frame import samples, state

PAGE = "pages/kmeans_steps.py"
TIMEOUT_S = 120


def start(source: str = "china") -> AppTest:
    app = AppTest.from_file("../app.py", default_timeout=TIMEOUT_S)
    app.session_state[state.SOURCE] = source
    app.run()
    return app.switch_page(PAGE).run()


def assert_clean(app: AppTest) -> None:
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]


def texts(app: AppTest) -> str:
    return "\n".join([m.value for m in app.markdown] + [c.value for c in app.caption])


def animation(app: AppTest) -> dict:
    """The animated chart's figure, as the browser receives it."""
    import json

    chart = next(c for c in app.get("plotly_chart") if c.proto.id and "steps_animation" in c.proto.id)
    return json.loads(chart.proto.spec)


@pytest.mark.parametrize("source", list(samples.SAMPLES))
def test_page_renders_every_sample(source: str) -> None:
    app = start(source)
    assert_clean(app)
    assert app.title[0].value == "k-means step by step"
    figure = animation(app)
    n_steps = int(re.search(r"after \*\*(\d+)\*\* iterations", texts(app)).group(1))
    assert len(figure["frames"]) == 2 * n_steps + 2
    assert len(app.get("plotly_chart")) == 3  # the animation, MiniBatch beside Lloyd, the seeds
    table = app.dataframe[0].value
    assert list(table["Seed"]) == list(range(10))
    assert {"k-means++", "random colours", "uniform"} <= set(table.columns)


def test_controls_change_the_trace() -> None:
    app = start("flower")
    assert "8 centres placed" in animation(app)["layout"]["title"]["text"]
    assert "started from k-means++ (seed 0)" in texts(app)

    app.slider(key=state.STEPS_K).set_value(5).run()
    app.selectbox(key=state.STEPS_INIT).set_value("uniform").run()
    app.number_input(key=state.STEPS_SEED).set_value(3).run()
    assert_clean(app)
    assert "5 centres placed" in animation(app)["layout"]["title"]["text"]
    assert "started from uniform in the RGB cube (seed 3)" in texts(app)

    app.button(key=state.STEPS_NEW_SEED).click().run()
    assert_clean(app)
    new = app.session_state[state.STEPS_SEED]
    assert new != 3 and 0 <= new < 1000
    assert f"(seed {new})" in texts(app)


def test_page_keeps_its_controls_across_pages() -> None:
    app = start("sky")
    app.slider(key=state.STEPS_K).set_value(12).run()
    app.selectbox(key=state.STEPS_INIT).set_value("random").run()
    app.switch_page("pages/image.py").run()
    app.switch_page(PAGE).run()
    assert_clean(app)
    assert app.slider(key=state.STEPS_K).value == 12
    assert app.selectbox(key=state.STEPS_INIT).value == "random"
    assert "12 centres placed" in animation(app)["layout"]["title"]["text"]


def test_page_works_after_an_upload() -> None:
    app = AppTest.from_file("../app.py", default_timeout=TIMEOUT_S).run()
    app.file_uploader(key=state.UPLOAD).set_value(("gradient.png", png_bytes(90, 60), "image/png"))
    app.run()
    app.switch_page(PAGE).run()
    assert_clean(app)
    assert app.session_state[state.IMAGE].name == "gradient.png"
    assert "of the 90 × 60 picture" in texts(app)
    # A gradient of 90 x 60 pixels: the seed table runs on the whole picture.
    assert "on the whole picture" in texts(app)


def test_page_works_after_a_12_megapixel_upload() -> None:
    import io

    from PIL import Image

    from bench.run import make_photo

    buffer = io.BytesIO()
    Image.fromarray(make_photo()).save(buffer, format="JPEG", quality=90)
    app = AppTest.from_file("../app.py", default_timeout=TIMEOUT_S).run()
    app.file_uploader(key=state.UPLOAD).set_value(("photo-12mp.jpg", buffer.getvalue(), "image/jpeg"))
    app.run()
    app.switch_page(PAGE).run()
    assert_clean(app)
    assert "of the 4,000 × 3,000 picture" in texts(app)
    figure = animation(app)
    assert len(figure["frames"]) >= 4
    assert "at most 60,000 pixels" in texts(app)
