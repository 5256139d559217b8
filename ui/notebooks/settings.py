"""What a view depends on, checked once, and the dashboard's numbers a notebook repeats.

:class:`NotebookSettings` holds every choice that defines one page's view (the
sidebar's and the page's own controls), with the dashboard's defaults
(``ui/frame/state.py``). :func:`checked` validates it at the public edge of the
package, so the cell builders can put its values into code as plain literals.

The constants below are the work sizes and options the pages use (``ui/compute/``,
``ui/frame/state.py`` and the pages' own constants). They are repeated here, not
imported, because this package must not import Streamlit, which those modules do;
``tests/test_notebooks.py`` checks that both say the same.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, replace

import quant
from ui.frame.samples import SAMPLES

__all__ = [
    "ALPHA_SAMPLES",
    "BASELINES",
    "CLOUD_SAMPLES",
    "COMPARE_MEASURES",
    "COMPARE_SIZES",
    "COMPARE_TARGETS",
    "EMBED_LIMIT",
    "MAX_TILES",
    "PAGES",
    "RANDOM_SIZE",
    "SAMPLES",
    "SIDEBAR_METHODS",
    "STEPS_BATCH_SIZE",
    "STEPS_MAX_ITER",
    "STEPS_TABLE_MAX_ITER",
    "STEPS_TABLE_PIXELS",
    "STEPS_TABLE_SEEDS",
    "STORAGE_SIZES",
    "UPLOAD",
    "WORK_PIXELS",
    "NotebookSettings",
    "brought_hex",
    "checked",
    "notebook_file_name",
    "preset_hex",
    "safe_file_name",
]

PAGES = ("image", "colour_space", "kmeans_steps", "reconstructions", "compare")
"""Pages a notebook can reproduce, by the URL path of the page (``pages/<name>.py``)."""

UPLOAD = "upload"
"""``NotebookSettings.image`` for the visitor's own file."""

ALPHA_SAMPLES = ("logo",)
"""The samples with transparency: :func:`ui.frame.samples.load_sample` gives them as RGBA."""

SIDEBAR_METHODS = ("kmeans", "minibatch", "median-cut", "octree")
METHOD_LABELS: dict[str, str] = {
    "kmeans": "k-means",
    "minibatch": "MiniBatch k-means",
    "median-cut": "median cut",
    "octree": "octree",
    "random": "random",
}
SPACE_LABELS: dict[str, str] = {"rgb": "RGB", "lab": "Lab"}

EMBED_LIMIT = 200_000
"""Largest upload (bytes) embedded in the notebook as base64; a larger file is named
in the notebook and the reader puts it beside it."""

STORAGE_SIZES = (16, 32, 64)
"""The Image page's real indexed PNGs."""
CLOUD_SAMPLES = 5000
"""Colours drawn for the Colour space cloud, with seed 0 whatever the sidebar seed."""
RANDOM_SIZE = 32
"""Size of the Reconstructions page's random palette."""
MAX_TILES = 8
"""Most palette sizes the Reconstructions page shows at once."""
WORK_PIXELS = 250_000
"""Pixel budget of the Compare page's working copy (``quant.downscale``)."""
COMPARE_SIZES = (2, 4, 8, 16, 32, 64, 128, 256)
BASELINES = ("kmeans", "median-cut", "octree", "random")
COMPARE_MEASURES = ("delta_e", "mse", "psnr", "ssim")
COMPARE_TARGETS = (1.0, 1.5, 2.0, 2.3, 3.0, 4.0, 5.0, 6.0, 8.0)
STEPS_MAX_ITER = 30
"""Most iterations of a k-means trace on the page."""
STEPS_BATCH_SIZE = 1024
"""Pixels per MiniBatch step (at least k)."""
STEPS_TABLE_PIXELS = 60_000
STEPS_TABLE_MAX_ITER = 100
STEPS_TABLE_SEEDS = tuple(range(10))

_MAX_SEED = 2**31 - 1
"""The sidebar's largest seed (``quant`` accepts more)."""
_MAX_NAME = 120
"""Longest file name kept in a notebook, in characters."""
_HEX = re.compile(r"#[0-9a-fA-F]{6}")
_MAX_BROUGHT = quant.MAX_COLORS
"""Most colours of a brought palette: as many as ``quant.map_to_palette`` takes."""


