"""How far a reconstruction is from its original: MSE, PSNR, SSIM and CIEDE2000 ΔE.

The formulas are scikit-image's (``skimage.metrics``, ``skimage.color``), computed in
NumPy by :mod:`quant.colour_math` to the same numbers, so measuring needs neither
scikit-image nor scipy; this module makes them affordable on 12-megapixel images:

* ΔE is computed once per distinct (original colour, reconstruction colour) pair and
  weighted by its pixel count. A quantized image without dithering has one pair per
  distinct original colour, so the cost follows the colour count, not the pixel count;
  a dithered one records its pairs (a few per colour) as it is made.
* SSIM is computed in horizontal strips that overlap by the window's half-width,
  which gives the same mean as the whole image at a fraction of the memory.

An image with transparency (RGBA, :mod:`quant.alpha`) is measured as libimagequant
measures it: the MSE over the premultiplied channels R·a, G·a, B·a (a = alpha / 255)
and A, so the colour under a fully transparent pixel counts for nothing; ΔE and SSIM
on both images composited over a stated background (white unless asked); and how many
pixels changed visibility class (transparent, partly transparent, opaque).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from quant.colors import N_CODES, ColorHistogram, analyse, pack_colors, remembered, unpack_colors
from quant.colour_math import SSIM_WINDOW, delta_e_ciede2000, rgb2lab, ssim_sum
from quant.errors import ImageError
from quant.loading import check_image
from quant.modes import WHITE, check_background, composite
from quant.parallel import for_each_block, map_in_parallel

if TYPE_CHECKING:
    from quant.pipeline import PaletteFit, Quantized

__all__ = ["Metrics", "error_map", "mean_squared_error", "metrics", "premultiplied_mse", "ssim"]

_SSIM_STRIP_PIXELS = 40_000
"""Pixels of each SSIM strip (at least 10 rows): its temporaries, about 2 MB each, stay
in the caches; measured at 12 MP on two cores, strips of 256 rows took 2.5 times as long."""

_ROW_BLOCK = 1 << 20
"""Pixels per block when summing squared differences."""

_SMALL_IMAGE = 1 << 20
"""Pixels up to which an image's pixels are matched to its colours by bisection in its
histogram rather than through tables of all 2**24 colours (64 MB each): for the
Compare page's 250,000-pixel copy the bisection takes 0.02 s, the tables as long once
their memory has been touched, but 0.3 s the first time in a process."""


@dataclass(frozen=True)
class Metrics:
    """Error of a reconstruction against its original.

    Attributes
    ----------
    mse : float
        Mean squared error over pixels and channels, on the 0–255 scale.
    psnr : float
        Peak signal-to-noise ratio in dB, ``10 log10(255² / mse)``; ``inf`` if identical.
    ssim : float or None
        Mean structural similarity (scikit-image, 7 × 7 window, averaged over the
        three channels); ``None`` if not asked for or the image is under 7 pixels
        on a side.
    delta_e : float
        Mean CIEDE2000 colour difference over pixels; below about 1 is invisible.
    changed_visibility : int or None
        With transparency (either image RGBA): how many pixels changed visibility
        class, fully transparent (alpha 0), partly transparent or opaque (alpha 255).
        A :func:`quant.quantize` result never changes the class of a fully
        transparent or opaque pixel, so only partly transparent ones can count.
        None for two RGB images.
    background : (int, int, int) or None
        With transparency: the colour both images were composited on for ``ssim`` and
        ``delta_e`` (``mse`` and ``psnr`` are then over premultiplied R, G, B and A,
        averaged over the four channels). None for two RGB images.
    """

    mse: float
    psnr: float
    ssim: float | None
    delta_e: float
    changed_visibility: int | None = None
    background: tuple[int, int, int] | None = None


def _check_pair(original: np.ndarray, reconstruction: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    original = check_image(original, "original")
    reconstruction = check_image(reconstruction, "reconstruction")
    if original.shape != reconstruction.shape:
        raise ValueError(
            f"original and reconstruction must have the same shape, got {original.shape} and {reconstruction.shape}."
        )
    return original, reconstruction


def mean_squared_error(original: np.ndarray, reconstruction: np.ndarray) -> float:
    """Mean over pixels and channels of the squared difference (0–255 scale).

    Equal to ``skimage.metrics.mean_squared_error`` but summed exactly in integers,
    block by block, so it needs no float64 copy of a large image.
    """
    original, reconstruction = _check_pair(original, reconstruction)
    a = original.reshape(-1, 3)
    b = reconstruction.reshape(-1, 3)
    total = 0
    for start in range(0, a.shape[0], _ROW_BLOCK):
        diff = a[start : start + _ROW_BLOCK].astype(np.int32) - b[start : start + _ROW_BLOCK]
        total += int(np.einsum("ij,ij->", diff, diff, dtype=np.int64))
    return total / a.size


def _psnr(mse: float) -> float:
    return math.inf if mse == 0 else 10.0 * math.log10(255.0**2 / mse)


def _color_pairs(original: np.ndarray, reconstruction: np.ndarray, *, inverse: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """Distinct (original, reconstruction) colour pairs, their pixel counts and, if asked, each pixel's pair."""
    # The original is usually the image just quantized, whose histogram is remembered.
    original_codes, histogram = analyse(original)
    reconstruction_codes = pack_colors(reconstruction)
    # Quantizing without dithering gives each original colour one reconstruction colour:
    # then the pairs are the original's histogram, found without sorting the pixels.
    if original_codes.shape[0] <= _SMALL_IMAGE:
        # Each pixel's place in the (sorted) histogram, found by bisection: for a small
        # image, faster than first touching tables of all 2**24 colours.
        rank = np.searchsorted(histogram.codes, original_codes)
        partner = np.zeros(len(histogram), dtype=np.uint32)
        partner[rank] = reconstruction_codes
        one_each = np.array_equal(partner[rank], reconstruction_codes)
        pair_reconstruction = partner
    else:
        rank = None
        partner = np.zeros(N_CODES, dtype=np.uint32)
        partner[original_codes] = reconstruction_codes
        one_each = np.array_equal(partner[original_codes], reconstruction_codes)
        pair_reconstruction = partner[histogram.codes]
    if one_each:
        pair_original = histogram.codes
        counts = histogram.counts
        pixel_pair = None
        if inverse and rank is not None:
            pixel_pair = rank
        elif inverse:
            rank = np.zeros(N_CODES, dtype=np.int32)
            rank[histogram.codes] = np.arange(len(histogram))
            pixel_pair = rank[original_codes]
    else:
        pair_codes = (original_codes.astype(np.uint64) << np.uint64(24)) | reconstruction_codes
        unique, pixel_pair, counts = np.unique(pair_codes, return_inverse=True, return_counts=True)
        pair_original = (unique >> np.uint64(24)).astype(np.uint32)
        pair_reconstruction = (unique & np.uint64(N_CODES - 1)).astype(np.uint32)
        if not inverse:
            pixel_pair = None
    return pair_original, pair_reconstruction, counts, pixel_pair


