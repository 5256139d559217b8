"""Palettes a person shapes: pinned colours, a brought palette and an edited swatch,
timed against libimagequant's 32-colour palette.

    python -m bench.shaped                       # china.jpg + two 12 MP photos (about 8 min here)
    python -m bench.shaped --sizes small --repeats 1
    python -m bench.shaped --markdown shaped.md

Images
------
``small`` is scikit-learn's ``china.jpg`` (640 × 427). ``12mp`` is two photos of
4000 × 3000 with different characters: the benchmark's noisy photo
(:func:`bench.common.make_photo`, sensor-like noise, about 1.4 million colours) and a
clean one (:func:`make_clean_photo`: ``china.jpg`` enlarged with nearest-neighbour
sampling, then a light Gaussian blur of radius 0.5 px, about half a million colours;
bicubic enlargement alone already gives 1.3 million with Pillow 13).

Rows, on each image
-------------------
- ``libimagequant 32 (Y)``: the yardstick, exactly as ``bench.run`` times it (its
  contender, ``imagequant.quantize_raw_rgba_bytes`` without dithering).
- ``k-means 32``: ``quant.quantize(image, 32)``.
- ``k-means 32, 4 pins``: ``quant.quantize(image, 32, fixed=pins)``; the pins are two
  colours far from most photos' (``#ff00ff``, ``#00ffff``) and two near ones, drawn
  from the image by ``quant.sample_colors(image, seed=0)``.
- ``map to PICO-8 (16), cold``: ``quant.map_to_palette(image, quant.PALETTES["pico-8"])``
  right after ``quant.forget_images()``: the image's colours are counted in the call.
- ``map to PICO-8 (16), warm``: the same call again on the same array, its colour
  histogram remembered from the first (the array is not frozen, so quant checks that
  it packs to the remembered codes).
- ``recolor a 32-colour fit``: ``quant.recolor(fit, palette)`` on
  ``fit = quant.fit_palette(image, 32)``, its largest entry made 20 levels lighter
  (what editing one swatch does); the fit is made before the clock starts.

Measuring
---------
As ``bench.run`` does: every (image, row) runs in a fresh process (multiprocessing
"spawn") that imports everything, loads the image from a ``.npy`` file and does the
row once on a 32 × 32 crop before the timed call (``time.perf_counter``). With
``--repeats N`` each row runs in N fresh processes and the table shows the median
time. MSE is :func:`quant.mean_squared_error` of the 8-bit reconstruction (for the
recoloured fit, its exact ``mse``, computed per distinct colour).

The check column compares the pinned palette's MSE with the *overwrite baseline*:
the free 32-colour palette (``quant.fit_palette``), its entries nearest the pins
replaced by them (:func:`quant.pinned.overwrite_nearest`), every pixel mapped to its
nearest entry (``quant.map_fit``). Targets reported: ``map_to_palette`` to 16 colours
in at most 0.5 × Y, and the pinned error never above the baseline.
"""

from __future__ import annotations

import argparse
import datetime
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as `python bench/shaped.py`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image, ImageFilter
from sklearn.datasets import load_sample_image

import quant
from bench.common import imagequant, machine, make_photo
from bench.contenders import CONTENDERS
from quant.pinned import overwrite_nearest

__all__ = [
    "ROWS",
    "ShapedRow",
    "make_clean_photo",
    "measure_shaped",
    "overwrite_baseline",
    "pins_for",
    "render_shaped",
    "shaped_images",
    "summarize_shaped",
]

N_COLORS = 32
"""Size of the fitted palettes, and of libimagequant's (the yardstick)."""

FAR_PINS = np.array([[255, 0, 255], [0, 255, 255]], dtype=np.uint8)
"""Pins far from the colours of most photos: #ff00ff and #00ffff."""

PRESET = "pico-8"
"""The brought palette: PICO-8's 16 colours."""

MAP_TARGET = 0.5
"""Target: mapping to the 16-colour preset takes at most this fraction of Y's time."""

_LIGHTER = 20
"""Levels added to every channel of the recoloured fit's largest entry."""

_WARM_UP_SIDE = 32

Y = "libimagequant 32 (Y)"
KMEANS = "k-means 32"
PINNED = "k-means 32, 4 pins"
COLD = "map to PICO-8 (16), cold"
WARM = "map to PICO-8 (16), warm"
RECOLOR = "recolor a 32-colour fit"


# --- the images and the pins ----------------------------------------------------------------


