"""Measure how fast the dashboard answers on a 12-megapixel photo, with Streamlit's AppTest.

Every figure is also given as a multiple of one libimagequant 32-colour palette of the
same photo, timed in the same repeat: the machine's speed varies from run to run, the
ratio hardly. This is a script, not a test: it reports medians and asserts nothing.

    python scripts/measure_app.py               # 3 repeats
    python scripts/measure_app.py --repeats 5
    python scripts/measure_app.py --profile upload.prof   # cProfile of one upload run

The photo is generated, the same everywhere: scikit-learn's china.jpg upscaled to
4000 × 3000 (bicubic) with mild Gaussian noise (sigma 3, fixed seed), saved as JPEG
quality 90, so that it has a real photo's millions of distinct colours.

What is timed, in AppTest (the script runs in-process, no browser, no network), each
repeat starting with everything forgotten:

* upload: the Reconstructions page is open with its default four tiles (16, 32, 64
  colours and a random 32) on the sample; the photo is set on the sidebar uploader.
  "Tiles drawn" is when the page asks for the first full-size PNG, which it does
  only once every tile is on screen; the rest of the rerun makes the four PNGs.
* dithering on, and RGB → Lab, on the same page (each then set back);
* one step of the Colour space page's k slider (the page visited once before);
* the Compare page's first visit;
* page switches, with every page visited once for the photo (results kept).

AppTest measures the server's side only; a browser adds transfer and rendering.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
from PIL import Image

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

import streamlit as st  # noqa: E402
from streamlit.runtime.scriptrunner.script_runner import ScriptRunner  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

import quant  # noqa: E402
from bench.run import cpu_model  # noqa: E402
from ui.compute import cached  # noqa: E402
from ui.compute.store import STORE  # noqa: E402
from ui.frame import layout, state  # noqa: E402

PHOTO_SIZE = (4000, 3000)
PHOTO_NAME = "china-12mp.jpg"
NOISE_SIGMA = 3.0
SEED = 0
JPEG_QUALITY = 90
RUN_TIMEOUT_S = 600
RECONSTRUCTIONS = "pages/reconstructions.py"
TILES = 4
"""The page's default tiles: 16, 32 and 64 colours with the sidebar's method, and a random 32."""
UPLOAD_GOAL_S = 5.0
SWITCH_GOAL_S = 0.5
"""A cached page switch, drawn in the browser (scripts/measure_browser.py)."""
SERVER_SWITCH_GOAL_S = 0.05
"""The server's side of a cached page switch (the issue's target)."""


def photo_jpeg() -> bytes:
    """The 12 MP test photo as JPEG bytes; identical on every run."""
    from sklearn.datasets import load_sample_image

    small = Image.fromarray(load_sample_image("china.jpg"))
    large = np.asarray(small.resize(PHOTO_SIZE, Image.Resampling.BICUBIC), dtype=np.float32)
    noise = np.random.default_rng(SEED).normal(0.0, NOISE_SIGMA, size=large.shape)
    noisy = np.clip(np.rint(large + noise), 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(noisy).save(buffer, format="JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue()


def machine() -> str:
    """nproc, CPU model, Python and Streamlit versions, as one line."""
    return (
        f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {cpu_model()}; "
        f"Python {platform.python_version()}; Streamlit {st.__version__}"
    )


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def check(app: AppTest, what: str, *, title: str | None = None) -> None:
    """Stop the measurement if the app failed: a fast error is not a fast page."""
    problems = [e.value for e in app.exception] + [e.value for e in app.error]
    if problems:
        raise SystemExit(f"{what}: the app failed: {problems}")
    if title is not None and [t.value for t in app.title] != [title]:
        raise SystemExit(f"{what}: expected the page {title!r}, got {[t.value for t in app.title]}")


def fresh_app() -> AppTest:
    """A new session on the Reconstructions page (sample image), with everything forgotten."""
    STORE.clear()
    st.cache_data.clear()
    st.cache_resource.clear()
    quant.forget_images()
    app = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=RUN_TIMEOUT_S).run()
    app.switch_page(RECONSTRUCTIONS).run()
    check(app, "opening Reconstructions")
    return app


def upload(app: AppTest, content: bytes) -> AppTest:
    app.file_uploader(key=state.UPLOAD).set_value((PHOTO_NAME, content, "image/jpeg"))
    return app.run()


class TilesDrawn:
    """When a rerun of the Reconstructions page had drawn its tiles: the page asks for
    the first full-size PNG only once every tile is on screen."""

    def __init__(self) -> None:
        self.at: float | None = None
        self._original = cached.indexed_png

    def __enter__(self) -> TilesDrawn:
        def first_png(*args, **kwargs):
            if self.at is None:
                self.at = time.perf_counter()
            return self._original(*args, **kwargs)

        cached.indexed_png = first_png
        return self

    def __exit__(self, *exc: object) -> None:
        cached.indexed_png = self._original


def timed_rerun(action: Callable[[], object]) -> tuple[float, float]:
    """(seconds until the tiles were drawn, seconds until the rerun ended)."""
    with TilesDrawn() as drawn:
        start = time.perf_counter()
        action()
        end = time.perf_counter()
    return (drawn.at if drawn.at is not None else end) - start, end - start


@contextlib.contextmanager
def profiled_script_runs(path: str) -> Iterator[None]:
    """cProfile the app's script runs, which AppTest starts in a thread of their own."""
    profiler = cProfile.Profile()
    original = ScriptRunner._run_script

    def run_script(self: ScriptRunner, rerun_data: object) -> None:
        profiler.enable()
        try:
            original(self, rerun_data)
        finally:
            profiler.disable()

    ScriptRunner._run_script = run_script
    try:
        yield
    finally:
        ScriptRunner._run_script = original
        profiler.dump_stats(path)


