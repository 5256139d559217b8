"""quant.palette_files: presets, palette files in every format, typed colours, hostile input."""

from __future__ import annotations

import io
import json
import struct
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import quant
from quant.palette_files import MAX_PALETTE_BYTES, PALETTE_LABELS, PALETTES, palette_ase, parse_colors, read_palette

# 40 distinct random colours (random 24-bit codes almost never repeat; checked below).
SAMPLE = np.random.default_rng(7).integers(0, 256, size=(40, 3), dtype=np.uint8)
assert len(np.unique(SAMPLE, axis=0)) == len(SAMPLE)
EVERY_VALUE = np.stack([np.arange(256), np.arange(256)[::-1], (np.arange(256) * 7) % 256], axis=1).astype(np.uint8)


def _error(source: object) -> str:
    with pytest.raises(quant.ImageError) as info:
        read_palette(source)
    return str(info.value)


# --- presets --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "size", "index", "rgb"),
    [
        ("pico-8", 16, 8, (0xFF, 0x00, 0x4D)),
        ("game-boy", 4, 0, (0x0F, 0x38, 0x0F)),
        ("cga", 16, 6, (0xAA, 0x55, 0x00)),
        ("web-safe", 216, 215, (0xFF, 0xFF, 0xFF)),
        ("ega", 64, 20, (0xAA, 0x55, 0x00)),
        ("html-16", 16, 7, (0xFF, 0x00, 0xFF)),
    ],
)
def test_presets(name: str, size: int, index: int, rgb: tuple[int, int, int]) -> None:
    palette = PALETTES[name]
    assert palette.shape == (size, 3) and palette.dtype == np.uint8
    assert tuple(palette[index].tolist()) == rgb
    assert len({tuple(c) for c in palette.tolist()}) == size
    assert str(size) in PALETTE_LABELS[name]
    assert not palette.flags.writeable
    with pytest.raises(ValueError):
        palette.setflags(write=True)
    with pytest.raises(TypeError):
        PALETTES["mine"] = palette  # type: ignore[index]


def test_web_safe_and_ega_levels() -> None:
    assert set(np.unique(PALETTES["web-safe"]).tolist()) == {0, 51, 102, 153, 204, 255}
    assert set(np.unique(PALETTES["ega"]).tolist()) == {0, 85, 170, 255}
    # The CGA colours are EGA colours: the EGA's default palette is the CGA's.
    ega = {tuple(c) for c in PALETTES["ega"].tolist()}
    assert {tuple(c) for c in PALETTES["cga"].tolist()} <= ega


def test_presets_read_back_from_files() -> None:
    for name, palette in PALETTES.items():
        np.testing.assert_array_equal(read_palette(quant.palette_gpl(palette, name).encode()), palette)


# --- round trips ----------------------------------------------------------------------


@pytest.mark.parametrize("palette", [SAMPLE, EVERY_VALUE, PALETTES["pico-8"]], ids=["sample", "every-value", "pico-8"])
def test_round_trips(palette: np.ndarray) -> None:
    counts = np.arange(1, palette.shape[0] + 1)
    files = {
        "gpl": quant.palette_gpl(palette, "Mine").encode(),
        "json": quant.palette_json(palette, counts).encode(),
        "hex": "\n".join(quant.palette_hex(palette)).encode(),
        "csv": quant.palette_csv(palette, counts).encode(),
        "ase": palette_ase(palette),
    }
    for kind, data in files.items():
        result = read_palette(data)
        np.testing.assert_array_equal(result, palette, err_msg=kind)
        assert result.dtype == np.uint8 and result.flags.writeable


def test_round_trip_through_a_path(tmp_path: Path) -> None:
    path = tmp_path / "palette.txt"  # the name says nothing: the content decides
    path.write_bytes(palette_ase(SAMPLE))
    np.testing.assert_array_equal(read_palette(path), SAMPLE)
    np.testing.assert_array_equal(read_palette(str(path)), SAMPLE)


