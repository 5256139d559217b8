"""quant.dither: quant's error diffusion, its exact nearest search and its pair counts."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_sample_image

import quant
import quant.parallel
from quant import dither as dithering
from quant.colors import analyse


@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    """A 120 x 180 crop of scikit-learn's flower.jpg: smooth petals and sharp edges."""
    return np.ascontiguousarray(load_sample_image("flower.jpg")[150:270, 200:380])


def _gradient(height: int = 32, width: int = 256) -> np.ndarray:
    """A smooth horizontal ramp from dark blue to light orange."""
    x = np.broadcast_to(np.arange(width), (height, width))
    return np.stack([x, x // 2 + 40, 255 - x], axis=2).astype(np.uint8)


def _brute_nearest(points: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """argmin of the squared distances in float64 (the lowest index on ties)."""
    diff = points[:, None, :].astype(np.float64) - palette[None, :, :].astype(np.float64)
    return np.argmin((diff * diff).sum(axis=2), axis=1)


# --- the nearest search ------------------------------------------------------------------


@pytest.mark.parametrize("k", [1, 2, 5, 16, 64, 256])
def test_nearest_search_equals_brute_force_on_random_palettes(k: int) -> None:
    rng = np.random.default_rng(k)
    palette = rng.integers(0, 256, size=(k, 3), dtype=np.uint8)
    # Real targets anywhere the ditherer can push a colour, and beyond (outside the grid).
    points = np.concatenate([rng.uniform(-40.0, 300.0, size=(20_000, 3)), rng.integers(0, 256, size=(5_000, 3))])
    np.testing.assert_array_equal(dithering.nearest_indices(points, palette), _brute_nearest(points, palette))


def test_nearest_search_breaks_ties_towards_the_lower_index_and_handles_duplicates() -> None:
    palette = np.array([[10, 10, 10], [12, 10, 10], [12, 10, 10], [200, 0, 0]], dtype=np.uint8)
    points = np.array([[11.0, 10.0, 10.0], [12.0, 10.0, 10.0], [13.0, 10.0, 10.0], [11.0, 10.0, 10.0]])
    np.testing.assert_array_equal(dithering.nearest_indices(points, palette), [0, 1, 1, 0])
    clustered = np.random.default_rng(3).integers(100, 104, size=(64, 3)).astype(np.uint8)
    points = np.random.default_rng(4).integers(98, 106, size=(5_000, 3)).astype(np.float64)
    np.testing.assert_array_equal(dithering.nearest_indices(points, clustered), _brute_nearest(points, clustered))


# --- quantize(..., dither=...) -----------------------------------------------------------


@pytest.mark.parametrize("off", [False, 0, 0.0])
def test_strength_zero_is_the_plain_nearest_mapping(photo: np.ndarray, off) -> None:
    plain = quant.quantize(photo, 16)
    result = quant.quantize(photo, 16, dither=off)
    assert not result.dither and result.dither == 0.0 and result.pairs is None
    np.testing.assert_array_equal(result.palette, plain.palette)
    np.testing.assert_array_equal(result.labels, plain.labels)
    # ... which is a nearest entry of every pixel (ties either way).
    pixels = photo.reshape(-1, 3).astype(np.int64)
    nearest = result.palette[_brute_nearest(pixels, result.palette)].astype(np.int64)
    chosen = result.image.reshape(-1, 3).astype(np.int64)
    np.testing.assert_array_equal(((pixels - chosen) ** 2).sum(axis=1), ((pixels - nearest) ** 2).sum(axis=1))


@pytest.mark.parametrize("strength", [True, 1.0, 0.4])
def test_dithered_result_is_consistent(photo: np.ndarray, strength) -> None:
    result = quant.quantize(photo, 16, dither=strength)
    assert result.dither == float(strength)
    k = result.k
    np.testing.assert_array_equal(result.image, result.palette[result.labels])
    np.testing.assert_array_equal(result.counts, np.bincount(result.labels.ravel(), minlength=k))
    assert np.all(np.diff(result.counts) <= 0) and result.counts.min() > 0
    direct = np.mean((photo.astype(np.float64) - result.image) ** 2)
    assert result.mse == pytest.approx(direct, rel=1e-12)
    assert not np.array_equal(result.labels, quant.quantize(photo, 16).labels)


def test_dithering_is_deterministic_and_independent_of_the_cores(monkeypatch) -> None:
    # Taller than a band, so the bands (and the dither map's halos) come into play.
    tall = np.ascontiguousarray(np.tile(_gradient(40, 96), (2 * dithering.BAND_ROWS // 40 + 1, 1, 1)))
    tall[::7, ::5] = 255 - tall[::7, ::5]  # texture and edges for the dither map
    first = quant.quantize(tall, 6, dither=True)
    second = quant.quantize(tall, 6, dither=True)
    np.testing.assert_array_equal(first.labels, second.labels)
    monkeypatch.setattr(quant.parallel, "WORKERS", 1)
    alone = quant.quantize(tall, 6, dither=True)
    np.testing.assert_array_equal(alone.palette, first.palette)
    np.testing.assert_array_equal(alone.labels, first.labels)


def test_more_strength_uses_more_palette_entries_on_a_gradient() -> None:
    gradient = _gradient()
    palette = quant.quantize(gradient, 6).palette
    fit = quant.fit_palette(gradient, 6)

    def entries_per_window(strength: float) -> int:
        labels = quant.apply_palette(gradient, fit, dither=strength).labels
        # Distinct entries in each 16-column stripe, summed: 1 per stripe means bands.
        return sum(len(np.unique(labels[:, x : x + 16])) for x in range(0, labels.shape[1], 16))

    used = [entries_per_window(s) for s in (0.0, 0.1, 0.3, 0.6, 1.0)]
    assert used == sorted(used), used
    assert used[-1] > used[0] + 6, used
    assert palette.shape[0] == 6


def test_error_diffusion_keeps_the_local_average_colour() -> None:
    # A flat grey (with a one-level ripple, so it has more colours than the palette)
    # between two palette entries: dithering mixes them to the grey on average.
    grey = np.full((64, 64, 3), 100, dtype=np.uint8)
    grey[::2, ::3] = 101
    fit = quant.fit_palette(np.concatenate([grey, np.zeros_like(grey), np.full_like(grey, 200)]), 2)
    assert sorted(fit.palette[:, 0].tolist()) != [100, 100]
    labels = dithering.dither(grey, np.array([[60, 60, 60], [160, 160, 160]], dtype=np.uint8))
    mean = np.array([[60, 60, 60], [160, 160, 160]])[labels].mean()
    assert abs(mean - grey.mean()) < 2.0
    assert len(np.unique(labels)) == 2


def test_dither_map_is_low_at_edges_and_high_in_flat_areas() -> None:
    image = np.full((40, 40, 3), 90, dtype=np.uint8)
    image[:, 20:] = 200
    image[:, 30:] = 255
    image[:, 35:] = 0
    weights = dithering.dither_map(image, None)
    assert weights[:, :10].min() == 255 and weights[:, 24:27].min() == 255
    assert weights[:, 19:21].max() < 200  # a step of 110 levels
    assert weights[:, 34:36].max() < 10  # a step from white to black


def test_one_colour_image() -> None:
    image = np.full((9, 7, 3), (12, 200, 40), dtype=np.uint8)
    result = quant.quantize(image, 16, dither=True)
    assert result.palette.tolist() == [[12, 200, 40]]
    assert result.mse == 0.0 and not result.labels.any()


def test_one_pixel_image() -> None:
    image = np.array([[[1, 2, 3]]], dtype=np.uint8)
    result = quant.quantize(image, 2, dither=0.7)
    assert result.palette.tolist() == [[1, 2, 3]] and result.labels.tolist() == [[0]]
    random = quant.quantize(image, 2, method="random", dither=True)  # a palette without the colour
    assert random.image.shape == (1, 1, 3) and random.counts.tolist() == [1]
    assert random.mse == pytest.approx(np.mean((random.image.astype(float) - image) ** 2))
    assert dithering.dither(image, np.array([[9, 9, 9], [0, 0, 0]], dtype=np.uint8)).tolist() == [[1]]


def test_fewer_colours_than_k_need_no_dithering() -> None:
    image = np.zeros((20, 30, 3), dtype=np.uint8)
    for i, colour in enumerate([(255, 0, 0), (0, 255, 0), (0, 0, 255), (90, 90, 90), (0, 0, 0)]):
        image[4 * i : 4 * i + 4] = colour
    result = quant.quantize(image, 16, dither=True)
    np.testing.assert_array_equal(result.image, image)
    assert result.mse == 0.0 and result.k == 5


@pytest.mark.parametrize("bad", [-0.1, 1.5, float("nan"), "yes", None, [0.5]])
def test_bad_strength_is_a_clear_error(photo: np.ndarray, bad) -> None:
    with pytest.raises(quant.ImageError, match="dither must be True, False or a strength from 0 to 1"):
        quant.quantize(photo, 4, dither=bad)
    with pytest.raises(quant.ImageError, match=r"got"):
        quant.apply_palette(photo, quant.fit_palette(photo, 4), dither=bad)


# --- pairs and metrics -------------------------------------------------------------------


def test_pairs_are_the_distinct_colour_entry_pairs(photo: np.ndarray) -> None:
    result = quant.quantize(photo, 8, dither=True)
    codes, histogram = analyse(photo)
    pairs = result.pairs
    assert pairs.counts.sum() == photo.shape[0] * photo.shape[1]
    expected = np.unique(codes.astype(np.uint64) << np.uint64(8) | result.labels.ravel(), return_counts=True)
    got = histogram.codes[pairs.colors].astype(np.uint64) << np.uint64(8) | pairs.labels
    order = np.argsort(got)
    np.testing.assert_array_equal(got[order], expected[0])
    np.testing.assert_array_equal(pairs.counts[order], expected[1])


@pytest.mark.parametrize("strength", [1.0, 0.3])
def test_dithered_metrics_equal_the_pixel_path(photo: np.ndarray, strength: float) -> None:
    result = quant.quantize(photo, 12, dither=strength)
    by_pairs = quant.metrics(photo, result, ssim=False)
    by_pixels = quant.metrics(photo, result.image, ssim=False)
    assert by_pairs.mse == by_pixels.mse == pytest.approx(np.mean((photo.astype(float) - result.image) ** 2), rel=1e-12)
    assert by_pairs.delta_e == pytest.approx(by_pixels.delta_e, rel=1e-12)
    # ... and not the undithered figure.
    assert by_pairs.mse != quant.quantize(photo, 12).mse


def test_dithering_beats_pillows_floyd_steinberg_on_the_same_palette(photo: np. ndarray) -> None:
    from PIL import Image

    result = quant.quantize(photo, 16, dither=True)
    palette_image = Image.new("P", (1, 1))
    padded = np.concatenate([result.palette, np.repeat(result.palette[:1], 256 - result.k, axis=0)])
    palette_image.putpalette(padded.ravel().tolist())
    pillow = np.asarray(Image.fromarray(photo).quantize(palette=palette_image, dither=Image.Dither.FLOYDSTEINBERG).convert("RGB"))
    assert result.mse < quant.mean_squared_error(photo, pillow)


def test_a_remembered_contrast_map_changes_nothing(monkeypatch) -> None:
    # Several bands, so that the halo of every band is exercised.
    monkeypatch.setattr(dithering, "BAND_ROWS", 48)
    image = np.ascontiguousarray(load_sample_image("flower.jpg")[:200, :150])
    fit = quant.fit_palette(image, 12)
    nearest = quant.apply_palette(image, fit).labels  # in the fit's palette order
    plain = dithering.dither(image, fit.palette, nearest_labels=nearest)
    given = dithering.dither(image, fit.palette, nearest_labels=nearest, contrast=dithering.contrast_map(image))
    np.testing.assert_array_equal(given, plain)
    # The pipeline remembers the map with the picture's histogram: the second palette
    # of the same picture dithers with the first one's map, to the same result.
    for n_colors in (12, 7):
        fit = quant.fit_palette(image, n_colors)
        reference = dithering.dither(image, fit.palette, nearest_labels=quant.apply_palette(image, fit).labels, mse=fit.mse)
        np.testing.assert_array_equal(quant.apply_palette(image, fit, dither=True).image, fit.palette[reference])
