"""An RGBA upload in Chromium: the page says how much is transparent, shows the picture
over a checkerboard, and the downloaded indexed PNG keeps the alpha."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from bench.images_alpha import cutout_rgba
from e2e_support import go_to_page, wait_for_app_run, wait_for_images
from test_browser import upload

pytestmark = pytest.mark.e2e


def test_an_rgba_upload_keeps_its_alpha_to_the_download(app) -> None:
    from playwright.sync_api import expect

    original = cutout_rgba((240, 160))
    buffer = io.BytesIO()
    Image.fromarray(original).save(buffer, format="PNG")
    upload(app, "cut-out.png", buffer.getvalue())
    main = app.get_by_test_id("stMain")
    alpha = original[..., 3]
    expect(main).to_contain_text("Transparent")
    expect(main).to_contain_text(f"{100 * (alpha == 0).mean():.1f}%")
    expect(main).to_contain_text("all (32-bit)")

    go_to_page(app, "Reconstructions")
    wait_for_app_run(app)
    wait_for_images(app)
    expect(main).to_contain_text("This picture has transparency")
    # The original's tile: a fully transparent corner is drawn as the checkerboard's grey or white.
    tile = app.locator(".st-key-recon_original img").first
    corner = Image.open(io.BytesIO(tile.screenshot())).convert("RGB").getpixel((2, 2))
    assert all(value >= 200 for value in corner) and len(set(corner)) == 1, corner

    button = app.locator(".st-key-recon_0_png button").first
    button.wait_for()
    with app.expect_download() as download:
        button.click()
    assert download.value.suggested_filename == "cut-out-16-kmeans.png"
    png = Image.open(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert png.mode == "P" and "transparency" in png.info
    kept = np.asarray(png.convert("RGBA"))[..., 3]
    assert (kept[alpha == 0] == 0).all(), "a transparent pixel became visible"
    assert (kept[alpha == 255] == 255).all(), "an opaque pixel became see-through"
    assert ((kept > 0) & (kept < 255)).any(), "the soft edge lost its partial alpha"
