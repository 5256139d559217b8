"""k-means step by step: watch Lloyd's algorithm find a palette in the image's colours."""

from __future__ import annotations

import random

import numpy as np
import streamlit as st

import quant
from ui.compute import cached, cached_steps, shared_figures
from ui.figures import keyboard
from ui.figures import steps as steps_figures
from ui.figures import steps_animation as animation_figures
from ui.frame import layout, state, text


def new_seed() -> None:
    """on_click of "New seed": another start, to see another local minimum."""
    current = int(st.session_state[state.STEPS_SEED])
    st.session_state[state.STEPS_SEED] = random.choice([seed for seed in range(1000) if seed != current])


ref, settings = layout.page_setup()

st.title("k-means step by step")
st.markdown(
    "k-means looks for the *k* colours that best stand in for all the colours of the picture. "
    "It starts from *k* guesses and improves them in rounds of two halves. Press **▶ Play**, "
    "or drag the slider to go forward and back one half at a time: every point of the colour "
    "cloud is painted in the colour of the centre it belongs to, and the picture on the right "
    "is rebuilt from the centres of that step."
)
# A brought palette is mapped, not fitted: this page is about fitting, so it keeps to k-means.
brought = (
    f" So does the palette you brought, {text.literal(settings.palette_name)}: here k-means finds its own colours."
    if settings.palette
    else ""
)
st.caption(
    "This page runs plain k-means in RGB with its own controls below; the sidebar's method, colour "
    f"space and seed apply to the other pages.{brought}"
)

controls = st.columns([3, 3, 2, 1.3], vertical_alignment="bottom")
with controls[0]:
    n_colors = st.slider("Number of colours (k)", min_value=2, max_value=64, key=state.STEPS_K)
with controls[1]:
    init = st.selectbox(
        "Start from",
        options=list(quant.INITS),
        format_func=steps_figures.INIT_LABELS.__getitem__,
        key=state.STEPS_INIT,
        help="Where the k centres are placed before the first round.",
    )
with controls[2]:
    seed = st.number_input("Seed", min_value=0, max_value=2**31 - 1, step=1, key=state.STEPS_SEED)
with controls[3]:
    st.button("New seed", key=state.STEPS_NEW_SEED, on_click=new_seed, icon=":material/casino:", width="stretch")

pins = settings.pins_for(n_colors)
if pins:
    held = f" (a palette of {n_colors} colours holds the first {len(pins)})" if len(settings.pins) > len(pins) else ""
    st.caption(
        f"Your {len(pins)} pinned colour{'s' if len(pins) > 1 else ''} from the sidebar{held} "
        f"{'are centres' if len(pins) > 1 else 'is a centre'} here too: pinned centres take part in every "
        "assignment but never move (the diamonds)."
    )
facts = cached.facts(ref)
if facts.n_visible == 0:
    st.info(
        f"Every pixel of {text.quote_name(ref.name)} is fully transparent: there is no colour for k-means to work on. "
        "Choose another picture in the sidebar.",
        icon=":material/visibility_off:",
    )
    st.stop()
if facts.n_transparent:
    st.caption(
        f"{facts.n_transparent:,} fully transparent pixels ({text.share(facts.n_transparent, facts.n_pixels)}) are "
        "left out: their colour is not part of the picture. Partly transparent ones count with their own colour, "
        "whatever their alpha; the pictures below keep the transparency, in three steps of opacity."
    )

with st.spinner(f"Running k-means with {n_colors} centres on every colour of the picture…"):
    trace = cached_steps.kmeans_trace(ref, n_colors, init, seed, pins)
    # MiniBatch's trace and the seed table's thirty runs, most of the page's work, start
    # now in threads of their own while this thread draws the animation; each is waited
    # for where it is drawn, the table at the bottom.
    minibatch_trace = cached_steps.minibatch_trace_started(ref, n_colors, init, seed, pins)
    seed_table = cached_steps.seed_table_started(ref, n_colors, pins)
    animation = cached_steps.steps_animation(ref, n_colors, init, seed, pins)
# The figure as Plotly's dict, made without validation: read there, not through Plotly's properties.
animation_spec = animation.to_dict()

