"""AppTest flows of the uploader: a good file replaces the image, a bad one is refused."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

import quant
from ui.frame import state

TIMEOUT_S = 60


def png_bytes(width: int, height: int) -> bytes:
    """A small gradient PNG with many colours."""
    x = np.linspace(0, 255, width, dtype=np.uint8)
    y = np.linspace(0, 255, height, dtype=np.uint8)
    pixels = np.empty((height, width, 3), dtype=np.uint8)
    pixels[..., 0] = x[np.newaxis, :]
    pixels[..., 1] = y[:, np.newaxis]
    pixels[..., 2] = 128
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def start() -> AppTest:
    return AppTest.from_file("../app.py", default_timeout=TIMEOUT_S).run()


def size_shown(app: AppTest) -> str:
    return {m.label: m.value for m in app.metric}["Size"]


def upload(app: AppTest, name: str, content: bytes, mime: str = "image/png") -> AppTest:
    app.file_uploader(key=state.UPLOAD).set_value((name, content, mime))
    return app.run()


def test_upload_replaces_the_sample() -> None:
    app = start()
    assert re.fullmatch(r"640\s*×\s*427 px", size_shown(app))

    upload(app, "gradient.png", png_bytes(60, 40))
    assert not app.exception and not app.error
    assert re.fullmatch(r"60\s*×\s*40 px", size_shown(app))
    # Choosing a file switches the source to it without another click.
    assert app.selectbox(key=state.SOURCE).value == state.UPLOAD_SOURCE
    assert app.session_state[state.IMAGE].name == "gradient.png"


def test_uploaded_image_reaches_every_page() -> None:
    app = start()
    upload(app, "gradient.png", png_bytes(60, 40))
    for page in ("pages/colour_space.py", "pages/reconstructions.py", "pages/compare.py"):
        app.switch_page(page).run()
        assert not app.exception and not app.error, page
        assert app.session_state[state.IMAGE].name == "gradient.png"
    # Download names come from the uploaded file's name.
    app.switch_page("pages/reconstructions.py").run()
    assert not app.exception and not app.error


def test_bad_upload_shows_the_error_and_keeps_the_previous_image() -> None:
    app = start()
    upload(app, "gradient.png", png_bytes(60, 40))
    good = app.session_state[state.IMAGE]

    upload(app, "junk.png", b"this is plain text, not a PNG\n" * 20)
    assert not app.exception
    assert len(app.error) == 1
    message = app.error[0].value
    assert "previous image" in message
    assert len(message) > len("The previous image is still shown.") + 10  # quant's reason is there
    assert "Traceback" not in message
    assert re.fullmatch(r"60\s*×\s*40 px", size_shown(app))
    assert app.session_state[state.IMAGE] == good

    # The page still works on the good image after another rerun and a page switch.
    app.switch_page("pages/reconstructions.py").run()
    assert not app.exception
    assert app.session_state[state.IMAGE] == good


def test_bad_first_upload_keeps_the_sample() -> None:
    app = start()
    upload(app, "notes.png", b"\x89PNG\r\n\x1a\n truncated")
    assert not app.exception
    assert len(app.error) == 1
    assert re.fullmatch(r"640\s*×\s*427 px", size_shown(app))


def test_too_many_pixels_is_refused_with_quants_message(monkeypatch: pytest.MonkeyPatch) -> None:
    # load_image reads the budget at call time; a tiny one makes a small file "too large".
    monkeypatch.setattr(quant.loading, "MAX_PIXELS", 1000)
    app = start()
    # A size no other test uploads: decoded images are cached by content.
    upload(app, "big.png", png_bytes(51, 31))
    assert not app.exception
    assert len(app.error) == 1
    message = app.error[0].value
    assert "big.png" in message and re.search(r"1,?581", message), message
    assert re.fullmatch(r"640\s*×\s*427 px", size_shown(app))


def test_unexpected_failure_shows_a_generic_message(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("internal detail that must not reach the visitor")

    monkeypatch.setattr(quant, "load_image", broken)
    app = start()
    upload(app, "odd.png", png_bytes(30, 20))
    assert not app.exception
    assert len(app.error) == 1
    assert "internal detail" not in app.error[0].value
    assert "odd.png" in app.error[0].value
    assert re.fullmatch(r"640\s*×\s*427 px", size_shown(app))
