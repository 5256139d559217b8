"""Time k-means traces at 12 MP and compare quantize's fine stage with plain Lloyd.

    python scripts/measure_steps.py trace      # 30-step traces vs one palette, fresh processes
    python scripts/measure_steps.py fine       # quantize's fine stage vs candidates vs a trace

Prints Markdown tables for docs/benchmarks.md ("k-means step by step: what a trace costs").
The photo is the benchmark's (``bench.run.make_photo``: 4000 x 3000, 1.4 million
colours). Timings are wall seconds on whatever else the machine is doing: compare them
within one table.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

import numpy as np  # noqa: E402

import quant  # noqa: E402
from bench.run import cpu_model, make_photo  # noqa: E402
from quant import palette  # noqa: E402
from quant.colors import analyse  # noqa: E402


def _one_process(n_colors: int) -> dict:
    """In this (fresh) process: one palette, then a 30-step trace, then a MiniBatch trace."""
    image = make_photo()
    started = time.perf_counter()
    quant.quantize(image, n_colors)
    palette_s = time.perf_counter() - started
    trace = quant.kmeans_steps(image, n_colors, max_iter=30)
    batches = quant.minibatch_steps(image, n_colors, max_iter=30)
    return {"palette": palette_s, "trace": trace.seconds, "steps": trace.n_steps,
            "converged": trace.converged, "minibatch": batches.seconds}


def trace_table(runs: int) -> None:
    print(f"{cpu_model()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start\n")
    print("| k | one `quantize` (fresh process), s | `kmeans_steps`, 30 steps max, s | steps | ratio (medians) | `minibatch_steps`, 30 steps, s |")
    print("|---:|---|---|---:|---:|---|")
    for n_colors in (16, 32, 64):
        results = []
        for _ in range(runs):
            output = subprocess.run(
                [sys.executable, __file__, "_one", str(n_colors)], capture_output=True, text=True, check=True
            ).stdout
            results.append(json.loads(output))
        palettes = sorted(r["palette"] for r in results)
        traces = sorted(r["trace"] for r in results)
        batches = sorted(r["minibatch"] for r in results)
        steps = f"{results[0]['steps']}" + (" (converged)" if results[0]["converged"] else "")
        ratio = float(np.median(traces) / np.median(palettes))
        print(f"| {n_colors} | {', '.join(f'{t:.2f}' for t in palettes)} | {', '.join(f'{t:.2f}' for t in traces)} "
              f"| {steps} | {ratio:.1f}× | {', '.join(f'{t:.2f}' for t in batches)} |", flush=True)
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")


def _rounded_mse(image: np.ndarray, centres: np.ndarray) -> float:
    """MSE of the image mapped to the centres rounded to 8 bits: the measure of Quantized.mse."""
    codes, histogram = analyse(image)
    colors = np.unique(palette._to_rgb8(centres, "rgb"), axis=0)
    labels = palette._nearest_colors(histogram, colors, "rgb")
    return palette._squared_error(histogram.colors, palette._histogram_weights(histogram), colors[labels]) / (3 * codes.shape[0])


def fine_table(runs: int) -> None:
    from sklearn.datasets import load_sample_image

    settings = {
        "quantize": (palette._FINE_MAX_ITER, palette._EXACT_LIMIT),
        "fine 50 it.": (50, palette._EXACT_LIMIT),
        "fine 50 it., exact to 131,072": (50, 1 << 17),
    }
    images = {
        "china.jpg": load_sample_image("china.jpg"),
        "flower.jpg": load_sample_image("flower.jpg"),
        "photo 12 MP": make_photo(),
    }
    print(f"{cpu_model()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start\n")
    print("| image | k | " + " | ".join(f"{name} MSE | s" for name in settings) + " | trace MSE | trace s |")
    print("|---|---:|" + "---:|---:|" * len(settings) + "---:|---:|")
    default = settings["quantize"]
    try:
        for name, image in images.items():
            quant.quantize(image, 8)  # the histogram and its grids, once
            for n_colors in (16, 32, 64):
                cells = []
                for fine_iter, exact_limit in settings.values():
                    palette._FINE_MAX_ITER, palette._EXACT_LIMIT = fine_iter, exact_limit
                    seconds = []
                    for _ in range(runs):
                        started = time.perf_counter()
                        result = quant.quantize(image, n_colors)
                        seconds.append(time.perf_counter() - started)
                    cells += [f"{result.mse:.2f}", f"{min(seconds):.2f}"]
                palette._FINE_MAX_ITER, palette._EXACT_LIMIT = default
                trace = quant.kmeans_steps(image, n_colors, max_iter=30)
                cells += [f"{_rounded_mse(image, trace.centres[-1]):.2f}", f"{trace.seconds:.2f}"]
                print(f"| {name} | {n_colors} | " + " | ".join(cells) + " |", flush=True)
    finally:
        palette._FINE_MAX_ITER, palette._EXACT_LIMIT = default
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("table", choices=["trace", "fine", "_one"])
    parser.add_argument("value", nargs="?", type=int, default=3, help="runs per cell (k for _one)")
    args = parser.parse_args(argv)
    if args.table == "_one":
        print(json.dumps(_one_process(args.value)))
    elif args.table == "trace":
        trace_table(args.value)
    else:
        fine_table(args.value)
    return 0


if __name__ == "__main__":
    sys.exit(main())
