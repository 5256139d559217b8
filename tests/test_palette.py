"""quant.palette: the palette engine's contract for every method and option."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_sample_image
from sklearn.cluster import MiniBatchKMeans

import quant
from quant.palette import assign_colors


@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    """A 160 x 240 crop of scikit-learn's china.jpg, small enough for every method."""
    return np.ascontiguousarray(load_sample_image("china.jpg")[100:260, 200:440])


def _assert_mapped_to_nearest(image: np.ndarray, palette: np.ndarray, reconstruction: np.ndarray) -> None:
    """Each pixel's colour in the reconstruction is at the smallest RGB distance in the palette (ties either way)."""
    pixels = image.reshape(-1, 3).astype(np.int64)
    nearest = palette[assign_colors(image.reshape(-1, 3), palette)].astype(np.int64)
    chosen = reconstruction.reshape(-1, 3).astype(np.int64)
    np.testing.assert_array_equal(((pixels - chosen) ** 2).sum(axis=1), ((pixels - nearest) ** 2).sum(axis=1))


def _gradient(height: int = 64, width: int = 96) -> np.ndarray:
    y, x = np.mgrid[0:height, 0:width]
    return np.stack([x * 255 // (width - 1), y * 255 // (height - 1), (x + y) % 256], axis=2).astype(np.uint8)


@pytest.mark.parametrize("method", quant.METHODS)
@pytest.mark.parametrize("space", quant.SPACES)
def test_result_is_consistent(photo: np.ndarray, method: str, space: str) -> None:
    result = quant.quantize(photo, 16, method=method, space=space)
    k = result.palette.shape[0]
    assert 1 <= k <= 16
    assert result.palette.dtype == np.uint8 and result.palette.shape == (k, 3)
    assert len(np.unique(result.palette, axis=0)) == k, "duplicate palette rows"
    assert result.labels.shape == photo.shape[:2]
    assert result.labels.max() < k
    assert result.image.dtype == np.uint8 and result.image.shape == photo.shape
    np.testing.assert_array_equal(result.image, result.palette[result.labels])
    np.testing.assert_array_equal(result.counts, np.bincount(result.labels.ravel(), minlength=k))
    assert np.all(np.diff(result.counts) <= 0), "palette not ordered by pixel share"
    assert result.counts.min() > 0
    direct = np.mean((photo.astype(np.float64) - result.image) ** 2)
    assert result.mse == pytest.approx(direct, rel=1e-12, abs=1e-12)
    assert (result.method, result.space, result.n_colors) == (method, space, 16)


@pytest.mark.parametrize("method", quant.METHODS)
def test_same_seed_same_result(photo: np.ndarray, method: str) -> None:
    first = quant.quantize(photo, 8, method=method, seed=3)
    second = quant.quantize(photo, 8, method=method, seed=3)
    np.testing.assert_array_equal(first.palette, second.palette)
    np.testing.assert_array_equal(first.labels, second.labels)


def test_random_palette_depends_on_seed(photo: np.ndarray) -> None:
    first = quant.quantize(photo, 32, method="random", seed=0)
    second = quant.quantize(photo, 32, method="random", seed=1)
    assert not np.array_equal(first.palette, second.palette)


def test_random_palette_colours_come_from_the_seeded_uniform_draw(photo: np.ndarray) -> None:
    result = quant.quantize(photo, 32, method="random", seed=7)
    drawn = np.random.default_rng(7).integers(0, 256, size=(32, 3), dtype=np.uint8)
    drawn_rows = {tuple(row) for row in drawn.tolist()}
    assert all(tuple(row) in drawn_rows for row in result.palette.tolist())
    _assert_mapped_to_nearest(photo, drawn, result.image)


@pytest.mark.parametrize("method", ["kmeans", "minibatch", "median-cut", "octree"])
@pytest.mark.parametrize("space", quant.SPACES)
def test_few_colours_are_kept_exactly(method: str, space: str) -> None:
    image = np.zeros((10, 12, 3), dtype=np.uint8)
    image[:, 4:] = (10, 200, 30)
    image[5:, :] = (255, 255, 255)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = quant.quantize(image, 64, method=method, space=space)
    assert result.mse == 0.0
    np.testing.assert_array_equal(result.image, image)
    assert sorted(map(tuple, result.palette.tolist())) == [(0, 0, 0), (10, 200, 30), (255, 255, 255)]


@pytest.mark.parametrize("method", quant.METHODS)
def test_one_pixel_and_one_colour_images(method: str) -> None:
    for image in (np.full((1, 1, 3), 77, np.uint8), np.full((40, 30, 3), (5, 6, 7), np.uint8)):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            result = quant.quantize(image, 64, method=method)
        assert result.palette.shape[0] == 1
        np.testing.assert_array_equal(result.palette[result.labels], result.image)
        if method != "random":
            np.testing.assert_array_equal(result.image, image)


def test_kmeans_beats_the_notebooks_minibatch_and_pillow(photo: np.ndarray) -> None:
    kmeans = quant.quantize(photo, 16).mse
    assert kmeans < quant.quantize(photo, 16, method="median-cut").mse
    assert kmeans < quant.quantize(photo, 16, method="octree").mse
    notebook = MiniBatchKMeans(n_clusters=16, random_state=0, n_init=3).fit(photo.reshape(-1, 3).astype(float))
    notebook_image = notebook.cluster_centers_[notebook.predict(photo.reshape(-1, 3).astype(float))]
    assert kmeans < np.mean((photo.reshape(-1, 3) - notebook_image) ** 2)
    assert kmeans < quant.quantize(photo, 16, method="random").mse


def test_more_colours_less_error(photo: np.ndarray) -> None:
    errors = [quant.quantize(photo, k).mse for k in (4, 16, 64)]
    assert errors[0] > errors[1] > errors[2] > 0


def test_kmeans_palette_is_a_local_optimum(photo: np.ndarray) -> None:
    """Each palette colour is the rounded mean of the pixels mapped to it (a Lloyd fixed point, up to rounding)."""
    result = quant.quantize(photo, 8)
    pixels = photo.reshape(-1, 3).astype(np.float64)
    labels = result.labels.ravel()
    for index, colour in enumerate(result.palette):
        mean = pixels[labels == index].mean(axis=0)
        assert np.all(np.abs(mean - colour) <= 2.5), (index, mean, colour)


def test_large_image_goes_through_the_binned_path() -> None:
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, size=(300, 400, 3), dtype=np.uint8)  # ~120k distinct colours
    result = quant.quantize(image, 32)
    np.testing.assert_array_equal(result.image, result.palette[result.labels])
    # On uniform noise k-means still beats the random palette by far.
    assert result.mse < 0.7 * quant.quantize(image, 32, method="random").mse
    # Mapping is to the nearest palette entry, exactly, checked by brute force.
    pixels = image.reshape(-1, 3).astype(np.int64)
    distances = ((pixels[:, None, :] - result.palette[None].astype(np.int64)) ** 2).sum(axis=2)
    chosen = distances[np.arange(pixels.shape[0]), result.labels.ravel()]
    np.testing.assert_array_equal(chosen, distances.min(axis=1))


def test_kmeans_goes_coarse_to_fine() -> None:
    """Seeded on 5-bit cells, finished on 6-bit cells when the exact colours are too many, or on the exact colours."""
    rng = np.random.default_rng(0)
    noisy = rng.integers(0, 256, size=(300, 400, 3), dtype=np.uint8)  # ~120k distinct colours
    histogram = quant.color_histogram(noisy)
    assert len(histogram) > quant.palette._EXACT_LIMIT
    (coarse_colors, coarse_weights), fine = quant.palette._levels(histogram, 32)
    assert fine is not None
    fine_colors, fine_weights = fine
    assert 256 <= coarse_colors.shape[0] <= 32**3 < fine_colors.shape[0] < len(histogram) <= 64**3
    for weights in (coarse_weights, fine_weights):
        assert weights.sum() == noisy.shape[0] * noisy.shape[1]
    # Few colours: the fit finishes on the exact colours.
    small = noisy[:100, :100]
    (_, _), fine = quant.palette._levels(quant.color_histogram(small), 32)
    assert fine is not None and fine[0].shape[0] == quant.count_colors(small)


def test_colours_crowded_into_few_cells_still_fill_the_palette() -> None:
    """8,192 colours in only 16 coarse cells: k-means is seeded on a finer level and finds 64 colours."""
    r, g, b = np.meshgrid(np.arange(32), np.arange(32), np.arange(8), indexing="ij")
    image = np.stack([r, g, b], axis=-1).reshape(128, 64, 3).astype(np.uint8)
    histogram = quant.color_histogram(image)
    (coarse_colors, _), _ = quant.palette._levels(histogram, 64)
    assert coarse_colors.shape[0] >= quant.palette._MIN_POINTS_PER_COLOR * 64
    result = quant.quantize(image, 64)
    assert result.k == 64
    _assert_mapped_to_nearest(image, result.palette, result.image)
    assert result.mse < 0.5 * quant.quantize(image, 16).mse


def test_dither_mixes_colours_and_stays_in_palette() -> None:
    image = _gradient()
    plain = quant.quantize(image, 4)
    dithered = quant.quantize(image, 4, dither=True)
    assert dithered.dither and not plain.dither
    np.testing.assert_array_equal(dithered.image, dithered.palette[dithered.labels])
    assert dithered.palette.shape[0] <= 4
    # Error diffusion: a smooth ramp is broken into interleaved palette colours, so
    # the local mean over a block follows the original better than without dithering.
    def block_means(a: np.ndarray) -> np.ndarray:
        return a.astype(float).reshape(8, 8, 12, 8, 3).mean(axis=(1, 3))

    original_means = block_means(image)
    assert np.abs(block_means(dithered.image) - original_means).mean() < np.abs(block_means(plain.image) - original_means).mean()


def test_lab_space_returns_rgb_palette_and_favours_perceptual_error(photo: np.ndarray) -> None:
    rgb = quant.quantize(photo, 16, space="rgb")
    lab = quant.quantize(photo, 16, space="lab")
    assert lab.palette.dtype == np.uint8
    assert quant.metrics(photo, lab.image, ssim=False).delta_e < quant.metrics(photo, rgb.image, ssim=False).delta_e
    assert rgb.mse < lab.mse


@pytest.mark.parametrize("n_colors", [0, -3, 257, 2.5, "16", True])
def test_bad_palette_size_is_a_clear_error(photo: np.ndarray, n_colors: object) -> None:
    with pytest.raises(quant.ImageError, match="n_colors"):
        quant.quantize(photo, n_colors)  # type: ignore[arg-type]


@pytest.mark.parametrize("method", ["kmeans", "random", "minibatch"])
@pytest.mark.parametrize("seed", [-1, 2**32, 1.5, "3", True])
def test_bad_seed_is_a_clear_error(photo: np.ndarray, method: str, seed: object) -> None:
    with pytest.raises(quant.ImageError, match=f"seed must be a whole number from 0 to {quant.MAX_SEED}, got {seed!r}"):
        quant.quantize(photo, 4, method=method, seed=seed)  # type: ignore[arg-type]


def test_largest_seed_is_accepted(photo: np.ndarray) -> None:
    for method in ("kmeans", "random", "minibatch"):
        assert quant.quantize(photo, 4, method=method, seed=quant.MAX_SEED).k == 4


def test_unknown_method_and_space_list_the_choices(photo: np.ndarray) -> None:
    with pytest.raises(quant.ImageError, match="Unknown method 'kmeanz'.*'median-cut'"):
        quant.quantize(photo, 8, method="kmeanz")
    with pytest.raises(quant.ImageError, match="Unknown space 'hsv'.*'lab'"):
        quant.quantize(photo, 8, space="hsv")


@pytest.mark.parametrize(
    "bad",
    # (4, 4, 4) is an RGBA image now (tests/test_alpha.py); five channels are not.
    [np.zeros((4, 4), np.uint8), np.zeros((4, 4, 5), np.uint8), np.zeros((4, 4, 3), np.float32)],
)
def test_bad_arrays_name_what_was_received(bad: np.ndarray) -> None:
    with pytest.raises(ValueError, match=r"\(H, W, 3\)|uint8"):
        quant.quantize(bad, 8)


def test_assign_colors_nearest_in_rgb_and_lab() -> None:
    palette = np.array([[0, 0, 0], [255, 255, 255], [255, 0, 0]], dtype=np.uint8)
    colors = np.array([[10, 10, 10], [250, 240, 245], [200, 30, 20], [128, 128, 128]], dtype=np.uint8)
    np.testing.assert_array_equal(assign_colors(colors, palette), [0, 1, 2, 1])
    lab = assign_colors(colors, palette, space="lab")
    assert lab[:3].tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="palette"):
        assign_colors(colors, palette.astype(np.int64))


