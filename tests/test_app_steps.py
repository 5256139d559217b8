"""AppTest flows of the "k-means step by step" page: every sample, its controls, an upload."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.test_app_upload import png_bytes
from ui.frame import samples, state

PAGE = "pages/kmeans_steps.py"
TIMEOUT_S = 120


def start(source: str = "china", **values: object) -> AppTest:
    app = AppTest.from_file("../app.py", default_timeout=TIMEOUT_S)
    app.session_state[state.SOURCE] = source
    for key, value in values.items():
        app.session_state[key] = value
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


def test_the_sidebars_pins_are_centres_that_never_move() -> None:
    app = start("flower", **{state.PINS: ("#ff0000", "#00ff00", "#0000ff")})
    assert_clean(app)
    figure = animation(app)
    assert "3 pinned" in figure["layout"]["title"]["text"]
    assert "pinned centres take part in every assignment but never move" in texts(app)
    assert "keeping the same 3 pinned colours" in texts(app)
    centres = next(trace for trace in figure["data"] if trace["name"] == "centres")
    assert centres["text"][:3] == ["pinned colour"] * 3
    minibatch = next(c for c in app.get("plotly_chart") if c.proto.id and "steps_minibatch" in c.proto.id)
    assert '"name":"pinned"' in minibatch.proto.spec.replace(" ", "")
    # A palette of 2 colours holds only the first pin.
    app.slider(key=state.STEPS_K).set_value(2).run()
    assert_clean(app)
    assert "1 pinned" in animation(app)["layout"]["title"]["text"]
    assert "holds the first 1" in texts(app)


def test_a_brought_palette_leaves_the_page_on_k_means() -> None:
    app = start("china", **{state.PALETTE: "pico-8"})
    assert_clean(app)
    assert "So does the palette you brought" in texts(app)
    assert "8 centres placed" in animation(app)["layout"]["title"]["text"]


def rgba_png(width: int, height: int, *, transparent_columns: int) -> bytes:
    """A gradient PNG whose first ``transparent_columns`` columns are fully transparent
    (over a colour that must not count) and the next one half transparent."""
    import io

    import numpy as np
    from PIL import Image

    x = np.linspace(0, 255, width, dtype=np.uint8)
    y = np.linspace(0, 255, height, dtype=np.uint8)
    pixels = np.empty((height, width, 4), dtype=np.uint8)
    pixels[..., 0] = x[np.newaxis, :]
    pixels[..., 1] = y[:, np.newaxis]
    pixels[..., 2] = 128
    pixels[..., 3] = 255
    pixels[:, :transparent_columns] = (0, 255, 0, 0)
    pixels[:, transparent_columns : transparent_columns + 1, 3] = 128
    buffer = io.BytesIO()
    Image.fromarray(pixels, mode="RGBA").save(buffer, format="PNG")
    return buffer.getvalue()


def upload_and_open(content: bytes, name: str) -> AppTest:
    app = AppTest.from_file("../app.py", default_timeout=TIMEOUT_S).run()
    app.file_uploader(key=state.UPLOAD).set_value((name, content, "image/png"))
    app.run()
    return app.switch_page(PAGE).run()


def test_transparent_pixels_are_left_out_and_counted() -> None:
    app = upload_and_open(rgba_png(90, 60, transparent_columns=30), "cut-out.png")
    assert_clean(app)
    assert "1,800 fully transparent pixels (33.3%) are left out: their colour is not part of the picture" in texts(app)
    assert "the colours of the 3,600 pixels one can see of the 90 × 60 picture" in texts(app)
    assert "on every visible pixel" in texts(app)
    figure = animation(app)
    # No point of the colour hidden under the transparent pixels (pure green).
    colours = figure["data"][0]
    assert figure["layout"]["images"][0]["layer"] == "below"  # the checkerboard under the picture
    assert "00ff00" not in json_of(colours)


def json_of(value: object) -> str:
    import json

    return json.dumps(value).lower()


def test_an_rgb_upload_says_nothing_of_transparency() -> None:
    app = upload_and_open(png_bytes(90, 60), "gradient.png")
    assert_clean(app)
    assert "transparent" not in texts(app)


def test_a_fully_transparent_picture_gets_a_notice_not_an_error() -> None:
    app = upload_and_open(rgba_png(40, 30, transparent_columns=40), "clear.png")
    assert_clean(app)
    assert len(app.info) == 1 and "fully transparent" in app.info[0].value
    assert not app.get("plotly_chart")