_last_lab: tuple[np.ndarray, np.ndarray] | None = None
"""(codes, their Lab coordinates) of the last original's distinct colours: several
reconstructions are usually measured against one original."""


def _lab_of_codes(codes: np.ndarray) -> np.ndarray:
    """CIELAB coordinates (float32, (n, 3)) of packed colours, each distinct colour converted once."""
    global _last_lab
    last = _last_lab
    if last is not None and last[0] is codes:
        return last[1]
    unique, inverse = np.unique(codes, return_inverse=True)
    lab = _lab_of_colors(unpack_colors(unique))[inverse.reshape(-1)]
    if not codes.flags.writeable:  # the remembered histogram of quant.colors.analyse
        _last_lab = (codes, lab)
    return lab


def _histogram_lab(histogram: ColorHistogram) -> np.ndarray:
    """Lab coordinates of a histogram's distinct colours, remembered for recent images:
    every palette of one picture is measured against the same colours."""
    def make() -> np.ndarray:
        lab = _lab_of_codes(histogram.codes)
        lab.flags.writeable = False
        return lab

    return remembered(histogram, "lab-float32", make)


def _lab_of_colors(colors: np.ndarray) -> np.ndarray:
    """CIELAB coordinates (float32, (n, 3)) of (n, 3) uint8 colours, converted as :func:`_lab_of_codes` does,
    row by row on every core (the conversion is element-wise, so the blocks give the same numbers)."""
    rgb = colors.reshape(-1, 1, 3).astype(np.float32) / np.float32(255)
    lab = np.empty((rgb.shape[0], 3), dtype=np.float32)

    def convert_in(start: int, stop: int) -> None:
        lab[start:stop] = rgb2lab(rgb[start:stop]).reshape(-1, 3)

    for_each_block(convert_in, rgb.shape[0])
    return lab


