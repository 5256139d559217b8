"""A palette shaped in Chromium: pin a colour, bring PICO-8, inspect and edit an entry,
and download what the tiles show."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sklearn.datasets import load_sample_image

import quant
from e2e_support import go_to_page, wait_for_app_run, wait_for_images

pytestmark = pytest.mark.e2e

PIN = "#d03030"


def _download_png(app, key: str) -> tuple[Image.Image, str]:
    button = app.locator(f".st-key-{key} button").first
    button.wait_for()
    with app.expect_download() as download:
        button.click()
    data = Path(download.value.path()).read_bytes()
    return Image.open(io.BytesIO(data)), download.value.suggested_filename


def _used_colors(png: Image.Image) -> set[str]:
    rgb = np.asarray(png.convert("RGB")).reshape(-1, 3)
    return set(quant.palette_hex(np.unique(rgb, axis=0)))


def test_pin_bring_inspect_edit_download(app) -> None:
    from playwright.sync_api import expect

    go_to_page(app, "Reconstructions")
    wait_for_app_run(app)
    main = app.get_by_test_id("stMain")

    # Pin a colour by typing it.
    app.get_by_test_id("stExpander").filter(has_text="Pinned colours").locator("summary").click()
    field = app.locator(".st-key-pin_hex input")
    field.fill(PIN)
    field.press("Enter")
    wait_for_app_run(app)
    expect(main).to_contain_text("16 colours · k-means in RGB · 1 pinned")
    expect(app.locator(".st-key-pin_row_d03030")).to_be_visible()

    # Bring PICO-8: its tile comes first.
    app.locator(".st-key-palette").get_by_role("combobox").click()
    app.get_by_role("option", name="PICO-8 (16 colours)", exact=True).click()
    wait_for_app_run(app)
    wait_for_images(app)
    expect(main).to_contain_text("PICO-8 (16 colours)")

    # The pinned colour is in the 16-colour tile's PNG, exactly.
    png, name = _download_png(app, "recon_1_png")
    assert name == "china-16-kmeans.png"
    assert png.mode == "P"
    palette = np.asarray(png.getpalette()[: 3 * len(png.getcolors())], dtype=np.uint8).reshape(-1, 3)
    assert PIN in quant.palette_hex(palette)

    # Inspect PICO-8's largest entry, then give it another colour.
    expect(app.locator(".st-key-entry_tile").get_by_role("combobox")).to_have_value(re.compile("^PICO-8"))
    expect(main).to_contain_text("% of the pixels")
    expect(main).to_contain_text("Nearest other entry")
    app.locator(".st-key-entry_color [aria-haspopup='dialog']").click()
    picker = app.get_by_test_id("stColorPickerPopover").locator("input")
    picker.fill("#00ff00")
    picker.press("Enter")
    app.keyboard.press("Escape")
    wait_for_app_run(app)
    wait_for_images(app)
    expect(main).to_contain_text("1 edited")

    # The download follows the edit: PICO-8's colours with the edited one replaced.
    png, name = _download_png(app, "recon_0_png")
    assert name == "china-16-palette-edited.png"
    used = _used_colors(png)
    allowed = set(quant.palette_hex(quant.PALETTES["pico-8"])) | {"#00ff00"}
    assert "#00ff00" in used and used <= allowed
    # Every pixel that took the edited entry is now green: as many as PICO-8's largest share.
    mapped = quant.map_to_palette(load_sample_image("china.jpg"), quant.PALETTES["pico-8"])
    green = np.all(np.asarray(png.convert("RGB")) == (0, 255, 0), axis=-1).sum()
    assert green == mapped.counts.max()
