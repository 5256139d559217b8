"""bench: the benchmark's pieces on tiny images. It is a script; nothing here is timed."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PIL import Image

import quant
from bench.run import (
    CONTENDERS,
    Measurement,
    make_photo,
    measure,
    parse_args,
    plan,
    render_table,
    summarize,
)

WITHOUT_LIBRARIES = [name for name, contender in CONTENDERS.items() if name != "libimagequant"]


def direct_mse(original: np.ndarray, reconstruction: np.ndarray) -> float:
    return float(np.mean((original.astype(np.float64) - reconstruction.astype(np.float64)) ** 2))


@pytest.fixture(scope="module")
def tiny() -> np.ndarray:
    return make_photo((64, 48))


def test_make_photo_is_deterministic_sized_and_photo_like() -> None:
    first = make_photo((160, 120), seed=1)
    assert first.shape == (120, 160, 3) and first.dtype == np.uint8
    np.testing.assert_array_equal(first, make_photo((160, 120), seed=1))
    assert not np.array_equal(first, make_photo((160, 120), seed=2))
    # The noise gives a photo's many distinct colours, not an enlarged image's few.
    assert quant.count_colors(first) > 0.5 * 160 * 120
    assert quant.count_colors(make_photo((160, 120), noise=0.0)) < quant.count_colors(first)


@pytest.mark.parametrize("name", WITHOUT_LIBRARIES)
def test_every_contender_reconstructs_with_at_most_k_colours(tiny: np.ndarray, name: str) -> None:
    reconstruction, reported_mse = CONTENDERS[name].run(tiny, 8)
    assert reconstruction.shape == tiny.shape and reconstruction.dtype == np.uint8
    assert quant.count_colors(reconstruction) <= 8
    if reported_mse is not None:
        assert reported_mse == pytest.approx(direct_mse(tiny, reconstruction))


@pytest.mark.filterwarnings("ignore:Image.Image.getdata is deprecated:DeprecationWarning")
def test_libimagequant_contender_is_quantize_pil_image_without_dithering(tiny: np.ndarray) -> None:
    imagequant = pytest.importorskip("imagequant")
    reconstruction, _ = CONTENDERS["libimagequant"].run(tiny, 8)
    expected = imagequant.quantize_pil_image(Image.fromarray(tiny), dithering_level=0.0, max_colors=8)
    np.testing.assert_array_equal(reconstruction, np.asarray(expected.convert("RGB")))


def test_measure_in_fresh_processes_reports_the_true_error(tiny: np.ndarray) -> None:
    jobs = [("quant k-means", 8), ("Pillow median cut", 8)]
    results = measure(tiny, "tiny", jobs, isolate=True)
    assert [(m.image, m.contender, m.k) for m in results] == [("tiny", "quant k-means", 8), ("tiny", "Pillow median cut", 8)]
    ours = quant.quantize(tiny, 8)
    assert results[0].mse == pytest.approx(direct_mse(tiny, ours.image))
    assert results[0].reported_mse == pytest.approx(results[0].mse)
    for m in results:
        assert m.skipped is None and math.isfinite(m.mse) and m.mse > 0 and m.seconds >= 0
        assert m.peak_mb is None or m.peak_mb >= 0


def test_plan_skips_slow_contenders_on_large_images_only(tiny: np.ndarray) -> None:
    images = {"small": tiny, "large": make_photo((100, 60))}
    jobs = plan(images, [16, 64], skip_slow=True, slow_limit=64 * 48)
    reasons = {(image, contender, k): reason for image, contender, k, reason in jobs}
    assert reasons[("small", "notebook MiniBatchKMeans", 16)] is None
    assert reasons[("large", "notebook MiniBatchKMeans", 64)] == "skipped"
    assert reasons[("large", "sklearn KMeans", 16)] == "skipped"
    assert reasons[("large", "quant k-means", 64)] is None
    # The random palette runs once per image, at 32 colours.
    assert [k for image, contender, k, _ in jobs if contender == "quant random"] == [32, 32]
    assert all(reason is None for *_, reason in plan(images, [16], skip_slow=False) if _[1] != "libimagequant")


def test_table_has_a_row_per_contender_and_the_measured_errors(tiny: np.ndarray) -> None:
    jobs = [(name, 16) for name in WITHOUT_LIBRARIES if name != "quant random"] + [("quant random", 32)]
    measurements = measure(tiny, "tiny", jobs, isolate=False)
    measurements.append(Measurement("tiny", "libimagequant", 16, skipped="not installed"))
    lines = render_table(measurements, image_labels={"tiny": "tiny (64×48)"}).splitlines()
    assert lines[0] == "| image | method | s k=16 | s k=32 | +MB k=16 | +MB k=32 | MSE k=16 | MSE k=32 |"
    rows = [line.strip("|").split(" | ") for line in lines[2:]]
    assert [row[1].strip() for row in rows] == list(CONTENDERS)
    by_name = {row[1].strip(): [cell.strip() for cell in row] for row in rows}
    assert by_name["libimagequant"][2:] == ["not installed", "—"] * 3
    assert by_name["quant random"][2] == "—" and by_name["quant k-means"][3] == "—"
    for name in WITHOUT_LIBRARIES:
        m = next(m for m in measurements if m.contender == name)
        reconstruction, _ = CONTENDERS[name].run(tiny, m.k)
        assert math.isfinite(m.mse) and m.mse == pytest.approx(direct_mse(tiny, reconstruction))
        column = 6 if m.k == 16 else 7
        assert float(by_name[name][column]) == pytest.approx(m.mse, abs=0.05)


def test_summary_states_the_speed_ratio_and_error_gains() -> None:
    rows = [
        Measurement("img", "quant k-means", 16, 0.5, 10.0, 90.0),
        Measurement("img", "quant k-means", 32, 0.5, 10.0, 50.0),
        Measurement("img", "libimagequant", 16, 2.0, 5.0, 100.0),
        Measurement("img", "libimagequant", 32, 2.0, 5.0, 55.0),
        Measurement("img", "notebook MiniBatchKMeans", 16, 9.0, 5.0, 100.0),
        Measurement("img", "notebook MiniBatchKMeans", 32, skipped="skipped"),
        Measurement("img", "quant random", 32, 0.1, 3.0, 700.0),
    ]
    text = "\n".join(summarize(rows))
    assert "3.6× faster" in text  # 4.0 s against 1.1 s
    assert "k=16 +10.0%" in text and "k=32 +9.1%" in text
    assert "MiniBatchKMeans +10.0% on average over k=16" in text
    slower = "\n".join(summarize([Measurement("i", "quant k-means", 16, 2.0, 1.0, 1.0), Measurement("i", "libimagequant", 16, 1.0, 1.0, 1.0)]))
    assert "2.0× slower" in slower


def test_options() -> None:
    quick = parse_args(["--quick"])
    assert quick.sizes == ["small"] and quick.ks == [16] and quick.skip_slow
    args = parse_args(["--sizes", "small,3mp", "--ks", "16", "32", "--repeats", "3", "--no-skip-slow"])
    assert args.sizes == ["small", "3mp"] and args.ks == [16, 32] and args.repeats == 3 and not args.skip_slow
    with pytest.raises(SystemExit):
        parse_args(["--sizes", "huge"])


# --- the dithered table ------------------------------------------------------------------


def test_dithered_rows_measure_every_method_with_the_true_errors(tiny: np.ndarray) -> None:
    from bench.dithered import LIQ, METHODS, ORDERED, OURS, PILLOW, PLAIN, blurred_mse, imagequant, measure_dithered

    rows, gap = measure_dithered({"tiny": tiny}, [8], isolate=False)
    by_method = {row.method: row for row in rows}
    expected = [m for m in METHODS if m != LIQ or imagequant is not None]
    assert list(by_method) == expected and gap == pytest.approx(0.0, abs=1e-9)
    ours = quant.quantize(tiny, 8, dither=True)
    assert by_method[OURS].mse == pytest.approx(direct_mse(tiny, ours.image))
    assert by_method[OURS].delta_e == pytest.approx(quant.metrics(tiny, ours.image, ssim=False).delta_e)
    assert by_method[OURS].blurred_mse == pytest.approx(blurred_mse(tiny, ours.image))
    assert by_method[PLAIN].mse == pytest.approx(quant.quantize(tiny, 8).mse)
    assert by_method[OURS].seconds >= 0 and by_method[PILLOW].seconds >= 0 and by_method[PLAIN].seconds is None
    ordered = quant.quantize(tiny, 8, dither=True, dither_kind="ordered")
    assert by_method[ORDERED].mse == pytest.approx(direct_mse(tiny, ordered.image))
    assert by_method[ORDERED].blurred_mse == pytest.approx(blurred_mse(tiny, ordered.image))
    # Dithering keeps local averages better than the plain mapping does.
    assert by_method[OURS].blurred_mse < by_method[PLAIN].blurred_mse
    assert by_method[ORDERED].blurred_mse < by_method[PLAIN].blurred_mse


def test_dithered_table_and_summary() -> None:
    from bench.dithered import LIQ, OURS, PLAIN, DitheredRow, render_dithered, summarize_dithered

    rows = [
        DitheredRow("img", 16, OURS, 80.0, 3.0, 20.0, 1.0),
        DitheredRow("img", 16, LIQ, 100.0, 3.2, 22.0, 2.0),
        DitheredRow("img", 16, PLAIN, 70.0, 2.9, 30.0),
        DitheredRow("img", 32, OURS, 50.0, 2.5, 10.0, 1.0),
        DitheredRow("img", 32, LIQ, 48.0, 2.6, 11.0, 0.5),
    ]
    lines = render_dithered(rows).splitlines()
    assert lines[0].startswith("| image | method | MSE k=16 | MSE k=32 | ΔE k=16 | ΔE k=32 |")
    assert "| img | quant, no dithering | 70.0 | — | 2.90 | — | 30.0 | — | — | — |" in lines
    text = "\n".join(summarize_dithered(rows))
    assert "k=16 MSE ×0.800, ΔE ×0.938, blurred MSE ×0.91, time ×0.50" in text
    assert "missed at img k=32" in text


def test_bench_options_include_the_dithered_table() -> None:
    assert parse_args([]).dither and not parse_args(["--no-dither"]).dither


# --- the table of palettes a person shapes ---------------------------------------------------


def test_shaped_rows_run_on_a_tiny_image_and_fill_the_table(tiny: np.ndarray) -> None:
    from bench.shaped import PINNED, ROWS, Y, imagequant, measure_shaped, overwrite_baseline, pins_for, render_shaped

    rows = measure_shaped({"tiny": tiny}, isolate=False)
    lines = render_shaped(rows).splitlines()
    assert lines[0] == "| image | palette | s (median) | ratio to Y | MSE | error with pins ≤ overwrite baseline |"
    assert [row.row for row in rows] == [line.split(" | ")[1] for line in lines[2:]] == list(ROWS)
    pins = pins_for(tiny)
    assert pins.shape == (4, 3) and quant.palette_hex(pins[:2]) == ["#ff00ff", "#00ffff"]
    pinned = next(row for row in rows if row.row == PINNED)
    assert pinned.pins_held and pinned.baseline == pytest.approx(overwrite_baseline(tiny, pins))
    assert pinned.mse == pytest.approx(direct_mse(tiny, quant.quantize(tiny, 32, fixed=pins).image))
    assert pinned.mse <= pinned.baseline and "| yes: " in lines[2 + list(ROWS).index(PINNED)]
    done = [row for row in rows if row.row != Y or imagequant is not None]
    assert all(row.skipped is None and math.isfinite(row.mse) and row.seconds >= 0 for row in done)