def test_result_never_depends_on_the_previous_image(photo: np.ndarray) -> None:
    """The engine remembers the last image's histogram; an edited copy must not reuse it."""
    before = quant.quantize(photo, 8)
    edited = photo.copy()
    edited[0, 0] = (255 - edited[0, 0]).astype(np.uint8)
    after = quant.quantize(edited, 8)
    fresh_counts = np.bincount(after.labels.ravel(), minlength=after.k)
    np.testing.assert_array_equal(after.counts, fresh_counts)
    np.testing.assert_array_equal(after.image, after.palette[after.labels])
    assert after.mse == pytest.approx(np.mean((edited.astype(float) - after.image) ** 2))
    # And editing in place, the same array object, is seen too.
    photo_copy = photo.copy()
    first = quant.quantize(photo_copy, 4)
    photo_copy[:10] = 0
    second = quant.quantize(photo_copy, 4)
    assert second.mse == pytest.approx(np.mean((photo_copy.astype(float) - second.image) ** 2))
    assert not np.array_equal(first.image, second.image)
    np.testing.assert_array_equal(quant.quantize(photo, 8).palette, before.palette)


def test_cell_by_cell_mapping_equals_the_plain_pass() -> None:
    """With many colours most are mapped per 6-bit cell; the labels must be exactly the plain pass's, ties included."""
    from quant.palette import _PRUNE_MIN_COLORS, _histogram_points, _nearest, _nearest_colors

    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, size=(600, 520, 3), dtype=np.uint8)
    histogram = quant.color_histogram(image)
    assert len(histogram) >= _PRUNE_MIN_COLORS
    levels = np.array([0, 8, 72, 200], dtype=np.uint8)  # midpoints on cell borders: many exact ties
    grid = np.stack(np.meshgrid(levels, levels, levels, indexing="ij"), axis=-1).reshape(-1, 3)
    palettes = [
        quant.quantize(image, 32).palette,
        np.unique(rng.integers(0, 256, size=(100, 3), dtype=np.uint8), axis=0),
        grid,
        np.array([[10, 10, 10], [11, 10, 10]], dtype=np.uint8),
    ]
    points = _histogram_points(histogram, "rgb")
    for palette in palettes:
        expected = _nearest(points, palette.astype(np.float64))
        np.testing.assert_array_equal(_nearest_colors(histogram, palette, "rgb"), expected)


