"""quant.fit_palette / apply_palette: a palette and its exact error without per-pixel
arrays, and the full-size result made later from it, identical to quantize's."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_sample_image

import quant


@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    """A 200 x 300 crop of scikit-learn's flower.jpg."""
    return np.ascontiguousarray(load_sample_image("flower.jpg")[50:250, 100:400])


@pytest.mark.parametrize("method", quant.METHODS)
@pytest.mark.parametrize("space", quant.SPACES)
def test_apply_of_fit_is_quantize_bit_for_bit(photo: np.ndarray, method: str, space: str) -> None:
    fit = quant.fit_palette(photo, 12, method=method, space=space, seed=3)
    later = quant.apply_palette(photo, fit)
    direct = quant.quantize(photo, 12, method=method, space=space, seed=3)
    np.testing.assert_array_equal(later.palette, direct.palette)
    np.testing.assert_array_equal(later.labels, direct.labels)
    np.testing.assert_array_equal(later.image, direct.image)
    np.testing.assert_array_equal(later.counts, direct.counts)
    assert later.mse == direct.mse == fit.mse
    np.testing.assert_array_equal(fit.palette, direct.palette)


def test_fit_holds_no_per_pixel_array(photo: np.ndarray) -> None:
    fit = quant.fit_palette(photo, 16)
    n_distinct = quant.count_colors(photo)
    assert fit.shape == photo.shape[:2]
    assert fit.color_labels.shape == (n_distinct,)
    assert fit.counts.sum() == photo.shape[0] * photo.shape[1]
    for value in vars(fit).values():
        if isinstance(value, np.ndarray):
            assert value.size <= n_distinct


def test_fit_error_is_the_pixel_error(photo: np.ndarray) -> None:
    fit = quant.fit_palette(photo, 8, space="lab")
    rebuilt = quant.apply_palette(photo, fit).image
    direct = np.mean((photo.astype(np.float64) - rebuilt) ** 2)
    assert fit.mse == pytest.approx(direct, rel=1e-12)


def test_metrics_of_a_fit_equal_the_pixel_path(photo: np.ndarray) -> None:
    fit = quant.fit_palette(photo, 16, seed=1)
    of_fit = quant.metrics(photo, fit)
    of_pixels = quant.metrics(photo, quant.apply_palette(photo, fit).image)
    assert of_fit.mse == pytest.approx(of_pixels.mse, rel=1e-12)
    assert of_fit.delta_e == pytest.approx(of_pixels.delta_e, rel=1e-6)
    assert of_fit.ssim == pytest.approx(of_pixels.ssim, rel=1e-12)
    assert quant.metrics(photo, fit, ssim=False).ssim is None


def test_apply_refuses_another_image(photo: np.ndarray) -> None:
    fit = quant.fit_palette(photo, 16)
    other = photo.copy()
    other[0, 0] = (other[0, 0].astype(np.int64) + 1) % 256
    with pytest.raises(ValueError, match="colours differ"):
        quant.apply_palette(other, fit)
    with pytest.raises(ValueError, match="fitted to a 300 x 200 image"):
        quant.apply_palette(photo[:100], fit)
    with pytest.raises(ValueError, match="fitted to a 300 x 200 image"):
        quant.metrics(photo[:, :100], fit)


def test_fit_validates_like_quantize(photo: np.ndarray) -> None:
    with pytest.raises(quant.ImageError, match="n_colors must be from 1 to 256, got 0"):
        quant.fit_palette(photo, 0)
    with pytest.raises(quant.ImageError, match="Unknown method 'kmedoids'"):
        quant.fit_palette(photo, 8, method="kmedoids")
