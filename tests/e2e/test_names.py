"""A visitor's file name in a real browser: shown as text, never run as HTML or Markdown.

The app renders captions and alerts as Markdown; ``tests/test_app_hostile.py`` checks
the Markdown it sends, this checks what Chromium draws from it.
"""

from __future__ import annotations

import pytest

from e2e_support import wait_for_app_run
from tests.hostile_inputs import gradient_png

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip, or under CI fail, before any test uses it
    expect = None

pytestmark = pytest.mark.e2e

NAME = "**bold** [link](javascript:alert(1)) <img src=x onerror=alert(2)> $x^2$.png"


def upload(page, name: str, content: bytes) -> None:
    page.locator(".st-key-upload input[type=file]").set_input_files(
        files=[{"name": name, "mimeType": "image/png", "buffer": content}]
    )
    wait_for_app_run(page)


def assert_nothing_interpreted(element) -> None:
    """No bold text, link, image, maths or script made out of the name."""
    for selector in ("strong", "a", "img[src='x']", ".katex", "script"):
        assert element.locator(selector).count() == 0, selector


def test_hostile_file_name_is_drawn_as_text(app) -> None:
    dialogs: list[str] = []
    app.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    upload(app, NAME, gradient_png(35, 24))
    caption = app.get_by_test_id("stMain").get_by_test_id("stImageCaption")
    expect(caption).to_contain_text(NAME)
    assert_nothing_interpreted(caption)

    upload(app, NAME, b"<html><body>not an image</body></html>")
    alert = app.get_by_test_id("stAlertContentError")
    expect(alert).to_have_count(1)
    expect(alert).to_contain_text(NAME)
    expect(alert).to_contain_text("looks like an HTML page")
    assert_nothing_interpreted(alert)
    assert app.get_by_test_id("stException").count() == 0
    assert dialogs == []
