"""Reconstructions: the original beside the image rebuilt from palettes of several sizes.

The grid comes first, from each palette's histogram view and a screen-sized picture;
dithered tiles not made yet are first drawn as screen-sized previews, said to be ones,
until their full-size pictures and exact measures replace them. The full-size indexed
PNGs (their real sizes and the downloads) are made afterwards, when the grid is
already on screen. Below the grid, a region of the full-size images at 1:1 or 2:1.
"""

from __future__ import annotations

import contextlib
import functools
from dataclasses import dataclass

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

import quant
from quant.encoding import entry_names
from ui.compute import cached, cached_entries, cached_previews
from ui.figures import pictures
from ui.frame import layout, state, text
from ui.sections import entry_inspector, quality_target

COLUMNS = 3
RANDOM_SIZE = 32
MAX_TILES = 8
ZOOMS = {1: "1:1", 2: "2:1"}
VIEWS = {"side": "Side by side", "slider": "Before / after"}


def hex_lines(palette) -> str:
    """The palette as one "#rrggbb" per line."""
    return "\n".join(quant.palette_hex(palette)) + "\n"


def tile_title(n_colors: int, method: str) -> str:
    how = text.describe(method, settings.space, dither=settings.dither, dither_kind=settings.dither_kind)
    if method == cached.BROUGHT:
        return f"{settings.palette_name} · {how}"
    return f"{n_colors} colours · {how}"


def tile_heading(n_colors: int, method: str, k: int, edits: int) -> str:
    """The tile's bold first line: what palette, how it was made, whether edited."""
    how = text.describe(method, settings.space, dither=settings.dither, dither_kind=settings.dither_kind)
    edited = f" · :orange-badge[{edits} edited]" if edits else ""
    if method == cached.BROUGHT:
        unused = "" if k == n_colors else f" ({n_colors - k} unused)"
        return f"**{text.literal(settings.palette_name)}**{unused} · {how}{edited}"
    used = "" if k == n_colors else f" ({k} used)"
    pins = settings.pins_for(n_colors)
    pinned = f" · {len(pins)} pinned" if pins else ""
    return f"**{n_colors} colours**{used} · {how}{pinned}{edited}"


def picture_alt(n_colors: int, method: str, delta_e: float | None = None, edits: int = 0) -> str:
    """The text alternative of a reconstruction: what it shows, for a screen reader."""
    return text.rebuilt_alt(
        ref.name, n_colors, method, settings.space, delta_e=delta_e, dither=settings.dither,
        dither_kind=settings.dither_kind, palette_name=settings.palette_name, edits=edits,
    )


@dataclass(frozen=True)
class TileSlots:
    """The places of one tile's parts, filled by a preview and then by the full-size tile."""

    picture: DeltaGenerator
    heading: DeltaGenerator
    measures: DeltaGenerator
    strip: DeltaGenerator
    buttons: DeltaGenerator


def draw_preview(index: int, preview: cached_previews.TilePreview, slots: TileSlots) -> None:
    """A dithered tile at screen size, said to be one, while its full-size picture is made."""
    n_colors, method = preview.n_colors, preview.method
    slots.picture.image(
        preview.picture.png, output_format="PNG", caption="Preview, dithered at screen size",
        alt=f"A screen-sized preview of {picture_alt(n_colors, method)}",
    )
    slots.heading.markdown(tile_heading(n_colors, method, len(preview.palette), 0))
    slots.measures.caption(
        "Dithering the full-size picture: its exact measures follow.",
        help="Dithering decides each pixel from its neighbours, so the measures need the whole full-size "
        "picture. Until it is made, the picture above is the palette dithered onto the screen-sized original: "
        "its noise is coarser than the full-size picture's, which shrinking smooths.",
    )
    slots.strip.html(pictures.palette_strip_html(preview.palette, pinned=preview.pinned))
    slots.buttons.button(
        "PNG", key=f"recon_{index}_png_preview", disabled=True, icon=":material/hourglass_top:",
        help="The full-size indexed PNG is made once the full-size picture is.",
    )


