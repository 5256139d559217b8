"""Inspect and edit one palette entry, on the Reconstructions page.

Choose a tile and one of its swatches: the picture shows where that entry paints (the
other pixels faded), with its share of the pixels, whether any pixel takes it, its
nearest other entry and the ΔE between them. A colour picker changes the entry: the
tile above, its measures and its downloads follow at once (the pixels keep their entry,
only its colour changes: no refit). **Refit the rest** pins the edited colours and
fits the other entries around them again.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import streamlit as st

import quant
from ui.compute import cached, cached_entries
from ui.figures import pictures
from ui.frame import state, text

__all__ = ["SORTS", "render", "tile_edits"]

SORTS = {"share": "Share", "hue": "Hue", "lightness": "Lightness"}
"""Swatch orders offered, as ``quant.swatch_order`` names them -> label."""


def tile_edits(ref: state.ImageRef, n_colors: int, method: str, settings: state.Settings) -> cached_entries.Edits:
    """The visitor's edits of one tile (empty when there are none)."""
    identity = cached_entries.tile_identity(ref, n_colors, method, settings)
    return cached_entries.edits_of(st.session_state[state.ENTRY_EDITS], identity)


def _set_edit(identity: str, index: int) -> None:
    """on_change of the colour picker: remember the entry's new colour."""
    edits = {key: dict(value) for key, value in st.session_state[state.ENTRY_EDITS].items()}
    edits.setdefault(identity, {})[index] = str(st.session_state[state.ENTRY_COLOR]).lower()
    st.session_state[state.ENTRY_EDITS] = edits


def _undo(identity: str) -> None:
    edits = dict(st.session_state[state.ENTRY_EDITS])
    edits.pop(identity, None)
    st.session_state[state.ENTRY_EDITS] = edits


def _refit(identity: str, palette: np.ndarray, edits: cached_entries.Edits) -> None:
    """on_click of "Refit the rest": the edited colours join the pins; the edits go."""
    st.session_state[state.PINS] = cached_entries.pins_after_refit(st.session_state[state.PINS], palette, edits)[
        : state.MAX_PINS
    ]
    _undo(identity)


def _entry_label(index: int, hex_color: str, share: float, is_pinned: bool) -> str:
    used = f"{100 * share:.1f} %" if share > 0 else "unused"
    return f"{index + 1} · {hex_color} · {used}" + (" · pinned" if is_pinned else "")