def test_duplicates_are_dropped_keeping_the_first() -> None:
    text = "#ff0000\n00ff00\n#FF0000\n#f00\n0000ff\n"
    assert read_palette(text.encode()).tolist() == [[255, 0, 0], [0, 255, 0], [0, 0, 255]]


def test_plain_json_lists() -> None:
    expected = [[255, 136, 0], [1, 2, 3], [0, 0, 255]]
    assert read_palette(b'["#ff8800", [1, 2, 3], "00f"]'.replace(b'"00f"', b'"#00f"')).tolist() == expected
    assert read_palette(b'[[255,136,0],[1,2,3],[0,0,255]]').tolist() == expected
    assert read_palette(b'{"colors": ["ff8800", {"rgb": [1,2,3]}, {"hex": "#0000ff"}]}').tolist() == expected


def test_gpl_details() -> None:
    text = "\ufeffGIMP Palette\r\nName: Test\r\nColumns: 4\r\n# a comment\r\n\r\n  0  10 255\tBlue-ish\r\n255 255 255\r\n"
    assert read_palette(text.encode()).tolist() == [[0, 10, 255], [255, 255, 255]]


def test_hex_list_details() -> None:
    text = "; Paint-style comment\n// another\n# a spaced comment\n#\n\n  #AbCdEf  \n123456\n#fff\n"
    assert read_palette(text.encode()).tolist() == [[0xAB, 0xCD, 0xEF], [0x12, 0x34, 0x56], [255, 255, 255]]


def test_csv_with_only_hex_or_only_rgb() -> None:
    assert read_palette(b"hex,name\n#ff0000,red\n").tolist() == [[255, 0, 0]]
    assert read_palette(b"Red, Green, Blue\n1, 2, 3\n\n4,5,6\n").tolist() == [[1, 2, 3], [4, 5, 6]]


# --- Adobe Swatch Exchange ------------------------------------------------------------


