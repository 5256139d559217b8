"""The sidebar's palette controls: colours a visitor pins, and a palette they bring.

**Pinned colours** are kept exactly in every computed palette; the other entries are
fitted around them (``quant.fit_palette(..., fixed=...)``). They are added with a
colour picker or typed as hex codes, removed one by one, and travel in links
(``pin=ff0000,0000ff``). A palette of *k* colours holds the first *k* − 1 of them.

**Palette**: computed by the sidebar's method (the default), a published preset
(``quant.PALETTES``), or a palette file (``quant.read_palette``: GIMP, Adobe .ase,
JSON, CSV, a hex list, an indexed PNG or GIF). A brought palette is mapped onto the
picture as it is (``quant.map_fit``), beside the computed ones. A file that cannot be
read keeps the previous palette, with the reason shown.
"""

from __future__ import annotations

import html
import logging

import streamlit as st

import quant
from quant.palette_files import PALETTE_LABELS
from ui.frame import state, text

__all__ = ["PALETTE_FILE_TYPES", "palette_options", "render"]

logger = logging.getLogger(__name__)

PALETTE_FILE_TYPES = ("gpl", "ase", "json", "csv", "txt", "hex", "png", "gif")
"""File name extensions the palette uploader offers; ``quant.read_palette`` goes by
content, so these only guide the file chooser."""


def palette_options() -> list[str]:
    """The Palette choice's options: computed, every preset, a file."""
    return [state.PALETTE_COMPUTED, *quant.PALETTES, state.PALETTE_FROM_FILE]


def _palette_label(option: str) -> str:
    if option == state.PALETTE_COMPUTED:
        return "Computed by the method"
    if option == state.PALETTE_FROM_FILE:
        return "From a palette file…"
    return PALETTE_LABELS.get(option, option)


def _add_pins(colors: list[str]) -> None:
    """Append colours to the pins, skipping those already pinned, up to MAX_PINS."""
    pins = list(st.session_state[state.PINS])
    for color in colors:
        if color not in pins:
            pins.append(color)
    if len(pins) > state.MAX_PINS:
        st.session_state[state.PIN_ERROR] = (
            f"At most {state.MAX_PINS} colours can be pinned; the first {state.MAX_PINS} are kept."
        )
        pins = pins[: state.MAX_PINS]
    st.session_state[state.PINS] = tuple(pins)


def _pin_picked() -> None:
    """on_click of "Pin": the picker's colour joins the pins."""
    st.session_state[state.PIN_ERROR] = None
    _add_pins([str(st.session_state[state.PIN_PICKER]).lower()])


def _pin_typed() -> None:
    """on_change of the hex field: every colour typed joins the pins, or none does."""
    typed = str(st.session_state[state.PIN_HEX]).strip()
    st.session_state[state.PIN_ERROR] = None
    if not typed:
        return
    try:
        colors = quant.palette_hex(quant.parse_colors(typed))
    except quant.ImageError as err:
        st.session_state[state.PIN_ERROR] = str(err)
        return
    _add_pins(colors)
    st.session_state[state.PIN_HEX] = ""


def _unpin(color: str) -> None:
    st.session_state[state.PINS] = tuple(pin for pin in st.session_state[state.PINS] if pin != color)
    st.session_state[state.PIN_ERROR] = None


def _clear_pins() -> None:
    st.session_state[state.PINS] = ()
    st.session_state[state.PIN_ERROR] = None


def _take_palette_file() -> None:
    """on_change of the palette uploader: read the file, keep it, or say why not."""
    uploaded = st.session_state.get(state.PALETTE_FILE)
    if uploaded is None:
        return
    try:
        colors = quant.read_palette(uploaded.getvalue())
    except quant.ImageError as err:
        st.session_state[state.PALETTE_REJECTED] = f"{text.quote_name(uploaded.name)}: {text.literal(str(err))}"
        return
    except Exception:
        logger.exception("Unexpected failure reading the palette file %r", uploaded.name)
        st.session_state[state.PALETTE_REJECTED] = f"Sorry, {text.quote_name(uploaded.name)} could not be read as a palette."
        return
    st.session_state[state.BROUGHT_FILE] = (uploaded.name, tuple(quant.palette_hex(colors)))
    st.session_state[state.PALETTE_REJECTED] = None


