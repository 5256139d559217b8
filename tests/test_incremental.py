"""quant.incremental: an edited result's measures from its error per entry, and its
indexed PNG from the result's file, equal to measuring and writing it from scratch."""

from __future__ import annotations

import dataclasses
import io

import numpy as np
import pytest
from PIL import Image
from sklearn.datasets import load_sample_image

import quant
from quant.incremental import EntryErrors, entry_errors, recolor_png, recolored_errors


@pytest.fixture(scope="module")
def crop() -> np.ndarray:
    return np.ascontiguousarray(load_sample_image("china.jpg")[150:270, 250:410])


@pytest.fixture(scope="module")
def rgba(crop: np.ndarray) -> np.ndarray:
    """The crop with every kind of pixel: opaque, fully transparent, and partly
    transparent at a few levels (some colours at two of them)."""
    alpha = np.full(crop.shape[:2], 255, dtype=np.uint8)
    alpha[:, :20] = 0
    alpha[:30, 20:60] = 128
    alpha[30:60, 20:40] = 40
    alpha[60:, 20:40] = (1 + np.arange(60 * 20) % 254).astype(np.uint8).reshape(60, 20)
    return np.ascontiguousarray(np.dstack([crop, alpha]))


def assert_same_errors(first: EntryErrors, second: EntryErrors) -> None:
    """Bit for bit: the sums per entry and the measures."""
    np.testing.assert_array_equal(first.palette, second.palette)
    np.testing.assert_array_equal(first.alpha, second.alpha)
    np.testing.assert_array_equal(first.squared, second.squared)
    np.testing.assert_array_equal(first.delta_e, second.delta_e)
    assert first.metrics == second.metrics


def assert_measures_as_metrics(errors: EntryErrors, original: np.ndarray, result: object) -> None:
    """The measures equal quant.metrics' (within float rounding; the RGB MSE exactly)."""
    full = quant.metrics(original, result, ssim=False)
    if full.background is None:
        assert errors.metrics.mse == full.mse
    else:
        assert errors.metrics.mse == pytest.approx(full.mse, rel=1e-12)
    assert errors.metrics.psnr == pytest.approx(full.psnr, rel=1e-12)
    assert errors.metrics.delta_e == pytest.approx(full.delta_e, rel=1e-12)
    assert errors.metrics.ssim is None
    assert errors.metrics.changed_visibility == full.changed_visibility
    assert errors.metrics.background == full.background


def new_palettes(palette: np.ndarray, seed: int) -> list[np.ndarray]:
    """Edits of one entry, of several, of every entry, and one back to the start."""
    rng = np.random.default_rng(seed)
    k = palette.shape[0]
    palettes = []
    for n_edited in sorted({1, min(3, k), k}):
        edited = palette.copy()
        edited[rng.choice(k, n_edited, replace=False)] = rng.integers(0, 256, (n_edited, 3))
        palettes.append(edited)
    palettes.append(palette.copy())
    return palettes


RESULTS = {
    "fit": lambda image: quant.fit_palette(image, 12, seed=1),
    "fit in Lab with a pin": lambda image: quant.fit_palette(image, 8, space="lab", fixed=[(0, 0, 255)]),
    "quantized": lambda image: quant.quantize(image, 10, method="median-cut"),
    "diffusion": lambda image: quant.quantize(image, 12, dither=True),
    "ordered": lambda image: quant.quantize(image, 6, dither=0.7, dither_kind="ordered"),
    "mapped": lambda image: quant.map_to_palette(image, quant.PALETTES["pico-8"], dither=True),
}


@pytest.mark.parametrize("name", list(RESULTS))
@pytest.mark.parametrize("alpha", [False, True], ids=["rgb", "rgba"])
def test_recolored_errors_are_those_of_the_recoloured_result(crop: np.ndarray, rgba: np.ndarray, name: str, alpha: bool) -> None:
    image = rgba if alpha else crop
    result = RESULTS[name](image)
    errors = entry_errors(result)
    assert_measures_as_metrics(errors, image, result)
    for seed, palette in enumerate(new_palettes(result.palette, seed=len(name))):
        edited = quant.recolor(result, palette)
        recolored = recolored_errors(errors, palette)
        assert_same_errors(recolored, entry_errors(edited))
        assert_measures_as_metrics(recolored, image, edited)


def test_an_edit_back_to_the_start_gives_the_same_errors(crop: np.ndarray) -> None:
    fit = quant.fit_palette(crop, 8)
    errors = entry_errors(fit)
    assert recolored_errors(errors, fit.palette.tolist()) is errors
    edited = recolored_errors(errors, np.where(np.arange(8)[:, None] == 2, 0, fit.palette))
    assert edited.metrics != errors.metrics
    assert_same_errors(recolored_errors(edited, fit.palette), errors)


def test_several_edits_in_turn_equal_one_edit_of_them_all(crop: np.ndarray) -> None:
    result = quant.quantize(crop, 16, dither=True)
    errors = entry_errors(result)
    palette = result.palette.copy()
    stepwise = errors
    for index, color in [(0, (255, 0, 0)), (5, (0, 255, 0)), (0, (10, 20, 30)), (15, (1, 2, 3))]:
        palette[index] = color
        stepwise = recolored_errors(stepwise, palette)
    assert_same_errors(stepwise, recolored_errors(errors, palette))
    assert_same_errors(stepwise, entry_errors(quant.recolor(result, palette)))


