"""Measure how fast the dashboard answers on first contact and on 12-megapixel photos, with Streamlit's AppTest.

Every figure is also given as a multiple of one libimagequant 32-colour palette of a
12 MP photo (the yardstick), timed in the same repeat: the machine's speed varies from
run to run, the ratio hardly. This is a script, not a test: it reports medians and
asserts nothing.

    python scripts/measure_app.py               # 3 repeats
    python scripts/measure_app.py --repeats 5 --only sample,clean
    python scripts/measure_app.py --profile compare.prof --profile-step sample:visit_dropped:Compare
    python scripts/measure_app.py --repeats 1 --save after.jsonl   # several times, then:
    python scripts/measure_app.py --report after.jsonl

Two photos, generated the same everywhere: the *noisy* one, scikit-learn's china.jpg
upscaled to 4000 × 3000 (bicubic) with mild Gaussian noise (sigma 3, fixed seed),
JPEG quality 90 (millions of distinct colours, as from a camera), and the *clean*
one, flower.jpg upscaled to 4000 × 3000 (Lanczos) without noise, JPEG quality 95
(about 310,000 distinct colours). Each photo's figures are divided by its own
yardstick, the sample's by the noisy photo's.

What is timed, in AppTest (the script runs in-process, no browser, no network):

* sample (group ``sample``): the first run of the app (the Image page on china.jpg),
  then the first visit of one other page, once per page, in three ways: on a new
  server (a new process that has started Streamlit's runtime but not imported the
  app), the visit at once, before the work the first run starts ahead of time
  (``ui/compute/warm.py``) is done; on another new server, the visit once it is done
  for the sample (and how long it took); and in this process with everything forgotten
  (the store, Streamlit's caches, quant's memos) and nothing worked out ahead, as on
  a server whose store has dropped the sample's results. For Compare also when its
  first curves, and all of them, were drawn (the rest of the run measures SSIM and
  draws the heat map); for k-means step by step also when its animation was (MiniBatch's
  trace and the seed table come after it).
* each photo (groups ``noisy`` and ``clean``), everything forgotten first: upload,
  with the Reconstructions page open with its default four tiles (16, 32, 64 colours
  and a random 32) on the sample. "Tiles drawn" is when the page asks for the first
  full-size PNG, which it does only once every tile is on screen, or, when dithered
  tiles are drawn as screen-sized previews first, when the last preview is; then
  when the full-size tiles replaced them; the rest of the rerun makes the four PNGs. Then dithering on, and RGB → Lab, on the same page (each
  then set back); the Colour space page's first visit and one step of its k slider;
  the first visits of Compare (its first curves, all of them, the whole run) and of
  k-means step by step; page switches, with every page visited once for the photo
  (results kept). Nothing is worked out ahead of time in this process.

AppTest measures the server's side only; a browser adds transfer and rendering.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

import streamlit as st  # noqa: E402
from streamlit.runtime.scriptrunner.script_runner import ScriptRunner  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

import quant  # noqa: E402
from bench import common as bench_common  # noqa: E402
from ui.compute import cached, cached_previews  # noqa: E402
from ui.compute.store import STORE  # noqa: E402
from ui.frame import layout, state  # noqa: E402

from measured_photos import PHOTO_NAME, PHOTOS, libimagequant_seconds  # noqa: E402

RUN_TIMEOUT_S = 600
RECONSTRUCTIONS = "pages/reconstructions.py"
TILES = 4
"""The page's default tiles: 16, 32 and 64 colours with the sidebar's method, and a random 32."""
SERVER_SWITCH_GOAL_S = 0.05
"""The server's side of a cached page switch (the issue's target)."""


GROUPS = ("sample", *PHOTOS)


def machine() -> str:
    """The benchmark's line naming the machine (``bench.common.machine``), Streamlit's
    version and the load average when measuring started."""
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return f"{bench_common.machine()}; Streamlit {st.__version__}; load average {load}"


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
    forget_everything()
    app = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=RUN_TIMEOUT_S).run()
    app.switch_page(RECONSTRUCTIONS).run()
    check(app, "opening Reconstructions")
    return app


def upload(app: AppTest, content: bytes, name: str = PHOTO_NAME) -> AppTest:
    app.file_uploader(key=state.UPLOAD).set_value((name, content, "image/jpeg"))
    return app.run()


class TilesDrawn:
    """When a rerun of the Reconstructions page had drawn its tiles (``at``), and when
    every tile was drawn full size with its exact measures (``full_at``).

    The page asks for the first full-size PNG only once every full-size tile is on
    screen. Dithered tiles not made yet are drawn first as screen-sized previews
    (``ui/compute/cached_previews.py``): the page asks for the end of their line once
    every preview is drawn.
    """

    def __init__(self) -> None:
        self.previews_at: float | None = None
        self.full_at: float | None = None
        self._png = cached.indexed_png
        self._previews = cached_previews.tile_previews

    @property
    def at(self) -> float | None:
        return self.previews_at if self.previews_at is not None else self.full_at

    def __enter__(self) -> TilesDrawn:
        def first_png(*args, **kwargs):
            if self.full_at is None:
                self.full_at = time.perf_counter()
            return self._png(*args, **kwargs)

        def previews(*args, **kwargs):
            yield from self._previews(*args, **kwargs)
            if self.previews_at is None:
                self.previews_at = time.perf_counter()

        cached.indexed_png = first_png
        cached_previews.tile_previews = previews
        return self

    def __exit__(self, *exc: object) -> None:
        cached.indexed_png = self._png
        cached_previews.tile_previews = self._previews


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


def check_upload(app: AppTest, name: str = PHOTO_NAME) -> None:
    check(app, "uploading", title="Reconstructions")
    if app.session_state[state.IMAGE].name != name:
        raise SystemExit("uploading: the page does not show the uploaded photo")
    pictures = len(app.get("image"))
    if pictures < 1 + TILES:
        raise SystemExit(f"uploading: {pictures} pictures drawn, expected the original and {TILES} tiles")


def page_paths() -> list[tuple[str, str]]:
    return [(path, title) for path, title, _icon in layout.PAGES]


Timing = tuple[float, float]
"""(seconds, the yardstick's seconds in the same repeat)."""

# (label, target as a multiple of the yardstick, or None)
def _visits(kind: str, words: str) -> dict[str, tuple[str, float | None]]:
    """The sample's first visits of every page but the first, Compare's curves and the
    k-means page's animation too."""
    rows: dict[str, tuple[str, float | None]] = {}
    for _path, title, _icon in layout.PAGES[1:]:
        rows[f"{kind}:{title}"] = (f"… {words} {title}", 1.3)
        if title == "Compare":
            rows[f"{kind}:{title}:curves_first"] = ("… … its first curves drawn", 1.3)
            rows[f"{kind}:{title}:curves_all"] = ("… … all its curves drawn", None)
        if title == "k-means step by step":
            rows[f"{kind}:{title}:animation"] = ("… … its animation drawn", 1.3)
    return rows


SAMPLE_MEASUREMENTS: dict[str, tuple[str, float | None]] = {
    "first_run": ("a new server's first run (the Image page)", 2.0),
    **_visits("visit", "then at once the first visit to"),
    "warm_wait": ("… the sample's work ahead of time, done after the first run in", None),
    **_visits("visit_warm", "then, the work ahead done, the first visit to"),
    "first_run_dropped": ("first run, everything forgotten, nothing worked out ahead", 2.0),
    **_visits("visit_dropped", "then the first visit to"),
}
PHOTO_MEASUREMENTS: dict[str, tuple[str, float | None]] = {
    "upload_tiles": ("upload → Reconstructions, 4 tiles drawn", 2.0),
    "upload_all": ("… and the 4 full-size PNGs made (their sizes shown)", None),
    "dither_on_tiles": ("Dithering on, 4 tiles drawn (previews dithered at screen size when not made yet)", 2.0),
    "dither_on_full": ("… the 4 full-size dithered tiles drawn, with their exact measures", None),
    "dither_on_all": ("… and their full-size PNGs", None),
    "lab_tiles": ("RGB → Lab, 4 tiles drawn", None),
    "lab_all": ("… and their full-size PNGs", None),
    "visit:Colour space": ("Colour space, first visit", None),
    "k_step": ("Colour space, one step of the k slider", 0.4),
    "visit:Compare": ("Compare, first visit", 3.0),
    "visit:Compare:curves_first": ("… its first curves drawn", 3.0),
    "visit:Compare:curves_all": ("… all its curves drawn", None),
    "visit:k-means step by step": ("k-means step by step, first visit", None),
    "visit:k-means step by step:animation": ("… its animation drawn", None),
}


class Recorder:
    """Every timing of a run, with the yardstick of its repeat, and the one step to profile."""

    def __init__(self, profile: str | None, profile_step: str) -> None:
        self.times: dict[str, list[Timing]] = {}
        self.switches: dict[str, list[float]] = {}
        self.yardstick = 0.0
        self._profile, self._profile_step = profile, profile_step

    def add(self, key: str, seconds: float) -> None:
        self.times.setdefault(key, []).append((seconds, self.yardstick))

    def timed(self, key: str, action: Callable[[], object]) -> float:
        """Time ``action``, cProfiling its script runs if it is the step asked for (once)."""
        if self._profile and key == self._profile_step:
            self._profile_step = ""
            with profiled_script_runs(self._profile):
                seconds = timed(action)
        else:
            seconds = timed(action)
        self.add(key, seconds)
        return seconds

    def timed_visit(self, key: str, app: AppTest, path: str) -> None:
        """Time a switch to ``path``; for Compare also when its first curves, and all
        of them, were drawn (``key:curves_first``, ``key:curves_all``), for the k-means
        page when its animation was (``key:animation``)."""
        page_marks.clear()  # noqa: F821 - defined by exec(PAGE_MARKS)
        start = time.perf_counter()
        self.timed(key, lambda: app.switch_page(path).run())
        for mark, at in page_marks.items():  # noqa: F821
            self.add(f"{key}:{mark}", at - start)

    def timed_rerun(self, key: str, action: Callable[[], object]) -> None:
        """Time a rerun of the Reconstructions page: ``key_tiles``, ``key_all`` and, when
        the tiles were drawn as previews first, ``key_full`` (the full-size tiles drawn)."""
        with TilesDrawn() as drawn:
            self.timed(f"{key}_all", action)
            end = time.perf_counter()
        whole = self.times[f"{key}_all"][-1][0]
        self.add(f"{key}_tiles", whole - (end - drawn.at) if drawn.at is not None else whole)
        if drawn.previews_at is not None:
            self.add(f"{key}_full", whole - (end - drawn.full_at) if drawn.full_at is not None else whole)


def settle() -> None:
    """Wait for the background work of an earlier repeat (a warm-up), so that it does
    not run into this one's timings."""
    for thread in threading.enumerate():
        if thread.name.startswith("warm") and thread is not threading.current_thread():
            thread.join(RUN_TIMEOUT_S)


def forget_everything() -> None:
    settle()
    STORE.clear()
    st.cache_data.clear()
    st.cache_resource.clear()
    quant.forget_images()


PAGE_MARKS = """
import time
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

page_marks = {}
_plotly_chart = DeltaGenerator.plotly_chart


def _marked_plotly_chart(self, *args, **kwargs):
    drawn = _plotly_chart(self, *args, **kwargs)
    key = kwargs.get("key") or ""
    if key.startswith("compare_curves"):
        page_marks.setdefault("curves_first", time.perf_counter())
    if key == "compare_curves":
        page_marks.setdefault("curves_all", time.perf_counter())
    if key == "steps_animation":
        page_marks.setdefault("animation", time.perf_counter())
    return drawn


DeltaGenerator.plotly_chart = _marked_plotly_chart
# st.plotly_chart was bound to the main container when Streamlit was imported.
st.plotly_chart = lambda *args, **kwargs: _marked_plotly_chart(st._main, *args, **kwargs)
"""
"""Notes when the Compare page draws its error curves: its first curves
(``compare_curves_<n>``, or all at once) and all of them (``compare_curves``); and when
the k-means page draws its animation (``steps_animation``), before MiniBatch's trace
and the seed table. Shared
by this process and the new servers of :data:`FRESH_SERVER`."""
exec(PAGE_MARKS)  # noqa: S102 - our own code, kept as text for the new servers too

FRESH_SERVER = PAGE_MARKS + """
import json, os, sys
from streamlit.testing.v1 import AppTest

def failed(app):
    return [e.value for e in app.exception] + [e.value for e in app.error]

page, timeout, after_warm = sys.argv[1], float(sys.argv[2]), sys.argv[3] == "1"
# The server's own start, before any visitor: Streamlit's runtime and its components.
AppTest.from_string("import streamlit as st\\nst.write('ready')").run()
app = AppTest.from_file(os.path.join(os.getcwd(), "app.py"), default_timeout=timeout)
start = time.perf_counter()
app.run()
answer = {"first_run": time.perf_counter() - start, "problems": failed(app)}
if after_warm:
    start = time.perf_counter()
    try:
        from ui.compute import warm
    except ImportError:  # code from before the work ahead of time: nothing to wait for
        pass
    else:
        warm.PREPARED[warm.state.DEFAULTS[warm.state.SOURCE]].wait(timeout)
    answer["warm_wait"] = time.perf_counter() - start
page_marks.clear()
start = time.perf_counter()
app.switch_page(page).run()
answer["visit"] = time.perf_counter() - start
answer.update({name: at - start for name, at in page_marks.items()})
answer["problems"] += failed(app)
answer["title"] = [t.value for t in app.title]
print(json.dumps(answer))
"""
"""A new process's first AppTest run of app.py (the default page), then its switch to
the page ``argv[1]``, at once or (``argv[3]`` "1") once the work started at the end of
the first run is done: a server just started, which imports the app's modules on the
first run. Prints the seconds as JSON."""


FAILED_NEW_SERVERS: list[str] = []
"""What failed on a new server, which was then started again (printed with the table)."""


def new_server(path: str, *, after_warm: bool, attempts: int = 3) -> dict:
    """:data:`FRESH_SERVER` in a new process, with the work ahead of time on; a new
    server whose app failed is noted and started again (up to ``attempts`` times)."""
    for _attempt in range(attempts):
        child = subprocess.run(
            [sys.executable, "-c", FRESH_SERVER, path, str(RUN_TIMEOUT_S), "1" if after_warm else "0"],
            cwd=REPO_ROOT, capture_output=True, text=True, timeout=3 * RUN_TIMEOUT_S, check=False,
            env={**os.environ, "QUANT_WARM": "1"},
        )
        if child.returncode != 0:
            raise SystemExit(f"a new server's first run and visit to {path} failed:\n{child.stderr[-3000:]}")
        answer = json.loads(child.stdout.strip().splitlines()[-1])
        if not answer["problems"]:
            return answer
        errors = [line for line in child.stderr.splitlines() if "Error" in line]
        FAILED_NEW_SERVERS.append(f"{path}: {errors[-1] if errors else answer['problems']}")
        print(f"a new server failed, started again: {FAILED_NEW_SERVERS[-1]}", file=sys.stderr)
    raise SystemExit(f"a new server's visit to {path} failed {attempts} times: {FAILED_NEW_SERVERS[-attempts:]}")


def measure_sample(record: Recorder) -> None:
    """The first run on the sample, then the first visit of each other page: each on a
    new server (a new process: nothing imported, nothing computed), the visit at once
    and, on another new server, once the work ahead of time is done; and each in this
    process with everything forgotten and nothing worked out ahead (a server whose
    store has dropped the sample's results)."""
    for path, title, _icon in layout.PAGES[1:]:
        for after_warm, visit in ((False, "visit"), (True, "visit_warm")):
            answer = new_server(path, after_warm=after_warm)
            if answer["title"] != [title]:
                raise SystemExit(f"a new server's visit to {title} drew {answer['title']}")
            record.add("sample:first_run", answer["first_run"])
            record.add(f"sample:{visit}:{title}", answer["visit"])
            for mark in ("curves_first", "curves_all", "animation"):
                if mark in answer:
                    record.add(f"sample:{visit}:{title}:{mark}", answer[mark])
            if after_warm:
                record.add("sample:warm_wait", answer["warm_wait"])

        forget_everything()
        app = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=RUN_TIMEOUT_S)
        record.timed("sample:first_run_dropped", app.run)
        check(app, "first run", title=layout.PAGES[0][1])
        record.timed_visit(f"sample:visit_dropped:{title}", app, path)
        check(app, f"first visit to {title}", title=title)


