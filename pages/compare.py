"""Compare: how the error falls with the number of colours, method against method."""

from __future__ import annotations

import itertools

import streamlit as st

from ui import cached, figures, frame, state

SIZES = (2, 4, 8, 16, 32, 64, 128, 256)
BASELINES = ("kmeans", "median-cut", "octree", "random")
ERROR_MEASURES = {
    "delta_e": "mean ΔE (lower is better)",
    "mse": "MSE (lower is better)",
    "psnr": "PSNR in dB (higher is better)",
}
MEASURE_LABELS = {"delta_e": "ΔE", "mse": "MSE", "psnr": "PSNR"}


def choice_label(choice: tuple[str, int]) -> str:
    method, n_colors = choice
    return f"{state.METHOD_LABELS[method]} · {n_colors} colours"


ref, settings = frame.page_setup()
# The sidebar's method joins the comparison when it is not one of the usual four.
methods = BASELINES if settings.method in BASELINES else (settings.method, *BASELINES)

st.title("Compare")
st.markdown(
    "The error of the reconstruction for palettes of 2 to 256 colours. k-means puts its "
    "colours where the pixels are, so it needs far fewer of them than median cut, octree "
    "or a random palette for the same quality."
)

facts = cached.facts(ref)
work_height, work_width = cached.work_size(ref)
if (work_height, work_width) != (facts.height, facts.width):
    st.info(
        f"To stay quick, this page works on a {work_width:,} × {work_height:,} copy of the "
        f"{facts.width:,} × {facts.height:,} image (at most {cached.WORK_PIXELS:,} pixels).",
        icon=":material/photo_size_select_small:",
    )

measure = st.radio(
    "Error measure",
    options=list(ERROR_MEASURES),
    format_func=MEASURE_LABELS.__getitem__,
    key=state.COMPARE_METRIC,
    horizontal=True,
)

runs = list(itertools.product(methods, SIZES))
progress = st.progress(0.0, text="Quantizing…")
points = {}
for done, (method, n_colors) in enumerate(runs, start=1):
    points[method, n_colors] = cached.compare_point(ref, n_colors, method, settings)
    progress.progress(done / len(runs), text=f"{choice_label((method, n_colors))} ({done} of {len(runs)})")
progress.empty()

errors = {
    state.METHOD_LABELS[method]: [getattr(points[method, n].metrics, measure) for n in SIZES]
    for method in methods
}
st.plotly_chart(
    figures.error_curves(SIZES, errors, metric=ERROR_MEASURES[measure]),
    key="compare_curves",
    width="stretch",
)

st.subheader("All the numbers")
st.dataframe(
    [
        {
            "Method": state.METHOD_LABELS[point.method],
            "Colours": point.n_colors,
            "Used": point.k,
            "MSE": point.metrics.mse,
            "PSNR (dB)": point.metrics.psnr,
            "ΔE": point.metrics.delta_e,
            "Seconds": point.seconds,
        }
        for point in points.values()
    ],
    hide_index=True,
    width="stretch",
    column_config={
        "MSE": st.column_config.NumberColumn(format="%.1f"),
        "PSNR (dB)": st.column_config.NumberColumn(format="%.1f"),
        "ΔE": st.column_config.NumberColumn(format="%.2f"),
        "Seconds": st.column_config.NumberColumn(format="%.2f"),
    },
)
st.caption(
    f"Colour space {state.SPACE_LABELS[settings.space]}"
    f"{', dithered' if settings.dither else ''}, seed {settings.seed}. "
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
    error = cached.error_map(ref, n_colors, method, settings)
# theme=None: Streamlit's chart theme would replace the heat map's colour scale.
st.plotly_chart(figures.error_heatmap(error, title="ΔE"), key="compare_heatmap", width="stretch", theme=None)
st.caption(
    f"ΔE per pixel between the image and its {choice_label(choice)} reconstruction "
    f"(mean {points[choice].metrics.delta_e:.2f}). Around 2.3 is the smallest "
    "difference most people can see."
)
