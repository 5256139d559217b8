"""Adobe Swatch Exchange (``.ase``): writing a palette as one, and reading one safely.

Adobe's apps, and many others, exchange swatches as ``.ase`` files. :func:`palette_ase`
writes a palette as one (the one palette format :mod:`quant.encoding` does not
write); :func:`ase_colors` reads the colours out of one, for :func:`quant.read_palette`.

An ``.ase`` file comes from a user, so reading it is defensive: every length is
checked against the bytes that are there, every loop advances or stops, and
every problem is one :class:`~quant.errors.ImageError` whose message names the
block and says what is accepted.

References
----------
.. [1] Adobe Swatch Exchange, as publicly described (Adobe does not publish it):
   big-endian ``ASEF`` header, version, block count, then blocks of type, length
   and body.
"""

from __future__ import annotations

import math
import struct
import warnings
from collections.abc import Iterator, Sequence

import numpy as np

from quant.encoding import palette_hex
from quant.errors import ImageError
from quant.palette import MAX_COLORS

__all__ = ["ase_colors", "palette_ase"]

_RGB = tuple[int, int, int]

_ASE_COLOUR = 0x0001  # block kind of a colour entry
_ASE_NORMAL = 2  # colour type: normal (process), neither global nor spot
_ASE_MODELS = {b"RGB ": 3, b"CMYK": 4, b"LAB ": 3, b"Gray": 1}  # values per colour


# --- writing --------------------------------------------------------------------------


def palette_ase(palette: np.ndarray, *, names: Sequence[str] | None = None) -> bytes:
    """Palette as an Adobe Swatch Exchange (``.ase``) file, for Adobe apps and others.

    Parameters
    ----------
    palette : (k, 3) uint8 array
        The colours, ``1 <= k <= MAX_COLORS``.
    names : sequence of str, optional
        One swatch name per colour; ``"#rrggbb"`` of each colour by default.

    Returns
    -------
    bytes
        An ``.ase`` file (version 1.0) of k ungrouped ``RGB`` colour entries of the
        "normal" (process) type, values stored as float32 ``v / 255``.
        :func:`quant.read_palette` reads it back exactly (up to dropped duplicates).

    Raises
    ------
    ValueError
        If `palette` is not a (k, 3) uint8 array with 1 to ``MAX_COLORS`` rows, or
        `names` does not have one string per colour, or a name holds a NUL character
        or is longer than 65,534 UTF-16 code units.
    """
    hexes = palette_hex(palette)  # also checks shape and dtype
    palette = np.asarray(palette)
    if not 1 <= palette.shape[0] <= MAX_COLORS:
        raise ValueError(f"palette must have 1 to {MAX_COLORS} colours, got {palette.shape[0]}.")
    names = hexes if names is None else list(names)
    if len(names) != palette.shape[0] or not all(isinstance(name, str) for name in names):
        raise ValueError(f"names must be {palette.shape[0]} strings, one per colour, got {len(names)} items.")
    blocks = []
    for rgb, name in zip(palette.tolist(), names):
        if "\x00" in name:
            raise ValueError(f"swatch names cannot hold a NUL character, got {name!r}.")
        encoded = name.encode("utf-16-be") + b"\x00\x00"
        units = len(encoded) // 2
        if units > 0xFFFF:
            raise ValueError(f"swatch names must be at most 65,534 UTF-16 code units, got one of {units - 1:,}.")
        values = struct.pack(">3f", *(channel / 255 for channel in rgb))
        body = struct.pack(">H", units) + encoded + b"RGB " + values + struct.pack(">H", _ASE_NORMAL)
        blocks.append(struct.pack(">HI", _ASE_COLOUR, len(body)) + body)
    return b"ASEF" + struct.pack(">HHI", 1, 0, len(blocks)) + b"".join(blocks)


# --- reading --------------------------------------------------------------------------


def _ase_corrupt(where: str, detail: str) -> ImageError:
    return ImageError(
        f"{_capitalised(where)} is a truncated or corrupt Adobe swatch (.ase) file: {detail}; expected a complete .ase file."
    )


def _capitalised(where: str) -> str:
    return where[:1].upper() + where[1:]


