"""Small text formatters shared by the pages, so numbers read the same everywhere."""

from __future__ import annotations

import math
from pathlib import Path

from ui.state import METHOD_LABELS, SPACE_LABELS

__all__ = ["describe", "file_size", "file_stem", "psnr"]


def file_size(n_bytes: float) -> str:
    """``1536`` -> ``"1.5 KB"``: decimal units, as file managers show them."""
    for unit in ("bytes", "KB", "MB"):
        if n_bytes < 1000 or unit == "MB":
            return f"{n_bytes:,.0f} {unit}" if unit == "bytes" else f"{n_bytes:,.1f} {unit}"
        n_bytes /= 1000
    raise AssertionError("unreachable")


def psnr(value: float) -> str:
    """PSNR in dB, or "∞" for an exact copy."""
    return "∞ dB" if math.isinf(value) else f"{value:.1f} dB"


def describe(method: str, space: str, *, dither: bool = False) -> str:
    """``"k-means in Lab, dithered"``: how a palette was made, in words."""
    words = f"{METHOD_LABELS[method]} in {SPACE_LABELS[space]}"
    return f"{words}, dithered" if dither else words


def file_stem(name: str) -> str:
    """A safe stem for download file names from the image's name."""
    stem = Path(name).stem or "image"
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in stem)