def test_an_unused_entry_changes_nothing(crop: np.ndarray) -> None:
    # A pin far from every colour of the crop: kept, but no pixel takes it.
    fit = quant.fit_palette(crop, 8, fixed=[(255, 0, 255)])
    unused = int(np.flatnonzero(fit.counts == 0)[0])
    errors = entry_errors(fit)
    palette = fit.palette.copy()
    palette[unused] = (0, 255, 0)
    edited = recolored_errors(errors, palette)
    np.testing.assert_array_equal(edited.palette, palette)
    assert edited.metrics == errors.metrics
    assert edited.squared[unused] == 0 and edited.delta_e[unused] == 0


def test_only_the_edited_entries_colours_are_measured_again(crop: np.ndarray, monkeypatch: pytest.MonkeyPatch) -> None:
    import quant.incremental as incremental

    fit = quant.fit_palette(crop, 16)
    errors = entry_errors(fit)
    measured: list[int] = []
    original = incremental._delta_e
    monkeypatch.setattr(incremental, "_delta_e", lambda first, second: measured.append(len(first)) or original(first, second))
    palette = fit.palette.copy()
    palette[3] = (1, 2, 3)
    recolored_errors(errors, palette)
    assert measured == [int(np.count_nonzero(fit.color_labels == 3))]


def test_a_fully_transparent_image(rgba: np.ndarray) -> None:
    clear = rgba.copy()
    clear[..., 3] = 0
    result = quant.quantize(clear, 4)
    errors = entry_errors(result)
    assert errors.metrics.mse == 0 and errors.metrics.delta_e == 0
    assert_same_errors(recolored_errors(errors, [(9, 9, 9)] * result.k), entry_errors(quant.recolor(result, [(9, 9, 9)] * result.k)))


def test_bad_input(crop: np.ndarray) -> None:
    result = quant.quantize(crop, 4)
    errors = entry_errors(result)
    with pytest.raises(quant.ImageError, match="one colour per entry"):
        recolored_errors(errors, result.palette[:3])
    with pytest.raises(quant.ImageError, match="palette must be"):
        recolored_errors(errors, "red")
    with pytest.raises(ValueError, match="neither its colour histogram"):
        entry_errors(dataclasses.replace(result, source=None))
    with pytest.raises(ValueError, match="background"):
        entry_errors(quant.quantize(np.dstack([crop, np.full(crop.shape[:2], 128, np.uint8)]), 4), background=(1, 2))


# --- recolor_png --------------------------------------------------------------------------------


@pytest.mark.parametrize("k", [1, 2, 3, 16, 17, 200, 256])
@pytest.mark.parametrize("level", [1, 6])
def test_recolor_png_is_the_file_of_the_new_palette_byte_for_byte(k: int, level: int) -> None:
    rng = np.random.default_rng(k)
    labels = rng.integers(0, k, (37, 53)).astype(np.uint8)
    palette = rng.integers(0, 256, (k, 3)).astype(np.uint8)
    new = palette.copy()
    new[rng.integers(0, k)] = rng.integers(0, 256, 3)
    old_file = quant.indexed_png_of_labels(labels, palette, compress_level=level)
    assert recolor_png(old_file, new) == quant.indexed_png_of_labels(labels, new, compress_level=level)
    assert recolor_png(old_file, palette) == old_file


def test_recolor_png_keeps_transparency_in_the_files_order(rgba: np.ndarray) -> None:
    result = quant.quantize(rgba, 8)
    old_file = quant.indexed_png(result)
    with Image.open(io.BytesIO(old_file)) as png:
        file_palette = np.array(png.getpalette()[: 3 * result.k], dtype=np.uint8).reshape(-1, 3)
    new = 255 - file_palette
    with Image.open(io.BytesIO(recolor_png(old_file, new))) as png:
        decoded = np.asarray(png.convert("RGBA"))
        indices = np.asarray(png)
    np.testing.assert_array_equal(decoded[..., :3], new[indices])
    np.testing.assert_array_equal(decoded[..., 3], result.image[..., 3])


def test_recolor_png_refuses_what_it_cannot_recolour(crop: np.ndarray) -> None:
    labels = np.zeros((4, 4), dtype=np.uint8)
    indexed = quant.indexed_png_of_labels(labels, np.array([[1, 2, 3], [4, 5, 6]], np.uint8))
    with pytest.raises(ValueError, match="2 entries, got 3"):
        recolor_png(indexed, np.zeros((3, 3), np.uint8))
    buffer = io.BytesIO()
    Image.fromarray(crop).save(buffer, format="PNG")
    with pytest.raises(ValueError, match="indexed-colour PNG"):
        recolor_png(buffer.getvalue(), np.zeros((2, 3), np.uint8))
    with pytest.raises(ValueError, match="indexed-colour PNG"):
        recolor_png(b"GIF89a", np.zeros((2, 3), np.uint8))
    with pytest.raises(quant.ImageError):
        recolor_png(indexed, [(300, 0, 0), (0, 0, 0)])
