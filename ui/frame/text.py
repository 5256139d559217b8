"""Small text formatters shared by the pages, so numbers read the same everywhere."""

from __future__ import annotations

import math
import re
from pathlib import Path

from ui.frame.state import METHOD_LABELS, SPACE_LABELS

__all__ = [
    "describe",
    "dithering",
    "file_size",
    "file_stem",
    "literal",
    "original_alt",
    "psnr",
    "quote_name",
    "rebuilt_alt",
    "region_words",
    "share",
]


def file_size(n_bytes: float) -> str:
    """``1536`` -> ``"1.5 KB"``: decimal units, as file managers show them."""
    for unit in ("bytes", "KB", "MB"):
        if n_bytes < 1000 or unit == "MB":
            return f"{n_bytes:,.0f} {unit}" if unit == "bytes" else f"{n_bytes:,.1f} {unit}"
        n_bytes /= 1000
    raise AssertionError("unreachable")


def colours(count: int) -> str:
    """``"1 colour"``, ``"2,400 colours"``."""
    return f"{count:,} colour" + ("" if count == 1 else "s")


def share(part: int, whole: int) -> str:
    """``part`` as a percentage of ``whole``: "41.3%", "0%", "100%", and "<0.1%" for a
    part that one decimal would round to nothing."""
    if part == 0 or whole == 0:
        return "0%"
    if part == whole:
        return "100%"
    percent = 100 * part / whole
    if percent < 0.05:
        return "<0.1%"
    return f"{min(percent, 99.9):.1f}%"


def psnr(value: float) -> str:
    """PSNR in dB, or "∞" for an exact copy."""
    return "∞ dB" if math.isinf(value) else f"{value:.1f} dB"


def describe(method: str, space: str, *, dither: float = 0.0, dither_kind: str = "diffusion") -> str:
    """``"k-means in Lab, dithered"``: how a palette was made, in words; a dithering
    strength below 1 is named (``"dithered at 0.5"``), and an ordered pattern
    (``"ordered dither"``)."""
    words = f"{METHOD_LABELS[method]} in {SPACE_LABELS[space]}"
    return f"{words}, {dithering(dither, dither_kind)}" if dither else words


def dithering(dither: float, dither_kind: str = "diffusion") -> str:
    """``"dithered"``, ``"ordered dither at 0.5"``: how a result was dithered, in words;
    empty when it was not."""
    if not dither:
        return ""
    how = "ordered dither" if dither_kind == "ordered" else "dithered"
    return how if dither == 1.0 else f"{how} at {dither:g}"


def file_stem(name: str) -> str:
    """A safe stem for download file names from the image's name."""
    stem = Path(name).stem or "image"
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in stem)


# Streamlit renders captions, alerts and markdown as Markdown with its own extensions
# (LaTeX between dollars, :colour[...] directives). A backslash makes CommonMark show
# punctuation as itself; these are the characters that can start formatting mid-line
# (emphasis, code, links, HTML, entities, tables, strikethrough, maths).
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]<>#|~$&])")


def literal(words: str) -> str:
    """``words`` escaped so that Markdown shows them as they are, not as formatting."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", words)


def quote_name(name: str) -> str:
    """A visitor's file name as inline code: shown literally, never as Markdown or HTML.

    Nothing is interpreted inside a code span (no HTML, links, emphasis, maths or
    emoji), so any name is safe; the fence is longer than any run of backticks in it.
    Characters that would end the line or the paragraph become U+FFFD.
    """
    shown = "".join(c if c.isprintable() or c == " " else "\ufffd" for c in name) or "\ufffd"
    longest = max((len(run) for run in re.findall(r"`+", shown)), default=0)
    fence = "`" * (longest + 1)
    # CommonMark strips one space from each end of a code span that has both, so a
    # name that starts or ends with a backtick or space needs a space on each side.
    if shown[0] in "` " or shown[-1] in "` ":
        shown = f" {shown} "
    return f"{fence}{shown}{fence}"


# Text alternatives of the pictures (the ``alt`` of st.image, of the before / after view's
# <img> elements): what the picture shows, in words a screen reader speaks, never the file.
# They are attributes, not Markdown, so names go in as they are.


def original_alt(name: str, width: int, height: int, n_colors: int) -> str:
    """``"china.jpg, the original picture: 640 × 427 pixels, 96,615 distinct colours"``."""
    return f"{name}, the original picture: {width:,} × {height:,} pixels, {n_colors:,} distinct colours"


def rebuilt_alt(
    name: str,
    n_colors: int,
    method: str,
    space: str,
    *,
    delta_e: float | None = None,
    dither: float = 0.0,
    dither_kind: str = "diffusion",
    palette_name: str = "",
    edits: int = 0,
) -> str:
    """What a reconstruction shows: ``"china.jpg rebuilt from 16 k-means colours in RGB,
    mean ΔE 5.97"``; a brought palette (``method`` ``"palette"``) is named
    (``"china.jpg mapped to the 16 colours of PICO-8 in Lab, dithered, …"``), and
    edited entries are counted."""
    if method == "palette":
        words = f"{name} mapped to the {colours(n_colors)} of {palette_name or 'your palette'} in {SPACE_LABELS[space]}"
    else:
        words = f"{name} rebuilt from {n_colors:,} {METHOD_LABELS[method]} colours in {SPACE_LABELS[space]}"
    if dither:
        words += f", {dithering(dither, dither_kind)}"
    if edits:
        words += f", {edits} {'entry' if edits == 1 else 'entries'} recoloured"
    if delta_e is not None:
        words += f", mean ΔE {delta_e:.2f}"
    return words


def region_words(left: int, top: int, width: int, height: int) -> str:
    """``"pixels 160–479 across and 53–372 down"``: a rectangle of a picture, in words."""
    return f"pixels {left:,}–{left + width - 1:,} across and {top:,}–{top + height - 1:,} down"
