"""Compare: how the error falls with the number of colours, method against method."""

from __future__ import annotations

import itertools

import streamlit as st

from ui.compute import cached, cached_compare, shared_figures
from ui.figures import compare as compare_figures
from ui.frame import layout, state, text

SIZES = cached_compare.SIZES
ERROR_MEASURES = {
    "delta_e": "mean ΔE (lower is better)",
    "mse": "MSE (lower is better)",
    "psnr": "PSNR in dB (higher is better)",
    "ssim": "SSIM (higher is better)",
}
MEASURE_LABELS = {"delta_e": "ΔE", "mse": "MSE", "psnr": "PSNR", "ssim": "SSIM"}
# Errors that fall over orders of magnitude; PSNR is already logarithmic, SSIM bounded.
LOG_MEASURES = ("delta_e", "mse")
# Mean ΔE targets offered for "colours needed"; 2.3 is a just-noticeable difference.
TARGETS = (1.0, 1.5, 2.0, 2.3, 3.0, 4.0, 5.0, 6.0, 8.0)


def choice_label(choice: tuple[str, int]) -> str:
    method, n_colors = choice
    return f"{state.METHOD_LABELS[method]} · {n_colors} colours"


def needed_words(count: float | None, exact: bool) -> str:
    """A bar of "colours needed" in words, as the chart labels it."""
    if count is None:
        return f"more than {SIZES[-1]}"
    return f"{count:.0f}" if exact else f"about {count:.0f}"


ref, settings = layout.page_setup()
# The sidebar's method joins the comparison when it is not one of the usual four.
methods = cached_compare.methods_for(settings)

st.title("Compare")
st.markdown(
    "The error of the reconstruction for palettes of 2 to 256 colours. k-means puts its "
    "colours where the pixels are, so it needs far fewer of them than median cut, octree "
    "or a random palette for the same quality."
)

facts = cached.facts(ref)
work_height, work_width = cached_compare.work_size(ref)
if (work_height, work_width) != (facts.height, facts.width):
    st.info(
        f"To stay quick, this page works on a {work_width:,} × {work_height:,} copy of the "
        f"{facts.width:,} × {facts.height:,} image (at most {cached_compare.WORK_PIXELS:,} pixels).",
        icon=":material/photo_size_select_small:",
    )

controls = st.columns([3, 2], vertical_alignment="bottom")
with controls[0]:
    measure = st.radio(
        "Error measure",
        options=list(ERROR_MEASURES),
        format_func=MEASURE_LABELS.__getitem__,
        key=state.COMPARE_METRIC,
        horizontal=True,
        help="ΔE: CIEDE2000 colour difference, about 1 is invisible. MSE: squared RGB error. "
        "PSNR: the MSE in decibels. SSIM: structural similarity, 1 for an identical picture.",
    )
with controls[1]:
    log_axis = st.toggle(
        "Logarithmic error axis",
        key=state.COMPARE_LOG,
        disabled=measure not in LOG_MEASURES,
        help="Equal ratios look equal, so the random palette's far larger error no longer "
        "flattens the other curves. PSNR is already logarithmic; SSIM stays between 0 and 1.",
    )

runs = list(itertools.product(methods, SIZES))
# Median cut's curve last: the slowest to measure (cached_compare computes it beside
# the others, in a line of its own), so the other curves are drawn first.
order = [method for method in methods if method != "median-cut"] + [method for method in methods if method == "median-cut"]


def measured(point: cached_compare.ComparePoint, name: str) -> float:
    value = ssims.get((point.method, point.n_colors)) if name == "ssim" else getattr(point.metrics, name)
    return float("nan") if value is None else value


def draw_curves(place, done: list[str], *, key: str) -> None:
    """The error curves of the methods in ``done``; the others' lines are left out
    (their legend entries stay, so every method keeps its colour and dash)."""
    errors = {
        state.METHOD_LABELS[method]: [measured(points[method, n], measure) if method in done else float("nan") for n in SIZES]
        for method in methods
    }
    pending = [state.METHOD_LABELS[method] for method in methods if method not in done]
    place.plotly_chart(
        shared_figures.figure(
            compare_figures.error_curves,
            SIZES, errors, metric=ERROR_MEASURES[measure], log_y=log_axis and measure in LOG_MEASURES
        ),
        key=key,
        width="stretch",
        alt=f"Line chart of the {ERROR_MEASURES[measure]} against the number of colours, 2 to 256, one line per "
        f"method ({', '.join(state.METHOD_LABELS[method] for method in done)}), each with its own dash and marker "
        "shape; the table below holds the numbers"
        + (f"; {', '.join(pending)} still being measured" if pending else ""),
    )


