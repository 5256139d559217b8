"""In Chromium: the notebook a page offers downloads, validates, and holds its settings."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from e2e_support import go_to_page, wait_for_app_run

pytestmark = pytest.mark.e2e


def test_download_as_notebook(app) -> None:
    go_to_page(app, "Compare")
    wait_for_app_run(app)
    button = app.locator(".st-key-notebook_download button").first
    with app.expect_download() as download:
        button.click()
    assert download.value.suggested_filename == "china-compare.ipynb"
    notebook = nbformat.reads(Path(download.value.path()).read_text(encoding="utf-8"), as_version=4)
    nbformat.validate(notebook)
    assert all(cell.get("outputs", []) == [] for cell in notebook.cells)
    source = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    assert "quant.downscale(image, WORK_PIXELS)" in source
