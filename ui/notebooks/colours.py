"""The lessons of the Image and Colour space pages: what the picture's colours are.

Image: the distinct colours counted, the storage sums, real indexed PNGs. Colour
space: a frequency-weighted sample of the colours as points in RGB (or CIELAB), with
the palette's centres, fitted or brought. The conventions of every lesson are in
:mod:`ui.notebooks.pages`."""

from __future__ import annotations

from ui.notebooks.cells import (
    Cell,
    PagePlan,
    and_list,
    brought_cells,
    code,
    fixed_argument,
    markdown,
    method_words,
    sidebar_settings,
)
from ui.notebooks.settings import (
    CLOUD_SAMPLES,
    SPACE_LABELS,
    STORAGE_SIZES,
    NotebookSettings,
    brought_hex,
)
from ui.notebooks import transparency

__all__ = ["colour_space_page", "image_page"]


# --- Image --------------------------------------------------------------------------


def image_page(settings: NotebookSettings) -> PagePlan:
    """Image: distinct colours, the storage sums, real indexed PNGs."""
    fixed = fixed_argument(settings, "k")
    alpha = settings.has_alpha
    cells = [
        markdown(transparency.DISTINCT_WORDS) if alpha else markdown(
            """
            ## Distinct colours

            How many different colours does the picture use? Pack each pixel's red, green
            and blue into one whole number, `red × 65,536 + green × 256 + blue` (the bits
            side by side), and count the different numbers with `np.unique`. The teaching
            notebook ran `np.unique(pixels, axis=0)` on the rows of three numbers: the same
            count, several times slower. `quant.count_colors`, the page's count, tallies the
            codes with `np.bincount` over all 2²⁴ possible colours instead of sorting them.
            """
        ),
        code(transparency.DISTINCT) if alpha else code(
            """
            codes = (pixels[:, 0].astype(np.uint32) << 16) | (pixels[:, 1].astype(np.uint32) << 8) | pixels[:, 2]
            n_distinct = len(np.unique(codes))
            print(f"Distinct colours: {n_distinct}")
            print(f"quant.count_colors agrees: {n_distinct == quant.count_colors(image)}")
            """
        ),
        markdown(transparency.STORAGE_WORDS) if alpha else markdown(
            """
            ## Storage

            Stored plainly, every pixel takes **24 bits**, 8 each for red, green and blue.
            With a palette of *k* colours a pixel needs only the number of its colour,
            **⌈log₂ k⌉ bits**, plus the palette itself once (24 bits per colour).
            `quant.storage` does the same sums.
            """
        ),
        code(transparency.STORAGE) if alpha else code(
            """
            import math

            raw_bytes = 24 * len(pixels) // 8
            print(f"All colours (24-bit): {raw_bytes} bytes")
            for k in STORAGE_SIZES:
                index_bits = max(1, math.ceil(math.log2(k)))  # bits of one palette index
                total_bits = index_bits * len(pixels) + 24 * k  # the indices, plus the palette once
                assert total_bits == quant.storage(len(pixels), k).indexed_bits
                print(
                    f"{k} colours: {index_bits} bits a pixel + {3 * k} bytes of palette = {total_bits // 8} bytes, "
                    f"{24 * len(pixels) / total_bits:.1f} times smaller"
                )
            """
        ),
        markdown(
            f"""
            ## Real indexed PNG files

            A PNG file can hold exactly that: a palette and one index a pixel (an *indexed*
            PNG), and it compresses the indices too, so it usually beats the plain sums.
            Here are real ones, with palettes made by {method_words(settings)} (the
            settings): `quant.quantize` picks the palette and maps every pixel to it,
            `quant.indexed_png` writes the file.{transparency.PNG_WORDS if alpha else ""}
            """
        ),
        code(
            f"""
            for k in STORAGE_SIZES:
                result = quant.quantize(
                    image, k, method=METHOD, space=SPACE, seed=SEED, dither=DITHER, dither_kind=DITHER_KIND{fixed}
                )
                print(f"PNG {{k}}: {{len(quant.indexed_png(result))}} bytes")
                print(f"MSE {{k}}: {{result.mse:.2f}}")
            """
        ),
        markdown(transparency.BY_HAND_PNG_WORDS) if alpha else markdown(
            """
            `quant.indexed_png` is plain Pillow: an image of palette indices with the
            palette attached. The same by hand, for the largest palette:
            """
        ),
        code(transparency.BY_HAND_PNG) if alpha else code(
            """
            import io

            indexed = Image.fromarray(result.labels)  # one byte a pixel: the number of its colour
            indexed.putpalette(result.palette.ravel().tolist())  # attaching a palette makes it a "P" image
            buffer = io.BytesIO()
            indexed.save(buffer, format="PNG")
            print(f"By hand: {len(buffer.getvalue())} bytes")
            print(f"Decodes to the reconstruction: {np.array_equal(np.array(indexed.convert('RGB')), result.image)}")
            Image.fromarray(quant.downscale(result.image, 1_000_000))
            """
        ),
        markdown(
            """
            ## How k-means picks a palette

            Think of every pixel as a point in a cube whose axes are red, green and blue.
            A photo's points crowd into a few clouds: sky blues, skin tones, foliage greens.
            **k-means** places *k* centres in the cube and repeats two steps until they stop
            moving: give every pixel to its nearest centre; move every centre to the average
            colour of its pixels. The centres are the palette. The *Colour space* and
            *k-means step by step* pages (and their notebooks) show it happening.
            """
        ),
    ]
    view = f"real indexed PNGs for {and_list([str(k) for k in STORAGE_SIZES])} colours by {method_words(settings)}"
    rows = sidebar_settings(settings) + [("STORAGE_SIZES", list(STORAGE_SIZES), "palette sizes of the real PNG files")]
    return PagePlan("Image", view, rows, cells)