def check_upload(app: AppTest) -> None:
    check(app, "uploading", title="Reconstructions")
    if app.session_state[state.IMAGE].name != PHOTO_NAME:
        raise SystemExit("uploading: the page does not show the uploaded photo")
    pictures = len(app.get("image"))
    if pictures < 1 + TILES:
        raise SystemExit(f"uploading: {pictures} pictures drawn, expected the original and {TILES} tiles")


def libimagequant_seconds(content: bytes) -> float:
    """One libimagequant 32-colour palette of the decoded photo (no dithering), the yardstick."""
    import imagequant

    rgba = Image.open(io.BytesIO(content)).convert("RGBA")
    raw = rgba.tobytes()
    return timed(lambda: imagequant.quantize_raw_rgba_bytes(raw, rgba.width, rgba.height, dithering_level=0.0, max_colors=32))


def page_paths() -> list[tuple[str, str]]:
    return [(path, title) for path, title, _icon in layout.PAGES]


# (label, target as a multiple of one libimagequant palette, or None for seconds)
MEASUREMENTS: dict[str, tuple[str, float | None]] = {
    "upload_tiles": ("12 MP JPEG upload → Reconstructions, 4 tiles drawn", 3.0),
    "upload_all": ("… and the 4 full-size PNGs made (their sizes shown)", None),
    "dither_on_tiles": ("Dithering on, 4 tiles drawn", 3.0),
    "dither_on_all": ("… and their full-size PNGs", None),
    "lab_tiles": ("RGB → Lab, 4 tiles drawn", 3.0),
    "lab_all": ("… and their full-size PNGs", None),
    "k_step": ("Colour space, one step of the k slider", 0.4),
    "compare_first": ("Compare, first visit", 4.0),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="repeats of each timing (default 3)")
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of the first upload run")
    args = parser.parse_args()
    os.chdir(REPO_ROOT)

    print(f"Machine: {machine()}", file=sys.stderr)
    content = photo_jpeg()
    print(f"Photo: {PHOTO_SIZE[0]} × {PHOTO_SIZE[1]} JPEG, {len(content) / 1e6:.1f} MB", file=sys.stderr)

    times: dict[str, list[float]] = {name: [] for name in MEASUREMENTS}
    yardstick: list[float] = []
    switch_times: dict[str, list[float]] = {title: [] for _path, title in page_paths()}
    for repeat in range(args.repeats):
        yardstick.append(libimagequant_seconds(content))
        app = fresh_app()
        if args.profile and repeat == 0:
            with profiled_script_runs(args.profile):
                tiles, whole = timed_rerun(lambda: upload(app, content))
        else:
            tiles, whole = timed_rerun(lambda: upload(app, content))
        check_upload(app)
        times["upload_tiles"].append(tiles)
        times["upload_all"].append(whole)

        for name, key, value in (("dither_on", state.DITHER, True), ("lab", state.SPACE, "lab")):
            tiles, whole = timed_rerun(lambda: _set(app, key, value))
            check(app, name, title="Reconstructions")
            times[f"{name}_tiles"].append(tiles)
            times[f"{name}_all"].append(whole)
            _set(app, key, state.DEFAULTS[key])  # back (cached)

        app.switch_page("pages/colour_space.py").run()
        check(app, "Colour space", title="Colour space")
        k = app.session_state[state.CLOUD_K]
        times["k_step"].append(timed(lambda: app.slider(key=state.CLOUD_K).set_value(k + 1).run()))
        check(app, "k step", title="Colour space")

        times["compare_first"].append(timed(lambda: app.switch_page("pages/compare.py").run()))
        check(app, "Compare", title="Compare")

        # Visit every page once so that its results are cached, then time the switches.
        for path, title in page_paths():
            app.switch_page(path).run()
            check(app, f"first visit to {title}", title=title)
        for path, title in page_paths():
            seconds = timed(lambda: app.switch_page(path).run())
            check(app, f"switch to {title}", title=title)
            switch_times[title].append(seconds)
        print(
            f"repeat {repeat + 1}: libimagequant {yardstick[-1]:.2f} s; "
            + "; ".join(f"{name} {values[-1]:.2f} s" for name, values in times.items()),
            file=sys.stderr,
        )

    print(f"Machine: {machine()}\n")
    print(f"Median of {args.repeats} repeats, AppTest (server side, no browser).\n")
    print_ratio_table(times, yardstick, switch_times)


