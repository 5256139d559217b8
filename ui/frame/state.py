"""Session-state keys, their defaults and the per-visitor values built from them.

This is the one place that names what the dashboard remembers for a visitor. ``app.py``
calls :func:`init` at the top of every run; widgets are created with these keys and no
default of their own, so the defaults below are the only ones. The browser tests find
widgets by these keys (``.st-key-<key>``), so they must not change.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

import quant
from quant.palette_files import PALETTE_LABELS

__all__ = [
    "CLOUD_BY_CENTRE",
    "CLOUD_K",
    "COMPARE_LOG",
    "COMPARE_METRIC",
    "COMPARE_TARGET",
    "DEFAULTS",
    "DITHER",
    "DITHER_KIND",
    "DITHER_KIND_LABELS",
    "DITHER_STRENGTH",
    "HEATMAP_CHOICE",
    "IMAGE",
    "METHOD",
    "MAX_PINS",
    "METHOD_LABELS",
    "PALETTE",
    "PALETTE_COMPUTED",
    "PALETTE_FILE",
    "PALETTE_FROM_FILE",
    "PALETTE_REJECTED",
    "BROUGHT_FILE",
    "PINS",
    "PIN_ERROR",
    "PIN_HEX",
    "PIN_PICKER",
    "ENTRY_CHOICE",
    "ENTRY_COLOR",
    "ENTRY_EDITS",
    "ENTRY_SORT",
    "ENTRY_TILE",
    "KEPT_WIDGET_KEYS",
    "RECON_DETAIL_TILE",
    "RECON_DETAIL_X",
    "RECON_DETAIL_Y",
    "RECON_DETAIL_VIEW",
    "RECON_DETAIL_ZOOM",
    "RECON_RANDOM",
    "RECON_SIZES",
    "PENDING_UPLOAD",
    "QUALITY_TARGET",
    "REJECTED_UPLOAD",
    "SEED",
    "SIDEBAR_METHODS",
    "SOURCE",
    "SPACE",
    "SPACE_LABELS",
    "STEPS_INIT",
    "STEPS_K",
    "STEPS_NEW_SEED",
    "STEPS_SEED",
    "UPLOAD",
    "UPLOADED",
    "UPLOAD_SOURCE",
    "ImageRef",
    "Settings",
    "brought_palette",
    "current_image",
    "init",
    "settings",
]

# Sidebar, drawn by app.py on every page.
SOURCE = "source"
UPLOAD = "upload"
METHOD = "method"
SPACE = "space"
DITHER = "dither"
DITHER_STRENGTH = "dither_strength"
DITHER_KIND = "dither_kind"
SEED = "seed"
PALETTE = "palette"
"""Where palettes come from: :data:`PALETTE_COMPUTED`, a name of ``quant.PALETTES``, or
:data:`PALETTE_FROM_FILE`."""
PALETTE_FILE = "palette_file"
"""The palette file uploader."""
PIN_PICKER = "pin_picker"
PIN_HEX = "pin_hex"

# Page controls: see init() for how they survive page switches.
CLOUD_K = "cloud_k"
CLOUD_BY_CENTRE = "cloud_by_centre"
RECON_SIZES = "recon_sizes"
RECON_RANDOM = "recon_random"
RECON_DETAIL_TILE = "recon_detail_tile"
RECON_DETAIL_ZOOM = "recon_detail_zoom"
RECON_DETAIL_VIEW = "recon_detail_view"
RECON_DETAIL_X = "recon_detail_x"
RECON_DETAIL_Y = "recon_detail_y"
COMPARE_METRIC = "compare_metric"
COMPARE_LOG = "compare_log"
COMPARE_TARGET = "compare_target"
HEATMAP_CHOICE = "heatmap_choice"
QUALITY_TARGET = "quality_target"
STEPS_K = "steps_k"
STEPS_INIT = "steps_init"
STEPS_SEED = "steps_seed"
STEPS_NEW_SEED = "steps_new_seed"
"""The "new seed" button of the k-means step by step page (a button keeps no value)."""
ENTRY_TILE = "entry_tile"
ENTRY_CHOICE = "entry_choice"
ENTRY_SORT = "entry_sort"
ENTRY_COLOR = "entry_color"
"""The colour picker of the chosen entry; set to the entry's colour before it is drawn."""

