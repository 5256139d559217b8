"""Transparency in the dashboard: the logo sample and RGBA uploads keep their alpha on
every page, in the pictures (over a checkerboard), the facts, the cloud and the files."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

import quant
from bench.images_alpha import cutout_rgba
from ui.compute import cached, cached_compare, cached_inspect
from ui.figures import pictures
from ui.frame import samples, state
from ui.frame.state import Settings

TIMEOUT_S = 120
RECONSTRUCTIONS = "pages/reconstructions.py"
COLOUR_SPACE = "pages/colour_space.py"
SETTINGS = Settings(method="kmeans", space="rgb", dither=0.0, seed=0, dither_kind="diffusion", pins=(), palette=(), palette_name="")


@pytest.fixture(autouse=True)
def small_compare_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cached_compare, "WORK_PIXELS", 20_000)


def png_of(image: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return buffer.getvalue()


def decoded(png: bytes) -> np.ndarray:
    return np.array(Image.open(io.BytesIO(png)).convert("RGBA"))


def assert_clean(app: AppTest) -> None:
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]


def start(page: str | None = None, **values: object) -> AppTest:
    app = AppTest.from_file("../app.py", default_timeout=TIMEOUT_S)
    app.session_state[state.RECON_SIZES] = [8, 16]
    app.session_state[state.RECON_RANDOM] = False
    for key, value in values.items():
        app.session_state[key] = value
    app.run()
    return app.switch_page(page).run() if page else app


def upload(app: AppTest, name: str, content: bytes) -> AppTest:
    app.file_uploader(key=state.UPLOAD).set_value((name, content, "image/png"))
    return app.run()


# --- the door: facts, pictures and files of an RGBA upload ---------------------------


def test_an_rgba_upload_keeps_its_alpha_in_facts_pictures_and_the_png() -> None:
    image = cutout_rgba((120, 80))
    ref = cached.upload_ref("cut-out.png", png_of(image))
    assert cached.pixels(ref).shape == (80, 120, 4)

    facts = cached.facts(ref)
    alpha = image[..., 3]
    assert facts.has_alpha
    assert facts.n_transparent == int((alpha == 0).sum()) > 0
    assert facts.n_partial == int(((alpha > 0) & (alpha < 255)).sum()) > 0
    assert facts.n_colors == quant.count_colors(image)
    assert facts.raw_bytes == 120 * 80 * 4
    assert cached.visible_pixels(ref).shape == (1, facts.n_visible, 3)

    # The screen shows it over the checkerboard: a fully transparent corner is one of its greys.
    shown = np.array(Image.open(io.BytesIO(cached.original_picture(ref).png)))
    assert shown.shape == (80, 120, 3)
    assert tuple(shown[0, 0]) in {(255, 255, 255), (214, 214, 214)}
    assert tuple(shown[0, 0]) != tuple(shown[0, pictures.CHECKER_SIZE])

    tile = cached.reconstruction(ref, 16, SETTINGS)
    assert tile.alpha.shape == (tile.k,) and (tile.alpha == 0).sum() == 1
    png = decoded(cached.indexed_png(ref, 16, SETTINGS))
    assert (png[..., 3][alpha == 0] == 0).all(), "a transparent pixel became visible"
    assert (png[..., 3][alpha == 255] == 255).all(), "an opaque pixel became see-through"
    # The store's copy is the engine's result, bit for bit.
    engine = quant.indexed_png(quant.quantize(image, 16, seed=0))
    assert np.array_equal(png, decoded(engine))

    region = cached_inspect.detail(ref, 16, SETTINGS, top=0, left=0, size=40)
    assert region.original.shape == region.reconstruction.shape == (40, 40, 4)


def test_a_fully_transparent_upload_has_one_entry_and_no_cloud() -> None:
    clear = np.zeros((30, 40, 4), dtype=np.uint8)
    clear[..., 0] = 200  # a colour hidden under alpha 0
    ref = cached.upload_ref("clear.png", png_of(clear))
    facts = cached.facts(ref)
    assert (facts.n_colors, facts.n_transparent, facts.n_visible) == (1, 1200, 0)
    assert decoded(cached.indexed_png(ref, 4, SETTINGS))[..., 3].max() == 0
    with pytest.raises(quant.ImageError, match="fully transparent"):
        cached.color_sample(ref)


# --- the pages ----------------------------------------------------------------------


def test_the_logo_sample_says_how_much_is_transparent() -> None:
    logo = samples.load_sample("logo")
    alpha = logo[..., 3]
    app = start(**{state.SOURCE: "logo"})
    assert_clean(app)
    shown = {m.label: m.value for m in app.metric}
    assert shown["Transparent"] == f"{100 * (alpha == 0).mean():.1f}%"
    assert shown["Partly transparent"] == f"{100 * ((alpha > 0) & (alpha < 255)).mean():.1f}%"
    assert shown["Distinct colours"] == f"{quant.count_colors(logo):,}"
    table = app.dataframe[0].value
    assert table["Colours"][0] == "all (32-bit)" and table["Bits per pixel"][0] == 32


def test_reconstructions_of_the_logo_keep_and_show_the_alpha() -> None:
    app = start(RECONSTRUCTIONS, **{state.SOURCE: "logo"})
    assert_clean(app)
    assert any("has transparency" in c.value for c in app.caption)
    assert any("as 32-bit RGBA" in c.value for c in app.caption)
    strips = [e.value for e in app.get("html") if "palette-strip" in e.value]
    assert len(strips) >= 2 and all("(transparent)" in strip for strip in strips)


def test_colour_space_leaves_transparent_pixels_out_and_says_so() -> None:
    logo = samples.load_sample("logo")
    app = start(COLOUR_SPACE, **{state.SOURCE: "logo"})
    assert_clean(app)
    n_transparent = int((logo[..., 3] == 0).sum())
    assert any(f"{n_transparent:,} fully transparent pixels" in c.value for c in app.caption)


def test_every_page_draws_an_rgba_upload_and_a_fully_transparent_one_is_explained() -> None:
    app = start()
    upload(app, "cut-out.png", png_of(cutout_rgba((90, 60))))
    assert_clean(app)
    assert "Transparent" in {m.label for m in app.metric}
    for page in (RECONSTRUCTIONS, COLOUR_SPACE, "pages/compare.py"):
        app.switch_page(page).run()
        assert_clean(app)

    upload(app, "clear.png", png_of(np.zeros((20, 30, 4), dtype=np.uint8)))
    app.switch_page(COLOUR_SPACE).run()
    assert not app.exception
    assert any("fully transparent" in e.value for e in app.error)


def test_an_rgb_upload_shows_no_transparency() -> None:
    app = start()
    upload(app, "flat.png", png_of(cutout_rgba((60, 40))[..., :3].copy()))
    assert_clean(app)
    assert "Transparent" not in {m.label for m in app.metric}
    assert app.dataframe[0].value["Colours"][0] == "all (24-bit)"


def test_the_inspector_says_an_entry_is_see_through_and_edits_keep_the_alpha() -> None:
    app = start(RECONSTRUCTIONS, **{state.SOURCE: "logo"})
    tile = cached.reconstruction(cached.sample_ref("logo"), 8, SETTINGS)
    clear = int(np.flatnonzero(tile.alpha == 0)[0])
    app.selectbox(key=state.ENTRY_CHOICE).set_value(clear).run()
    assert_clean(app)
    assert any("Fully transparent" in m.value for m in app.markdown)
    assert app.color_picker(key=state.ENTRY_COLOR).proto.disabled

    partial = int(np.flatnonzero((tile.alpha > 0) & (tile.alpha < 255))[0])
    app.selectbox(key=state.ENTRY_CHOICE).set_value(partial).run()
    assert any(f"alpha {int(tile.alpha[partial])}" in m.value for m in app.markdown)
    assert not app.color_picker(key=state.ENTRY_COLOR).proto.disabled
    app.color_picker(key=state.ENTRY_COLOR).set_value("#00ff00").run()
    assert_clean(app)
    strip = next(e.value for e in app.get("html") if "palette-strip" in e.value)
    assert "rgba(0,255,0," in strip  # the edited entry keeps its alpha over the checkerboard
