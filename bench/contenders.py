"""The contenders of ``bench.run``: each reduces an image to k colours and returns the
8-bit reconstruction and the error the method itself reports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image
from sklearn.cluster import KMeans, MiniBatchKMeans

import quant
from bench.common import imagequant

__all__ = ["CONTENDERS", "RANDOM_K", "Contender"]

RANDOM_K = 32
"""The random palette's size: the notebook's random 32-colour palette."""



def _rounded(image: np.ndarray, centres: np.ndarray, labels: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(centres), 0, 255).astype(np.uint8)[labels].reshape(image.shape)


def _quant_kmeans(image: np.ndarray, k: int) -> tuple[np.ndarray, float | None]:
    result = quant.quantize(image, k)
    return result.image, result.mse


def _quant_random(image: np.ndarray, k: int) -> tuple[np.ndarray, float | None]:
    result = quant.quantize(image, k, method="random")
    return result.image, result.mse


def _notebook(image: np.ndarray, k: int) -> tuple[np.ndarray, float | None]:
    pixels = image.reshape(-1, 3).astype(np.float64)
    model = MiniBatchKMeans(n_clusters=k, random_state=0).fit(pixels)
    return _rounded(image, model.cluster_centers_, model.predict(pixels)), None


def _sklearn_kmeans(image: np.ndarray, k: int) -> tuple[np.ndarray, float | None]:
    pixels = image.reshape(-1, 3).astype(np.float64)
    model = KMeans(n_clusters=k, n_init=1, random_state=0).fit(pixels)
    return _rounded(image, model.cluster_centers_, model.labels_), None


def _pillow_median_cut(image: np.ndarray, k: int) -> tuple[np.ndarray, float | None]:
    indexed = Image.fromarray(image).quantize(k, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    return np.asarray(indexed.convert("RGB")), None


def _libimagequant(image: np.ndarray, k: int) -> tuple[np.ndarray, float | None]:
    # What imagequant.quantize_pil_image(img, dithering_level=0.0, max_colors=k) does,
    # minus its pixel conversion, a pure-Python list comprehension over every byte
    # (seconds at 12 MP) that would time the binding rather than libimagequant.
    height, width = image.shape[:2]
    rgba = np.empty((height, width, 4), dtype=np.uint8)
    rgba[..., :3] = image
    rgba[..., 3] = 255
    indices, palette = imagequant.quantize_raw_rgba_bytes(
        rgba.tobytes(), width, height, dithering_level=0.0, max_colors=k
    )
    palette_rgb = np.frombuffer(bytes(palette), dtype=np.uint8).reshape(-1, 4)[:, :3]
    return palette_rgb[np.frombuffer(indices, dtype=np.uint8)].reshape(image.shape), None


@dataclass(frozen=True)
class Contender:
    """A way of reducing an image to k colours.

    Attributes
    ----------
    run : callable
        ``run(image, k) -> (reconstruction, reported_mse)``: the (H, W, 3) uint8
        reconstruction and the MSE the method itself reports, or None.
    slow : bool
        Runs on every pixel; skipped on large images with --skip-slow.
    fixed_k : int or None
        The one palette size it runs at, whatever ``--ks`` says.
    available : bool
        False if a library it needs is not installed.
    """

    run: Callable[[np.ndarray, int], tuple[np.ndarray, float | None]]
    slow: bool = False
    fixed_k: int | None = None
    available: bool = True


CONTENDERS: dict[str, Contender] = {
    "quant k-means": Contender(_quant_kmeans),
    "notebook MiniBatchKMeans": Contender(_notebook, slow=True),
    "Pillow median cut": Contender(_pillow_median_cut),
    "libimagequant": Contender(_libimagequant, available=imagequant is not None),
    "sklearn KMeans": Contender(_sklearn_kmeans, slow=True),
    "quant random": Contender(_quant_random, fixed_k=RANDOM_K),
}
"""Name -> contender, in the table's row order."""
