"""Reconstructions in Chromium: the 1:1 detail shows full-size pixels, and the PNG
download made after the grid is the exact full-size reconstruction."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sklearn.datasets import load_sample_image

import quant
from e2e_support import go_to_page, wait_for_app_run, wait_for_images

pytestmark = pytest.mark.e2e


def _picture(app, key: str) -> np.ndarray:
    """The picture shown in a keyed container, fetched from the address the browser loaded."""
    image = app.locator(f".st-key-{key} [data-testid='stImage'] img").first
    address = image.evaluate("img => img.currentSrc")
    body = app.request.get(address).body()
    return np.asarray(Image.open(io.BytesIO(body)).convert("RGB"))


def test_detail_shows_the_full_size_pixels(app) -> None:
    from playwright.sync_api import expect

    go_to_page(app, "Reconstructions")
    wait_for_app_run(app)
    wait_for_images(app)
    original = _picture(app, "recon_detail_original")
    reconstruction = _picture(app, "recon_detail_result")
    image = load_sample_image("china.jpg")
    full = quant.quantize(image, 16).image
    # The default region: centred, 320 x 320, at 1:1.
    top, left = round(0.5 * 426) - 160, round(0.5 * 639) - 160
    np.testing.assert_array_equal(original, image[top : top + 320, left : left + 320])
    np.testing.assert_array_equal(reconstruction, full[top : top + 320, left : left + 320])
    shown = app.locator(".st-key-recon_detail_result [data-testid='stImage'] img").first.bounding_box()
    assert shown is not None and round(shown["width"]) == 320

    # 2:1: a 160 x 160 region, each pixel a 2 x 2 block.
    app.locator(".st-key-recon_detail_zoom button").filter(has_text="2:1").click()
    wait_for_app_run(app)
    wait_for_images(app)
    expect(app.get_by_test_id("stMain")).to_contain_text("16 colours · k-means in RGB · 2:1")
    magnified = _picture(app, "recon_detail_result")
    top, left = round(0.5 * 426) - 80, round(0.5 * 639) - 80
    np.testing.assert_array_equal(magnified[::2, ::2], full[top : top + 160, left : left + 160])
    np.testing.assert_array_equal(magnified[1::2, 1::2], full[top : top + 160, left : left + 160])


def test_png_download_is_the_full_size_reconstruction(app) -> None:
    go_to_page(app, "Reconstructions")
    wait_for_app_run(app)
    button = app.locator(".st-key-recon_1_png button").first
    with app.expect_download() as download:
        button.click()
    data = Path(download.value.path()).read_bytes()
    decoded = Image.open(io.BytesIO(data))
    assert decoded.mode == "P"
    expected = quant.quantize(load_sample_image("china.jpg"), 32)
    np.testing.assert_array_equal(np.asarray(decoded.convert("RGB")), expected.image)
    assert download.value.suggested_filename == "china-32-kmeans.png"


def test_before_after_view_lays_the_original_over_the_reconstruction(app) -> None:
    go_to_page(app, "Reconstructions")
    wait_for_app_run(app)
    app.locator(".st-key-recon_detail_view button").filter(has_text="Before / after").click()
    wait_for_app_run(app)
    root = app.locator("#recon-before-after-0-1")
    root.wait_for()
    assert app.locator(".st-key-recon_detail_original").count() == 0  # one picture, not two side by side
    # The two layers are the same full-size regions the side-by-side view shows.
    image = load_sample_image("china.jpg")
    top, left = round(0.5 * 426) - 160, round(0.5 * 639) - 160
    layers = {}
    # The original is the layer the handle clips (.ba-before); both say what they show.
    for name, layer in (("original", root.locator("img.ba-before")), ("result", root.locator("img:not(.ba-before)"))):
        source = layer.get_attribute("src")
        assert source.startswith("data:image/png;base64,")
        layers[name] = np.asarray(Image.open(io.BytesIO(base64.b64decode(source.split(",", 1)[1]))).convert("RGB"))
    assert root.locator("img.ba-before").get_attribute("alt").startswith("The original china.jpg, pixels 160–479 across")
    assert "rebuilt from 16 k-means colours" in root.locator("img:not(.ba-before)").get_attribute("alt")
    np.testing.assert_array_equal(layers["original"], image[top : top + 320, left : left + 320])
    full = quant.quantize(image, 16).image
    np.testing.assert_array_equal(layers["result"], full[top : top + 320, left : left + 320])
    # The handle moves in the browser, without a rerun: the range, then a click on the picture.
    before = root.locator(".ba-before")
    assert before.evaluate("e => e.style.clipPath") == "inset(0px 50% 0px 0px)"
    root.locator(".ba-range").fill("20")
    assert before.evaluate("e => e.style.clipPath") == "inset(0px 80% 0px 0px)"
    box = root.locator(".ba-frame").bounding_box()
    app.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + box["height"] / 2)
    assert before.evaluate("e => e.style.clipPath") == "inset(0px 25% 0px 0px)"
    assert app.get_by_test_id("stException").count() == 0
