"""Reconstructions: the original beside the image rebuilt from palettes of several sizes."""

from __future__ import annotations

import functools

import streamlit as st

import quant
from ui import cached, figures, frame, state, text

COLUMNS = 3
RANDOM_SIZE = 32
MAX_TILES = 8



def hex_lines(palette) -> str:
    """The palette as one "#rrggbb" per line."""
    return "\n".join(quant.palette_hex(palette)) + "\n"


ref, settings = frame.page_setup()
stem = text.file_stem(ref.name)

st.title("Reconstructions")
st.markdown(
    "The picture rebuilt from a palette of *k* colours: each pixel takes the colour of "
    "its palette entry. Watch smooth gradients turn into bands as *k* shrinks, and "
    "compare with a palette of colours drawn at random."
)

size_column, random_column = st.columns([3, 2], vertical_alignment="bottom")
with size_column:
    sizes = st.multiselect(
        "Palette sizes",
        options=list(range(2, quant.MAX_COLORS + 1)),
        key=state.RECON_SIZES,
        max_selections=MAX_TILES,
        placeholder="Choose sizes from 2 to 256",
        help="Type a number to find it; at most eight at once.",
    )
with random_column:
    with_random = st.toggle(f"Add a random {RANDOM_SIZE}-colour palette", key=state.RECON_RANDOM)

tiles = [(n_colors, settings.method) for n_colors in sorted(sizes)]
if with_random:
    tiles.append((RANDOM_SIZE, "random"))
if not tiles:
    st.info("Choose at least one palette size above.", icon=":material/info:")

cells = iter(column for _ in range(0, len(tiles) + 1, COLUMNS) for column in st.columns(COLUMNS))

with next(cells), st.container(key="recon_original", border=True):
    facts = cached.facts(ref)
    st.image(cached.original_picture(ref, tile=True).png, output_format="PNG")
    st.markdown(f"**Original** · {text.colours(facts.n_colors)}")
    st.caption(f"{facts.width:,} × {facts.height:,} px · {text.file_size(facts.raw_bytes)} as 24-bit RGB")

results = cached.reconstructions(ref, tiles, settings)
for index, (n_colors, method) in enumerate(tiles):
    with next(cells), st.container(key=f"recon_{index}", border=True):
        with st.spinner(f"{n_colors} colours with {state.METHOD_LABELS[method]}…"):
            result = next(results)
        st.image(result.preview.png, output_format="PNG")
        used = "" if result.k == n_colors else f" ({result.k} used)"
        st.markdown(
            f"**{n_colors} colours**{used} · {text.describe(method, settings.space, dither=settings.dither)}"
        )
        metrics = result.metrics
        st.caption(
            f"MSE {metrics.mse:.1f} · PSNR {text.psnr(metrics.psnr)} · "
            f"ΔE {metrics.delta_e:.2f} · indexed PNG {text.file_size(len(result.png))}"
        )
        st.html(figures.palette_strip_html(result.palette))
        name = f"{stem}-{n_colors}-{method}"
        with st.container(horizontal=True, gap="small"):
            st.download_button(
                "PNG",
                data=functools.partial(bytes, result.png),
                file_name=f"{name}.png",
                mime="image/png",
                key=f"recon_{index}_png",
                on_click="ignore",
                icon=":material/download:",
                help="The full-size indexed (palette) PNG.",
            )
            with st.popover("Palette", icon=":material/palette:"):
                downloads = (
                    ("GIMP palette (.gpl)", "gpl", "text/plain", functools.partial(quant.palette_gpl, result.palette, name)),
                    ("JSON", "json", "application/json", functools.partial(quant.palette_json, result.palette, result.counts)),
                    ("CSV", "csv", "text/csv", functools.partial(quant.palette_csv, result.palette, result.counts)),
                    ("Hex codes (.txt)", "txt", "text/plain", functools.partial(hex_lines, result.palette)),
                )
                for label, extension, mime, make in downloads:
                    st.download_button(
                        label,
                        data=make,
                        file_name=f"{name}.{extension}",
                        mime=mime,
                        key=f"recon_{index}_{extension}",
                        on_click="ignore",
                        width="stretch",
                    )
