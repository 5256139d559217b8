"""The lesson of the k-means step by step page: quant's trace of Lloyd's algorithm
beside the same loop in plain NumPy, MiniBatch k-means from the same start, and ten
seeds of three starts. The conventions of every lesson are in :mod:`ui.notebooks.pages`."""

from __future__ import annotations

from ui.notebooks import transparency
from ui.notebooks.cells import (
    PagePlan,
    Setting,
    code,
    fixed_argument,
    markdown,
)
from ui.notebooks.settings import (
    STEPS_BATCH_SIZE,
    STEPS_MAX_ITER,
    STEPS_TABLE_MAX_ITER,
    STEPS_TABLE_PIXELS,
    STEPS_TABLE_SEEDS,
    NotebookSettings,
)

__all__ = ["kmeans_steps_page"]


# --- k-means step by step ------------------------------------------------------------


def kmeans_steps_page(settings: NotebookSettings) -> PagePlan:
    """k-means step by step: quant's trace beside a plain NumPy Lloyd loop, MiniBatch, ten seeds of three starts.

    With pins, every trace keeps the first K - 1 of them as centres that never move
    (``fixed=``), the NumPy and scikit-learn loops hold them still, and the plot draws
    them as diamonds, as the page does."""
    fixed = fixed_argument(settings, "K")
    pins = bool(settings.pins)
    pins_words = (
        " Your pinned colours (`PINNED`, the first *K* − 1 of them) are centres here too: they take part "
        "in every assignment but never move (`trace.pinned` says which)."
        if pins
        else ""
    )
    # Only with pins, the code that holds them still and draws them apart (in f-strings below).
    moving = "(weights[:, None] > 0) & ~trace.pinned[:, None]" if pins else "weights[:, None] > 0"
    moving_words = "an empty centre, and a pin, stays" if pins else "an empty centre stays"
    hold_pins = (
        "\n                    model.cluster_centers_[trace.pinned] = trace.centres[0][trace.pinned]  # pins never move"
        if pins
        else ""
    )
    shapes = ',\n                            "symbol": np.where(trace.pinned, "diamond", "circle")' if pins else ""
    # With transparency, k-means (RGB only) gets the colours of the pixels one can see, as the
    # page does, and the picture rebuilt from a step keeps each pixel's alpha (ui.notebooks.transparency).
    colours, rows = ("visible_image", "visible") if settings.has_alpha else ("image", "pixels")
    rebuild = (
        "small = quant.downscale(image, 200_000, alpha=True)"
        "\n            rebuilt = small.copy()  # each pixel keeps its alpha"
        "\n            rebuilt[..., :3] = trace.palette(STEP)[trace.labels_of(small[..., :3], STEP)].reshape(small.shape[:2] + (3,))"
        "\n            Image.fromarray(on_checkerboard(np.hstack([small, rebuilt])))"
        if settings.has_alpha
        else "small = quant.downscale(image, 200_000)"
        "\n            rebuilt = trace.palette(STEP)[trace.labels_of(small, STEP)].reshape(small.shape)"
        "\n            Image.fromarray(np.hstack([small, rebuilt]))"
    )
    table_copy = (
        "visible_image[:, :: -(-visible_image.shape[1] // TABLE_PIXELS)]  # every so many visible pixels, as they are"
        if settings.has_alpha
        else "quant.downscale(image, TABLE_PIXELS)"
    )
    cells = [
        markdown(
            f"""
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
            `update_mse` half-way through each round, both exact over every pixel.{pins_words}
            """
        ),
        *transparency.steps_cells(settings),
        code(
            f"""
            trace = quant.kmeans_steps({colours}, K, init=START, seed=STEPS_SEED, max_iter=MAX_ITER{fixed})
            state = "converged" if trace.converged else "stopped, still moving a little"
            print(f"{{trace.n_steps}} iterations, {{state}}")
            for step in range(trace.n_steps + 1):
                print(f"Lloyd MSE {{step}}: {{trace.mse[step]:.2f}}")
            print(f"Empty centres at the end: {{int(trace.empty[-1].sum())}}")
            """
        ),
        markdown(
            f"""
            ### The same loop in plain NumPy

            Running k-means on the image's *distinct* colours, each weighted by its pixel
            count, is the same as running it on every pixel, and far quicker. Starting from
            quant's start (`trace.centres[0]`), this loop should land on the same errors. A
            centre that loses all its colours stays where it is (scikit-learn would move it),
            as in quant.{" So does a pin." if pins else ""}
            """
        ),
        code(
            f"""
            codes = ({rows}[:, 0].astype(np.int64) << 16) | ({rows}[:, 1].astype(np.int64) << 8) | {rows}[:, 2]
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
                # Update: every centre moves to the weighted mean of its colours ({moving_words}).
                weights = np.bincount(labels, weights=counts, minlength=len(centres))
                sums = np.stack([np.bincount(labels, weights=counts * colours[:, c], minlength=len(centres)) for c in range(3)], axis=1)
                centres = np.where({moving}, sums / np.maximum(weights, 1)[:, None], centres)
                update_errors.append(error(centres, labels))
                # Assign: every colour goes to its nearest centre.
                labels = nearest(centres)
                assign_errors.append(error(centres, labels))

            for step, value in enumerate(assign_errors):
                print(f"NumPy MSE {{step}}: {{value:.2f}}")
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
            f"""
            STEP = trace.n_steps  # 0 is the start; try 1, 2, 3...

            sample = quant.sample_colors({colours}, 1500, seed=0)
            centre_hex = np.array(quant.palette_hex(trace.palette(STEP)))
            paths = go.Figure()
            for path in trace.centres[: STEP + 1].transpose(1, 0, 2):  # one centre's positions, step by step
                paths.add_trace(go.Scatter(x=path[:, 0], y=path[:, 1], mode="lines", line={{"color": "#999999", "width": 1}}))
            paths.add_trace(
                go.Scattergl(
                    x=sample.colors[:, 0], y=sample.colors[:, 1], mode="markers",
                    marker={{"size": 4, "color": centre_hex[trace.labels_of(sample.colors, STEP)]}},
                )
            )
            final = trace.centres[STEP]
            paths.add_trace(
                go.Scatter(
                    x=final[:, 0], y=final[:, 1], mode="markers",
                    marker={{"size": 16, "color": centre_hex, "line": {{"color": "#111111", "width": 2}}{shapes}}},
                )
            )
            paths.update_layout(height=520, width=560, showlegend=False, xaxis_title="red", yaxis_title="green")
            paths.update_xaxes(range=[0, 255])
            paths.update_yaxes(range=[0, 255], scaleanchor="x")
            paths.show()

            # The picture rebuilt from that step's centres, beside the original.
            {rebuild}
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
            f"""
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
                    batch = {rows}[batches.integers(0, len({rows}), size=batch_size)].astype(np.float64)
                    model.partial_fit(batch){hold_pins}
                    minibatch_errors.append(error(model.cluster_centers_, nearest(model.cluster_centers_)))

            quant_minibatch = quant.minibatch_steps(
                {colours}, K, init=START, seed=STEPS_SEED, max_iter=MAX_ITER, batch_size=batch_size{fixed}
            )
            print(f"MiniBatch MSE {{MAX_ITER}}: {{minibatch_errors[-1]:.2f}}")
            print(f"quant.minibatch_steps MSE {{MAX_ITER}}: {{quant_minibatch.mse[-1]:.2f}}")
            print(f"Lloyd's MSE at step {{min(MAX_ITER, trace.n_steps)}}: {{trace.mse[min(MAX_ITER, trace.n_steps)]:.2f}}")

            steps = go.Figure(
                [
                    go.Scatter(y=trace.mse, mode="lines+markers", name="Lloyd (every colour)"),
                    go.Scatter(y=minibatch_errors, mode="lines+markers", name=f"MiniBatch ({{batch_size}} pixels a step)"),
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
            f"""
            copy = {table_copy}
            finals = {{}}
            for init in quant.INITS:
                runs = [quant.kmeans_steps(copy, K, init=init, seed=seed, max_iter=TABLE_MAX_ITER{fixed}) for seed in TABLE_SEEDS]
                finals[init] = [run.mse[-1] for run in runs]
                mean_steps = np.mean([run.n_steps for run in runs])
                print(f"{{init}}: final MSE {{min(finals[init]):.1f}} to {{max(finals[init]):.1f}}, {{mean_steps:.0f}} steps on average")

            spread = go.Figure(
                [go.Scatter(x=values, y=[init] * len(values), mode="markers", name=init, text=[f"seed {{s}}" for s in TABLE_SEEDS])
                 for init, values in finals.items()]
            )
            spread.update_layout(height=260, xaxis_title="final MSE", showlegend=False)
            spread.show()
            """
        ),
    ]
    n_pins = min(len(settings.pins), settings.steps_k - 1)
    view = f"k = {settings.steps_k}, starting from {settings.start} with seed {settings.steps_seed}" + (
        f", {n_pins} pinned colour{'s' if n_pins > 1 else ''} that never move{'s' if n_pins == 1 else ''}" if n_pins else ""
    )
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