curves, curves_note = st.empty(), st.empty()
progress = st.progress(0.0, text="Quantizing…")
points: dict[tuple[str, int], cached_compare.ComparePoint] = {}
ssims: dict[tuple[str, int], float | None] = {}
ordered_runs = [(method, n_colors) for method in order for n_colors in SIZES]
# Drawn method by method on a first visit; at once when every point is already known.
gradual = not cached_compare.points_held(ref, ordered_runs, settings)
stream = cached_compare.compare_points(ref, ordered_runs, settings)
for index, method in enumerate(order):
    for n_colors in SIZES:
        points[method, n_colors] = next(stream)
        done = len(points)
        progress.progress(done / len(runs), text=f"{choice_label((method, n_colors))} ({done} of {len(runs)})")
    if measure == "ssim":
        method_runs = [(method, n_colors) for n_colors in SIZES]
        ssims.update(zip(method_runs, cached_compare.compare_ssims(ref, method_runs, settings)))
    if gradual and index < len(order) - 1:
        draw_curves(curves, order[: index + 1], key=f"compare_curves_{index}")
        pending = ", ".join(state.METHOD_LABELS[m] for m in order[index + 1 :])
        curves_note.caption(f"{pending}: being measured; the curves follow as they are ready.")
progress.empty()
curves_note.empty()
draw_curves(curves, order, key="compare_curves")
# SSIM looks at every pixel of the rebuilt copies: measured from here on, in two threads
# of this run, while the page draws the rest (not beside the curves: its many short
# NumPy steps would keep taking the GIL from median cut's line). Shown once measured.
ssim_line = cached_compare.compare_ssims(ref, runs, settings)

st.subheader("Colours needed for a given ΔE")
target = st.select_slider(
    "Mean ΔE at most",
    options=list(TARGETS),
    key=state.COMPARE_TARGET,
    format_func=lambda value: f"{value:g}",
    help="About 1 is invisible side by side; 2.3 is the smallest difference most people notice.",
)
needed = {
    state.METHOD_LABELS[method]: compare_figures.colours_needed(
        SIZES, [points[method, n].metrics.delta_e for n in SIZES], target
    )
    for method in methods
}
st.plotly_chart(
    shared_figures.figure(compare_figures.colours_needed_chart, needed, target=target, max_colors=SIZES[-1]),
    key="compare_needed",
    width="stretch",
    alt=f"Bar chart of the colours each method needs for a mean ΔE of at most {target:g}: "
    + "; ".join(f"{label} {needed_words(*answer)}" for label, answer in needed.items()),
)
st.caption(
    "How many colours each method needs so that the mean ΔE is at most the target: exact "
    "at the measured sizes (2, 4, … 256), “≈” in between, read off a straight line between "
    "the two nearest sizes on log–log axes. Hatched: not reached even with 256 colours. "
    "The exact smallest palette for a target is on the Reconstructions page."
)

st.subheader("All the numbers")


def draw_table(place) -> None:
    place.dataframe(
        [
            {
                "Method": state.METHOD_LABELS[point.method],
                "Colours": point.n_colors,
                "Used": point.k,
                "MSE": point.metrics.mse,
                "PSNR (dB)": point.metrics.psnr,
                "SSIM": ssims.get((point.method, point.n_colors)),
                "ΔE": point.metrics.delta_e,
                "Seconds": point.seconds,
            }
            for point in (points[run] for run in runs)
        ],
        hide_index=True,
        width="stretch",
        column_config={
            "MSE": st.column_config.NumberColumn(format="%.1f"),
            "PSNR (dB)": st.column_config.NumberColumn(format="%.1f"),
            "SSIM": st.column_config.NumberColumn(format="%.3f"),
            "ΔE": st.column_config.NumberColumn(format="%.2f"),
            "Seconds": st.column_config.NumberColumn(format="%.2f", help="Time to find the palette"),
        },
    )


table, table_note = st.empty(), st.empty()
# The table's SSIM column fills in once every SSIM is measured, after the heat map.
ssim_later = len(ssims) < len(runs) and not cached_compare.ssims_held(ref, runs, settings)
if not ssim_later:
    ssims.update(zip(runs, ssim_line))
draw_table(table)
if ssim_later:
    table_note.caption("SSIM: being measured; its column fills in when ready.")
st.caption(
    f"Colour space {state.SPACE_LABELS[settings.space]}"
    f"{', ' + text.dithering(settings.dither, settings.dither_kind) if settings.dither else ''}, seed {settings.seed}. "
    "“Used” can be lower than asked when the image has fewer distinct colours."
)

st.subheader("Where the error is")
choice = st.selectbox(
    "Reconstruction",
    options=runs,
    format_func=choice_label,
    key=state.HEATMAP_CHOICE,
)
method, n_colors = choice
with st.spinner("Measuring the error of every pixel…"):
    heatmap = cached_compare.error_heatmap(ref, n_colors, method, settings)
# theme=None: Streamlit's chart theme would replace the heat map's colour scale.
st.plotly_chart(
    heatmap, key="compare_heatmap", width="stretch", theme=None,
    alt=f"Heat map of the ΔE of every pixel of {ref.name} rebuilt by {choice_label(choice)}, brighter where the "
    f"error is larger, mean {points[choice].metrics.delta_e:.2f}; the colour bar gives the scale",
)
st.caption(
    f"ΔE per pixel between the image and its {choice_label(choice)} reconstruction "
    f"(mean {points[choice].metrics.delta_e:.2f}). Around 2.3 is the smallest "
    "difference most people can see."
)

if ssim_later:
    ssims.update(zip(runs, ssim_line))
    draw_table(table)
    table_note.empty()