@dataclass(frozen=True)
class NotebookSettings:
    """Everything one page's view depends on, as the dashboard had it.

    The defaults are the dashboard's (``state.DEFAULTS``). Only the fields of the page
    asked for reach its notebook: the sidebar's for every page, ``k`` and
    ``by_centre`` for Colour space, ``sizes`` … ``quality_target`` for
    Reconstructions, ``steps_k`` … ``steps_seed`` for k-means step by step, and
    ``measure`` … ``heatmap`` for Compare.

    Attributes
    ----------
    image : str
        A sample, ``"china"``, ``"flower"``, ``"sky"`` or ``"logo"``, or ``"upload"``.
    upload_name : str or None
        The uploaded file's name, as the browser sent it: any text. Only a cleaned base
        name (:func:`safe_file_name`) reaches the notebook, as a string literal.
    upload_bytes : bytes or None
        The uploaded file. Embedded (base64) when at most :data:`EMBED_LIMIT` bytes;
        otherwise the notebook says to put the file beside it.
    has_alpha : bool or None
        Whether the picture has transparency, as the dashboard decoded it (an upload
        read with ``quant.load_image(..., keep_alpha=True)`` came back (H, W, 4)): its
        notebook then keeps the alpha (:mod:`ui.notebooks.transparency`). None: found
        out by :func:`checked`; the logo has transparency, the other samples have not,
        and an upload's bytes are decoded to see.
    method, space, seed : str, str, int
        The sidebar's method (``"kmeans"``, ``"minibatch"``, ``"median-cut"``,
        ``"octree"``), colour space (``"rgb"``, ``"lab"``) and seed.
    dither, dither_kind, dither_strength : bool, str, float
        The sidebar's dithering toggle, pattern (``"diffusion"``, ``"ordered"``) and
        strength (0 to 1); the pattern and strength count only when ``dither`` is on.
    k, by_centre : int, bool
        Colour space: the palette size (2–128) and whether points take their centre's colour.
    sizes, with_random, quality_target : tuple of int, bool, float or None
        Reconstructions: the palette sizes (at most 8 of 2–256), whether the random
        32-colour palette is added, and the smallest palette's ΔE target (None: not asked).
    steps_k, start, steps_seed : int, str, int
        k-means step by step: k (2–64), the start (one of ``quant.INITS``) and its seed.
    measure, log_axis, target, heatmap : str, bool, float, (str, int)
        Compare: the error measure drawn, the logarithmic axis, the ΔE target of
        "colours needed" and the reconstruction of the heat map (method, size).
    pins : tuple of str
        ``"#rrggbb"`` colours pinned (the dashboard's ``Settings.pins``). As in the
        dashboard, a computed palette of k colours holds the first k − 1 of them
        (``fixed=``, written only when there are pins), on every page, k-means step by
        step included (its centres that never move).
    palette : str or None
        The name of the preset of ``quant.PALETTES`` the visitor chose, or None.
    palette_colours : tuple of str
        The ``"#rrggbb"`` colours of the palette the visitor brought (the dashboard's
        ``Settings.palette``: a preset's or a palette file's, up to 256; a file's name
        never reaches the notebook). Without them, a preset's colours come from
        ``quant.PALETTES``. A brought palette is the centres on Colour space and a tile
        on Reconstructions, as in the dashboard.
    """

    image: str = "china"
    upload_name: str | None = None
    upload_bytes: bytes | None = None
    has_alpha: bool | None = None
    method: str = "kmeans"
    space: str = "rgb"
    seed: int = 0
    dither: bool = False
    dither_kind: str = "diffusion"
    dither_strength: float = 1.0
    k: int = 16
    by_centre: bool = False
    sizes: tuple[int, ...] = (16, 32, 64)
    with_random: bool = True
    quality_target: float | None = None
    steps_k: int = 8
    start: str = "k-means++"
    steps_seed: int = 0
    measure: str = "delta_e"
    log_axis: bool = True
    target: float = 4.0
    heatmap: tuple[str, int] = ("kmeans", 16)
    pins: tuple[str, ...] = ()
    palette: str | None = None
    palette_colours: tuple[str, ...] = ()

    def __repr__(self) -> str:
        # The default repr would print the whole uploaded file into logs.
        size = "None" if self.upload_bytes is None else f"<{len(self.upload_bytes):,} bytes>"
        return f"NotebookSettings(image={self.image!r}, upload_name={self.upload_name!r}, upload_bytes={size}, …)"

    @property
    def strength(self) -> float:
        """The dithering strength ``quant.quantize`` gets: 0.0 when dithering is off."""
        return float(self.dither_strength) if self.dither else 0.0

    @property
    def kind(self) -> str:
        """``quant.quantize``'s ``dither_kind``: ``"diffusion"`` when not dithered."""
        return self.dither_kind if self.dither else "diffusion"

    @property
    def embedded(self) -> bool:
        """Whether the uploaded file travels inside the notebook."""
        return self.image == UPLOAD and self.upload_bytes is not None and len(self.upload_bytes) <= EMBED_LIMIT

    @property
    def compare_methods(self) -> tuple[str, ...]:
        """The Compare page's methods: the sidebar's joins the four when it is not one of them."""
        return BASELINES if self.method in BASELINES else (self.method, *BASELINES)


