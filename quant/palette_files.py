"""Palette files and typed colours: what a person brings, read into a palette.

A person who wants a picture in the swatches of their brand, or in a palette they
made elsewhere, brings the palette rather than asking for one to be fitted. This
module turns what they bring into a (n, 3) uint8 palette:

* :func:`read_palette` reads a palette file, recognised by its content rather than
  its name: GIMP ``.gpl``, Adobe Swatch Exchange ``.ase`` (read by :mod:`quant.ase`),
  the JSON and CSV exports of :mod:`quant.encoding` (and plain JSON lists), a list of
  hex colours, or the palette of an indexed PNG or GIF (read by
  :mod:`quant.indexed_palette`);
* :func:`parse_colors` reads colours typed by a person, such as ``"ff0000, #00f"``.

Published palettes by name (:data:`PALETTES`, :data:`PALETTE_LABELS`) live in
:mod:`quant.palette_presets` and writing an ``.ase`` file (:func:`palette_ase`) in
:mod:`quant.ase`; both are re-exported here, where they were first defined.

Palette files come from users, so reading them is as defensive as
:func:`quant.load_image`: the size is checked before anything is parsed, every length
in a binary file is checked against the bytes that are there, every loop advances or
stops, and every problem is one :class:`~quant.errors.ImageError` whose message says
what was wrong and what is accepted.

References
----------
.. [1] GIMP palette format: ``app/core/gimppalette-load.c`` in GIMP's sources.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from quant.ase import ase_colors, palette_ase
from quant.errors import ImageError
from quant.indexed_palette import indexed_colors
from quant.palette import MAX_COLORS
from quant.palette_presets import PALETTE_LABELS, PALETTES

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


def _collect(entries: Iterable[_RGB], where: _Where) -> np.ndarray:
    """The palette of what a binary format's reader yields: distinct, at most MAX_COLORS."""
    colours = _Colours(where)
    for rgb in entries:
        colours.add(rgb)
    return colours.palette()


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
      inside groups or not, in RGB, Gray, CMYK (converted naively, without a colour
      profile) or LAB (for D65, clipped to the RGB cube); :func:`quant.ase.ase_colors`
      gives the conversions.
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
        return _collect(ase_colors(data, where=str(where)), where)
    if data.startswith((_PNG, b"GIF87a", b"GIF89a")):
        return _collect(indexed_colors(data, where=str(where)), where)
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
