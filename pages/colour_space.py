"""Colour space: the image's colours as points in the RGB cube (or in CIELAB, when the
sidebar measures distances there), and the palette's centres."""

from __future__ import annotations

import streamlit as st

from ui.compute import cached
from ui.frame import layout, state, text

ref, settings = layout.page_setup()

st.title("Colour space")
if settings.space == "lab":
    st.markdown(
        "Every pixel is a point in CIELAB, the space where k-means measures its distances "
        "when the sidebar says *Lab*: **L\\*** is lightness (up), **a\\*** runs from green "
        "to red and **b\\*** from blue to yellow, and equal distances look about equally "
        "different. Below are a few thousand of the image's colours, each in its own "
        "colour, drawn in proportion to how many pixels have them; the outlined markers "
        "are the palette's centres, larger for centres that cover more of the picture. "
        "Drag to turn the view."
    )
else:
    st.markdown(
        "Every pixel is a point in the RGB cube. Below are a few thousand of the image's "
        "colours, drawn in proportion to how many pixels have them; the outlined markers "
        "are the palette's centres, larger for centres that cover more of the picture. "
        "Drag to turn the cube."
    )

brought = bool(settings.palette)
method = cached.BROUGHT if brought else settings.method
controls = st.columns([3, 2], vertical_alignment="bottom")
with controls[0]:
    n_colors = st.slider(
        "Number of colours (k)", min_value=2, max_value=128, key=state.CLOUD_K, disabled=brought,
        help="The sidebar's palette is one you brought: its own colours are the centres." if brought else None,
    )
if brought:
    n_colors = len(settings.palette)
with controls[1]:
    by_centre = st.toggle(
        "Colour points by their centre",
        key=state.CLOUD_BY_CENTRE,
        help="Paint each colour in the colour of the palette entry it is mapped to.",
    )

with st.spinner(f"Finding {n_colors} colours with {text.describe(method, settings.space)}…"):
    cloud, planes = cached.cloud_figures(ref, n_colors, settings, by_centre=by_centre, method=method)
    result = cached.palette_view(ref, n_colors, settings, method=method)
    facts = cached.facts(ref)

space_words = "on L*, a*, b* axes" if settings.space == "lab" else "in the RGB cube"
st.plotly_chart(
    cloud, key="cloud3d", width="stretch",
    alt=f"3D point cloud of {len(cloud.data[0].x):,} of the colours of {ref.name} {space_words}, each in its own "
    f"colour, with the palette's {result.k} centres as large outlined markers",
)
if brought:
    unused = int((result.counts == 0).sum())
    where = f"the {result.k} colours of {text.literal(settings.palette_name)}, mapped in {state.SPACE_LABELS[settings.space]}"
    if unused:
        where += f" ({unused} not nearest to any pixel: the smallest markers)"
else:
    where = f"{result.k} centres from {text.describe(method, settings.space)}"
    n_pinned = int(result.pinned.sum())
    if n_pinned:
        where += f", {n_pinned} of them pinned (the diamonds)"
if facts.has_alpha:
    left_out = ""
    if facts.n_transparent:
        left_out = (
            f" {facts.n_transparent:,} fully transparent pixels ({text.share(facts.n_transparent, facts.n_pixels)}) "
            "are left out, and so is the palette's see-through entry: the colour under them is not part of the picture."
        )
    st.caption(
        f"{len(cloud.data[0].x):,} of the colours of the pixels one can see; {where}.{left_out} "
        "Partly transparent pixels are drawn in their own colour, whatever their alpha."
    )
else:
    st.caption(f"{len(cloud.data[0].x):,} of the image's {facts.n_colors:,} distinct colours; {where}.")

st.subheader("Three views from the sides")
plane_words = "a*–b*, a*–L* and b*–L*" if settings.space == "lab" else "red–green, red–blue and green–blue"
st.plotly_chart(
    planes, key="cloud_planes", width="stretch",
    alt=f"The same colours and centres seen from three sides: the {plane_words} planes",
)