def measure_photo(record: Recorder, photo: str, content: bytes) -> None:
    """Upload ``content`` on the Reconstructions page, then dithering, Lab, the Colour
    space k step, the first visits of Compare and k-means, and the cached switches."""
    app = fresh_app()
    name = f"{photo}-12mp.jpg" if photo != "noisy" else PHOTO_NAME
    record.timed_rerun(f"{photo}:upload", lambda: upload(app, content, name))
    check_upload(app, name)
    for name, key, value in (("dither_on", state.DITHER, True), ("lab", state.SPACE, "lab")):
        record.timed_rerun(f"{photo}:{name}", lambda: _set(app, key, value))
        check(app, name, title="Reconstructions")
        _set(app, key, state.DEFAULTS[key])  # back (cached)

    record.timed(f"{photo}:visit:Colour space", lambda: app.switch_page("pages/colour_space.py").run())
    check(app, "Colour space", title="Colour space")
    k = app.session_state[state.CLOUD_K]
    record.timed(f"{photo}:k_step", lambda: app.slider(key=state.CLOUD_K).set_value(k + 1).run())
    check(app, "k step", title="Colour space")
    for path, title in (("pages/compare.py", "Compare"), ("pages/kmeans_steps.py", "k-means step by step")):
        record.timed_visit(f"{photo}:visit:{title}", app, path)
        check(app, title, title=title)

    # Visit every page once so that its results are cached, then time the switches.
    for path, title in page_paths():
        app.switch_page(path).run()
        check(app, f"first visit to {title}", title=title)
    for path, title in page_paths():
        seconds = timed(lambda: app.switch_page(path).run())
        check(app, f"switch to {title}", title=title)
        record.switches.setdefault(f"{photo}:{title}", []).append(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="repeats of each timing (default 3)")
    parser.add_argument(
        "--only", default=",".join(GROUPS), help=f"comma-separated groups to measure, of {', '.join(GROUPS)} (default all)"
    )
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of one step's script runs (first repeat)")
    parser.add_argument(
        "--profile-step", default="noisy:upload_all", metavar="KEY",
        help="the step --profile profiles, e.g. sample:first_run_dropped, sample:visit_dropped:Compare, "
        "clean:dither_on_all (default noisy:upload_all)",
    )
    parser.add_argument("--save", metavar="FILE", help="also append this run's timings to FILE (one JSON line)")
    parser.add_argument("--report", metavar="FILE", nargs="+", help="measure nothing: the table of runs saved with --save")
    args = parser.parse_args()
    if args.report:
        report_saved(args.report)
        return
    groups = [group.strip() for group in args.only.split(",") if group.strip()]
    unknown = sorted(set(groups) - set(GROUPS))
    if unknown:
        parser.error(f"unknown groups {unknown}; choose from {list(GROUPS)}")
    os.chdir(REPO_ROOT)
    # In this process nothing is worked out ahead (ui/compute/warm.py): the photos'
    # timings are the pages' own; the new servers of the sample's timings turn it on.
    os.environ["QUANT_WARM"] = "0"

    print(f"Machine: {machine()}", file=sys.stderr)
    photos = {name: make() for name, (_label, make) in PHOTOS.items() if name in groups or name == "noisy"}
    for name, content in photos.items():
        print(f"Photo {name}: {PHOTOS[name][0]}, {len(content) / 1e6:.1f} MB", file=sys.stderr)

    record = Recorder(args.profile, args.profile_step)
    yardsticks: dict[str, list[float]] = {name: [] for name in photos}
    for repeat in range(args.repeats):
        for name, content in photos.items():
            yardsticks[name].append(libimagequant_seconds(content))
        for group in groups:
            # The sample's figures are measured against the noisy photo's yardstick, each
            # photo's against its own.
            record.yardstick = yardsticks["noisy" if group == "sample" else group][-1]
            if group == "sample":
                measure_sample(record)
            else:
                measure_photo(record, group, photos[group])
        print(
            f"repeat {repeat + 1}: "
            + "; ".join(f"libimagequant {name} {values[-1]:.2f} s" for name, values in yardsticks.items())
            + "; "
            + "; ".join(f"{key} {values[-1][0]:.2f} s" for key, values in record.times.items()),
            file=sys.stderr,
        )

    if args.save:
        with open(args.save, "a", encoding="utf-8") as saved:
            saved.write(json.dumps({
                "machine": machine(), "groups": groups, "yardsticks": yardsticks, "times": record.times,
                "switches": record.switches, "failed": FAILED_NEW_SERVERS,
            }) + "\n")
    report(record, yardsticks, groups, args.repeats)


