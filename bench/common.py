"""What the benchmarks share: the images they measure on and a line naming the machine.

``bench.run`` (palettes against libimagequant, Pillow and scikit-learn) and
``bench.dithered`` (dithering) both import from here, and neither from the other's
module at import time.
"""

from __future__ import annotations

import os
import platform
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from PIL import Image
from sklearn.datasets import load_sample_image

try:
    import imagequant
except ImportError:  # a benchmark-only dependency (requirements-test.txt)
    imagequant = None

__all__ = ["SIZES", "benchmark_images", "cpu_model", "imagequant", "machine", "make_photo"]


def make_photo(size: tuple[int, int] = (4000, 3000), *, seed: int = 0, noise: float = 2.0) -> np.ndarray:
    """A photo-like test image of any size, the same every time.

    Parameters
    ----------
    size : (width, height), default (4000, 3000)
        Size of the result; the default is 12 megapixels.
    seed : int, default 0
        Seed of the noise.
    noise : float, default 2.0
        Standard deviation of the Gaussian noise, in 8-bit levels.

    Returns
    -------
    (height, width, 3) uint8 array
        scikit-learn's ``china.jpg`` resized with bicubic interpolation, plus noise
        rounded to the nearest level. Interpolation alone leaves large images with
        the source's ~100 000 colours; the noise gives a camera photo's million or so
        (about 1.4 million at 12 MP) without changing what the picture looks like.
    """
    width, height = size
    resized = Image.fromarray(load_sample_image("china.jpg")).resize((width, height), Image.Resampling.BICUBIC)
    image = np.asarray(resized, dtype=np.float32)
    image += np.random.default_rng(seed).normal(0.0, noise, size=image.shape).astype(np.float32)
    np.rint(image, out=image)
    return np.clip(image, 0, 255).astype(np.uint8)


SIZES: dict[str, Callable[[], dict[str, np.ndarray]]] = {
    "small": lambda: {"china.jpg": load_sample_image("china.jpg"), "flower.jpg": load_sample_image("flower.jpg")},
    "3mp": lambda: {"photo 3 MP": make_photo((2000, 1500))},
    "12mp": lambda: {"photo 12 MP": make_photo((4000, 3000))},
}
"""Image sets ``--sizes`` can name -> function making them, name -> image."""


def benchmark_images(sizes: Sequence[str]) -> dict[str, np.ndarray]:
    """The images of the named sets (keys of :data:`SIZES`), in order."""
    unknown = [size for size in sizes if size not in SIZES]
    if unknown:
        raise ValueError(f"unknown image sizes {unknown}; expected some of {', '.join(SIZES)}")
    images: dict[str, np.ndarray] = {}
    for size in sizes:
        images.update(SIZES[size]())
    return images


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, else what ``platform`` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine() -> str:
    """One line: cores, CPU model, Python and library versions."""
    import PIL
    import sklearn

    cpu = cpu_model()
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count()
    liq = "imagequant not installed" if imagequant is None else f"imagequant {_version('imagequant')}"
    return (
        f"{cores} cores (nproc), {cpu}; Python {platform.python_version()}, numpy {np.__version__}, "
        f"scikit-learn {sklearn.__version__}, Pillow {PIL.__version__}, {liq}"
    )


def _version(distribution: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return "?"
