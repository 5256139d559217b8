"""quant.map_to_palette / map_fit (a palette given as it is) and quant.recolor (entries
given new colours): every output colour an entry, unused entries kept, errors exact."""

from __future__ import annotations

import time

import numpy as np
import pytest
from sklearn.datasets import load_sample_image

import quant
from quant.palette import assign_colors

PICO_8 = np.array(
    [
        [0x00, 0x00, 0x00], [0x1D, 0x2B, 0x53], [0x7E, 0x25, 0x53], [0x00, 0x87, 0x51],
        [0xAB, 0x52, 0x36], [0x5F, 0x57, 0x4F], [0xC2, 0xC3, 0xC7], [0xFF, 0xF1, 0xE8],
        [0xFF, 0x00, 0x4D], [0xFF, 0xA3, 0x00], [0xFF, 0xEC, 0x27], [0x00, 0xE4, 0x36],
        [0x29, 0xAD, 0xFF], [0x83, 0x76, 0x9C], [0xFF, 0x77, 0xA8], [0xFF, 0xCC, 0xAA],
    ],
    dtype=np.uint8,
)


@pytest.fixture(scope="module")
def china() -> np.ndarray:
    return np.ascontiguousarray(load_sample_image("china.jpg"))


@pytest.fixture(scope="module")
def crop(china: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(china[150:270, 250:410])


def _rows(colors) -> list[tuple[int, int, int]]:
    return [tuple(int(v) for v in row) for row in np.asarray(colors).reshape(-1, 3)]


def _pixel_mse(image: np.ndarray, reconstruction: np.ndarray) -> float:
    return float(np.mean((image.astype(np.float64) - reconstruction) ** 2))


# --- map_to_palette -------------------------------------------------------------------------


@pytest.mark.parametrize("space", quant.SPACES)
def test_every_pixel_takes_its_nearest_entry_and_every_entry_is_kept(crop: np.ndarray, space: str) -> None:
    result = quant.map_to_palette(crop, PICO_8, space=space)
    assert (result.method, result.space, result.n_colors, result.k) == ("palette", space, 16, 16)
    assert sorted(_rows(result.palette)) == sorted(_rows(PICO_8))
    assert not result.pinned.any() and result.pinned.shape == (16,)
    np.testing.assert_array_equal(result.image, result.palette[result.labels])
    np.testing.assert_array_equal(result.counts, np.bincount(result.labels.ravel(), minlength=16))
    used = result.counts > 0
    assert not used.all(), "a photo of a mountain temple uses only part of PICO-8"
    assert used[: used.sum()].all() and np.all(np.diff(result.counts[used]) <= 0)
    # The unused ones at the end, in the order given.
    given = {row: i for i, row in enumerate(_rows(PICO_8))}
    unused = [given[row] for row in _rows(result.palette[~used])]
    assert unused == sorted(unused)
    nearest = PICO_8[assign_colors(crop.reshape(-1, 3), PICO_8, space=space)]
    if space == "rgb":
        np.testing.assert_array_equal(result.image.reshape(-1, 3), nearest)
    assert result.mse == pytest.approx(_pixel_mse(crop, result.image), rel=1e-12)


@pytest.mark.parametrize("dither_kind", quant.DITHER_KINDS)
def test_dithered_output_stays_in_the_palette(crop: np.ndarray, dither_kind: str) -> None:
    result = quant.map_to_palette(crop, PICO_8, dither=True, dither_kind=dither_kind)
    assert result.pairs is not None and result.dither == 1.0 and result.dither_kind == dither_kind
    assert set(_rows(result.image)) <= set(_rows(PICO_8))
    assert sorted(_rows(result.palette)) == sorted(_rows(PICO_8))
    np.testing.assert_array_equal(result.counts, np.bincount(result.labels.ravel(), minlength=result.k))
    assert result.mse == pytest.approx(_pixel_mse(crop, result.image), rel=1e-12)
    assert quant.metrics(crop, result, ssim=False).mse == result.mse


def test_map_fit_then_apply_is_map_to_palette_bit_for_bit(crop: np.ndarray) -> None:
    for options in ({}, {"dither": 0.5}, {"dither": True, "dither_kind": "ordered"}):
        for space in quant.SPACES:
            fit = quant.map_fit(crop, PICO_8, space=space)
            later = quant.apply_palette(crop, fit, **options)
            direct = quant.map_to_palette(crop, PICO_8, space=space, **options)
            np.testing.assert_array_equal(later.palette, direct.palette)
            np.testing.assert_array_equal(later.labels, direct.labels)
            assert later.mse == direct.mse
            if not options:
                assert fit.mse == direct.mse
                np.testing.assert_array_equal(fit.palette, direct.palette)
                np.testing.assert_array_equal(fit.counts, direct.counts)
    fit = quant.map_fit(crop, PICO_8)
    assert quant.metrics(crop, fit, ssim=False).delta_e == pytest.approx(
        quant.metrics(crop, quant.apply_palette(crop, fit).image, ssim=False).delta_e, rel=1e-6
    )


def test_equal_entries_collapse_and_sizes_1_and_256_work(crop: np.ndarray) -> None:
    doubled = quant.map_to_palette(crop, np.concatenate([PICO_8, PICO_8[:5]]))
    assert doubled.k == 16 and doubled.n_colors == 16
    one = quant.map_to_palette(crop, [(10, 200, 30)])
    assert one.k == 1 and np.all(one.image == (10, 200, 30))
    levels = np.arange(0, 256, 51)  # 6 levels: the 216 web-safe colours, plus 40 greys
    web = np.stack(np.meshgrid(levels, levels, levels, indexing="ij"), axis=-1).reshape(-1, 3)
    greys = np.repeat(np.arange(1, 256, 6)[:40, None], 3, axis=1)
    full = np.concatenate([web, greys])
    assert len(set(_rows(full))) == 256
    result = quant.map_to_palette(crop, full)
    assert result.k == 256 and set(_rows(result.image)) <= set(_rows(full))
    assert result.counts.sum() == crop.shape[0] * crop.shape[1] and (result.counts == 0).sum() > 100


def test_an_image_in_the_palette_maps_exactly_and_does_not_dither() -> None:
    image = np.zeros((6, 8, 3), dtype=np.uint8)
    image[:3] = PICO_8[8]
    result = quant.map_to_palette(image, PICO_8, dither=True)
    assert result.mse == 0.0 and result.pairs is None
    np.testing.assert_array_equal(result.image, image)
    assert result.counts[:2].tolist() == [24, 24] and result.k == 16


def test_a_few_colours_not_in_the_palette_are_dithered() -> None:
    image = np.zeros((32, 32, 3), dtype=np.uint8)
    image[:] = (128, 128, 128)  # one colour, between black and white
    result = quant.map_to_palette(image, [(0, 0, 0), (255, 255, 255)], dither=True)
    assert result.pairs is not None and set(_rows(result.image)) == {(0, 0, 0), (255, 255, 255)}


@pytest.mark.parametrize(
    ("palette", "message"),
    [
        (np.zeros((0, 3), np.uint8), "palette must hold 1 to 256 distinct colours .*got 0"),
        ([], "palette must hold 1 to 256 distinct colours"),
        (np.array([(i // 65536, i // 256 % 256, i % 256) for i in range(257)]), "got 257"),
        ([(0, 0)], r"palette must be RGB colours.*shape \(1, 2\)"),
        ([(0, 0, 300)], "the value 300 in colour 1"),
        ([(0.5, 0, 0)], "the value 0.5"),
        ("pico-8", "the text 'pico-8'"),
        (None, "palette must be RGB colours"),
    ],
)
def test_a_bad_palette_is_an_image_error(crop: np.ndarray, palette, message: str) -> None:
    for call in (quant.map_to_palette, quant.map_fit):
        with pytest.raises(quant.ImageError, match=message):
            call(crop, palette)


def test_bad_options_are_image_errors(crop: np.ndarray) -> None:
    with pytest.raises(quant.ImageError, match="Unknown space 'hsv'"):
        quant.map_to_palette(crop, PICO_8, space="hsv")
    with pytest.raises(quant.ImageError, match="dither must be"):
        quant.map_to_palette(crop, PICO_8, dither=2)
    with pytest.raises(quant.ImageError, match="dither_kind"):
        quant.map_to_palette(crop, PICO_8, dither=True, dither_kind="blue-noise")


# --- recolor --------------------------------------------------------------------------------


def _edited(palette: np.ndarray) -> np.ndarray:
    edited = palette.copy()
    edited[0] = (255, 0, 0)
    edited[-1] = 255 - edited[-1]
    return edited


def test_recolor_of_a_fit_keeps_the_labels_and_recomputes_the_error_exactly(china: np.ndarray) -> None:
    fit = quant.fit_palette(china, 16, fixed=[(0, 0, 255)])
    new = _edited(fit.palette)
    edited = quant.recolor(fit, new)
    assert type(edited) is quant.PaletteFit
    np.testing.assert_array_equal(edited.palette, new)
    assert edited.color_labels is fit.color_labels and edited.counts is fit.counts and edited.pinned is fit.pinned
    rebuilt = quant.apply_palette(china, edited)
    np.testing.assert_array_equal(rebuilt.labels, quant.apply_palette(china, fit).labels)
    np.testing.assert_array_equal(rebuilt.image, new[rebuilt.labels])
    assert edited.mse == pytest.approx(_pixel_mse(china, rebuilt.image), rel=1e-12)
    assert quant.metrics(china, edited, ssim=False).delta_e == pytest.approx(
        quant.metrics(china, rebuilt.image, ssim=False).delta_e, rel=1e-6
    )
    # Recolouring back gives the error of the original.
    assert quant.recolor(edited, fit.palette).mse == fit.mse
    with pytest.raises(ValueError):
        edited.palette[0, 0] = 1


def test_recolor_is_fast_on_a_photo(china: np.ndarray) -> None:
    fit = quant.fit_palette(china, 32)
    new = _edited(fit.palette)
    best = min(_seconds(lambda: quant.recolor(fit, new)) for _ in range(5))
    assert best < 0.05


def _seconds(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


@pytest.mark.parametrize("options", [{}, {"dither": True}, {"dither": True, "dither_kind": "ordered"}])
def test_recolor_of_a_result_keeps_labels_and_pairs(crop: np.ndarray, options: dict) -> None:
    result = quant.quantize(crop, 8, **options)
    new = _edited(result.palette)
    edited = quant.recolor(result, new)
    assert type(edited) is quant.Quantized
    assert edited.labels is result.labels and edited.pairs is result.pairs and edited.counts is result.counts
    np.testing.assert_array_equal(edited.image, new[result.labels])
    assert edited.mse == pytest.approx(_pixel_mse(crop, edited.image), rel=1e-12)
    assert quant.metrics(crop, edited, ssim=False).mse == edited.mse
    mapped = quant.map_to_palette(crop, PICO_8)
    assert quant.recolor(mapped, mapped.palette).mse == mapped.mse


def test_recolor_refuses_a_palette_of_another_length_or_not_colours(crop: np.ndarray) -> None:
    fit = quant.fit_palette(crop, 8)
    with pytest.raises(quant.ImageError, match=r"one colour per entry of the result, shape \(8, 3\), got shape \(7, 3\)"):
        quant.recolor(fit, fit.palette[:7])
    with pytest.raises(quant.ImageError, match="the value 256"):
        quant.recolor(fit, np.full((8, 3), 256))
    with pytest.raises(quant.ImageError, match="palette must be RGB colours"):
        quant.recolor(fit, "#ff0000")
