"""Transparency: quant's RGBA palettes beside pngquant ``--nofs`` at the same number of colours.

    python -m bench.alpha                       # k = 16, 64 on the logo and the cut-out
    python -m bench.alpha --ks 16 32 64 --markdown alpha.md

For each image (:mod:`bench.images_alpha`: an anti-aliased logo over nothing, and
scikit-learn's ``china.jpg`` cut out by a soft ellipse) and each k, in this process:

- ``quant``: ``quant.quantize(image_rgba, k)`` then ``quant.indexed_png(result,
  compress_level=9)`` (PLTE + tRNS; zlib's best level, as pngquant writes), timed
  together; the size at the default level 6 is given beside it;
- ``pngquant --nofs``: the Debian ``pngquant`` command on the same RGBA PNG,
  ``pngquant K --nofs --force --output OUT IN`` (its own palette and mapping, no
  dithering, its default speed), timed as a subprocess; "pngquant not installed"
  when it is missing (``apt-get install -y pngquant``);
- ``quant, flattened on white``: what quant did before transparency was kept, the
  image composited on white then quantized as RGB, for reference.

Every PNG is decoded again (``quant.load_image(..., keep_alpha=True)``) and measured
against the RGBA original the same way: the MSE over premultiplied R, G, B and A
(:func:`quant.metrics.premultiplied_mse`), the mean CIEDE2000 ΔE of both composited on
white, the file's size, and two counts that must be 0: pixels of alpha 0 made visible
(alpha above 0) and opaque pixels made see-through (alpha below 255).
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as `python bench/alpha.py`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image

import quant
from bench.common import machine
from bench.images_alpha import cutout_rgba, logo_rgba
from quant.metrics import premultiplied_mse
from quant.modes import composite

__all__ = ["IMAGES", "AlphaRow", "measure_alpha", "pngquant_png", "render_alpha"]

IMAGES: dict[str, Callable[[], np.ndarray]] = {
    "logo 256×256": lambda: logo_rgba(256),
    "china.jpg cut-out 640×427": cutout_rgba,
}
"""The images of the table, by name: two RGBA inputs of different character."""

QUANT = "quant"
PNGQUANT = "pngquant --nofs"
FLATTENED = "quant, flattened on white"
METHODS = (QUANT, PNGQUANT, FLATTENED)


@dataclass(frozen=True)
class AlphaRow:
    """One way of making a k-colour PNG of one image, measured against the RGBA original."""

    image: str
    k: int
    method: str
    colors: int
    mse: float
    delta_e: float
    png_bytes: int
    made_visible: int
    made_see_through: int
    seconds: float
    default_png_bytes: int | None = None


def pngquant_png(image: np.ndarray, k: int) -> tuple[bytes, float] | None:
    """pngquant's PNG of an RGBA image at ``k`` colours without dithering, and the seconds
    its process took; None when the ``pngquant`` command is not installed."""
    command = shutil.which("pngquant")
    if command is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        source, output = Path(folder) / "in.png", Path(folder) / "out.png"
        Image.fromarray(image).save(source)
        started = time.perf_counter()
        subprocess.run([command, str(k), "--nofs", "--force", "--output", str(output), str(source)], check=True)
        seconds = time.perf_counter() - started
        return output.read_bytes(), seconds


def _row(name: str, k: int, method: str, original: np.ndarray, png: bytes, seconds: float, default_png_bytes: int | None = None) -> AlphaRow:
    decoded = quant.load_image(png, keep_alpha=True)
    alpha_before = original[..., 3]
    alpha_after = decoded[..., 3] if decoded.shape[2] == 4 else np.full(decoded.shape[:2], 255, np.uint8)
    with Image.open(io.BytesIO(png)) as opened:
        colors = len(opened.getcolors(256) or []) if opened.mode == "P" else -1
    return AlphaRow(
        image=name,
        k=k,
        method=method,
        colors=colors,
        mse=premultiplied_mse(original, decoded),
        delta_e=quant.metrics(original, decoded, ssim=False).delta_e,
        png_bytes=len(png),
        made_visible=int(np.count_nonzero((alpha_before == 0) & (alpha_after > 0))),
        made_see_through=int(np.count_nonzero((alpha_before == 255) & (alpha_after < 255))),
        seconds=seconds,
        default_png_bytes=default_png_bytes,
    )


def measure_alpha(images: dict[str, np.ndarray], ks: Sequence[int], *, progress: Callable[[str], None] | None = None) -> list[AlphaRow]:
    """Every method on every image at every k (see the module's notes)."""
    rows: list[AlphaRow] = []
    # Warm-up (imports, compiled code) on an image of each kind that is not measured.
    for image in (logo_rgba(32), cutout_rgba((48, 32))):
        quant.indexed_png(quant.quantize(image, 8))
    for name, image in images.items():
        for k in ks:
            if progress:
                progress(f"{name} k={k}")
            started = time.perf_counter()
            result = quant.quantize(image, k)
            png = quant.indexed_png(result, compress_level=9)
            seconds = time.perf_counter() - started
            rows.append(_row(name, k, QUANT, image, png, seconds, len(quant.indexed_png(result))))
            made = pngquant_png(image, k)
            if made is not None:
                rows.append(_row(name, k, PNGQUANT, image, *made))
            started = time.perf_counter()
            png = quant.indexed_png(quant.quantize(composite(image), k), compress_level=9)
            rows.append(_row(name, k, FLATTENED, image, png, time.perf_counter() - started))
    return rows


def render_alpha(rows: Sequence[AlphaRow], images: dict[str, np.ndarray]) -> str:
    """The table (Markdown) and, per image and k, quant against pngquant in one line."""
    lines = [
        "| image | k | method | colours | premultiplied MSE | ΔE00 on white | PNG bytes | alpha-0 made visible | opaque made see-through | s |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row.image} | {row.k} | {row.method} | {row.colors} | {row.mse:.2f} | {row.delta_e:.2f} | {row.png_bytes:,} "
            f"| {row.made_visible:,} | {row.made_see_through:,} | {row.seconds:.2f} |"
        )
    lines.append("")
    by_key = {(row.image, row.k, row.method): row for row in rows}
    if not any(row.method == PNGQUANT for row in rows):
        lines.append("- pngquant not installed (`apt-get install -y pngquant`): quant's rows only.")
    for (name, k, method), ours in by_key.items():
        theirs = by_key.get((name, k, PNGQUANT))
        if method != QUANT or theirs is None:
            continue
        lines.append(
            f"- **{name}, k={k}**: premultiplied MSE {ours.mse:.2f} vs pngquant's {theirs.mse:.2f} "
            f"({ours.mse / theirs.mse:.2f}×); PNG {ours.png_bytes:,} vs {theirs.png_bytes:,} bytes "
            f"({ours.png_bytes / theirs.png_bytes:.2f}×; {ours.default_png_bytes / theirs.png_bytes:.2f}× "
            f"at quant's default zlib level 6, {ours.default_png_bytes:,} bytes)."
        )
    for name, image in images.items():
        alpha = image[..., 3]
        lines.append(
            f"- {name}: {alpha.size:,} pixels, {np.count_nonzero(alpha == 0):,} transparent, "
            f"{np.count_nonzero((alpha > 0) & (alpha < 255)):,} partly transparent, {np.count_nonzero(alpha == 255):,} opaque."
        )
    version = "not installed"
    if shutil.which("pngquant"):
        version = subprocess.run(["pngquant", "--version"], capture_output=True, text=True).stdout.strip()
    lines.append(f"- Machine: {machine()}; pngquant {version}.")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.alpha", description=__doc__.split("\n\n")[0])
    parser.add_argument("--ks", type=int, nargs="+", default=[16, 64], help="palette sizes (default: 16 64)")
    parser.add_argument("--markdown", type=Path, default=None, help="also write the table to this file")
    args = parser.parse_args(argv)
    images = {name: make() for name, make in IMAGES.items()}
    started = time.perf_counter()
    rows = measure_alpha(images, args.ks, progress=lambda text: print(text, file=sys.stderr, flush=True))
    table = render_alpha(rows, images) + f"- Whole run: {time.perf_counter() - started:.0f} s.\n"
    print(table)
    if args.markdown is not None:
        args.markdown.write_text(table, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
