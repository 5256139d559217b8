"""Time quant.smallest_palette against one palette of the size it finds.

    python scripts/measure_search.py                 # 12 MP photo, targets 5, 4, 3
    python scripts/measure_search.py --size 3mp --targets 4 2.5

The photo is the benchmark's (``bench.run.make_photo``: china.jpg enlarged with
sensor-like noise). Everything runs in one process, one after another, after a
warm-up palette that counts the photo's colours (an application has them counted by
then too). For each target it prints the size found, how many sizes the search
measured (on the full image and on the guiding subsample), the search's wall time,
the time of one ``quantize`` at the size found, and of one ``quantize`` and its mean
ΔE (``quant.metrics`` without SSIM), the unit the search works in, and the ratios:
"how many palettes' time" the answer costs.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import quant  # noqa: E402
from bench.run import cpu_model, make_photo  # noqa: E402

SIZES = {"1mp": (1200, 900), "3mp": (2000, 1500), "12mp": (4000, 3000)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, default="12mp")
    parser.add_argument("--targets", type=float, nargs="+", default=[5.0, 4.0, 3.0])
    args = parser.parse_args(argv)

    width, height = SIZES[args.size]
    image = make_photo((width, height))
    quant.quantize(image, 16)  # warm-up: the histogram is counted once per image
    print(f"photo {width}×{height} ({width * height / 1e6:.0f} MP), {quant.count_colors(image):,} colours")
    print(f"{os.cpu_count()} cores ({cpu_model()}), Python {platform.python_version()}")
    print()
    print(
        "| target ΔE | k found | ΔE at k | ΔE at k−1 | sizes tried (full + subsample) | search s "
        "| one palette s | ratio | one palette + ΔE s | ratio |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for target in args.targets:
        started = time.perf_counter()
        search = quant.smallest_fit(image, max_delta_e=target)
        result = quant.apply_palette(image, search.fit)
        search_s = time.perf_counter() - started
        started = time.perf_counter()
        palette = quant.quantize(image, search.n_colors)
        palette_s = time.perf_counter() - started
        quant.metrics(image, palette, ssim=False)
        measured_s = time.perf_counter() - started
        k = search.n_colors
        below = f"{search.tried[k - 1]:.3f}" if k > 1 else "—"
        print(
            f"| {target:g} | {k} | {search.delta_e:.3f} | {below} | {len(search.tried)} + {len(search.guide_tried)} "
            f"| {search_s:.2f} | {palette_s:.2f} | {search_s / palette_s:.1f}× "
            f"| {measured_s:.2f} | {search_s / measured_s:.1f}× |"
        )
        del result, palette
    return 0


if __name__ == "__main__":
    sys.exit(main())
