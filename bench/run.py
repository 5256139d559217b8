"""Time, peak memory and error of quant's palettes against the usual alternatives.

    python -m bench                        # sample photos + a generated 12 MP photo
    python -m bench --quick                # sample photos only, k = 16
    python -m bench --sizes small,3mp,12mp --repeats 3 --markdown bench.md
    python -m bench --no-skip-slow         # also the notebook's way and KMeans on big images

``python bench/run.py`` takes the same options. Progress goes to stderr; stdout gets
one markdown table followed by its notes, everything measured in the same run.

Images
------
``small`` is scikit-learn's two bundled photos, ``china.jpg`` and ``flower.jpg``
(640 × 427). ``3mp`` and ``12mp`` are made by :func:`make_photo`: ``china.jpg``
enlarged with bicubic interpolation to 2000 × 1500 or 4000 × 3000 plus Gaussian
"sensor" noise (σ = 2 levels, fixed seed), which gives a 12 MP image about 1.4 million
distinct colours, the colour count of a camera photo.

Contenders, at each k (default 16, 32 and 64)
---------------------------------------------
- ``quant k-means``: ``quant.quantize(image, k)``, reconstruction included.
- ``notebook MiniBatchKMeans``: the teaching notebook's way, ``MiniBatchKMeans(
  n_clusters=k, random_state=0)`` fitted on every pixel as float64, ``predict`` on
  every pixel, ``centers[labels]`` rounded to 8 bits.
- ``Pillow median cut``: ``Image.quantize(k, method=MEDIANCUT, dither=NONE)``.
- ``libimagequant``: pngquant's library (PyPI ``imagequant``, a benchmark-only
  dependency) without dithering; skipped with a note if it is not installed.
- ``sklearn KMeans``: ``KMeans(n_clusters=k, n_init=1, random_state=0)`` on every pixel.
- ``quant random``: ``quant.quantize(image, 32, method="random")``, at k = 32 only.

The notebook's way and full KMeans are *slow*: with ``--skip-slow`` (the default)
they run only on images up to 1 MP. On 12 MP, MiniBatchKMeans' default 100 epochs of
1024-pixel batches are over a million steps (one trial on a busy 2-core machine: 31 minutes).

Measuring
---------
Every (image, contender, k) runs in a fresh process (multiprocessing "spawn") that
imports everything, loads the image from a ``.npy`` file and warms the contender up
on a 32 × 32 crop (first-call costs such as thread pools are not timed, as in a
long-running application). Then the peak resident memory mark is reset
(``/proc/self/clear_refs``) and the call is timed with ``time.perf_counter``; the peak
reported is ``VmHWM`` after the call minus ``VmRSS`` before it: the memory the call
*added*. MSE is :func:`quant.mean_squared_error` of the 8-bit reconstruction for
everyone (mean over pixels and channels, 0–255 scale). With ``--repeats N`` each
measurement runs in N fresh processes and the table shows the median time and peak.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import queue as queue_module
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as `python bench/run.py`: make `quant` and `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


import quant
from bench.common import SIZES, benchmark_images, imagequant, machine, make_photo
from bench.contenders import CONTENDERS, Contender

__all__ = [
    "CONTENDERS",
    "SIZES",
    "Contender",
    "Measurement",
    "benchmark_images",
    "machine",
    "main",
    "make_photo",
    "measure",
    "plan",
    "render_table",
    "summarize",
]

SLOW_LIMIT = 1_000_000
"""With --skip-slow, the slow contenders run only on images with at most this many pixels."""

_WARM_UP_SIDE = 32
"""Side of the crop each child quantizes once before the timed call."""

_CHILD_TIMEOUT = 3 * 3600
"""Seconds to wait for one child before giving up on it."""


# --- measuring --------------------------------------------------------------------------


@dataclass(frozen=True)
class Measurement:
    """One contender on one image at one palette size.

    ``seconds``, ``peak_mb`` and ``mse`` are None when it was not run; ``skipped``
    then says why. ``peak_mb`` is also None where /proc is not available.
    ``reported_mse`` is the error the method reports itself (quant's ``result.mse``).
    """

    image: str
    contender: str
    k: int
    seconds: float | None = None
    peak_mb: float | None = None
    mse: float | None = None
    reported_mse: float | None = None
    skipped: str | None = None


def plan(
    images: dict[str, np.ndarray],
    ks: Sequence[int],
    *,
    skip_slow: bool = True,
    slow_limit: int = SLOW_LIMIT,
) -> list[tuple[str, str, int, str | None]]:
    """Every (image, contender, k) of the table, with why it is skipped (None: it runs)."""
    jobs = []
    for name, image in images.items():
        n_pixels = image.shape[0] * image.shape[1]
        for contender_name, contender in CONTENDERS.items():
            for k in (contender.fixed_k,) if contender.fixed_k else ks:
                if not contender.available:
                    reason = "not installed"
                elif contender.slow and skip_slow and n_pixels > slow_limit:
                    reason = "skipped"
                else:
                    reason = None
                jobs.append((name, contender_name, k, reason))
    return jobs


def _status_kb(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    """Reset this process's peak resident memory (VmHWM) to its current size (Linux)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _measure_here(image: np.ndarray, contender_name: str, k: int) -> tuple[float, float | None, float, float | None]:
    """Warm up, then time one call; (seconds, peak MB added, MSE, reported MSE)."""
    run = CONTENDERS[contender_name].run
    with warnings.catch_warnings():
        # MiniBatchKMeans and KMeans warn about tiny crops and convergence; not news here.
        warnings.simplefilter("ignore")
        run(np.ascontiguousarray(image[:_WARM_UP_SIDE, :_WARM_UP_SIDE]), min(k, 4))
        baseline = _status_kb("VmRSS") if _reset_peak() else None
        started = time.perf_counter()
        reconstruction, reported_mse = run(image, k)
        seconds = time.perf_counter() - started
    peak = _status_kb("VmHWM")
    peak_mb = None if baseline is None or peak is None else max(0, peak - baseline) / 1024
    return seconds, peak_mb, quant.mean_squared_error(image, reconstruction), reported_mse


def _child(image_path: str, contender_name: str, k: int, results: multiprocessing.Queue) -> None:
    image = np.load(image_path)
    results.put(_measure_here(image, contender_name, k))


def _measure_in_child(image_path: str, contender_name: str, k: int) -> tuple[float, float | None, float, float | None]:
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    process = context.Process(target=_child, args=(image_path, contender_name, k, results))
    process.start()
    result = None
    deadline = time.monotonic() + _CHILD_TIMEOUT
    # Poll, so that a child that dies before reporting (out of memory, import error)
    # ends the wait instead of hanging it.
    while result is None and time.monotonic() < deadline:
        try:
            result = results.get(timeout=1.0)
        except queue_module.Empty:
            if not process.is_alive():
                break
    if result is None and process.is_alive():
        process.kill()
    process.join()
    if result is None or process.exitcode != 0:
        raise RuntimeError(f"the process measuring {contender_name} at k={k} failed (exit code {process.exitcode})")
    return result


def _session_child(image_path: str, ks: tuple[int, ...], results: multiprocessing.Queue) -> None:
    image = np.load(image_path)
    quant.quantize(np.ascontiguousarray(image[:_WARM_UP_SIDE, :_WARM_UP_SIDE]), 4)
    baseline = _status_kb("VmRSS") if _reset_peak() else None
    started = time.perf_counter()
    for k in ks:
        quant.quantize(image, k)
    quant.quantize(image, 32, method="random")
    seconds = time.perf_counter() - started
    peak = _status_kb("VmHWM")
    results.put((seconds, None if baseline is None or peak is None else max(0, peak - baseline) / 1024))


def measure_session(image: np.ndarray, ks: Sequence[int]) -> tuple[float, float | None]:
    """Seconds and peak MB added for quant's k-means palettes at ``ks`` plus the random
    32-colour one, as plain ``quantize`` calls one after another in one fresh process:
    the way the dashboard and the command line make them (the image's colour histogram
    is counted once and remembered between the calls)."""
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    with tempfile.TemporaryDirectory() as folder:
        image_path = os.path.join(folder, "image.npy")
        np.save(image_path, image)
        process = context.Process(target=_session_child, args=(image_path, tuple(ks), results))
        process.start()
        try:
            outcome = results.get(timeout=_CHILD_TIMEOUT)
        finally:
            process.join()
    return outcome


def measure(
    image: np.ndarray,
    name: str,
    jobs: Sequence[tuple[str, int]],
    *,
    repeats: int = 1,
    isolate: bool = True,
    progress: Callable[[str], None] | None = None,
) -> list[Measurement]:
    """Measure each (contender, k) of ``jobs`` on ``image``.

    Parameters
    ----------
    image : (H, W, 3) uint8 array
    name : str
        The image's name in the table.
    jobs : sequence of (contender name, k)
    repeats : int, default 1
        Fresh processes per job; the time and peak shown are the medians.
    isolate : bool, default True
        Run each job in a fresh process, so that its peak memory is its own. False
        runs them here (for tests; the peaks then depend on what ran before).
    progress : callable, optional
        Called with a line of text before each job.

    Returns
    -------
    list of Measurement, in the order of ``jobs``.
    """
    measurements = []
    with tempfile.TemporaryDirectory() as folder:
        image_path = os.path.join(folder, "image.npy")
        if isolate:
            np.save(image_path, image)
        for contender_name, k in jobs:
            if progress:
                progress(f"{name}: {contender_name} k={k}")
            runs = [
                _measure_in_child(image_path, contender_name, k) if isolate else _measure_here(image, contender_name, k)
                for _ in range(repeats)
            ]
            peaks = [run[1] for run in runs if run[1] is not None]
            measurements.append(
                Measurement(
                    image=name,
                    contender=contender_name,
                    k=k,
                    seconds=statistics.median(run[0] for run in runs),
                    peak_mb=statistics.median(peaks) if peaks else None,
                    mse=runs[0][2],
                    reported_mse=runs[0][3],
                )
            )
    return measurements


# --- reporting --------------------------------------------------------------------------


def _cell(measurement: Measurement | None, value: float | None, digits: int) -> str:
    if measurement is None:
        return "—"
    if measurement.skipped:
        return measurement.skipped
    return "n/a" if value is None else f"{value:.{digits}f}"


def render_table(measurements: Sequence[Measurement], *, image_labels: dict[str, str] | None = None) -> str:
    """Markdown table: one row per image and contender; time, peak and MSE at each k.

    A contender not run at some k shows "—"; one skipped shows why ("skipped",
    "not installed").
    """
    ks = sorted({m.k for m in measurements})
    header = (
        ["image", "method"]
        + [f"s k={k}" for k in ks]
        + [f"+MB k={k}" for k in ks]
        + [f"MSE k={k}" for k in ks]
    )
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] * 2 + ["---:"] * (len(header) - 2)) + "|"]
    by_key = {(m.image, m.contender, m.k): m for m in measurements}
    images = list(dict.fromkeys(m.image for m in measurements))
    contenders = [c for c in CONTENDERS if any(m.contender == c for m in measurements)]
    for image in images:
        label = (image_labels or {}).get(image, image)
        for contender in contenders:
            row = [by_key.get((image, contender, k)) for k in ks]
            if not any(row):
                continue
            cells = (
                [_cell(m, m and m.seconds, 2) for m in row]
                + [_cell(m, m and m.peak_mb, 0) for m in row]
                + [_cell(m, m and m.mse, 1) for m in row]
            )
            lines.append("| " + " | ".join([label, contender, *cells]) + " |")
    return "\n".join(lines)


