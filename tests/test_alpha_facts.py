"""quant's facts about an RGBA image: its distinct colours and its storage arithmetic."""

from __future__ import annotations

import numpy as np
import pytest

import quant


def _brute_count(image: np.ndarray) -> int:
    """Distinct RGBA values, every alpha-0 pixel counted as one colour."""
    pixels = image.reshape(-1, 4).copy()
    pixels[pixels[:, 3] == 0] = 0
    return len(np.unique(pixels, axis=0))


@pytest.mark.parametrize("seed", range(4))
def test_count_colors_of_rgba_counts_visible_colours_and_one_transparent(seed: int) -> None:
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 4, size=(40, 30, 4), dtype=np.uint8) * 60
    image[..., 3] = rng.choice(np.array([0, 0, 128, 255, 255, 255], dtype=np.uint8), size=(40, 30))
    assert quant.count_colors(image) == _brute_count(image)


def test_count_colors_of_rgba_edge_cases() -> None:
    clear = np.zeros((5, 5, 4), dtype=np.uint8)
    clear[..., :3] = np.arange(25, dtype=np.uint8).reshape(5, 5, 1)  # colour hidden under alpha 0
    assert quant.count_colors(clear) == 1
    opaque = np.full((3, 3, 4), 255, dtype=np.uint8)
    assert quant.count_colors(opaque) == 1
    mixed = np.array([[[10, 20, 30, 255], [10, 20, 30, 254], [10, 20, 30, 0]]], dtype=np.uint8)
    assert quant.count_colors(mixed) == 3
    # The same picture without its alpha channel counts its RGB triples, as before.
    assert quant.count_colors(np.ascontiguousarray(mixed[..., :3])) == 1


def test_count_colors_of_rgba_rejects_other_shapes() -> None:
    with pytest.raises(ValueError):
        quant.count_colors(np.zeros((3, 3, 4), dtype=np.float32))


def test_storage_with_alpha_counts_32_bits_a_pixel_and_an_entry() -> None:
    plain = quant.storage(1_000, 16)
    with_alpha = quant.storage(1_000, 16, alpha=True)
    assert with_alpha.raw_bits == 32_000
    assert with_alpha.palette_bits == 16 * 32
    assert with_alpha.index_bits_per_pixel == plain.index_bits_per_pixel == 4
    assert with_alpha.indexed_bits == 4_000 + 512
    assert with_alpha.ratio == pytest.approx(32_000 / 4_512)
    assert with_alpha.ratio > plain.ratio


@pytest.mark.parametrize("target", [1.0, 3.0])
def test_smallest_fit_of_rgba_meets_the_target_and_one_fewer_misses(target: float) -> None:
    from bench.images_alpha import logo_rgba

    logo = logo_rgba(96)
    search = quant.smallest_fit(logo, max_delta_e=target)
    assert search.delta_e <= target
    assert search.fit.alpha.shape == (search.fit.k,) and (search.fit.alpha == 0).any()
    if search.n_colors > 1:
        fewer = quant.fit_palette(logo, search.n_colors - 1)
        assert quant.metrics(logo, fewer, ssim=False).delta_e > target
    result = quant.smallest_palette(logo, max_delta_e=target)
    assert result.image.shape == logo.shape
    before, after = quant.visibility(logo), quant.visibility(result.image)
    assert (after[before == 0] == 0).all() and (after[before == 2] == 2).all()


def test_smallest_fit_of_rgba_with_pins_keeps_them() -> None:
    from bench.images_alpha import logo_rgba

    search = quant.smallest_fit(logo_rgba(64), max_delta_e=2.0, fixed=[[255, 0, 0]])
    assert [255, 0, 0] in search.fit.palette.tolist()
    assert search.delta_e <= 2.0


def test_palette_files_without_alpha_name_the_see_through_entries() -> None:
    palette = np.array([[0, 0, 0], [255, 0, 16], [9, 9, 9]], dtype=np.uint8)
    alpha = np.array([0, 255, 128], dtype=np.uint8)
    gpl = quant.palette_gpl(palette, "logo", alpha=alpha).splitlines()
    assert gpl[4:] == ["  0   0   0\t#000000 transparent", "255   0  16\t#ff0010", "  9   9   9\t#090909 alpha 128"]
    assert quant.palette_gpl(palette, "logo").splitlines()[4] == "  0   0   0\t#000000"
    from quant.encoding import entry_names

    ase = quant.palette_ase(palette, names=entry_names(palette, alpha))
    assert "#000000 transparent".encode("utf-16-be") in ase
    assert np.array_equal(quant.read_palette(ase), palette)
    with pytest.raises(ValueError, match="one entry per palette colour"):
        entry_names(palette, alpha[:2])
