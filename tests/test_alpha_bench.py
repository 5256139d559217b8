"""bench.alpha and bench.images_alpha on tiny images: the pieces work; nothing here is timed."""

from __future__ import annotations

import numpy as np
import pytest

from bench.alpha import FLATTENED, PNGQUANT, QUANT, measure_alpha, pngquant_png, render_alpha
from bench.images_alpha import cutout_rgba, logo_rgba
from quant.alpha import OPAQUE, PARTIAL, TRANSPARENT, visibility


def test_generated_images_have_all_three_kinds_of_pixel() -> None:
    for image in (logo_rgba(40), cutout_rgba((60, 40))):
        assert image.ndim == 3 and image.shape[2] == 4 and image.dtype == np.uint8
        classes = np.bincount(visibility(image).ravel(), minlength=3)
        assert classes[TRANSPARENT] > 0 and classes[PARTIAL] > 0 and classes[OPAQUE] > 0
    np.testing.assert_array_equal(logo_rgba(40), logo_rgba(40))
    assert logo_rgba(40)[logo_rgba(40)[..., 3] == 0].max() == 0
    assert cutout_rgba((60, 40))[..., :3].min() >= 0 and cutout_rgba().shape == (427, 640, 4)
    with pytest.raises(ValueError, match="at least 16"):
        logo_rgba(8)


def test_measure_and_render() -> None:
    images = {"logo": logo_rgba(32), "cut-out": cutout_rgba((48, 32))}
    rows = measure_alpha(images, [6])
    methods = {row.method for row in rows}
    assert {QUANT, FLATTENED} <= methods
    for row in rows:
        if row.method == QUANT:
            assert row.made_visible == 0 and row.made_see_through == 0 and row.colors <= 6
            assert row.default_png_bytes is not None and row.png_bytes > 0
        if row.method == FLATTENED:
            assert row.made_visible > 0
    table = render_alpha(rows, images)
    assert "| logo | 6 | quant |" in table and "Machine:" in table
    if PNGQUANT in methods:
        assert "vs pngquant's" in table
    else:
        assert pngquant_png(images["logo"], 6) is None and "pngquant not installed" in table