def ase_colors(data: bytes, *, where: str = "the palette file") -> Iterator[_RGB]:
    """The colours of an Adobe Swatch Exchange file, one at a time, in the file's order.

    Parameters
    ----------
    data : bytes
        The whole file, starting with ``ASEF``. Its size is the caller's to limit.
    where : str
        How messages name the file, mid-sentence: a quoted file name, or
        ``"the palette file"``.

    Yields
    ------
    tuple of int
        ``(red, green, blue)``, each 0-255, for every colour entry, inside groups or
        not, duplicates included. Collecting them, and refusing too many, is the
        caller's part, so a file announcing billions of blocks is refused as soon as
        the caller has enough.

    Raises
    ------
    ImageError
        If the file is not version 1, is truncated or corrupt (a length that runs
        past the bytes that are there), or holds a colour in an unknown model, with
        a value that is not finite, or out of 0-1.

    Notes
    -----
    Group blocks themselves are skipped, and so are unknown block types. ``RGB``
    values 0-1 become ``round(v * 255)``; ``Gray`` g becomes (g, g, g); ``CMYK`` uses
    the naive formula ``255 * (1 - c) * (1 - k)`` (and the same with m, y), without
    any colour profile, so it differs from what Photoshop shows; ``LAB`` (L stored as
    0-1 for 0-100) is converted with :func:`skimage.color.lab2rgb` for the D65 white
    point and clipped to the RGB cube. Names and spot/global/normal types are ignored.
    """
    if len(data) < 12:
        raise _ase_corrupt(where, f"it ends after {len(data)} bytes, inside its 12-byte header")
    major, minor, n_blocks = struct.unpack_from(">HHI", data, 4)
    if major != 1:
        raise ImageError(
            f"{_capitalised(where)} is an Adobe swatch (.ase) file of version {major}.{minor}; only version 1 is accepted."
        )
    position = 12
    # Each pass consumes at least the 6-byte block header or raises, so the loop ends
    # within len(data) / 6 passes whatever n_blocks claims.
    for block in range(1, n_blocks + 1):
        if len(data) - position < 6:
            raise _ase_corrupt(where, f"its header announces {n_blocks:,} blocks but it ends before block {block} is complete")
        kind, length = struct.unpack_from(">HI", data, position)
        position += 6
        if length > len(data) - position:
            raise _ase_corrupt(
                where, f"block {block} says it holds {length:,} bytes but only {len(data) - position:,} remain"
            )
        if kind == _ASE_COLOUR:
            yield _ase_colour(memoryview(data)[position : position + length], block, where)
        # Group start (0xC001) and end (0xC002) blocks, and kinds we do not know, are
        # skipped whole: the colours inside a group are blocks of their own.
        position += length


def _ase_colour(body: memoryview, block: int, where: str) -> _RGB:
    if len(body) < 2:
        raise _ase_corrupt(where, f"the colour in block {block} is too short to hold its name length")
    (name_units,) = struct.unpack_from(">H", body, 0)
    model_at = 2 + 2 * name_units
    if model_at > len(body):
        raise _ase_corrupt(
            where,
            f"the name of the colour in block {block} is {name_units:,} UTF-16 units long, "
            f"past the end of its {len(body):,}-byte block",
        )
    if model_at + 4 > len(body):
        raise _ase_corrupt(where, f"the colour in block {block} ends before its colour model")
    model = bytes(body[model_at : model_at + 4])
    count = _ASE_MODELS.get(model)
    if count is None:
        raise ImageError(
            f"The colour in block {block} of {where} uses the colour model {model.decode('latin-1')!r}; "
            f"expected RGB, CMYK, LAB or Gray."
        )
    if model_at + 4 + 4 * count > len(body):
        raise _ase_corrupt(
            where, f"the {model.decode().strip()} values of the colour in block {block} run past the end of its block"
        )
    values = struct.unpack_from(f">{count}f", body, model_at + 4)
    if not all(math.isfinite(v) for v in values):
        raise ImageError(f"The colour in block {block} of {where} has a value that is not a finite number; expected numbers 0-1.")
    if model == b"LAB ":
        return _lab_to_rgb(values)
    if any(not 0 <= round(v * 255) <= 255 for v in values):
        shown = ", ".join(f"{v:.4g}" for v in values)
        raise ImageError(
            f"The {model.decode().strip()} colour in block {block} of {where} has values ({shown}) outside 0-1; "
            f"expected values 0-1."
        )
    if model == b"Gray":
        values = (values[0],) * 3
    elif model == b"CMYK":
        cyan, magenta, yellow, black = (min(max(v, 0.0), 1.0) for v in values)
        values = ((1 - cyan) * (1 - black), (1 - magenta) * (1 - black), (1 - yellow) * (1 - black))
    red, green, blue = (min(max(round(v * 255), 0), 255) for v in values)
    return red, green, blue


def _lab_to_rgb(values: tuple[float, ...]) -> _RGB:
    from skimage.color import lab2rgb  # here: importing scikit-image takes a while

    lab = np.array([[values[0] * 100.0, values[1], values[2]]], dtype=np.float64)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        # lab2rgb warns when a colour lies outside the RGB cube; we clip, as documented.
        warnings.simplefilter("ignore")
        rgb = lab2rgb(lab, illuminant="D65")
    rgb = np.clip(np.nan_to_num(rgb, nan=0.0), 0.0, 1.0)
    red, green, blue = np.rint(rgb[0] * 255).astype(np.uint8).tolist()
    return red, green, blue