def report(record: Recorder, yardsticks: dict[str, list[float]], groups: list[str], repeats: int) -> None:
    print(f"Machine: {machine()}\n")
    print(f"Median of {repeats} repeats, AppTest (server side, no browser).\n")
    print_ratio_table(record, yardsticks, groups)
    if FAILED_NEW_SERVERS:
        print(f"\n{len(FAILED_NEW_SERVERS)} new servers failed and were started again:")
        for failure in FAILED_NEW_SERVERS:
            print(f"- {failure}")


def report_saved(paths: list[str]) -> None:
    """The table of every run saved with ``--save`` in ``paths``, as one run of their
    repeats (e.g. before and after measured one repeat at a time, alternately)."""
    record = Recorder(None, "")
    yardsticks: dict[str, list[float]] = {}
    groups: list[str] = []
    machines = []
    for path in paths:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            run = json.loads(line)
            machines.append(run["machine"])
            groups += [group for group in run["groups"] if group not in groups]
            for name, values in run["yardsticks"].items():
                yardsticks.setdefault(name, []).extend(values)
            for key, values in run["times"].items():
                record.times.setdefault(key, []).extend(tuple(value) for value in values)
            for key, values in run["switches"].items():
                record.switches.setdefault(key, []).extend(values)
            FAILED_NEW_SERVERS.extend(run["failed"])
    print("Machines (first and last run):", machines[0], "|", machines[-1], file=sys.stderr)
    report(record, yardsticks, groups, len(machines))