def test_minibatch_on_a_large_image_fits_a_seeded_sample_and_measures_every_pixel(monkeypatch: pytest.MonkeyPatch) -> None:
    from quant import palette

    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, size=(60, 50, 3), dtype=np.uint8)
    seen: list[int] = []
    original = palette.MiniBatchKMeans.fit

    def spy(model, points, *args, **kwargs):
        seen.append(points.shape[0])
        return original(model, points, *args, **kwargs)

    monkeypatch.setattr(palette.MiniBatchKMeans, "fit", spy)
    monkeypatch.setattr(palette, "MINIBATCH_PIXELS", 1_000)
    first = quant.quantize(image, 6, method="minibatch", seed=4)
    again = quant.quantize(image, 6, method="minibatch", seed=4)
    assert seen == [1_000, 1_000]  # a sample, not the 3,000 pixels
    np.testing.assert_array_equal(first.palette, again.palette)
    # The error is still exact over every pixel.
    assert first.mse == pytest.approx(float(np.mean((first.image.astype(float) - image) ** 2)), rel=1e-12)
    monkeypatch.setattr(palette, "MINIBATCH_PIXELS", 300_000)
    quant.quantize(image, 6, method="minibatch", seed=4)
    assert seen[-1] == 3_000  # small images: every pixel, as the notebook does