def make_clean_photo(size: tuple[int, int] = (4000, 3000), *, blur: float = 0.5) -> np.ndarray:
    """A clean photo-like image of any size: ``china.jpg`` enlarged, lightly blurred, no noise.

    Parameters
    ----------
    size : (width, height), default (4000, 3000)
    blur : float, default 0.5
        Radius of Pillow's Gaussian blur, in pixels of the result.

    Returns
    -------
    (height, width, 3) uint8 array
        Nearest-neighbour enlargement keeps the source's 96,615 colours; the blur
        blends them at the block edges, about 505,000 colours at 12 MP. (Bicubic
        enlargement would give 1.3 million, as many as the noisy photo.)
    """
    source = Image.fromarray(load_sample_image("china.jpg"))
    enlarged = source.resize(size, Image.Resampling.NEAREST)
    return np.asarray(enlarged.filter(ImageFilter.GaussianBlur(blur)))


def shaped_images(sizes: Sequence[str] = ("small", "12mp")) -> dict[str, np.ndarray]:
    """``small``: ``china.jpg``; ``12mp``: the noisy and the clean 4000 × 3000 photos."""
    images: dict[str, np.ndarray] = {}
    if "small" in sizes:
        images["china.jpg"] = load_sample_image("china.jpg")
    if "12mp" in sizes:
        images["photo 12 MP, noisy"] = make_photo((4000, 3000))
        images["photo 12 MP, clean"] = make_clean_photo((4000, 3000))
    return images


def pins_for(image: np.ndarray) -> np.ndarray:
    """Four pins: :data:`FAR_PINS`, then two colours of ``image`` drawn in proportion to
    their pixel counts (``quant.sample_colors``, seed 0) that are not among them."""
    drawn = quant.sample_colors(image, 8, seed=0).colors
    far = {tuple(colour) for colour in FAR_PINS.tolist()}
    near = [colour for colour in drawn.tolist() if tuple(colour) not in far][:2]
    return np.concatenate([FAR_PINS, np.array(near, dtype=np.uint8).reshape(-1, 3)])


def overwrite_baseline(image: np.ndarray, pins: np.ndarray, n_colors: int = N_COLORS) -> float:
    """MSE of the simple way of honouring pins: the free palette of ``n_colors``, its
    entries nearest the pins replaced by them, every pixel mapped to its nearest entry."""
    free = quant.fit_palette(image, n_colors)
    palette, _ = overwrite_nearest(free.palette, pins, "rgb")
    return quant.map_fit(image, palette).mse


# --- one row, in this process --------------------------------------------------------------


def _timed(call: Callable[[], object]) -> tuple[object, float]:
    started = time.perf_counter()
    value = call()
    return value, time.perf_counter() - started


def _contender(name: str) -> Callable[[np.ndarray, np.ndarray, np.ndarray], tuple[float, float, bool | None]]:
    def run(image: np.ndarray, crop: np.ndarray, pins: np.ndarray) -> tuple[float, float, bool | None]:
        contender = CONTENDERS[name].run
        contender(crop, 4)
        (reconstruction, _), seconds = _timed(lambda: contender(image, N_COLORS))
        return seconds, quant.mean_squared_error(image, reconstruction), None

    return run


def _pinned(image: np.ndarray, crop: np.ndarray, pins: np.ndarray) -> tuple[float, float, bool | None]:
    quant.quantize(crop, 8, fixed=pins)
    result, seconds = _timed(lambda: quant.quantize(image, N_COLORS, fixed=pins))
    held = {tuple(colour) for colour in result.palette.tolist()} >= {tuple(colour) for colour in pins.tolist()}
    return seconds, quant.mean_squared_error(image, result.image), held


def _mapped(*, warm: bool) -> Callable[[np.ndarray, np.ndarray, np.ndarray], tuple[float, float, bool | None]]:
    def run(image: np.ndarray, crop: np.ndarray, pins: np.ndarray) -> tuple[float, float, bool | None]:
        preset = quant.PALETTES[PRESET]
        quant.map_to_palette(crop, preset)
        if warm:
            quant.map_to_palette(image, preset)
        else:
            quant.forget_images()
        result, seconds = _timed(lambda: quant.map_to_palette(image, preset))
        return seconds, quant.mean_squared_error(image, result.image), None

    return run


def _recolor(image: np.ndarray, crop: np.ndarray, pins: np.ndarray) -> tuple[float, float, bool | None]:
    small = quant.fit_palette(crop, 4)
    quant.recolor(small, small.palette)
    fit = quant.fit_palette(image, N_COLORS)
    edited = fit.palette.copy()
    edited[0] = np.minimum(edited[0].astype(np.int16) + _LIGHTER, 255).astype(np.uint8)
    result, seconds = _timed(lambda: quant.recolor(fit, edited))
    return seconds, result.mse, None


ROWS: dict[str, Callable[[np.ndarray, np.ndarray, np.ndarray], tuple[float, float, bool | None]]] = {
    Y: _contender("libimagequant"),
    KMEANS: _contender("quant k-means"),
    PINNED: _pinned,
    COLD: _mapped(warm=False),
    WARM: _mapped(warm=True),
    RECOLOR: _recolor,
}
"""Row name -> ``run(image, crop, pins) -> (seconds, MSE, pins held or None)``: warm up
on the crop, then time the row's call. In the table's order."""