def render(
    ref: state.ImageRef,
    settings: state.Settings,
    tiles: Sequence[tuple[int, str]],
    title_of,
) -> None:
    """Draw the section for ``tiles`` ((n_colors, method) pairs, as on the page);
    ``title_of(n_colors, method)`` names a tile."""
    st.subheader("Inspect and edit an entry")
    st.markdown(
        "Pick a palette and one of its colours to see which pixels it paints, how much of "
        "the picture it covers and whether another entry is almost the same colour. Change "
        "the colour to see the tile, its error and its downloads follow: every pixel keeps "
        "its entry, only the entry's colour changes."
    )
    if st.session_state[state.ENTRY_TILE] >= len(tiles):
        st.session_state[state.ENTRY_TILE] = 0
    controls, picture = st.columns([2, 3], gap="large")
    with controls:
        chosen = st.selectbox(
            "Palette", options=list(range(len(tiles))), format_func=lambda i: title_of(*tiles[i]), key=state.ENTRY_TILE
        )
        n_colors, method = tiles[chosen]
        identity = cached_entries.tile_identity(ref, n_colors, method, settings)
        edits = tile_edits(ref, n_colors, method, settings)
        with st.spinner("Fitting the palette…"):
            tile = cached_entries.edited_tile(ref, n_colors, settings, edits, method=method)
        sort = st.segmented_control(
            "Sort swatches by", options=list(SORTS), format_func=SORTS.__getitem__, key=state.ENTRY_SORT
        ) or "share"
        order = quant.swatch_order(tile.palette, tile.counts, by=sort)
        st.html(
            pictures.palette_strip_html(
                tile.palette[order], pinned=tile.pinned[order], counts=tile.counts[order], alpha=tile.alpha[order], height_px=28
            )
        )
        hexes = quant.palette_hex(tile.palette)
        shares = tile.counts / max(int(tile.counts.sum()), 1)
        if st.session_state[state.ENTRY_CHOICE] not in range(len(hexes)):
            st.session_state[state.ENTRY_CHOICE] = int(order[0])
        index = st.selectbox(
            "Entry",
            options=[int(i) for i in order],
            format_func=lambda i: _entry_label(i, hexes[i], float(shares[i]), bool(tile.pinned[i])),
            key=state.ENTRY_CHOICE,
            help="Entries are numbered by share, largest first, as in the palette downloads.",
        )
        nearest, delta_e = quant.nearest_entries(tile.palette)
        facts = [
            f"**{hexes[index]}**" + (" · pinned" if tile.pinned[index] else ""),
            (
                f"{text.literal(f'{100 * shares[index]:.2f}')} % of the pixels ({int(tile.counts[index]):,})"
                if tile.counts[index]
                else "Not used: no pixel takes this colour"
            ),
        ]
        opacity = int(tile.alpha[index])
        if opacity == 0:
            facts.append("Fully transparent: every pixel of alpha 0 takes it, so its colour is never seen")
        elif opacity < 255:
            facts.append(f"Partly transparent: alpha {opacity} ({round(100 * opacity / 255)}% opaque), kept by a new colour")
        if nearest[index] >= 0 and opacity > 0:
            other = int(nearest[index])
            closeness = " (hard to tell apart)" if delta_e[index] < 2.3 else ""
            facts.append(f"Nearest other entry: {other + 1} · {hexes[other]} · ΔE {delta_e[index]:.2f}{closeness}")
        st.markdown("  \n".join(facts))
        # The picker shows the entry's current colour (edited or not) whenever the choice changes.
        st.session_state[state.ENTRY_COLOR] = hexes[index]
        st.color_picker(
            "Change its colour", key=state.ENTRY_COLOR, on_change=_set_edit, args=(identity, index),
            disabled=opacity == 0,
            help=(
                "A fully transparent entry's colour is never seen."
                if opacity == 0
                else "The pixels of this entry take the new colour; the tile, its measures and downloads follow."
            ),
        )
        if edits:
            st.caption(f"{len(edits)} edited {'entry' if len(edits) == 1 else 'entries'} in this palette.")
        with st.container(horizontal=True, gap="small"):
            st.button("Undo edits", key="entry_undo", on_click=_undo, args=(identity,), disabled=not edits, icon=":material/undo:")
            can_refit = method not in (cached.BROUGHT, "random")
            st.button(
                "Refit the rest", key="entry_refit", on_click=_refit, args=(identity, tile.palette, edits),
                disabled=not (edits and can_refit), icon=":material/push_pin:",
                help=(
                    "Pin the edited colours and fit the other entries around them again."
                    if can_refit
                    else "Only computed palettes can be refitted."
                ),
            )
    with picture:
        with st.spinner("Finding the entry's pixels…"):
            shown = cached_entries.entry_picture(ref, n_colors, settings, edits, index, method=method)
        share = f"{100 * shares[index]:.1f} % of the pixels" if tile.counts[index] else "no pixel"
        st.image(
            shown.png, output_format="PNG",
            alt=f"{ref.name}: the pixels of entry {index + 1} ({hexes[index]}, {share}) in "
            f"{title_of(n_colors, method)} as they are, every other pixel faded",
        )
        st.caption(
            f"Where entry {index + 1} ({html.escape(hexes[index])}) paints in {title_of(n_colors, method)}; "
            "the other pixels are faded."
        )
