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
from quant.metrics import Metrics, error_map, mean_squared_error, metrics
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
    "apply_palette",
    "assign_colors",
    "color_histogram",
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
    "quantize",
    "read_palette",
    "recolor",
    "sample_colors",
    "smallest_fit",
    "smallest_palette",
    "storage",
    "swatch_order",
]
