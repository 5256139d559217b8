"""Links that restore a view: the choices that define it live in the URL's query string.

A teacher can send ``…/reconstructions?image=sky&method=median-cut&sizes=4,8,16`` and
every student opens the same view. The page is the URL's path (Streamlit's own
navigation); everything else is a row of :data:`LINKS`, which ties a URL parameter to
a session-state key (:mod:`ui.frame.state`) with a parser, which accepts or refuses text
from the URL, and a serializer, which writes the value back. To make another control
shareable, add a row; nothing else needs to change.

How it runs (:func:`ui.frame.layout.around_page` calls both, once per run):

* :func:`restore`, on a session's first run only: every parameter that parses is
  written into the session state, before any widget is drawn; anything else keeps its
  default, and a short notice says which parameters were ignored. The notice names
  only our own parameters and never repeats what the URL said, so a link cannot put
  text or markup on the page.
* :func:`publish`, on every run: the URL is set to the current values that differ
  from the defaults (a default is never written, so links stay short and a link made
  before a default changes still means what it said), for the parameters that apply
  to the page shown. Switching pages with the navigation clears the query string
  (Streamlit does that in the browser); the next run writes the new page's.

An uploaded image cannot travel in a link: ``image`` is then left out and the link
element (:func:`render_link`) says so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

import streamlit as st

import quant
from ui.frame import samples, state

__all__ = ["LINKS", "Link", "parameters", "publish", "render_link", "restore", "remember_page"]

_RESTORED = "links_restored"
"""Session-state flag: the URL of this session's first run has been read."""
_NOTICE = "links_notice"
"""Session-state: the notice about ignored parameters, shown on the run that restored."""
_PAGE = "links_page"
"""Session-state: URL path of the page being run (set by :func:`remember_page`)."""

_EMBED_PARAMETERS = frozenset({"embed", "embed_options"})
"""Streamlit's own parameters, which are not ours to judge."""


@dataclass(frozen=True)
class Link:
    """One URL parameter and the session-state value it stands for.

    Attributes
    ----------
    parameter : str
        Name in the query string.
    key : str
        Session-state key (see :mod:`ui.frame.state`) of the value; its default is
        ``state.DEFAULTS[key]``.
    parse : callable str -> value
        The value a URL's text stands for; raises ``ValueError`` for anything else.
        Must accept whatever ``serialize`` writes.
    serialize : callable value -> str
        The text for the URL.
    accepted : str
        What ``parse`` accepts, in a few words, for the notice (never the URL's text).
    pages : tuple of str, optional
        URL paths of the pages where this parameter defines the view (``"colour_space"``);
        empty means every page.
    """

    parameter: str
    key: str
    parse: Callable[[str], object]
    serialize: Callable[[object], str]
    accepted: str
    pages: tuple[str, ...] = ()


# --- parsers: text from a URL in, a value or ValueError out ------------------------


