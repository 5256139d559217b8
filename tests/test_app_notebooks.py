"""AppTest: every page offers its view as a notebook, and shows the code of it."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from bench.images_alpha import cutout_rgba
from ui.compute import cached_compare
from ui.frame import state

TIMEOUT_S = 120
PAGES = {
    "pages/image.py": "count_colors",
    "pages/colour_space.py": "sample_colors",
    "pages/kmeans_steps.py": "kmeans_steps",
    "pages/reconstructions.py": "quant.quantize(",
    "pages/compare.py": "quant.downscale(image, WORK_PIXELS)",
}
"""Page -> a call its notebook's central code makes."""


@pytest.fixture(autouse=True)
def small_compare_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cached_compare, "WORK_PIXELS", 20_000)


def code_of(app: AppTest) -> str:
    """The code blocks of "Show the code" (not the sidebar's link)."""
    return "\n".join(block.value for block in app.code if not block.value.startswith(("http", "/")))


@pytest.mark.parametrize(("page", "call"), list(PAGES.items()))
def test_every_page_offers_its_notebook_and_code(page: str, call: str) -> None:
    app = AppTest.from_file("../app.py", default_timeout=TIMEOUT_S).run()
    app.switch_page(page).run()
    assert not app.exception, [e.value for e in app.exception]
    buttons = [b for b in app.get("download_button") if b.proto.id.endswith("notebook_download")]
    assert len(buttons) == 1 and buttons[0].proto.label == "Download as notebook"
    assert call in code_of(app)


def test_the_code_follows_the_settings() -> None:
    app = AppTest.from_file("../app.py", default_timeout=TIMEOUT_S)
    app.session_state[state.METHOD] = "octree"
    app.session_state[state.PINS] = ("#d03030",)
    app.session_state[state.RECON_SIZES] = [4, 8]
    app.run()
    app.switch_page("pages/reconstructions.py").run()
    assert not app.exception
    code = code_of(app)
    assert "METHOD = 'octree'" in code
    assert "SIZES = [4, 8]" in code
    assert "PINNED = ['#d03030']" in code


def test_the_logo_and_an_rgba_upload_show_code_that_keeps_the_alpha() -> None:
    app = AppTest.from_file("../app.py", default_timeout=TIMEOUT_S)
    app.session_state[state.SOURCE] = "logo"
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    code = code_of(app)
    # The dashboard's own generator draws the logo; scikit-learn has no logo to load.
    assert "def logo_rgba" in code and "image = logo_rgba(LOGO_SIZE)" in code
    assert "load_sample_image" not in code
    assert "visible_image = visible[None]" in code and "quant.storage(len(pixels), k, alpha=True)" in code

    buffer = io.BytesIO()
    Image.fromarray(cutout_rgba((60, 40))).save(buffer, format="PNG")
    app.file_uploader(key=state.UPLOAD).set_value(("cut-out.png", buffer.getvalue(), "image/png")).run()
    app.switch_page("pages/colour_space.py").run()
    assert not app.exception, [e.value for e in app.exception]
    code = code_of(app)
    assert "quant.load_image(io.BytesIO(UPLOADED_FILE), keep_alpha=True)" in code
    assert "quant.sample_colors(visible_image, CLOUD_SAMPLES, seed=0)" in code