# No gap: the script below the chart takes no room and should leave none.
with st.container(gap=None):
    st.plotly_chart(
        animation, key="steps_animation", width="stretch", theme=None,
        alt=f"Animation of k-means with {n_colors} centres on {ref.name}, {len(animation_spec['frames'])} steps: the colour "
        "cloud in 3D and on the red–green plane painted by centre, the picture rebuilt from the centres, and the "
        "error after each half-step. Play, Pause and the slider work from the keyboard.",
    )
    # Plotly's play / pause buttons and slider are drawn for the mouse only; this makes them Tab stops.
    st.html(keyboard.animation_keys_html(animation, chart_key="steps_animation"), unsafe_allow_javascript=True)

verdict = (
    f"converged after **{trace.n_steps}** iterations (no centre moved by more than half a level)"
    if trace.converged
    else f"stopped after **{trace.n_steps}** iterations, still moving a little"
)
# A pin nearest to no pixel is not stranded by k-means: it is said apart.
empty = int((trace.empty[-1] & ~trace.pinned).sum())
unused_pins = [quant.palette_hex(trace.palette())[j] for j in np.flatnonzero(trace.empty[-1] & trace.pinned)]
empty_note = (
    f" **{empty}** of the {trace.k} centres ended *empty*: no colour of the picture is nearest to them, "
    "so k-means leaves them where they are (drawn as open rings)."
    if empty
    else ""
)
if unused_pins:
    empty_note += (
        f" No pixel is nearest to the pinned {'colours' if len(unused_pins) > 1 else 'colour'} "
        f"{', '.join(unused_pins)}: {'they stay' if len(unused_pins) > 1 else 'it stays'} in the palette, unused."
    )
# With transparency facts.n_colors counts RGBA values; k-means works on the visible pixels' RGB.
on_what = (
    f"the colours of the {facts.n_visible:,} pixels one can see" if facts.has_alpha else f"all {facts.n_colors:,} distinct colours"
)
st.markdown(
    f"Lloyd's k-means on {on_what} of the {facts.width:,} × {facts.height:,} picture, "
    f"started from {steps_figures.INIT_LABELS[init]} (seed {seed}): {verdict}. "
    f"The error fell from **{trace.mse[0]:.1f}** to **{trace.mse[-1]:.1f}** "
    f"({100 * (1 - trace.mse[-1] / trace.mse[0]):.0f} % lower).{empty_note}"
)
st.caption(
    f"The clouds show {animation_figures.n_points(animation_spec):,} of the colours, drawn in proportion to their pixels; "
    f"the error is measured exactly over every {'visible ' if facts.has_alpha else ''}pixel. Large discs are the centres "
    "(bigger for more pixels, an open ring when empty)"
    + ("; diamonds the pinned colours, never smaller however few pixels they take" if pins else "")
    + "; grey lines are their paths from start to end."
)

how = st.columns(3, gap="large")
with how[0]:
    st.markdown(
        "##### 1 · Assign\n"
        "Every colour goes to its **nearest centre**. The picture is then rebuilt with each pixel "
        "replaced by its centre's colour, and the error is how far, on average, pixels had to move."
    )
with how[1]:
    st.markdown(
        "##### 2 · Update\n"
        "Every centre moves to the **mean** of its colours, weighted by how many pixels have each. "
        "The mean is the single colour closest to all of them, so the error drops again. Repeat until "
        "nothing moves."
    )
with how[2]:
    st.markdown(
        "##### Why the start matters\n"
        "Neither half can raise the error, but k-means only ever walks downhill: it stops in the "
        "nearest valley, which depends on the start. **k-means++** spreads its first centres out, "
        "choosing each new one far from those already placed, so it starts lower and ends lower "
        "than **random colours**; colours **uniform in the RGB cube** can land where the picture "
        "has no colour at all and stay empty."
    )

st.subheader("MiniBatch k-means, the notebook's method")
with st.spinner("Tracing MiniBatch k-means from the same start…"):
    batches = minibatch_trace()
