"""The smallest palette for a quality target, on the Reconstructions page.

pngquant's ``--quality`` asks for the fewest colours that keep a picture within a
quality bound; here the bound is the mean CIEDE2000 colour difference, and the answer
is exact: the size found meets the target and one colour fewer does not
(:func:`quant.smallest_fit`). The section stays empty until the visitor types a
target, so the page costs nothing more for those who do not ask.
"""

from __future__ import annotations

import dataclasses
import functools

import streamlit as st

from ui.compute import cached, cached_inspect
from ui.figures import pictures
from ui.frame import state, text

__all__ = ["render"]

_MIN_TARGET = 0.5
_MAX_TARGET = 20.0


def render(ref: state.ImageRef, settings: state.Settings) -> None:
    """Draw the "smallest palette with ΔE ≤ …" control and, once a target is given, the
    size found, its tile, its measures and its indexed PNG (size and download)."""
    st.subheader("The smallest palette for a quality target")
    st.markdown(
        "How few colours can this picture take and still look the same? Give the largest "
        "mean colour difference (CIEDE2000 ΔE) you accept, and the fewest colours that "
        "stay within it are found: about **1** is invisible side by side, **2.3** is the "
        "smallest difference most people notice."
    )
    control, answer = st.columns([1, 2], gap="large")
    with control:
        target = st.number_input(
            "Smallest palette with mean ΔE ≤",
            min_value=_MIN_TARGET,
            max_value=_MAX_TARGET,
            step=0.1,
            format="%.1f",
            key=state.QUALITY_TARGET,
            placeholder="e.g. 2.3",
            help=(
                "The palette is made as the sidebar says (method, colour space, seed), "
                "without dithering, and measured on the full-size image."
            ),
        )
    if target is None:
        with answer:
            st.caption("Type a target to find its palette.")
        return

    plain = dataclasses.replace(settings, dither=0.0)
    with answer, st.spinner(f"Looking for the fewest colours with mean ΔE ≤ {target:.1f}…"):
        found = cached_inspect.smallest_palette(ref, target, plain)
    if found.n_colors is None:
        with answer:
            st.warning(text.literal(found.message), icon=":material/block:")
        return
    tried = dict(found.tried)
    with answer, st.container(key="quality_tile", border=True):
        with st.spinner(f"{found.n_colors} colours…"):
            tile = cached.reconstruction(ref, found.n_colors, plain)
        picture, facts = st.columns([3, 2], gap="medium")
        with picture:
            st.image(
                tile.preview.png, output_format="PNG",
                alt=text.rebuilt_alt(ref.name, found.n_colors, settings.method, settings.space, delta_e=found.delta_e)
                + f": the fewest colours with mean ΔE ≤ {target:.1f}",
            )
            st.html(pictures.palette_strip_html(tile.palette, pinned=tile.pinned, counts=tile.counts, alpha=tile.alpha))
        with facts:
            st.metric("Colours needed", f"{found.n_colors}", help="The fewest that meet the target.")
            st.metric("Mean ΔE", f"{found.delta_e:.2f}", help=f"At most {target:.1f}, as asked.")
            fewer = tried.get(found.n_colors - 1)
            if fewer is not None:
                st.caption(f"{found.n_colors - 1} colours give ΔE {fewer:.2f}, over the target.")
            st.caption(
                f"MSE {tile.metrics.mse:.1f} · PSNR {text.psnr(tile.metrics.psnr)} · "
                f"{text.describe(settings.method, settings.space)}, no dithering"
            )
            with st.spinner("Making the indexed PNG…"):
                png = cached.indexed_png(ref, found.n_colors, plain)
            st.metric("Indexed PNG", text.file_size(len(png)), help="The real size of the full-size indexed PNG file.")
            st.download_button(
                "PNG",
                data=functools.partial(cached.indexed_png, ref, found.n_colors, plain),
                file_name=f"{text.file_stem(ref.name)}-{found.n_colors}-{settings.method}.png",
                mime="image/png",
                key="quality_png",
                on_click="ignore",
                icon=":material/download:",
            )
    searched = f"{len(tried)} palette sizes tried on the full image"
    if found.guide_tried:
        searched += f", guided by {found.guide_tried} on a subsample"
    with answer:
        st.caption(f"{searched}; {found.seconds:.1f} s the first time.")
