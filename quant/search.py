"""The smallest palette that meets a quality target: pngquant's ``--quality``, done exactly.

Given a target mean CIEDE2000 colour difference, find the fewest colours whose palette
reaches it. Each candidate palette size *k* is judged exactly: the palette is fitted on
the image's colour histogram (:func:`quant.fit_palette`) and measured per distinct
colour (:func:`quant.metrics` of the fit), so no full-size image is rebuilt until the
answer is known.

The mean ΔE of k-means palettes falls with *k* but not strictly: a palette of 41
colours can, now and then, be a hair worse than one of 40. So "smallest" is defined
by what is checked, not assumed: the answer *k* reaches the target and *k* − 1 does
not (or *k* is 1). See :func:`smallest_fit` for the search.

On a large image the search is guided by a subsample: the same search runs first on
every n-th pixel (at most :data:`GUIDE_PIXELS` of them, the colour distribution kept,
not averaged away), whose palettes cost a fraction of the full image's; the exact
search then starts from the guide's answer and usually needs only that size and the
one below it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
from numpy.typing import ArrayLike

from quant.colors import analyse, count_colors
from quant.errors import ImageError
from quant.loading import check_image
from quant.metrics import metrics
from quant.palette import MAX_COLORS, METHODS, SPACES
from quant.pinned import check_fixed, count_with_pins
from quant.pipeline import PaletteFit, Quantized, apply_palette, fit_palette

__all__ = ["GUIDE_PIXELS", "PaletteSearch", "smallest_fit", "smallest_palette"]

GUIDE_PIXELS = 60_000
"""Images with more pixels than this are first searched on a subsample of about this
many pixels, whose answer is where the exact search starts."""

_FIRST_GUESS = 16
"""Where a search without a guide starts: a typical answer for a photo at ΔE 3-5."""

_TYPICAL_SLOPE = -0.3
"""d log ΔE / d log k of k-means palettes of photos (-0.27 from 16 to 256 colours on a
12 MP photo), used until two sizes have been measured."""


@dataclass(frozen=True)
class PaletteSearch:
    """What :func:`smallest_fit` found.

    Attributes
    ----------
    n_colors : int
        The palette size chosen: its palette reaches the target and one colour fewer
        does not (or it is 1).
    delta_e : float
        Mean CIEDE2000 ΔE of that palette, exactly (per distinct colour).
    fit : PaletteFit
        Its palette, ready for :func:`quant.apply_palette`.
    tried : mapping of int to float
        Every palette size measured on the full image and its mean ΔE, in the order
        tried. ``n_colors`` and ``n_colors - 1`` (when at least 1 and the number of
        pins) are always in it.
    guide_tried : mapping of int to float
        The same for the subsample that guided the search (empty for small images).
    max_delta_e : float
        The target.
    """

    n_colors: int
    delta_e: float
    fit: PaletteFit
    tried: Mapping[int, float]
    guide_tried: Mapping[int, float]
    max_delta_e: float


def _check_target(max_delta_e: float) -> float:
    if isinstance(max_delta_e, bool) or not isinstance(max_delta_e, (int, float, np.integer, np.floating)):
        raise ImageError(f"max_delta_e must be a positive number, got {max_delta_e!r}.")
    value = float(max_delta_e)
    if not math.isfinite(value) or value <= 0:
        raise ImageError(f"max_delta_e must be a positive, finite number, got {max_delta_e!r}.")
    return value


def _check_option(value: str, name: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ImageError(f"Unknown {name} {value!r}; expected one of {', '.join(map(repr, choices))}.")


def _guide(image: np.ndarray) -> np.ndarray | None:
    """Every n-th pixel of a large image as a one-column image, or None for a small one.

    A stride, not a downscale: averaging neighbours would smooth away the noise and
    fine texture that decide how many colours a photo needs.
    """
    n_pixels = image.shape[0] * image.shape[1]
    if n_pixels <= 2 * GUIDE_PIXELS:
        return None
    step = n_pixels // GUIDE_PIXELS
    # An odd stride avoids sampling the same columns row after row.
    step += 1 - step % 2
    channels = image.shape[-1]
    pixels = image.reshape(-1, channels)[step // 2 :: step]
    return np.ascontiguousarray(pixels).reshape(-1, 1, channels)


def _slope(points: Mapping[int, float], around: int) -> float | None:
    """d log ΔE / d log k fitted (least squares) to the sizes within a factor of two of
    ``around``; None if fewer than two, or if ΔE does not fall across them."""
    near = [(math.log(k), math.log(e)) for k, e in points.items() if around / 2 <= k <= around * 2 and e > 0]
    if len(near) < 2 or len({x for x, _ in near}) < 2:
        return None
    xs, ys = np.array(near).T
    slope = float(np.polyfit(xs, ys, 1)[0])
    return slope if slope < 0 else None


def _search(
    delta_e: Callable[[int], float],
    target: float,
    *,
    start: int,
    upper: int,
    slope: float = _TYPICAL_SLOPE,
    lower: int = 1,
) -> int | None:
    """The smallest k found with ``delta_e(k) <= target`` and ``delta_e(k - 1) > target``
    (or k = ``lower``, the smallest size there is); None if ``upper`` misses.

    Keeps a bracket: ``low``, the largest size known to miss (``lower - 1`` at first), and ``high``,
    the smallest known to meet the target (``upper + 1`` at first, meaning none). Each
    step measures one size strictly inside it, so the bracket shrinks every time, and
    the search ends when ``high`` is ``low + 1``. ΔE falls roughly as a power of k, so
    the next size is where the target falls on a line in log k - log ΔE: between the
    two ends of the bracket once both are measured, else from the one measured end with
    ``slope``. It is rounded down after a hit and up after a miss, so that the bracket
    closes from both sides; the midpoint is taken instead when interpolation has not
    halved the bracket in two steps.
    """
    points: dict[int, float] = {}
    low, high = lower - 1, upper + 1
    k = min(max(start, lower), upper)
    slow_steps = 0
    while True:
        width = high - low
        points[k] = delta_e(k)
        hit = points[k] <= target
        if hit:
            high = k
        else:
            low = k
        if low == upper:
            return None
        if high - low == 1:
            return high
        slow_steps = slow_steps + 1 if 2 * (high - low) > width else 0
        if slow_steps >= 2:
            k, slow_steps = (low + high) // 2, 0
        else:
            if low in points and high in points:
                # log-log secant through both ends; e(low) > target >= e(high).
                x0, y0, x1, y1 = math.log(low), math.log(points[low]), math.log(high), math.log(max(points[high], 1e-12))
                estimate = math.exp(x0 + (math.log(target) - y0) * (x1 - x0) / (y1 - y0))
            else:
                end = low if low in points else high
                estimate = end * (target / max(points[end], 1e-12)) ** (1 / slope)
            k = math.floor(estimate) if hit else math.ceil(estimate)
        k = min(max(k, low + 1), high - 1)


def smallest_fit(
    image: np.ndarray,
    *,
    max_delta_e: float,
    method: str = "kmeans",
    space: str = "rgb",
    seed: int = 0,
    fixed: ArrayLike | None = None,
) -> PaletteSearch:
    """The fewest colours whose palette has a mean CIEDE2000 ΔE at most ``max_delta_e``.

    Parameters
    ----------
    image : (H, W, 3) or (H, W, 4) uint8 array
        An RGB image, or an RGBA one (straight alpha): its ΔE is then measured on the
        composites over white, as :func:`quant.metrics` measures it.
    max_delta_e : float
        The target: a positive, finite mean ΔE. About 1 is invisible side by side,
        2.3 a just-noticeable difference.
    method, space, seed
        How each palette is made, as in :func:`quant.quantize`. Pixels are mapped to
        their nearest entry (no dithering).
    fixed : (m, 3) array-like of int, optional
        Pins every palette tried holds (as in :func:`quant.quantize`); the sizes
        tried then start at ``m``, and "smallest" means: ``k`` meets the target and
        ``k - 1`` does not, or ``k`` is ``m``.

    Returns
    -------
    PaletteSearch
        The size chosen, its exact ΔE and palette, and every size tried.

    Raises
    ------
    ImageError
        If ``max_delta_e`` is not a positive finite number, ``method``, ``space``,
        ``seed`` or ``fixed`` is not accepted, or even 256 colours (or all the
        image's colours and the pins, if they are fewer) miss the target; the
        message gives the ΔE they reach.
    ValueError
        If ``image`` is not an (H, W, 3) or (H, W, 4) uint8 array.

    Notes
    -----
    *Smallest* means: the returned size *k* meets the target, and *k* − 1 does not
    (or *k* = 1), both measured exactly on the full image with the same method,
    space and seed. Because ΔE is not strictly decreasing in *k*, some smaller size
    that this search did not visit could in principle also meet the target; trying
    every size would cost 256 palettes. The search gallops from a starting size
    (the guide's answer on large images, else 16) and then bisects, so it measures
    about 2 log₂ of the distance from the start plus two sizes; on a large image
    the guide usually puts the start on the answer.

    An image with at most 256 distinct colours meets any target with all of them
    (ΔE 0) for every method but ``"random"``.
    """
    image = check_image(image, alpha=True)
    target = _check_target(max_delta_e)
    _check_option(method, "method", METHODS)
    _check_option(space, "space", SPACES)
    pins = check_fixed(fixed, MAX_COLORS)
    n_pins = 0 if pins is None else pins.shape[0]
    lower = max(1, n_pins)
    if image.shape[-1] == 4:
        # Visibility never changes: a transparent entry, and an opaque one (or the pins), at least.
        opacity = image[..., 3]
        lower = max(1, int(bool((opacity == 0).any())) + max(n_pins, int(bool((opacity == 255).any()))))

    def upper_of(on: np.ndarray) -> int:
        """Enough colours for no error: the image's, with the pins."""
        if method == "random":
            return MAX_COLORS
        if on.shape[-1] == 4:
            # Its visible RGBA values and one transparent entry; pins on top, at most.
            distinct = count_colors(on)
            return min(MAX_COLORS, distinct if pins is None else distinct + pins.shape[0])
        histogram = analyse(on)[1]
        return min(MAX_COLORS, len(histogram) if pins is None else count_with_pins(histogram, pins))

    def measured(on: np.ndarray, tried: dict[int, float], fits: dict[int, PaletteFit] | None):
        def delta_e(n_colors: int) -> float:
            if n_colors not in tried:
                fit = fit_palette(on, n_colors, method=method, space=space, seed=seed, fixed=pins)
                tried[n_colors] = metrics(on, fit, ssim=False).delta_e
                if fits is not None:
                    fits[n_colors] = fit
            return tried[n_colors]

        return delta_e

    start, slope = _FIRST_GUESS, _TYPICAL_SLOPE
    guide_tried: dict[int, float] = {}
    guide = _guide(image)
    if guide is not None:
        guide_upper = upper_of(guide)
        found = _search(measured(guide, guide_tried, None), target, start=start, upper=guide_upper, lower=lower)
        start = guide_upper if found is None else found
        slope = _slope(guide_tried, start) or slope

    tried: dict[int, float] = {}
    fits: dict[int, PaletteFit] = {}
    upper = upper_of(image)
    found = _search(measured(image, tried, fits), target, start=start, upper=upper, slope=slope, lower=lower)
    if found is None:
        raise ImageError(
            f"No palette of at most {upper} colours reaches a mean ΔE of {target:g} on this "
            f"image: {upper} colours give {tried[upper]:.2f}. Ask for {tried[upper]:.2f} or "
            f"more, or try another method or colour space."
        )
    return PaletteSearch(
        n_colors=found,
        delta_e=tried[found],
        fit=fits[found],
        tried=MappingProxyType(tried),
        guide_tried=MappingProxyType(guide_tried),
        max_delta_e=target,
    )


def smallest_palette(
    image: np.ndarray,
    *,
    max_delta_e: float,
    method: str = "kmeans",
    space: str = "rgb",
    seed: int = 0,
    fixed: ArrayLike | None = None,
) -> Quantized:
    """The image reduced to the fewest colours whose mean CIEDE2000 ΔE is at most ``max_delta_e``.

    :func:`smallest_fit`, then the full-size reconstruction of the palette it chose.

    Parameters
    ----------
    image : (H, W, 3) or (H, W, 4) uint8 array
        An RGB or RGBA image, as in :func:`smallest_fit`.
    max_delta_e : float
        The target mean ΔE, positive and finite.
    method, space, seed
        As in :func:`quant.quantize`; no dithering.
    fixed : (m, 3) array-like of int, optional
        Pins every palette holds, as in :func:`smallest_fit`.

    Returns
    -------
    Quantized
        ``n_colors`` is the size chosen (``k`` the colours used, possibly fewer);
        ``quant.metrics(image, result).delta_e <= max_delta_e``.

    Raises
    ------
    ImageError
        As :func:`smallest_fit`: a bad target or option, or a target that even the
        largest palette misses. (An error rather than a flagged 256-colour result,
        so that a script never silently gets less than it asked for.)
    ValueError
        If ``image`` is not an (H, W, 3) or (H, W, 4) uint8 array.

    Examples
    --------
    >>> import numpy as np
    >>> image = np.zeros((4, 4, 3), dtype=np.uint8); image[:, 2:] = (250, 250, 250)
    >>> smallest_palette(image, max_delta_e=1.0).n_colors
    2
    """
    search = smallest_fit(image, max_delta_e=max_delta_e, method=method, space=space, seed=seed, fixed=fixed)
    return apply_palette(image, search.fit)