def _whole(value: object, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high}, got {value!r}.")
    return value


def _one_of(value: object, name: str, options: tuple[str, ...] | dict[str, str]) -> str:
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, options))}, got {value!r}.")
    return value


def _number(value: object, name: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or not low <= value <= high:
        raise ValueError(f"{name} must be a number from {low:g} to {high:g}, got {value!r}.")
    return float(value)


def checked(page: str, settings: NotebookSettings) -> NotebookSettings:
    """``settings``, validated for ``page``; every value is then safe to write as a literal.

    Parameters
    ----------
    page : str
        One of :data:`PAGES`.
    settings : NotebookSettings
        The view's choices.

    Returns
    -------
    NotebookSettings
        The same settings, with ``sizes`` sorted and without repeats (as the page shows
        them), ``pins`` in lower case and ``has_alpha`` True or False.

    Raises
    ------
    ValueError
        For a page, option or number the dashboard does not offer, naming what was
        received and what is accepted.
    """
    _one_of(page, "page", PAGES)
    if not isinstance(settings, NotebookSettings):
        raise TypeError(f"settings must be a NotebookSettings, got {type(settings).__name__}.")
    _one_of(settings.image, "image", (*SAMPLES, UPLOAD))
    if settings.image == UPLOAD and settings.upload_name is None and settings.upload_bytes is None:
        raise ValueError("image is 'upload', but neither upload_name nor upload_bytes was given.")
    if settings.upload_name is not None and not isinstance(settings.upload_name, str):
        raise ValueError(f"upload_name must be text or None, got {type(settings.upload_name).__name__}.")
    if settings.upload_bytes is not None and not isinstance(settings.upload_bytes, (bytes, bytearray)):
        raise ValueError(f"upload_bytes must be bytes or None, got {type(settings.upload_bytes).__name__}.")
    for name in ("dither", "by_centre", "with_random", "log_axis"):
        if not isinstance(getattr(settings, name), bool):
            raise ValueError(f"{name} must be True or False, got {getattr(settings, name)!r}.")
    _one_of(settings.method, "method", SIDEBAR_METHODS)
    _one_of(settings.space, "space", tuple(SPACE_LABELS))
    _whole(settings.seed, "seed", 0, _MAX_SEED)
    _one_of(settings.dither_kind, "dither_kind", quant.DITHER_KINDS)
    _number(settings.dither_strength, "dither_strength", 0.0, 1.0)
    _whole(settings.k, "k", 2, 128)
    sizes = tuple(sorted({_whole(size, "each of sizes", 2, quant.MAX_COLORS) for size in settings.sizes}))
    if len(sizes) > MAX_TILES:
        raise ValueError(f"sizes holds at most {MAX_TILES} palette sizes, got {len(sizes)}.")
    if settings.quality_target is not None:
        _number(settings.quality_target, "quality_target", 0.5, 20.0)
    _whole(settings.steps_k, "steps_k", 2, 64)
    _one_of(settings.start, "start", quant.INITS)
    _whole(settings.steps_seed, "steps_seed", 0, _MAX_SEED)
    _one_of(settings.measure, "measure", COMPARE_MEASURES)
    if settings.target not in COMPARE_TARGETS:
        raise ValueError(f"target must be one of {', '.join(f'{t:g}' for t in COMPARE_TARGETS)}, got {settings.target!r}.")
    heatmap = tuple(settings.heatmap)
    if len(heatmap) != 2 or heatmap[0] not in settings.compare_methods or heatmap[1] not in COMPARE_SIZES:
        raise ValueError(
            f"heatmap must be (method, size) with the method one of {', '.join(settings.compare_methods)} "
            f"and the size one of {', '.join(map(str, COMPARE_SIZES))}, got {settings.heatmap!r}."
        )
    pins = _hex_colours(settings.pins, "pins")
    brought = _hex_colours(settings.palette_colours, "palette_colours")
    if len(brought) > _MAX_BROUGHT:
        raise ValueError(f"palette_colours holds at most {_MAX_BROUGHT:,} colours, got {len(brought):,}.")
    if settings.palette is not None:
        preset_hex(settings.palette)
    return replace(
        settings, sizes=sizes, pins=pins, palette_colours=brought, heatmap=(str(heatmap[0]), int(heatmap[1])),
        has_alpha=_has_alpha(settings),
    )


def _has_alpha(settings: NotebookSettings) -> bool:
    """Whether the view's picture has transparency (see ``NotebookSettings.has_alpha``)."""
    given = settings.has_alpha
    if given is not None and not isinstance(given, bool):
        raise ValueError(f"has_alpha must be True, False or None, got {given!r}.")
    if settings.image != UPLOAD:
        sample_alpha = settings.image in ALPHA_SAMPLES
        if given is not None and given != sample_alpha:
            raise ValueError(f"has_alpha must be {sample_alpha} or None for the sample {settings.image!r}, got {given!r}.")
        return sample_alpha
    if given is not None:
        return given
    if not settings.upload_bytes:
        return False  # only a name: the file is not here to look at
    try:
        # Decoded as the dashboard decodes an upload: RGBA only with some alpha below 255.
        return quant.load_image(bytes(settings.upload_bytes), keep_alpha=True).shape[-1] == 4
    except quant.ImageError:
        return False  # the dashboard could not read it either; the notebook will say why


def _hex_colours(colours: tuple[str, ...], name: str) -> tuple[str, ...]:
    checked_colours = tuple(c.lower() for c in colours if isinstance(c, str) and _HEX.fullmatch(c))
    if len(checked_colours) != len(colours):
        raise ValueError(f"{name} must be colours written '#rrggbb', got {colours!r}.")
    return checked_colours


def brought_hex(settings: NotebookSettings) -> list[str]:
    """The colours of the palette the visitor brought, as the dashboard uses them, or []."""
    if settings.palette_colours:
        return list(settings.palette_colours)
    return preset_hex(settings.palette) if settings.palette is not None else []


def preset_hex(name: str) -> list[str]:
    """The colours of the preset palette ``name`` of ``quant.PALETTES``, as ``"#rrggbb"``.

    The notebook gets the colours themselves, so it runs wherever ``quant`` does,
    whatever form the presets take there (hex text or RGB triples).

    Raises
    ------
    ValueError
        If ``quant`` has no preset of that name (or no presets yet).
    """
    presets = getattr(quant, "PALETTES", {})
    if not isinstance(name, str) or name not in presets:
        offered = ", ".join(map(repr, presets)) or "none yet"
        raise ValueError(f"palette must be a preset of quant.PALETTES ({offered}), got {name!r}.")
    colours = []
    for colour in presets[name]:
        if isinstance(colour, str):
            text = colour if colour.startswith("#") else f"#{colour}"
            if not _HEX.fullmatch(text):
                raise ValueError(f"preset {name!r} holds {colour!r}, not a colour written '#rrggbb'.")
            colours.append(text.lower())
        else:
            red, green, blue = (int(channel) for channel in colour)
            colours.append(f"#{red:02x}{green:02x}{blue:02x}")
    return colours


def safe_file_name(name: str | None) -> str:
    """A visitor's file name reduced to something harmless to write into a notebook.

    The base name only (anything up to the last ``/`` or ``\\`` goes), without control,
    format (bidirectional overrides), surrogate or line-separator characters, without
    leading dots and surrounding spaces, at most 120 characters with the extension
    kept; ``"image.png"`` when nothing is left. The result still goes into the notebook
    only through ``repr()``, as a string literal.

    Examples
    --------
    >>> safe_file_name("../../etc/passwd")
    'passwd'
    >>> safe_file_name(" cat\u202e.jpg ")
    'cat.jpg'
    """
    base = re.split(r"[/\\]", name or "")[-1]
    kept = "".join(c for c in base if unicodedata.category(c)[0] != "C" and unicodedata.category(c) not in ("Zl", "Zp"))
    kept = kept.strip().lstrip(".").strip()
    if len(kept) > _MAX_NAME:
        stem, dot, extension = kept.rpartition(".")
        extension = extension if dot and len(extension) <= 10 else ""
        kept = kept[: _MAX_NAME - len(extension) - 1].rstrip() + ("." + extension if extension else "")
    return kept or "image.png"


def notebook_file_name(page: str, settings: NotebookSettings) -> str:
    """A download name such as ``"china-reconstructions.ipynb"``: ASCII letters, digits,
    ``-`` and ``_`` only, whatever the uploaded file was called."""
    _one_of(page, "page", PAGES)
    if settings.image == UPLOAD:
        stem = safe_file_name(settings.upload_name).rpartition(".")[0] or "image"
    else:
        stem = settings.image
    stem = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "-" for c in stem)[:60].strip("-") or "image"
    return f"{stem}-{page.replace('_', '-')}.ipynb"