# Not widgets.
IMAGE = "image"
"""The :class:`ImageRef` in use; a bad upload leaves it as it was."""
UPLOADED = "uploaded"
"""The :class:`ImageRef` of the last upload that could be read, or None."""
REJECTED_UPLOAD = "rejected_upload"
"""Why the last uploaded file could not be used, or None."""
PENDING_UPLOAD = "pending_upload"
"""The :class:`ImageRef` of a file just uploaded and not yet decoded, or None."""
PINS = "pins"
"""The pinned colours, a tuple of "#rrggbb" strings in the order they were pinned."""
PIN_ERROR = "pin_error"
"""Why the colours last typed could not be pinned, or None."""
BROUGHT_FILE = "brought_file"
"""The palette file last read: (file name, tuple of "#rrggbb"), or None."""
PALETTE_REJECTED = "palette_rejected"
"""Why the last palette file could not be used, or None."""
ENTRY_EDITS = "entry_edits"
"""Edited palette entries: {tile identity: {entry index: "#rrggbb"}}."""

PALETTE_COMPUTED = "computed"
PALETTE_FROM_FILE = "file"
MAX_PINS = 16
"""Most colours a visitor can pin; a palette of k colours uses the first k - 1 of them."""

UPLOAD_SOURCE = "upload"
"""The ``SOURCE`` option meaning "the uploaded file" rather than a sample."""

METHOD_LABELS: dict[str, str] = {
    "kmeans": "k-means",
    "minibatch": "MiniBatch k-means",
    "median-cut": "median cut",
    "octree": "octree",
    "random": "random",
    "palette": "your palette, mapped",
}
"""Every quant method -> how the dashboard names it."""

SIDEBAR_METHODS = ("kmeans", "minibatch", "median-cut", "octree")
"""Methods offered in the sidebar; "random" is only a baseline on the pages."""

SPACE_LABELS: dict[str, str] = {"rgb": "RGB", "lab": "Lab"}

DITHER_KIND_LABELS: dict[str, str] = {"diffusion": "Error diffusion", "ordered": "Ordered (Bayer 8 × 8)"}

DEFAULTS: dict[str, object] = {
    SOURCE: "china",
    METHOD: "kmeans",
    SPACE: "rgb",
    DITHER: False,
    DITHER_STRENGTH: 1.0,
    DITHER_KIND: "diffusion",
    SEED: 0,
    PALETTE: PALETTE_COMPUTED,
    PIN_PICKER: "#ff0000",
    PIN_HEX: "",
    PINS: (),
    PIN_ERROR: None,
    BROUGHT_FILE: None,
    PALETTE_REJECTED: None,
    ENTRY_EDITS: {},
    ENTRY_TILE: 0,
    ENTRY_CHOICE: 0,
    ENTRY_SORT: "share",
    CLOUD_K: 16,
    CLOUD_BY_CENTRE: False,
    RECON_SIZES: [16, 32, 64],
    RECON_RANDOM: True,
    RECON_DETAIL_TILE: 0,
    RECON_DETAIL_ZOOM: 1,
    RECON_DETAIL_VIEW: "side",
    RECON_DETAIL_X: 50,
    RECON_DETAIL_Y: 50,
    COMPARE_METRIC: "delta_e",
    COMPARE_LOG: True,
    COMPARE_TARGET: 4.0,
    QUALITY_TARGET: None,
    HEATMAP_CHOICE: ("kmeans", 16),
    STEPS_K: 8,
    STEPS_INIT: "k-means++",
    STEPS_SEED: 0,
    UPLOADED: None,
    REJECTED_UPLOAD: None,
    PENDING_UPLOAD: None,
}

KEPT_WIDGET_KEYS = (
    SOURCE, METHOD, SPACE, DITHER, DITHER_STRENGTH, DITHER_KIND, SEED, PALETTE, PIN_PICKER, PIN_HEX,
    ENTRY_TILE, ENTRY_CHOICE, ENTRY_SORT,
    CLOUD_K, CLOUD_BY_CENTRE, RECON_SIZES, RECON_RANDOM, COMPARE_METRIC, HEATMAP_CHOICE,
    RECON_DETAIL_TILE, RECON_DETAIL_ZOOM, RECON_DETAIL_VIEW, RECON_DETAIL_X, RECON_DETAIL_Y,
    STEPS_K, STEPS_INIT, STEPS_SEED,
    COMPARE_LOG, COMPARE_TARGET, QUALITY_TARGET,
)
"""Widgets whose value :func:`init` keeps alive; not the uploader, which Streamlit
does not let the Session State API set."""