# --- Colour space --------------------------------------------------------------------


def colour_space_page(settings: NotebookSettings) -> PagePlan:
    """Colour space: a weighted sample of the colours in 3D and on three planes, with the palette's centres."""
    fixed = fixed_argument(settings, "K")
    alpha = settings.has_alpha
    lab = settings.space == "lab"
    where = (
        "a point in CIELAB, the space where k-means measures its distances when `SPACE` is "
        '`"lab"`: **L\\*** is lightness (up), **a\\*** runs from green to red and **b\\*** from '
        "blue to yellow, and equal distances look about equally different"
        if lab
        else "a point in the RGB cube: red, green and blue are its three axes"
    )
    cells = [
        markdown(
            f"""
            ## The colours as points

            Every pixel is {where}. A photo has tens of thousands of distinct colours and
            millions of pixels; a few thousand points show the shape. `quant.sample_colors`
            draws {CLOUD_SAMPLES:,} distinct colours, each with a chance proportional to its
            pixel count, so common colours are likely and rare ones still appear (seed 0,
            as the page, whatever `SEED` says). By hand: `np.unique(codes,
            return_counts=True)` for the colours and their counts, then
            `np.random.default_rng(0).choice(len(colours), {CLOUD_SAMPLES}, replace=False,
            p=counts / counts.sum())`: the same kind of sample, not the same colours.{transparency.CLOUD_WORDS if alpha else ""}
            """
        ),
        code(transparency.CLOUD_SAMPLE) if alpha else code(
            """
            sample = quant.sample_colors(image, CLOUD_SAMPLES, seed=0)
            print(f"Distinct colours: {quant.count_colors(image)}")
            print(f"Drawn: {len(sample.colors)}")
            """
        ),
    ]
    cells += _brought_centres(settings) if brought_hex(settings) else _fitted_centres(settings, fixed)
    if alpha:
        cells.append(code(transparency.CLOUD_CENTRES))
    cells += [
        markdown(
            "## The cloud in 3D\n\n"
            "Each point is drawn in its own colour"
            + (" (or its centre's, with `BY_CENTRE`)" if not settings.by_centre else ", here its centre's (`BY_CENTRE`)")
            + "; the outlined markers are the palette's centres, their area growing with the share "
            "of pixels nearest to them. Drag to turn the view."
            + (" Lightness is up; one ΔE unit is the same length on every axis." if lab else "")
            + (" Pinned colours are the diamonds." if settings.pins and not brought_hex(settings) else "")
        ),
        code(
            """
            from skimage.color import rgb2lab

            if SPACE == "rgb":
                AXES = ["red", "green", "blue"]
                PLANES = [(0, 1), (0, 2), (1, 2)]  # red–green, red–blue, green–blue
                SCENE = [0, 1, 2]  # red, green, blue across, deep and up
            else:
                AXES = ["L* (lightness)", "a* (green–red)", "b* (blue–yellow)"]
                PLANES = [(1, 2), (1, 0), (2, 0)]  # a*–b*, a*–L*, b*–L*
                SCENE = [1, 2, 0]  # a* and b* across, lightness up


            def coordinates(colors):
                \"\"\"Where colours sit in SPACE: RGB itself, or CIELAB (L*, a*, b*).\"\"\"
                if SPACE == "rgb":
                    return colors.astype(np.float64)
                return rgb2lab(colors.reshape(-1, 1, 3) / 255).reshape(-1, 3)


            centre_hex = np.array(quant.palette_hex(palette))
            if BY_CENTRE:
                point_colors = centre_hex[quant.assign_colors(sample.colors, palette, space=SPACE)]
            else:
                point_colors = quant.palette_hex(sample.colors)
            share = counts / counts.sum()
            centre_sizes = 6 + 24 * np.sqrt(share / share.max())  # a marker's area grows with its share
            points_at, centres_at = coordinates(sample.colors), coordinates(palette)
            x, y, z = SCENE

            cloud = go.Figure(
                [
                    go.Scatter3d(
                        x=points_at[:, x], y=points_at[:, y], z=points_at[:, z], mode="markers", name="colours",
                        marker={"size": 2.5, "color": point_colors}, hoverinfo="skip",
                    ),
                    go.Scatter3d(
                        x=centres_at[:, x], y=centres_at[:, y], z=centres_at[:, z], mode="markers", name="centres",
                        marker={
                            "size": centre_sizes, "color": centre_hex, "line": {"color": "#111111", "width": 3},
                            "symbol": np.where(pinned_entries, "diamond", "circle"),  # pinned colours as diamonds
                        },
                        text=[f"{hex_code}: {part:.1%} of the pixels" for hex_code, part in zip(centre_hex, share)],
                        hoverinfo="text",
                    ),
                ]
            )
            cloud.update_layout(
                height=640, showlegend=False, margin={"l": 0, "r": 0, "t": 10, "b": 0},
                scene={
                    "xaxis_title": AXES[x], "yaxis_title": AXES[y], "zaxis_title": AXES[z],
                    "aspectmode": "cube" if SPACE == "rgb" else "data",
                },
            )
            cloud.show()
            """
        ),
        markdown(
            """
            ## Three views from the sides

            The teaching notebook's flat views: the same points seen along each axis in turn.
            """
        ),
        code(
            """
            from plotly.subplots import make_subplots

            planes = make_subplots(rows=1, cols=3, subplot_titles=[f"{AXES[a]} – {AXES[b]}" for a, b in PLANES])
            for column, (a, b) in enumerate(PLANES, start=1):
                planes.add_trace(
                    go.Scattergl(x=points_at[:, a], y=points_at[:, b], mode="markers", marker={"size": 3, "color": point_colors}),
                    row=1, col=column,
                )
                planes.add_trace(
                    go.Scatter(
                        x=centres_at[:, a], y=centres_at[:, b], mode="markers",
                        marker={
                            "size": centre_sizes * 0.85, "color": centre_hex, "line": {"color": "#111111", "width": 2},
                            "symbol": np.where(pinned_entries, "diamond", "circle"),
                        },
                    ),
                    row=1, col=column,
                )
                planes.update_xaxes(title_text=AXES[a], row=1, col=column)
                planes.update_yaxes(title_text=AXES[b], row=1, col=column)
            planes.update_layout(height=380, showlegend=False)
            planes.show()
            """
        ),
    ]
    if brought_hex(settings):
        view = f"the {len(brought_hex(settings))} colours of your palette, mapped in {SPACE_LABELS[settings.space]}"
    else:
        view = f"a palette of {settings.k} colours by {method_words(settings)}"
    # With a palette brought, its colours are the centres: no K to choose.
    rows = sidebar_settings(settings, dithering=False) + [
        *([] if brought_hex(settings) else [("K", settings.k, "number of colours, 2 to 128")]),
        ("BY_CENTRE", settings.by_centre, "paint each point in the colour of its centre"),
        ("CLOUD_SAMPLES", CLOUD_SAMPLES, "colours drawn for the cloud"),
    ]
    return PagePlan("Colour space", view, rows, cells)


