"""Palettes a person brings: published presets, palette files, and colours typed by hand.

A person who wants a picture in the PICO-8 or Game Boy colours, or in the swatches
of their brand, brings the palette rather than asking for one to be fitted. This
module turns what they bring into a (n, 3) uint8 palette:

* :data:`PALETTES` holds a few published palettes by name (labels for display in
  :data:`PALETTE_LABELS`);
* :func:`read_palette` reads a palette file, recognised by its content rather than
  its name: GIMP ``.gpl``, Adobe Swatch Exchange ``.ase``, the JSON and CSV exports of
  :mod:`quant.encoding` (and plain JSON lists), a list of hex colours, or the palette
  of an indexed PNG or GIF;
* :func:`palette_ase` writes a palette as an ``.ase`` file, the one format of the
  above that :mod:`quant.encoding` does not already write;
* :func:`parse_colors` reads colours typed by a person, such as ``"ff0000, #00f"``.

Palette files come from users, so reading them is as defensive as
:func:`quant.load_image`: the size is checked before anything is parsed, every length
in a binary file is checked against the bytes that are there, every loop advances or
stops, and every problem is one :class:`~quant.errors.ImageError` whose message says
what was wrong and what is accepted.

References
----------
.. [1] GIMP palette format: ``app/core/gimppalette-load.c`` in GIMP's sources.
.. [2] Adobe Swatch Exchange, as publicly described (Adobe does not publish it):
   big-endian ``ASEF`` header, version, block count, then blocks of type, length
   and body.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import struct
import warnings
from collections.abc import Mapping, Sequence
from itertools import product
from pathlib import Path
from types import MappingProxyType

import numpy as np
from PIL import Image, UnidentifiedImageError
from skimage import color as skcolor

from quant import loading
from quant.colors import freeze
from quant.encoding import palette_hex
from quant.errors import ImageError
from quant.palette import MAX_COLORS

__all__ = [
    "MAX_PALETTE_BYTES",
    "PALETTES",
    "PALETTE_LABELS",
    "palette_ase",
    "parse_colors",
    "read_palette",
]

MAX_PALETTE_BYTES = 1 << 20
"""Largest palette file :func:`read_palette` accepts, in bytes (1 MiB), checked before
parsing. A 256-colour palette takes a few kilobytes in any of the formats."""


# --- published palettes ---------------------------------------------------------------


def _preset(colours: Sequence[str] | Sequence[tuple[int, int, int]]) -> np.ndarray:
    rows = [(int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)) if isinstance(c, str) else c for c in colours]
    return freeze(np.array(rows, dtype=np.uint8).reshape(-1, 3))


# The EGA's 6-bit colour index is rgbRGB: bits 0-2 add 0xAA to blue, green and red,
# bits 3-5 add 0x55 to them; listed in index order.
_EGA = [
    (0xAA * (i >> 2 & 1) + 0x55 * (i >> 5 & 1), 0xAA * (i >> 1 & 1) + 0x55 * (i >> 4 & 1), 0xAA * (i & 1) + 0x55 * (i >> 3 & 1))
    for i in range(64)
]

PALETTES: Mapping[str, np.ndarray] = MappingProxyType(
    {
        # PICO-8 fantasy console, Lexaloffle's published 16 colours in index order.
        "pico-8": _preset(
            "000000 1D2B53 7E2553 008751 AB5236 5F574F C2C3C7 FFF1E8 "
            "FF004D FFA300 FFEC27 00E436 29ADFF 83769C FF77A8 FFCCAA".split()
        ),
        # Nintendo Game Boy (DMG): the four greens as commonly published, darkest first.
        "game-boy": _preset("0F380F 306230 8BAC0F 9BBC0F".split()),
        # IBM CGA / RGBI 16 colours in index order (colour 6 is brown, AA5500).
        "cga": _preset(
            "000000 0000AA 00AA00 00AAAA AA0000 AA00AA AA5500 AAAAAA "
            "555555 5555FF 55FF55 55FFFF FF5555 FF55FF FFFF55 FFFFFF".split()
        ),
        # IBM EGA: all 64 colours of its 2-bit-per-channel DAC, in hardware index order.
        "ega": _preset(_EGA),
        # The 16 colour names of HTML 4.01 (section 6.5), in the specification's order.
        "html-16": _preset(
            "000000 C0C0C0 808080 FFFFFF 800000 FF0000 800080 FF00FF "
            "008000 00FF00 808000 FFFF00 000080 0000FF 008080 00FFFF".split()
        ),
        # The web-safe palette: every combination of 00 33 66 99 CC FF, red slowest.
        "web-safe": _preset(list(product(range(0, 256, 51), repeat=3))),
    }
)
"""Published palettes by name: read-only (n, 3) uint8 arrays that cannot be made
writeable. Names are lower case with hyphens; :data:`PALETTE_LABELS` has display labels."""

PALETTE_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "pico-8": "PICO-8 (16 colours)",
        "game-boy": "Game Boy (4 colours)",
        "cga": "CGA (16 colours)",
        "ega": "EGA (64 colours)",
        "html-16": "HTML 4 basic colours (16 colours)",
        "web-safe": "Web-safe (216 colours)",
    }
)
"""Display label of each name in :data:`PALETTES`, e.g. ``"PICO-8 (16 colours)"``."""


# --- messages -------------------------------------------------------------------------

_ACCEPTED = (
    "a GIMP palette (.gpl), an Adobe swatch file (.ase), JSON (our export, or a list of "
    "hex strings or [r, g, b] lists), CSV with a hex or red,green,blue header, hex "
    "colours one per line, or an indexed PNG or GIF"
)
_ECHO = 40  # characters of a user's text quoted back in a message, at most
_HEX_EXPECTED = "expected hex like #ff8800 or ff8800 (or #f80)"


def _quote(text: str) -> str:
    """``repr`` of at most :data:`_ECHO` characters of ``text``: short and printable."""
    if len(text) > _ECHO:
        text = text[: _ECHO - 1] + "…"
    return repr(text)


def _describe(value: object) -> str:
    """A short printable rendering of a JSON value for a message."""
    if isinstance(value, str):
        return _quote(value)
    try:
        text = json.dumps(value)  # ASCII only: safe to show
    except (TypeError, ValueError, RecursionError):
        text = type(value).__name__
    return text if len(text) <= _ECHO else text[: _ECHO - 3] + "..."


class _Where:
    """How messages name the palette: the file's name, or "the palette file"."""

    def __init__(self, name: str | None, *, description: str = "the palette file") -> None:
        self.name = _quote(name) if name else None
        self.description = description

    def __str__(self) -> str:
        return self.name or self.description

    @property
    def subject(self) -> str:
        return self.name or self.description[:1].upper() + self.description[1:]