def _times_faster(ours: float, theirs: float) -> str:
    if ours <= 0 or theirs <= 0:
        return "n/a"
    ratio = theirs / ours
    return f"{ratio:.1f}× faster" if ratio >= 1 else f"{1 / ratio:.1f}× slower"


def _percent_better(ours: float, theirs: float) -> float:
    """How much lower our error is, in % of theirs (negative: ours is higher)."""
    return 100.0 * (theirs - ours) / theirs if theirs > 0 else math.nan


def summarize(measurements: Sequence[Measurement]) -> list[str]:
    """Markdown bullet lines: speed against libimagequant, error against the others."""
    done = {(m.image, m.contender, m.k): m for m in measurements if m.skipped is None and m.seconds is not None}
    lines = []
    for image in dict.fromkeys(m.image for m in measurements):
        ours = {k: m for (i, c, k), m in done.items() if i == image and c == "quant k-means"}
        random = [m for (i, c, _), m in done.items() if i == image and c == "quant random"]
        liq = {k: m for (i, c, k), m in done.items() if i == image and c == "libimagequant"}
        notebook = {k: m for (i, c, k), m in done.items() if i == image and c == "notebook MiniBatchKMeans"}
        parts = []
        if ours and liq:
            ours_total = sum(m.seconds for m in [*ours.values(), *random])
            liq_total = sum(m.seconds for m in liq.values())
            calls = "/".join(str(k) for k in sorted(ours)) + (" + random" if random else "")
            parts.append(
                f"time of quant's {calls} ({len(ours) + len(random)} `quantize` calls) {ours_total:.2f} s "
                f"vs libimagequant's {len(liq)} palettes {liq_total:.2f} s: "
                f"**{_times_faster(ours_total, liq_total)}**"
            )
            shared = sorted(set(ours) & set(liq))
            parts.append(
                "MSE vs libimagequant "
                + ", ".join(f"k={k} {_percent_better(ours[k].mse, liq[k].mse):+.1f}%" for k in shared)
            )
        shared = sorted(set(ours) & set(notebook))
        if shared:
            gains = [_percent_better(ours[k].mse, notebook[k].mse) for k in shared]
            parts.append(f"MSE vs the notebook's MiniBatchKMeans {statistics.mean(gains):+.1f}% on average over k={'/'.join(map(str, shared))}")
        elif ours:
            parts.append("notebook's MiniBatchKMeans not run")
        if parts:
            lines.append(f"- **{image}**: " + "; ".join(parts) + ".")
    if any(c == "quant k-means" for (_, c, _) in done):
        lines.append("- MSE percentages: how much lower quant's error is than the other's (+ = quant better).")
    return lines


