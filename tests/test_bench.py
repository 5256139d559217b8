"""bench: the benchmark's pieces on tiny images (it is a script; nothing here is timed)."""

from __future__ import annotations

import numpy as np
import pytest

import quant
from bench.run import CONTENDERS, Measurement, make_photo, measure, render_table, summarize


def test_make_photo_is_deterministic_and_photo_like() -> None:
    first = make_photo(160, 120, seed=1)
    assert first.shape == (120, 160, 3) and first.dtype == np.uint8
    np.testing.assert_array_equal(first, make_photo(160, 120, seed=1))
    assert not np.array_equal(first, make_photo(160, 120, seed=2))
    # Sensor noise gives a photo's many distinct colours, not an upscaled image's few.
    assert quant.count_colors(first) > 0.5 * 160 * 120


@pytest.mark.parametrize("contender", [name for name in CONTENDERS if name != "libimagequant"])
def test_every_contender_reconstructs_with_at_most_k_colours(contender: str) -> None:
    image = make_photo(48, 40)
    reconstruction = CONTENDERS[contender](image, 8)
    assert reconstruction.shape == image.shape and reconstruction.dtype == np.uint8
    assert quant.count_colors(reconstruction) <= 8


def test_libimagequant_contender() -> None:
    pytest.importorskip("imagequant")
    image = make_photo(48, 40)
    reconstruction = CONTENDERS["libimagequant"](image, 8)
    assert quant.count_colors(reconstruction) <= 8


def test_measure_runs_in_a_child_and_reports_the_true_error() -> None:
    image = make_photo(64, 48)
    results = measure(image, "tiny", [("quant kmeans", 4), ("Pillow median cut", 4)])
    assert [(m.contender, m.k) for m in results] == [("quant kmeans", 4), ("Pillow median cut", 4)]
    assert results[0].mse == pytest.approx(quant.quantize(image, 4).mse)
    for m in results:
        assert np.isfinite(m.mse) and m.mse > 0 and m.seconds >= 0
        assert m.peak_mb is None or m.peak_mb >= 0


def test_table_and_summary() -> None:
    rows = [
        Measurement("img", "quant kmeans", 16, 0.5, 10.0, 90.0),
        Measurement("img", "quant kmeans", 32, 0.5, 10.0, 50.0),
        Measurement("img", "libimagequant", 16, 2.0, 5.0, 100.0),
        Measurement("img", "libimagequant", 32, 2.0, 5.0, 55.0),
        Measurement("img", "quant random", 32, 0.1, 3.0, 700.0),
    ]
    table = render_table(rows).splitlines()
    assert table[0] == "| image | method | k=16 s | k=32 s | k=16 MSE | k=32 MSE | peak MB |"
    assert "| img | quant kmeans | 0.50 | 0.50 | 90.0 | 50.0 | 10 |" in table
    assert "| img | libimagequant | 2.00 | 2.00 | 100.0 | 55.0 | 5 |" in table
    notes = "\n".join(summarize(rows))
    assert "(ratio 3.6)" in notes  # 4.0 s against 1.1 s
    assert "k=16 +10.0%" in notes and "never worse" in notes
