"""quant.ssim: the SSIM of quant.metrics, to the last bit, without the rest; and
quant.metrics' matching of a small image's pixels to its colours by bisection."""

from __future__ import annotations

import importlib

import numpy as np
import pytest
from sklearn.datasets import load_sample_image

import quant

metrics_module = importlib.import_module("quant.metrics")  # `quant.metrics` is the function


@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    return np.ascontiguousarray(load_sample_image("flower.jpg")[::2, ::2])  # 214 x 320


@pytest.fixture(scope="module")
def photo_rgba(photo: np.ndarray) -> np.ndarray:
    """The photo with every alpha class: a transparent band, a partly transparent ramp, the rest opaque."""
    height, width = photo.shape[:2]
    alpha = np.full((height, width), 255, dtype=np.uint8)
    alpha[:, :40] = 0
    alpha[:, 40:120] = np.linspace(1, 254, 80).astype(np.uint8)
    return np.dstack([photo, alpha])


@pytest.mark.parametrize("dither", [False, True])
def test_ssim_is_that_of_metrics_for_rgb(photo: np.ndarray, dither: bool) -> None:
    result = quant.quantize(photo, 12, dither=dither)
    expected = quant.metrics(photo, result).ssim
    assert quant.ssim(photo, result) == expected
    assert quant.ssim(photo, result.image) == expected
    fit = quant.fit_palette(photo, 12)
    assert quant.ssim(photo, fit) == quant.metrics(photo, fit).ssim


@pytest.mark.parametrize("dither", [False, True])
@pytest.mark.parametrize("background", [(255, 255, 255), (0, 40, 200)])
def test_ssim_is_that_of_metrics_for_rgba(photo_rgba: np.ndarray, dither: bool, background: tuple[int, int, int]) -> None:
    result = quant.quantize(photo_rgba, 12, dither=dither)
    expected = quant.metrics(photo_rgba, result, background=background).ssim
    assert expected is not None
    assert quant.ssim(photo_rgba, result, background=background) == expected
    assert quant.ssim(photo_rgba, result.image, background=background) == expected
    fit = quant.fit_palette(photo_rgba, 12)
    assert quant.ssim(photo_rgba, fit, background=background) == quant.metrics(photo_rgba, fit, background=background).ssim


def test_ssim_of_rgba_against_rgb_is_that_of_metrics(photo: np.ndarray, photo_rgba: np.ndarray) -> None:
    # An RGB side counts as opaque, as in quant.metrics.
    assert quant.ssim(photo_rgba, photo) == quant.metrics(photo_rgba, photo).ssim
    assert quant.ssim(photo, photo_rgba, background=(10, 20, 30)) == quant.metrics(photo, photo_rgba, background=(10, 20, 30)).ssim


def test_ssim_of_identical_and_tiny_images() -> None:
    image = np.random.default_rng(0).integers(0, 256, size=(16, 16, 3), dtype=np.uint8)
    assert quant.ssim(image, image.copy()) == 1.0
    assert quant.ssim(np.zeros((5, 40, 3), np.uint8), np.ones((5, 40, 3), np.uint8)) is None


def test_mismatched_sizes_are_an_image_error_saying_both() -> None:
    with pytest.raises(quant.ImageError, match=r"same height and width; got 4 x 4 and 5 x 4 pixels"):
        quant.ssim(np.zeros((4, 4, 3), np.uint8), np.zeros((4, 5, 3), np.uint8))
    with pytest.raises(quant.ImageError, match=r"got 8 x 8 and 8 x 9 pixels"):
        quant.ssim(np.zeros((8, 8, 4), np.uint8), np.zeros((9, 8, 3), np.uint8))


def test_bad_arrays_and_backgrounds_are_value_errors() -> None:
    image = np.zeros((8, 8, 3), np.uint8)
    with pytest.raises(ValueError, match="uint8"):
        quant.ssim(image, image.astype(np.float32))
    with pytest.raises(ValueError, match="background"):
        quant.ssim(np.zeros((8, 8, 4), np.uint8), image, background=(0, 0, 256))


@pytest.mark.parametrize("dither", [False, True])
def test_small_images_are_paired_by_bisection_as_by_the_tables(
    photo: np.ndarray, dither: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    reconstruction = quant.quantize(photo, 12, dither=dither).image
    by_bisection = metrics_module._color_pairs(photo, reconstruction, inverse=True)
    error = quant.error_map(photo, reconstruction)
    monkeypatch.setattr(metrics_module, "_SMALL_IMAGE", 0)
    by_tables = metrics_module._color_pairs(photo, reconstruction, inverse=True)
    for mine, theirs in zip(by_bisection, by_tables):
        np.testing.assert_array_equal(mine, theirs)
    np.testing.assert_array_equal(error, quant.error_map(photo, reconstruction))
