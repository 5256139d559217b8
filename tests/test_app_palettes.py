"""AppTest flows of palettes a visitor shapes: pinned colours, a palette they bring (a
preset or a file), and inspecting and editing one entry on the Reconstructions page."""

from __future__ import annotations

import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import quant
from ui.compute import cached, cached_compare
from ui.frame import state

TIMEOUT_S = 120
RECONSTRUCTIONS = "pages/reconstructions.py"


@pytest.fixture(autouse=True)
def small_compare_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cached_compare, "WORK_PIXELS", 20_000)


def start(page: str = RECONSTRUCTIONS, **values: object) -> AppTest:
    app = AppTest.from_file("../app.py", default_timeout=TIMEOUT_S)
    app.session_state[state.SOURCE] = "china"
    app.session_state[state.RECON_SIZES] = [8, 16]
    app.session_state[state.RECON_RANDOM] = False
    for key, value in values.items():
        app.session_state[key] = value
    app.run()
    return app.switch_page(page).run()


def assert_clean(app: AppTest) -> None:
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]


def strips(app: AppTest) -> list[str]:
    return [element.value for element in app.get("html") if "palette-strip" in element.value]


def headings(app: AppTest) -> list[str]:
    return [m.value for m in app.markdown if m.value.startswith("**")]


def test_typed_pins_appear_exactly_in_every_computed_tile_and_are_marked() -> None:
    app = start()
    app.text_input(key=state.PIN_HEX).set_value("#d03030, 1a2b3c").run()
    assert_clean(app)
    assert app.session_state[state.PINS] == ("#d03030", "#1a2b3c")
    assert app.session_state[state.PIN_HEX] == ""
    assert [h for h in headings(app) if "colours**" in h] == [
        h for h in headings(app) if "2 pinned" in h and "colours**" in h
    ]
    tile_strips = strips(app)[:2]
    for strip in tile_strips:
        assert 'title="#d03030 (pinned)"' in strip and 'title="#1a2b3c (pinned)"' in strip
        assert strip.count("pin-mark") == 2
    # The engine keeps them exactly: the same fit the tiles are drawn from.
    fit = cached.fit(cached.sample_ref("china"), 8, "kmeans", state.Settings("kmeans", "rgb", 0.0, 0, pins=("#d03030", "#1a2b3c")))
    assert {"#d03030", "#1a2b3c"} <= set(quant.palette_hex(fit.palette[fit.pinned]))


def test_a_bad_pin_is_refused_with_the_reason_and_the_pins_stay() -> None:
    app = start(**{state.PINS: ("#102030",)})
    app.text_input(key=state.PIN_HEX).set_value("#ff0000, zz9").run()
    assert not app.exception
    (error,) = app.error
    assert "'zz9' is not a colour" in error.value
    assert app.session_state[state.PINS] == ("#102030",)


def test_pins_are_added_with_the_picker_and_removed_one_by_one() -> None:
    app = start()
    app.color_picker(key=state.PIN_PICKER).set_value("#00aa55").run()
    app.button(key="pin_add").click().run()
    app.color_picker(key=state.PIN_PICKER).set_value("#aa0055").run()
    app.button(key="pin_add").click().run()
    assert app.session_state[state.PINS] == ("#00aa55", "#aa0055")
    app.button(key="pin_remove_00aa55").click().run()
    assert_clean(app)
    assert app.session_state[state.PINS] == ("#aa0055",)
    assert all("1 pinned" in h for h in headings(app) if "colours**" in h)


def test_a_preset_palette_gets_its_own_tile_with_measures() -> None:
    app = start()
    app.selectbox(key=state.PALETTE).set_value("pico-8").run()
    assert_clean(app)
    brought = [h for h in headings(app) if "PICO-8" in h]
    assert brought and "your palette, mapped in RGB" in brought[0]
    captions = [c.value for c in app.caption if c.value.startswith("MSE")]
    assert len(captions) == 3  # PICO-8, 8 and 16 colours
    mse = float(re.match(r"MSE ([\d.]+)", captions[0]).group(1))
    image = cached.pixels(cached.sample_ref("china"))
    expected = quant.map_to_palette(image, quant.PALETTES["pico-8"]).mse
    assert mse == pytest.approx(expected, abs=0.05)
    # Its downloads are there: the PNG (made once the grid is drawn) and the palette files.
    assert len([b for b in app.get("download_button") if b.proto.id and "recon_0_" in b.proto.id]) >= 5


def test_a_palette_file_is_read_and_a_bad_one_keeps_the_previous() -> None:
    app = start()
    app.selectbox(key=state.PALETTE).set_value(state.PALETTE_FROM_FILE).run()
    gpl = quant.palette_gpl(np.array([[0, 0, 0], [255, 255, 255], [200, 40, 40]], np.uint8), "mine").encode()
    app.file_uploader(key=state.PALETTE_FILE).set_value(("mine.gpl", gpl, "text/plain")).run()
    assert_clean(app)
    assert app.session_state[state.BROUGHT_FILE] == ("mine.gpl", ("#000000", "#ffffff", "#c82828"))
    assert any("mine.gpl" in h for h in headings(app))
    app.file_uploader(key=state.PALETTE_FILE).set_value(("broken.ase", b"ASEF\x00\x01\x00\x00\x00\x00\x00\x09", "application/octet-stream")).run()
    assert not app.exception
    assert any("broken.ase" in e.value for e in app.error)
    assert app.session_state[state.BROUGHT_FILE][0] == "mine.gpl"  # the previous palette stays in use
    assert any("mine.gpl" in h for h in headings(app))


def test_inspect_then_edit_an_entry_then_refit_the_rest() -> None:
    app = start()
    assert_clean(app)
    app.selectbox(key=state.ENTRY_CHOICE).set_value(2).run()
    facts = next(m.value for m in app.markdown if "Nearest other entry" in m.value)
    assert "% of the pixels" in facts
    before = next(c.value for c in app.caption if c.value.startswith("MSE"))
    app.color_picker(key=state.ENTRY_COLOR).set_value("#00ff00").run()
    assert_clean(app)
    assert "1 edited" in headings(app)[1]
    after = next(c.value for c in app.caption if c.value.startswith("MSE"))
    assert after != before  # the measures follow the edit
    (strip,) = [s for s in strips(app)[:1]]
    assert 'title="#00ff00"' in strip
    app.button(key="entry_refit").click().run()
    assert_clean(app)
    assert "#00ff00" in app.session_state[state.PINS]
    assert app.session_state[state.ENTRY_EDITS] == {}
    assert "1 pinned" in headings(app)[1]


def test_an_unused_entry_says_so() -> None:
    # A pin far from every colour of the photo: kept, but no pixel takes it.
    app = start(**{state.PINS: ("#ff00ff",)})
    tile = cached.palette_view(cached.sample_ref("china"), 8, state.Settings("kmeans", "rgb", 0.0, 0, pins=("#ff00ff",)))
    unused = [i for i, count in enumerate(tile.counts) if count == 0]
    assert unused
    app.selectbox(key=state.ENTRY_CHOICE).set_value(unused[0]).run()
    assert any("Not used" in m.value for m in app.markdown)