# --- colour tokens --------------------------------------------------------------------

_HEX6 = re.compile(r"#?([0-9a-fA-F]{6})")
_HEX3 = re.compile(r"#([0-9a-fA-F]{3})")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_RGB = tuple[int, int, int]


def _hex_colour(token: str) -> _RGB | None:
    """``#rrggbb``, ``rrggbb`` or ``#rgb`` (any case) as a colour; anything else None."""
    match = _HEX6.fullmatch(token)
    if match:
        digits = match.group(1)
    else:
        match = _HEX3.fullmatch(token)
        if not match:
            return None
        digits = "".join(2 * digit for digit in match.group(1))
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


class _Colours:
    """Distinct colours in the order first seen, refusing more than MAX_COLORS."""

    def __init__(self, where: _Where) -> None:
        self.where = where
        self.seen: dict[_RGB, None] = {}

    def add(self, rgb: _RGB) -> None:
        if rgb in self.seen:
            return
        if len(self.seen) == MAX_COLORS:
            raise ImageError(
                f"{self.where.subject} holds more than {MAX_COLORS} distinct colours; "
                f"a palette may have at most {MAX_COLORS}."
            )
        self.seen[rgb] = None

    def palette(self) -> np.ndarray:
        if not self.seen:
            raise ImageError(f"{self.where.subject} holds no colours; expected {_ACCEPTED} with at least one colour.")
        return np.array(list(self.seen), dtype=np.uint8).reshape(-1, 3)


# --- public functions -----------------------------------------------------------------


