"""quant: exact, fast colour-quantization palettes and what they do to a picture.

The pure core of the dashboard: it never imports Streamlit. Load an image with
:func:`load_image`, reduce it to a palette with :func:`quantize`, measure the result
with :func:`metrics`, and write it out with :func:`indexed_png` and the palette
exports. ``python -m quant`` does the same from the command line.

>>> import numpy as np, quant
>>> image = np.zeros((4, 4, 3), dtype=np.uint8); image[:2] = (200, 30, 30)
>>> result = quant.quantize(image, 16)
>>> result.palette.tolist(), quant.count_colors(image)
([[0, 0, 0], [200, 30, 30]], 2)
"""

import importlib
import sys
import types
from typing import TYPE_CHECKING

# Each public name and the module that defines it. They are imported on first use
# (PEP 562), so `import quant` and `python -m quant --help` do not pay for
# scikit-learn, scikit-image or Numba; `from quant import quantize` and `quant.quantize`
# work as ever.
_HOMES = {
    "quant.colors": ("ColorHistogram", "ColorSample", "color_histogram", "count_colors", "forget_images", "freeze", "sample_colors"),
    "quant.encoding": (
        "Storage", "indexed_png", "indexed_png_of_labels", "palette_csv", "palette_gpl", "palette_hex", "palette_json", "storage",
    ),
    "quant.entries": ("SWATCH_ORDERS", "nearest_entries", "swatch_order"),
    "quant.errors": ("ImageError",),
    "quant.loading": ("ALLOWED_FORMATS", "MAX_PIXELS", "downscale", "image_digest", "load_image"),
    "quant.mapping": ("map_fit", "map_to_palette", "recolor"),
    "quant.metrics": ("Metrics", "error_map", "mean_squared_error", "metrics", "premultiplied_mse", "ssim"),
    "quant.modes": ("composite",),
    "quant.alpha": ("visibility",),
    "quant.results": ("Transparency",),
    "quant.palette": ("MAX_COLORS", "MAX_SEED", "METHODS", "SPACES", "assign_colors"),
    "quant.palette_files": ("PALETTES", "palette_ase", "parse_colors", "read_palette"),
    "quant.pipeline": ("DITHER_KINDS", "ColorPairs", "PaletteFit", "Quantized", "apply_palette", "fit_palette", "quantize"),
    "quant.search": ("PaletteSearch", "smallest_fit", "smallest_palette"),
    "quant.steps": ("INITS", "KMeansSteps", "kmeans_steps", "minibatch_steps"),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}

if TYPE_CHECKING:  # what type checkers and editors see
    from quant.colors import ColorHistogram, ColorSample, color_histogram, count_colors, forget_images, freeze, sample_colors
    from quant.encoding import (
        Storage,
        indexed_png,
        indexed_png_of_labels,
        palette_csv,
        palette_gpl,
        palette_hex,
        palette_json,
        storage,
    )
    from quant.entries import SWATCH_ORDERS, nearest_entries, swatch_order
    from quant.errors import ImageError
    from quant.loading import ALLOWED_FORMATS, MAX_PIXELS, downscale, image_digest, load_image
    from quant.mapping import map_fit, map_to_palette, recolor
    from quant.metrics import Metrics, error_map, mean_squared_error, metrics, premultiplied_mse, ssim
    from quant.modes import composite
    from quant.alpha import visibility
    from quant.results import Transparency
    from quant.palette import MAX_COLORS, MAX_SEED, METHODS, SPACES, assign_colors
    from quant.palette_files import PALETTES, palette_ase, parse_colors, read_palette
    from quant.pipeline import DITHER_KINDS, ColorPairs, PaletteFit, Quantized, apply_palette, fit_palette, quantize
    from quant.search import PaletteSearch, smallest_fit, smallest_palette
    from quant.steps import INITS, KMeansSteps, kmeans_steps, minibatch_steps

__all__ = [
    "ALLOWED_FORMATS",
    "DITHER_KINDS",
    "INITS",
    "MAX_COLORS",
    "MAX_SEED",
    "MAX_PIXELS",
    "METHODS",
    "PALETTES",
    "SPACES",
    "SWATCH_ORDERS",
    "ColorHistogram",
    "ColorPairs",
    "ColorSample",
    "ImageError",
    "KMeansSteps",
    "Metrics",
    "PaletteFit",
    "PaletteSearch",
    "Quantized",
    "Storage",
    "Transparency",
    "apply_palette",
    "assign_colors",
    "color_histogram",
    "composite",
    "count_colors",
    "downscale",
    "error_map",
    "fit_palette",
    "forget_images",
    "freeze",
    "image_digest",
    "indexed_png",
    "indexed_png_of_labels",
    "kmeans_steps",
    "load_image",
    "map_fit",
    "map_to_palette",
    "mean_squared_error",
    "metrics",
    "minibatch_steps",
    "nearest_entries",
    "palette_ase",
    "palette_csv",
    "palette_gpl",
    "palette_hex",
    "palette_json",
    "parse_colors",
    "premultiplied_mse",
    "quantize",
    "read_palette",
    "recolor",
    "sample_colors",
    "smallest_fit",
    "smallest_palette",
    "ssim",
    "storage",
    "swatch_order",
    "visibility",
]


def __getattr__(name: str) -> object:
    """Import a public name's module the first time the name is asked for."""
    module = _HOME_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'quant' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # asked once: later lookups do not come here
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _Package(types.ModuleType):
    """The package, whose public ``metrics`` (the function) shares its name with the module
    ``quant.metrics``: importing that module sets the package's attribute to it, which
    here leaves the name to :func:`__getattr__`, as when every name was imported eagerly."""

    def __setattr__(self, name: str, value: object) -> None:
        if name in _HOME_OF and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
