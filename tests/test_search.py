"""quant.smallest_palette / smallest_fit: the fewest colours that meet a mean ΔE target.

Every "does k - 1 miss?" is checked with quant.quantize and quant.metrics on the pixels,
independently of the search's own bookkeeping.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.datasets import load_sample_image

import quant
import quant.search


@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    """A 160 x 240 crop of scikit-learn's china.jpg."""
    return np.ascontiguousarray(load_sample_image("china.jpg")[100:260, 200:440])


def pixel_delta_e(image: np.ndarray, n_colors: int, **options) -> float:
    """Mean ΔE of the k-colour reconstruction, measured through its pixels."""
    result = quant.quantize(image, n_colors, **options)
    return quant.metrics(image, result.image, ssim=False).delta_e


@pytest.mark.parametrize("target", [8.0, 4.0, 2.5])
def test_the_size_found_meets_the_target_and_one_fewer_misses(photo: np.ndarray, target: float) -> None:
    result = quant.smallest_palette(photo, max_delta_e=target)
    k = result.n_colors
    assert 1 < k < 256
    assert quant.metrics(photo, result.image, ssim=False).delta_e <= target
    assert pixel_delta_e(photo, k - 1) > target
    # The result is exactly the palette quantize gives for that size.
    np.testing.assert_array_equal(result.image, quant.quantize(photo, k).image)


def test_a_tighter_target_needs_more_colours(photo: np.ndarray) -> None:
    sizes = [quant.smallest_fit(photo, max_delta_e=t).n_colors for t in (8.0, 5.0, 3.0)]
    assert sizes[0] < sizes[1] < sizes[2]


def test_search_records_what_it_measured(photo: np.ndarray) -> None:
    search = quant.smallest_fit(photo, max_delta_e=4.0, space="lab", seed=3)
    k = search.n_colors
    assert search.tried[k] == search.delta_e <= 4.0
    assert search.tried[k - 1] > 4.0
    # Far fewer palettes than trying every size.
    assert len(search.tried) <= 12
    assert search.fit.n_colors == k and search.fit.space == "lab" and search.fit.seed == 3
    assert pixel_delta_e(photo, k - 1, space="lab", seed=3) > 4.0
    assert search.delta_e == pytest.approx(pixel_delta_e(photo, k, space="lab", seed=3), rel=1e-6)


@pytest.mark.parametrize("method", ["median-cut", "octree"])
def test_other_methods(photo: np.ndarray, method: str) -> None:
    search = quant.smallest_fit(photo, max_delta_e=5.0, method=method)
    k = search.n_colors
    assert search.delta_e <= 5.0
    assert k == 1 or pixel_delta_e(photo, k - 1, method=method) > 5.0


def test_a_loose_target_is_met_by_one_colour() -> None:
    image = np.full((10, 10, 3), 120, dtype=np.uint8)
    image[0, 0] = (122, 120, 120)
    result = quant.smallest_palette(image, max_delta_e=50.0)
    assert result.n_colors == 1 and result.k == 1


def test_few_colours_need_all_of_them_for_a_tiny_target() -> None:
    colours = np.array([[0, 0, 0], [250, 10, 10], [10, 250, 10], [10, 10, 250], [200, 200, 200]], dtype=np.uint8)
    image = np.repeat(colours, 7, axis=0).reshape(5, 7, 3)
    result = quant.smallest_palette(image, max_delta_e=1e-6)
    assert result.n_colors == 5
    assert result.mse == 0.0
    assert pixel_delta_e(image, 4) > 1e-6


def test_large_image_is_guided_by_a_subsample_and_still_exact() -> None:
    image = np.ascontiguousarray(load_sample_image("flower.jpg"))  # 273,280 pixels
    assert image.shape[0] * image.shape[1] > 2 * quant.search.GUIDE_PIXELS
    search = quant.smallest_fit(image, max_delta_e=4.0)
    assert search.guide_tried, "the subsample should have been searched first"
    k = search.n_colors
    assert pixel_delta_e(image, k) <= 4.0 < pixel_delta_e(image, k - 1)
    # The guide lands the exact search close: few full-size palettes.
    assert len(search.tried) <= 6


def test_a_target_even_256_colours_miss_is_an_image_error(photo: np.ndarray) -> None:
    with pytest.raises(quant.ImageError, match=r"256 colours give \d+\.\d\d"):
        quant.smallest_palette(photo, max_delta_e=0.01)


@pytest.mark.parametrize("target", [0, -1.0, math.nan, math.inf, "2.3", None, True])
def test_bad_targets_are_image_errors(photo: np.ndarray, target) -> None:
    with pytest.raises(quant.ImageError, match="max_delta_e must be a positive"):
        quant.smallest_palette(photo, max_delta_e=target)


def test_bad_method_and_space_are_image_errors(photo: np.ndarray) -> None:
    with pytest.raises(quant.ImageError, match="method"):
        quant.smallest_palette(photo, max_delta_e=3.0, method="best")
    with pytest.raises(quant.ImageError, match="space"):
        quant.smallest_palette(photo, max_delta_e=3.0, space="hsv")


def test_search_finds_the_bracket_on_a_curve_that_is_not_monotone() -> None:
    # A made-up ΔE curve with a bump: 10 meets the target, 11 does not, 12 does again.
    curve = {k: 10.0 / k for k in range(1, 257)}
    curve[11] = 1.2
    measured: list[int] = []

    def delta_e(k: int) -> float:
        measured.append(k)
        return curve[k]

    found = quant.search._search(delta_e, 1.0, start=16, upper=256)
    assert found is not None
    assert curve[found] <= 1.0 and curve[found - 1] > 1.0
    assert len(set(measured)) == len(measured), "no size measured twice"


def test_search_says_none_when_the_largest_size_misses() -> None:
    assert quant.search._search(lambda k: 5.0, 1.0, start=16, upper=256) is None
