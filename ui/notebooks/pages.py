"""Each page's lesson: the cells that reproduce its view, after the shared ones.

One function a page, ``(settings) -> PagePlan``: the page's title, a few words on the
view for the introduction, the settings its cells read, and the cells themselves.
The code in the cells reads only the constants of the settings cell, so a student can
change a setting and run the notebook again; the numbers the page showed are printed
as ``LABEL: value`` lines (``MSE 16: 58.31``) that the tests read back.

Where the page's number is ``quant``'s own (its k-means palette, dithering, exact
metrics, indexed PNGs), the cell calls ``quant`` exactly as the dashboard does
(``ui/compute/cached.py``); where it helps, the plain NumPy or scikit-learn way stands
beside it, with the difference said in words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ui.notebooks.cells import (
    Cell,
    Setting,
    and_list,
    brought_cells,
    code,
    fixed_argument,
    markdown,
    method_words,
    sidebar_settings,
    space_words,
)
from ui.notebooks.settings import (
    CLOUD_SAMPLES,
    SPACE_LABELS,
    COMPARE_SIZES,
    COMPARE_TARGETS,
    METHOD_LABELS,
    RANDOM_SIZE,
    STEPS_BATCH_SIZE,
    STEPS_MAX_ITER,
    STEPS_TABLE_MAX_ITER,
    STEPS_TABLE_PIXELS,
    STEPS_TABLE_SEEDS,
    STORAGE_SIZES,
    WORK_PIXELS,
    NotebookSettings,
    brought_hex,
)

__all__ = ["PLANS", "PagePlan"]


@dataclass(frozen=True)
class PagePlan:
    """What a page adds to the shared cells.

    Attributes
    ----------
    title : str
        The page's title, as in the dashboard.
    view : str
        The view's settings in words, for the introduction.
    settings : list of (name, value, comment)
        The constants of the settings cell, after the image's.
    cells : list of Cell
        The lesson, after the picture is loaded.
    """

    title: str
    view: str
    settings: list[Setting]
    cells: list[Cell]


# --- Image --------------------------------------------------------------------------


def image_page(settings: NotebookSettings) -> PagePlan:
    fixed = fixed_argument(settings, "k")
    cells = [
        markdown(
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
        code(
            """
            codes = (pixels[:, 0].astype(np.uint32) << 16) | (pixels[:, 1].astype(np.uint32) << 8) | pixels[:, 2]
            n_distinct = len(np.unique(codes))
            print(f"Distinct colours: {n_distinct}")
            print(f"quant.count_colors agrees: {n_distinct == quant.count_colors(image)}")
            """
        ),
        markdown(
            """
            ## Storage

            Stored plainly, every pixel takes **24 bits**, 8 each for red, green and blue.
            With a palette of *k* colours a pixel needs only the number of its colour,
            **⌈log₂ k⌉ bits**, plus the palette itself once (24 bits per colour).
            `quant.storage` does the same sums.
            """
        ),
        code(
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
            `quant.indexed_png` writes the file.
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
        markdown(
            """
            `quant.indexed_png` is plain Pillow: an image of palette indices with the
            palette attached. The same by hand, for the largest palette:
            """
        ),
        code(
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
    fixed = fixed_argument(settings, "K")
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
            p=counts / counts.sum())`: the same kind of sample, not the same colours.
            """
        ),
        code(
            """
            sample = quant.sample_colors(image, CLOUD_SAMPLES, seed=0)
            print(f"Distinct colours: {quant.count_colors(image)}")
            print(f"Drawn: {len(sample.colors)}")
            """
        ),
    ]
    cells += _brought_centres(settings) if brought_hex(settings) else _fitted_centres(settings, fixed)
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
    return [
        markdown(
            f"""
            ## The palette

            `quant.fit_palette` finds the palette the page drew, {method_words(settings)},
            without rebuilding the picture. Its k-means runs on the image's distinct colours
            weighted by their pixel counts (the same as on every pixel, and far quicker):
            several k-means++ starts on a coarse grid of colours, the best continued on the
            exact colours until nothing moves. The error is exact: the mean squared
            difference over every pixel and channel, on the 0–255 scale.
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
            """
            ### The same with scikit-learn, as in the teaching notebook

            `MiniBatchKMeans` fits the pixels themselves, a random batch of them at a time
            (here on at most 300,000 pixels, as quant's `"minibatch"` method does), always in
            RGB. Its palette is usually a little worse than quant's k-means: it never sees all
            the pixels at once and stops early. The notebook also *truncated* the centres to
            whole numbers (`astype(np.uint8)`); rounding them is slightly better.
            """
        ),
        code(
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


# --- k-means step by step ------------------------------------------------------------


def kmeans_steps_page(settings: NotebookSettings) -> PagePlan:
    cells = [
        markdown(
            """
            ## k-means, one half-step at a time

            k-means looks for the *k* colours that best stand in for all the colours of the
            picture. It starts from *k* guesses and improves them in rounds of two halves:

            1. **assign**: every colour goes to its nearest centre;
            2. **update**: every centre moves to the mean of its colours, weighted by how many
               pixels have each.

            Neither half can raise the error, so it falls until nothing moves. This is plain
            k-means (Lloyd's algorithm) in RGB, with this page's own settings; the sidebar's
            method, colour space and seed are for the other pages. `quant.kmeans_steps` keeps
            every step: `centres` (row 0 the start), `mse` after each assignment and
            `update_mse` half-way through each round, both exact over every pixel.
            """
        ),
        code(
            """
            trace = quant.kmeans_steps(image, K, init=START, seed=STEPS_SEED, max_iter=MAX_ITER)
            state = "converged" if trace.converged else "stopped, still moving a little"
            print(f"{trace.n_steps} iterations, {state}")
            for step in range(trace.n_steps + 1):
                print(f"Lloyd MSE {step}: {trace.mse[step]:.2f}")
            print(f"Empty centres at the end: {int(trace.empty[-1].sum())}")
            """
        ),
        markdown(
            """
            ### The same loop in plain NumPy

            Running k-means on the image's *distinct* colours, each weighted by its pixel
            count, is the same as running it on every pixel, and far quicker. Starting from
            quant's start (`trace.centres[0]`), this loop should land on the same errors. A
            centre that loses all its colours stays where it is (scikit-learn would move it),
            as in quant.
            """
        ),
        code(
            """
            codes = (pixels[:, 0].astype(np.int64) << 16) | (pixels[:, 1].astype(np.int64) << 8) | pixels[:, 2]
            distinct, counts = np.unique(codes, return_counts=True)
            colours = np.stack([distinct >> 16, (distinct >> 8) & 255, distinct & 255], axis=1).astype(np.float64)


            def nearest(centres, chunk=50_000):
                \"\"\"Index of the nearest centre of every distinct colour (squared RGB distance).\"\"\"
                labels = np.empty(len(colours), dtype=np.intp)
                for start in range(0, len(colours), chunk):
                    block = colours[start : start + chunk]
                    # |x - c|² = |x|² - 2 x·c + |c|²; |x|² is the same for every centre.
                    distances = (centres**2).sum(axis=1) - 2 * block @ centres.T
                    labels[start : start + chunk] = distances.argmin(axis=1)
                return labels


            def error(centres, labels):
                \"\"\"Mean squared error over pixels and channels with every colour replaced by its centre.\"\"\"
                return float(counts @ ((colours - centres[labels]) ** 2).sum(axis=1) / (3 * counts.sum()))


            centres = trace.centres[0].copy()
            labels = nearest(centres)
            assign_errors, update_errors = [error(centres, labels)], []
            for step in range(trace.n_steps):
                # Update: every centre moves to the weighted mean of its colours.
                weights = np.bincount(labels, weights=counts, minlength=len(centres))
                sums = np.stack([np.bincount(labels, weights=counts * colours[:, c], minlength=len(centres)) for c in range(3)], axis=1)
                centres = np.where(weights[:, None] > 0, sums / np.maximum(weights, 1)[:, None], centres)
                update_errors.append(error(centres, labels))
                # Assign: every colour goes to its nearest centre.
                labels = nearest(centres)
                assign_errors.append(error(centres, labels))

            for step, value in enumerate(assign_errors):
                print(f"NumPy MSE {step}: {value:.2f}")
            """
        ),
        markdown(
            """
            ### The error after each half-step

            Assign, update, assign, update…: each half lowers the error (or leaves it).
            """
        ),
        code(
            """
            halves = ["start"] + [f"{i + 1} {half}" for i in range(trace.n_steps) for half in ("update", "assign")]
            quant_errors = [trace.mse[0]] + [v for i in range(trace.n_steps) for v in (trace.update_mse[i], trace.mse[i + 1])]
            numpy_errors = [assign_errors[0]] + [v for i in range(trace.n_steps) for v in (update_errors[i], assign_errors[i + 1])]
            errors = go.Figure(
                [
                    go.Scatter(x=halves, y=quant_errors, mode="lines+markers", name="quant.kmeans_steps"),
                    go.Scatter(x=halves, y=numpy_errors, mode="markers", name="NumPy loop", marker={"symbol": "x", "size": 9}),
                ]
            )
            errors.update_layout(height=360, yaxis_title="MSE", xaxis_title="half-step")
            errors.show()
            """
        ),
        markdown(
            """
            ### The colours, the centres and their paths

            A sample of the picture's colours on the red–green plane, each painted in the
            colour of the centre it ends with; the large discs are the final centres, the grey
            lines their paths from the start. Set `STEP` to look at another iteration.
            """
        ),
        code(
            """
            STEP = trace.n_steps  # 0 is the start; try 1, 2, 3...

            sample = quant.sample_colors(image, 1500, seed=0)
            centre_hex = np.array(quant.palette_hex(trace.palette(STEP)))
            paths = go.Figure()
            for path in trace.centres[: STEP + 1].transpose(1, 0, 2):  # one centre's positions, step by step
                paths.add_trace(go.Scatter(x=path[:, 0], y=path[:, 1], mode="lines", line={"color": "#999999", "width": 1}))
            paths.add_trace(
                go.Scattergl(
                    x=sample.colors[:, 0], y=sample.colors[:, 1], mode="markers",
                    marker={"size": 4, "color": centre_hex[trace.labels_of(sample.colors, STEP)]},
                )
            )
            final = trace.centres[STEP]
            paths.add_trace(
                go.Scatter(
                    x=final[:, 0], y=final[:, 1], mode="markers",
                    marker={"size": 16, "color": centre_hex, "line": {"color": "#111111", "width": 2}},
                )
            )
            paths.update_layout(height=520, width=560, showlegend=False, xaxis_title="red", yaxis_title="green")
            paths.update_xaxes(range=[0, 255])
            paths.update_yaxes(range=[0, 255], scaleanchor="x")
            paths.show()

            # The picture rebuilt from that step's centres, beside the original.
            small = quant.downscale(image, 200_000)
            rebuilt = trace.palette(STEP)[trace.labels_of(small, STEP)].reshape(small.shape)
            Image.fromarray(np.hstack([small, rebuilt]))
            """
        ),
        markdown(
            f"""
            ## MiniBatch k-means, the teaching notebook's method

            scikit-learn's `MiniBatchKMeans` never looks at the whole picture at once: each
            step draws a batch of {STEPS_BATCH_SIZE:,} random pixels and nudges every centre
            toward the ones nearest to it, a little less each time. From the same start, its
            centres jitter where Lloyd's settle. This is the loop `quant.minibatch_steps`
            runs (one `partial_fit` a step), its error measured exactly as above.
            """
        ),
        code(
            """
            import warnings

            from sklearn.cluster import MiniBatchKMeans

            batch_size = max(BATCH_SIZE, K)
            batches = np.random.default_rng(STEPS_SEED)
            model = MiniBatchKMeans(
                n_clusters=trace.k, init=trace.centres[0], n_init=1, batch_size=batch_size, random_state=STEPS_SEED
            )
            minibatch_errors = [error(trace.centres[0], nearest(trace.centres[0]))]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # repeated pixels in a batch, and a given start, are expected
                for _ in range(MAX_ITER):
                    batch = pixels[batches.integers(0, len(pixels), size=batch_size)].astype(np.float64)
                    model.partial_fit(batch)
                    minibatch_errors.append(error(model.cluster_centers_, nearest(model.cluster_centers_)))

            quant_minibatch = quant.minibatch_steps(
                image, K, init=START, seed=STEPS_SEED, max_iter=MAX_ITER, batch_size=batch_size
            )
            print(f"MiniBatch MSE {MAX_ITER}: {minibatch_errors[-1]:.2f}")
            print(f"quant.minibatch_steps MSE {MAX_ITER}: {quant_minibatch.mse[-1]:.2f}")
            print(f"Lloyd's MSE at step {min(MAX_ITER, trace.n_steps)}: {trace.mse[min(MAX_ITER, trace.n_steps)]:.2f}")

            steps = go.Figure(
                [
                    go.Scatter(y=trace.mse, mode="lines+markers", name="Lloyd (every colour)"),
                    go.Scatter(y=minibatch_errors, mode="lines+markers", name=f"MiniBatch ({batch_size} pixels a step)"),
                ]
            )
            steps.update_layout(height=340, xaxis_title="step", yaxis_title="MSE over every pixel")
            steps.show()
            """
        ),
        markdown(
            f"""
            ## Ten seeds, three starts

            k-means ends where its start leads it. Here it runs from ten seeds for each of
            the three starts (`quant.INITS`: k-means++, random colours of the image, colours
            uniform in the RGB cube) to convergence, on a copy of at most
            {STEPS_TABLE_PIXELS:,} pixels as the page does, to stay quick: the spread of the
            final errors shows the local minima. **k-means++** spreads its first centres out,
            choosing each new one far from those already placed, so it usually ends lower.
            """
        ),
        code(
            """
            copy = quant.downscale(image, TABLE_PIXELS)
            finals = {}
            for init in quant.INITS:
                runs = [quant.kmeans_steps(copy, K, init=init, seed=seed, max_iter=TABLE_MAX_ITER) for seed in TABLE_SEEDS]
                finals[init] = [run.mse[-1] for run in runs]
                mean_steps = np.mean([run.n_steps for run in runs])
                print(f"{init}: final MSE {min(finals[init]):.1f} to {max(finals[init]):.1f}, {mean_steps:.0f} steps on average")

            spread = go.Figure(
                [go.Scatter(x=values, y=[init] * len(values), mode="markers", name=init, text=[f"seed {s}" for s in TABLE_SEEDS])
                 for init, values in finals.items()]
            )
            spread.update_layout(height=260, xaxis_title="final MSE", showlegend=False)
            spread.show()
            """
        ),
    ]
    view = f"k = {settings.steps_k}, starting from {settings.start} with seed {settings.steps_seed}"
    rows: list[Setting] = [
        ("K", settings.steps_k, "number of centres, 2 to 64"),
        ("START", settings.start, '"k-means++", "random" (colours of the image) or "uniform" (anywhere in the RGB cube)'),
        ("STEPS_SEED", settings.steps_seed, "seed of the start"),
        ("MAX_ITER", STEPS_MAX_ITER, "most iterations shown"),
        ("BATCH_SIZE", STEPS_BATCH_SIZE, "pixels a MiniBatch step (at least K)"),
        ("TABLE_PIXELS", STEPS_TABLE_PIXELS, "pixel budget of the copy the seed table runs on"),
        ("TABLE_MAX_ITER", STEPS_TABLE_MAX_ITER, "most iterations of a run in the seed table"),
        ("TABLE_SEEDS", list(STEPS_TABLE_SEEDS), "seeds of the table, for each start"),
    ]
    return PagePlan("k-means step by step", view, rows, cells)


# --- Reconstructions ---------------------------------------------------------------


def reconstructions_page(settings: NotebookSettings) -> PagePlan:
    fixed, random_fixed = fixed_argument(settings, "k"), fixed_argument(settings, "RANDOM_SIZE")
    brought = bool(brought_hex(settings))
    cells = [
        *brought_cells(settings, mapping="picture"),
        markdown(
            f"""
            ## The reconstructions

            Each palette size in `SIZES` by {method_words(settings)}: `quant.quantize` picks
            the palette and rebuilds the picture with each pixel in the colour of its palette
            entry; `quant.metrics` measures the error four ways (here three, as the page's
            tiles: SSIM is left out); `quant.indexed_png` makes the indexed PNG file whose
            size the page showed. (The page does the same in two halves,
            `quant.fit_palette` then `quant.apply_palette`, to show the palette first; the
            result is the same, bit for bit.)

            * **MSE**: mean squared difference over pixels and channels, 0–255 scale;
            * **PSNR**: the MSE in decibels, `10 log₁₀(255² / MSE)`, higher is better;
            * **ΔE**: mean CIEDE2000 colour difference; about 1 is invisible side by side,
              2.3 the smallest difference most people notice.
            """
        ),
        code(
            f"""
            tiles = {{"Original": image{', "Your palette": brought_image' if brought else ''}}}
            for k in SIZES:
                result = quant.quantize(
                    image, k, method=METHOD, space=SPACE, seed=SEED, dither=DITHER, dither_kind=DITHER_KIND{fixed}
                )
                measures = quant.metrics(image, result, ssim=False)
                tiles[f"{{k}} colours"] = result.image
                print(f"MSE {{k}}: {{measures.mse:.2f}}")
                print(f"PSNR {{k}}: {{measures.psnr:.2f}} dB")
                print(f"ΔE {{k}}: {{measures.delta_e:.3f}}")
                print(f"PNG {{k}}: {{len(quant.indexed_png(result))}} bytes")
                print(f"Palette {{k}}:", " ".join(quant.palette_hex(result.palette)), "\\n")
            """
        ),
        markdown(
            """
            ## A random palette

            For comparison, `RANDOM_SIZE` colours drawn uniformly from the RGB cube (quant's
            `"random"` method), every pixel mapped to the nearest of them. Most of them land
            where the picture has no colour at all.
            """
        ),
        code(
            f"""
            if RANDOM_SIZE:
                result = quant.quantize(
                    image, RANDOM_SIZE, method="random", space=SPACE, seed=SEED, dither=DITHER, dither_kind=DITHER_KIND{random_fixed}
                )
                measures = quant.metrics(image, result, ssim=False)
                tiles[f"random {{RANDOM_SIZE}}"] = result.image
                print(f"MSE random {{RANDOM_SIZE}}: {{measures.mse:.2f}}")
                print(f"PSNR random {{RANDOM_SIZE}}: {{measures.psnr:.2f}} dB")
                print(f"ΔE random {{RANDOM_SIZE}}: {{measures.delta_e:.3f}}")
                print(f"PNG random {{RANDOM_SIZE}}: {{len(quant.indexed_png(result))}} bytes")
            """
        ),
        markdown(
            """
            ## The tiles

            Shrunk to fit the screen (which hides fine detail: look at `result.image` at full
            size, or crop it, to see the banding and the dithering noise).
            """
        ),
        code(
            """
            from plotly.subplots import make_subplots

            COLUMNS = 3
            rows = -(-len(tiles) // COLUMNS)
            grid = make_subplots(rows=rows, cols=COLUMNS, subplot_titles=list(tiles), horizontal_spacing=0.02, vertical_spacing=0.06)
            for index, picture in enumerate(tiles.values()):
                # px.imshow sends a picture as a PNG; its one trace goes into the grid.
                grid.add_trace(px.imshow(quant.downscale(picture, 120_000)).data[0], row=index // COLUMNS + 1, col=index % COLUMNS + 1)
            grid.update_xaxes(visible=False)
            grid.update_yaxes(visible=False)
            grid.update_layout(height=300 * rows, margin={"l": 0, "r": 0, "t": 30, "b": 0})
            grid.show()
            """
        ),
        markdown(
            """
            ## By hand, as in the teaching notebook

            The notebook the dashboard grew from made its palette with scikit-learn's
            `MiniBatchKMeans` on the pixels (here at most 300,000 of them), truncated the
            centres to whole numbers, and rebuilt the picture by indexing the palette with
            each pixel's label; its random palette was matched with `NearestNeighbors`. No
            dithering here. Expect a somewhat higher error than quant's k-means, which runs
            to convergence on every colour, weighted by its count. The random palette below
            is the same draw as quant's `"random"` method, so in RGB, without dithering and
            without pins both give the same error.
            """
        ),
        code(
            """
            from sklearn.cluster import MiniBatchKMeans
            from sklearn.neighbors import NearestNeighbors

            k = 32 if 32 in SIZES or not SIZES else SIZES[-1]
            rng = np.random.default_rng(SEED)
            training = pixels if len(pixels) <= 300_000 else pixels[rng.choice(len(pixels), 300_000, replace=False)]
            model = MiniBatchKMeans(n_clusters=min(k, len(training)), random_state=SEED).fit(training)
            palette = model.cluster_centers_.astype(np.uint8)  # truncated, as the notebook did
            by_hand = palette[model.predict(pixels)].reshape(image.shape)
            print(f"By hand, MiniBatchKMeans MSE {k}: {np.mean((image.astype(np.float64) - by_hand) ** 2):.2f}")

            # The very draw of quant's "random" method: in RGB the two errors agree.
            random_palette = np.random.default_rng(SEED).integers(0, 256, size=(RANDOM_SIZE or 32, 3), dtype=np.uint8)
            matches = NearestNeighbors(n_neighbors=1).fit(random_palette).kneighbors(pixels, return_distance=False)
            by_hand_random = random_palette[matches[:, 0]].reshape(image.shape)
            print(f"By hand, random palette MSE: {np.mean((image.astype(np.float64) - by_hand_random) ** 2):.2f}")
            Image.fromarray(quant.downscale(np.hstack([by_hand, by_hand_random]), 400_000))
            """
        ),
    ]
    if settings.quality_target is not None:
        all_pins = ", fixed=pinned" if settings.pins else ""  # the search keeps every pin, as on the page
        cells += [
            markdown(
                """
                ## The smallest palette for a quality target

                The fewest colours whose mean ΔE is at most `TARGET`, found by
                `quant.smallest_palette` with the settings' method, space and seed, without
                dithering: the size *k* it returns meets the target and *k* − 1 does not.
                """
            ),
            code(
                f"""
                smallest = quant.smallest_palette(image, max_delta_e=TARGET, method=METHOD, space=SPACE, seed=SEED{all_pins})
                measures = quant.metrics(image, smallest, ssim=False)
                print(f"Smallest palette: {{smallest.n_colors}} colours")
                print(f"ΔE smallest: {{measures.delta_e:.3f}}")
                print(f"MSE smallest: {{measures.mse:.2f}}")
                print(f"PNG smallest: {{len(quant.indexed_png(smallest))}} bytes")
                """
            ),
        ]
    view = _tiles_words(settings)
    rows = sidebar_settings(settings) + [
        ("SIZES", list(settings.sizes), "palette sizes, 2 to 256"),
        ("RANDOM_SIZE", RANDOM_SIZE if settings.with_random else None, "colours of the random palette; None for none"),
    ]
    if settings.quality_target is not None:
        rows.append(("TARGET", settings.quality_target, "the largest mean ΔE accepted"))
    return PagePlan("Reconstructions", view, rows, cells)


def _tiles_words(settings: NotebookSettings) -> str:
    """``"palettes of 16, 32 and 64 colours by k-means in RGB, seed 0, and a random
    32-colour palette"``: the tiles, in words."""
    parts = ["your palette"] if brought_hex(settings) else []
    if settings.sizes:
        parts.append(f"palettes of {and_list([str(k) for k in settings.sizes])} colours by {method_words(settings)}")
    if settings.with_random:
        parts.append(f"a random {RANDOM_SIZE}-colour palette")
    return and_list(parts) if parts else "no palette sizes chosen"


# --- Compare -------------------------------------------------------------------------


def compare_page(settings: NotebookSettings) -> PagePlan:
    fixed = fixed_argument(settings, "k")  # every method's palette holds the pins, as on the page
    cells = [
        markdown(
            f"""
            ## A working copy

            The page quantizes the picture {len(settings.compare_methods) * len(COMPARE_SIZES)}
            times, so it works on a copy of at most {WORK_PIXELS:,} pixels, made with
            `quant.downscale` (Pillow's box filter: each new pixel the mean of those it
            covers, so no colour is invented). Every number below is measured on that copy.
            """
        ),
        code(
            """
            work = quant.downscale(image, WORK_PIXELS)
            print(f"Working copy: {work.shape[1]} x {work.shape[0]} pixels")
            """
        ),
        markdown(
            """
            ## Error against the number of colours

            Every method at every size in `SIZES`, measured four ways by `quant.metrics`
            (MSE, PSNR, SSIM, and the mean CIEDE2000 ΔE). k-means puts its colours where the
            pixels are, so it needs far fewer of them than median cut, octree or a random
            palette for the same quality. This takes a few seconds.
            """
        ),
        code(
            f"""
            points = {{}}
            for method in METHODS:
                for k in SIZES:
                    result = quant.quantize(
                        work, k, method=method, space=SPACE, seed=SEED, dither=DITHER, dither_kind=DITHER_KIND{fixed}
                    )
                    points[method, k] = quant.metrics(work, result, ssim=True)
                    print(f"MSE {{method}} {{k}}: {{points[method, k].mse:.2f}}")
                    print(f"ΔE {{method}} {{k}}: {{points[method, k].delta_e:.3f}}")
            """
        ),
        code(
            """
            LABELS = {"delta_e": "mean ΔE (lower is better)", "mse": "MSE (lower is better)",
                      "psnr": "PSNR in dB (higher is better)", "ssim": "SSIM (higher is better)"}
            curves = go.Figure(
                [
                    go.Scatter(x=SIZES, y=[getattr(points[method, k], MEASURE) for k in SIZES], mode="lines+markers", name=method)
                    for method in METHODS
                ]
            )
            curves.update_xaxes(type="log", tickvals=SIZES, ticktext=[str(k) for k in SIZES], title_text="number of colours (log₂ scale)")
            curves.update_yaxes(title_text=LABELS[MEASURE], type="log" if LOG_AXIS and MEASURE in ("delta_e", "mse") else "linear")
            curves.update_layout(height=420)
            curves.show()
            """
        ),
        markdown(
            """
            ## Colours needed for a given ΔE

            How many colours each method needs for a mean ΔE of at most `TARGET`: exact at
            the measured sizes, in between read off a straight line through the two nearest
            sizes on log–log axes (ΔE falls roughly as a power of *k*).
            """
        ),
        code(
            """
            def colours_needed(delta_e):
                \"\"\"(colours, exact) for a mean ΔE of at most TARGET, or (None, False) if no size reaches it.\"\"\"
                for index, (k, value) in enumerate(zip(SIZES, delta_e)):
                    if value <= TARGET:
                        if index == 0 or value == TARGET or value <= 0:
                            return float(k), True
                        k0, e0 = SIZES[index - 1], delta_e[index - 1]
                        fraction = (np.log(TARGET) - np.log(e0)) / (np.log(value) - np.log(e0))
                        return float(np.exp(np.log(k0) + fraction * (np.log(k) - np.log(k0)))), False
                return None, False


            for method in METHODS:
                needed, exact = colours_needed([points[method, k].delta_e for k in SIZES])
                if needed is None:
                    print(f"Needed {method}: more than {SIZES[-1]}")
                else:
                    print(f"Needed {method}: {'' if exact else '≈ '}{needed:.0f}")
            """
        ),
        markdown("## All the numbers"),
        code(
            """
            print(f"{'method':<12}{'colours':>8}{'MSE':>10}{'PSNR':>8}{'SSIM':>8}{'ΔE':>8}")
            for (method, k), measures in points.items():
                ssim = "—" if measures.ssim is None else f"{measures.ssim:.3f}"  # None: under 7 pixels a side
                print(f"{method:<12}{k:>8}{measures.mse:>10.1f}{measures.psnr:>8.1f}{ssim:>8}{measures.delta_e:>8.2f}")
            """
        ),
        markdown(
            """
            ## Where the error is

            ΔE of every pixel between the working copy and one reconstruction
            (`HEATMAP`), from `quant.error_map`. Around 2.3 is the smallest difference most
            people can see.
            """
        ),
        code(
            f"""
            method, k = HEATMAP
            result = quant.quantize(
                work, k, method=method, space=SPACE, seed=SEED, dither=DITHER, dither_kind=DITHER_KIND{fixed}
            )
            heat = quant.error_map(work, result.image, kind="delta_e")
            print(f"Heat map {{method}} {{k}}: {{heat.mean():.3f}} mean ΔE")
            px.imshow(heat, color_continuous_scale="Inferno", labels={{"color": "ΔE"}}).show()
            """
        ),
    ]
    methods = [METHOD_LABELS[method] for method in settings.compare_methods]
    view = f"{and_list(methods)} at 2 to 256 colours {space_words(settings)}"
    rows = sidebar_settings(settings) + [
        ("METHODS", list(settings.compare_methods), "the methods compared"),
        ("SIZES", list(COMPARE_SIZES), "palette sizes"),
        ("WORK_PIXELS", WORK_PIXELS, "pixel budget of the working copy"),
        ("MEASURE", settings.measure, '"delta_e", "mse", "psnr" or "ssim": the error drawn'),
        ("LOG_AXIS", settings.log_axis, "a logarithmic error axis (for ΔE and MSE)"),
        ("TARGET", settings.target, "mean ΔE for 'colours needed': " + ", ".join(f"{t:g}" for t in COMPARE_TARGETS)),
        ("HEATMAP", settings.heatmap, "(method, colours) of the heat map"),
    ]
    return PagePlan("Compare", view, rows, cells)


PLANS: dict[str, Callable[[NotebookSettings], PagePlan]] = {
    "image": image_page,
    "colour_space": colour_space_page,
    "kmeans_steps": kmeans_steps_page,
    "reconstructions": reconstructions_page,
    "compare": compare_page,
}
"""Page (as in :data:`ui.notebooks.settings.PAGES`) -> its lesson."""
