"""Time, peak memory and error of quant's palettes against the usual alternatives.

    python -m bench                 # sample photos and a generated 12-megapixel photo
    python -m bench --quick         # sample photos only, k = 16
    python -m bench --notebook-12mp # also the notebook's MiniBatchKMeans at 12 MP (minutes)
    python -m bench --markdown bench.md

Every measurement runs in a fresh process (multiprocessing "spawn"), so its peak
memory is its own: the table reports the peak resident memory *added* to a process
that has already imported everything and holds the image (``VmHWM`` minus ``VmRSS``
before the call, from ``/proc/self/status``). Times are wall-clock seconds of one
run (the median of ``--repeats``). All rows of a table come from the same run on the
same machine, so compare them as ratios; the machine is printed under the table.

Contenders, at k = 16, 32 and 64:

- ``quant kmeans``: ``quant.quantize(image, k)``, reconstruction included. The three
  sizes and the random palette are four plain calls in one process, as an
  application makes them, timed one by one.
- ``notebook``: the teaching notebook's way, ``MiniBatchKMeans(n_clusters=k)`` fitted
  on every pixel as float64, then ``predict`` on every pixel.
- ``Pillow median cut``: ``Image.quantize(k, method=MEDIANCUT, dither=NONE)``.
- ``libimagequant``: pngquant's library through the PyPI ``imagequant`` binding's
  raw-RGBA entry point, without dithering (a benchmark-only dependency, in
  requirements-test.txt).
- ``sklearn KMeans``: ``KMeans(n_clusters=k, n_init=1)`` on every pixel; small
  images only (on 12 MP it takes minutes).
- ``quant random``: ``quant.quantize(image, 32, method="random")``, the notebook's
  random palette matched by nearest neighbour.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as `python bench/run.py`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

__all__ = ["CONTENDERS", "Measurement", "make_photo", "measure", "main", "render_table"]


def make_photo(width: int = 4000, height: int = 3000, *, seed: int = 0) -> np.ndarray:
    """A photo-like test image of any size, made the same way every time.

    scikit-learn's ``china.jpg`` is enlarged with bicubic interpolation to
    ``width`` × ``height`` and given mild Gaussian sensor noise (σ = 3 levels), so
    that, like a real camera photo, it has smooth regions, edges and about a million
    distinct colours at 12 megapixels.
    """
    from PIL import Image
    from sklearn.datasets import load_sample_image

    enlarged = np.asarray(
        Image.fromarray(load_sample_image("china.jpg")).resize((width, height), Image.Resampling.BICUBIC)
    )
    noise = np.random.default_rng(seed).normal(0.0, 3.0, size=enlarged.shape).astype(np.float32)
    return np.clip(np.rint(enlarged + noise), 0, 255).astype(np.uint8)


# --- contenders: image, k -> reconstruction -------------------------------------------


def _quant_kmeans(image: np.ndarray, k: int) -> np.ndarray:
    import quant

    return quant.quantize(image, k).image


def _quant_random(image: np.ndarray, k: int) -> np.ndarray:
    import quant

    return quant.quantize(image, k, method="random").image


def _notebook(image: np.ndarray, k: int) -> np.ndarray:
    from sklearn.cluster import MiniBatchKMeans

    pixels = image.reshape(-1, 3).astype(np.float64)
    model = MiniBatchKMeans(n_clusters=k, random_state=0).fit(pixels)
    centers = model.cluster_centers_
    return np.clip(np.rint(centers[model.predict(pixels)]), 0, 255).astype(np.uint8).reshape(image.shape)


def _sklearn_kmeans(image: np.ndarray, k: int) -> np.ndarray:
    from sklearn.cluster import KMeans

    pixels = image.reshape(-1, 3).astype(np.float64)
    model = KMeans(n_clusters=k, n_init=1, random_state=0).fit(pixels)
    return np.clip(np.rint(model.cluster_centers_[model.labels_]), 0, 255).astype(np.uint8).reshape(image.shape)


def _pillow_median_cut(image: np.ndarray, k: int) -> np.ndarray:
    from PIL import Image

    indexed = Image.fromarray(image).quantize(k, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    return np.asarray(indexed.convert("RGB"))


def _libimagequant(image: np.ndarray, k: int) -> np.ndarray:
    import imagequant

    # The binding's raw-bytes entry point: its PIL entry point converts pixels in a
    # Python loop, which would time the binding rather than libimagequant.
    height, width = image.shape[:2]
    rgba = np.empty((height, width, 4), dtype=np.uint8)
    rgba[..., :3] = image
    rgba[..., 3] = 255
    indices, palette = imagequant.quantize_raw_rgba_bytes(rgba.tobytes(), width, height, dithering_level=0.0, max_colors=k)
    palette_rgb = np.asarray(palette, dtype=np.uint8).reshape(-1, 4)[:, :3]
    return palette_rgb[np.frombuffer(indices, dtype=np.uint8)].reshape(image.shape)


CONTENDERS: dict[str, Callable[[np.ndarray, int], np.ndarray]] = {
    "quant kmeans": _quant_kmeans,
    "notebook MiniBatchKMeans": _notebook,
    "Pillow median cut": _pillow_median_cut,
    "libimagequant": _libimagequant,
    "sklearn KMeans": _sklearn_kmeans,
    "quant random": _quant_random,
}
"""Name -> function making the reconstruction of an image with k colours."""


def _has_imagequant() -> bool:
    try:
        import imagequant  # noqa: F401
    except ImportError:
        return False
    return True


# --- measuring ------------------------------------------------------------------------


@dataclass(frozen=True)
class Measurement:
    """One contender on one image at one palette size."""

    image: str
    contender: str
    k: int
    seconds: float
    peak_mb: float | None
    mse: float


def _status_kb(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak() -> None:
    """Reset this process's peak resident memory (VmHWM) to its current size (Linux)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def _child(image_path: str, jobs: list[tuple[str, int]], queue: multiprocessing.Queue) -> None:
    """Run ``jobs`` (contender, k) one after another on the image; report each to ``queue``."""
    import quant  # imported before the baseline so its import is not counted

    image = np.load(image_path)
    # Warm up each contender on a corner of the image (first-call costs: lazy imports,
    # thread pools), so the timings are of the work, as in a long-running application.
    corner = np.ascontiguousarray(image[:32, :32])
    for contender in dict.fromkeys(contender for contender, _ in jobs):
        CONTENDERS[contender](corner, 4)
    for contender, k in jobs:
        function = CONTENDERS[contender]
        _reset_peak()
        baseline = _status_kb("VmRSS")
        started = time.perf_counter()
        reconstruction = function(image, k)
        seconds = time.perf_counter() - started
        peak = _status_kb("VmHWM")
        peak_mb = None if baseline is None or peak is None else max(0, peak - baseline) / 1024
        mse = quant.mean_squared_error(image, reconstruction)
        queue.put((contender, k, seconds, peak_mb, mse))
        del reconstruction


