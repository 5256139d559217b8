"""quant.metrics: the fast paths give scikit-image's numbers exactly."""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest
from skimage.color import deltaE_ciede2000, rgb2lab
from skimage.metrics import mean_squared_error, peak_signal_noise_ratio, structural_similarity
from sklearn.datasets import load_sample_image

import quant


@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    return np.ascontiguousarray(load_sample_image("flower.jpg")[::2, ::2])  # 214 x 320


@pytest.mark.parametrize("dither", [False, True])
def test_metrics_equal_scikit_image(photo: np.ndarray, dither: bool) -> None:
    reconstruction = quant.quantize(photo, 12, dither=dither).image
    result = quant.metrics(photo, reconstruction)
    assert result.mse == pytest.approx(mean_squared_error(photo, reconstruction), rel=1e-12)
    assert result.psnr == pytest.approx(peak_signal_noise_ratio(photo, reconstruction, data_range=255), rel=1e-12)
    assert result.ssim == pytest.approx(structural_similarity(photo, reconstruction, channel_axis=2, data_range=255), rel=1e-9)
    expected_delta_e = deltaE_ciede2000(rgb2lab(photo), rgb2lab(reconstruction)).mean()
    # ΔE is computed in float32 (five times faster): agreement to six significant digits.
    assert result.delta_e == pytest.approx(expected_delta_e, rel=1e-6)


def test_metrics_of_arbitrary_images_equal_scikit_image() -> None:
    rng = np.random.default_rng(0)
    a = rng.integers(0, 256, size=(300, 41, 3), dtype=np.uint8)  # several SSIM strips, odd width
    b = np.clip(a.astype(int) + rng.integers(-20, 21, size=a.shape), 0, 255).astype(np.uint8)
    result = quant.metrics(a, b)
    assert result.ssim == pytest.approx(structural_similarity(a, b, channel_axis=2, data_range=255), rel=1e-9)
    assert result.delta_e == pytest.approx(deltaE_ciede2000(rgb2lab(a), rgb2lab(b)).mean(), rel=1e-6)


def test_identical_images() -> None:
    image = np.random.default_rng(2).integers(0, 256, size=(16, 16, 3), dtype=np.uint8)
    result = quant.metrics(image, image.copy())
    assert result == quant.Metrics(mse=0.0, psnr=math.inf, ssim=1.0, delta_e=0.0)


def test_ssim_can_be_skipped_and_is_none_for_tiny_images() -> None:
    image = np.zeros((5, 40, 3), dtype=np.uint8)
    other = image.copy()
    other[0, 0] = 255
    assert quant.metrics(image, other).ssim is None
    assert quant.metrics(np.zeros((8, 8, 3), np.uint8), np.ones((8, 8, 3), np.uint8), ssim=False).ssim is None


def test_mismatched_shapes_are_named() -> None:
    with pytest.raises(ValueError, match=r"\(4, 4, 3\) and \(4, 5, 3\)"):
        quant.metrics(np.zeros((4, 4, 3), np.uint8), np.zeros((4, 5, 3), np.uint8))


@pytest.mark.parametrize("dither", [False, True])
def test_error_map_delta_e_per_pixel(photo: np.ndarray, dither: bool) -> None:
    reconstruction = quant.quantize(photo, 8, dither=dither).image
    heat = quant.error_map(photo, reconstruction)
    assert heat.shape == photo.shape[:2] and heat.dtype == np.float32
    expected = deltaE_ciede2000(rgb2lab(photo), rgb2lab(reconstruction))
    np.testing.assert_allclose(heat, expected, rtol=1e-5, atol=1e-4)


def test_error_map_squared_averages_to_mse(photo: np.ndarray) -> None:
    result = quant.quantize(photo, 8)
    heat = quant.error_map(photo, result.image, kind="squared")
    assert float(heat.mean(dtype=np.float64)) == pytest.approx(result.mse, rel=1e-5)
    with pytest.raises(ValueError, match="kind must be 'delta_e' or 'squared', got 'abs'"):
        quant.error_map(photo, result.image, kind="abs")


@pytest.mark.parametrize("method", ["kmeans", "random", "median-cut"])
def test_a_result_is_measured_per_colour_with_the_same_numbers(
    photo: np.ndarray, method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = quant.quantize(photo, 12, method=method)
    expected = quant.metrics(photo, result.image)
    # The per-colour path needs no pass pairing the pixels.
    monkeypatch.setattr(sys.modules["quant.metrics"], "_color_pairs", _must_not_be_called)
    measured = quant.metrics(photo, result)
    assert measured.mse == expected.mse
    assert measured.ssim == expected.ssim
    assert measured.delta_e == pytest.approx(expected.delta_e, rel=1e-9)


def test_a_result_measured_against_another_image_falls_back_to_its_pixels(photo: np.ndarray) -> None:
    result = quant.quantize(photo, 12)
    other = photo.copy()
    other[0, 0] ^= 7
    quant.quantize(other, 4)  # the remembered histogram is now other's
    measured = quant.metrics(other, result)
    expected = quant.metrics(other, result.image)
    assert measured == expected
    assert measured.mse != result.mse
    # And back on its own image (its histogram no longer remembered) it is still right.
    assert quant.metrics(photo, result).mse == pytest.approx(result.mse, rel=1e-12)


def test_a_dithered_result_is_measured_per_colour_pair_as_by_its_pixels(photo: np.ndarray, monkeypatch) -> None:
    result = quant.quantize(photo, 12, dither=True)
    assert result.color_labels is None and result.pairs is not None
    expected = quant.metrics(photo, result.image)
    # The pairs the result recorded are used: the pixels are never paired again.
    monkeypatch.setattr(sys.modules["quant.metrics"], "_color_pairs", _must_not_be_called)
    measured = quant.metrics(photo, result)
    assert measured.mse == expected.mse and measured.ssim == expected.ssim
    assert measured.delta_e == pytest.approx(expected.delta_e, rel=1e-12)


def _must_not_be_called(*args, **kwargs):
    raise AssertionError("metrics paired the pixels although the result maps colour by colour")