def _notes(measurements: Sequence[Measurement], skip_slow: bool, repeats: int) -> list[str]:
    ours = [m for m in measurements if m.contender.startswith("quant ") and m.reported_mse is not None]
    notes = [
        f"- Columns: `s` wall seconds of the call ({'median of ' + str(repeats) + ' runs' if repeats > 1 else 'one run'}); "
        "`+MB` peak resident memory the call *added* (MiB, VmHWM after minus VmRSS before, "
        "each measurement in a fresh process, after a warm-up call on a 32×32 crop); `MSE` mean squared error over pixels and channels (0–255), "
        "the same function for every method. Compare times as ratios within this table.",
    ]
    if ours:
        worst = max(abs(m.reported_mse - m.mse) for m in ours)
        notes.append(f"- quant's own `result.mse` matches the direct computation in every run (largest difference {worst:.2g}).")
    if skip_slow:
        notes.append(
            f"- `skipped`: with --skip-slow (default) the notebook's way and full KMeans run only on images up to "
            f"{SLOW_LIMIT / 1e6:.0f} MP; on 12 MP the notebook's MiniBatchKMeans runs up to 100 epochs of 1024-pixel batches "
            "(one earlier trial here, on a busy machine, not in this table: 31 min to fit k=32). `--no-skip-slow` runs them."
        )
    if any(m.contender == "libimagequant" and m.skipped for m in measurements):
        notes.append("- libimagequant: the `imagequant` package is not installed (`pip install imagequant`), so it is skipped.")
    else:
        notes.append(
            "- libimagequant is called through `imagequant.quantize_raw_rgba_bytes`, the function "
            "`quantize_pil_image` wraps, with the same arguments (dithering_level=0.0, max_colors=k): "
            "the wrapper converts pixels in a Python loop, which would time the binding, not the library."
        )
    notes.append(
        "- The generated photos (`--sizes 3mp,12mp`) are `china.jpg` resized with bicubic interpolation plus Gaussian noise "
        "(σ = 2 levels, seed 0), made by `bench.run.make_photo`."
    )
    return notes


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command-line options of ``python -m bench``."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default="small,12mp", help=f"comma-separated image sets from {', '.join(SIZES)} (default: small,12mp)"
    )
    parser.add_argument("--ks", type=int, nargs="+", default=[16, 32, 64], help="palette sizes (default: 16 32 64)")
    parser.add_argument("--repeats", type=int, default=1, help="fresh runs per measurement; the median is shown (default 1)")
    parser.add_argument(
        "--skip-slow",
        action=argparse.BooleanOptionalAction,
        default=True,
        help=f"skip the notebook's way and full KMeans on images over {SLOW_LIMIT / 1e6:.0f} MP (default: on)",
    )
    parser.add_argument(
        "--dither",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also the dithered table (bench.dithered): scikit-image's photos, and the 12 MP photo when --sizes has 12mp (default: on)",
    )
    parser.add_argument("--quick", action="store_true", help="small images only, k = 16 (overrides --sizes and --ks)")
    parser.add_argument("--markdown", type=Path, help="also write the table and notes to this file")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.ks = "small", [16]
    args.sizes = [size.strip() for size in args.sizes.split(",") if size.strip()]
    unknown = [size for size in args.sizes if size not in SIZES]
    if unknown:
        parser.error(f"unknown --sizes {', '.join(unknown)}; expected some of {', '.join(SIZES)}")
    if args.repeats < 1:
        parser.error(f"--repeats must be at least 1, got {args.repeats}")
    bad_ks = [k for k in args.ks if not 1 <= k <= quant.MAX_COLORS]
    if bad_ks:
        parser.error(f"--ks must be from 1 to {quant.MAX_COLORS}, got {bad_ks}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print its table; see the module docstring."""
    args = parse_args(argv)
    started = time.perf_counter()

    def progress(line: str) -> None:
        print(f"[{time.perf_counter() - started:6.0f} s] {line}", file=sys.stderr, flush=True)

    images = benchmark_images(args.sizes)
    labels = {}
    for name, image in images.items():
        height, width = image.shape[:2]
        labels[name] = f"{name} ({width}×{height}, {quant.count_colors(image):,} colours)"
    if imagequant is None:
        progress("imagequant is not installed: libimagequant is skipped")

    measurements: list[Measurement] = []
    jobs = plan(images, sorted(set(args.ks)), skip_slow=args.skip_slow)
    for name, image in images.items():
        for _, contender, k, reason in (job for job in jobs if job[0] == name):
            if reason is None:
                measurements += measure(image, name, [(contender, k)], repeats=args.repeats, progress=progress)
            else:
                measurements.append(Measurement(name, contender, k, skipped=reason))

    sessions = []
    for name, image in images.items():
        liq = [m.seconds for m in measurements if m.image == name and m.contender == "libimagequant" and m.seconds is not None]
        progress(f"{name}: quant's palettes as one session")
        seconds, peak = measure_session(image, sorted(set(args.ks)))
        line = (
            f"- **{name}, as one session**: quant's {'/'.join(map(str, sorted(set(args.ks))))} + random as "
            f"{len(set(args.ks)) + 1} `quantize` calls in one process {seconds:.2f} s (peak +{peak:.0f} MB)"
        )
        if liq:
            line += f" vs libimagequant's {len(liq)} palettes {sum(liq):.2f} s: **{_times_faster(seconds, sum(liq))}**"
        sessions.append(line + ".")

    dithered = []
    if args.dither:
        from bench.dithered import dithered_images, report

        dither_sizes = ["small"] + (["12mp"] if "12mp" in args.sizes else [])
        dithered = [
            "",
            "Dithered:",
            "",
            report(dithered_images(dither_sizes), sorted(set(args.ks)), repeats=args.repeats, progress=progress),
        ]

    text = "\n".join(
        [
            render_table(measurements, image_labels=labels),
            "",
            *summarize(measurements),
            *sessions,
            *_notes(measurements, args.skip_slow, args.repeats),
            *dithered,
            f"- Machine: {machine()}.",
            f"- Whole run: {time.perf_counter() - started:.0f} s.",
        ]
    )
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    # Import main from the package, so that the children spawned for measuring find
    # their target as bench.run._child rather than in this script's __main__.
    from bench.run import main as package_main

    raise SystemExit(package_main())
