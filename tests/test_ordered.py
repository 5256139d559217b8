"""Ordered dithering (quant.ordered): the pattern, its mixes, and the pipeline around it."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.ndimage import uniform_filter
from sklearn.datasets import load_sample_image

import quant
from quant import ordered


@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    return np.ascontiguousarray(load_sample_image("china.jpg")[100:260, 200:420])


def _gradient(height: int = 32, width: int = 256) -> np.ndarray:
    image = np.zeros((height, width, 3), dtype=np.uint8)
    image[..., 0] = np.arange(width)
    image[..., 1] = np.arange(width)[::-1] // 2
    image[..., 2] = 90
    return image


def test_bayer_matrix_holds_every_threshold_once_with_neighbours_far_apart() -> None:
    assert ordered.BAYER.shape == (8, 8)
    assert sorted(ordered.BAYER.reshape(-1).tolist()) == list(range(64))
    # each 2 x 2 quarter of the pattern holds one of every four consecutive levels
    for level in range(0, 64, 4):
        rows, cols = np.nonzero((ordered.BAYER >= level) & (ordered.BAYER < level + 4))
        assert len(set(zip(rows // 4, cols // 4))) == 4


def test_a_colour_between_two_entries_is_drawn_as_their_mix_in_every_block() -> None:
    palette = np.array([[0, 0, 0], [200, 200, 200]], dtype=np.uint8)
    colour = np.array([[50, 50, 50]], dtype=np.uint8)  # a quarter of the way from black to grey
    partners, levels = ordered.mixes(colour, palette, np.array([0]), 1.0)
    (level,) = levels.tolist()
    # the projection is 16/64; the noise penalty pulls the share a little towards black
    assert partners.tolist() == [1] and 12 <= level <= 16
    _, half = ordered.mixes(colour, palette, np.array([0]), 0.5)
    assert abs(int(half[0]) - level / 2) <= 1  # half strength, half the share
    height, width = 24, 40
    labels = ordered.ordered_labels(
        np.zeros((height, width), np.uint8), np.ones((height, width), np.uint8), np.full((height, width), level, np.uint8)
    )
    for top in range(0, height, 8):
        for left in range(0, width, 8):
            assert labels[top : top + 8, left : left + 8].sum() == level  # exactly the share in every block
    np.testing.assert_array_equal(labels[:8, :8], labels[8:16, 16:24])  # the same pattern everywhere


def test_a_colour_is_not_mixed_when_mixing_brings_its_mean_no_closer() -> None:
    palette = np.array([[0, 0, 0], [255, 0, 0], [0, 0, 255]], dtype=np.uint8)
    colours = np.array([[0, 0, 0], [0, 90, 0]], dtype=np.uint8)  # an entry; off every segment
    partners, levels = ordered.mixes(colours, palette, np.array([0, 0]), 1.0)
    assert levels.tolist() == [0, 0]
    assert partners.tolist() == [0, 0]


def test_strength_zero_is_the_plain_nearest_mapping(photo: np.ndarray) -> None:
    fit = quant.fit_palette(photo, 12)
    plain = quant.apply_palette(photo, fit)
    none = quant.apply_palette(photo, fit, dither=0.0, dither_kind="ordered")
    np.testing.assert_array_equal(none.image, plain.image)
    assert none.dither_kind == "diffusion"  # not dithered at all


@pytest.mark.parametrize("strength", [0.5, 1.0])
def test_ordered_result_is_consistent_and_deterministic(photo: np.ndarray, strength: float) -> None:
    first = quant.quantize(photo, 16, dither=strength, dither_kind="ordered")
    second = quant.quantize(photo, 16, dither=strength, dither_kind="ordered")
    assert first.dither_kind == "ordered" and first.dither == strength
    np.testing.assert_array_equal(first.labels, second.labels)
    np.testing.assert_array_equal(first.image, first.palette[first.labels])
    assert first.counts.sum() == photo.shape[0] * photo.shape[1]
    np.testing.assert_array_equal(first.counts, np.bincount(first.labels.reshape(-1), minlength=first.k))
    # the palette is the undithered one, re-ordered by the dithered counts
    plain = quant.quantize(photo, 16)
    assert {tuple(c) for c in first.palette} <= {tuple(c) for c in plain.palette}


def test_each_pixel_takes_its_nearest_entry_or_its_colours_partner(photo: np.ndarray) -> None:
    fit = quant.fit_palette(photo, 16)
    plain = quant.apply_palette(photo, fit)
    result = quant.apply_palette(photo, fit, dither=True, dither_kind="ordered")
    changed = np.any(result.image != plain.image, axis=-1)
    assert 0.05 < changed.mean() < 0.6
    # a colour's pixels take at most two entries
    codes = photo.reshape(-1, 3).astype(np.int64) @ np.array([65536, 256, 1])
    taken = result.image.reshape(-1, 3).astype(np.int64) @ np.array([65536, 256, 1])
    pairs = np.unique(np.stack([codes, taken], axis=1), axis=0)
    assert np.bincount(np.unique(pairs[:, 0], return_inverse=True)[1]).max() <= 2


def test_ordered_metrics_equal_the_pixel_path(photo: np.ndarray) -> None:
    result = quant.quantize(photo, 16, dither=True, dither_kind="ordered")
    by_pairs = quant.metrics(photo, result, ssim=False)
    by_pixels = quant.metrics(photo, result.image, ssim=False)
    assert by_pairs.mse == pytest.approx(by_pixels.mse, rel=1e-12)
    assert by_pairs.delta_e == pytest.approx(by_pixels.delta_e, rel=1e-12)
    assert result.mse == pytest.approx(by_pixels.mse, rel=1e-12)


def test_ordered_dithering_keeps_the_local_average_colour_of_a_gradient() -> None:
    image = _gradient()
    plain = quant.quantize(image, 8)
    dithered = quant.quantize(image, 8, dither=True, dither_kind="ordered")

    def local_error(result: quant.Quantized) -> float:
        blur = [uniform_filter(a.astype(np.float64), size=(8, 8, 1)) for a in (image, result.image)]
        return float(np.mean((blur[0] - blur[1])[8:-8, 8:-8] ** 2))

    assert local_error(dithered) < 0.5 * local_error(plain)


@pytest.mark.parametrize("shape", [(1, 1), (5, 7), (40, 3)])
def test_small_and_one_colour_images(shape: tuple[int, int]) -> None:
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (*shape, 3), dtype=np.uint8)
    result = quant.quantize(image, 2, dither=True, dither_kind="ordered")
    np.testing.assert_array_equal(result.image, result.palette[result.labels])
    flat = np.full((*shape, 3), 77, dtype=np.uint8)
    assert quant.quantize(flat, 4, dither=True, dither_kind="ordered").mse == 0.0


def test_fewer_colours_than_k_need_no_dithering() -> None:
    image = np.zeros((16, 16, 3), dtype=np.uint8)
    image[:, 8:] = (200, 30, 60)
    result = quant.quantize(image, 8, dither=True, dither_kind="ordered")
    assert result.mse == 0.0


def test_an_unknown_kind_is_a_clear_error(photo: np.ndarray) -> None:
    with pytest.raises(quant.ImageError, match="dither_kind must be one of 'diffusion', 'ordered', got 'bayer'"):
        quant.quantize(photo, 8, dither=True, dither_kind="bayer")
    with pytest.raises(quant.ImageError, match="dither_kind"):
        quant.apply_palette(photo, quant.fit_palette(photo, 8), dither=True, dither_kind="")