def _measure_here(image: np.ndarray, row: str, pins: np.ndarray) -> tuple[float, float, bool | None]:
    return ROWS[row](image, np.ascontiguousarray(image[:_WARM_UP_SIDE, :_WARM_UP_SIDE]), pins)


def _child(image_path: str, row: str, pins: list[list[int]], results: multiprocessing.Queue) -> None:
    results.put(_measure_here(np.load(image_path), row, np.array(pins, dtype=np.uint8)))


def _measure_in_child(image_path: str, row: str, pins: np.ndarray) -> tuple[float, float, bool | None]:
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    process = context.Process(target=_child, args=(image_path, row, pins.tolist(), results))
    process.start()
    try:
        return results.get(timeout=3600)
    finally:
        process.join()


# --- measuring every row --------------------------------------------------------------------


@dataclass(frozen=True)
class ShapedRow:
    """One row of the table on one image.

    ``seconds`` and ``mse`` are None when the row was not run (``skipped`` says why);
    ``baseline`` (the overwrite baseline's MSE) and ``pins_held`` are set on the pinned
    row only.
    """

    image: str
    row: str
    seconds: float | None = None
    mse: float | None = None
    baseline: float | None = None
    pins_held: bool | None = None
    skipped: str | None = None


def measure_shaped(
    images: dict[str, np.ndarray],
    *,
    repeats: int = 1,
    isolate: bool = True,
    progress: Callable[[str], None] | None = None,
) -> list[ShapedRow]:
    """Every row of :data:`ROWS` on every image.

    ``isolate=False`` measures in this process (for tests; nothing is then fresh).
    ``repeats`` fresh processes per row: its time is their median.
    """
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name, image in images.items():
            image_path = os.path.join(folder, "image.npy")
            if isolate:
                np.save(image_path, image)
            pins = pins_for(image)
            for row in ROWS:
                if row == Y and imagequant is None:
                    rows.append(ShapedRow(name, row, skipped="not installed"))
                    continue
                if progress:
                    progress(f"{name}: {row}")
                runs = [
                    _measure_in_child(image_path, row, pins) if isolate else _measure_here(image, row, pins)
                    for _ in range(repeats if isolate else 1)
                ]
                seconds, mse, held = statistics.median(run[0] for run in runs), runs[0][1], runs[0][2]
                baseline = None
                if row == PINNED:
                    if progress:
                        progress(f"{name}: overwrite baseline")
                    baseline = overwrite_baseline(image, pins)
                    held = all(run[2] for run in runs)
                rows.append(ShapedRow(name, row, seconds, mse, baseline, held))
    return rows


# --- reporting ------------------------------------------------------------------------------


def _figure(value: float, digits: int) -> str:
    """``digits`` decimals, or two significant digits below 0.01 (a recolour takes milliseconds)."""
    return f"{value:.{digits}f}" if value >= 0.01 or value == 0 else f"{value:.2g}"


def _yardstick(rows: Sequence[ShapedRow], image: str) -> float | None:
    return next((r.seconds for r in rows if r.image == image and r.row == Y and r.seconds), None)


def render_shaped(rows: Sequence[ShapedRow], *, image_labels: dict[str, str] | None = None) -> str:
    """Markdown table: one line per image and row; seconds, ratio to Y, MSE, the pins' check."""
    header = ["image", "palette", "s (median)", "ratio to Y", "MSE", "error with pins ≤ overwrite baseline"]
    lines = ["| " + " | ".join(header) + " |", "|---|---|---:|---:|---:|---|"]
    for row in rows:
        label = (image_labels or {}).get(row.image, row.image)
        if row.skipped:
            lines.append(f"| {label} | {row.row} | {row.skipped} | — | — | — |")
            continue
        y = _yardstick(rows, row.image)
        ratio = _figure(row.seconds / y, 2) if y else "n/a"
        check = "—"
        if row.baseline is not None:
            verdict = "yes" if row.mse <= row.baseline else "**no**"
            check = f"{verdict}: {row.mse:.1f} vs {row.baseline:.1f}"
        lines.append(f"| {label} | {row.row} | {_figure(row.seconds, 3)} | {ratio} | {row.mse:.1f} | {check} |")
    return "\n".join(lines)


