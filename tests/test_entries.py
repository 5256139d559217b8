"""quant.entries: each palette entry's nearest neighbour, and the orders of the swatches."""

from __future__ import annotations

import numpy as np
import pytest
from skimage.color import deltaE_ciede2000, rgb2lab

import quant

PALETTE = np.array(
    [[0, 0, 0], [255, 255, 255], [10, 10, 10], [255, 0, 0], [0, 0, 255], [128, 128, 128], [0, 200, 0]], np.uint8
)


def test_nearest_entry_is_the_closest_other_by_ciede2000() -> None:
    nearest, delta_e = quant.nearest_entries(PALETTE)
    lab = rgb2lab(PALETTE.reshape(-1, 1, 3) / 255.0).reshape(-1, 3)
    for i in range(len(PALETTE)):
        others = [j for j in range(len(PALETTE)) if j != i]
        distances = [float(deltaE_ciede2000(lab[i], lab[j])) for j in others]
        assert nearest[i] == others[int(np.argmin(distances))]
        assert delta_e[i] == pytest.approx(min(distances))
    assert nearest[0] == 2 and nearest[2] == 0  # black and near-black find each other


def test_one_colour_has_no_neighbour() -> None:
    nearest, delta_e = quant.nearest_entries(np.array([[5, 6, 7]], np.uint8))
    assert nearest.tolist() == [-1] and np.isinf(delta_e[0])


def test_orders() -> None:
    counts = np.array([5, 1, 9, 0, 3, 3, 2])
    assert quant.swatch_order(PALETTE, counts, by="share").tolist() == [2, 0, 4, 5, 6, 1, 3]
    lightness = quant.swatch_order(PALETTE, counts, by="lightness").tolist()
    assert lightness[0] == 0 and lightness[-1] == 1
    hue = quant.swatch_order(PALETTE, counts, by="hue").tolist()
    # Red, green, blue round the wheel, then the greys dark to light.
    assert hue == [3, 6, 4, 0, 2, 5, 1]


@pytest.mark.parametrize(
    ("palette", "counts", "by", "words"),
    [
        (PALETTE, np.ones(7), "colour", "by must be one of"),
        (PALETTE, np.ones(3), "share", "one value per palette entry"),
        (PALETTE.astype(np.float32), np.ones(7), "share", "uint8"),
        (np.zeros((0, 3), np.uint8), np.ones(0), "share", "at least one colour"),
    ],
)
def test_bad_input_is_an_image_error(palette, counts, by, words) -> None:
    with pytest.raises(quant.ImageError, match=words):
        quant.swatch_order(palette, counts, by=by)
