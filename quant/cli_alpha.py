"""The command line's transparency: an image's alpha kept, or flattened on ``--background``.

``python -m quant`` loads every image with ``keep_alpha=True``, so a logo's transparent
background stays transparent in the indexed PNG it writes (PLTE + tRNS) and its palette
``.json`` gives each entry's alpha. ``--background COLOR`` flattens the image on that
colour first, as the loader always did on white, and the file names say so
(``logo-16-kmeans-on-ffffff``). The JSON record of an image with transparency says
whether its alpha was kept (``"alpha"``), and for a kept one how many pixels changed
visibility (:attr:`quant.Metrics.changed_visibility`); an opaque image's has neither.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

import quant

__all__ = ["add_arguments", "load", "record_fields", "stem_suffix"]


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
    """Add ``--background`` to the command line's parser."""
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
        If the file cannot be read, or has transparency with ``--max-delta-e`` (whose
        search measures opaque images only) and no ``--background``.
    """
    image = quant.load_image(source, keep_alpha=True)
    if args.background is not None:
        from quant.modes import composite

        return composite(image, args.background)
    if image.shape[2] == 4 and args.max_delta_e is not None:
        raise quant.ImageError(
            "it has transparency, which --max-delta-e cannot keep yet; add --background ffffff to flatten it on white"
        )
    return image


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