def _swatch(color: str) -> str:
    return (
        f'<span title="{html.escape(color)}" style="display:inline-block;width:1.1em;height:1.1em;'
        f'vertical-align:-0.2em;border:1px solid #555;border-radius:2px;background:{html.escape(color)}"></span>'
    )


def _render_pins() -> None:
    pins: tuple[str, ...] = st.session_state[state.PINS]
    title = f"Pinned colours ({len(pins)})" if pins else "Pinned colours"
    with st.expander(title, icon=":material/push_pin:", expanded=bool(pins)):
        st.caption(
            "Kept exactly in every computed palette; the other colours are fitted around them. "
            "A palette of k colours holds the first k − 1."
        )
        with st.container(horizontal=True, vertical_alignment="bottom", gap="small"):
            st.color_picker("Colour to pin", key=state.PIN_PICKER)
            st.button(
                "Pin", key="pin_add", on_click=_pin_picked, icon=":material/push_pin:",
                disabled=len(pins) >= state.MAX_PINS,
            )
        st.text_input(
            "Or type hex codes",
            key=state.PIN_HEX,
            on_change=_pin_typed,
            placeholder="#ff8800, 0055aa",
            help="One or more colours as #rrggbb (or rrggbb, #rgb), separated by commas or spaces; Enter pins them.",
        )
        if st.session_state[state.PIN_ERROR]:
            st.error(st.session_state[state.PIN_ERROR], icon=":material/error:")
        for color in pins:
            with st.container(horizontal=True, vertical_alignment="center", gap="small", key=f"pin_row_{color[1:]}"):
                st.html(f"{_swatch(color)}&nbsp;<code>{html.escape(color)}</code>")
                st.button(
                    "", key=f"pin_remove_{color[1:]}", icon=":material/close:", on_click=_unpin, args=(color,),
                    help=f"Unpin {color}", type="tertiary",
                )
        if len(pins) > 1:
            st.button("Unpin all", key="pin_clear", on_click=_clear_pins, type="tertiary")


def _render_palette() -> None:
    st.selectbox(
        "Palette",
        options=palette_options(),
        format_func=_palette_label,
        key=state.PALETTE,
        help=(
            "Computed: the method fits a palette to the picture. A preset or a file: the picture is mapped to "
            "that palette as it is, shown beside the computed ones."
        ),
    )
    if st.session_state[state.PALETTE] != state.PALETTE_FROM_FILE:
        return
    st.file_uploader(
        "Palette file",
        type=list(PALETTE_FILE_TYPES),
        key=state.PALETTE_FILE,
        on_change=_take_palette_file,
        max_upload_size=1,
        help="GIMP (.gpl), Adobe Swatch Exchange (.ase), JSON, CSV or a hex list; or an indexed PNG or GIF, whose palette is used.",
    )
    rejected = st.session_state[state.PALETTE_REJECTED]
    if rejected:
        st.error(rejected, icon=":material/error:")
    brought = st.session_state[state.BROUGHT_FILE]
    if brought:
        name, colors = brought
        st.caption(f"{text.quote_name(name)}: {text.colours(len(colors))}")
        st.html("".join(_swatch(color) for color in colors[:64]) + (" …" if len(colors) > 64 else ""))
    elif not rejected:
        st.caption("Choose a palette file; until then only computed palettes are shown.")


def render() -> None:
    """Draw the Palette choice and the pinned colours (inside ``st.sidebar``)."""
    _render_palette()
    _render_pins()
