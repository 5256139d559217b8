"""Links that restore a view (ui/frame/links.py): the table's parsers and serializers, and
AppTest flows: a URL restores the view, a change updates the URL, junk is ignored."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from ui.compute import cached_compare
from ui.frame import links, state

TIMEOUT_S = 60
JUNK = {
    "k": "99999",
    "sizes": "abc",
    "method": "<b>x</b>",
    "image": "../../etc/passwd",
    "space": "[click](javascript:alert(1))",
    "seed": "-1",
    "dither": "yes",
    "evil": "<script>alert(1)</script>",
}


@pytest.fixture(autouse=True)
def small_compare_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cached_compare, "WORK_PIXELS", 20_000)


def open_link(page: str, params: dict[str, str]) -> AppTest:
    """A new session that opens ``/<page>?<params>``."""
    app = AppTest.from_file("../app.py", default_timeout=TIMEOUT_S)
    app.query_params.update(params)
    app.switch_page(f"pages/{page}.py")
    return app.run()


# --- the table -------------------------------------------------------------------------


def test_every_row_names_a_state_key_with_a_default_and_parameters_are_unique() -> None:
    names = [link.parameter for link in links.LINKS]
    assert len(names) == len(set(names))
    for link in links.LINKS:
        assert link.key in state.DEFAULTS


@pytest.mark.parametrize("link", links.LINKS, ids=lambda link: link.parameter)
def test_every_default_survives_serialize_then_parse(link: links.Link) -> None:
    default = state.DEFAULTS[link.key]
    if default is None:  # "not set": never written to a URL
        assert link.parameter not in links.parameters({link.key: None}, None)
        return
    assert link.parse(link.serialize(default)) == default


@pytest.mark.parametrize(
    ("parameter", "text", "value"),
    [
        ("image", "sky", "sky"),
        ("method", "median-cut", "median-cut"),
        ("space", "lab", "lab"),
        ("dither", "1", True),
        ("dither", "0", False),
        ("seed", "2147483647", 2**31 - 1),
        ("k", "2", 2),
        ("k", "128", 128),
        ("sizes", "4,8,256", [4, 8, 256]),
        ("sizes", "", []),
        ("strength", "0.35", 0.35),
        ("pattern", "ordered", "ordered"),
        ("pattern", "diffusion", "diffusion"),
        ("target", "2.3", 2.3),
        ("target", "20", 20.0),
        ("steps_k", "64", 64),
        ("start", "k-means++", "k-means++"),
        ("steps_seed", "12", 12),
        ("pin", "ff0000", ("#ff0000",)),
        ("pin", "FF0000,0000ff", ("#ff0000", "#0000ff")),
        ("palette", "pico-8", "pico-8"),
        ("palette", "game-boy", "game-boy"),
    ],
)
def test_good_text_parses(parameter: str, text: str, value: object) -> None:
    (link,) = [link for link in links.LINKS if link.parameter == parameter]
    assert link.parse(text) == value


@pytest.mark.parametrize(
    ("parameter", "text"),
    [
        ("image", "../../etc/passwd"),
        ("image", "upload"),  # an upload cannot be named by a link
        ("method", "random"),  # not a sidebar method
        ("method", "<b>x</b>"),
        ("space", "RGB"),
        ("dither", "true"),
        ("seed", "-1"),
        ("seed", "2147483648"),
        ("seed", " 7"),
        ("seed", "1_000"),
        ("seed", "٧"),
        ("seed", "9" * 5000),
        ("k", "99999"),
        ("k", "1"),
        ("k", "5.0"),
        ("sizes", "abc"),
        ("sizes", "4,,8"),
        ("sizes", "4,4"),
        ("sizes", "1,2"),
        ("sizes", ",".join(str(n) for n in range(2, 11))),  # nine
        ("strength", "0.33"),
        ("pattern", "bayer"),
        ("pattern", "Ordered"),
        ("strength", "0"),
        ("strength", "1e0"),
        ("target", "0.4"),
        ("target", "nan"),
        ("target", "inf"),
        ("target", "2.345"),
        ("steps_k", "65"),
        ("start", "k-means"),
        ("pin", "zz1122"),
        ("pin", "#ff0000"),  # a link writes no '#', which would end the query string
        ("pin", "f00"),
        ("pin", "ff0000,ff0000"),
        ("pin", "ff0000,"),
        ("pin", ",".join(f"{n:06x}" for n in range(17))),  # more than MAX_PINS
        ("palette", "file"),  # an uploaded palette cannot travel in a link
        ("palette", "PICO-8"),
        ("palette", "../pico-8"),
    ],
)
def test_bad_text_is_refused(parameter: str, text: str) -> None:
    (link,) = [link for link in links.LINKS if link.parameter == parameter]
    with pytest.raises(ValueError):
        link.parse(text)


def test_parameters_hold_only_what_differs_from_the_defaults_and_applies_to_the_page() -> None:
    values = dict(state.DEFAULTS)
    assert links.parameters(values, "image") == {}
    values.update({state.METHOD: "octree", state.CLOUD_K: 5, state.RECON_SIZES: [4, 8]})
    assert links.parameters(values, "image") == {"method": "octree"}
    assert links.parameters(values, "colour_space") == {"method": "octree", "k": "5"}
    assert links.parameters(values, "reconstructions") == {"method": "octree", "sizes": "4,8"}
    values[state.SOURCE] = state.UPLOAD_SOURCE
    assert "image" not in links.parameters(values, "image")


# --- AppTest flows -------------------------------------------------------------------------


def test_a_link_restores_sample_method_space_seed_and_sizes() -> None:
    app = open_link(
        "reconstructions",
        {"image": "sky", "method": "median-cut", "space": "lab", "dither": "1", "pattern": "ordered", "seed": "7", "sizes": "4,8"},
    )
    assert not app.exception
    assert app.title[0].value == "Reconstructions"
    assert app.selectbox(key=state.SOURCE).value == "sky"
    assert app.selectbox(key=state.METHOD).value == "median-cut"
    assert app.radio(key=state.SPACE).value == "lab"
    assert app.toggle(key=state.DITHER).value is True
    assert app.radio(key=state.DITHER_KIND).value == "ordered"
    assert app.number_input(key=state.SEED).value == 7
    assert app.multiselect(key=state.RECON_SIZES).value == [4, 8]
    assert not app.warning
    # The tiles are those the link asked for.
    captions = "\n".join(m.value for m in app.markdown)
    assert "**4 colours**" in captions and "**8 colours**" in captions and "**16 colours**" not in captions
    assert "ordered dither" in captions
    assert app.query_params == {
        "image": "sky", "method": "median-cut", "space": "lab", "dither": "1", "pattern": "ordered", "seed": "7", "sizes": "4,8",
    }


def test_a_link_restores_k_on_colour_space() -> None:
    app = open_link("colour_space", {"k": "5", "image": "flower"})
    assert not app.exception
    assert app.slider(key=state.CLOUD_K).value == 5
    assert app.session_state[state.SOURCE] == "flower"


def test_changing_a_control_updates_the_url() -> None:
    app = open_link("colour_space", {})
    assert app.query_params == {}
    app.selectbox(key=state.METHOD).set_value("octree").run()
    assert app.query_params == {"method": "octree"}
    app.slider(key=state.CLOUD_K).set_value(9).run()
    assert app.query_params == {"method": "octree", "k": "9"}
    app.number_input(key=state.SEED).set_value(3).run()
    assert app.query_params == {"method": "octree", "seed": "3", "k": "9"}
    # Back to the default: the parameter leaves the URL.
    app.selectbox(key=state.METHOD).set_value("kmeans").run()
    assert app.query_params == {"seed": "3", "k": "9"}
    # Another page keeps the sidebar's parameters, not Colour space's k.
    app.switch_page("pages/reconstructions.py").run()
    assert app.query_params == {"seed": "3"}


def test_the_url_is_read_only_on_the_first_run() -> None:
    app = open_link("image", {"method": "octree"})
    app.selectbox(key=state.METHOD).set_value("minibatch").run()
    assert app.selectbox(key=state.METHOD).value == "minibatch"
    assert app.query_params == {"method": "minibatch"}


def test_junk_parameters_fall_back_to_defaults_with_a_notice_that_repeats_nothing() -> None:
    app = open_link("reconstructions", JUNK)
    assert not app.exception
    assert not app.error
    for key in (state.SOURCE, state.METHOD, state.SPACE, state.DITHER, state.SEED, state.CLOUD_K, state.RECON_SIZES):
        assert app.session_state[key] == state.DEFAULTS[key], key
    (notice,) = app.warning
    for name in ("k", "sizes", "method", "image", "space", "seed", "dither"):
        assert f"**{name}**" in notice.value
    assert "1 unknown parameter" in notice.value
    for text in ("passwd", "<b>", "<script", "javascript", "99999", "abc", "evil"):
        assert text not in notice.value
    # The junk leaves the address bar; the notice goes with the next run.
    assert app.query_params == {}
    app.selectbox(key=state.METHOD).set_value("octree").run()
    assert not app.warning


def test_the_link_element_is_offered_and_warns_about_uploads() -> None:
    app = open_link("compare", {"seed": "4"})
    codes = [c.value for c in app.code]
    assert any(code.endswith("/compare?seed=4") for code in codes), codes
    assert any("same image and settings" in c.value for c in app.sidebar.caption)
    app.session_state[state.SOURCE] = state.UPLOAD_SOURCE
    app.run()
    assert any("uploaded image cannot be shared" in c.value for c in app.sidebar.caption)


def test_a_link_restores_the_quality_target_and_the_step_page() -> None:
    app = open_link("reconstructions", {"image": "flower", "sizes": "8", "target": "4"})
    assert not app.exception
    assert app.number_input(key=state.QUALITY_TARGET).value == 4.0
    assert any(m.label == "Colours needed" for m in app.metric)
    assert app.query_params == {"image": "flower", "sizes": "8", "target": "4"}

    steps = open_link("kmeans_steps", {"steps_k": "5", "start": "uniform", "steps_seed": "3"})
    assert not steps.exception
    assert steps.slider(key=state.STEPS_K).value == 5
    assert steps.selectbox(key=state.STEPS_INIT).value == "uniform"
    assert steps.number_input(key=state.STEPS_SEED).value == 3


def test_a_link_restores_pins_and_a_preset_palette() -> None:
    app = open_link("reconstructions", {"pin": "ff0000,0000ff", "palette": "pico-8"})
    assert not app.exception and not app.error
    assert app.session_state[state.PINS] == ("#ff0000", "#0000ff")
    assert app.session_state[state.PALETTE] == "pico-8"
    assert app.query_params == {"palette": "pico-8", "pin": "ff0000,0000ff"}
    assert any("PICO-8" in m.value for m in app.markdown)


def test_a_bad_pin_keeps_the_default_with_the_notice() -> None:
    app = open_link("image", {"pin": "<b>zz</b>", "palette": "file"})
    assert not app.exception
    assert app.session_state[state.PINS] == ()
    assert app.session_state[state.PALETTE] == state.PALETTE_COMPUTED
    (notice,) = app.warning
    assert "**pin**" in notice.value and "**palette**" in notice.value
    assert "<b>" not in notice.value and "zz" not in notice.value
