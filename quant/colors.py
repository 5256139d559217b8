"""An image's colours as a histogram: exact distinct-colour counts, fast.

The notebook counts colours with ``np.unique(pixels, axis=0)``, which sorts every
pixel: seconds on a 12-megapixel photo. Packing each pixel into one 24-bit integer
``r << 16 | g << 8 | b`` turns the same question into ``np.bincount`` over 2**24
bins, a single linear pass. Everything that works on "the image's colours" (the
k-means palette engine, the 3D point cloud, the metrics) starts from here.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from quant.loading import check_image
from quant.parallel import for_each_block, map_in_parallel

__all__ = [
    "ColorHistogram",
    "analyse",
    "freeze",
    "ColorSample",
    "color_histogram",
    "count_colors",
    "pack_colors",
    "sample_colors",
    "unpack_colors",
]

N_CODES = 1 << 24
"""Number of distinct 24-bit RGB colours, the length of a full colour table."""


@dataclass(frozen=True, eq=False)
class ColorHistogram:
    """The distinct colours of an image and how many pixels have each.

    Attributes
    ----------
    colors : (n, 3) uint8 array
        Distinct RGB colours, in increasing order of their packed code
        (the order ``np.unique(pixels, axis=0)`` gives).
    counts : (n,) int64 array
        Pixels of each colour; sums to the image's pixel count.
    codes : (n,) uint32 array
        The packed 24-bit code ``r << 16 | g << 8 | b`` of each colour.
    """

    colors: np.ndarray
    counts: np.ndarray
    codes: np.ndarray

    def __len__(self) -> int:
        return int(self.counts.shape[0])


@dataclass(frozen=True, eq=False)
class ColorSample:
    """A frequency-weighted sample of an image's distinct colours.

    Attributes
    ----------
    colors : (m, 3) uint8 array
        Distinct colours, drawn without replacement with probability
        proportional to their pixel count.
    counts : (m,) int64 array
        The pixel count of each sampled colour in the whole image.
    """

    colors: np.ndarray
    counts: np.ndarray


def pack_colors(image: np.ndarray) -> np.ndarray:
    """Pack each RGB pixel into one 24-bit integer ``r << 16 | g << 8 | b``.

    Parameters
    ----------
    image : (..., 3) uint8 array
        An image or a list of colours.

    Returns
    -------
    codes : uint32 array
        One code per pixel, flattened: shape ``(image.size // 3,)``.
    """
    flat = np.ascontiguousarray(image, dtype=np.uint8).reshape(-1, 3)
    codes = np.empty(flat.shape[0], dtype=np.uint32)

    def pack_in(start: int, stop: int) -> None:
        block = codes[start:stop]
        np.copyto(block, flat[start:stop, 0])
        block <<= 8
        block |= flat[start:stop, 1]
        block <<= 8
        block |= flat[start:stop, 2]

    for_each_block(pack_in, flat.shape[0])
    return codes


def unpack_colors(codes: np.ndarray) -> np.ndarray:
    """Inverse of :func:`pack_colors`: (n,) codes to (n, 3) uint8 colours."""
    codes = np.asarray(codes, dtype=np.uint32)
    colors = np.empty((codes.shape[0], 3), dtype=np.uint8)
    colors[:, 0] = codes >> 16
    colors[:, 1] = (codes >> 8) & 0xFF
    colors[:, 2] = codes & 0xFF
    return colors


_PART_BITS = 3
"""Large histograms are counted in ``2**_PART_BITS`` parts by the codes' top bits."""


def histogram_from_codes(codes: np.ndarray) -> ColorHistogram:
    """The colour histogram of packed codes (see :func:`pack_colors`).

    Prior validation of ``codes`` (uint32 below 2**24) is assumed.

    Notes
    -----
    Millions of codes are counted with ``np.bincount``, one linear pass, instead of
    sorting them. A table of all 2**24 colours would be 128 MB of fresh memory per
    image, and first touches of fresh memory are what dominate on a small virtual
    machine (0.6 s against 0.1 s for the counting itself in a new process on the
    2-core machine of docs/benchmarks.md); so the codes are split by their top three
    bits into eight parts, each counted in a 16 MB table, two parts at a time on two
    cores. That took 0.12-0.14 s for a 12-megapixel photo in a new process there.
    """
    if codes.shape[0] <= 1 << 20:
        present, counts = np.unique(codes, return_counts=True)
        present = present.astype(np.uint32)
    else:
        shift = 24 - _PART_BITS
        parts = (codes >> shift).astype(np.uint8)

        def count_part(part: int) -> tuple[np.ndarray, np.ndarray]:
            selected = codes[parts == part]  # a copy, so it can be shifted in place
            if part:
                selected -= np.uint32(part << shift)
            table = np.bincount(selected, minlength=1 << shift)
            found = np.flatnonzero(table)
            return found.astype(np.uint32) + np.uint32(part << shift), table[found]

        counted = map_in_parallel(count_part, range(1 << _PART_BITS))
        present = np.concatenate([found for found, _ in counted])
        counts = np.concatenate([part_counts for _, part_counts in counted])
    return ColorHistogram(
        colors=unpack_colors(present), counts=counts.astype(np.int64), codes=present
    )


_COMPARE_PIXELS = 1 << 16
"""About how many pixels :func:`_matches_codes` compares at once, to stay in cache."""


def _matches_codes(image: np.ndarray, shape: tuple[int, ...], codes: np.ndarray) -> bool:
    """Whether ``image`` has the given shape and packs to exactly ``codes``, checked in blocks of rows."""
    if image.shape != shape:
        return False
    height, width = shape[:2]
    rows = max(1, _COMPARE_PIXELS // width)
    differs: list[bool] = []

    def compare_in(start: int, stop: int) -> None:
        for top in range(start, stop, rows):
            bottom = min(top + rows, stop)
            if not np.array_equal(pack_colors(image[top:bottom]), codes[top * width : bottom * width]):
                differs.append(True)
                return

    for_each_block(compare_in, height, min_block=rows)
    return not differs


MEMO_IMAGES = 2
"""Large images :func:`analyse` remembers: one per core, so that two jobs on different
images running side by side (a server with two visitors) do not keep evicting each other."""

MEMO_SMALL_IMAGES = 4
"""Images under :data:`MEMO_LARGE_PIXELS` it remembers besides: screen-sized copies
(previews, working copies) are analysed often, and must not evict the large images
whose histograms cost seconds."""

MEMO_LARGE_PIXELS = 1_000_000
"""From this many pixels an image is remembered among the :data:`MEMO_IMAGES` large ones."""

_analyses: list[tuple[tuple[int, ...], np.ndarray, ColorHistogram, weakref.ref | None]] = []
"""(shape, codes, histogram, frozen image) of the last images analysed, most recent
first; the last is a weak reference to a :func:`freeze` d image known to pack to the
codes, or None."""
_analyses_lock = threading.Lock()
_analysing: dict[int, threading.Event] = {}
"""``id`` of each frozen image being analysed now, and the event set when its analysis
is remembered: a second job on the same image waits for it instead of packing it again
(and ending up with a histogram of its own, which results would not recognise)."""


def freeze(image: np.ndarray) -> np.ndarray:
    """A read-only copy of ``image`` that can never be made writeable again.

    Its pixels live in an immutable ``bytes`` object, so numpy refuses to set its
    ``WRITEABLE`` flag (or any view's) back to True. :func:`analyse` can therefore
    recognise it by identity and skip comparing its pixels with the codes it
    remembers (about 0.03 s at 12 MP on every palette, fit and measure of it): a
    caller that makes many palettes of one picture (the dashboard) freezes it once.

    Parameters
    ----------
    image : numpy.ndarray
        Any array; it is copied (C order).

    Returns
    -------
    numpy.ndarray
        Same shape and dtype, equal to ``image``.
    """
    source = np.ascontiguousarray(image)
    return np.frombuffer(source.tobytes(), dtype=source.dtype).reshape(source.shape)


def _is_frozen(image: np.ndarray) -> bool:
    """Whether nothing can ever change ``image``'s pixels: it and every array it views
    are read-only and the memory at the bottom is an immutable ``bytes`` object."""
    base: object = image
    while isinstance(base, np.ndarray):
        if base.flags.writeable:
            return False
        base = base.base
    return isinstance(base, bytes)


def analyse(image: np.ndarray) -> tuple[np.ndarray, ColorHistogram]:
    """Packed codes and colour histogram of an image, remembered for the last two large
    images seen (and the last four small ones).

    Prior validation of ``image`` is assumed (see :func:`quant.loading.check_image`).

    Making several palettes of one picture (16, 32, 64 colours and a random one) is
    the common case, and the histogram is a third of the work of each. The memo keeps
    the packed codes of those images, which determine them exactly, and is used only
    when a new image packs to the very same codes, so a result never depends on what
    was quantized before. A :func:`freeze` d image already found to pack to them is
    recognised by identity, without the comparison, and analysed once when two jobs
    ask for it at the same time: both get the same histogram object, which is how a
    result is known to come from it (:func:`quant.metrics` measures such a result per
    distinct colour instead of per pixel).
    """
    entry = _remembered_by_identity(image)
    if entry is not None:
        return entry
    if not _is_frozen(image):
        return _analysed(image, frozen=False)
    with _analyses_lock:
        running = _analysing.get(id(image))
        if running is None:
            _analysing[id(image)] = mine = threading.Event()
    if running is not None:
        running.wait()
        return analyse(image)  # remembered now (or analysed here if it was let go meanwhile)
    try:
        return _analysed(image, frozen=True)
    finally:
        with _analyses_lock:
            del _analysing[id(image)]
        mine.set()


def _remembered_by_identity(image: np.ndarray) -> tuple[np.ndarray, ColorHistogram] | None:
    """The remembered analysis of this very (frozen) image object, made the most recent."""
    with _analyses_lock:
        for entry in _analyses:
            owner = entry[3]
            if owner is not None and owner() is image:
                _analyses[:] = [entry] + [e for e in _analyses if e is not entry]
                return entry[1], entry[2]
    return None


def _analysed(image: np.ndarray, *, frozen: bool) -> tuple[np.ndarray, ColorHistogram]:
    """:func:`analyse` of an image not known by identity: a remembered analysis whose
    codes it packs to, or a new one, remembered."""
    with _analyses_lock:
        remembered = list(_analyses)
    for shape, codes, histogram, owner in remembered:
        if _matches_codes(image, shape, codes):
            if frozen:
                owner = weakref.ref(image)
            with _analyses_lock:
                _analyses[:] = [(shape, codes, histogram, owner)] + [e for e in _analyses if e[1] is not codes]
            return codes, histogram
    codes = pack_colors(image)
    histogram = histogram_from_codes(codes)
    for array in (codes, histogram.colors, histogram.counts, histogram.codes):
        array.flags.writeable = False
    with _analyses_lock:
        _analyses.insert(0, (image.shape, codes, histogram, weakref.ref(image) if frozen else None))
        _forget_beyond_memo()
    return codes, histogram


def _forget_beyond_memo() -> None:
    """Keep the :data:`MEMO_IMAGES` most recent large analyses and the
    :data:`MEMO_SMALL_IMAGES` most recent small ones (the caller holds the lock)."""
    large = small = 0
    kept = []
    for entry in _analyses:
        if entry[1].size >= MEMO_LARGE_PIXELS:
            large += 1
            if large <= MEMO_IMAGES:
                kept.append(entry)
        else:
            small += 1
            if small <= MEMO_SMALL_IMAGES:
                kept.append(entry)
    _analyses[:] = kept


T = TypeVar("T")

_derived: list[tuple[ColorHistogram, dict[str, object]]] = []
"""What other modules made of the histograms of the last images, most recent first."""
_derived_lock = threading.Lock()


def remembered(histogram: ColorHistogram, what: str, make: Callable[[], T]) -> T:
    """``make()``, remembered under ``what`` for the histograms of the last two images.

    :func:`analyse` hands the same (read-only) histogram object to every call on one
    image, so what is derived from it (grids, Lab coordinates) is made once per image.
    """
    with _derived_lock:
        for owner, values in _derived:
            if owner is histogram and what in values:
                return values[what]  # type: ignore[return-value]
    value = make()
    with _derived_lock:
        values = next((values for owner, values in _derived if owner is histogram), None)
        if values is None:
            values = {}
            _derived.insert(0, (histogram, values))
            del _derived[MEMO_IMAGES:]
        values[what] = value
    return value


_forget_hooks: list[Callable[[], None]] = []
"""Called by :func:`forget_images`: other modules' memos derived from these histograms."""


def when_forgetting(hook: Callable[[], None]) -> None:
    """Have :func:`forget_images` call ``hook`` too (for memos kept in other modules)."""
    _forget_hooks.append(hook)


def forget_images() -> None:
    """Drop every remembered image: packed codes, histograms and what was derived from them.

    The memos speed up several palettes of one picture; a server calls this when it
    has been idle for a while, to give their memory (a few hundred megabytes after
    two 12-megapixel photos) back. Results never depend on the memos.
    """
    with _analyses_lock:
        _analyses.clear()
    with _derived_lock:
        _derived.clear()
    for forget in _forget_hooks:
        forget()


def color_histogram(image: np.ndarray) -> ColorHistogram:
    """The distinct colours of an image and their pixel counts, exactly.

    Parameters
    ----------
    image : (H, W, 3) uint8 array
        An RGB image.

    Returns
    -------
    ColorHistogram
        ``colors`` and ``counts``, the same as
        ``np.unique(image.reshape(-1, 3), axis=0, return_counts=True)``.
    """
    return analyse(check_image(image))[1]


def count_colors(image: np.ndarray) -> int:
    """The exact number of distinct colours, as ``len(np.unique(pixels, axis=0))``.

    Parameters
    ----------
    image : (H, W, 3) or (H, W, 4) uint8 array
        An RGB image, or an RGBA one (straight alpha, as :func:`quant.load_image` with
        ``keep_alpha=True`` gives).

    Returns
    -------
    int
        Number of distinct RGB triples among the pixels. For RGBA, the distinct
        (r, g, b, a) values of the pixels one can see, plus one for all the fully
        transparent pixels together when there is any: the colour under alpha 0 is
        not part of the picture (an indexed PNG gives them one entry).

    Examples
    --------
    >>> import numpy as np
    >>> count_colors(np.array([[[0, 0, 0], [255, 0, 0], [0, 0, 0]]], dtype=np.uint8))
    2
    >>> count_colors(np.array([[[0, 0, 0, 0], [9, 9, 9, 0], [255, 0, 0, 128]]], dtype=np.uint8))
    2
    """
    if image.ndim == 3 and image.shape[-1] == 4:
        from quant.alpha import split  # noqa: PLC0415 - quant.alpha imports this module

        check_image(image, alpha=True)
        parts = split(image)
        opaque = 0 if parts.opaque_pixels is None else len(color_histogram(parts.opaque_pixels))
        return opaque + len(parts.partial_colors) + int(parts.n_transparent > 0)
    return len(color_histogram(image))


def sample_colors(image: np.ndarray, n_samples: int = 5000, *, seed: int = 0) -> ColorSample:
    """A frequency-weighted sample of the image's distinct colours, for a point cloud.

    Common colours are likely to be drawn and rare ones still appear, so the cloud
    shows where the pixels are without drawing millions of points.

    Parameters
    ----------
    image : (H, W, 3) uint8 array
        An RGB image.
    n_samples : int, default 5000
        Most colours to return. An image with fewer distinct colours returns all.
    seed : int, default 0
        Seed of the random draw; the same seed gives the same sample.

    Returns
    -------
    ColorSample
        At most ``n_samples`` distinct colours and their pixel counts, most
        frequent first.

    Raises
    ------
    ValueError
        If ``n_samples`` is smaller than 1.
    """
    if int(n_samples) < 1:
        raise ValueError(f"n_samples must be at least 1, got {n_samples}.")
    histogram = color_histogram(image)
    n = len(histogram)
    if n <= n_samples:
        chosen = np.arange(n)
    else:
        rng = np.random.default_rng(seed)
        # Weighted sampling without replacement by exponential keys (Efraimidis–Spirakis):
        # the n_samples smallest -log(u) / w are a draw with probability proportional to w.
        keys = rng.exponential(size=n) / histogram.counts
        chosen = np.argpartition(keys, n_samples - 1)[:n_samples]
    order = chosen[np.argsort(-histogram.counts[chosen], kind="stable")]
    return ColorSample(colors=histogram.colors[order], counts=histogram.counts[order])