def _ase_name(name: str) -> bytes:
    encoded = name.encode("utf-16-be") + b"\x00\x00"
    return struct.pack(">H", len(encoded) // 2) + encoded


def _ase_block(kind: int, body: bytes) -> bytes:
    return struct.pack(">HI", kind, len(body)) + body


def _ase_colour(name: str, model: bytes, values: list[float], colour_type: int = 2) -> bytes:
    body = _ase_name(name) + model + struct.pack(f">{len(values)}f", *values) + struct.pack(">H", colour_type)
    return _ase_block(0x0001, body)


def _ase(blocks: list[bytes]) -> bytes:
    return b"ASEF" + struct.pack(">HHI", 1, 0, len(blocks)) + b"".join(blocks)


HAND_BUILT_ASE = _ase(
    [
        _ase_colour("steel", b"RGB ", [0.2, 0.4, 0.6]),
        _ase_block(0xC001, _ase_name("My group")),
        _ase_colour("cyan-ish", b"CMYK", [1.0, 0.0, 0.0, 0.2], colour_type=1),
        _ase_colour("grey", b"Gray", [0.5]),
        _ase_colour("lab white", b"LAB ", [1.0, 0.0, 0.0], colour_type=0),
        _ase_block(0xC002, b""),
        _ase_colour("lab red", b"LAB ", [0.5323, 80.11, 67.22]),
        _ase_block(0x7777, b"an unknown block kind is skipped"),
    ]
)


def test_hand_built_ase() -> None:
    result = read_palette(HAND_BUILT_ASE).tolist()
    assert result[0] == [51, 102, 153]
    # CMYK (1, 0, 0, 0.2) by the naive formula: 255 * (1 - c) * (1 - k).
    assert result[1] == [0, 204, 204]
    assert result[2] == [128, 128, 128]  # round(0.5 * 255) = round(127.5) = 128
    assert result[3] == [255, 255, 255]  # L = 100, a = b = 0 is the D65 white
    assert all(abs(a - b) <= 1 for a, b in zip(result[4], [255, 0, 0]))  # sRGB red in Lab
    assert len(result) == 5


def test_ase_out_of_gamut_lab_is_clipped() -> None:
    for values in ([0.5, 500.0, -500.0], [0.5, 3e38, -3e38], [2.0, 0.0, 0.0], [-1.0, 0.0, 0.0]):
        result = read_palette(_ase([_ase_colour("x", b"LAB ", values)]))
        assert result.shape == (1, 3) and result.dtype == np.uint8
    assert read_palette(_ase([_ase_colour("x", b"LAB ", [2.0, 0.0, 0.0])])).tolist() == [[255, 255, 255]]


def test_palette_ase_names_and_checks() -> None:
    data = palette_ase(SAMPLE[:2], names=["first", "sécond ✓"])
    assert "sécond ✓".encode("utf-16-be") in data
    assert quant.palette_hex(SAMPLE[:1])[0].encode("utf-16-be") in palette_ase(SAMPLE[:1])
    np.testing.assert_array_equal(read_palette(data), SAMPLE[:2])
    with pytest.raises(ValueError):
        palette_ase(SAMPLE[:2], names=["one"])
    with pytest.raises(ValueError):
        palette_ase(np.zeros((0, 3), dtype=np.uint8))
    with pytest.raises(ValueError):
        palette_ase(SAMPLE.astype(np.int64))
    with pytest.raises(ValueError):
        palette_ase(SAMPLE[:1], names=["nul\x00"])


def test_every_prefix_of_an_ase_is_an_image_error() -> None:
    for data in (HAND_BUILT_ASE, palette_ase(SAMPLE[:5])):
        for cut in range(len(data)):
            with pytest.raises(quant.ImageError):
                read_palette(data[:cut])


def test_ase_lies_and_damage() -> None:
    good = _ase_colour("red", b"RGB ", [1.0, 0.0, 0.0])
    # A block longer than the file.
    message = _error(_ase([struct.pack(">HI", 1, 10_000) + good[6:]]))
    assert "block 1" in message and "10,000" in message and ".ase" in message
    # A name length past the end of its block.
    body = struct.pack(">H", 500) + "red".encode("utf-16-be") + b"\x00\x00RGB " + struct.pack(">3fH", 1, 0, 0, 2)
    message = _error(_ase([_ase_block(1, body)]))
    assert "name" in message and "past the end" in message
    # More blocks announced than there are.
    message = _error(b"ASEF" + struct.pack(">HHI", 1, 0, 0xFFFFFFFF) + good)
    assert "announces" in message and "4,294,967,295" in message
    # An unknown colour model, a value out of range, a NaN, another version.
    assert "RGB, CMYK, LAB or Gray" in _error(_ase([_ase_colour("x", b"HSV ", [0.1, 0.2, 0.3])]))
    assert "0-1" in _error(_ase([_ase_colour("x", b"RGB ", [1.5, 0.0, 0.0])]))
    assert "finite" in _error(_ase([_ase_colour("x", b"RGB ", [float("nan"), 0.0, 0.0])]))
    assert "version 1" in _error(b"ASEF" + struct.pack(">HHI", 2, 0, 1) + good)
    # Values that run past their block, and a file with no colour.
    assert "run past" in _error(_ase([_ase_block(1, _ase_name("x") + b"CMYK" + struct.pack(">3f", 0, 0, 0))]))
    assert "no colours" in _error(_ase([_ase_block(0xC001, _ase_name("empty group")), _ase_block(0xC002, b"")]))


def test_ase_with_huge_block_counts_is_quick() -> None:
    start = time.perf_counter()
    many_groups = b"ASEF" + struct.pack(">HHI", 1, 0, 0xFFFFFFFF) + _ase_block(0xC002, b"") * 150_000
    assert "announces" in _error(many_groups)
    assert time.perf_counter() - start < 5


# --- indexed images -------------------------------------------------------------------


def _indexed_image(format_: str, *, transparency: int | None = None) -> bytes:
    palette = PALETTES["pico-8"]
    # Pixels use entries 9, 2 and 14 (and 5 when transparency is tested), in that
    # order of first appearance; the other 12 entries are unused.
    labels = np.array([[9, 2, 14, 2], [14, 9, 5 if transparency is not None else 2, 9]], dtype=np.uint8)
    image = Image.fromarray(labels, mode="P")
    image.putpalette(palette.ravel().tolist())
    buffer = io.BytesIO()
    options = {} if transparency is None else {"transparency": transparency}
    image.save(buffer, format=format_, **options)
    return buffer.getvalue()


@pytest.mark.parametrize("format_", ["PNG", "GIF"])
def test_indexed_images_give_their_used_entries_in_index_order(format_: str) -> None:
    result = read_palette(_indexed_image(format_))
    np.testing.assert_array_equal(result, PALETTES["pico-8"][[2, 9, 14]])


@pytest.mark.parametrize("format_", ["PNG", "GIF"])
def test_transparent_entries_are_left_out(format_: str) -> None:
    result = read_palette(_indexed_image(format_, transparency=5))
    np.testing.assert_array_equal(result, PALETTES["pico-8"][[2, 9, 14]])


@pytest.mark.parametrize(("mode", "format_"), [("RGB", "PNG"), ("L", "PNG"), ("RGB", "JPEG"), ("RGB", "WEBP")])
def test_images_without_a_palette_are_refused(mode: str, format_: str) -> None:
    buffer = io.BytesIO()
    Image.new(mode, (4, 4)).save(buffer, format=format_)
    message = _error(buffer.getvalue())
    assert "indexed" in message and "PNG or GIF" in message


@pytest.mark.parametrize("format_", ["PNG", "GIF"])
def test_a_truncated_image_is_an_image_error(format_: str) -> None:
    data = _indexed_image(format_)
    for cut in range(1, len(data)):
        try:
            result = read_palette(data[:cut])
        except quant.ImageError:
            continue
        # Cut after the last pixel (in a checksum or the end marker): the pixels are all there.
        np.testing.assert_array_equal(result, PALETTES["pico-8"][[2, 9, 14]])


# --- bad input ------------------------------------------------------------------------


def test_empty_and_too_large(tmp_path: Path) -> None:
    assert "empty" in _error(b"") and "GIMP" in _error(b"")
    big = b"#ff0000\n" * (1_100_000 // 8)
    start = time.perf_counter()
    message = _error(big)
    assert "1,048,576" in message and f"{len(big):,}" in message
    path = tmp_path / "big.gpl"
    path.write_bytes(big)
    assert "1,048,576" in _error(path)
    assert time.perf_counter() - start < 1
    assert len(big) > MAX_PALETTE_BYTES


def test_missing_paths_and_folders(tmp_path: Path) -> None:
    assert "no file" in _error(tmp_path / "missing.gpl")
    assert "folder" in _error(tmp_path)
    with pytest.raises(TypeError):
        read_palette(42)  # type: ignore[arg-type]


def test_too_many_colours() -> None:
    colours = [(i // 256, i % 256, 7) for i in range(300)]
    gpl = "GIMP Palette\n" + "".join(f"{r} {g} {b}\n" for r, g, b in colours)
    message = _error(gpl.encode())
    assert "256" in message and "at most" in message
    # Duplicates do not count: 300 lines of 2 colours are fine.
    assert read_palette(("GIMP Palette\n" + "1 2 3\n4 5 6\n" * 150).encode()).shape == (2, 3)


def test_unrecognised_content_lists_the_formats() -> None:
    for data in (b"hello world", b"\x00\x01\x02\x03", b"%PDF-1.4 ...", b"A"):
        message = _error(data)
        assert "recognised format" in message or "UTF-8" in message
        assert "GIMP" in message and ".ase" in message and "hex" in message


def test_non_utf8_text() -> None:
    message = _error(b"GIMP Palette\n255 0 0 caf\xe9\n")
    assert "UTF-8" in message and "offset 24" in message


def test_bad_lines_name_their_number_and_are_short() -> None:
    long_junk = "x" * 500
    message = _error(f"GIMP Palette\n# fine\n1 2 3\n{long_junk}\n".encode())
    assert "Line 4" in message and "three numbers 0-255" in message and long_junk not in message
    assert len(message) < 250
    message = _error(f"#ff0000\n\n00ff00\nnot a colour {long_junk}\n".encode())
    assert "Line 4" in message and "hex colour" in message and long_junk not in message
    message = _error(b"GIMP Palette\n1 2\n")
    assert "Line 2" in message


def test_values_out_of_range() -> None:
    assert "0-255" in _error(b"GIMP Palette\n300 0 0\n") and "300" in _error(b"GIMP Palette\n300 0 0\n")
    assert "0-255" in _error(b"GIMP Palette\n-1 0 0\n")
    assert "9999" in _error(("GIMP Palette\n" + "9" * 5000 + " 0 0\n").encode())
    assert "0-255" in _error(b"[[0, 0, 256]]")
    assert "0-255" in _error(b"red,green,blue\n0,0,999\n")


def test_bad_json_and_csv() -> None:
    assert "not valid JSON" in _error(b'{"colors": [')
    assert "nested too deeply" in _error(b"[" * 100_000)
    assert "Entry 2" in _error(b'["#ff0000", "nope"]')
    assert "Entry 1" in _error(b"[[1, 2]]") and "[r, g, b]" in _error(b"[[1, 2]]")
    assert "Entry 1" in _error(b"[[true, 0, 0]]")
    assert "differs" in _error(b'{"colors": [{"hex": "#ff0000", "rgb": [0, 0, 0]}]}')
    assert '"colors"' in _error(b'{"palette": []}')
    assert "no colours" in _error(b"[]")
    assert "Line 3" in _error(b"hex,red,green,blue\n#000000,0,0,0\n#zz0000,0,0,0\n")
    assert "differs" in _error(b"hex,red,green,blue\n#ff0000,0,0,0\n")
    assert "fewer" in _error(b"hex,red,green,blue\n#ff0000\n")
    assert "no colours" in _error(b"\n\n# only a comment\n")


def test_random_bytes_never_raise_anything_else() -> None:
    rng = np.random.default_rng(0)
    seeds = [b"ASEF", b"GIMP Palette\n", b"\x89PNG\r\n\x1a\n", b"GIF89a", b"[", b"hex,red,green,blue\n", b"#"]
    for trial in range(400):
        head = seeds[trial % len(seeds)]
        tail = rng.integers(0, 256, size=int(rng.integers(0, 200)), dtype=np.uint8).tobytes()
        try:
            read_palette(head + tail)
        except quant.ImageError:
            pass


# --- parse_colors ---------------------------------------------------------------------


def test_parse_colors() -> None:
    assert parse_colors("ff0000,#00f").tolist() == [[255, 0, 0], [0, 0, 255]]
    assert parse_colors(" #FF8800 ,  00ff00\t0000FF ,, ").tolist() == [[255, 136, 0], [0, 255, 0], [0, 0, 255]]
    assert parse_colors(["#ff0000", "00ff00, #ff0000"]).tolist() == [[255, 0, 0], [0, 255, 0]]
    empty = parse_colors("  ")
    assert empty.shape == (0, 3) and empty.dtype == np.uint8
    assert parse_colors([]).shape == (0, 3)


@pytest.mark.parametrize("text", ["zz1122", "ff00", "f00", "#ff00000", "red", "#ff0000ff", "１２３４５６"])
def test_parse_colors_refuses_what_is_not_a_colour(text: str) -> None:
    with pytest.raises(quant.ImageError) as info:
        parse_colors(f"#000000, {text}")
    message = str(info.value)
    assert repr(text) in message and "not a colour" in message and "#ff8800" in message


def test_parse_colors_refuses_too_many() -> None:
    with pytest.raises(quant.ImageError) as info:
        parse_colors([f"#{i:06x}" for i in range(257)])
    assert "more than 256" in str(info.value) and "at most 256" in str(info.value)


def test_parse_colors_keeps_echoes_short() -> None:
    with pytest.raises(quant.ImageError) as info:
        parse_colors("q" * 10_000)
    assert len(str(info.value)) < 120
    with pytest.raises(TypeError):
        parse_colors([1, 2])  # type: ignore[list-item]
