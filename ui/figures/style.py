"""What the dashboard's figures share: the backdrop behind colour points, the channel
names, the methods' line colours and how a centre's marker grows with its share."""

from __future__ import annotations

import numpy as np

__all__ = ["BACKDROP", "CHANNELS", "LINE_COLORS", "SCENE_AXIS", "centre_sizes"]

CHANNELS = ("red", "green", "blue")
BACKDROP = "#c9c9c9"
SCENE_AXIS = {"backgroundcolor": BACKDROP, "showbackground": True, "gridcolor": "#e6e6e6"}
"""Mid grey behind the colour points, so that whites and blacks both stand out."""
LINE_COLORS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#a6761d")
"""Qualitative colours (ColorBrewer Dark2) for the methods' lines, in order."""


def centre_sizes(counts: np.ndarray, *, smallest: float, largest: float) -> np.ndarray:
    """Marker sizes whose *area* grows with a centre's pixel share."""
    share = np.asarray(counts, dtype=np.float64)
    share = share / max(float(share.sum()), 1.0)
    return smallest + (largest - smallest) * np.sqrt(share / max(float(share.max()), 1e-12))
