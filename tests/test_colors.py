"""quant.colors: exact distinct-colour counts and the weighted colour sample."""

from __future__ import annotations

import numpy as np
import pytest

import quant
from quant.colors import color_histogram, pack_colors, unpack_colors


def _noise(height: int, width: int, levels: int, seed: int = 0) -> np.ndarray:
    return (np.random.default_rng(seed).integers(0, levels, size=(height, width, 3)) * (255 // (levels - 1))).astype(np.uint8)


@pytest.mark.parametrize("shape, levels", [((1, 1), 2), ((7, 5), 3), ((64, 64), 6), ((1200, 1000), 40)])
def test_count_matches_numpy_unique(shape: tuple[int, int], levels: int) -> None:
    # 1200 x 1000 pixels takes the bincount path, the smaller ones np.unique.
    image = _noise(*shape, levels)
    expected = len(np.unique(image.reshape(-1, 3), axis=0))
    assert quant.count_colors(image) == expected


def test_histogram_matches_numpy_unique_with_counts() -> None:
    image = _noise(1100, 1000, 12, seed=4)
    colors, counts = np.unique(image.reshape(-1, 3), axis=0, return_counts=True)
    histogram = color_histogram(image)
    np.testing.assert_array_equal(histogram.colors, colors)
    np.testing.assert_array_equal(histogram.counts, counts)
    assert histogram.counts.sum() == 1100 * 1000


def test_large_histogram_with_empty_parts() -> None:
    """Over 2**20 pixels the codes are counted in parts by red's top bits; all but the first and last are empty here."""
    image = _noise(1100, 1000, 12, seed=5)
    image[..., 0] = np.where(image[..., 0] > 127, 255, 0)
    colors, counts = np.unique(image.reshape(-1, 3), axis=0, return_counts=True)
    histogram = color_histogram(image)
    np.testing.assert_array_equal(histogram.colors, colors)
    np.testing.assert_array_equal(histogram.counts, counts)
    np.testing.assert_array_equal(histogram.codes, pack_colors(colors))


def test_pack_and_unpack_are_inverse() -> None:
    colors = np.array([[0, 0, 0], [255, 255, 255], [1, 2, 3], [255, 0, 128]], dtype=np.uint8)
    codes = pack_colors(colors)
    assert codes.tolist() == [0, 0xFFFFFF, 0x010203, 0xFF0080]
    np.testing.assert_array_equal(unpack_colors(codes), colors)


def test_sample_is_distinct_weighted_and_deterministic() -> None:
    image = np.zeros((100, 100, 3), dtype=np.uint8)
    image[:, :] = (200, 10, 10)  # one dominant colour
    rng = np.random.default_rng(1)
    image[:20] = rng.integers(0, 256, size=(20, 100, 3), dtype=np.uint8)  # 2000 rare colours
    sample = quant.sample_colors(image, 300, seed=5)
    assert sample.colors.shape == (300, 3) and sample.colors.dtype == np.uint8
    assert len(np.unique(sample.colors, axis=0)) == 300
    # The colour covering 80% of the pixels is practically certain to be drawn, and comes first.
    assert sample.colors[0].tolist() == [200, 10, 10] and sample.counts[0] == 8000
    assert np.all(np.diff(sample.counts) <= 0)
    again = quant.sample_colors(image, 300, seed=5)
    np.testing.assert_array_equal(sample.colors, again.colors)
    other = quant.sample_colors(image, 300, seed=6)
    assert not np.array_equal(sample.colors, other.colors)


def test_sample_is_frequency_weighted() -> None:
    # Half the pixels are spread over 10 colours, half over 10 000: a weighted draw of 50
    # takes about as many from the 10 frequent colours as it can, a uniform draw almost none.
    frequent = np.repeat(np.arange(10, dtype=np.uint8), 1000)
    rare = np.arange(10_000)
    codes = np.concatenate([frequent.astype(np.uint32) << 16, (rare + 100_000).astype(np.uint32)])
    image = unpack_colors(codes).reshape(200, 100, 3)
    sample = quant.sample_colors(image, 50, seed=0)
    drawn_frequent = int(np.sum(sample.counts == 1000))
    assert drawn_frequent >= 8


def test_sample_returns_all_colours_of_a_small_image() -> None:
    image = _noise(4, 4, 2)
    sample = quant.sample_colors(image, 5000)
    assert len(sample.colors) == quant.count_colors(image)
    assert sample.counts.sum() == 16


def test_sample_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="n_samples must be at least 1, got 0"):
        quant.sample_colors(_noise(4, 4, 2), 0)


def test_the_remembered_histogram_is_reused_only_for_the_same_pixels() -> None:
    from quant.colors import analyse

    image = _noise(300, 257, 40, seed=9)
    codes, histogram = analyse(image)
    # An equal copy and an equal strided view reuse it.
    assert analyse(image.copy())[1] is histogram
    wide = np.zeros((300, 514, 3), dtype=np.uint8)
    wide[:, ::2] = image
    assert analyse(wide[:, ::2])[1] is histogram
    # One channel of the very last pixel changed: counted afresh, and correctly.
    edited = image.copy()
    edited[-1, -1, 2] ^= 1
    fresh_codes, fresh = analyse(edited)
    assert fresh is not histogram
    np.testing.assert_array_equal(fresh_codes, pack_colors(edited))
    assert fresh.counts.sum() == 300 * 257
    # The same pixels in another shape are another image.
    assert analyse(edited.reshape(257, 300, 3))[1] is not fresh


def test_forget_images_drops_the_memos_but_not_the_results() -> None:
    from quant import colors

    image = np.random.default_rng(2).integers(0, 256, size=(30, 40, 3), dtype=np.uint8)
    before = quant.quantize(image, 8)
    assert colors._analyses and colors._derived
    quant.forget_images()
    assert not colors._analyses and not colors._derived
    after = quant.quantize(image, 8)
    np.testing.assert_array_equal(before.image, after.image)


def test_a_frozen_image_cannot_change_and_is_known_by_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    from quant import colors

    image = _noise(120, 90, 30, seed=4)
    frozen = quant.freeze(image)
    np.testing.assert_array_equal(frozen, image)
    for array in (frozen, frozen[:, ::2], frozen.reshape(-1)):
        with pytest.raises(ValueError):
            array.flags.writeable = True
    codes, histogram = colors.analyse(frozen)

    def must_not_compare(*args: object) -> bool:
        raise AssertionError("a frozen image already analysed is known by identity")

    monkeypatch.setattr(colors, "_matches_codes", must_not_compare)
    again = colors.analyse(frozen)
    assert again[0] is codes and again[1] is histogram


def test_a_read_only_view_of_a_writeable_array_is_compared_every_time() -> None:
    from quant import colors

    image = _noise(80, 60, 30, seed=5)
    view = image.view()
    view.flags.writeable = False
    assert not colors._is_frozen(view)  # its owner can still write through `image`
    _, histogram = colors.analyse(view)
    image[0, 0] = 255 - image[0, 0]  # changes what the view shows
    _, fresh = colors.analyse(view)
    assert fresh is not histogram
    assert fresh.counts.sum() == 80 * 60
    np.testing.assert_array_equal(colors.analyse(view)[0], pack_colors(image))


def test_two_jobs_on_one_frozen_image_analyse_it_once_and_share_the_histogram(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from quant import colors

    quant.forget_images()
    image = quant.freeze(np.random.default_rng(5).integers(0, 256, size=(300, 400, 3), dtype=np.uint8))
    packed, started = [], threading.Event()
    pack = colors.pack_colors

    def slow_pack(array: np.ndarray) -> np.ndarray:
        packed.append(array.shape)
        started.set()
        threading.Event().wait(0.2)  # the other job asks meanwhile
        return pack(array)

    monkeypatch.setattr(colors, "pack_colors", slow_pack)
    results: list[tuple[np.ndarray, colors.ColorHistogram]] = []
    first = threading.Thread(target=lambda: results.append(colors.analyse(image)))
    first.start()
    started.wait(5)
    results.append(colors.analyse(image))
    first.join()
    assert packed == [image.shape]
    assert results[0][1] is results[1][1] and results[0][0] is results[1][0]
    assert not colors._analysing


def test_small_images_do_not_evict_the_large_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    from quant import colors

    quant.forget_images()
    monkeypatch.setattr(colors, "MEMO_LARGE_PIXELS", 10_000)
    rng = np.random.default_rng(6)
    large = [quant.freeze(rng.integers(0, 256, size=(100, 120, 3), dtype=np.uint8)) for _ in range(3)]
    histograms = [colors.analyse(image)[1] for image in large[:2]]
    for _ in range(colors.MEMO_SMALL_IMAGES + 3):  # screen-sized copies, many of them
        colors.analyse(quant.freeze(rng.integers(0, 256, size=(20, 30, 3), dtype=np.uint8)))
    again = [colors.analyse(image)[1] for image in large[:2]]
    assert all(a is b for a, b in zip(again, histograms, strict=True))  # the very objects: still remembered
    small = sum(entry[1].size < colors.MEMO_LARGE_PIXELS for entry in colors._analyses)
    assert small == colors.MEMO_SMALL_IMAGES
    # A third large image evicts the least recent large one, not a small one.
    colors.analyse(large[2])
    assert sum(entry[1].size >= colors.MEMO_LARGE_PIXELS for entry in colors._analyses) == colors.MEMO_IMAGES
    assert sum(entry[1].size < colors.MEMO_LARGE_PIXELS for entry in colors._analyses) == colors.MEMO_SMALL_IMAGES
