"""The sidebar's dithering toggle and strength slider, through Streamlit's AppTest."""

from __future__ import annotations

import pytest
from sklearn.datasets import load_sample_image
from streamlit.testing.v1 import AppTest

import quant
from ui.compute.store import STORE
from ui.frame import state

TIMEOUT_S = 120


@pytest.fixture(autouse=True)
def empty_store() -> None:
    STORE.clear()


def _tiles(app: AppTest) -> tuple[list[str], list[str]]:
    """The tiles' headings (markdown) and their error captions."""
    headings = [m.value for m in app.markdown if "colours**" in m.value]
    numbers = [c.value for c in app.caption if c.value.startswith("MSE ")]
    return headings, numbers


def test_strength_slider_appears_with_the_toggle_and_sets_the_strength() -> None:
    app = AppTest.from_file("../app.py", default_timeout=TIMEOUT_S)
    app.session_state[state.RECON_SIZES] = [16]
    app.session_state[state.RECON_RANDOM] = False
    app.run()
    app.switch_page("pages/reconstructions.py").run()
    assert not app.exception
    assert not [s for s in app.slider if s.key == state.DITHER_STRENGTH]
    headings, _ = _tiles(app)
    assert headings and "dithered" not in headings[0]

    app.toggle(key=state.DITHER).set_value(True).run()
    slider = app.slider(key=state.DITHER_STRENGTH)
    assert slider.value == 1.0 and slider.min == 0.05 and slider.max == 1.0
    headings, _ = _tiles(app)
    assert headings[0].endswith("dithered")

    slider.set_value(0.5).run()
    assert not app.exception
    headings, numbers = _tiles(app)
    assert headings[0].endswith("dithered at 0.5")
    image = load_sample_image("china.jpg")
    measured = quant.metrics(image, quant.quantize(image, 16, dither=0.5), ssim=False)
    assert numbers[0].startswith(f"MSE {measured.mse:.1f} · PSNR {measured.psnr:.1f} dB · ΔE {measured.delta_e:.2f}")
    full = quant.metrics(image, quant.quantize(image, 16, dither=True), ssim=False)
    assert not numbers[0].startswith(f"MSE {full.mse:.1f} · PSNR {full.psnr:.1f} dB · ΔE {full.delta_e:.2f}")

    # The strength is kept while dithering is off, and back when it is on again.
    app.toggle(key=state.DITHER).set_value(False).run()
    assert not [s for s in app.slider if s.key == state.DITHER_STRENGTH]
    assert app.session_state[state.DITHER_STRENGTH] == 0.5
    headings, _ = _tiles(app)
    assert "dithered" not in headings[0]
    app.switch_page("pages/image.py").run()
    app.toggle(key=state.DITHER).set_value(True).run()
    assert app.slider(key=state.DITHER_STRENGTH).value == 0.5


def test_the_pattern_control_switches_the_tiles_to_ordered_dithering() -> None:
    app = AppTest.from_file("../app.py", default_timeout=TIMEOUT_S)
    app.session_state[state.RECON_SIZES] = [16]
    app.session_state[state.RECON_RANDOM] = False
    app.run()
    app.switch_page("pages/reconstructions.py").run()
    assert not [r for r in app.radio if r.key == state.DITHER_KIND]  # only with dithering on
    app.toggle(key=state.DITHER).set_value(True).run()
    pattern = app.radio(key=state.DITHER_KIND)
    assert pattern.value == "diffusion"
    pattern.set_value("ordered").run()
    assert not app.exception and not app.error
    headings, numbers = _tiles(app)
    assert headings[0].endswith("ordered dither")
    image = load_sample_image("china.jpg")
    measured = quant.metrics(image, quant.quantize(image, 16, dither=True, dither_kind="ordered"), ssim=False)
    assert numbers[0].startswith(f"MSE {measured.mse:.1f} · PSNR {measured.psnr:.1f} dB · ΔE {measured.delta_e:.2f}")
    # Compare names it too (tests/test_links.py checks the link carries it).
    app.switch_page("pages/compare.py").run()
    assert not app.exception
    assert any("ordered dither" in c.value for c in app.caption)
    # Dithering off: the hidden pattern does not change the undithered tiles' key.
    app.switch_page("pages/reconstructions.py").run()
    app.toggle(key=state.DITHER).set_value(False).run()
    headings, _ = _tiles(app)
    assert "dither" not in headings[0]
