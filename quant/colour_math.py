"""scikit-image's colour formulas in NumPy: sRGB to CIELAB, CIEDE2000 ΔE and SSIM.

:mod:`quant.metrics` scores every reconstruction with these; computing them here, not
through ``skimage``, spares a command-line run of one photo the import of scikit-image
and scipy (about 0.3 s, half of the run). The numbers are scikit-image's (0.26) to
float rounding, and are checked against it in ``tests/test_colour_math.py``:

* :func:`rgb2lab` is ``skimage.color.rgb2lab`` (sRGB gamma, its sRGB-to-XYZ matrix,
  the D65 white of the 2° observer) step for step, in the input's precision.
* :func:`delta_e_ciede2000` is ``skimage.color.deltaE_ciede2000`` with
  kL = kC = kH = 1, operation for operation (so float32 stays float32 where
  scikit-image's does, and becomes float64 where its does).
* :func:`ssim_sum` and :func:`structural_similarity` are
  ``skimage.metrics.structural_similarity`` as :mod:`quant.metrics` calls it on two
  uint8 RGB images: a 7 × 7 uniform window, sample covariance (N / (N - 1)),
  ``data_range=255``, K1 = 0.01, K2 = 0.03, each channel apart, the mean over the
  positions at least 3 pixels from every edge. scipy's ``uniform_filter`` ('reflect'
  boundary) only matters within 3 pixels of an edge, which that mean leaves out, so
  the windows here are only the ones inside the image. Their sums are of whole
  numbers (pixel values and their products), added exactly in integers: faster than
  scipy's two float passes, and as accurate.

References
----------
.. [1] scikit-image, ``skimage/color/colorconv.py``, ``skimage/color/delta_e.py`` and
       ``skimage/metrics/_structural_similarity.py`` (BSD-3-Clause).
.. [2] Sharma, Wu and Dalal, "The CIEDE2000 color-difference formula: implementation
       notes, supplementary test data, and mathematical observations", Color Research
       and Application 30 (2005).
.. [3] Wang, Bovik, Sheikh and Simoncelli, "Image quality assessment: from error
       visibility to structural similarity", IEEE Transactions on Image Processing
       13 (2004).
"""

from __future__ import annotations

import numpy as np

__all__ = ["SSIM_WINDOW", "delta_e_ciede2000", "rgb2lab", "ssim_sum", "structural_similarity"]

_XYZ_FROM_RGB = np.array(
    [[0.412453, 0.357580, 0.180423], [0.212671, 0.715160, 0.072169], [0.019334, 0.119193, 0.950227]]
)
"""scikit-image's sRGB (linear) to CIE XYZ matrix."""

_D65_WHITE = (0.95047, 1.0, 1.08883)
"""XYZ of the D65 white, 2° observer, as scikit-image gives it."""

SSIM_WINDOW = 7
"""Side of the SSIM window (scikit-image's default with a uniform filter)."""

_K1, _K2 = 0.01, 0.03
"""SSIM's stabilising constants, scikit-image's defaults."""


def _check_colors(array: np.ndarray, name: str) -> np.ndarray:
    array = np.asarray(array)
    if array.ndim == 0 or array.shape[-1] != 3:
        raise ValueError(f"{name} must have size 3 along its last axis, got {array.shape}.")
    return array


def rgb2lab(rgb: np.ndarray) -> np.ndarray:
    """CIELAB coordinates (D65, 2° observer) of sRGB colours, as ``skimage.color.rgb2lab``.

    Parameters
    ----------
    rgb : (..., 3) float array
        sRGB values from 0 to 1. float32 stays float32; any other dtype is computed in
        float64 (uint8 is not rescaled: divide by 255 first).

    Returns
    -------
    (..., 3) array of L (0-100), a, b in the input's float precision.
    """
    rgb = _check_colors(rgb, "rgb")
    dtype = np.float32 if rgb.dtype == np.float32 else np.float64
    arr = rgb.astype(dtype, copy=True)
    # sRGB gamma to linear, then XYZ: scikit-image's rgb2xyz.
    mask = arr > 0.04045
    arr[mask] = np.power((arr[mask] + 0.055) / 1.055, 2.4)
    arr[~mask] /= 12.92
    arr = arr @ _XYZ_FROM_RGB.T.astype(dtype)
    # XYZ to Lab: scikit-image's xyz2lab.
    arr = arr / np.asarray(_D65_WHITE, dtype=dtype)
    mask = arr > 0.008856
    arr[mask] = np.cbrt(arr[mask])
    arr[~mask] = 7.787 * arr[~mask] + 16.0 / 116.0
    x, y, z = arr[..., 0], arr[..., 1], arr[..., 2]
    lightness = (116.0 * y) - 16.0
    a = 500.0 * (x - y)
    b = 200.0 * (y - z)
    return np.concatenate([channel[..., np.newaxis] for channel in (lightness, a, b)], axis=-1)


