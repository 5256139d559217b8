"""Measure how fast "Edit an entry" answers on the Reconstructions page, with AppTest.

The entry inspector's colour picker gives one palette entry a new colour; the tile, its
exact measures, its downloads and the 1:1 detail follow without a refit. This script
times, on the default sample (china.jpg, 640 × 427) and the page's default tiles:

* an unchanged rerun of the page, everything already made (the floor);
* an edit's rerun: the picker set to a colour not used before, on the first tile's
  largest entry (the first edit of a tile also makes what later edits start from);
* where the edit's time goes: the time spent inside each of the page's doors for an
  edited tile during that rerun (and inside ``quant``'s functions they call), summed
  over the run.

The parts are measured by wrapping the functions, which adds a few microseconds a
call. It prints a Markdown table of medians and asserts nothing: this is a script, not
a test. AppTest runs the script in-process, so the figures are the server's side only.

    python scripts/measure_edit.py              # 9 edits, 9 unchanged reruns
    python scripts/measure_edit.py --repeats 15
"""

from __future__ import annotations

import argparse
import collections
import functools
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

import quant  # noqa: E402
from bench.common import machine as bench_machine  # noqa: E402
from ui.compute import cached, cached_entries, cached_inspect  # noqa: E402
from ui.compute.store import STORE  # noqa: E402
from ui.frame import state  # noqa: E402

RUN_TIMEOUT_S = 300
RECONSTRUCTIONS = "pages/reconstructions.py"
TARGET_S = 0.1
"""The issue's target for an edit's rerun, server side, on the sample."""

MEASURES = "· its measures (quant.metrics, or quant.incremental.recolored_errors)"
PARTS: tuple[tuple[str, object, str], ...] = (
    ("edited tile (picture, measures)", cached_entries, "edited_tile"),
    (MEASURES, quant, "metrics"),
    (MEASURES, cached_entries, "recolored_errors"),
    ("· the tile's error per entry (quant.incremental.entry_errors, once a tile)", cached_entries, "entry_errors"),
    ("· screen picture (rebuilt full size, downscaled, PNG)", cached, "screen_picture"),
    ("entry picture", cached_entries, "entry_picture"),
    ("1:1 detail", cached_entries, "edited_detail"),
    ("1:1 detail", cached_inspect, "detail_pictures"),
    ("edited PNG", cached_entries, "edited_png"),
)
"""(label, module, function name): what is timed inside an edit's rerun. Functions a
version of the page does not call show 0; two functions under one label count as one
(a call of one inside the other counts once)."""


class Parts:
    """Seconds spent in each of :data:`PARTS` since the last :meth:`reset`.

    Only the outermost call of a wrapped function counts, so a door that calls
    another door is not counted twice under its own name.
    """

    def __init__(self) -> None:
        self.seconds: dict[str, float] = collections.defaultdict(float)
        self._originals: list[tuple[object, str, Callable]] = []
        self._depth: dict[str, int] = collections.defaultdict(int)

    def __enter__(self) -> Parts:
        for label, module, name in PARTS:
            original = getattr(module, name, None)
            if original is None:
                continue
            self._originals.append((module, name, original))
            setattr(module, name, self._wrapped(label, original))
        return self

    def __exit__(self, *exc: object) -> None:
        for module, name, original in reversed(self._originals):
            setattr(module, name, original)

    def _wrapped(self, label: str, original: Callable) -> Callable:
        @functools.wraps(original)
        def timed(*args, **kwargs):
            self._depth[label] += 1
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self._depth[label] -= 1
                if self._depth[label] == 0:
                    self.seconds[label] += time.perf_counter() - start

        return timed

    def reset(self) -> None:
        self.seconds.clear()


def machine() -> str:
    """bench's line naming the machine, with Streamlit's version."""
    return f"{bench_machine()}; Streamlit {st.__version__}"


def check(app: AppTest, what: str, *, title: str) -> None:
    """Stop the measurement if the app failed: a fast error is not a fast page."""
    problems = [e.value for e in app.exception] + [e.value for e in app.error]
    if problems:
        raise SystemExit(f"{what}: the app failed: {problems}")
    if [t.value for t in app.title] != [title]:
        raise SystemExit(f"{what}: expected the page {title!r}, got {[t.value for t in app.title]}")


def fresh_app() -> AppTest:
    """A new session on the Reconstructions page with the sample, every tile made."""
    STORE.clear()
    st.cache_data.clear()
    st.cache_resource.clear()
    quant.forget_images()
    app = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=RUN_TIMEOUT_S).run()
    app.switch_page(RECONSTRUCTIONS).run()
    check(app, "opening Reconstructions", title="Reconstructions")
    app.run()  # a second run: the full-size PNGs too, and anything made lazily
    return app


def new_colors(n: int) -> list[str]:
    """``n`` distinct "#rrggbb" colours, spread over the cube, none repeated."""
    return [f"#{(40 + 67 * i) % 256:02x}{(200 + 101 * i) % 256:02x}{(90 + 151 * i) % 256:02x}" for i in range(n)]


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=9, help="edits and unchanged reruns timed (default 9)")
    args = parser.parse_args()
    os.chdir(REPO_ROOT)
    print(f"Machine: {machine()}", file=sys.stderr)

    app = fresh_app()
    facts = cached.facts(cached.sample_ref(app.session_state[state.SOURCE]))
    unchanged: list[float] = []
    edits: list[float] = []
    parts: dict[str, list[float]] = {label: [] for label, _, _ in PARTS}
    labels = list(parts)
    colors = new_colors(args.repeats)
    with Parts() as spent:
        # Alternate, so that both see the same machine load.
        for repeat, color in enumerate(colors):
            unchanged.append(timed(app.run))
            check(app, "unchanged rerun", title="Reconstructions")
            spent.reset()
            edits.append(timed(lambda: app.color_picker(key=state.ENTRY_COLOR).set_value(color).run()))
            check(app, "edit", title="Reconstructions")
            if not any("1 edited" in m.value for m in app.markdown):
                raise SystemExit("edit: the tile does not say it was edited")
            for label in labels:
                parts[label].append(spent.seconds.get(label, 0.0))
            print(f"repeat {repeat + 1}: unchanged {unchanged[-1]:.3f} s, edit {edits[-1]:.3f} s", file=sys.stderr)

    print(f"Machine: {machine()}\n")
    print(
        f"{app.session_state[state.SOURCE]} sample, {facts.width} × {facts.height} px, {facts.n_colors:,} colours; "
        f"tiles {app.session_state[state.RECON_SIZES]} + random: {args.repeats} edits of the first tile's largest "
        "entry, each to a new colour. Median over the runs, AppTest (server side, no browser).\n"
    )
    print("| Measurement | Median (s) | Runs (s) |")
    print("|---|---:|---|")

    def row(label: str, values: list[float]) -> None:
        print(f"| {label} | {statistics.median(values):.3f} | {', '.join(f'{v:.3f}' for v in values)} |")

    row("Unchanged rerun", unchanged)
    row(f"Edit's rerun (target ≤ {TARGET_S:g} s)", edits)
    row("… the tile's first edit (its error per entry made)", edits[:1])
    row("… the later edits", edits[1:])
    for label, values in parts.items():
        row(f"… in {label}", values)


if __name__ == "__main__":
    main()