def parse_colors(text: str | Sequence[str]) -> np.ndarray:
    """Colours typed by a person, such as pins: ``"ff0000, #00f 00FF00"``.

    Parameters
    ----------
    text : str or sequence of str
        Hex colours separated by commas and/or white space; each item of a sequence
        may hold several. A colour is ``#rrggbb``, ``rrggbb`` or ``#rgb`` in any case
        (the short form needs its ``#``).

    Returns
    -------
    numpy.ndarray
        A new (m, 3) uint8 array, in the order typed, exact duplicates dropped (the
        first kept); (0, 3) when there is no colour at all.

    Raises
    ------
    ImageError
        If a part is not a colour (the message quotes it, shortened), or there are
        more than ``MAX_COLORS`` distinct colours.
    TypeError
        If `text` is neither a string nor a sequence of strings.

    Examples
    --------
    >>> parse_colors("ff0000, #00f").tolist()
    [[255, 0, 0], [0, 0, 255]]
    """
    items = [text] if isinstance(text, str) else list(text)
    colours = _Colours(_Where(None, description="the text typed"))
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"text must be a string or a sequence of strings, got an item of type {type(item).__name__}")
        for token in re.split(r"[,\s]+", item.strip()):
            if not token:
                continue
            rgb = _hex_colour(token)
            if rgb is None:
                raise ImageError(f"{_quote(token)} is not a colour: {_HEX_EXPECTED}.")
            colours.add(rgb)
    if not colours.seen:
        return np.zeros((0, 3), dtype=np.uint8)
    return colours.palette()


def read_palette(source: bytes | bytearray | memoryview | str | os.PathLike[str]) -> np.ndarray:
    """Read a palette file, recognised by its content whatever its name.

    Parameters
    ----------
    source : bytes, bytearray, memoryview, str or os.PathLike
        The file's contents (bytes-like), or a path to it (str or path object; a
        string is always a path, never the text of a palette). At most
        :data:`MAX_PALETTE_BYTES`, checked before anything is parsed (for a path,
        from its size on disk before it is opened).

    Returns
    -------
    numpy.ndarray
        A new (n, 3) uint8 array, ``1 <= n <= MAX_COLORS``, in the file's order with
        exact duplicates dropped (the first occurrence kept).

    Raises
    ------
    ImageError
        If the file is missing, empty, too large, not in a recognised format,
        truncated or corrupt, has a line or entry that is not a colour (the message
        gives its line or entry number), a value out of range, no colours, or more
        than ``MAX_COLORS`` distinct colours. The message is one sentence for the user.
    TypeError
        If `source` is none of the accepted types.

    Notes
    -----
    The formats, tried in this order:

    * **Adobe Swatch Exchange** (starts with ``ASEF``, version 1): every colour entry,
      inside groups or not (group blocks themselves are skipped, and so are unknown
      block types). ``RGB`` values 0-1 become ``round(v * 255)``; ``Gray`` g becomes
      (g, g, g); ``CMYK`` uses the naive formula ``255 * (1 - c) * (1 - k)`` (and the
      same with m, y), without any colour profile, so it differs from what Photoshop
      shows; ``LAB`` (L stored as 0-1 for 0-100) is converted with
      :func:`skimage.color.lab2rgb` for the D65 white point and clipped to the RGB
      cube. Names and spot/global/normal types are ignored.
    * **Indexed PNG or GIF** (a palette-mode image; the first frame of a GIF): the
      entries its pixels use, in index order. Unused entries and fully transparent
      entries (GIF transparency index, PNG ``tRNS`` alpha 0) are left out. Any other
      image is refused: only its palette could be read.
    * Otherwise the file must be UTF-8 text (a byte order mark is ignored), then:

      - **GIMP palette**: first line ``GIMP Palette``; ``Name:`` and ``Columns:``
        lines, ``#`` comments and blank lines are skipped; every other line is
        ``R G B`` (integers 0-255) followed by an optional name.
      - **JSON**: :func:`quant.palette_json`'s ``{"colors": [...]}`` or a bare list;
        each entry a hex string, an ``[r, g, b]`` list of integers 0-255, or an object
        with ``"hex"`` and/or ``"rgb"`` (which must agree when both are there).
      - **CSV** with a header row naming a ``hex`` column and/or ``red``, ``green``,
        ``blue`` columns (as :func:`quant.palette_csv` writes); other columns are
        ignored, and hex and red/green/blue must agree when both are there.
      - **Hex list**: one colour a line, ``#rrggbb``, ``rrggbb`` or ``#rgb`` (as
        :func:`quant.palette_hex` gives, joined by newlines). Blank lines are
        skipped, and so are comment lines: those starting with ``;`` or ``//``, or
        with a ``#`` followed by a space or nothing. Nothing else may share a line
        with a colour. Text is taken as a hex list only when its first line that is
        neither blank nor a comment is a colour.
    """
    data, where = _read_source(source)
    return _parse(data, where)


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
        "normal" (process) type, values stored as float32 ``v / 255``. :func:`read_palette` reads it
        back exactly (up to dropped duplicates).

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


