"""quant.colour_math gives scikit-image's numbers: Lab, CIEDE2000 ΔE and SSIM, on random
images, a real photo at odd sizes, tiny images, uint8 edge values and RGBA composites."""

from __future__ import annotations

import numpy as np
import pytest
from skimage.color import deltaE_ciede2000, rgb2lab
from skimage.metrics import structural_similarity
from sklearn.datasets import load_sample_image

import quant
from quant import colour_math
from quant.modes import composite


@pytest.fixture(scope="module")
def china() -> np.ndarray:
    return load_sample_image("china.jpg")  # 640 x 427


def nearby(image: np.ndarray, seed: int, spread: int = 20) -> np.ndarray:
    """``image`` with noise of up to ``spread`` levels added, clipped to uint8."""
    rng = np.random.default_rng(seed)
    return np.clip(image.astype(int) + rng.integers(-spread, spread + 1, size=image.shape), 0, 255).astype(np.uint8)


def skimage_ssim(first: np.ndarray, second: np.ndarray) -> float:
    """What quant.metrics asks scikit-image for."""
    return structural_similarity(first, second, channel_axis=2, data_range=255)


def every_uint8_colour_component() -> np.ndarray:
    """All 256 grey levels, the primaries and secondaries at every level, and random colours."""
    levels = np.arange(256, dtype=np.uint8)
    zero = np.zeros(256, dtype=np.uint8)
    full = np.full(256, 255, dtype=np.uint8)
    parts = [np.stack([levels] * 3, axis=1)]
    for pattern in [(levels, zero, zero), (zero, levels, zero), (zero, zero, levels), (levels, full, zero), (full, zero, levels)]:
        parts.append(np.stack(pattern, axis=1))
    parts.append(np.random.default_rng(5).integers(0, 256, size=(4000, 3), dtype=np.uint8))
    return np.concatenate(parts)


# --- Lab ----------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_lab_is_scikit_images_bit_for_bit(dtype: type) -> None:
    rgb = (every_uint8_colour_component().astype(dtype) / dtype(255)).reshape(-1, 1, 3)
    expected = rgb2lab(rgb)
    got = colour_math.rgb2lab(rgb)
    assert got.dtype == expected.dtype == dtype
    np.testing.assert_array_equal(got, expected)


def test_lab_of_an_image_and_of_random_floats(china: np.ndarray) -> None:
    image = china[::3, ::5] / 255.0
    np.testing.assert_array_equal(colour_math.rgb2lab(image), rgb2lab(image))
    floats = np.random.default_rng(1).random((37, 11, 3))
    np.testing.assert_allclose(colour_math.rgb2lab(floats), rgb2lab(floats), rtol=1e-12, atol=1e-12)


def test_lab_refuses_an_array_without_three_channels() -> None:
    with pytest.raises(ValueError, match="size 3 along its last axis, got \\(4, 2\\)"):
        colour_math.rgb2lab(np.zeros((4, 2)))


# --- CIEDE2000 ----------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_ciede2000_is_scikit_images(dtype: type) -> None:
    colours = every_uint8_colour_component()
    shuffled = colours[np.random.default_rng(2).permutation(len(colours))]
    first = rgb2lab((colours.astype(dtype) / dtype(255)).reshape(-1, 1, 3)).reshape(-1, 3)
    second = rgb2lab((shuffled.astype(dtype) / dtype(255)).reshape(-1, 1, 3)).reshape(-1, 3)
    expected = deltaE_ciede2000(first, second, channel_axis=-1)
    got = colour_math.delta_e_ciede2000(first, second)
    assert got.dtype == expected.dtype
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0)
    # Identical colours (greys included, where the hue is undefined) are 0 apart.
    np.testing.assert_array_equal(colour_math.delta_e_ciede2000(first, first), 0)


def test_ciede2000_of_sharmas_pairs_and_images(china: np.ndarray) -> None:
    # Pairs across the hue discontinuity and with zero chroma, from Sharma et al.'s data.
    lab1 = np.array([[50.0, 2.6772, -79.7751], [50.0, -1.0, 2.0], [50.0, 2.5, 0.0], [60.2574, -34.0099, 36.2677], [2.0776, 0.0795, -1.135]])
    lab2 = np.array([[50.0, 0.0, -82.7485], [50.0, 0.0, 0.0], [50.0, -2.5, 0.0], [60.4626, -34.1751, 39.4387], [0.9033, -0.0636, -0.5514]])
    np.testing.assert_allclose(colour_math.delta_e_ciede2000(lab1, lab2), deltaE_ciede2000(lab1, lab2), rtol=1e-12)
    np.testing.assert_allclose(colour_math.delta_e_ciede2000(lab1, lab2)[[0, 3, 4]], [2.0425, 1.2644, 0.9082], atol=1e-4)
    first = rgb2lab(china[:101, :203])
    second = rgb2lab(nearby(china[:101, :203], seed=3))
    np.testing.assert_allclose(colour_math.delta_e_ciede2000(first, second), deltaE_ciede2000(first, second), rtol=1e-12)