def measure(image: np.ndarray, name: str, jobs: list[tuple[str, int]], *, repeats: int = 1) -> list[Measurement]:
    """Measure ``jobs`` on ``image``, one after another in one fresh process per repeat.

    Before each job the process's peak memory mark is reset (``/proc/self/clear_refs``),
    so each job's peak is its own. The peak and MSE come from the first repeat, the
    time is the median over repeats.
    """
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "image.npy")
        np.save(path, image)
        runs: list[list[tuple]] = []
        for _ in range(repeats):
            queue = context.Queue()
            process = context.Process(target=_child, args=(path, jobs, queue))
            process.start()
            results = [queue.get() for _ in jobs]
            process.join()
            if process.exitcode != 0:
                raise RuntimeError(f"benchmark process for {name} exited with {process.exitcode}")
            runs.append(results)
    measurements = []
    for index, (contender, k) in enumerate(jobs):
        seconds = statistics.median(run[index][2] for run in runs)
        peak = runs[0][index][3]
        measurements.append(Measurement(name, contender, k, seconds, peak, runs[0][index][4]))
    return measurements


# --- reporting ------------------------------------------------------------------------


def render_table(measurements: list[Measurement]) -> str:
    """Markdown table: one row per image and contender, time / peak / MSE per k."""
    ks = sorted({m.k for m in measurements if m.contender != "quant random"})
    header = ["image", "method"] + [f"k={k} s" for k in ks] + [f"k={k} MSE" for k in ks] + ["peak MB"]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    order = list(CONTENDERS)
    keys = sorted({(m.image, m.contender) for m in measurements}, key=lambda key: (_image_order(measurements, key[0]), order.index(key[1])))
    for image, contender in keys:
        rows = {m.k: m for m in measurements if m.image == image and m.contender == contender}
        if contender == "quant random":
            label_ks = sorted(rows)
            cells = [f"{rows[k].seconds:.2f} (k={k})" if k in rows else "" for k in label_ks]
            mse_cells = [f"{rows[k].mse:.1f} (k={k})" for k in label_ks]
            cells = (cells + [""] * len(ks))[: len(ks)]
            mse_cells = (mse_cells + [""] * len(ks))[: len(ks)]
        else:
            cells = [f"{rows[k].seconds:.2f}" if k in rows else "skipped" for k in ks]
            mse_cells = [f"{rows[k].mse:.1f}" if k in rows else "skipped" for k in ks]
        peaks = [m.peak_mb for m in rows.values() if m.peak_mb is not None]
        peak = f"{max(peaks):.0f}" if peaks else "n/a"
        lines.append("| " + " | ".join([image, contender, *cells, *mse_cells, peak]) + " |")
    return "\n".join(lines)


