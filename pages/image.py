"""Image: the picture, its size and colours, and what storing it with a palette costs."""

from __future__ import annotations

import streamlit as st

import quant
from ui.compute import cached
from ui.frame import layout, text

STORAGE_SIZES = (16, 32, 64)

ref, settings = layout.page_setup()

st.title("Image")

with st.spinner("Counting colours…"):
    facts = cached.facts(ref)
    picture = cached.original_picture(ref)

picture_column, facts_column = st.columns([3, 2], gap="large")
with picture_column:
    shown = "" if picture.width == facts.width else f" · shown at {picture.width} × {picture.height}"
    st.image(
        picture.png,
        caption=f"{text.quote_name(ref.name)}{shown}",
        output_format="PNG",
        alt=text.original_alt(ref.name, facts.width, facts.height, facts.n_colors),
    )
with facts_column:
    st.metric("Size", f"{facts.width:,} × {facts.height:,} px")
    st.metric("Pixels", f"{facts.n_pixels:,}")
    if facts.has_alpha:
        st.metric(
            "Distinct colours", f"{facts.n_colors:,}",
            help="Exact count of different RGBA values among the pixels one can see, plus one for all the fully "
            "transparent pixels: the colour under them is not part of the picture.",
        )
        st.metric(
            "Transparent", text.share(facts.n_transparent, facts.n_pixels),
            help=f"{facts.n_transparent:,} pixels with alpha 0: an indexed PNG gives them all one see-through entry.",
        )
        st.metric(
            "Partly transparent", text.share(facts.n_partial, facts.n_pixels),
            help=f"{facts.n_partial:,} pixels with alpha 1 to 254 (soft edges, shadows): they get entries with "
            "their own alpha.",
        )
    else:
        st.metric("Distinct colours", f"{facts.n_colors:,}", help="Exact count of different RGB values.")

st.subheader("Storage")
if facts.has_alpha:
    st.markdown(
        f"Stored plainly, every pixel takes **32 bits** (8 each for red, green, blue and alpha, its opacity): "
        f"{text.file_size(facts.raw_bytes)} for this picture. With a palette of *k* colours "
        "a pixel only needs the index of its colour, **⌈log₂ k⌉ bits**, plus the palette "
        "itself once (32 bits per entry: its colour, and its alpha in the PNG's tRNS chunk)."
    )
else:
    st.markdown(
        f"Stored plainly, every pixel takes **24 bits** (8 each for red, green and blue): "
        f"{text.file_size(facts.raw_bytes)} for this picture. With a palette of *k* colours "
        "a pixel only needs the index of its colour, **⌈log₂ k⌉ bits**, plus the palette "
        "itself once (24 bits per colour)."
    )


def storage_rows(png_sizes: dict[int, int]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = [
        {
            "Colours": "all (32-bit)" if facts.has_alpha else "all (24-bit)",
            "Bits per pixel": 32 if facts.has_alpha else 24,
            "Palette": "—",
            "Total": text.file_size(facts.raw_bytes),
            "Ratio": "1 : 1",
            "Indexed PNG": "—",
        }
    ]
    for n_colors in STORAGE_SIZES:
        storage = quant.storage(facts.n_pixels, n_colors, alpha=facts.has_alpha)
        png_size = png_sizes.get(n_colors)
        rows.append(
            {
                "Colours": str(n_colors),
                "Bits per pixel": storage.index_bits_per_pixel,
                "Palette": text.file_size(storage.palette_bits / 8),
                "Total": text.file_size(storage.indexed_bits / 8),
                "Ratio": f"{storage.ratio:.1f} : 1",
                "Indexed PNG": text.file_size(png_size) if png_size is not None else "measuring…",
            }
        )
    return rows


table = st.empty()
table.dataframe(storage_rows({}), hide_index=True, width="stretch")
png_sizes: dict[int, int] = {}
with st.spinner(f"Measuring real indexed PNG files ({text.describe(settings.method, settings.space)})…"):
    tiles = [(n_colors, settings.method) for n_colors in STORAGE_SIZES]
    for n_colors, png in zip(STORAGE_SIZES, cached.indexed_pngs(ref, tiles, settings)):
        png_sizes[n_colors] = len(png)
        table.dataframe(storage_rows(png_sizes), hide_index=True, width="stretch")
table.dataframe(storage_rows(png_sizes), hide_index=True, width="stretch")
st.caption(
    "“Indexed PNG” is the size of a real palette PNG made with the sidebar's method: "
    "PNG also compresses the indices, so it usually beats the plain arithmetic."
)

st.subheader("How k-means picks a palette")
st.markdown(
    """
Think of every pixel as a point in a cube whose three axes are red, green and blue
(see the *Colour space* page). A photo's points are not spread evenly: they crowd
into a few clouds — sky blues, skin tones, foliage greens.

**k-means** places *k* centres in that cube and repeats two steps until they stop moving:

1. give every pixel to its nearest centre;
2. move every centre to the average colour of its pixels.

The *k* centres are the palette. Each pixel is then stored as the number of its
centre, and drawn in that centre's colour. Because the centres go where the pixels
are, a few dozen colours can look surprisingly close to the millions in the original
— see the *Reconstructions* and *Compare* pages.
"""
)