# --- SSIM ---------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(7, 7, 3), (7, 30, 3), (8, 9, 3), (64, 48, 3), (257, 13, 3), (300, 41, 3)])
def test_ssim_of_random_images_is_scikit_images(shape: tuple[int, int, int]) -> None:
    rng = np.random.default_rng(sum(shape))
    first = rng.integers(0, 256, size=shape, dtype=np.uint8)
    second = nearby(first, seed=4)
    assert colour_math.structural_similarity(first, second) == pytest.approx(skimage_ssim(first, second), rel=1e-12)


@pytest.mark.parametrize("size", [(427, 640), (211, 333), (101, 7), (7, 99), (13, 17)])
def test_ssim_of_a_photo_at_odd_sizes_is_scikit_images(china: np.ndarray, size: tuple[int, int]) -> None:
    photo = np.ascontiguousarray(china[: size[0], : size[1]])
    reconstruction = quant.quantize(photo, 16).image
    assert colour_math.structural_similarity(photo, reconstruction) == pytest.approx(
        skimage_ssim(photo, reconstruction), rel=1e-12
    )


def test_ssim_at_the_edges_of_uint8() -> None:
    black = np.zeros((20, 21, 3), dtype=np.uint8)
    white = np.full((20, 21, 3), 255, dtype=np.uint8)
    checker = np.where((np.indices((20, 21)).sum(axis=0) % 2 == 0)[..., None], white, black)
    for first, second in [(black, white), (white, white), (black, black), (checker, white), (checker, checker[::-1].copy())]:
        assert colour_math.structural_similarity(first, second) == pytest.approx(skimage_ssim(first, second), rel=1e-12)


@pytest.mark.parametrize("shape", [(6, 6, 3), (6, 40, 3), (40, 3, 3)])
def test_ssim_of_an_image_smaller_than_the_window_is_refused_as_scikit_image_does(shape: tuple[int, int, int]) -> None:
    image = np.zeros(shape, dtype=np.uint8)
    with pytest.raises(ValueError, match="win_size exceeds image extent"):
        skimage_ssim(image, image)
    with pytest.raises(ValueError, match="win_size exceeds image extent"):
        colour_math.structural_similarity(image, image)
    assert quant.metrics(image, image).ssim is None  # what quant.metrics reports instead


def test_ssim_of_strips_adds_up_to_the_whole() -> None:
    first = np.random.default_rng(6).integers(0, 256, size=(40, 23, 3), dtype=np.uint8)
    second = nearby(first, seed=7)
    whole = colour_math.ssim_sum(first, second)
    strips = colour_math.ssim_sum(first[:20], second[:20]) + colour_math.ssim_sum(first[14:], second[14:])
    assert strips == pytest.approx(whole, rel=1e-13)


# --- through quant.metrics ----------------------------------------------------------------


def test_metrics_of_a_photo_are_scikit_images(china: np.ndarray) -> None:
    photo = np.ascontiguousarray(china[:333, :501])
    for reconstruction in [quant.quantize(photo, 32).image, quant.quantize(photo, 8, dither=True).image]:
        measured = quant.metrics(photo, reconstruction)
        assert measured.ssim == pytest.approx(skimage_ssim(photo, reconstruction), rel=1e-12)
        expected = deltaE_ciede2000(rgb2lab(photo / np.float32(255)), rgb2lab(reconstruction / np.float32(255))).mean(dtype=np.float64)
        assert measured.delta_e == pytest.approx(expected, rel=1e-6)


def test_metrics_of_rgba_images_composite_over_white_as_scikit_image_would() -> None:
    rng = np.random.default_rng(8)
    original = rng.integers(0, 256, size=(31, 45, 4), dtype=np.uint8)
    original[..., 3][original[..., 3] < 60] = 0
    reconstruction = nearby(original, seed=9)
    measured = quant.metrics(original, reconstruction)
    flat_original, flat_reconstruction = composite(original, (255, 255, 255)), composite(reconstruction, (255, 255, 255))
    assert measured.ssim == pytest.approx(skimage_ssim(flat_original, flat_reconstruction), rel=1e-12)
    expected = deltaE_ciede2000(
        rgb2lab(flat_original / np.float32(255)), rgb2lab(flat_reconstruction / np.float32(255))
    ).mean(dtype=np.float64)
    assert measured.delta_e == pytest.approx(expected, rel=1e-6)
