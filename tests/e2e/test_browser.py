"""Real-browser flows: every page draws, the 3D chart and the reconstructions render,
an upload replaces the sample, and a broken upload is refused politely.

Widgets are found by their stable keys (``.st-key-<key>``) and Streamlit's
``data-testid`` attributes, never by layout.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from e2e_support import (
    PAGE_TITLES,
    full_page_screenshot,
    go_to_page,
    page_slug,
    wait_for_app_run,
    wait_for_images,
)

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip, or under CI fail, before any test uses it
    expect = None

pytestmark = pytest.mark.e2e

UPLOAD_SIZE_TEXT = re.compile(r"300\s*×\s*200")


def assert_no_exception(page) -> None:
    exceptions = page.get_by_test_id("stException")
    if exceptions.count():
        details = "\n---\n".join(exceptions.all_inner_texts())
        pytest.fail(f"the app shows an exception:\n{details}", pytrace=False)


def assert_no_error(page) -> None:
    """Neither an exception nor an error box: app.py turns a failing page into st.error."""
    assert_no_exception(page)
    errors = page.get_by_test_id("stAlertContentError")
    if errors.count():
        details = "\n---\n".join(errors.all_inner_texts())
        pytest.fail(f"the app shows an error:\n{details}", pytrace=False)


def wait_for_images_loaded(images, *, timeout_ms: int = 30_000) -> None:
    """Wait until every <img> matched by `images` has decoded (naturalWidth > 0)."""
    count = images.count()
    assert count > 0, "no <img> element found"
    for index in range(count):
        handle = images.nth(index).element_handle()
        images.page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=handle, timeout=timeout_ms
        )


def gradient_png(width: int = 300, height: int = 200) -> bytes:
    """A small RGB gradient with many distinct colours, as PNG bytes."""
    x = np.linspace(0, 255, width, dtype=np.uint8)
    y = np.linspace(0, 255, height, dtype=np.uint8)
    pixels = np.empty((height, width, 3), dtype=np.uint8)
    pixels[..., 0] = x[np.newaxis, :]
    pixels[..., 1] = y[:, np.newaxis]
    pixels[..., 2] = 255 - x[np.newaxis, :] // 2
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def choose_upload_source(page) -> None:
    """Select the source option labelled '…Upload…', whatever widget offers it."""
    uploader = page.locator(".st-key-upload input[type=file]")
    if uploader.count():
        return
    source = page.locator(".st-key-source")
    expect(source).to_have_count(1)
    label = re.compile("upload", re.IGNORECASE)
    if source.get_by_test_id("stRadio").count():
        source.locator("label").filter(has_text=label).first.click()
    elif source.get_by_test_id("stSelectbox").count():
        source.get_by_role("combobox").click()
        page.get_by_role("option").filter(has_text=label).first.click()
    else:  # st.segmented_control / st.pills / buttons
        source.get_by_role("button").filter(has_text=label).first.click()
    wait_for_app_run(page)
    expect(uploader).to_have_count(1)


def upload(page, name: str, content: bytes, mime_type: str = "image/png") -> None:
    choose_upload_source(page)
    page.locator(".st-key-upload input[type=file]").set_input_files(
        files=[{"name": name, "mimeType": mime_type, "buffer": content}]
    )
    expect(page.locator(".st-key-upload")).to_contain_text(name)
    wait_for_app_run(page)


def test_every_page_renders_without_exception(app, screenshot_dir: Path) -> None:
    nav = app.get_by_test_id("stSidebarNav")
    expect(nav).to_be_visible()
    for title in PAGE_TITLES:
        go_to_page(app, title)
        expect(app.get_by_test_id("stMain")).to_be_visible()
        assert_no_error(app)
        wait_for_images(app)
        full_page_screenshot(app, screenshot_dir / f"{page_slug(title)}.png")


def test_colour_space_chart_is_drawn(app) -> None:
    go_to_page(app, "Colour space")
    chart = app.get_by_test_id("stPlotlyChart").first
    expect(chart).to_be_visible()
    plot = chart.locator(".js-plotly-plot")
    expect(plot).to_be_visible()
    # Plotly draws 3D scenes on a WebGL canvas and 2D ones in SVG; either must have a size.
    drawn = plot.locator("canvas, svg.main-svg").first
    expect(drawn).to_be_visible()
    box = drawn.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 100, box
    expect(plot).not_to_contain_text("WebGL is not supported")
    assert_no_error(app)


def test_four_reconstructions_load(app) -> None:
    go_to_page(app, "Reconstructions")
    for index in range(4):
        container = app.locator(f".st-key-recon_{index}")
        expect(container).to_have_count(1)
        image = container.get_by_test_id("stImage").locator("img")
        expect(image.first).to_be_visible()
        wait_for_images_loaded(image)
    assert_no_error(app)


def test_upload_replaces_the_image(app, screenshot_dir: Path) -> None:
    upload(app, "gradient.png", gradient_png(300, 200))
    go_to_page(app, "Image")
    expect(app.get_by_test_id("stMain")).to_contain_text(UPLOAD_SIZE_TEXT)
    wait_for_images_loaded(app.get_by_test_id("stMain").get_by_test_id("stImage").locator("img"))
    assert_no_error(app)
    full_page_screenshot(app, screenshot_dir / "image-uploaded.png")


def test_junk_upload_shows_an_error_and_keeps_the_image(app, screenshot_dir: Path) -> None:
    upload(app, "gradient.png", gradient_png(300, 200))
    go_to_page(app, "Image")
    main = app.get_by_test_id("stMain")
    expect(main).to_contain_text(UPLOAD_SIZE_TEXT)

    upload(app, "junk.png", b"this is plain text, not a PNG\n" * 20)
    error = app.locator("[data-testid='stAlertContainer'][role='alert']")
    expect(error.first).to_be_visible()
    expect(error.first).to_contain_text(re.compile(r"\w{3,}"))
    assert_no_exception(app)
    full_page_screenshot(app, screenshot_dir / "image-junk-upload.png")

    # The last good image is still what the pages work on.
    go_to_page(app, "Image")
    expect(main).to_contain_text(UPLOAD_SIZE_TEXT)
    wait_for_images_loaded(main.get_by_test_id("stImage").locator("img"))
    assert_no_exception(app)