def _image_order(measurements: list[Measurement], image: str) -> int:
    return [m.image for m in measurements].index(image)


def _machine() -> str:
    import PIL
    import sklearn

    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, numpy {np.__version__}, "
        f"scikit-learn {sklearn.__version__}, Pillow {PIL.__version__}"
    )


def summarize(measurements: list[Measurement]) -> list[str]:
    """The sentences under the table: speed against libimagequant, error against the others."""
    lines = []
    by = {(m.image, m.contender, m.k): m for m in measurements}
    for image in dict.fromkeys(m.image for m in measurements):
        ours = [m for m in measurements if m.image == image and m.contender == "quant kmeans"]
        random = [m for m in measurements if m.image == image and m.contender == "quant random"]
        liq = [m for m in measurements if m.image == image and m.contender == "libimagequant"]
        if ours and liq:
            ours_total = sum(m.seconds for m in ours + random)
            liq_total = sum(m.seconds for m in liq)
            lines.append(
                f"- {image}: quant's {len(ours)} k-means palettes + the random one take {ours_total:.2f} s, "
                f"libimagequant's {len(liq)} palettes {liq_total:.2f} s (ratio {liq_total / ours_total:.1f})."
            )
            ratios = [by[(image, 'quant kmeans', m.k)].mse / m.mse for m in liq if (image, "quant kmeans", m.k) in by]
            worst = max(ratios)
            lines.append(
                f"  MSE against libimagequant: "
                + ", ".join(f"k={m.k} {100 * (1 - by[(image, 'quant kmeans', m.k)].mse / m.mse):+.1f}%" for m in liq)
                + f" ({'never worse' if worst <= 1 else 'WORSE at some k'}; + means quant is better)."
            )
        notebook = [m for m in measurements if m.image == image and m.contender == "notebook MiniBatchKMeans"]
        if ours and notebook:
            gains = [1 - by[(image, "quant kmeans", m.k)].mse / m.mse for m in notebook if (image, "quant kmeans", m.k) in by]
            lines.append(f"  MSE against the notebook's MiniBatchKMeans: {100 * statistics.mean(gains):+.1f}% on average.")
        peaks = [m.peak_mb for m in ours + random if m.peak_mb is not None]
        if peaks:
            lines.append(f"  Peak memory added by quant.quantize: {max(peaks):.0f} MB.")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--ks", type=int, nargs="+", default=[16, 32, 64], help="palette sizes (default: 16 32 64)")
    parser.add_argument("--repeats", type=int, default=1, help="runs per measurement; the median time is shown")
    parser.add_argument("--quick", action="store_true", help="sample photos only, k = 16")
    parser.add_argument("--notebook-12mp", action="store_true", help="also the notebook's way at 12 MP (minutes)")
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    args = parser.parse_args(argv)

    from sklearn.datasets import load_sample_image

    ks = [16] if args.quick else args.ks
    images = {"china.jpg (0.27 MP)": load_sample_image("china.jpg"), "flower.jpg (0.27 MP)": load_sample_image("flower.jpg")}
    if not args.quick:
        images["generated photo (12 MP)"] = make_photo()
    contenders = list(CONTENDERS)
    if not _has_imagequant():
        print("libimagequant: the imagequant package is not installed; its rows are skipped.", file=sys.stderr)
        contenders.remove("libimagequant")

    measurements: list[Measurement] = []
    for name, image in images.items():
        large = image.shape[0] * image.shape[1] > 5_000_000
        # quant's four calls run in one process, as an application makes them.
        ours = [("quant kmeans", k) for k in ks] + [("quant random", 32)]
        print(f"{name}: quant", file=sys.stderr, flush=True)
        measurements += measure(image, name, ours, repeats=args.repeats)
        for contender in contenders:
            if contender.startswith("quant "):
                continue
            if large and contender == "sklearn KMeans":
                continue
            if large and contender == "notebook MiniBatchKMeans" and not args.notebook_12mp:
                continue
            for k in ks:
                print(f"{name}: {contender} k={k}", file=sys.stderr, flush=True)
                measurements += measure(image, name, [(contender, k)], repeats=args.repeats)

    table = render_table(measurements)
    notes = summarize(measurements)
    text = "\n".join([table, "", *notes, "", f"Machine: {_machine()}."])
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