# --- reading the source ---------------------------------------------------------------


def _too_big(where: _Where, size: int) -> ImageError:
    return ImageError(
        f"{where.subject} is {size:,} bytes; palette files are accepted up to "
        f"{MAX_PALETTE_BYTES:,} bytes (1 MiB)."
    )


def _read_source(source: object) -> tuple[bytes, _Where]:
    """The file's bytes, having checked the size first, and how to name it."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        where = _Where(None)
        view = memoryview(source)
        if view.nbytes > MAX_PALETTE_BYTES:
            raise _too_big(where, view.nbytes)
        return view.tobytes(), where
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        where = _Where(path.name or str(source))
        try:
            size = path.stat().st_size
            if path.is_dir():
                raise IsADirectoryError(str(path))
            data = b""
            if size <= MAX_PALETTE_BYTES:
                with open(path, "rb") as file:
                    # The file may have grown since stat: never read more than the limit.
                    data = file.read(MAX_PALETTE_BYTES + 1)
        except FileNotFoundError as err:
            raise ImageError(f"There is no file at {_quote(str(source))}; expected the path of a palette file.") from err
        except IsADirectoryError as err:
            raise ImageError(f"{_quote(str(source))} is a folder, not a file; expected a palette file.") from err
        except (OSError, ValueError) as err:  # ValueError: a NUL in the path
            detail = getattr(err, "strerror", None) or type(err).__name__
            raise ImageError(
                f"The file {_quote(str(source))} cannot be read ({detail}); expected a readable palette file."
            ) from err
        if size > MAX_PALETTE_BYTES or len(data) > MAX_PALETTE_BYTES:
            raise _too_big(where, max(size, len(data)))
        return data, where
    raise TypeError(f"source must be bytes, a bytes-like object or a path, got {type(source).__name__}")


_PNG = b"\x89PNG\r\n\x1a\n"
_OTHER_IMAGES = (
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"qoif", "a QOI image"),
)


def _parse(data: bytes, where: _Where) -> np.ndarray:
    if not data:
        raise ImageError(f"{where.subject} is empty (0 bytes); expected {_ACCEPTED}.")
    if data.startswith(b"ASEF"):
        return _read_ase(data, where)
    if data.startswith((_PNG, b"GIF87a", b"GIF89a")):
        return _read_indexed_image(data, where)
    kind = next((kind for signature, kind in _OTHER_IMAGES if data.startswith(signature)), None)
    if kind is None and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        kind = "a WebP image"
    if kind is not None:
        raise ImageError(f"{where.subject} is {kind}; an image is accepted as a palette only as an indexed PNG or GIF.")
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        text = data[bom:].decode("utf-8")
    except UnicodeDecodeError as err:
        raise ImageError(
            f"{where.subject} is neither UTF-8 text nor an .ase, PNG or GIF file "
            f"(the byte at offset {bom + err.start:,} is not UTF-8); "
            f"expected {_ACCEPTED}."
        ) from None
    lines = re.split(r"\r\n|\r|\n", text)
    first = next((line.strip() for line in lines if line.strip()), "")
    if first.startswith("GIMP Palette"):
        return _read_gpl(lines, where)
    if first.startswith(("{", "[")):
        return _read_json(text, where)
    if _is_csv_header(first):
        return _read_csv(text, where)
    content = next((line.strip() for line in lines if not _is_hex_list_skip(line.strip())), None)
    if content is None:
        raise ImageError(f"{where.subject} holds no colours, only blank or comment lines; expected {_ACCEPTED}.")
    if _hex_colour(content) is not None:
        return _read_hex_list(lines, where)
    raise ImageError(f"{where.subject} is not a palette in a recognised format; expected {_ACCEPTED}.")


# --- text formats ---------------------------------------------------------------------


def _channel(token: str) -> int | None:
    """An integer written in ``token``, or None; huge numbers are kept short."""
    if not _INTEGER.fullmatch(token):
        return None
    digits = token.lstrip("+-").lstrip("0")
    if len(digits) > 4:  # out of range anyway; never build a giant int
        return -1 if token.startswith("-") else 10_000
    return int(token)


def _out_of_range(place: str, value: int) -> ImageError:
    shown = "more than 9999" if value == 10_000 else ("a negative number" if value < 0 else str(value))
    return ImageError(f"{place} has the value {shown}, outside 0-255; expected colour values 0-255.")


def _read_gpl(lines: list[str], where: _Where) -> np.ndarray:
    colours = _Colours(where)
    header_seen = False
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not header_seen:
            header_seen = bool(stripped)
            continue
        if not stripped or stripped.startswith("#") or stripped.startswith(("Name:", "Columns:")):
            continue
        tokens = stripped.split(None, 3)
        values = [_channel(token) for token in tokens[:3]]
        if len(values) < 3 or None in values:
            raise ImageError(
                f"Line {number} of {where} is not a colour ({_quote(stripped)}); expected three numbers "
                f"0-255 and an optional name, like '255 136 0 orange'."
            )
        for value in values:
            if not 0 <= value <= 255:
                raise _out_of_range(f"Line {number} of {where}", value)
        colours.add((values[0], values[1], values[2]))
    return colours.palette()


def _is_hex_list_skip(stripped: str) -> bool:
    """Blank and comment lines of a hex list (see read_palette)."""
    return (
        not stripped
        or stripped.startswith((";", "//"))
        or (stripped.startswith("#") and (len(stripped) == 1 or stripped[1].isspace()))
    )


def _read_hex_list(lines: list[str], where: _Where) -> np.ndarray:
    colours = _Colours(where)
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if _is_hex_list_skip(stripped):
            continue
        rgb = _hex_colour(stripped)
        if rgb is None:
            raise ImageError(
                f"Line {number} of {where} is not a colour ({_quote(stripped)}); expected one hex colour "
                f"a line, like #ff8800, ff8800 or #f80."
            )
        colours.add(rgb)
    return colours.palette()


_JSON_ENTRY = 'a hex string like "#ff8800", an [r, g, b] list of integers 0-255, or an object with "hex" or "rgb"'


def _read_json(text: str, where: _Where) -> np.ndarray:
    try:
        document = json.loads(text)
    except RecursionError:
        raise ImageError(f"{where.subject} is JSON nested too deeply to be a palette; expected {_ACCEPTED}.") from None
    except ValueError as err:
        detail = err.msg if isinstance(err, json.JSONDecodeError) else "a number is too long"
        line = f" at line {err.lineno}" if isinstance(err, json.JSONDecodeError) else ""
        raise ImageError(f"{where.subject} is not valid JSON ({detail}{line}); expected {_ACCEPTED}.") from None
    entries = document.get("colors") if isinstance(document, dict) else document
    if not isinstance(entries, list):
        raise ImageError(
            f"{where.subject} is JSON but neither a list of colours nor an object with a \"colors\" list; "
            f"expected entries that are each {_JSON_ENTRY}."
        )
    colours = _Colours(where)
    for number, entry in enumerate(entries, start=1):
        colours.add(_json_colour(entry, f"Entry {number} of {where}"))
    return colours.palette()


def _json_colour(entry: object, place: str) -> _RGB:
    from_hex = from_rgb = None
    if isinstance(entry, str):
        from_hex = _json_hex(entry, place)
    elif isinstance(entry, list):
        from_rgb = _json_rgb(entry, place)
    elif isinstance(entry, dict) and ("hex" in entry or "rgb" in entry):
        if "hex" in entry:
            from_hex = _json_hex(entry["hex"], place)
        if "rgb" in entry:
            from_rgb = _json_rgb(entry["rgb"], place)
        if from_hex is not None and from_rgb is not None and from_hex != from_rgb:
            raise ImageError(
                f"{place} has a hex {_describe(entry['hex'])} that differs from its rgb {list(from_rgb)}; "
                f"expected the two to name the same colour."
            )
    else:
        raise ImageError(f"{place} is not a colour ({_describe(entry)}); expected {_JSON_ENTRY}.")
    rgb = from_rgb if from_rgb is not None else from_hex
    assert rgb is not None
    return rgb


def _json_hex(value: object, place: str) -> _RGB:
    rgb = _hex_colour(value.strip()) if isinstance(value, str) else None
    if rgb is None:
        raise ImageError(f"{place} is not a colour ({_describe(value)}); expected {_JSON_ENTRY}.")
    return rgb


def _json_rgb(value: object, place: str) -> _RGB:
    if not (
        isinstance(value, list)
        and len(value) == 3
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        raise ImageError(f"{place} is not a colour ({_describe(value)}); expected {_JSON_ENTRY}.")
    for v in value:
        if not 0 <= v <= 255:
            raise _out_of_range(place, v if -9999 <= v <= 9999 else (10_000 if v > 0 else -1))
    return value[0], value[1], value[2]


def _csv_fields(line: str) -> list[str]:
    return [field.strip().lower() for field in line.split(",")]


def _is_csv_header(line: str) -> bool:
    fields = _csv_fields(line)
    return len(fields) > 1 and ("hex" in fields or {"red", "green", "blue"} <= set(fields))


def _read_csv(text: str, where: _Where) -> np.ndarray:
    colours = _Colours(where)
    reader = csv.reader(io.StringIO(text))
    columns: dict[str, int] | None = None
    try:
        for row in reader:
            if not any(field.strip() for field in row):
                continue
            if columns is None:
                names = [field.strip().lower() for field in row]
                columns = {name: names.index(name) for name in ("hex", "red", "green", "blue") if name in names}
                if not {"red", "green", "blue"} <= columns.keys():
                    columns = {"hex": columns["hex"]}
                continue
            colours.add(_csv_colour(row, columns, f"Line {reader.line_num} of {where}"))
    except csv.Error as err:
        raise ImageError(
            f"Line {reader.line_num} of {where} is not valid CSV ({err}); expected a header such as "
            f"hex,red,green,blue and one colour a row."
        ) from None
    return colours.palette()


def _csv_colour(row: list[str], columns: dict[str, int], place: str) -> _RGB:
    expected = "expected a hex colour like #ff8800 and/or red, green and blue values 0-255 in the header's columns"
    if max(columns.values()) >= len(row):
        raise ImageError(f"{place} has {len(row)} fields, fewer than the header names; {expected}.")
    from_hex = from_rgb = None
    if "hex" in columns:
        from_hex = _hex_colour(row[columns["hex"]].strip())
        if from_hex is None:
            raise ImageError(f"{place} is not a colour ({_quote(row[columns['hex']].strip())}); {expected}.")
    if "red" in columns:
        values = [_channel(row[columns[name]].strip()) for name in ("red", "green", "blue")]
        if None in values:
            shown = ",".join(row[columns[name]].strip() for name in ("red", "green", "blue"))
            raise ImageError(f"{place} is not a colour ({_quote(shown)}); {expected}.")
        for value in values:
            if not 0 <= value <= 255:
                raise _out_of_range(place, value)
        from_rgb = (values[0], values[1], values[2])
    if from_hex is not None and from_rgb is not None and from_hex != from_rgb:
        raise ImageError(
            f"{place} has a hex colour that differs from its red, green and blue values; "
            f"expected the two to name the same colour."
        )
    rgb = from_rgb if from_rgb is not None else from_hex
    assert rgb is not None
    return rgb


# --- Adobe Swatch Exchange ------------------------------------------------------------

_ASE_COLOUR = 0x0001
_ASE_NORMAL = 2
_ASE_MODELS = {b"RGB ": 3, b"CMYK": 4, b"LAB ": 3, b"Gray": 1}


def _ase_corrupt(where: _Where, detail: str) -> ImageError:
    return ImageError(f"{where.subject} is a truncated or corrupt Adobe swatch (.ase) file: {detail}; expected a complete .ase file.")


def _read_ase(data: bytes, where: _Where) -> np.ndarray:
    if len(data) < 12:
        raise _ase_corrupt(where, f"it ends after {len(data)} bytes, inside its 12-byte header")
    major, minor, n_blocks = struct.unpack_from(">HHI", data, 4)
    if major != 1:
        raise ImageError(
            f"{where.subject} is an Adobe swatch (.ase) file of version {major}.{minor}; only version 1 is accepted."
        )
    colours = _Colours(where)
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
            colours.add(_ase_colour(memoryview(data)[position : position + length], block, where))
        # Group start (0xC001) and end (0xC002) blocks, and kinds we do not know, are
        # skipped whole: the colours inside a group are blocks of their own.
        position += length
    return colours.palette()


def _ase_colour(body: memoryview, block: int, where: _Where) -> _RGB:
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
            f"The colour in block {block} of {where} uses the colour model {_quote(model.decode('latin-1'))}; "
            f"expected RGB, CMYK, LAB or Gray."
        )
    if model_at + 4 + 4 * count > len(body):
        raise _ase_corrupt(where, f"the {model.decode().strip()} values of the colour in block {block} run past the end of its block")
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
    lab = np.array([[values[0] * 100.0, values[1], values[2]]], dtype=np.float64)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        # lab2rgb warns when a colour lies outside the RGB cube; we clip, as documented.
        warnings.simplefilter("ignore")
        rgb = skcolor.lab2rgb(lab, illuminant="D65")
    rgb = np.clip(np.nan_to_num(rgb, nan=0.0), 0.0, 1.0)
    red, green, blue = np.rint(rgb[0] * 255).astype(np.uint8).tolist()
    return red, green, blue


# --- indexed images -------------------------------------------------------------------

# What Pillow raises for malformed files (see quant.loading).
_DECODE_ERRORS = (OSError, ValueError, EOFError, SyntaxError, IndexError, KeyError, struct.error)


def _read_indexed_image(data: bytes, where: _Where) -> np.ndarray:
    corrupt = f"{where.subject} is a truncated or corrupt PNG or GIF image"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            image = Image.open(io.BytesIO(data), formats=["PNG", "GIF"])
        except (UnidentifiedImageError, Image.DecompressionBombError, *_DECODE_ERRORS) as err:
            raise ImageError(f"{corrupt} ({type(err).__name__}); expected a readable indexed PNG or GIF.") from err
        with image:
            width, height = image.size
            if width * height > loading.MAX_PIXELS:
                raise ImageError(
                    f"{where.subject} is {width} × {height} = {width * height:,} pixels; "
                    f"palette images are accepted up to {loading.MAX_PIXELS:,}."
                )
            if image.mode != "P":
                raise ImageError(
                    f"{where.subject} is a {image.format} image in colour mode {image.mode}, which has no palette; "
                    f"an image is accepted as a palette only as an indexed (palette) PNG or GIF."
                )
            try:
                image.load()
                indices = np.asarray(image)
                flat = image.getpalette("RGB") or []
            except (Image.DecompressionBombError, *_DECODE_ERRORS) as err:
                raise ImageError(f"{corrupt} ({type(err).__name__}); expected a readable indexed PNG or GIF.") from err
            transparency = image.info.get("transparency")
    entries = np.array(flat, dtype=np.uint8).reshape(-1, 3)
    used = np.flatnonzero(np.bincount(indices.ravel(), minlength=256))
    if used.size and used[-1] >= entries.shape[0]:
        raise ImageError(
            f"{corrupt}: its pixels use palette entry {int(used[-1])} but it defines {entries.shape[0]}; "
            f"expected a readable indexed PNG or GIF."
        )
    alpha = np.full(256, 255, dtype=np.uint8)
    if isinstance(transparency, int) and not isinstance(transparency, bool) and 0 <= transparency < 256:
        alpha[transparency] = 0
    elif isinstance(transparency, bytes):
        alpha[: min(len(transparency), 256)] = np.frombuffer(transparency[:256], dtype=np.uint8)
    colours = _Colours(where)
    for index in used.tolist():
        if alpha[index]:
            red, green, blue = entries[index].tolist()
            colours.add((red, green, blue))
    return colours.palette()
