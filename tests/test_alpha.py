"""RGBA images through quantize, fit_palette/apply_palette and map_to_palette (quant.alpha)."""

from __future__ import annotations

import numpy as np
import pytest

import quant
from bench.images_alpha import cutout_rgba, logo_rgba
from quant.alpha import OPAQUE, PARTIAL, TRANSPARENT, premultiply, visibility
from quant.metrics import premultiplied_mse


@pytest.fixture(scope="module")
def logo() -> np.ndarray:
    return logo_rgba(64)


@pytest.fixture(scope="module")
def cutout() -> np.ndarray:
    return cutout_rgba((96, 64))


def rgba_of(result: quant.Quantized) -> np.ndarray:
    return np.column_stack([result.palette, result.alpha])[result.labels]


def check_result(image: np.ndarray, result: quant.Quantized, n_colors: int) -> None:
    """What every RGBA result must be: consistent, at most n_colors, visibility kept."""
    assert result.image.shape == image.shape and result.image.dtype == np.uint8
    assert 1 <= result.k <= n_colors and result.alpha.shape == (result.k,) and not result.alpha.flags.writeable
    np.testing.assert_array_equal(result.image, rgba_of(result))
    assert int(result.counts.sum()) == image.shape[0] * image.shape[1]
    np.testing.assert_array_equal(result.counts, np.bincount(result.labels.ravel(), minlength=result.k))
    before, after = visibility(image), visibility(result.image)
    assert np.array_equal(after[before == TRANSPARENT], np.full(int((before == TRANSPARENT).sum()), TRANSPARENT))
    assert (after[before == OPAQUE] == OPAQUE).all()
    # One transparent entry at most, black, which every alpha-0 pixel takes.
    transparent = np.flatnonzero(result.alpha == 0)
    assert transparent.size <= 1
    if (before == TRANSPARENT).any():
        assert result.transparency.transparent_entry == transparent[0]
        assert result.palette[transparent[0]].tolist() == [0, 0, 0]
    assert result.mse == pytest.approx(premultiplied_mse(image, result.image), rel=1e-9, abs=1e-9)
    tr = result.transparency
    assert tr.n_transparent == int((before == TRANSPARENT).sum()) and tr.n_opaque == int((before == OPAQUE).sum())
    assert int(tr.counts.sum()) == int((before == PARTIAL).sum())


@pytest.mark.parametrize("method", quant.METHODS)
def test_every_method_keeps_transparency(logo: np.ndarray, cutout: np.ndarray, method: str) -> None:
    for image in (logo, cutout):
        result = quant.quantize(image, 12, method=method)
        check_result(image, result, 12)
        assert result.method == method and (result.alpha < 255).any() and (result.alpha == 255).any()


def test_half_transparent_pixels_get_entries_with_their_own_alpha(logo: np.ndarray) -> None:
    result = quant.quantize(logo, 16)
    partial = result.alpha[(result.alpha > 0) & (result.alpha < 255)]
    assert partial.size >= 1
    # The premultiplied error of the edges is far below what opaque and transparent entries alone give.
    without = quant.map_to_palette(logo, result.palette[result.alpha == 255])
    assert result.mse < without.mse


def test_the_colour_under_transparent_pixels_costs_nothing(cutout: np.ndarray) -> None:
    hidden = cutout.copy()
    hidden[cutout[..., 3] == 0, :3] = (255, 0, 255)
    first, second = quant.quantize(cutout, 16), quant.quantize(hidden, 16)
    np.testing.assert_array_equal(first.palette, second.palette)
    np.testing.assert_array_equal(first.labels, second.labels)
    assert first.mse == second.mse


def test_a_fully_transparent_image_has_one_transparent_entry() -> None:
    image = np.zeros((5, 7, 4), dtype=np.uint8)
    image[..., :3] = (200, 10, 99)
    for dither in (False, True):
        result = quant.quantize(image, 8, dither=dither)
        assert result.palette.tolist() == [[0, 0, 0]] and result.alpha.tolist() == [0]
        assert result.counts.tolist() == [35] and result.mse == 0.0 and result.image.max() == 0
    fit = quant.fit_palette(image, 1)
    assert fit.k == 1 and fit.source is None and fit.color_labels is None
    pinned = quant.quantize(image, 3, fixed=[(9, 9, 9)])
    assert pinned.palette.tolist() == [[0, 0, 0], [9, 9, 9]] and pinned.alpha.tolist() == [0, 255]
    assert pinned.pinned.tolist() == [False, True] and pinned.counts.tolist() == [35, 0]


def test_few_colours_are_kept_exactly() -> None:
    image = np.zeros((4, 6, 4), dtype=np.uint8)
    image[0] = (10, 20, 30, 255)
    image[1] = (200, 0, 0, 128)
    image[2] = (0, 0, 200, 7)
    image[3, :3] = (1, 2, 3, 0)
    image[3, 3:] = (9, 9, 9, 0)
    result = quant.quantize(image, 4)
    assert result.mse == 0.0 and result.k == 4
    expected = image.copy()
    expected[3] = 0
    np.testing.assert_array_equal(result.image, expected)


def test_opaque_rgba_is_quantized_as_rgb(cutout: np.ndarray) -> None:
    opaque = cutout.copy()
    opaque[..., 3] = 255
    as_rgba, as_rgb = quant.quantize(opaque, 8), quant.quantize(np.ascontiguousarray(opaque[..., :3]), 8)
    np.testing.assert_array_equal(as_rgba.labels, as_rgb.labels)
    np.testing.assert_array_equal(as_rgba.palette, as_rgb.palette)
    assert as_rgba.mse == pytest.approx(as_rgb.mse * 3 / 4)
    assert as_rgb.transparency is None and as_rgb.alpha.tolist() == [255] * as_rgb.k and not as_rgb.alpha.flags.writeable