def _fitted_centres(settings: NotebookSettings, fixed: str) -> list[Cell]:
    """Colour space: the palette fitted with the sidebar's method, and scikit-learn's beside it."""
    alpha = settings.has_alpha
    return [
        markdown(
            f"""
            ## The palette

            `quant.fit_palette` finds the palette the page drew, {method_words(settings)},
            without rebuilding the picture. Its k-means runs on the image's distinct colours
            weighted by their pixel counts (the same as on every pixel, and far quicker):
            several k-means++ starts on a coarse grid of colours, the best continued on the
            exact colours until nothing moves. The error is exact: the mean squared
            difference over every pixel and channel, on the 0–255 scale.{transparency.FIT_WORDS if alpha else ""}
            """
        ),
        code(
            f"""
            fit = quant.fit_palette(image, K, method=METHOD, space=SPACE, seed=SEED{fixed})
            palette, counts, pinned_entries = fit.palette, fit.counts, fit.pinned
            print(f"MSE {{K}}: {{fit.mse:.2f}}")
            print(f"{{fit.k}} colours, largest share first:", " ".join(quant.palette_hex(fit.palette)))
            """
        ),
        markdown(
            f"""
            ### The same with scikit-learn, as in the teaching notebook

            `MiniBatchKMeans` fits the pixels themselves, a random batch of them at a time
            (here on at most 300,000 pixels, as quant's `"minibatch"` method does), always in
            RGB. Its palette is usually a little worse than quant's k-means: it never sees all
            the pixels at once and stops early. The notebook also *truncated* the centres to
            whole numbers (`astype(np.uint8)`); rounding them is slightly better.{transparency.CLOUD_SCIKIT_LEARN_WORDS if alpha else ""}
            """
        ),
        code(transparency.CLOUD_SCIKIT_LEARN) if alpha else code(
            """
            from sklearn.cluster import MiniBatchKMeans

            rng = np.random.default_rng(SEED)
            training = pixels if len(pixels) <= 300_000 else pixels[rng.choice(len(pixels), 300_000, replace=False)]
            model = MiniBatchKMeans(n_clusters=min(K, len(training)), random_state=SEED).fit(training)
            sk_palette = np.clip(np.rint(model.cluster_centers_), 0, 255).astype(np.uint8)
            sk_labels = model.predict(pixels)
            sk_mse = np.mean((pixels.astype(np.float64) - sk_palette[sk_labels]) ** 2)
            print(f"MiniBatchKMeans MSE {K}: {sk_mse:.2f}")
            """
        ),
    ]


def _brought_centres(settings: NotebookSettings) -> list[Cell]:
    """Colour space with a palette the visitor brought: its colours are the centres."""
    return [
        *brought_cells(settings, mapping="fit"),
        code("palette, counts, pinned_entries = fit.palette, fit.counts, fit.pinned"),
    ]