def draw_tile(
    index: int, n_colors: int, method: str, result: cached.Reconstruction, edits: cached_entries.Edits, slots: TileSlots
) -> tuple[str, DeltaGenerator]:
    """The full-size tile: its picture, exact measures, palette and palette downloads.

    Returns the measures' text and the place of the PNG download, filled in once made.
    """
    slots.picture.image(result.preview.png, output_format="PNG", alt=picture_alt(n_colors, method, result.metrics.delta_e, len(edits)))
    slots.heading.markdown(tile_heading(n_colors, method, int((result.counts > 0).sum()), len(edits)))
    metrics = result.metrics
    measures = f"MSE {metrics.mse:.1f} · PSNR {text.psnr(metrics.psnr)} · ΔE {metrics.delta_e:.2f}"
    slots.measures.caption(f"{measures} · indexed PNG …", help="The full-size indexed PNG is being made.")
    slots.strip.html(pictures.palette_strip_html(result.palette, pinned=result.pinned, counts=result.counts, alpha=result.alpha))
    name = f"{stem}-{n_colors}-{method}" + ("-edited" if edits else "")
    with slots.buttons.container(horizontal=True, gap="small"):
        png_button = st.empty()
        png_button.button(
            "PNG", key=f"recon_{index}_png_pending", disabled=True, icon=":material/hourglass_top:",
            help="The full-size indexed PNG is being made.",
        )
        with st.popover("Palette", icon=":material/palette:"):
            downloads = (
                ("GIMP palette (.gpl)", "gpl", "text/plain", functools.partial(quant.palette_gpl, result.palette, name, alpha=result.alpha)),
                (
                    "JSON", "json", "application/json",
                    functools.partial(quant.palette_json, result.palette, result.counts, alpha=result.alpha if facts.has_alpha else None),
                ),
                ("CSV", "csv", "text/csv", functools.partial(quant.palette_csv, result.palette, result.counts)),
                ("Hex codes (.txt)", "txt", "text/plain", functools.partial(hex_lines, result.palette)),
                (
                    "Adobe swatches (.ase)", "ase", "application/octet-stream",
                    functools.partial(quant.palette_ase, result.palette, names=entry_names(result.palette, result.alpha)),
                ),
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
    return measures, png_button


ref, settings = layout.page_setup()
stem = text.file_stem(ref.name)

st.title("Reconstructions")
st.markdown(
    "The picture rebuilt from a palette of *k* colours: each pixel takes the colour of "
    "its palette entry. Watch smooth gradients turn into bands as *k* shrinks, and "
    "compare with a palette of colours drawn at random. Below the grid, look at any "
    "region at full resolution."
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
if settings.palette:
    tiles.insert(0, (len(settings.palette), cached.BROUGHT))
if with_random:
    tiles.append((RANDOM_SIZE, "random"))
if not tiles:
    st.info("Choose at least one palette size above.", icon=":material/info:")
if cached.facts(ref).has_alpha:
    st.caption(
        ":material/texture: This picture has transparency, shown over a checkerboard. Every palette keeps one "
        "entry for its fully transparent pixels and entries with their own alpha for its soft edges; the PNG "
        "downloads keep them. MSE is measured on premultiplied RGBA, ΔE on both pictures over white."
    )

cells = iter(column for _ in range(0, len(tiles) + 1, COLUMNS) for column in st.columns(COLUMNS))

with next(cells), st.container(key="recon_original", border=True):
    facts = cached.facts(ref)
    original_tile = cached.original_picture(ref, tile=True)
    st.image(original_tile.png, output_format="PNG", alt=text.original_alt(ref.name, facts.width, facts.height, facts.n_colors))
    st.markdown(f"**Original** · {text.colours(facts.n_colors)}")
    plain = "32-bit RGBA" if facts.has_alpha else "24-bit RGB"
    st.caption(f"{facts.width:,} × {facts.height:,} px · {text.file_size(facts.raw_bytes)} as {plain}")

# Each tile is drawn into these slots: by a screen-sized preview first when its dithered
# full-size picture is not made yet, then by the full-size tile with its exact measures.
slots: list[TileSlots] = []
for index in range(len(tiles)):
    with next(cells), st.container(key=f"recon_{index}", border=True):
        slots.append(TileSlots(picture=st.empty(), heading=st.empty(), measures=st.empty(), strip=st.empty(), buttons=st.empty()))
edits_of = [entry_inspector.tile_edits(ref, n_colors, method, settings) for n_colors, method in tiles]

previewed: list[int] = []
if cached_previews.previews_needed(ref, tiles, settings):
    # An edited tile is shown only as itself, once its full-size picture is made.
    previewed = [index for index, edits in enumerate(edits_of) if not edits]
    previews = cached_previews.tile_previews(ref, [tiles[index] for index in previewed], settings)
    for preview, index in zip(previews, previewed):  # the previews first: zip asks them for their end
        draw_preview(index, preview, slots[index])

# Filled in once every tile is on screen: the full-size PNG's size and its download.
png_slots: list[tuple[int, int, str, cached_entries.Edits, str, DeltaGenerator, DeltaGenerator]] = []
results = cached.reconstructions(ref, tiles, settings)
for index, (n_colors, method) in enumerate(tiles):
    edits = edits_of[index]
    # A preview's caption already says its full-size picture is being made.
    waiting = contextlib.nullcontext() if index in previewed else st.spinner(f"{n_colors} colours with {state.METHOD_LABELS[method]}…")
    with slots[index].measures, waiting:
        result = next(results)
        if edits:
            result = cached_entries.edited_tile(ref, n_colors, settings, edits, method=method)
    measures, png_button = draw_tile(index, n_colors, method, result, edits, slots[index])
    png_slots.append((index, n_colors, method, edits, measures, slots[index].measures, png_button))

if tiles:
    st.subheader("Look closer: the full-size pixels")
    st.markdown(
        "The tiles above are shrunk to fit the screen, which hides what quantization does "
        "to fine detail. Here a region of the full-size image is cut out pixel for pixel, "
        "the original beside its reconstruction or laid over it: banding, lost texture and dithering "
        "noise show as they are in the PNG."
    )
    if st.session_state[state.RECON_DETAIL_TILE] >= len(tiles):
        # The tile it showed was removed above.
        st.session_state[state.RECON_DETAIL_TILE] = 0
    controls, locator = st.columns([2, 1], gap="large")
    with controls:
        chosen = st.selectbox(
            "Reconstruction",
            options=list(range(len(tiles))),
            format_func=lambda i: tile_title(*tiles[i]),
            key=state.RECON_DETAIL_TILE,
        )
        zoom = st.segmented_control(
            "Magnification", options=list(ZOOMS), format_func=ZOOMS.__getitem__, key=state.RECON_DETAIL_ZOOM,
            help="2:1 draws every pixel as a 2 × 2 block, for the smallest details.",
        ) or 1
        view = st.segmented_control(
            "View", options=list(VIEWS), format_func=VIEWS.__getitem__, key=state.RECON_DETAIL_VIEW,
            help="Before / after lays the original over the reconstruction: drag across the picture, or the slider under it.",
        ) or "side"
        across = st.slider("Across (% of the width)", 0, 100, key=state.RECON_DETAIL_X)
        down = st.slider("Down (% of the height)", 0, 100, key=state.RECON_DETAIL_Y)
    n_colors, method = tiles[chosen]
    centre = (round(down / 100 * (facts.height - 1)), round(across / 100 * (facts.width - 1)))
    with st.spinner("Cutting the region from the full-size images…"):
        region = cached_entries.edited_detail(
            ref, n_colors, settings, entry_inspector.tile_edits(ref, n_colors, method, settings),
            centre=centre, zoom=zoom, method=method,
        )
    with locator:
        where = text.region_words(region.left, region.top, region.width, region.height)
        st.image(
            region.locator_png, output_format="PNG",
            alt=f"A small copy of {ref.name} with the region of {where} outlined in red",
        )
        st.caption(
            f"Pixels {region.left:,}–{region.left + region.width - 1:,} across, "
            f"{region.top:,}–{region.top + region.height - 1:,} down, of {facts.width:,} × {facts.height:,}."
        )
    if view == "slider":
        with st.container(key="recon_detail_slider"):
            st.html(
                pictures.before_after_html(
                    region.original_png,
                    region.reconstruction_png,
                    width=region.width * zoom,
                    height=region.height * zoom,
                    before_label="Original",
                    after_label=f"{n_colors} colours",
                    element_id=f"recon-before-after-{chosen}-{zoom}",
                    before_alt=f"The original {ref.name}, {where}, at {ZOOMS[zoom]}",
                    after_alt=f"The same {where} of {picture_alt(n_colors, method)}, at {ZOOMS[zoom]}",
                ),
                unsafe_allow_javascript=True,  # our own script; the labels and alt text are escaped
            )
            st.caption(f"Original (left of the line) over {tile_title(n_colors, method)} · {ZOOMS[zoom]}")
    else:
        with st.container(horizontal=True, gap="medium", key="recon_detail"):
            with st.container(width="content", key="recon_detail_original"):
                st.image(
                    region.original_png, width=region.width * zoom, output_format="PNG",
                    alt=f"The original {ref.name}, {where}, at {ZOOMS[zoom]}",
                )
                st.caption(f"Original · {ZOOMS[zoom]}")
            with st.container(width="content", key="recon_detail_result"):
                st.image(
                    region.reconstruction_png, width=region.width * zoom, output_format="PNG",
                    alt=f"The same {where} of {picture_alt(n_colors, method)}, at {ZOOMS[zoom]}",
                )
                st.caption(f"{tile_title(n_colors, method)} · {ZOOMS[zoom]}")

# The view is on screen; now the full-size files.
made = cached.indexed_pngs(ref, [(n_colors, method) for _, n_colors, method, *_ in png_slots], settings)
for (index, n_colors, method, edits, measures, png_size, png_button), png in zip(png_slots, made):
    if edits:
        png = cached_entries.edited_png(ref, n_colors, settings, edits, method=method)
    png_size.caption(f"{measures} · indexed PNG {text.file_size(len(png))}", help="The real size of the full-size indexed PNG file.")
    png_button.download_button(
        "PNG",
        # Made again on click only if the store has dropped it meanwhile.
        data=functools.partial(cached_entries.edited_png, ref, n_colors, settings, edits, method=method),
        file_name=f"{stem}-{n_colors}-{method}{'-edited' if edits else ''}.png",
        mime="image/png",
        key=f"recon_{index}_png",
        on_click="ignore",
        icon=":material/download:",
        help="The full-size indexed (palette) PNG.",
    )

if tiles:
    entry_inspector.render(ref, settings, tiles, tile_title)

quality_target.render(ref, settings)
