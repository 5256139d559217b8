"""The results of quantization: :class:`PaletteFit` (a palette and where each distinct
colour goes, no per-pixel array), :class:`Quantized` (the full-size labels and picture),
:class:`ColorPairs` (what a dithered mapping did to each colour) and
:class:`Transparency` (where the pixels of an RGBA image that are not opaque went).

:mod:`quant.pipeline` makes them (:func:`quant.fit_palette`, :func:`quant.apply_palette`,
:func:`quant.quantize`), as does :mod:`quant.mapping` for palettes a person brings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from quant.colors import ColorHistogram

__all__ = ["ColorPairs", "PaletteFit", "Quantized", "Transparency"]


@dataclass(frozen=True, eq=False)
class ColorPairs:
    """What a dithered mapping did to each colour: its distinct (colour, entry) pairs.

    Attributes
    ----------
    colors : (p,) int32 array
        Index of each pair's original colour in the source histogram, increasing.
    labels : (p,) uint8 array
        Index into the palette of each pair's entry.
    counts : (p,) int64 array
        Pixels of that colour mapped to that entry; they sum to the pixel count.
    """

    colors: np.ndarray
    labels: np.ndarray
    counts: np.ndarray


@dataclass(frozen=True, eq=False)
class Transparency:
    """Where the pixels of an RGBA image that are not opaque went (:mod:`quant.alpha`).

    A result of an RGB image has none (``transparency`` is None). For an RGBA one,
    the result's ``source``, ``color_labels`` and ``pairs`` describe its opaque
    pixels (alpha 255) only, and this the rest.

    Attributes
    ----------
    n_opaque, n_transparent : int
        Pixels with alpha 255 and with alpha 0.
    transparent_entry : int
        Index into the palette of the one fully transparent entry (alpha 0, colour
        0, 0, 0), which every pixel with alpha 0 takes; -1 when the palette has none.
    colors : (m, 4) uint8 array
        The distinct partly transparent colours (alpha 1 to 254), straight RGBA, in
        increasing order of ``r << 24 | g << 16 | b << 8 | a``.
    counts : (m,) int64 array
        Pixels of each.
    labels : (m,) uint8 array
        Index into the palette of each one's entry (never dithered).
    """

    n_opaque: int
    n_transparent: int
    transparent_entry: int
    colors: np.ndarray = field(repr=False)
    counts: np.ndarray = field(repr=False)
    labels: np.ndarray = field(repr=False)


@dataclass(frozen=True, eq=False)
class Quantized:
    """An image reduced to a palette, and its reconstruction.

    Attributes
    ----------
    palette : (k, 3) uint8 array
        The colours, without duplicates (unless edited by :func:`quant.recolor`),
        ordered by pixel share, largest first; entries kept unused (``pinned``, or
        a given palette's) at the end. ``k <= n_colors``.
    labels : (H, W) uint8 array (uint16 never needed: k <= 256)
        Index into ``palette`` of each pixel.
    image : (H, W, 3) uint8 array, or (H, W, 4) for an RGBA original
        The reconstruction, equal to ``palette[labels]`` (RGBA: with ``alpha[labels]``
        as the fourth channel).
    counts : (k,) int64 array
        Pixels per palette entry, decreasing.
    mse : float
        Mean squared error against the original over pixels and channels (0–255 scale);
        for an RGBA original over the premultiplied channels R·a, G·a, B·a (a = alpha/255)
        and A, so the colour under a transparent pixel costs nothing.
    method, space : str
        How the palette was made (one of :data:`quant.METHODS`, or ``"palette"`` for
        a palette given as it is, :func:`quant.map_to_palette`) and in which colour
        space distances were measured.
    n_colors : int
        The palette size that was asked for (the given palette's size for ``"palette"``).
    dither : float
        Strength of the dithering asked for when mapping (0 to 1), 0.0 for the plain
        nearest-colour mapping.
    dither_kind : {"diffusion", "ordered"}
        Error diffusion (:mod:`quant.dither`) or an ordered pattern
        (:mod:`quant.ordered`); "diffusion" when not dithered.
    seed : int
        Seed of the random parts (k-means++ seeding, the random palette).
    seconds : float
        Wall-clock time of the call.
    source : ColorHistogram or None
        The original's colour histogram, the one :func:`quant.colors.analyse`
        remembered for it.
    color_labels : (n,) uint8 array or None
        Index into ``palette`` of each distinct colour of ``source``; None when
        dithered (a colour's pixels can then take different entries). With
        ``source`` it lets :func:`quant.metrics` measure the result per colour
        instead of per pixel.
    pairs : ColorPairs or None
        When dithered: the distinct (colour of ``source``, palette entry) pairs and
        their pixel counts, which :func:`quant.metrics` measures instead of pixels.
    pinned : (k,) bool array
        True for the pins (``fixed``): entries given by the caller, exactly as given,
        the others fitted around them. They are kept even when no pixel takes them
        (count 0, at the end). All False without pins, and for a palette mapped as
        it is (:func:`quant.map_to_palette`, whose entries are all kept).
    alpha : (k,) uint8 array
        The opacity of each entry, 0 (transparent) to 255 (opaque); 255 for every
        entry of a result of an RGB image. Read-only.
    transparency : Transparency or None
        For an RGBA original: where its transparent and partly transparent pixels went
        (and then ``source``, ``color_labels`` and ``pairs`` are about its opaque
        pixels only); None for an RGB one.
    """

    palette: np.ndarray
    labels: np.ndarray
    image: np.ndarray
    counts: np.ndarray
    mse: float
    method: str
    space: str
    n_colors: int
    dither: float
    seed: int
    seconds: float
    source: ColorHistogram | None = field(default=None, repr=False)
    color_labels: np.ndarray | None = field(default=None, repr=False)
    pairs: ColorPairs | None = field(default=None, repr=False)
    dither_kind: str = "diffusion"
    pinned: np.ndarray = field(default=None, repr=False)  # type: ignore[assignment]
    alpha: np.ndarray = field(default=None, repr=False)  # type: ignore[assignment]
    transparency: Transparency | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        _default_pinned(self)

    @property
    def k(self) -> int:
        """Number of colours actually used."""
        return int(self.palette.shape[0])


def _default_pinned(result: Quantized | PaletteFit) -> None:
    """Set a result's ``pinned`` to all False and its ``alpha`` to all 255 (read-only)
    when they were not given."""
    if result.pinned is None:
        pinned = np.zeros(result.palette.shape[0], dtype=bool)
        pinned.flags.writeable = False
        object.__setattr__(result, "pinned", pinned)
    if result.alpha is None:
        alpha = np.full(result.palette.shape[0], 255, dtype=np.uint8)
        alpha.flags.writeable = False
        object.__setattr__(result, "alpha", alpha)


@dataclass(frozen=True, eq=False)
class PaletteFit:
    """A palette fitted to an image and where each of its distinct colours goes, without
    any per-pixel array: what an interactive view needs, a few megabytes at most.

    Attributes
    ----------
    palette : (k, 3) uint8 array
        The colours, without duplicates (unless edited by :func:`quant.recolor`),
        ordered by pixel share (nearest-colour mapping), largest first. Entries no
        colour is nearest to are dropped, but for the pins (``pinned``) and a given
        palette's (method ``"palette"``), which are kept at the end.
    counts : (k,) int64 array
        Pixels per palette entry when every pixel takes its nearest entry, decreasing.
    color_labels : (n,) uint8 array
        Index into ``palette`` of each distinct colour of ``source``.
    source : ColorHistogram or None
        The image's distinct colours and their pixel counts (for an RGBA image: its
        opaque pixels', None if it has none).
    mse : float
        Mean squared error of the nearest-colour reconstruction, exactly (premultiplied
        RGBA for an RGBA image, as in :class:`Quantized`).
    method, space, n_colors, seed, seconds
        As in :class:`Quantized`; ``seconds`` is the time of the fit.
    shape : (int, int)
        Height and width of the image fitted.
    pinned : (k,) bool array
        As in :class:`Quantized`: the entries given exactly by the caller.
    alpha : (k,) uint8 array
        As in :class:`Quantized`: each entry's opacity, all 255 for an RGB image.
    transparency : Transparency or None
        As in :class:`Quantized`.
    """

    palette: np.ndarray
    counts: np.ndarray
    color_labels: np.ndarray = field(repr=False)
    source: ColorHistogram = field(repr=False)
    mse: float
    method: str
    space: str
    n_colors: int
    seed: int
    seconds: float
    shape: tuple[int, int]
    pinned: np.ndarray = field(default=None, repr=False)  # type: ignore[assignment]
    alpha: np.ndarray = field(default=None, repr=False)  # type: ignore[assignment]
    transparency: Transparency | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        _default_pinned(self)

    @property
    def k(self) -> int:
        """Number of colours actually used."""
        return int(self.palette.shape[0])
