"""Pictures and swatches drawn as HTML or pixels: the palette strip, the outlined
region of the 1:1 detail's locator, and the before / after view. No Streamlit here."""

from __future__ import annotations

import base64
import html

import numpy as np

import quant

__all__ = ["CHECKER_CSS", "CHECKER_SIZE", "before_after_html", "on_checkerboard", "outlined", "palette_strip_html"]

CHECKER_SIZE = 8
"""Side of a checkerboard square, in pixels of the picture as encoded."""
_CHECKER_LIGHT, _CHECKER_DARK = 255, 214
"""The two greys of the checkerboard: light, as image editors draw transparency."""
CHECKER_CSS = (
    f"background-color:rgb({_CHECKER_LIGHT},{_CHECKER_LIGHT},{_CHECKER_LIGHT});"
    f"background-image:conic-gradient(rgb({_CHECKER_DARK},{_CHECKER_DARK},{_CHECKER_DARK}) 25%,transparent 0 50%,"
    f"rgb({_CHECKER_DARK},{_CHECKER_DARK},{_CHECKER_DARK}) 0 75%,transparent 0);background-size:12px 12px"
)
"""The same checkerboard as CSS, behind swatches with an alpha below 255."""


def on_checkerboard(picture: np.ndarray, *, square: int = CHECKER_SIZE) -> np.ndarray:
    """An RGBA picture drawn over a light checkerboard, as the screen shows transparency;
    an RGB one is returned as it is.

    Parameters
    ----------
    picture : (H, W, 4) or (H, W, 3) uint8 array
        Straight (not premultiplied) alpha.
    square : int
        Side of a square in pixels (of ``picture``: a magnified picture passes its zoom
        times this, so that the squares keep their size on screen).

    Returns
    -------
    (H, W, 3) uint8 array
    """
    if picture.shape[-1] == 3:
        return picture
    height, width = picture.shape[:2]
    rows = (np.arange(height) // square)[:, None]
    columns = (np.arange(width) // square)[None, :]
    board = np.where((rows + columns) % 2 == 0, _CHECKER_LIGHT, _CHECKER_DARK).astype(np.float32)[..., None]
    alpha = picture[..., 3:].astype(np.float32) / 255.0
    blended = picture[..., :3].astype(np.float32) * alpha + board * (1.0 - alpha)
    return np.rint(blended).astype(np.uint8)


def palette_strip_html(
    palette: np.ndarray,
    *,
    height_px: int = 22,
    pinned: np.ndarray | None = None,
    counts: np.ndarray | None = None,
    alpha: np.ndarray | None = None,
) -> str:
    """A row of colour swatches as HTML; hovering one shows its hex code.

    For a screen reader the strip is one picture (``role="img"``) whose label lists
    every swatch: its hex code, its share of the pixels when ``counts`` are given
    ("unused" when no pixel takes it), and "pinned".

    Parameters
    ----------
    palette : (k, 3) uint8 array
        The colours, left to right.
    height_px : int
        Height of the strip.
    pinned : (k,) bool array, optional
        Pinned entries: marked with a small pin-head dot (black or white, whichever
        shows on the colour) and "pinned" in their title, not by colour alone.
    counts : (k,) int array, optional
        Pixels that take each entry: their share is said in the label, an entry no
        pixel takes is "unused" in its title and the label.
    alpha : (k,) uint8 array, optional
        Each entry's opacity: an entry below 255 is drawn over a checkerboard and
        says "transparent" (alpha 0) or its opacity in per cent in its title and label.

    Returns
    -------
    str
        A ``<div>`` holding one flexible ``<div>`` per colour.
    """
    palette = np.asarray(palette, dtype=np.uint8)
    flags = np.zeros(len(palette), dtype=bool) if pinned is None else np.asarray(pinned, dtype=bool)
    opacity = np.full(len(palette), 255) if alpha is None else np.asarray(alpha, dtype=np.int64)
    shares = None
    if counts is not None:
        counts = np.asarray(counts, dtype=np.float64)
        shares = counts / max(float(counts.sum()), 1.0)
    # Rec. 601 luma: a dark dot on light colours, a light one on dark colours.
    light = palette.astype(np.float64) @ np.array([0.299, 0.587, 0.114]) > 140
    swatches, spoken = [], []
    for index, (hex_color, is_pinned, is_light) in enumerate(zip(quant.palette_hex(palette), flags, light)):
        notes = []
        entry_alpha = int(opacity[index])
        if entry_alpha == 0:
            notes.append("transparent")
        elif entry_alpha < 255:
            notes.append(f"{round(100 * entry_alpha / 255)}% opaque")
        if shares is not None and shares[index] == 0:
            notes.append("unused")
        if is_pinned:
            notes.append("pinned")
        title = hex_color + "".join(f" ({note})" for note in notes)
        share = "" if shares is None or shares[index] == 0 else f" {100 * shares[index]:.1f} %"
        spoken.append(hex_color + share + "".join(f" ({note})" for note in notes))
        dot = ""
        if is_pinned:
            ink = "#111" if is_light else "#fff"
            dot = (
                f'<span class="pin-mark" style="width:7px;height:7px;border-radius:50%;background:{ink};'
                f'box-shadow:0 0 0 1px {hex_color}"></span>'
            )
        fill = f"background:{hex_color}"
        if entry_alpha < 255:
            red, green, blue = (int(value) for value in palette[index])
            fill = f"{CHECKER_CSS};box-shadow:inset 0 0 0 {height_px}px rgba({red},{green},{blue},{entry_alpha / 255:.3f})"
        swatches.append(
            f'<div title="{html.escape(title)}" style="flex:1 1 0;{fill};display:flex;'
            f'align-items:center;justify-content:center">{dot}</div>'
        )
    label = f"Palette of {len(palette)} colour{'' if len(palette) == 1 else 's'}: {', '.join(spoken)}"
    return (
        f'<div class="palette-strip" role="img" aria-label="{html.escape(label)}" style="display:flex;height:{height_px}px;'
        f'border-radius:4px;overflow:hidden;border:1px solid rgba(128,128,128,.4)">{"".join(swatches)}</div>'
    )


def outlined(picture: np.ndarray, box: tuple[float, float, float, float], *, color: tuple[int, int, int] = (255, 45, 85)) -> np.ndarray:
    """A copy of an (H, W, 3) uint8 picture with a rectangle drawn on it, to show
    where a detail is cut (an RGBA one is drawn over the checkerboard first).

    Parameters
    ----------
    picture : (H, W, 3) or (H, W, 4) uint8 array
        The picture.
    box : (left, top, right, bottom)
        The rectangle, as fractions (0 to 1) of the picture's width and height.
    color : (r, g, b)
        The outline's colour; a white line runs inside it so that it shows on any colour.
    """
    drawn = np.array(on_checkerboard(picture), dtype=np.uint8, copy=True)
    height, width = drawn.shape[:2]
    line = max(2, round(min(width, height) / 160))
    left = min(max(0, round(box[0] * width)), width - 1)
    top = min(max(0, round(box[1] * height)), height - 1)
    right = min(width, max(left + 2 * line + 1, round(box[2] * width)))
    bottom = min(height, max(top + 2 * line + 1, round(box[3] * height)))
    for inset, shade in ((0, color), (line, (255, 255, 255))):
        thickness = line if inset == 0 else 1
        y0, y1, x0, x1 = top + inset, bottom - inset, left + inset, right - inset
        if y1 <= y0 or x1 <= x0:
            break
        drawn[y0 : y0 + thickness, x0:x1] = shade
        drawn[max(y0, y1 - thickness) : y1, x0:x1] = shade
        drawn[y0:y1, x0 : x0 + thickness] = shade
        drawn[y0:y1, max(x0, x1 - thickness) : x1] = shade
    return drawn


def before_after_html(
    before_png: bytes,
    after_png: bytes,
    *,
    width: int,
    height: int,
    before_label: str,
    after_label: str,
    element_id: str,
    before_alt: str | None = None,
    after_alt: str | None = None,
) -> str:
    """Two pictures of the same size, one over the other, with a handle that reveals the
    one (``before``, left of the handle) or the other (right): HTML and a few lines of
    JavaScript for ``st.html``, no round trip to the server while dragging.

    The pictures are drawn pixel for pixel (``image-rendering: pixelated``); the labels
    are escaped. ``element_id`` must be unique on the page (letters, digits, ``-``).
    ``before_alt`` and ``after_alt`` say what each picture shows, for a screen reader
    (the labels when not given). The handle is an ``<input type="range">``, so the arrow
    keys move it too (Home and End to the ends), and it says how much is the original.
    """
    if not element_id.replace("-", "").isalnum():
        raise ValueError(f"element_id must be letters, digits and '-', got {element_id!r}")
    before = base64.b64encode(before_png).decode("ascii")
    after = base64.b64encode(after_png).decode("ascii")
    picture = f"position:absolute;left:0;top:0;width:{width}px;height:{height}px;image-rendering:pixelated;pointer-events:none"
    label = "position:absolute;top:6px;padding:1px 6px;border-radius:3px;background:rgba(0,0,0,.55);color:#fff;font:12px sans-serif"
    return f"""<div id="{element_id}" style="width:{width}px;max-width:100%">
<div class="ba-frame" style="position:relative;width:{width}px;height:{height}px;cursor:ew-resize;touch-action:none;user-select:none">
<img alt="{html.escape(after_alt or after_label)}" src="data:image/png;base64,{after}" style="{picture}">
<img class="ba-before" alt="{html.escape(before_alt or before_label)}" src="data:image/png;base64,{before}" style="{picture};clip-path:inset(0 50% 0 0)">
<div class="ba-line" style="position:absolute;top:0;bottom:0;left:50%;width:2px;margin-left:-1px;background:#fff;box-shadow:0 0 0 1px rgba(0,0,0,.45)"></div>
<span style="{label};left:6px">{html.escape(before_label)}</span>
<span style="{label};right:6px">{html.escape(after_label)}</span>
</div>
<input class="ba-range" type="range" min="0" max="100" step="0.5" value="50" aria-label="Where the two pictures meet" aria-valuetext="50 % original" style="width:{width}px;max-width:100%;margin-top:6px;accent-color:#4a4a4a">
</div>
<script>
(() => {{
  const root = document.getElementById("{element_id}");
  if (!root || root.dataset.ready) return;
  root.dataset.ready = "1";
  const frame = root.querySelector(".ba-frame"), range = root.querySelector(".ba-range");
  const before = root.querySelector(".ba-before"), line = root.querySelector(".ba-line");
  const show = (percent) => {{
    const p = Math.min(100, Math.max(0, percent));
    before.style.clipPath = `inset(0 ${{100 - p}}% 0 0)`;
    line.style.left = `${{p}}%`;
    range.value = p;
    range.setAttribute("aria-valuetext", `${{Math.round(p)}} % original`);
  }};
  range.addEventListener("input", () => show(Number(range.value)));
  const follow = (event) => {{
    const box = frame.getBoundingClientRect();
    show((event.clientX - box.left) / box.width * 100);
  }};
  frame.addEventListener("pointerdown", (event) => {{ frame.setPointerCapture(event.pointerId); follow(event); }});
  frame.addEventListener("pointermove", (event) => {{ if (frame.hasPointerCapture(event.pointerId)) follow(event); }});
}})();
</script>"""
