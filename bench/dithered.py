"""Dithered palettes: quant's error diffusion against libimagequant's and Pillow's, and
quant's ordered dithering beside them.

    python -m bench.dithered                 # scikit-image photos + the 12 MP photo
    python -m bench.dithered --sizes small   # scikit-image photos only
    python -m bench                          # the main table, then this one

For each photo and k (default 16, 32, 64), in one fresh process (multiprocessing
"spawn"; first a warm-up on a 32 × 32 crop, which also loads Numba's compiled code):

- ``quant dithered``: ``quant.quantize(image, k, dither=True)`` then
  ``quant.metrics(image, result, ssim=False)``, timed together (what a dashboard tile
  does), first in the process so that no earlier call has counted the image's colours;
- ``quant ordered``: ``quant.quantize(image, k, dither=True, dither_kind="ordered")``
  then its metrics, timed together, after ``quant dithered`` (so with the colours
  already counted);
- ``libimagequant dithered``: ``imagequant.quantize_raw_rgba_bytes(...,
  dithering_level=1.0, max_colors=k)``, its own palette and remapping, timed alone;
- ``Pillow FS, quant palette``: Pillow's Floyd–Steinberg (``Image.quantize(palette=...,
  dither=FLOYDSTEINBERG)``) onto quant's palette, which is what ``dither=True`` did
  before; timed alone (the mapping only).
- ``quant, no dithering``: the plain nearest mapping, for reference (error only).

Every error is measured the same way, by :func:`quant.metrics` of the 8-bit
reconstruction's pixels (MSE over pixels and channels, mean CIEDE2000 ΔE). A lower
pixel error could also come from dithering less; the *blurred MSE* (both images
smoothed with a Gaussian of σ = 1.5 pixels, roughly what the eye averages at a
normal viewing distance) says whether the dithering still does its job of keeping
local averages: no dithering scores badly there.
"""

from __future__ import annotations

import argparse
import dataclasses
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as `python bench/dithered.py`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image

import quant
from bench.common import machine, make_photo

try:
    import imagequant
except ImportError:  # a benchmark-only dependency (requirements-test.txt)
    imagequant = None

__all__ = ["PHOTOS", "DitheredRow", "dithered_images", "measure_dithered", "render_dithered", "summarize_dithered"]

PHOTOS = ("coffee", "astronaut", "chelsea", "rocket")
"""scikit-image's colour photos the table uses (all bundled with the package)."""

_WARM_UP_SIDE = 32

OURS = "quant dithered"
ORDERED = "quant ordered"
LIQ = "libimagequant dithered"
PILLOW = "Pillow FS, quant palette"
PLAIN = "quant, no dithering"
METHODS = (OURS, ORDERED, LIQ, PILLOW, PLAIN)
"""Row order of the table."""


@dataclass(frozen=True)
class DitheredRow:
    """One method on one image at one k. ``seconds`` is None where not timed."""

    image: str
    k: int
    method: str
    mse: float
    delta_e: float
    blurred_mse: float
    seconds: float | None = None


def dithered_images(sizes: Sequence[str] = ("small", "12mp")) -> dict[str, np.ndarray]:
    """``small``: scikit-image's photos (:data:`PHOTOS`); ``12mp``: :func:`bench.run.make_photo`."""
    from skimage import data

    images: dict[str, np.ndarray] = {}
    if "small" in sizes:
        for name in PHOTOS:
            images[name] = np.ascontiguousarray(getattr(data, name)()[..., :3])
    if "12mp" in sizes:
        images["photo 12 MP"] = make_photo((4000, 3000))
    return images