st.plotly_chart(
    shared_figures.figure(
        steps_figures.lloyd_and_minibatch,
        trace.centres,
        trace.mse,
        batches.centres,
        batches.mse,
        batch_size=int(batches.batch_size),
        pinned=trace.pinned,
    ),
    key="steps_minibatch",
    width="stretch",
    theme=None,
    alt="Lloyd's k-means and MiniBatch k-means from the same start: the centres' paths on the red–green plane, "
    "and the error of every step of each",
)
st.markdown(
    f"The teaching notebook uses scikit-learn's `MiniBatchKMeans`, which never looks at the whole picture "
    f"at once: each step draws {batches.batch_size:,} random pixels and nudges every centre toward the ones "
    f"nearest to it, a little less each time. From the same start its centres jitter where Lloyd's settle; "
    f"after {batches.n_steps} steps its error is **{batches.mse[-1]:.1f}** against Lloyd's "
    f"**{trace.mse[min(batches.n_steps, trace.n_steps)]:.1f}**. It pays off on millions of points in "
    "memory-starved settings; here every colour is counted once, so exact steps are cheap."
)
st.caption(
    "Left: white dots are the common start, markers where each method ended (circles ringed blue for Lloyd, "
    "squares ringed orange for MiniBatch), lines the paths between (solid for Lloyd, dotted for MiniBatch)"
    + ("; diamonds the pinned colours, where both methods keep them" if pins else "")
    + ". Right: the error of every step over all pixels."
)

st.subheader("Ten seeds, three starts")
with st.spinner("Running k-means from 30 starts to convergence…"):
    table = seed_table()
finals: dict[str, list[float]] = {steps_figures.INIT_LABELS[i]: [] for i in quant.INITS}
for run in table.runs:
    finals[steps_figures.INIT_LABELS[run.init]].append(run.final_mse)
seeds = list(cached_steps.STEPS_TABLE_SEEDS)
st.markdown(
    "k-means ends where the start leads it. Here it runs from ten seeds for each of the three "
    "starts, to convergence: the spread of the final errors shows the local minima at a glance."
)
st.plotly_chart(
    shared_figures.figure(steps_figures.seed_spread, finals, seeds=seeds, current=(steps_figures.INIT_LABELS[init], int(seed))),
    key="steps_seeds",
    width="stretch",
    theme=None,
    alt=f"The final error of k-means with {n_colors} centres from ten seeds of each start, one dot per run; "
    "the table below lists them",
)
columns = {"k-means++": "k-means++", "random": "random colours", "uniform": "uniform"}
rows = {seed: {"Seed": seed} for seed in seeds}
for run in table.runs:
    rows[run.seed][columns[run.init]] = run.final_mse
    rows[run.seed][f"{columns[run.init]} steps"] = (
        str(run.n_steps) if run.converged else f"> {cached_steps.STEPS_TABLE_MAX_ITER}"
    ) + (f", {run.n_empty} empty" if run.n_empty else "")
st.dataframe(
    list(rows.values()),
    hide_index=True,
    width="stretch",
    column_config={label: st.column_config.NumberColumn(f"{label} MSE", format="%.1f") for label in columns.values()},
)
best = {init: min(run.final_mse for run in table.runs if run.init == init) for init in quant.INITS}
worst = {init: max(run.final_mse for run in table.runs if run.init == init) for init in quant.INITS}
mean_steps = {
    init: sum(run.n_steps for run in table.runs if run.init == init) / len(seeds) for init in quant.INITS
}
if table.n_visible is not None:
    copy_note = (
        f"on {table.width:,} of the {table.n_visible:,} visible pixels, evenly spread (at most "
        f"{cached_steps.STEPS_TABLE_PIXELS:,}, to stay quick)"
        if table.width != table.n_visible
        else "on every visible pixel"
    )
elif (table.width, table.height) != (facts.width, facts.height):
    copy_note = (
        f"on a {table.width:,} × {table.height:,} copy of the picture (at most "
        f"{cached_steps.STEPS_TABLE_PIXELS:,} pixels, to stay quick)"
    )
else:
    copy_note = "on the whole picture"
pins_note = f", keeping the same {len(pins)} pinned colour{'s' if len(pins) > 1 else ''}" if pins else ""
st.caption(
    f"Final error (MSE) of k-means with {n_colors} centres from seeds 0–{seeds[-1]}{pins_note}, {copy_note}, and the "
    f"iterations it took to converge (at most {cached_steps.STEPS_TABLE_MAX_ITER}). "
    + " ".join(
        f"{steps_figures.INIT_LABELS[init][0].upper()}{steps_figures.INIT_LABELS[init][1:]}: "
        f"{best[init]:.1f} to {worst[init]:.1f}, "
        f"{mean_steps[init]:.0f} steps on average."
        for init in quant.INITS
    )
)
