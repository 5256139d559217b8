"""The lessons of the Reconstructions and Compare pages: palettes of several sizes
and methods, the pictures rebuilt from them, and their errors. The conventions of
every lesson are in :mod:`ui.notebooks.pages`."""

from __future__ import annotations

from ui.notebooks.cells import (
    PagePlan,
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
    COMPARE_SIZES,
    COMPARE_TARGETS,
    METHOD_LABELS,
    RANDOM_SIZE,
    WORK_PIXELS,
    NotebookSettings,
    brought_hex,
)
from ui.notebooks import transparency

__all__ = ["compare_page", "reconstructions_page"]


# --- Reconstructions ---------------------------------------------------------------


def reconstructions_page(settings: NotebookSettings) -> PagePlan:
    """Reconstructions: the tiles and their MSE, PSNR, ΔE and PNG size; the teaching notebook's way beside."""
    fixed, random_fixed = fixed_argument(settings, "k"), fixed_argument(settings, "RANDOM_SIZE")
    brought = bool(brought_hex(settings))
    alpha = settings.has_alpha
    # With transparency a tile is shown over a checkerboard (RGBA, or RGB: as it is).
    tile = "on_checkerboard(quant.downscale(picture, 120_000, alpha=picture.shape[-1] == 4))" if alpha else "quant.downscale(picture, 120_000)"
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
            {transparency.MEASURES_WORDS if alpha else ""}
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
        *transparency.png_kept_cells(settings),
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
                grid.add_trace(px.imshow(TILE).data[0], row=index // COLUMNS + 1, col=index % COLUMNS + 1)
            grid.update_xaxes(visible=False)
            grid.update_yaxes(visible=False)
            grid.update_layout(height=300 * rows, margin={"l": 0, "r": 0, "t": 30, "b": 0})
            grid.show()
            """.replace("TILE", tile)
        ),
        markdown(transparency.TEACHING_BY_HAND_WORDS) if alpha else markdown(
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
        code(transparency.TEACHING_BY_HAND) if alpha else code(
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
    """Compare: every method at 2 to 256 colours on the page's working copy, colours needed, the heat map."""
    fixed = fixed_argument(settings, "k")  # every method's palette holds the pins, as on the page
    alpha = settings.has_alpha
    cells = [
        markdown(
            f"""
            ## A working copy

            The page quantizes the picture {len(settings.compare_methods) * len(COMPARE_SIZES)}
            times, so it works on a copy of at most {WORK_PIXELS:,} pixels, made with
            `quant.downscale` (Pillow's box filter: each new pixel the mean of those it
            covers, so no colour is invented). Every number below is measured on that copy.{transparency.WORK_WORDS if alpha else ""}
            """
        ),
        code(
            f"""
            work = quant.downscale(image, WORK_PIXELS{", alpha=True" if alpha else ""})
            print(f"Working copy: {{work.shape[1]}} x {{work.shape[0]}} pixels")
            """
        ),
        markdown(
            f"""
            ## Error against the number of colours

            Every method at every size in `SIZES`, measured four ways by `quant.metrics`
            (MSE, PSNR, SSIM, and the mean CIEDE2000 ΔE). k-means puts its colours where the
            pixels are, so it needs far fewer of them than median cut, octree or a random
            palette for the same quality. This takes a few seconds.{transparency.COMPARE_MEASURES_WORDS if alpha else ""}
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
            f"""
            ## Where the error is

            ΔE of every pixel between the working copy and one reconstruction
            (`HEATMAP`), from `quant.error_map`{", both laid over white" if alpha else ""}. Around 2.3 is the smallest difference most
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
