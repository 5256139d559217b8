"""Pins (``fixed=``): palette entries kept exactly as given, the others fitted around them.

The quality guarantee is checked against an independent computation of the baseline
it promises to beat: fit freely, overwrite the entries nearest the pins, map every
pixel to its nearest entry.
"""

from __future__ import annotations

import numpy as np
import pytest
from skimage.color import rgb2lab
from sklearn.datasets import load_sample_image

import quant
from quant.palette import assign_colors

FAR = [(255, 0, 255), (0, 255, 0)]
"""Colours far from any in the sample photos."""

MIXED = [(255, 255, 255), (0, 0, 0), (200, 30, 30), (30, 30, 200), (128, 128, 128)]


def _gradient(height: int = 120, width: int = 160) -> np.ndarray:
    y, x = np.mgrid[0:height, 0:width]
    return np.stack([x * 255 // (width - 1), y * 255 // (height - 1), (x + y) % 256], axis=2).astype(np.uint8)


@pytest.fixture(scope="module")
def images() -> dict[str, np.ndarray]:
    return {
        "china": np.ascontiguousarray(load_sample_image("china.jpg")),
        "flower": np.ascontiguousarray(load_sample_image("flower.jpg")),
        "gradient": _gradient(),
    }


@pytest.fixture(scope="module")
def crop() -> np.ndarray:
    """A 120 x 160 crop of china.jpg, small enough for every method."""
    return np.ascontiguousarray(load_sample_image("china.jpg")[150:270, 250:410])


def _inside(image: np.ndarray) -> np.ndarray:
    """Three of the image's own colours: its most common, and two rarer."""
    histogram = quant.color_histogram(image)
    order = np.argsort(-histogram.counts, kind="stable")
    return histogram.colors[order[[0, 50, 500]]]


def _rows(colors) -> set[tuple[int, int, int]]:
    return {tuple(int(v) for v in row) for row in np.asarray(colors).reshape(-1, 3)}


def _space(colors: np.ndarray, space: str) -> np.ndarray:
    colors = np.asarray(colors, dtype=np.float64).reshape(-1, 3)
    return colors if space == "rgb" else rgb2lab(colors.reshape(-1, 1, 3) / 255.0).reshape(-1, 3)


def _overwrite_baseline(image: np.ndarray, n_colors: int, pins, space: str, method: str = "kmeans", seed: int = 0) -> float:
    """Error in ``space`` of: fit freely, overwrite the nearest entries (closest pairs
    first) with the pins, map each pixel to its nearest entry."""
    free = quant.fit_palette(image, n_colors, method=method, space=space, seed=seed).palette
    pins = np.asarray(pins, dtype=np.uint8).reshape(-1, 3)
    distances = ((_space(pins, space)[:, None] - _space(free, space)[None]) ** 2).sum(axis=2)
    palette = [tuple(row) for row in free.tolist()]
    pin_done, entry_done = set(), set()
    for flat in np.argsort(distances, axis=None, kind="stable"):
        pin, entry = divmod(int(flat), free.shape[0])
        if pin not in pin_done and entry not in entry_done:
            palette[entry] = tuple(pins[pin].tolist())
            pin_done.add(pin)
            entry_done.add(entry)
    palette += [tuple(pins[p].tolist()) for p in range(pins.shape[0]) if p not in pin_done]
    palette = np.unique(np.array(palette, dtype=np.uint8), axis=0)
    labels = assign_colors(image.reshape(-1, 3), palette, space=space)
    return _error(image, palette, labels, space)


def _error(image: np.ndarray, palette: np.ndarray, labels: np.ndarray, space: str) -> float:
    """Mean over pixels and channels of the squared distance in ``space`` to the entry
    given (in RGB: the MSE)."""
    pixels = _space(quant.color_histogram(image).colors, space)
    histogram = quant.color_histogram(image)
    # Per distinct colour: its entry is that of any of its pixels (nearest mapping).
    codes = image.reshape(-1, 3).astype(np.int64) @ np.array([65536, 256, 1])
    first = np.unique(codes, return_index=True)[1]
    entry = _space(palette, space)[labels[first]]
    return float(histogram.counts @ ((pixels - entry) ** 2).sum(axis=1)) / (3 * codes.shape[0])


def _fit_error(image: np.ndarray, fit: quant.PaletteFit, space: str) -> float:
    histogram = fit.source
    entry = _space(fit.palette, space)[fit.color_labels]
    return float(histogram.counts @ ((_space(histogram.colors, space) - entry) ** 2).sum(axis=1)) / (
        3 * image.shape[0] * image.shape[1]
    )


# --- the pins are in the palette, exactly ------------------------------------------------


@pytest.mark.parametrize("method", quant.METHODS)
@pytest.mark.parametrize("space", quant.SPACES)
def test_pins_are_in_the_palette_exactly(crop: np.ndarray, method: str, space: str) -> None:
    pins = [(255, 0, 0), (12, 200, 40), tuple(int(v) for v in crop[60, 80])]
    result = quant.quantize(crop, 10, method=method, space=space, fixed=pins)
    assert _rows(pins) <= _rows(result.palette)
    assert result.k <= 10 and len(_rows(result.palette)) == result.k
    np.testing.assert_array_equal(result.pinned, [row in _rows(pins) for row in map(tuple, result.palette.tolist())])
    assert result.pinned.sum() == 3
    np.testing.assert_array_equal(result.image, result.palette[result.labels])
    np.testing.assert_array_equal(result.counts, np.bincount(result.labels.ravel(), minlength=result.k))
    assert result.mse == pytest.approx(np.mean((crop.astype(float) - result.image) ** 2), rel=1e-12)
    # Every pixel takes its nearest entry (in the space), ties either way.
    nearest = assign_colors(crop.reshape(-1, 3), result.palette, space=space)
    target = _space(crop.reshape(-1, 3), space)
    chosen = ((target - _space(result.palette, space)[result.labels.ravel()]) ** 2).sum(axis=1)
    best = ((target - _space(result.palette, space)[nearest]) ** 2).sum(axis=1)
    np.testing.assert_allclose(chosen, best, atol=1e-6)


@pytest.mark.parametrize("dither_kind", quant.DITHER_KINDS)
@pytest.mark.parametrize("space", quant.SPACES)
def test_pins_survive_dithering(crop: np.ndarray, dither_kind: str, space: str) -> None:
    pins = [(255, 0, 255), (250, 250, 250)]
    result = quant.quantize(crop, 8, space=space, fixed=pins, dither=True, dither_kind=dither_kind)
    assert result.pairs is not None and result.dither_kind == dither_kind
    assert _rows(pins) <= _rows(result.palette)
    assert _rows(result.palette[result.pinned]) == _rows(pins)
    np.testing.assert_array_equal(result.image, result.palette[result.labels])
    np.testing.assert_array_equal(result.counts, np.bincount(result.labels.ravel(), minlength=result.k))
    assert np.all(np.diff(result.counts[~result.pinned]) <= 0)
    assert result.mse == pytest.approx(np.mean((crop.astype(float) - result.image) ** 2), rel=1e-12)


def test_apply_of_a_pinned_fit_is_quantize_bit_for_bit(crop: np.ndarray) -> None:
    for options in ({}, {"space": "lab"}, {"dither": 0.5}, {"dither": True, "dither_kind": "ordered"}):
        fit_options = {key: value for key, value in options.items() if key == "space"}
        fit = quant.fit_palette(crop, 12, fixed=FAR, seed=2, **fit_options)
        later = quant.apply_palette(crop, fit, **{key: value for key, value in options.items() if key != "space"})
        direct = quant.quantize(crop, 12, fixed=FAR, seed=2, **options)
        np.testing.assert_array_equal(later.palette, direct.palette)
        np.testing.assert_array_equal(later.labels, direct.labels)
        np.testing.assert_array_equal(later.pinned, direct.pinned)
        assert later.mse == direct.mse


def test_a_pin_no_pixel_takes_is_kept_at_the_end_with_count_zero(crop: np.ndarray) -> None:
    fit = quant.fit_palette(crop, 16, fixed=[(255, 0, 255)])
    assert fit.k == 16 and fit.pinned.tolist() == [False] * 15 + [True]
    assert fit.palette[-1].tolist() == [255, 0, 255] and fit.counts[-1] == 0
    result = quant.apply_palette(crop, fit)
    assert result.palette[-1].tolist() == [255, 0, 255] and result.counts[-1] == 0 and result.pinned[-1]
    # Without pins the mask exists, all False, and nothing can change it.
    plain = quant.quantize(crop, 16)
    assert plain.pinned.shape == (plain.k,) and not plain.pinned.any()
    assert not quant.fit_palette(crop, 16).pinned.any()
    for mask in (fit.pinned, plain.pinned, result.pinned):
        with pytest.raises(ValueError):
            mask[0] = True


def test_equal_pins_collapse_and_pins_can_fill_the_palette(crop: np.ndarray) -> None:
    fit = quant.fit_palette(crop, 4, fixed=np.array([[255, 0, 0], [255, 0, 0], [0, 0, 255.0]]))
    assert fit.pinned.sum() == 2
    whole = quant.fit_palette(crop, 3, fixed=[(255, 0, 0), (0, 0, 255), (90, 90, 90), (0, 0, 255)])
    assert _rows(whole.palette) == {(255, 0, 0), (0, 0, 255), (90, 90, 90)} and whole.pinned.all()
    assert quant.fit_palette(crop, 8, fixed=[]).pinned.sum() == 0
    np.testing.assert_array_equal(quant.fit_palette(crop, 8, fixed=[]).palette, quant.fit_palette(crop, 8).palette)


def test_few_colours_and_pins_that_fit_together_make_no_error() -> None:
    image = np.zeros((10, 12, 3), dtype=np.uint8)
    image[:, 4:] = (10, 200, 30)
    image[5:] = (255, 255, 255)
    for method in ("kmeans", "minibatch", "median-cut", "octree"):
        result = quant.quantize(image, 6, method=method, fixed=[(255, 0, 0), (255, 255, 255)])
        assert result.mse == 0.0
        assert _rows(result.palette) == {(0, 0, 0), (10, 200, 30), (255, 255, 255), (255, 0, 0)}
        assert result.palette[result.pinned].tolist() == [[255, 0, 0], [255, 255, 255]] or _rows(
            result.palette[result.pinned]
        ) == {(255, 0, 0), (255, 255, 255)}
    # Too many together: pins first, the image's colours fitted into what is left.
    tight = quant.quantize(image, 3, fixed=[(255, 0, 0), (250, 250, 250)])
    assert tight.k <= 3 and {(255, 0, 0), (250, 250, 250)} <= _rows(tight.palette)
    assert tight.mse <= _overwrite_baseline(image, 3, [(255, 0, 0), (250, 250, 250)], "rgb") + 1e-12


# --- never worse than overwriting the free palette ----------------------------------------


@pytest.mark.parametrize("name", ["china", "flower", "gradient"])
@pytest.mark.parametrize("pin_set", ["far", "inside", "mixed"])
def test_never_worse_than_overwriting_the_free_palette(images: dict[str, np.ndarray], name: str, pin_set: str) -> None:
    image = images[name]
    pins = {"far": FAR, "inside": _inside(image), "mixed": MIXED}[pin_set]
    for n_colors in (8, 24):
        fit = quant.fit_palette(image, n_colors, fixed=pins)
        assert _rows(pins) <= _rows(fit.palette)
        baseline = _overwrite_baseline(image, n_colors, pins, "rgb")
        assert fit.mse <= baseline * (1 + 1e-12)
        # ... and no better than fitting without pins (the pins only constrain).
        assert fit.mse >= quant.fit_palette(image, n_colors).mse * (1 - 0.01)


@pytest.mark.parametrize("name", ["china", "gradient"])
def test_never_worse_than_the_baseline_in_lab(images: dict[str, np.ndarray], name: str) -> None:
    image = images[name]
    fit = quant.fit_palette(image, 12, fixed=MIXED[:3], space="lab")
    assert _fit_error(image, fit, "lab") <= _overwrite_baseline(image, 12, MIXED[:3], "lab") * (1 + 1e-9)


@pytest.mark.parametrize("method", ["minibatch", "median-cut", "octree"])
def test_other_methods_never_worse_than_their_baseline(images: dict[str, np.ndarray], method: str) -> None:
    image = images["flower"]
    fit = quant.fit_palette(image, 16, method=method, fixed=FAR)
    assert fit.mse <= _overwrite_baseline(image, 16, FAR, "rgb", method=method) * (1 + 1e-12)


def test_random_with_pins_is_its_draw_with_the_nearest_colours_replaced(crop: np.ndarray) -> None:
    fit = quant.fit_palette(crop, 16, method="random", fixed=FAR, seed=5)
    assert fit.mse == pytest.approx(_overwrite_baseline(crop, 16, FAR, "rgb", method="random", seed=5), rel=1e-12)


def test_pinned_kmeans_beats_the_baseline_clearly_with_far_pins(images: dict[str, np.ndarray]) -> None:
    # The baseline spends entries on pins few pixels want; pinned k-means refits the rest.
    image = images["china"]
    assert quant.fit_palette(image, 16, fixed=FAR).mse < 0.95 * _overwrite_baseline(image, 16, FAR, "rgb")


# --- k-means step by step ------------------------------------------------------------------


@pytest.mark.parametrize("init", quant.INITS)
def test_pinned_centres_never_move(crop: np.ndarray, init: str) -> None:
    pins = [(255, 0, 0), (40, 60, 50)]
    trace = quant.kmeans_steps(crop, 8, init=init, seed=3, fixed=pins)
    assert trace.pinned.sum() == 2 and trace.k == 8
    assert _rows(trace.centres[0][trace.pinned]) == _rows(pins)
    assert np.all(trace.centres[:, trace.pinned] == trace.centres[0, trace.pinned])
    assert np.all(np.diff(trace.mse) <= 1e-9 * trace.mse[:-1])
    assert np.all(trace.counts.sum(axis=1) == crop.shape[0] * crop.shape[1])
    batches = quant.minibatch_steps(crop, 8, init=init, seed=3, fixed=pins, max_iter=6)
    assert np.all(batches.centres[:, batches.pinned] == batches.centres[0, batches.pinned])
    assert _rows(batches.centres[-1][batches.pinned]) == _rows(pins)
    assert not quant.kmeans_steps(crop, 8, init=init, seed=3, max_iter=2).pinned.any()


def test_pinned_trace_starts_around_the_pins(crop: np.ndarray) -> None:
    pins = [(255, 0, 0)]
    start = quant.kmeans_steps(crop, 6, seed=1, fixed=pins, max_iter=0).centres[0]
    assert start[0].tolist() == [255, 0, 0]
    colours = _rows(quant.color_histogram(crop).colors)
    assert len(_rows(start)) == 6
    # Forgy with pins: the other centres are colours of the image.
    forgy = quant.kmeans_steps(crop, 6, init="random", seed=1, fixed=pins, max_iter=0).centres[0]
    assert _rows(forgy[1:]) <= colours and forgy[0].tolist() == [255, 0, 0]
    few = np.zeros((4, 4, 3), dtype=np.uint8)
    few[2:] = 90
    trace = quant.kmeans_steps(few, 5, fixed=pins)
    assert _rows(trace.palette()) == {(255, 0, 0), (0, 0, 0), (90, 90, 90)} and trace.mse[-1] == 0.0


# --- the smallest palette with pins --------------------------------------------------------


def test_smallest_palette_with_pins(crop: np.ndarray) -> None:
    pins = [(255, 0, 0), (0, 0, 255)]
    result = quant.smallest_palette(crop, max_delta_e=5.0, fixed=pins)
    k = result.n_colors
    assert _rows(pins) <= _rows(result.palette)
    assert quant.metrics(crop, result, ssim=False).delta_e <= 5.0
    assert quant.metrics(crop, quant.fit_palette(crop, k - 1, fixed=pins), ssim=False).delta_e > 5.0
    loose = quant.smallest_fit(crop, max_delta_e=80.0, fixed=pins)
    assert loose.n_colors == 2 and min(loose.tried) == 2


# --- what is not a pin ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixed", "received"),
    [
        ([(255, 0)], "shape (1, 2)"),
        ((255, 0, 0), "shape (3,); write one colour as"),
        ([(256, 0, 0)], "the value 256 in colour 1, (256, 0, 0)"),
        ([(0, 0, 0), (-1, 0, 0)], "the value -1 in colour 2"),
        ([(1.5, 0, 0)], "the value 1.5 in colour 1"),
        ([(np.nan, 0, 0)], "the value nan in colour 1"),
        ("#ff0000", "the text '#ff0000'"),
        ([(True, False, True)], "true/false values"),
        ([[1, 2, 3], [4, 5]], "list"),
        ([("a", "b", "c")], "values of type <U1"),
    ],
)
def test_what_is_not_a_pin_is_an_image_error_naming_it(crop: np.ndarray, fixed, received: str) -> None:
    for call in (
        lambda: quant.quantize(crop, 8, fixed=fixed),
        lambda: quant.fit_palette(crop, 8, fixed=fixed),
        lambda: quant.kmeans_steps(crop, 8, fixed=fixed),
        lambda: quant.minibatch_steps(crop, 8, fixed=fixed),
        lambda: quant.smallest_fit(crop, max_delta_e=3.0, fixed=fixed),
    ):
        with pytest.raises(quant.ImageError, match="fixed must be RGB colours") as raised:
            call()
        assert received in str(raised.value)
        assert "whole numbers from 0 to 255" in str(raised.value)


def test_more_pins_than_colours_is_an_image_error(crop: np.ndarray) -> None:
    pins = [(i, i, i) for i in range(5)]
    with pytest.raises(quant.ImageError, match=r"fixed holds 5 distinct colours, more than the palette of n_colors=4"):
        quant.quantize(crop, 4, fixed=pins)
    with pytest.raises(quant.ImageError, match="n_colors=4"):
        quant.kmeans_steps(crop, 4, fixed=pins)
    # Equal pins count once.
    assert quant.quantize(crop, 4, fixed=pins[:4] + pins[:2]).pinned.sum() == 4