def _set(app: AppTest, key: str, value: object) -> AppTest:
    widget = app.toggle(key=key) if isinstance(value, bool) else app.radio(key=key)
    return widget.set_value(value).run()


def print_ratio_table(times: dict[str, list[float]], yardstick: list[float], switch_times: dict[str, list[float]]) -> None:
    """The table of docs/dashboard-performance.md's "The server's side of each
    interaction": each interaction's median, its runs, and the median of its ratios
    to the libimagequant palette timed in the same repeat, against the target."""
    print("| Measurement | Median (s) | Runs (s) | × libimagequant | Target |")
    print("|---|---:|---|---:|---:|")
    runs = ", ".join(f"{t:.2f}" for t in yardstick)
    print(f"| libimagequant, one 32-colour palette of the photo (the yardstick) | {statistics.median(yardstick):.2f} | {runs} | 1 | |")
    for name, (label, target) in MEASUREMENTS.items():
        values = times[name]
        ratios = [value / base for value, base in zip(values, yardstick)]
        goal = f"≤ {target:g}×" if target is not None else ""
        print(
            f"| {label} | {statistics.median(values):.2f} | {', '.join(f'{t:.2f}' for t in values)} "
            f"| {statistics.median(ratios):.2f} | {goal} |"
        )
    for title, values in switch_times.items():
        print(f"| Switch to {title} (cached) | {statistics.median(values):.3f} | {', '.join(f'{t:.3f}' for t in values)} | | ≤ {SERVER_SWITCH_GOAL_S:g} s |")


def print_table(heading: str, *, upload: tuple[str, list[float]], switches: dict[str, list[float]]) -> None:
    """Print the machine, ``heading`` and the Markdown table docs/dashboard-performance.md
    quotes ("In a real browser"): the median and every run of the upload and of each
    page switch, against their goals."""
    print(f"Machine: {machine()}\n")
    print(heading + "\n")
    print("| Measurement | Median (s) | Runs (s) | Goal (s) |")
    print("|---|---:|---|---:|")
    label, times = upload
    print(f"| {label} | {statistics.median(times):.2f} | {', '.join(f'{t:.2f}' for t in times)} | {UPLOAD_GOAL_S:g} |")
    for label, times in switches.items():
        goal = f"{SWITCH_GOAL_S:g}" if label.startswith("Switch") else ""
        print(f"| {label} | {statistics.median(times):.3f} | {', '.join(f'{t:.3f}' for t in times)} | {goal} |")

if __name__ == "__main__":
    main()
