"""What comes out of an RGBA result: indexed PNGs with tRNS, palette JSON, and the metrics."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

import quant
from bench.images_alpha import cutout_rgba, logo_rgba
from quant.alpha import OPAQUE, TRANSPARENT, visibility
from quant.metrics import premultiplied_mse
from quant.modes import composite


def png_chunks(png: bytes) -> dict[bytes, bytes]:
    """Each chunk's payload by type (the last of a type), read from the file itself."""
    chunks, at = {}, 8
    while at < len(png):
        length = int.from_bytes(png[at : at + 4], "big")
        chunks[png[at + 4 : at + 8]] = png[at + 8 : at + 8 + length]
        at += 12 + length
    return chunks


@pytest.fixture(scope="module")
def logo() -> np.ndarray:
    return logo_rgba(64)


@pytest.fixture(scope="module")
def cutout() -> np.ndarray:
    return cutout_rgba((96, 64))


@pytest.mark.parametrize("dither", [False, True])
@pytest.mark.parametrize("n_colors", [2, 5, 16, 40])
def test_indexed_png_round_trip_keeps_alpha(logo: np.ndarray, cutout: np.ndarray, n_colors: int, dither: bool) -> None:
    for image in (logo, cutout):
        result = quant.quantize(image, n_colors, dither=dither)
        png = quant.indexed_png(result)
        assert Image.open(io.BytesIO(png)).mode == "P"
        # tRNS holds only the entries below 255, and they come first.
        chunks = png_chunks(png)
        alphas = chunks[b"tRNS"]
        assert len(alphas) == int((result.alpha < 255).sum()) and all(value < 255 for value in alphas)
        assert len(chunks[b"PLTE"]) == 3 * result.k
        decoded = quant.load_image(png, keep_alpha=True)
        np.testing.assert_array_equal(decoded, result.image)
        before, after = visibility(image), visibility(decoded)
        assert (after[before == TRANSPARENT] == TRANSPARENT).all() and (after[before == OPAQUE] == OPAQUE).all()


def test_indexed_png_of_labels_with_alpha() -> None:
    labels = np.array([[0, 1, 2, 3]], dtype=np.uint8)
    palette = np.array([[10, 20, 30], [0, 0, 0], [200, 0, 0], [5, 5, 5]], dtype=np.uint8)
    alpha = np.array([255, 0, 128, 255], dtype=np.uint8)
    png = quant.indexed_png_of_labels(labels, palette, alpha=alpha)
    assert png_chunks(png)[b"tRNS"] == bytes([0, 128])
    # By alpha, then by luminance: (0, 0, 0, 0), (200, 0, 0, 128), (5, 5, 5), (10, 20, 30).
    assert np.asarray(Image.open(io.BytesIO(png))).tolist() == [[3, 0, 1, 2]]
    assert quant.load_image(png, keep_alpha=True).tolist() == [[[10, 20, 30, 255], [0, 0, 0, 0], [200, 0, 0, 128], [5, 5, 5, 255]]]
    # All opaque, or no alpha: the file as before, without tRNS.
    plain = quant.indexed_png_of_labels(labels, palette)
    assert quant.indexed_png_of_labels(labels, palette, alpha=np.full(4, 255, np.uint8)) == plain
    assert b"tRNS" not in png_chunks(plain)
    for bad in (np.array([255, 0, 128], np.uint8), alpha.astype(np.int64)):
        with pytest.raises(ValueError, match=r"alpha must be a \(4,\) uint8 array"):
            quant.indexed_png_of_labels(labels, palette, alpha=bad)


def test_an_rgb_result_writes_the_same_png_as_before(cutout: np.ndarray) -> None:
    rgb = np.ascontiguousarray(cutout[..., :3])
    result = quant.quantize(rgb, 8)
    assert quant.indexed_png(result) == quant.indexed_png_of_labels(result.labels, result.palette)


def test_palette_json_with_alpha(logo: np.ndarray) -> None:
    import json

    result = quant.quantize(logo, 6)
    entries = json.loads(quant.palette_json(result.palette, result.counts, alpha=result.alpha))["colors"]
    assert [entry["alpha"] for entry in entries] == result.alpha.tolist()
    assert "alpha" not in json.loads(quant.palette_json(result.palette, result.counts))["colors"][0]


