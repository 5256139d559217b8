"""Published palettes by name: PICO-8, Game Boy, CGA, EGA, HTML 4 and web-safe colours.

A person who wants a picture in the colours of a console or an old graphics card
picks the palette by name rather than fitting one. :data:`PALETTES` maps each name
to a read-only (n, 3) uint8 array and :data:`PALETTE_LABELS` gives the label to show
for it. Each palette's source is noted beside it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import product
from types import MappingProxyType

import numpy as np

from quant.colors import freeze

__all__ = ["PALETTES", "PALETTE_LABELS"]


def _preset(colours: Sequence[str] | Sequence[tuple[int, int, int]]) -> np.ndarray:
    rows = [(int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)) if isinstance(c, str) else c for c in colours]
    return freeze(np.array(rows, dtype=np.uint8).reshape(-1, 3))


# The EGA's 6-bit colour index is rgbRGB: bits 0-2 add 0xAA to blue, green and red,
# bits 3-5 add 0x55 to them; listed in index order.
_EGA = [
    (0xAA * (i >> 2 & 1) + 0x55 * (i >> 5 & 1), 0xAA * (i >> 1 & 1) + 0x55 * (i >> 4 & 1), 0xAA * (i & 1) + 0x55 * (i >> 3 & 1))
    for i in range(64)
]

PALETTES: Mapping[str, np.ndarray] = MappingProxyType(
    {
        # PICO-8 fantasy console, Lexaloffle's published 16 colours in index order.
        "pico-8": _preset(
            "000000 1D2B53 7E2553 008751 AB5236 5F574F C2C3C7 FFF1E8 "
            "FF004D FFA300 FFEC27 00E436 29ADFF 83769C FF77A8 FFCCAA".split()
        ),
        # Nintendo Game Boy (DMG): the four greens as commonly published, darkest first.
        "game-boy": _preset("0F380F 306230 8BAC0F 9BBC0F".split()),
        # IBM CGA / RGBI 16 colours in index order (colour 6 is brown, AA5500).
        "cga": _preset(
            "000000 0000AA 00AA00 00AAAA AA0000 AA00AA AA5500 AAAAAA "
            "555555 5555FF 55FF55 55FFFF FF5555 FF55FF FFFF55 FFFFFF".split()
        ),
        # IBM EGA: all 64 colours of its 2-bit-per-channel DAC, in hardware index order.
        "ega": _preset(_EGA),
        # The 16 colour names of HTML 4.01 (section 6.5), in the specification's order.
        "html-16": _preset(
            "000000 C0C0C0 808080 FFFFFF 800000 FF0000 800080 FF00FF "
            "008000 00FF00 808000 FFFF00 000080 0000FF 008080 00FFFF".split()
        ),
        # The web-safe palette: every combination of 00 33 66 99 CC FF, red slowest.
        "web-safe": _preset(list(product(range(0, 256, 51), repeat=3))),
    }
)
"""Published palettes by name: read-only (n, 3) uint8 arrays that cannot be made
writeable. Names are lower case with hyphens; :data:`PALETTE_LABELS` has display labels."""

PALETTE_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "pico-8": "PICO-8 (16 colours)",
        "game-boy": "Game Boy (4 colours)",
        "cga": "CGA (16 colours)",
        "ega": "EGA (64 colours)",
        "html-16": "HTML 4 basic colours (16 colours)",
        "web-safe": "Web-safe (216 colours)",
    }
)
"""Display label of each name in :data:`PALETTES`, e.g. ``"PICO-8 (16 colours)"``."""