def _set(app: AppTest, key: str, value: object) -> AppTest:
    widget = app.toggle(key=key) if isinstance(value, bool) else app.radio(key=key)
    return widget.set_value(value).run()


def print_ratio_table(record: Recorder, yardsticks: dict[str, list[float]], groups: list[str]) -> None:
    """The table of docs/dashboard-performance.md: each measurement's median, its runs,
    and the median of its ratios to the yardstick timed in the same repeat, against
    the target."""
    print("| Measurement | Median (s) | Runs (s) | × libimagequant | Target |")
    print("|---|---:|---|---:|---:|")
    for name, values in yardsticks.items():
        runs = ", ".join(f"{t:.2f}" for t in values)
        print(
            f"| libimagequant, one 32-colour palette of the {name} photo (its yardstick) "
            f"| {statistics.median(values):.2f} | {runs} | 1 | |"
        )
    for group in groups:
        measurements = SAMPLE_MEASUREMENTS if group == "sample" else PHOTO_MEASUREMENTS
        where = "Sample (china.jpg)" if group == "sample" else f"{group.capitalize()} photo"
        for name, (label, target) in measurements.items():
            values = record.times.get(f"{group}:{name}", [])
            if not values:
                continue
            seconds = [value for value, _base in values]
            ratios = [value / base for value, base in values]
            goal = f"≤ {target:g}×" if target is not None else ""
            print(
                f"| {where}: {label} | {statistics.median(seconds):.2f} | {', '.join(f'{t:.2f}' for t in seconds)} "
                f"| {statistics.median(ratios):.2f} | {goal} |"
            )
    for key, values in record.switches.items():
        photo, title = key.split(":", 1)
        print(
            f"| {photo.capitalize()} photo: switch to {title} (cached) | {statistics.median(values):.3f} "
            f"| {', '.join(f'{t:.3f}' for t in values)} | | ≤ {SERVER_SWITCH_GOAL_S:g} s |"
        )


if __name__ == "__main__":
    main()