def test_metrics_of_an_rgba_result(cutout: np.ndarray) -> None:
    result = quant.quantize(cutout, 12)
    scores = quant.metrics(cutout, result)
    assert scores.mse == pytest.approx(result.mse) and scores.psnr == pytest.approx(10 * np.log10(255**2 / result.mse))
    assert scores.background == (255, 255, 255)
    before, after = visibility(cutout), visibility(result.image)
    assert scores.changed_visibility == int((before != after).sum())
    flat = quant.metrics(composite(cutout), composite(result.image))
    assert scores.delta_e == pytest.approx(flat.delta_e) and scores.ssim == pytest.approx(flat.ssim)
    assert flat.changed_visibility is None and flat.background is None
    # The same from the fit, and from the arrays.
    from_fit = quant.metrics(cutout, quant.fit_palette(cutout, 12))
    from_arrays = quant.metrics(cutout, result.image)
    for other in (from_fit, from_arrays):
        assert other.mse == pytest.approx(scores.mse) and other.delta_e == pytest.approx(scores.delta_e)
        assert other.changed_visibility == scores.changed_visibility
    on_black = quant.metrics(cutout, result, background=(0, 0, 0), ssim=False)
    assert on_black.background == (0, 0, 0) and on_black.ssim is None and on_black.delta_e != scores.delta_e
    with pytest.raises(ValueError, match="background must be"):
        quant.metrics(cutout, result, background=(0, 0))


def test_metrics_of_the_old_white_composite(cutout: np.ndarray) -> None:
    flattened = composite(cutout)
    scores = quant.metrics(cutout, flattened)
    assert scores.changed_visibility == int((cutout[..., 3] < 255).sum())
    assert scores.mse > 100 * quant.metrics(cutout, quant.quantize(cutout, 16)).mse
    # Premultiplied MSE by hand.
    a = cutout.astype(np.float64)
    b = np.concatenate([flattened, np.full(cutout.shape[:2] + (1,), 255)], axis=2).astype(np.float64)
    a[..., :3] *= a[..., 3:] / 255
    b[..., :3] *= b[..., 3:] / 255
    assert scores.mse == pytest.approx(np.mean((a - b) ** 2))
    assert premultiplied_mse(cutout, flattened) == pytest.approx(scores.mse)


def test_rgb_metrics_are_unchanged(cutout: np.ndarray) -> None:
    rgb = np.ascontiguousarray(cutout[..., :3])
    scores = quant.metrics(rgb, quant.quantize(rgb, 8))
    assert scores.changed_visibility is None and scores.background is None


def test_error_map_with_alpha(cutout: np.ndarray) -> None:
    result = quant.quantize(cutout, 8)
    squared = quant.error_map(cutout, result.image, kind="squared")
    assert squared.shape == cutout.shape[:2] and float(squared.astype(np.float64).mean()) == pytest.approx(result.mse, rel=1e-5)
    assert squared[cutout[..., 3] == 0].max() == 0
    delta_e = quant.error_map(cutout, result.image)
    np.testing.assert_allclose(delta_e, quant.error_map(composite(cutout), composite(result.image)))
    assert delta_e[cutout[..., 3] == 0].max() == 0


@pytest.mark.parametrize("options", [{}, {"dither": True}, {"dither": 0.5, "dither_kind": "ordered"}, {"space": "lab"}])
def test_metrics_per_colour_equal_metrics_per_pixel(logo: np.ndarray, options: dict) -> None:
    result = quant.quantize(logo, 10, **options)
    for background in ((255, 255, 255), (30, 60, 90)):
        per_colour = quant.metrics(logo, result, background=background)
        per_pixel = quant.metrics(logo, result.image, background=background)
        assert per_colour.mse == pytest.approx(per_pixel.mse, rel=1e-9)
        assert per_colour.delta_e == pytest.approx(per_pixel.delta_e, rel=1e-5)
        assert per_colour.ssim == pytest.approx(per_pixel.ssim)
        assert per_colour.changed_visibility == per_pixel.changed_visibility
    # A result measured against another image is measured by its pixels.
    other = logo.copy()
    other[..., 3] = np.where(other[..., 3] == 0, 0, 255)
    assert quant.metrics(other, result).mse == pytest.approx(premultiplied_mse(other, result.image))
