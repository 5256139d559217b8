"""quant.encoding: indexed PNGs that decode back exactly, palette exports, storage arithmetic."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest
from PIL import Image
from sklearn.datasets import load_sample_image

import quant


@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    return np.ascontiguousarray(load_sample_image("china.jpg")[::4, ::4])


@pytest.mark.parametrize("n_colors", [2, 4, 16, 17, 64, 256])
def test_indexed_png_round_trips(photo: np.ndarray, n_colors: int) -> None:
    result = quant.quantize(photo, n_colors)
    data = quant.indexed_png(result)
    decoded = Image.open(io.BytesIO(data))
    assert decoded.format == "PNG" and decoded.mode == "P"
    np.testing.assert_array_equal(np.asarray(decoded.convert("RGB")), result.image)
    palette_entries = len(decoded.getpalette()) // 3
    assert palette_entries == result.k


def test_small_palettes_pack_fewer_bits(photo: np.ndarray) -> None:
    # 2 colours need 1 bit per pixel, 256 need 8: the 2-colour file is much smaller.
    two = len(quant.indexed_png(quant.quantize(photo, 2)))
    many = len(quant.indexed_png(quant.quantize(photo, 256)))
    assert two * 3 < many


def test_storage_arithmetic() -> None:
    s = quant.storage(1_000_000, 32)
    assert s.raw_bits == 24_000_000
    assert s.index_bits_per_pixel == 5
    assert s.palette_bits == 32 * 24
    assert s.indexed_bits == 5_000_000 + 768
    assert s.ratio == pytest.approx(24_000_000 / 5_000_768)
    assert quant.storage(10, 1).index_bits_per_pixel == 1
    assert quant.storage(10, 17).index_bits_per_pixel == 5
    with pytest.raises(ValueError, match="at least 1"):
        quant.storage(0, 16)


def test_palette_exports_agree() -> None:
    palette = np.array([[255, 0, 16], [0, 128, 255], [1, 2, 3]], dtype=np.uint8)
    counts = np.array([50, 30, 20])
    assert quant.palette_hex(palette) == ["#ff0010", "#0080ff", "#010203"]

    gpl = quant.palette_gpl(palette, "china\n16 colours")
    lines = gpl.splitlines()
    assert lines[0] == "GIMP Palette" and lines[1] == "Name: china 16 colours"
    assert [tuple(map(int, line.split()[:3])) for line in lines[4:]] == [(255, 0, 16), (0, 128, 255), (1, 2, 3)]

    data = json.loads(quant.palette_json(palette, counts))
    assert [entry["hex"] for entry in data["colors"]] == quant.palette_hex(palette)
    assert [entry["rgb"] for entry in data["colors"]] == palette.tolist()
    assert [entry["share"] for entry in data["colors"]] == [0.5, 0.3, 0.2]

    rows = list(csv.DictReader(io.StringIO(quant.palette_csv(palette, counts))))
    assert [row["hex"] for row in rows] == quant.palette_hex(palette)
    assert [int(row["pixels"]) for row in rows] == [50, 30, 20]


def test_palette_exports_reject_bad_input() -> None:
    with pytest.raises(ValueError, match=r"\(k, 3\) uint8.*\(3,\)"):
        quant.palette_hex(np.array([1, 2, 3], dtype=np.uint8))
    with pytest.raises(ValueError, match="one entry per palette colour"):
        quant.palette_csv(np.zeros((2, 3), np.uint8), np.array([1, 2, 3]))


def test_png_of_labels_is_the_png_of_the_result() -> None:
    image = np.random.default_rng(5).integers(0, 256, size=(40, 50, 3), dtype=np.uint8)
    result = quant.quantize(image, 20)
    png = quant.indexed_png_of_labels(result.labels, result.palette)
    assert png == quant.indexed_png(result)
    decoded = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    np.testing.assert_array_equal(decoded, result.image)


def test_png_of_labels_refuses_a_label_without_entry() -> None:
    labels = np.full((3, 3), 4, dtype=np.uint8)
    with pytest.raises(ValueError, match="labels go up to 4, but the palette has 2 entries"):
        quant.indexed_png_of_labels(labels, np.zeros((2, 3), dtype=np.uint8))
    with pytest.raises(ValueError, match=r"labels must be an \(H, W\) uint8 array"):
        quant.indexed_png_of_labels(labels.astype(np.int64), np.zeros((5, 3), dtype=np.uint8))