def _source_histogram(original: np.ndarray, result: Quantized | None) -> ColorHistogram | None:
    """The colour histogram ``result`` was made from, if it is ``original``'s and the
    result maps colour by colour or records its (colour, entry) pairs; otherwise None."""
    if result is None or result.source is None or (result.color_labels is None and result.pairs is None):
        return None
    # analyse hands out the remembered histogram only for an image that packs to
    # exactly the same codes, so identity means the result was made from `original`.
    _, histogram = analyse(original)
    return histogram if histogram is result.source else None


def _delta_e(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """scikit-image's CIEDE2000 ΔE between (n, 3) Lab arrays, row by row, on every core."""
    first = np.asarray(first)
    delta_e = np.empty(first.shape[0], dtype=np.result_type(first.dtype, second.dtype))

    def delta_e_in(start: int, stop: int) -> None:
        delta_e[start:stop] = delta_e_ciede2000(first[start:stop], second[start:stop])

    for_each_block(delta_e_in, first.shape[0])
    return delta_e


def _delta_e_of_codes(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """CIEDE2000 ΔE between packed colours, element by element, in float32.

    Single precision is five times faster than double here and changes a mean ΔE
    in the seventh significant digit.
    """
    return _delta_e(_lab_of_codes(first), _lab_of_codes(second))


def _ssim(original: np.ndarray, reconstruction: np.ndarray) -> float | None:
    """scikit-image's mean SSIM, computed in overlapping strips of rows, the strips
    shared out over the cores (NumPy's large operations release the GIL)."""
    height, width = original.shape[:2]
    if min(height, width) < SSIM_WINDOW:
        return None
    pad = (SSIM_WINDOW - 1) // 2
    rows = max(10, _SSIM_STRIP_PIXELS // width)

    def strip_sum(top: int) -> float:
        bottom = min(top + rows, height - pad)
        # The strip carries `pad` extra rows each side so every kept row sees its full window.
        lo, hi = top - pad, bottom + pad
        return ssim_sum(original[lo:hi], reconstruction[lo:hi])

    # Summed in strip order whatever thread made each, so the result does not vary.
    total = sum(map_in_parallel(strip_sum, range(pad, height - pad, rows)))
    return total / ((height - 2 * pad) * (width - 2 * pad) * 3)


def ssim(
    original: np.ndarray,
    result: np.ndarray | Quantized | PaletteFit,
    *,
    background: tuple[int, int, int] = WHITE,
) -> float | None:
    """Mean structural similarity of a reconstruction to its original, and nothing else.

    The ``ssim`` of :func:`metrics`, to the last bit, without measuring the MSE and
    the CIEDE2000 ΔE as well: for a caller that has those already.

    Parameters
    ----------
    original : (H, W, 3) or (H, W, 4) uint8 array
        An RGB image, or an RGBA one (straight alpha).
    result : (H, W, 3) or (H, W, 4) uint8 array, Quantized or PaletteFit
        An image of the same height and width, or the :func:`quant.quantize` or
        :func:`quant.fit_palette` result of ``original`` (a fit is rebuilt at full
        size to be measured, as :func:`metrics` does).
    background : (r, g, b), default (255, 255, 255)
        When either image has an alpha channel: the colour both are composited on
        before they are compared, as :func:`metrics` does. Unused for two RGB images.

    Returns
    -------
    float or None
        scikit-image's mean SSIM (7 × 7 uniform window, sample covariance,
        ``data_range=255``, averaged over the three channels); None if the image is
        under 7 pixels on a side, as in :class:`Metrics`.

    Raises
    ------
    ImageError
        If the two images differ in height or width.
    ValueError
        If an array is not (H, W, 3) or (H, W, 4) uint8, or ``background`` is not a colour.

    See Also
    --------
    metrics : MSE, PSNR and mean ΔE as well.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.zeros((8, 8, 3), dtype=np.uint8)
    >>> ssim(a, a)
    1.0
    """
    from quant.pipeline import PaletteFit, Quantized, apply_palette  # not at the top: quant.pipeline imports this module

    original = check_image(original, "original", alpha=True)
    if isinstance(result, PaletteFit):
        image = apply_palette(original, result).image
    elif isinstance(result, Quantized):
        image = result.image
    else:
        image = check_image(result, "result", alpha=True)
    if original.shape[:2] != image.shape[:2]:
        raise ImageError(
            f"original and result must have the same height and width; got {original.shape[1]} x "
            f"{original.shape[0]} and {image.shape[1]} x {image.shape[0]} pixels."
        )
    if original.shape[2] == 4 or image.shape[2] == 4:
        background = check_background(background)
        # An RGB side is opaque: composited, it is itself, as metrics measures it.
        return _ssim(composite(original, background), composite(image, background))
    return _ssim(original, image)


def metrics(
    original: np.ndarray,
    reconstruction: np.ndarray | Quantized | PaletteFit,
    *,
    ssim: bool = True,
    background: tuple[int, int, int] = WHITE,
) -> Metrics:
    """Error of a reconstruction against its original.

    Parameters
    ----------
    original : (H, W, 3) or (H, W, 4) uint8 array
        An RGB image, or an RGBA one (straight alpha).
    reconstruction : (H, W, 3) or (H, W, 4) uint8 array, Quantized or PaletteFit
        An image of the same height and width, or the :func:`quant.quantize` or
        :func:`quant.fit_palette` result of ``original``. A fit, or a result made
        without dithering, is measured per distinct colour, and a dithered result
        per distinct (colour, palette entry) pair, without a pass over the pixels
        (several times faster on a large photo; SSIM still looks at the pixels, and
        for a fit needs the full-size image rebuilt); any other is measured through
        its ``image``.
    ssim : bool, default True
        Also compute SSIM, the slowest of the four (about 0.35 s for 12 megapixels on two cores).
    background : (r, g, b), default (255, 255, 255)
        When either image has an alpha channel: the colour both are composited on for
        SSIM and ΔE. Unused for two RGB images.

    Returns
    -------
    Metrics
        MSE, PSNR, SSIM and mean CIEDE2000 ΔE; with transparency also
        ``changed_visibility`` and ``background``.

    Raises
    ------
    ValueError
        If the arrays are not (H, W, 3) or (H, W, 4) uint8 or differ in size, or
        ``background`` is not a colour.

    Notes
    -----
    With an alpha channel on either side (an RGB image counts as opaque), the MSE is
    the mean over pixels and the four channels R·a, G·a, B·a, A (a = alpha / 255) of
    the squared difference, computed exactly; a result of an RGBA image reports the
    same in its ``mse``. An RGBA original measured against its composite on white
    (what quant's loader made of it before transparency was kept) scores the hidden
    surround as an error of up to 255 in every channel; a quantized RGBA result keeps
    every fully transparent and every opaque pixel in its class.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.zeros((8, 8, 3), dtype=np.uint8)
    >>> m = metrics(a, a)
    >>> m.mse, m.psnr, m.ssim, m.delta_e
    (0.0, inf, 1.0, 0.0)
    """
    from quant.pipeline import PaletteFit, Quantized  # not at the top: quant.pipeline imports this module

    if _has_alpha(original) or _has_alpha(reconstruction):
        return _rgba_metrics(original, reconstruction, ssim=ssim, background=check_background(background))
    if isinstance(reconstruction, PaletteFit):
        return _fit_metrics(original, reconstruction, ssim=ssim)
    result = reconstruction if isinstance(reconstruction, Quantized) else None
    if result is not None:
        reconstruction = result.image
    original, reconstruction = _check_pair(original, reconstruction)
    histogram = _source_histogram(original, result)
    if histogram is not None and result.pairs is not None:
        # Dithered: each (colour of this very image, palette entry) pair once.
        mse = result.mse
        pairs = result.pairs
        delta_e = _delta_e(_histogram_lab(histogram)[pairs.colors], _lab_of_colors(result.palette)[pairs.labels])
        counts = pairs.counts
    elif histogram is not None:
        # The result maps each distinct colour of this very image to one palette entry.
        mse = result.mse
        delta_e = _delta_e(_histogram_lab(histogram), _lab_of_colors(result.palette)[result.color_labels])
        counts = histogram.counts
    else:
        mse = mean_squared_error(original, reconstruction)
        pair_original, pair_reconstruction, counts, _ = _color_pairs(original, reconstruction, inverse=False)
        delta_e = _delta_e_of_codes(pair_original, pair_reconstruction)
    mean_delta_e = float(np.dot(delta_e.astype(np.float64), counts) / counts.sum())
    return Metrics(
        mse=mse,
        psnr=_psnr(mse),
        ssim=_ssim(original, reconstruction) if ssim else None,
        delta_e=mean_delta_e,
    )


def _fit_metrics(original: np.ndarray, fit: PaletteFit, *, ssim: bool) -> Metrics:
    """:func:`metrics` of a :class:`~quant.pipeline.PaletteFit`: per distinct colour of
    its source, which must be ``original``'s histogram (its size is checked)."""
    original = check_image(original)
    if original.shape[:2] != fit.shape or int(fit.source.counts.sum()) != original.shape[0] * original.shape[1]:
        raise ValueError(
            f"the palette was fitted to a {fit.shape[1]} x {fit.shape[0]} image, got a "
            f"{original.shape[1]} x {original.shape[0]} one."
        )
    histogram = fit.source
    delta_e = _delta_e(_histogram_lab(histogram), _lab_of_colors(fit.palette)[fit.color_labels])
    mean_delta_e = float(np.dot(delta_e.astype(np.float64), histogram.counts) / histogram.counts.sum())
    ssim_value = None
    if ssim:
        from quant.pipeline import apply_palette

        ssim_value = _ssim(original, apply_palette(original, fit).image)
    return Metrics(mse=fit.mse, psnr=_psnr(fit.mse), ssim=ssim_value, delta_e=mean_delta_e)


def _has_alpha(image: object) -> bool:
    """Whether ``image`` is an (H, W, 4) array, or a result or fit of one."""
    if isinstance(image, np.ndarray):
        return image.ndim == 3 and image.shape[2] == 4
    return getattr(image, "transparency", None) is not None


def _as_rgba(image: np.ndarray) -> np.ndarray:
    """An (H, W, 3) image with alpha 255 added; an (H, W, 4) one as it is."""
    if image.shape[2] == 4:
        return image
    return np.concatenate([image, np.full(image.shape[:2] + (1,), 255, dtype=np.uint8)], axis=2)


def _rgba_pair(original: np.ndarray, reconstruction: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    original = check_image(original, "original", alpha=True)
    reconstruction = check_image(reconstruction, "reconstruction", alpha=True)
    if original.shape[:2] != reconstruction.shape[:2]:
        raise ValueError(
            f"original and reconstruction must have the same height and width, got {original.shape} and {reconstruction.shape}."
        )
    return _as_rgba(original), _as_rgba(reconstruction)


def _premultiplied_squared(original: np.ndarray, reconstruction: np.ndarray) -> np.ndarray:
    """Per pixel, 255² times the squared premultiplied RGBA difference summed over channels (int64, exact)."""
    first = original.astype(np.int64)
    second = reconstruction.astype(np.int64)
    diff = first[..., :3] * first[..., 3:] - second[..., :3] * second[..., 3:]
    alpha = 255 * (first[..., 3] - second[..., 3])
    return np.einsum("...c,...c->...", diff, diff) + alpha * alpha


def premultiplied_mse(original: np.ndarray, reconstruction: np.ndarray) -> float:
    """Mean over pixels and the channels R·a, G·a, B·a, A (a = alpha / 255) of the squared difference.

    Either image may be RGB (opaque) or RGBA; summed exactly in integers, in blocks of rows.
    """
    original, reconstruction = _rgba_pair(original, reconstruction)
    height, width = original.shape[:2]
    rows = max(1, _ROW_BLOCK // width)
    total = 0
    for top in range(0, height, rows):
        total += int(_premultiplied_squared(original[top : top + rows], reconstruction[top : top + rows]).sum())
    return total / (255 * 255 * 4 * height * width)


def _rgba_metrics(original: np.ndarray, reconstruction: object, *, ssim: bool, background: tuple[int, int, int]) -> Metrics:
    """:func:`metrics` when either side has an alpha channel."""
    from quant.alpha import made_from, visibility
    from quant.pipeline import PaletteFit, Quantized, apply_palette

    original = check_image(original, "original", alpha=True)
    if isinstance(reconstruction, (PaletteFit, Quantized)) and made_from(original, reconstruction):
        return _rgba_result_metrics(original, reconstruction, ssim=ssim, background=background)
    if isinstance(reconstruction, PaletteFit):
        reconstruction = apply_palette(original, reconstruction)
    if isinstance(reconstruction, Quantized):
        reconstruction = reconstruction.image
    original, reconstruction = _rgba_pair(original, reconstruction)
    mse = premultiplied_mse(original, reconstruction)
    changed = int(np.count_nonzero(visibility(original) != visibility(reconstruction)))
    flat_original, flat_reconstruction = composite(original, background), composite(reconstruction, background)
    pair_original, pair_reconstruction, counts, _ = _color_pairs(flat_original, flat_reconstruction, inverse=False)
    delta_e = _delta_e_of_codes(pair_original, pair_reconstruction)
    return Metrics(
        mse=mse,
        psnr=_psnr(mse),
        ssim=_ssim(flat_original, flat_reconstruction) if ssim else None,
        delta_e=float(np.dot(delta_e.astype(np.float64), counts) / counts.sum()),
        changed_visibility=changed,
        background=background,
    )


def _rgba_result_metrics(original: np.ndarray, result: Quantized | PaletteFit, *, ssim: bool, background: tuple[int, int, int]) -> Metrics:
    """:func:`metrics` of a result made from the RGBA ``original``, per distinct colour: the
    opaque ones (or their dithered pairs) from its histogram, the partly transparent ones
    from ``transparency``; a transparent pixel is the background on both sides."""
    from quant.pipeline import PaletteFit, apply_palette

    histogram, tr = result.source, result.transparency
    entries = np.column_stack([result.palette, result.alpha])
    flat_entries = composite(entries[np.newaxis], background)[0]
    flat_partial = composite(tr.colors[np.newaxis], background)[0]
    delta_e = [_delta_e(_lab_of_colors(flat_partial), _lab_of_colors(flat_entries)[tr.labels])]
    counts = [tr.counts]
    pairs = getattr(result, "pairs", None)
    if histogram is not None and pairs is not None:
        delta_e.append(_delta_e(_histogram_lab(histogram)[pairs.colors], _lab_of_colors(flat_entries)[pairs.labels]))
        counts.append(pairs.counts)
    elif histogram is not None:
        delta_e.append(_delta_e(_histogram_lab(histogram), _lab_of_colors(flat_entries)[result.color_labels]))
        counts.append(histogram.counts)
    total = sum(float(np.dot(values.astype(np.float64), weights)) for values, weights in zip(delta_e, counts))
    entry_alpha = result.alpha[tr.labels]
    changed = int(tr.counts[(entry_alpha == 0) | (entry_alpha == 255)].sum())
    ssim_value = None
    if ssim:
        image = apply_palette(original, result).image if isinstance(result, PaletteFit) else result.image
        ssim_value = _ssim(composite(original, background), composite(image, background))
    n_pixels = original.shape[0] * original.shape[1]
    return Metrics(
        mse=result.mse,
        psnr=_psnr(result.mse),
        ssim=ssim_value,
        delta_e=total / n_pixels,
        changed_visibility=changed,
        background=background,
    )


def error_map(
    original: np.ndarray, reconstruction: np.ndarray, *, kind: str = "delta_e", background: tuple[int, int, int] = WHITE
) -> np.ndarray:
    """Per-pixel error of a reconstruction, for a heat map.

    Parameters
    ----------
    original, reconstruction : (H, W, 3) or (H, W, 4) uint8 arrays
        Two images of the same height and width, RGB or RGBA.
    kind : {"delta_e", "squared"}, default "delta_e"
        ``"delta_e"``: CIEDE2000 ΔE of each pixel; ``"squared"``: squared RGB
        error of each pixel, averaged over the three channels (its mean is the MSE).
        With an alpha channel on either side, as :func:`metrics` measures then: ΔE
        of the composites on ``background``, and the squared premultiplied RGBA error
        averaged over the four channels.
    background : (r, g, b), default (255, 255, 255)
        See above; unused for two RGB images.

    Returns
    -------
    (H, W) float32 array
    """
    if kind not in ("squared", "delta_e"):
        raise ValueError(f"kind must be 'delta_e' or 'squared', got {kind!r}.")
    if _has_alpha(original) or _has_alpha(reconstruction):
        background = check_background(background)
        original, reconstruction = _rgba_pair(original, reconstruction)
        if kind == "squared":
            return (_premultiplied_squared(original, reconstruction) / (4.0 * 255 * 255)).astype(np.float32)
        original, reconstruction = composite(original, background), composite(reconstruction, background)
    original, reconstruction = _check_pair(original, reconstruction)
    if kind == "squared":
        diff = original.astype(np.float32) - reconstruction
        return np.einsum("ijc,ijc->ij", diff, diff) / np.float32(3)
    pair_original, pair_reconstruction, _, pixel_pair = _color_pairs(original, reconstruction, inverse=True)
    delta_e = _delta_e_of_codes(pair_original, pair_reconstruction).astype(np.float32)
    return delta_e[pixel_pair].reshape(original.shape[:2])
