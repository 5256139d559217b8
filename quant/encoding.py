"""Files out of a result: indexed PNGs, palette exports, and the storage arithmetic.

A palette image stores one index of ``ceil(log2 k)`` bits per pixel plus the palette
itself, against 24 bits per pixel for true colour. :func:`storage` does that
arithmetic; :func:`indexed_png` writes the real file (mode ``P``, with the PNG bit
depth Pillow picks for the palette size), whose size shows what compression adds.
A palette with transparent or partly transparent entries is written as PLTE plus a
tRNS chunk of one alpha per entry, those entries first so that tRNS stays short.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass

import numpy as np
from PIL import Image

from quant.pipeline import Quantized

__all__ = [
    "Storage",
    "entry_names",
    "indexed_png",
    "indexed_png_of_labels",
    "palette_csv",
    "palette_gpl",
    "palette_hex",
    "palette_json",
    "storage",
]


@dataclass(frozen=True)
class Storage:
    """Bits needed to store an image as true colour and as a palette image.

    Attributes
    ----------
    n_pixels, n_colors : int
        Image size and palette size.
    raw_bits : int
        ``24 * n_pixels``: 8 bits for each of red, green and blue.
    index_bits_per_pixel : int
        ``ceil(log2 n_colors)``, at least 1: the bits of one palette index.
    palette_bits : int
        ``24 * n_colors``: the palette's own colours.
    indexed_bits : int
        ``index_bits_per_pixel * n_pixels + palette_bits``.
    ratio : float
        ``raw_bits / indexed_bits``: how many times smaller the palette image is.
    """

    n_pixels: int
    n_colors: int
    raw_bits: int
    index_bits_per_pixel: int
    palette_bits: int
    indexed_bits: int
    ratio: float


def storage(n_pixels: int, n_colors: int, *, alpha: bool = False) -> Storage:
    """Storage arithmetic of a palette image against 24-bit true colour (32-bit with ``alpha``).

    Parameters
    ----------
    n_pixels : int
        Pixels of the image, at least 1.
    n_colors : int
        Palette size, at least 1.
    alpha : bool, default False
        The image has transparency: a plain pixel then takes 32 bits (red, green, blue
        and alpha) and each palette entry 32 (its colour, and its alpha as PNG's tRNS
        chunk keeps it); the index per pixel is the same.

    Returns
    -------
    Storage

    Examples
    --------
    >>> s = storage(100, 16)
    >>> s.index_bits_per_pixel, s.indexed_bits, round(s.ratio, 2)
    (4, 784, 3.06)
    """
    if n_pixels < 1 or n_colors < 1:
        raise ValueError(f"n_pixels and n_colors must be at least 1, got {n_pixels} and {n_colors}.")
    index_bits = max(1, math.ceil(math.log2(n_colors)))
    channel_bits = 32 if alpha else 24
    raw_bits = channel_bits * n_pixels
    palette_bits = channel_bits * n_colors
    indexed_bits = index_bits * n_pixels + palette_bits
    return Storage(
        n_pixels=n_pixels,
        n_colors=n_colors,
        raw_bits=raw_bits,
        index_bits_per_pixel=index_bits,
        palette_bits=palette_bits,
        indexed_bits=indexed_bits,
        ratio=raw_bits / indexed_bits,
    )


def indexed_png(result: Quantized, *, compress_level: int = 6) -> bytes:
    """The result as an indexed-colour (mode ``P``) PNG file.

    Parameters
    ----------
    result : Quantized
        A result of :func:`quant.quantize`.
    compress_level : int, default 6
        zlib level, 0 (none) to 9 (smallest, slowest); 6 is Pillow's and libpng's default.

    Returns
    -------
    bytes
        The PNG file; decoding it gives back ``result.image`` exactly (RGBA, for a
        result of an RGBA image with some entry below alpha 255: the entries with
        alpha below 255 come first in its palette, and a tRNS chunk holds their alphas;
        see :func:`indexed_png_of_labels`).
    """
    return indexed_png_of_labels(result.labels, result.palette, alpha=result.alpha, compress_level=compress_level)


def indexed_png_of_labels(
    labels: np.ndarray, palette: np.ndarray, *, alpha: np.ndarray | None = None, compress_level: int = 6
) -> bytes:
    """An indexed-colour PNG file of ``palette[labels]``, without making that image.

    Parameters
    ----------
    labels : (H, W) uint8 array
        Index into ``palette`` of each pixel, as :attr:`Quantized.labels`.
    palette : (k, 3) uint8 array
        The colours, ``1 <= k <= 256``.
    alpha : (k,) uint8 array, optional
        Each entry's opacity (:attr:`Quantized.alpha`); None, or 255 everywhere, writes
        an opaque image as before.
    compress_level : int, default 6
        As in :func:`indexed_png`.

    Returns
    -------
    bytes
        The PNG file; decoding it gives back ``palette[labels]`` exactly, with
        ``alpha[labels]`` as its alpha when some entry is below 255.

    Raises
    ------
    ValueError
        If the arrays have the wrong shape or type, or a label has no palette entry.

    Notes
    -----
    With alpha below 255 somewhere, the entries are re-ordered so that those come first
    and the labels follow them: the tRNS chunk then holds only their alphas, the opaque
    entries after them being opaque by the PNG rules. Within that, entries go by alpha,
    then by luminance, which makes files of up to 16 colours (4 bits or fewer per pixel,
    two or more pixels a byte) smaller than by share: 5% and 7% on the two images of
    ``python -m bench.alpha`` at 16 colours. At 8 bits per pixel the order changes nothing. Decoders that know
    no tRNS show the palette's colours, and the transparent entry of a
    :func:`quant.quantize` result is black (0, 0, 0).
    """
    labels = np.asarray(labels)
    palette = _check_palette(palette)
    if labels.ndim != 2 or labels.dtype != np.uint8:
        raise ValueError(f"labels must be an (H, W) uint8 array, got shape {labels.shape} and dtype {labels.dtype}.")
    if labels.size and int(labels.max()) >= palette.shape[0]:
        raise ValueError(f"labels go up to {int(labels.max())}, but the palette has {palette.shape[0]} entries.")
    options: dict[str, object] = {}
    if alpha is not None:
        alpha = np.asarray(alpha)
        if alpha.shape != (palette.shape[0],) or alpha.dtype != np.uint8:
            raise ValueError(
                f"alpha must be a ({palette.shape[0]},) uint8 array, one per palette entry, "
                f"got shape {alpha.shape} and dtype {alpha.dtype}."
            )
        if (alpha < 255).any():
            # See-through entries first (tRNS holds only them), by alpha, then each run of
            # equal alpha by luminance: at 1 to 4 bits per pixel, where two or more pixels
            # share a byte, similar entries with near indices compress better.
            luminance = palette.astype(np.float64) @ np.array([0.299, 0.587, 0.114])
            order = np.lexsort((luminance, alpha, alpha == 255))
            rank = np.empty(palette.shape[0], dtype=np.uint8)
            rank[order] = np.arange(palette.shape[0], dtype=np.uint8)
            labels = np.take(rank, labels)
            palette, alpha = palette[order], alpha[order]
            options["transparency"] = alpha[: int(np.count_nonzero(alpha < 255))].tobytes()
    indexed = Image.fromarray(np.ascontiguousarray(labels), mode="P")
    indexed.putpalette(palette.ravel().tolist())
    buffer = io.BytesIO()
    # Pillow picks the bit depth from the palette length: 1, 2 or 4 bits for up to 16 colours.
    indexed.save(buffer, format="PNG", compress_level=compress_level, **options)
    return buffer.getvalue()


def _check_palette(palette: np.ndarray) -> np.ndarray:
    palette = np.asarray(palette)
    if palette.ndim != 2 or palette.shape[1] != 3 or palette.dtype != np.uint8:
        raise ValueError(f"palette must be a (k, 3) uint8 array, got shape {palette.shape} and dtype {palette.dtype}.")
    return palette


def palette_hex(palette: np.ndarray) -> list[str]:
    """Palette as ``"#rrggbb"`` strings, in palette order.

    Examples
    --------
    >>> palette_hex(np.array([[255, 0, 16]], dtype=np.uint8))
    ['#ff0010']
    """
    return [f"#{r:02x}{g:02x}{b:02x}" for r, g, b in _check_palette(palette).tolist()]


def entry_names(palette: np.ndarray, alpha: np.ndarray | None = None) -> list[str]:
    """Each entry's name in a palette file: its ``"#rrggbb"``, with " transparent" or
    " alpha N" after it for an entry whose alpha (one per entry, optional) is below 255.

    Palette files without an alpha channel (``.gpl``, ``.ase``) keep the alpha this way,
    in words, where a person sees it.

    Examples
    --------
    >>> entry_names(np.array([[0, 0, 0], [255, 0, 16], [9, 9, 9]], dtype=np.uint8), np.array([0, 255, 128]))
    ['#000000 transparent', '#ff0010', '#090909 alpha 128']
    """
    names = palette_hex(palette)
    if alpha is None:
        return names
    alpha = np.asarray(alpha)
    if alpha.shape != (len(names),):
        raise ValueError(f"alpha must have one entry per palette colour ({len(names)}), got shape {alpha.shape}.")
    return [
        name if value == 255 else f"{name} transparent" if value == 0 else f"{name} alpha {value}"
        for name, value in zip(names, alpha.tolist())
    ]


def palette_gpl(palette: np.ndarray, name: str, *, alpha: np.ndarray | None = None) -> str:
    """Palette as a GIMP palette (``.gpl``), which GIMP, Inkscape and Krita import.

    Parameters
    ----------
    palette : (k, 3) uint8 array
    name : str
        Palette name shown by the application; line breaks are replaced by spaces.
    alpha : (k,) uint8 array, optional
        Each entry's opacity. A ``.gpl`` file has no alpha: an entry below 255 is
        named so (:func:`entry_names`), e.g. ``#000000 transparent``.
    """
    palette = _check_palette(palette)
    clean_name = " ".join(str(name).split()) or "Palette"
    lines = ["GIMP Palette", f"Name: {clean_name}", f"Columns: {min(16, max(1, palette.shape[0]))}", "#"]
    lines += [f"{r:3d} {g:3d} {b:3d}\t{entry}" for (r, g, b), entry in zip(palette.tolist(), entry_names(palette, alpha))]
    return "\n".join(lines) + "\n"


def _shares(palette: np.ndarray, counts: np.ndarray) -> tuple[list[int], list[float]]:
    counts = np.asarray(counts)
    if counts.shape != (palette.shape[0],):
        raise ValueError(f"counts must have one entry per palette colour ({palette.shape[0]}), got shape {counts.shape}.")
    total = int(counts.sum())
    return counts.astype(int).tolist(), [int(c) / total if total else 0.0 for c in counts.tolist()]


def palette_json(palette: np.ndarray, counts: np.ndarray, *, alpha: np.ndarray | None = None) -> str:
    """Palette as JSON: a list of ``{"hex", "rgb", "pixels", "share"}`` objects, with
    ``"alpha"`` (0–255) in each when ``alpha`` (one per entry) is given."""
    palette = _check_palette(palette)
    pixels, shares = _shares(palette, counts)
    entries = [
        {"hex": hex_, "rgb": rgb, "pixels": n, "share": round(share, 6)}
        for hex_, rgb, n, share in zip(palette_hex(palette), palette.tolist(), pixels, shares)
    ]
    if alpha is not None:
        alpha = np.asarray(alpha)
        if alpha.shape != (palette.shape[0],):
            raise ValueError(f"alpha must have one entry per palette colour ({palette.shape[0]}), got shape {alpha.shape}.")
        for entry, value in zip(entries, alpha.tolist()):
            entry["alpha"] = int(value)
    return json.dumps({"colors": entries}, indent=2)


def palette_csv(palette: np.ndarray, counts: np.ndarray) -> str:
    """Palette as CSV with a header: ``hex,red,green,blue,pixels,share``."""
    palette = _check_palette(palette)
    pixels, shares = _shares(palette, counts)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["hex", "red", "green", "blue", "pixels", "share"])
    for hex_, (r, g, b), n, share in zip(palette_hex(palette), palette.tolist(), pixels, shares):
        writer.writerow([hex_, r, g, b, n, f"{share:.6f}"])
    return buffer.getvalue()
