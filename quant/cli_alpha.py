"""The command line's transparency: an image's alpha kept, or flattened on ``--background``.

``python -m quant`` loads every image with ``keep_alpha=True``, so a logo's transparent
background stays transparent in the indexed PNG it writes (PLTE + tRNS) and its palette
``.json`` gives each entry's alpha. ``--background COLOR`` flattens the image on that
colour first, as the loader always did on white, and the file names say so
(``logo-16-kmeans-on-ffffff``). The JSON record of an image with transparency says
whether its alpha was kept (``"alpha"``), and for a kept one how many pixels changed
visibility (:attr:`quant.Metrics.changed_visibility`); an opaque image's has neither.

The PNG's zlib level: 9 (zlib's best, as pngquant writes) for an image with
transparency of at most :data:`BEST_LEVEL_PIXELS`, else 6; ``--png-level`` chooses.
Measured (docs/benchmarks.md): level 9 makes a 256 × 256 logo's 16-colour PNG 10%
smaller for 10 ms, a 0.24 MP photo's 1.2% smaller for 3.5 times the encoding time, and
a 12 MP photo's 5% smaller for 2.2 s more.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

import quant

__all__ = ["BEST_LEVEL_PIXELS", "add_arguments", "load", "png_level", "record_fields", "stem_suffix"]

BEST_LEVEL_PIXELS = 4_000_000
"""Largest image with transparency written at zlib level 9 by default (icons, logos,
sprites and cut-outs; beyond it the best level costs seconds for a few per cent)."""


def _level(text: str) -> int:
    """argparse type of ``--png-level``: a whole number from 0 to 9."""
    if text.strip().isdigit() and 0 <= int(text) <= 9:
        return int(text)
    raise argparse.ArgumentTypeError(f"the PNG level must be a whole number from 0 to 9, got {text!r}")


def _background(text: str) -> tuple[int, int, int]:
    """argparse type of ``--background``: one hex colour such as ``ffffff`` or ``#202020``."""
    try:
        colors = quant.parse_colors(text)
    except quant.ImageError as err:
        raise argparse.ArgumentTypeError(str(err).replace("\n", " ")) from None
    if colors.shape[0] != 1:
        raise argparse.ArgumentTypeError(f"give one hex colour such as ffffff or #202020, got {text!r}")
    return tuple(int(value) for value in colors[0])  # type: ignore[return-value]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--background`` and ``--png-level`` to the command line's parser."""
    parser.add_argument(
        "--png-level", metavar="LEVEL", type=_level, default=None,
        help=(
            "zlib level of the PNG, 0 (fastest) to 9 (smallest); default 9 for an image with transparency "
            f"of at most {BEST_LEVEL_PIXELS // 1_000_000} MP, else 6"
        ),
    )
    parser.add_argument(
        "--background", metavar="COLOR", type=_background, default=None,
        help=(
            "flatten transparency onto this colour (hex, e.g. ffffff) instead of keeping it; "
            "by default an image's alpha is kept (PNG with tRNS)"
        ),
    )


def load(source: Path, args: argparse.Namespace) -> np.ndarray:
    """The image at ``source``: RGBA if it has transparency and no ``--background`` was
    given, else RGB (flattened on that colour).

    Raises
    ------
    quant.ImageError
        If the file cannot be read.
    """
    image = quant.load_image(source, keep_alpha=True)
    if args.background is not None:
        from quant.modes import composite

        return composite(image, args.background)
    return image


def png_level(image: np.ndarray, args: argparse.Namespace) -> int:
    """The zlib level of ``image``'s PNG: ``--png-level``, else 9 for an image with
    transparency of at most :data:`BEST_LEVEL_PIXELS`, else 6."""
    if args.png_level is not None:
        return int(args.png_level)
    small = image.shape[0] * image.shape[1] <= BEST_LEVEL_PIXELS
    return 9 if image.shape[2] == 4 and small else 6


def stem_suffix(args: argparse.Namespace) -> str:
    """What the file names add for ``--background``: ``-on-ffffff``, or nothing."""
    if args.background is None:
        return ""
    return "-on-" + quant.palette_hex(np.array([args.background], dtype=np.uint8))[0].lstrip("#")


def record_fields(image: np.ndarray, scores: quant.Metrics, args: argparse.Namespace) -> dict[str, Any]:
    """The JSON record's transparency fields: ``"alpha": true`` and ``changed_visibility``
    for an image whose alpha was kept, ``"alpha": false`` and ``background`` (hex) when
    ``--background`` flattened it; none for an image without transparency."""
    if args.background is not None:
        return {"alpha": False, "background": quant.palette_hex(np.array([args.background], dtype=np.uint8))[0]}
    if image.shape[2] == 4:
        return {"alpha": True, "changed_visibility": scores.changed_visibility}
    return {}
