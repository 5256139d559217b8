"""The two 12-megapixel photos the dashboard's speed is measured on, made the same on
every run from scikit-learn's sample images (no network): a noisy one, with hundreds of
thousands of distinct colours more than its source, and a clean one; and the
yardstick the dashboard's times are given in, one libimagequant palette of a photo.

Used by ``scripts/measure_app.py`` (AppTest) and ``scripts/measure_browser.py`` (Chromium).
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable

import numpy as np
from PIL import Image

PHOTO_SIZE = (4000, 3000)
PHOTO_NAME = "china-12mp.jpg"
NOISE_SIGMA = 3.0
SEED = 0
JPEG_QUALITY = 90
CLEAN_JPEG_QUALITY = 95


def photo_jpeg() -> bytes:
    """The 12 MP test photo as JPEG bytes; identical on every run."""
    from sklearn.datasets import load_sample_image

    small = Image.fromarray(load_sample_image("china.jpg"))
    large = np.asarray(small.resize(PHOTO_SIZE, Image.Resampling.BICUBIC), dtype=np.float32)
    noise = np.random.default_rng(SEED).normal(0.0, NOISE_SIGMA, size=large.shape)
    noisy = np.clip(np.rint(large + noise), 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(noisy).save(buffer, format="JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue()


def clean_jpeg() -> bytes:
    """The clean 12 MP photo as JPEG bytes: scikit-learn's flower.jpg upscaled to
    4000 × 3000 (Lanczos), no noise, JPEG quality 95 (about 310,000 distinct colours)."""
    from sklearn.datasets import load_sample_image

    large = Image.fromarray(load_sample_image("flower.jpg")).resize(PHOTO_SIZE, Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    large.save(buffer, format="JPEG", quality=CLEAN_JPEG_QUALITY)
    return buffer.getvalue()


PHOTOS: dict[str, tuple[str, Callable[[], bytes]]] = {
    "noisy": ("china.jpg upscaled to 4000 × 3000 (bicubic), noise sigma 3, JPEG quality 90", lambda: photo_jpeg()),
    "clean": ("flower.jpg upscaled to 4000 × 3000 (Lanczos), no noise, JPEG quality 95", lambda: clean_jpeg()),
}
"""The two 12 MP photos measured: a noisy one (millions of colours) and a clean one."""


def libimagequant_seconds(content: bytes) -> float:
    """Seconds for one libimagequant 32-colour palette of the decoded photo (no
    dithering): the yardstick Y of the dashboard's targets."""
    import imagequant

    rgba = Image.open(io.BytesIO(content)).convert("RGBA")
    raw = rgba.tobytes()
    start = time.perf_counter()
    imagequant.quantize_raw_rgba_bytes(raw, rgba.width, rgba.height, dithering_level=0.0, max_colors=32)
    return time.perf_counter() - start
