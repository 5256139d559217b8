"""Measure the dashboard's two performance goals with Streamlit's AppTest.

The goals (README, "Performance"): a 12-megapixel upload to all reconstructions drawn
within 5 s, and a page switch with results cached within 0.5 s. This is a script, not
a test: timings on a shared machine are noisy, so it reports medians of repeats and
asserts nothing.

    python scripts/measure_app.py               # 3 repeats
    python scripts/measure_app.py --repeats 5
    python scripts/measure_app.py --profile upload.prof   # cProfile of one upload run

The photo is generated, the same everywhere: scikit-learn's china.jpg upscaled to
4000 × 3000 (bicubic) with mild Gaussian noise (sigma 3, fixed seed), saved as JPEG
quality 90, so that it has a real photo's millions of distinct colours.

What is timed, in AppTest (the script runs in-process, no browser, no network):

* upload: the Reconstructions page is open with its default four tiles (16, 32, 64
  colours and a random 32) on the sample; the photo is set on the sidebar uploader
  and the app rerun. The time is that one rerun: decoding the upload and computing
  and drawing all four tiles. Every cache is cleared before each repeat.
* page switch: with every page already visited once for the photo (results cached),
  ``switch_page`` to each page in turn and rerun.

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

from bench.run import cpu_model  # noqa: E402
from ui import frame, state  # noqa: E402

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
    """A new session on the Reconstructions page (sample image), with empty caches."""
    st.cache_data.clear()
    st.cache_resource.clear()
    app = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=RUN_TIMEOUT_S).run()
    app.switch_page(RECONSTRUCTIONS).run()
    check(app, "opening Reconstructions")
    return app


def upload(app: AppTest, content: bytes) -> AppTest:
    app.file_uploader(key=state.UPLOAD).set_value((PHOTO_NAME, content, "image/jpeg"))
    return app.run()


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


def measure_upload(content: bytes, profile: str | None) -> tuple[float, AppTest]:
    app = fresh_app()
    if profile:
        with profiled_script_runs(profile):
            seconds = timed(lambda: upload(app, content))
    else:
        seconds = timed(lambda: upload(app, content))
    check(app, "uploading", title="Reconstructions")
    if app.session_state[state.IMAGE].name != PHOTO_NAME:
        raise SystemExit("uploading: the page does not show the uploaded photo")
    pictures = len(app.get("image"))
    if pictures != 1 + TILES:
        raise SystemExit(f"uploading: {pictures} pictures drawn, expected the original and {TILES} tiles")
    return seconds, app


def page_paths() -> list[tuple[str, str]]:
    return [(path, title) for path, title, _icon in frame.PAGES]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="repeats of each timing (default 3)")
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of the first upload run")
    args = parser.parse_args()
    os.chdir(REPO_ROOT)

    print(f"Machine: {machine()}", file=sys.stderr)
    content = photo_jpeg()
    print(f"Photo: {PHOTO_SIZE[0]} × {PHOTO_SIZE[1]} JPEG, {len(content) / 1e6:.1f} MB", file=sys.stderr)

    upload_times: list[float] = []
    switch_times: dict[str, list[float]] = {title: [] for _path, title in page_paths()}
    for repeat in range(args.repeats):
        seconds, app = measure_upload(content, args.profile if repeat == 0 else None)
        upload_times.append(seconds)
        print(f"repeat {repeat + 1}: upload → Reconstructions {seconds:.2f} s", file=sys.stderr)
        # Visit every page once so that its results are cached, then time the switches.
        for path, title in page_paths():
            app.switch_page(path).run()
            check(app, f"first visit to {title}", title=title)
        for path, title in page_paths():
            # Each switch comes from another page: the loop ends on the last page.
            seconds = timed(lambda: app.switch_page(path).run())
            check(app, f"switch to {title}", title=title)
            switch_times[title].append(seconds)
            print(f"repeat {repeat + 1}: switch to {title} {seconds:.3f} s", file=sys.stderr)

    print_table(
        f"Median of {args.repeats} repeats, AppTest (server side, no browser).",
        upload=("12 MP JPEG upload → Reconstructions, 4 tiles drawn", upload_times),
        switches={f"Switch to {title} (cached)": times for title, times in switch_times.items()},
    )


def print_table(heading: str, *, upload: tuple[str, list[float]], switches: dict[str, list[float]]) -> None:
    """Print the machine, ``heading`` and the Markdown table the README quotes: the
    median and every run of the upload and of each page switch, against their goals."""
    print(f"Machine: {machine()}\n")
    print(heading + "\n")
    print("| Measurement | Median (s) | Runs (s) | Goal (s) |")
    print("|---|---:|---|---:|")
    label, times = upload
    print(f"| {label} | {statistics.median(times):.2f} | {', '.join(f'{t:.2f}' for t in times)} | {UPLOAD_GOAL_S:g} |")
    for label, times in switches.items():
        print(f"| {label} | {statistics.median(times):.3f} | {', '.join(f'{t:.3f}' for t in times)} | {SWITCH_GOAL_S:g} |")

if __name__ == "__main__":
    main()