def _pillow_fs(image: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """Pillow's Floyd–Steinberg onto ``palette`` (padded with its first colour to 256)."""
    padded = np.concatenate([palette, np.repeat(palette[:1], 256 - palette.shape[0], axis=0)])
    palette_image = Image.new("P", (1, 1))
    palette_image.putpalette(padded.ravel().tolist())
    indexed = Image.fromarray(image).quantize(palette=palette_image, dither=Image.Dither.FLOYDSTEINBERG)
    return np.asarray(indexed.convert("RGB"))


_BLUR_SIGMA = 1.5
"""Standard deviation (pixels) of the Gaussian of the blurred MSE."""


def blurred_mse(original: np.ndarray, reconstruction: np.ndarray) -> float:
    """MSE between the two images smoothed with a Gaussian of σ = 1.5 pixels (float32)."""
    from scipy.ndimage import gaussian_filter

    total = 0.0
    for channel in range(3):
        a = gaussian_filter(original[..., channel].astype(np.float32), _BLUR_SIGMA)
        a -= gaussian_filter(reconstruction[..., channel].astype(np.float32), _BLUR_SIGMA)
        total += float(np.dot(a.ravel().astype(np.float64), a.ravel()))
    return total / original.size


def _libimagequant(image: np.ndarray, k: int) -> np.ndarray:
    height, width = image.shape[:2]
    rgba = np.empty((height, width, 4), dtype=np.uint8)
    rgba[..., :3] = image
    rgba[..., 3] = 255
    indices, palette = imagequant.quantize_raw_rgba_bytes(
        rgba.tobytes(), width, height, dithering_level=1.0, max_colors=k
    )
    palette_rgb = np.frombuffer(bytes(palette), dtype=np.uint8).reshape(-1, 4)[:, :3]
    return palette_rgb[np.frombuffer(indices, dtype=np.uint8)].reshape(image.shape)


def _measure_here(image: np.ndarray, name: str, k: int) -> tuple[list[DitheredRow], float]:
    """Every method on one image at one k, in this process; also the largest difference
    between quant's per-pair metrics and its per-pixel ones."""
    crop = np.ascontiguousarray(image[:_WARM_UP_SIDE, :_WARM_UP_SIDE])
    quant.metrics(crop, quant.quantize(crop, 4, dither=True), ssim=False)
    quant.metrics(crop, quant.quantize(crop, 4, dither=True, dither_kind="ordered"), ssim=False)
    if imagequant is not None:
        _libimagequant(crop, 4)

    started = time.perf_counter()
    result = quant.quantize(image, k, dither=True)
    measured = quant.metrics(image, result, ssim=False)
    ours_seconds = time.perf_counter() - started
    by_pixels = quant.metrics(image, result.image, ssim=False)
    gap = max(abs(measured.mse - by_pixels.mse), abs(measured.delta_e - by_pixels.delta_e))
    rows = [DitheredRow(name, k, OURS, by_pixels.mse, by_pixels.delta_e, blurred_mse(image, result.image), ours_seconds)]

    started = time.perf_counter()
    ordered = quant.quantize(image, k, dither=True, dither_kind="ordered")
    measured = quant.metrics(image, ordered, ssim=False)
    seconds = time.perf_counter() - started
    by_pixels = quant.metrics(image, ordered.image, ssim=False)
    gap = max(gap, abs(measured.mse - by_pixels.mse), abs(measured.delta_e - by_pixels.delta_e))
    rows.append(DitheredRow(name, k, ORDERED, by_pixels.mse, by_pixels.delta_e, blurred_mse(image, ordered.image), seconds))

    if imagequant is not None:
        started = time.perf_counter()
        reconstruction = _libimagequant(image, k)
        seconds = time.perf_counter() - started
        scores = quant.metrics(image, reconstruction, ssim=False)
        rows.append(DitheredRow(name, k, LIQ, scores.mse, scores.delta_e, blurred_mse(image, reconstruction), seconds))

    started = time.perf_counter()
    reconstruction = _pillow_fs(image, result.palette)
    seconds = time.perf_counter() - started
    scores = quant.metrics(image, reconstruction, ssim=False)
    rows.append(DitheredRow(name, k, PILLOW, scores.mse, scores.delta_e, blurred_mse(image, reconstruction), seconds))

    plain = quant.quantize(image, k).image
    scores = quant.metrics(image, plain, ssim=False)
    rows.append(DitheredRow(name, k, PLAIN, scores.mse, scores.delta_e, blurred_mse(image, plain)))
    return rows, gap


def _child(image_path: str, name: str, k: int, results: multiprocessing.Queue) -> None:
    results.put(_measure_here(np.load(image_path), name, k))


def measure_dithered(
    images: dict[str, np.ndarray], ks: Sequence[int], *, isolate: bool = True, repeats: int = 1, progress=None
) -> tuple[list[DitheredRow], float]:
    """Rows for every image and k, and the largest per-pair vs per-pixel metrics gap.

    ``isolate=False`` measures in this process (for tests; nothing is then fresh).
    ``repeats`` fresh processes per (image, k): each row's time is their median.
    """
    rows: list[DitheredRow] = []
    worst_gap = 0.0
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as folder:
        for name, image in images.items():
            image_path = os.path.join(folder, "image.npy")
            if isolate:
                np.save(image_path, image)
            for k in ks:
                if progress:
                    progress(f"{name}: dithered k={k}")
                runs = []
                for _ in range(repeats if isolate else 1):
                    if isolate:
                        results = context.Queue()
                        process = context.Process(target=_child, args=(image_path, name, k, results))
                        process.start()
                        runs.append(results.get())
                        process.join()
                    else:
                        runs.append(_measure_here(image, name, k))
                for index, row in enumerate(runs[0][0]):
                    times = [run[0][index].seconds for run in runs]
                    seconds = None if row.seconds is None else statistics.median(times)
                    rows.append(dataclasses.replace(row, seconds=seconds))
                worst_gap = max([worst_gap] + [gap for _, gap in runs])
    return rows, worst_gap


def render_dithered(rows: Sequence[DitheredRow], *, image_labels: dict[str, str] | None = None) -> str:
    """Markdown table: one row per image and method; MSE, ΔE and seconds at each k."""
    ks = sorted({row.k for row in rows})
    header = (
        ["image", "method"]
        + [f"MSE k={k}" for k in ks]
        + [f"ΔE k={k}" for k in ks]
        + [f"blurred MSE k={k}" for k in ks]
        + [f"s k={k}" for k in ks]
    )
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] * 2 + ["---:"] * (len(header) - 2)) + "|"]
    by_key = {(row.image, row.method, row.k): row for row in rows}
    for image in dict.fromkeys(row.image for row in rows):
        for method in METHODS:
            cells = [by_key.get((image, method, k)) for k in ks]
            if not any(cells):
                continue
            lines.append(
                "| "
                + " | ".join(
                    [(image_labels or {}).get(image, image), method]
                    + [f"{c.mse:.1f}" if c else "—" for c in cells]
                    + [f"{c.delta_e:.2f}" if c else "—" for c in cells]
                    + [f"{c.blurred_mse:.1f}" if c else "—" for c in cells]
                    + [f"{c.seconds:.2f}" if c and c.seconds is not None else "—" for c in cells]
                )
                + " |"
            )
    return "\n".join(lines)