def _cart2polar_2pi(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Radius and angle in [0, 2π) of (x, y)."""
    r, t = np.hypot(x, y), np.arctan2(y, x)
    t += np.where(t < 0.0, 2 * np.pi, 0)
    return r, t


def delta_e_ciede2000(lab1: np.ndarray, lab2: np.ndarray) -> np.ndarray:
    """CIEDE2000 colour difference, as ``skimage.color.deltaE_ciede2000`` with kL = kC = kH = 1.

    Parameters
    ----------
    lab1, lab2 : (..., 3) arrays
        CIELAB colours, channels last; broadcast together. Two float32 arrays are
        computed in scikit-image's mix of float32 and float64; anything else in float64.

    Returns
    -------
    (...) array of ΔE, float32 for two float32 inputs, float64 otherwise.
    """
    lab1, lab2 = _check_colors(lab1, "lab1"), _check_colors(lab2, "lab2")
    dtype = np.float32 if lab1.dtype == np.float32 and lab2.dtype == np.float32 else np.float64
    lab1, lab2 = lab1.astype(dtype, copy=False), lab2.astype(dtype, copy=False)
    L1, a1, b1 = np.moveaxis(lab1, -1, 0)
    L2, a2, b2 = np.moveaxis(lab2, -1, 0)
    # The operations and their order are scikit-image's, so are the rounding and the
    # dtypes (np.deg2rad's float64 scalars promote float32 where they appear there).
    # Distort a by the mean chroma, then work in polar coordinates of the distorted a.
    Cbar = 0.5 * (np.hypot(a1, b1) + np.hypot(a2, b2))
    c7 = Cbar**7
    G = 0.5 * (1 - np.sqrt(c7 / (c7 + 25**7)))
    scale = 1 + G
    C1, h1 = _cart2polar_2pi(a1 * scale, b1)
    C2, h2 = _cart2polar_2pi(a2 * scale, b2)

    # Lightness term.
    Lbar = 0.5 * (L1 + L2)
    tmp = (Lbar - 50) ** 2
    SL = 1 + 0.015 * tmp / np.sqrt(20 + tmp)
    L_term = (L2 - L1) / SL

    # Chroma term.
    Cbar = 0.5 * (C1 + C2)
    SC = 1 + 0.045 * Cbar
    C_term = (C2 - C1) / SC

    # Hue term.
    h_diff = h2 - h1
    h_sum = h1 + h2
    CC = C1 * C2
    dH = h_diff.copy()
    dH[h_diff > np.pi] -= 2 * np.pi
    dH[h_diff < -np.pi] += 2 * np.pi
    dH[CC == 0.0] = 0.0  # no hue difference when either colour is grey
    dH_term = 2 * np.sqrt(CC) * np.sin(dH / 2)

    Hbar = h_sum.copy()
    mask = np.logical_and(CC != 0.0, np.abs(h_diff) > np.pi)
    Hbar[mask * (h_sum < 2 * np.pi)] += 2 * np.pi
    Hbar[mask * (h_sum >= 2 * np.pi)] -= 2 * np.pi
    Hbar[CC == 0.0] *= 2
    Hbar *= 0.5

    T = (
        1
        - 0.17 * np.cos(Hbar - np.deg2rad(30))
        + 0.24 * np.cos(2 * Hbar)
        + 0.32 * np.cos(3 * Hbar + np.deg2rad(6))
        - 0.20 * np.cos(4 * Hbar - np.deg2rad(63))
    )
    SH = 1 + 0.015 * Cbar * T
    H_term = dH_term / SH

    # Hue rotation (the blue region).
    c7 = Cbar**7
    Rc = 2 * np.sqrt(c7 / (c7 + 25**7))
    dtheta = np.deg2rad(30) * np.exp(-(((np.rad2deg(Hbar) - 275) / 25) ** 2))
    R_term = -np.sin(2 * dtheta) * Rc * C_term * H_term

    dE2 = L_term**2
    dE2 += C_term**2
    dE2 += H_term**2
    dE2 += R_term
    return np.sqrt(np.maximum(dE2, 0))


def _window_sums(stack: np.ndarray, axis: int) -> np.ndarray:
    """Sums over every run of 7 along ``axis`` that lies inside the array: a sum of
    pairs, of fours (pairs of pairs), then four + two + one, four additions in all."""

    def part(array: np.ndarray, start: int, stop: int) -> np.ndarray:
        index = [slice(None)] * array.ndim
        index[axis] = slice(start, stop)
        return array[tuple(index)]

    length = stack.shape[axis]
    pairs = part(stack, 0, length - 1) + part(stack, 1, length)
    fours = part(pairs, 0, length - 3) + part(pairs, 2, length - 1)
    sevens = part(fours, 0, length - 6)
    sevens += part(pairs, 4, length - 2)
    sevens += part(stack, 6, length)
    return sevens


def ssim_sum(first: np.ndarray, second: np.ndarray) -> float:
    """Sum of scikit-image's SSIM map over the positions at least 3 pixels inside every edge.

    Parameters
    ----------
    first, second : (H, W, C) uint8 arrays
        Two images of the same shape, at least 7 × 7; each channel is compared apart.

    Returns
    -------
    float
        The sum over the (H - 6) × (W - 6) × C positions of
        ``structural_similarity(first, second, channel_axis=2, data_range=255, full=True)[1]``;
        the caller divides by their number for the mean. Rows of a larger image can
        be given in overlapping strips (3 extra rows each side) and the sums added.

    Notes
    -----
    The window sums of the pixel values and of their products are whole numbers below
    2³¹, so they are added exactly in int32 (half the memory traffic of float64); the
    means are then scikit-image's up to the last bit of a division by 49 (scipy divides
    by 7 after each of its two passes).
    """
    x = first.astype(np.int32)
    y = second.astype(np.int32)
    # One stack, so each pass of additions covers all five quantities.
    stack = np.empty((5,) + x.shape, dtype=np.int32)
    stack[0], stack[1] = x, y
    np.multiply(x, x, out=stack[2])
    np.multiply(y, y, out=stack[3])
    np.multiply(x, y, out=stack[4])
    del x, y
    n_window = SSIM_WINDOW * SSIM_WINDOW
    means = _window_sums(_window_sums(stack, 1), 2).astype(np.float64)
    means /= n_window
    ux, uy, uxx, uyy, uxy = means
    # scikit-image's formula, computed in place to spare passes over memory:
    # S = (2 ux uy + C1)(2 vxy + C2) / ((ux² + uy² + C1)(vx + vy + C2)).
    cov_norm = n_window / (n_window - 1)  # sample covariance, scikit-image's default
    c1 = (_K1 * 255) ** 2
    c2 = (_K2 * 255) ** 2
    square_x = ux * ux
    square_y = uy * uy
    product = ux * uy
    uxx -= square_x
    uxx *= cov_norm  # vx
    uyy -= square_y
    uyy *= cov_norm  # vy
    uxy -= product
    uxy *= cov_norm  # vxy
    np.multiply(product, 2, out=ux)
    ux += c1  # A1
    np.add(square_x, square_y, out=uy)
    uy += c1  # B1
    uxy *= 2
    uxy += c2  # A2
    uxx += uyy
    uxx += c2  # B2
    ux *= uxy
    uy *= uxx
    ux /= uy
    return float(ux.sum(dtype=np.float64))


def structural_similarity(first: np.ndarray, second: np.ndarray) -> float:
    """Mean SSIM of two uint8 images, as ``skimage.metrics.structural_similarity``
    with ``channel_axis=2, data_range=255`` (a 7 × 7 uniform window).

    Parameters
    ----------
    first, second : (H, W, C) uint8 arrays
        Two images of the same shape.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If the shapes differ or a side is under 7 pixels, as scikit-image does.
    """
    first, second = np.asarray(first), np.asarray(second)
    if first.shape != second.shape:
        raise ValueError(f"the images must have the same shape, got {first.shape} and {second.shape}.")
    if first.ndim != 3 or first.dtype != np.uint8 or second.dtype != np.uint8:
        raise ValueError(f"the images must be (H, W, C) uint8 arrays, got {first.shape} {first.dtype} and {second.dtype}.")
    height, width = first.shape[:2]
    if min(height, width) < SSIM_WINDOW:
        raise ValueError(
            f"win_size exceeds image extent: the SSIM window is {SSIM_WINDOW} x {SSIM_WINDOW}, "
            f"got a {width} x {height} image."
        )
    pad = (SSIM_WINDOW - 1) // 2
    return ssim_sum(first, second) / ((height - 2 * pad) * (width - 2 * pad) * first.shape[2])