def _choice(options: Mapping[str, object] | tuple[str, ...]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in options:
            raise ValueError(text)
        return text

    return parse


def _whole_number(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        # int() would also take " 12", "1_000" or "١٢"; a link has no reason to.
        if not (text.isascii() and text.isdigit()) or len(text) > len(str(high)):
            raise ValueError(text)
        value = int(text)
        if not low <= value <= high:
            raise ValueError(text)
        return value

    return parse


def _decimal(low: float, high: float, step: float) -> Callable[[str], float]:
    """A number such as ``0.35`` or ``2.3``, from ``low`` to ``high``, on a grid of ``step``."""

    def parse(text: str) -> float:
        whole, _, fraction = text.partition(".")
        if not (whole.isascii() and whole.isdigit() and len(whole) <= 3) or (
            fraction and not (fraction.isascii() and fraction.isdigit() and len(fraction) <= 2)
        ):
            raise ValueError(text)
        value = float(text)
        steps = round(value / step)
        if not low <= value <= high or abs(steps * step - value) > 1e-9:
            raise ValueError(text)
        return round(steps * step, 2)

    return parse


def _decimal_text(value: object) -> str:
    return f"{float(value):g}"  # type: ignore[arg-type]


def _flag(text: str) -> bool:
    if text not in ("0", "1"):
        raise ValueError(text)
    return text == "1"


_MAX_SIZES = 8
"""As many palette sizes as the Reconstructions page shows at once."""


def _sizes(text: str) -> list[int]:
    parse_one = _whole_number(2, 256)
    sizes = [parse_one(part) for part in text.split(",")] if text else []
    if len(sizes) != len(set(sizes)) or len(sizes) > _MAX_SIZES:
        raise ValueError(text)
    return sizes


def _comma_list(values: object) -> str:
    return ",".join(str(int(v)) for v in values)  # type: ignore[union-attr]


def _pins(text: str) -> tuple[str, ...]:
    """``ff0000,0000ff``: up to MAX_PINS different six-digit hex colours, no ``#``
    (empty: no pins)."""
    if not text:
        return ()
    parts = text.split(",")
    if not all(len(part) == 6 and part.isascii() and all(c in "0123456789abcdefABCDEF" for c in part) for part in parts):
        raise ValueError(text)
    pins = tuple(f"#{part.lower()}" for part in parts)
    if len(set(pins)) != len(pins) or len(pins) > state.MAX_PINS:
        raise ValueError(text)
    return pins


def _pin_list(pins: object) -> str:
    return ",".join(pin[1:] for pin in pins)  # type: ignore[union-attr]


_PRESETS = (state.PALETTE_COMPUTED, *quant.PALETTES)


# --- the table -----------------------------------------------------------------------

LINKS: tuple[Link, ...] = (
    # The sidebar: every page.
    Link("image", state.SOURCE, _choice(samples.SAMPLES), str, "one of " + ", ".join(samples.SAMPLES)),
    Link("method", state.METHOD, _choice(state.SIDEBAR_METHODS), str, "one of " + ", ".join(state.SIDEBAR_METHODS)),
    Link("space", state.SPACE, _choice(state.SPACE_LABELS), str, "rgb or lab"),
    Link("dither", state.DITHER, _flag, lambda on: "1" if on else "0", "0 or 1"),
    Link("pattern", state.DITHER_KIND, _choice(state.DITHER_KIND_LABELS), str, "diffusion or ordered"),
    Link("strength", state.DITHER_STRENGTH, _decimal(0.05, 1.0, 0.05), _decimal_text, "0.05 to 1 in steps of 0.05"),
    Link("seed", state.SEED, _whole_number(0, 2**31 - 1), str, "a whole number from 0 to 2147483647"),
    Link("palette", state.PALETTE, _choice(_PRESETS), str, "one of " + ", ".join(_PRESETS)),
    Link(
        "pin", state.PINS, _pins, _pin_list,
        f"up to {state.MAX_PINS} different hex colours such as ff8800, separated by commas",
    ),
    # Page controls: only on their page.
    Link("k", state.CLOUD_K, _whole_number(2, 128), str, "a whole number from 2 to 128", ("colour_space",)),
    Link(
        "sizes", state.RECON_SIZES, _sizes, _comma_list,
        f"up to {_MAX_SIZES} different whole numbers from 2 to 256, separated by commas",
        ("reconstructions",),
    ),
    Link("target", state.QUALITY_TARGET, _decimal(0.5, 20.0, 0.01), _decimal_text, "a number from 0.5 to 20", ("reconstructions",)),
    Link("steps_k", state.STEPS_K, _whole_number(2, 64), str, "a whole number from 2 to 64", ("kmeans_steps",)),
    Link("start", state.STEPS_INIT, _choice(quant.INITS), str, "one of " + ", ".join(quant.INITS), ("kmeans_steps",)),
    Link("steps_seed", state.STEPS_SEED, _whole_number(0, 2**31 - 1), str, "a whole number from 0 to 2147483647", ("kmeans_steps",)),
)
"""Every shareable choice. Rows for new controls go here (one line each)."""


# --- reading and writing the URL ----------------------------------------------------


def _applies(link: Link, page: str | None) -> bool:
    return not link.pages or page in link.pages


def parameters(values: Mapping[str, object], page: str | None) -> dict[str, str]:
    """The query parameters of a view: the values of ``LINKS`` that differ from their
    defaults and apply to ``page``, in the table's order. An uploaded image is left out.
    """
    params: dict[str, str] = {}
    for link in LINKS:
        if not _applies(link, page) or link.key not in values:
            continue
        value = values[link.key]
        if value == state.DEFAULTS[link.key]:
            continue
        if link.key == state.SOURCE and value == state.UPLOAD_SOURCE:
            continue
        if link.key == state.PALETTE and value == state.PALETTE_FROM_FILE:
            continue
        params[link.parameter] = link.serialize(value)
    return params


def _read(query: Mapping[str, str]) -> tuple[dict[str, object], list[Link], int]:
    """(values to set, rows whose text was refused, number of unknown parameters)."""
    by_name = {link.parameter: link for link in LINKS}
    values: dict[str, object] = {}
    refused: list[Link] = []
    unknown = 0
    for name, text in query.items():
        link = by_name.get(name)
        if link is None:
            unknown += name not in _EMBED_PARAMETERS
            continue
        try:
            values[link.key] = link.parse(text)
        except ValueError:
            refused.append(link)
    return values, refused, unknown


def _notice(refused: list[Link], unknown: int) -> str | None:
    parts = [f"**{link.parameter}** ({link.accepted})" for link in refused]
    if unknown:
        parts.append("1 unknown parameter" if unknown == 1 else f"{unknown} unknown parameters")
    if not parts:
        return None
    return "This link had settings that could not be used, so their defaults are shown: " + "; ".join(parts) + "."


def restore() -> None:
    """On a session's first run, set the session state from the URL's query string.

    Call it after :func:`ui.frame.state.init` and before any widget is drawn. Later runs
    do nothing: from then on the widgets, not the URL, say what the view is.
    """
    if st.session_state.get(_RESTORED, False):
        st.session_state[_NOTICE] = None
        return
    st.session_state[_RESTORED] = True
    values, refused, unknown = _read(st.query_params.to_dict())
    for key, value in values.items():
        st.session_state[key] = value
    st.session_state[_NOTICE] = _notice(refused, unknown)


def remember_page(url_path: str) -> None:
    """Note which page this run shows (``ui.frame.layout.navigation`` calls it)."""
    st.session_state[_PAGE] = url_path


def publish() -> None:
    """Make the URL's query string the current view's (only when it differs), and
    show the notice of :func:`restore` if this run has one."""
    params = parameters(st.session_state, st.session_state.get(_PAGE))
    if st.query_params.to_dict() != params:
        st.query_params.from_dict(params)
    notice = st.session_state.get(_NOTICE)
    if notice:
        st.warning(notice, icon=":material/link_off:")


def render_link() -> None:
    """The "Link to this view" element at the foot of the sidebar."""
    page = st.session_state.get(_PAGE)
    params = parameters(st.session_state, page)
    base = st.context.url or f"/{page or ''}"
    # Commas stay as they are (pin=ff0000,0000ff): legal in a query and easier to read.
    url = base + (f"?{urlencode(params, safe=',')}" if params else "")
    with st.sidebar, st.container(key="link_to_view"):
        st.markdown("**Link to this view**")
        st.code(url, language=None, wrap_lines=True)
        uploads = [
            what
            for what, uploaded in (
                ("image", st.session_state.get(state.SOURCE) == state.UPLOAD_SOURCE),
                ("palette", st.session_state.get(state.PALETTE) == state.PALETTE_FROM_FILE),
            )
            if uploaded
        ]
        if uploads:
            instead = " and ".join(
                {"image": "the sample image", "palette": "computed palettes"}[what] for what in uploads
            )
            st.caption(
                f":material/info: An uploaded {' and an uploaded '.join(uploads)} cannot be shared by a link: "
                f"it opens with {instead} instead, and the other settings."
            )
        else:
            st.caption("Opens this page with the same image and settings.")