def summarize_dithered(rows: Sequence[DitheredRow]) -> list[str]:
    """Markdown bullets: quant's dithered error and time against libimagequant's, per image."""
    by_key = {(row.image, row.method, row.k): row for row in rows}
    lines = []
    missed = []
    for image in dict.fromkeys(row.image for row in rows):
        parts = []
        for k in sorted({row.k for row in rows if row.image == image}):
            ours, liq = by_key.get((image, OURS, k)), by_key.get((image, LIQ, k))
            if ours is None or liq is None:
                continue
            mse_ratio, de_ratio = ours.mse / liq.mse, ours.delta_e / liq.delta_e
            time_ratio = ours.seconds / liq.seconds
            parts.append(
                f"k={k} MSE ×{mse_ratio:.3f}, ΔE ×{de_ratio:.3f}, blurred MSE ×{ours.blurred_mse / liq.blurred_mse:.2f}, "
                f"time ×{time_ratio:.2f}"
            )
            if mse_ratio > 1 or de_ratio > 1:
                missed.append(f"{image} k={k}")
        if parts:
            lines.append(f"- **{image}**, quant dithered / libimagequant dithered: " + "; ".join(parts) + ".")
    if lines:
        lines.append(
            "- Error targets (MSE and ΔE no worse than libimagequant's at every k): "
            + ("met everywhere." if not missed else "missed at " + ", ".join(missed) + ".")
        )
    return lines


def _notes(worst_gap: float, repeats: int) -> list[str]:
    return [
        "- Columns: `MSE` over pixels and channels (0–255), `ΔE` mean CIEDE2000, both by `quant.metrics` of the "
        "8-bit pixels for every method; `blurred MSE` the MSE after a Gaussian blur of σ = 1.5 px of both images "
        "(local averages: lower means the dithering hides the palette better); `s` wall seconds: quant = dithered `quantize` + its `metrics` (no SSIM), "
        "libimagequant = its palette and dithered remapping, Pillow = the dithered mapping alone. "
        f"Each (image, k) in {'one fresh process' if repeats == 1 else f'{repeats} fresh processes (median time)'}, "
        "quant first; compare times as ratios within the table.",
        f"- quant's metrics of its result (per (colour, entry) pair) equal the per-pixel ones (largest difference {worst_gap:.2g}).",
    ]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.dithered", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="small,12mp", help="small (scikit-image photos), 12mp, or both (default)")
    parser.add_argument("--ks", type=int, nargs="+", default=[16, 32, 64], help="palette sizes (default: 16 32 64)")
    parser.add_argument("--repeats", type=int, default=1, help="fresh processes per (image, k); median time (default 1)")
    parser.add_argument("--markdown", type=Path, help="also write the table and notes to this file")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error(f"--repeats must be at least 1, got {args.repeats}")
    args.sizes = [size.strip() for size in args.sizes.split(",") if size.strip()]
    if unknown := [size for size in args.sizes if size not in ("small", "12mp")]:
        parser.error(f"unknown --sizes {', '.join(unknown)}; expected small, 12mp")
    return args


def report(images: dict[str, np.ndarray], ks: Sequence[int], *, repeats: int = 1, progress=None) -> str:
    """The dithered table with its summary and notes, measured now."""
    labels = {
        name: f"{name} ({image.shape[1]}×{image.shape[0]}, {quant.count_colors(image):,} colours)"
        for name, image in images.items()
    }
    rows, worst_gap = measure_dithered(images, ks, repeats=repeats, progress=progress)
    lines = [render_dithered(rows, image_labels=labels), "", *summarize_dithered(rows), *_notes(worst_gap, repeats)]
    if imagequant is None:
        lines.append("- libimagequant: the `imagequant` package is not installed, so it is skipped.")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()

    def progress(line: str) -> None:
        print(f"[{time.perf_counter() - started:6.0f} s] {line}", file=sys.stderr, flush=True)

    text = "\n".join(
        [
            report(dithered_images(args.sizes), sorted(set(args.ks)), repeats=args.repeats, progress=progress),
            f"- Machine: {machine()}.",
            f"- Whole run: {time.perf_counter() - started:.0f} s.",
        ]
    )
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    from bench.dithered import main as package_main

    raise SystemExit(package_main())