def summarize_shaped(rows: Sequence[ShapedRow]) -> list[str]:
    """Markdown bullets: the two targets, met or missed, image by image."""
    lines = []
    mapped, missed_map = [], []
    for image in dict.fromkeys(row.image for row in rows):
        y = _yardstick(rows, image)
        if not y:
            continue
        parts = []
        for kind, name in (("cold", COLD), ("warm", WARM)):
            row = next((r for r in rows if r.image == image and r.row == name and r.seconds is not None), None)
            if row is not None:
                ratio = row.seconds / y
                parts.append(f"{kind} {ratio:.2f}")
                if ratio > MAP_TARGET:
                    missed_map.append(f"{image} ({kind})")
        if parts:
            mapped.append(f"{image} " + ", ".join(parts))
    if mapped:
        lines.append(
            f"- **Target: `map_to_palette` to 16 colours in at most {MAP_TARGET} Y.** Ratios: " + "; ".join(mapped) + ". "
            + ("Met everywhere." if not missed_map else "Missed at " + ", ".join(missed_map) + ".")
        )
    pinned = [row for row in rows if row.row == PINNED and row.baseline is not None]
    if pinned:
        above = [row.image for row in pinned if row.mse > row.baseline]
        gains = ", ".join(f"{row.image} {100 * (row.baseline - row.mse) / row.baseline:.1f}% lower" for row in pinned)
        lines.append(
            "- **Target: the pinned error never above the overwrite baseline.** "
            + ("Met on every image" if not above else "Missed at " + ", ".join(above))
            + f" ({gains}); every pin is in its palette exactly: "
            + ("yes." if all(row.pins_held for row in pinned) else "**no**.")
        )
    return lines


def _notes(repeats: int, pins: dict[str, np.ndarray]) -> list[str]:
    shown = "; ".join(f"{image} {', '.join(quant.palette_hex(colours))}" for image, colours in pins.items())
    return [
        (
            f"- Columns: `s` wall seconds of the row's call ({'median of ' + str(repeats) + ' fresh processes' if repeats > 1 else 'one fresh process'}, "
            "after the same call on a 32×32 crop); `ratio to Y` those seconds over libimagequant's 32-colour palette's on the "
            "same image (below 1: faster); `MSE` over pixels and channels (0–255) of the 8-bit result."
        ),
        (
            "- The check compares the pinned palette's MSE with the overwrite baseline's: the free 32-colour palette, its "
            "entries nearest the pins replaced by them, every pixel mapped to its nearest entry."
        ),
        f"- Pins: {shown}.",
        f"- The recoloured fit's largest entry is {_LIGHTER} levels lighter in each channel; its MSE is the fit's exact `mse`.",
    ]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command-line options of ``python -m bench.shaped``."""
    parser = argparse.ArgumentParser(prog="python -m bench.shaped", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="small,12mp", help="small (china.jpg), 12mp (the noisy and clean photos), or both (default)")
    parser.add_argument("--repeats", type=int, default=3, help="fresh processes per row; the median time is shown (default 3)")
    parser.add_argument("--markdown", type=Path, help="also write the table and notes to this file")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error(f"--repeats must be at least 1, got {args.repeats}")
    args.sizes = [size.strip() for size in args.sizes.split(",") if size.strip()]
    if unknown := [size for size in args.sizes if size not in ("small", "12mp")]:
        parser.error(f"unknown --sizes {', '.join(unknown)}; expected small, 12mp")
    return args


def report(images: dict[str, np.ndarray], *, repeats: int = 1, progress: Callable[[str], None] | None = None) -> str:
    """The table with its targets and notes, measured now."""
    labels = {
        name: f"{name} ({image.shape[1]}×{image.shape[0]}, {quant.count_colors(image):,} colours)"
        for name, image in images.items()
    }
    rows = measure_shaped(images, repeats=repeats, progress=progress)
    pins = {name: pins_for(image) for name, image in images.items()}
    lines = [render_shaped(rows, image_labels=labels), "", *summarize_shaped(rows), *_notes(repeats, pins)]
    if imagequant is None:
        lines.append("- libimagequant: the `imagequant` package is not installed, so there is no yardstick.")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print its table; see the module docstring."""
    args = parse_args(argv)
    started = time.perf_counter()
    load_before = os.getloadavg()[0]

    def progress(line: str) -> None:
        print(f"[{time.perf_counter() - started:6.0f} s] {line}", file=sys.stderr, flush=True)

    body = report(shaped_images(args.sizes), repeats=args.repeats, progress=progress)
    text = "\n".join(
        [
            body,
            f"- Machine: {machine()}.",
            (
                f"- Date: {datetime.date.today().isoformat()}; load average (1 min) {load_before:.1f} at the start, "
                f"{os.getloadavg()[0]:.1f} at the end."
            ),
            f"- Whole run: {time.perf_counter() - started:.0f} s.",
        ]
    )
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    # Import main from the package, so that the children spawned for measuring find
    # their target as bench.shaped._child rather than in this script's __main__.
    from bench.shaped import main as package_main

    raise SystemExit(package_main())