@dataclass(frozen=True)
class ImageRef:
    """Enough to identify an image and to decode it again.

    Attributes
    ----------
    digest : str
        Content digest: ``quant.image_digest`` of a sample's pixels, or blake2b of an
        uploaded file's bytes. Cache keys use it instead of the pixels.
    name : str
        What to call the image on screen and in download file names.
    sample : str or None
        Key of a bundled sample, or None for an upload.
    raw : bytes
        The uploaded file's bytes (empty for a sample), kept so the picture can be
        decoded again after its cache entry is evicted.
    """

    digest: str
    name: str
    sample: str | None = None
    raw: bytes = b""

    def __repr__(self) -> str:
        # The default repr would print megabytes of file bytes into logs.
        return f"ImageRef(name={self.name!r}, digest={self.digest[:12]}…)"


@dataclass(frozen=True)
class Settings:
    """The sidebar's quantization choices."""

    method: str
    space: str
    dither: float
    """Dithering strength passed to ``quant.quantize``: 0.0 when the toggle is off."""
    seed: int
    dither_kind: str = "diffusion"
    """``quant.quantize``'s ``dither_kind``; "diffusion" when not dithered, so that an
    undithered result has one key whatever the hidden pattern control says."""
    pins: tuple[str, ...] = ()
    """Pinned colours ("#rrggbb"), kept exactly in every computed palette."""
    palette: tuple[str, ...] = ()
    """The palette the visitor brought ("#rrggbb" entries), or empty."""
    palette_name: str = ""
    """What to call the brought palette: a preset's label or the file's name."""

    def pins_for(self, n_colors: int) -> tuple[str, ...]:
        """The pins a palette of ``n_colors`` holds: the first ``n_colors - 1``, so that
        at least one entry is fitted to the picture."""
        return self.pins[: max(0, int(n_colors) - 1)]


def init() -> None:
    """Give every key its default the first time a session runs; keep widget values.

    Streamlit forgets a widget's value once a run does not draw it, so a page's
    controls would reset on every visit to another page. Writing each value back
    through the Session State API at the start of every run makes it ordinary state,
    which is kept (the documented way, and it works on every Streamlit version we
    support). Widgets are therefore created with a key and no default of their own.
    """
    for key, value in DEFAULTS.items():
        if key not in st.session_state:
            st.session_state[key] = value
    for key in KEPT_WIDGET_KEYS:
        st.session_state[key] = st.session_state[key]


def brought_palette() -> tuple[str, tuple[str, ...]]:
    """(name, "#rrggbb" entries) of the palette the visitor chose to bring, or ("", ())
    when palettes are computed (or the chosen file could not be read)."""
    choice = st.session_state[PALETTE]
    if choice == PALETTE_FROM_FILE:
        brought = st.session_state[BROUGHT_FILE]
        return (brought[0], brought[1]) if brought else ("", ())
    if choice in quant.PALETTES:
        return PALETTE_LABELS.get(choice, choice), tuple(quant.palette_hex(quant.PALETTES[choice]))
    return "", ()


def settings() -> Settings:
    """Read the sidebar's method, colour space, dithering, seed, pins and palette."""
    palette_name, palette = brought_palette()
    return Settings(
        pins=tuple(st.session_state[PINS]),
        palette=palette,
        palette_name=palette_name,
        method=st.session_state[METHOD],
        space=st.session_state[SPACE],
        dither=float(st.session_state[DITHER_STRENGTH]) if st.session_state[DITHER] else 0.0,
        seed=int(st.session_state[SEED]),
        dither_kind=str(st.session_state[DITHER_KIND]) if st.session_state[DITHER] else "diffusion",
    )


def current_image() -> ImageRef:
    """The image the pages show; set by the sidebar before any page runs."""
    return st.session_state[IMAGE]