def test_too_few_colours_for_the_classes_is_refused(logo: np.ndarray) -> None:
    with pytest.raises(quant.ImageError, match="n_colors=1 is too few.*ask for at least 2"):
        quant.quantize(logo, 1)
    with pytest.raises(quant.ImageError, match="ask for at least 4"):
        quant.quantize(logo, 3, fixed=[(255, 255, 255), (0, 0, 0), (9, 9, 9)])
    two = quant.quantize(logo, 2)
    check_result(logo, two, 2)
    assert sorted(two.alpha.tolist()) == [0, 255]


def test_pins_are_opaque_entries(cutout: np.ndarray) -> None:
    pins = [(255, 255, 255), (10, 200, 30)]
    for method in quant.METHODS:
        result = quant.quantize(cutout, 10, method=method, fixed=pins)
        check_result(cutout, result, 10)
        assert sorted(result.palette[result.pinned].tolist()) == sorted(list(p) for p in pins)
        assert (result.alpha[result.pinned] == 255).all()


@pytest.mark.parametrize("kind", quant.DITHER_KINDS)
@pytest.mark.parametrize("strength", [1.0, 0.5])
def test_dithering_never_changes_visibility(cutout: np.ndarray, logo: np.ndarray, kind: str, strength: float) -> None:
    for image in (cutout, logo):
        plain = quant.quantize(image, 8)
        dithered = quant.quantize(image, 8, dither=strength, dither_kind=kind)
        check_result(image, dithered, 8)
        assert dithered.pairs is not None and dithered.color_labels is None and dithered.dither == strength
        # Transparent and partly transparent pixels are never dithered.
        see_through = image[..., 3] < 255
        np.testing.assert_array_equal(dithered.image[see_through], plain.image[see_through])
        assert not np.array_equal(dithered.image, plain.image)
        pairs = dithered.pairs
        assert int(pairs.counts.sum()) == dithered.transparency.n_opaque


def test_fit_then_apply_is_quantize(cutout: np.ndarray) -> None:
    for options in ({}, {"method": "median-cut"}, {"space": "lab"}, {"fixed": [(0, 0, 0)]}):
        fit = quant.fit_palette(cutout, 9, **options)
        assert fit.transparency is not None and fit.alpha.shape == (fit.k,)
        for dither in (False, 0.7):
            made = quant.apply_palette(cutout, fit, dither=dither)
            direct = quant.quantize(cutout, 9, dither=dither, **options)
            np.testing.assert_array_equal(made.labels, direct.labels)
            np.testing.assert_array_equal(made.palette, direct.palette)
            np.testing.assert_array_equal(made.alpha, direct.alpha)
            assert made.mse == direct.mse
        assert fit.mse == quant.quantize(cutout, 9, **options).mse


def test_apply_palette_checks_the_image(cutout: np.ndarray, logo: np.ndarray) -> None:
    fit = quant.fit_palette(cutout, 6)
    other = cutout.copy()
    other[0, 0, 3] = 77 if other[0, 0, 3] != 77 else 78
    with pytest.raises(ValueError, match="colours differ"):
        quant.apply_palette(other, fit)
    with pytest.raises(ValueError, match="fitted to a 96 x 64 image"):
        quant.apply_palette(logo, fit)
    with pytest.raises(ValueError, match="has none"):
        quant.apply_palette(np.ascontiguousarray(cutout[..., :3]), fit)
    with pytest.raises(ValueError, match="fitted to an RGB image"):
        quant.apply_palette(cutout, quant.fit_palette(np.ascontiguousarray(cutout[..., :3]), 6))


def test_map_to_palette_adds_the_transparent_entry(logo: np.ndarray) -> None:
    pico = quant.PALETTES["pico-8"]
    result = quant.map_to_palette(logo, pico)
    check_result(logo, result, 17)
    assert result.method == "palette" and result.n_colors == 16 and result.k == 17
    assert sorted(result.palette[result.alpha == 255].tolist()) == sorted(np.asarray(pico).tolist())
    dithered = quant.map_to_palette(logo, pico, dither=True)
    check_result(logo, dithered, 17)
    again = quant.apply_palette(logo, quant.map_fit(logo, pico), dither=True)
    np.testing.assert_array_equal(again.labels, dithered.labels)
    full = np.stack(np.meshgrid(np.arange(16) * 17, np.arange(16) * 17, [0], indexing="ij"), axis=-1).reshape(-1, 3)
    with pytest.raises(quant.ImageError, match="at most 255"):
        quant.map_to_palette(logo, full)


def test_premultiply() -> None:
    colors = np.array([[255, 128, 0, 0], [255, 128, 0, 255], [200, 100, 50, 51]], dtype=np.uint8)
    np.testing.assert_allclose(premultiply(colors), [[0, 0, 0, 0], [255, 128, 0, 255], [40, 20, 10, 51]])


def test_recolor_keeps_alpha_and_recomputes_the_premultiplied_error(cutout: np.ndarray) -> None:
    for result in (quant.quantize(cutout, 8), quant.quantize(cutout, 8, dither=True), quant.fit_palette(cutout, 8)):
        colors = result.palette.copy()
        colors[0] = 255 - colors[0]
        colors[-1] = (1, 2, 3)
        edited = quant.recolor(result, colors)
        np.testing.assert_array_equal(edited.alpha, result.alpha)
        assert edited.transparency is result.transparency
        made = edited if isinstance(edited, quant.Quantized) else quant.apply_palette(cutout, result)
        image = np.column_stack([colors, result.alpha])[made.labels]
        if isinstance(edited, quant.Quantized):
            np.testing.assert_array_equal(edited.image, image)
        assert edited.mse == pytest.approx(premultiplied_mse(cutout, image))
