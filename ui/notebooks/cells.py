"""The cells every page's notebook shares: the introduction, finding ``quant``, the
settings, the picture, and the palette the visitor brought.

A cell is a :class:`Cell`, plain text plus what it is for; :mod:`ui.notebooks.build`
turns a list of them into an nbformat notebook. Settings reach the code only as
literals of values :func:`ui.notebooks.settings.checked` has validated, and the
uploaded file's name only as ``repr()`` of :func:`~ui.notebooks.settings.safe_file_name`;
no markdown cell ever holds the name.
"""

from __future__ import annotations

import base64
import inspect
import re
import textwrap
from dataclasses import dataclass
from typing import Literal

from ui.frame import samples
from ui.notebooks.settings import (
    METHOD_LABELS,
    SAMPLES,
    SPACE_LABELS,
    UPLOAD,
    NotebookSettings,
    brought_hex,
    safe_file_name,
)

__all__ = [
    "Cell",
    "PagePlan",
    "Setting",
    "and_list",
    "brought_cells",
    "code",
    "escape_markdown",
    "fixed_argument",
    "intro_cell",
    "load_cells",
    "logo_source",
    "markdown",
    "method_words",
    "pins_cells",
    "settings_cell",
    "setup_cell",
    "sidebar_settings",
    "sky_source",
    "space_words",
]


@dataclass(frozen=True)
class Cell:
    """One notebook cell before it becomes nbformat's.

    Attributes
    ----------
    kind : {"markdown", "code"}
    source : str
        The cell's text, without a trailing newline.
    central : bool
        Part of the page's own work, shown by a "Show the code" expander
        (:func:`ui.notebooks.code_cells`); False for finding ``quant`` and for the
        embedded file.
    hidden : bool
        Shown collapsed in Jupyter (``metadata.jupyter.source_hidden``): the embedded file.
    """

    kind: Literal["markdown", "code"]
    source: str
    central: bool = True
    hidden: bool = False


def markdown(text: str) -> Cell:
    """A markdown cell from an indented triple-quoted string."""
    return Cell("markdown", textwrap.dedent(text).strip())


def code(text: str, *, central: bool = True, hidden: bool = False) -> Cell:
    """A code cell from an indented triple-quoted string."""
    return Cell("code", textwrap.dedent(text).strip(), central=central, hidden=hidden)


_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]<>#|~$&!()+.-])")


def escape_markdown(words: str) -> str:
    """``words`` shown as they are in a Jupyter markdown cell: punctuation that could
    start formatting, HTML or maths escaped, line breaks and control characters dropped.

    Only for our own words (preset names, labels); a visitor's file name never goes
    into markdown at all.
    """
    flat = "".join(c if c.isprintable() else " " for c in words)
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", flat)


def and_list(words: list[str]) -> str:
    """``["16", "32", "64"]`` -> ``"16, 32 and 64"``."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def image_words(settings: NotebookSettings) -> str:
    """How the introduction names the picture (never with the uploaded file's name)."""
    return "the picture you uploaded" if settings.image == UPLOAD else f"*{SAMPLES[settings.image]}*"


def space_words(settings: NotebookSettings) -> str:
    """``"in RGB, seed 0"``, with the dithering when it is on."""
    words = f"in {SPACE_LABELS[settings.space]}, seed {settings.seed}"
    if settings.dither:
        how = "ordered dither" if settings.kind == "ordered" else "dithered"
        words += f", {how}" + ("" if settings.strength == 1.0 else f" at strength {settings.strength:g}")
    return words


def method_words(settings: NotebookSettings) -> str:
    """``"k-means in RGB, seed 0"``, with the dithering when it is on."""
    return f"{METHOD_LABELS[settings.method]} {space_words(settings)}"


def upload_note(settings: NotebookSettings) -> str:
    """What the introduction says about an uploaded picture ("" for a sample)."""
    if settings.image != UPLOAD:
        return ""
    if settings.embedded:
        return (
            "\n\n**Your picture** travels inside this notebook: a collapsed cell below the "
            "settings holds the file, base64-encoded."
        )
    return (
        "\n\n**Your picture** is not inside this notebook (it is too large to embed). Put the "
        "file you uploaded next to this notebook: its name is `IMAGE_FILE` in the settings "
        "cell; change it there if the file is somewhere else."
    )


def intro_cell(title: str, view: str, settings: NotebookSettings) -> Cell:
    """The first cell: what the notebook reproduces and how to run it."""
    text = (
        f"# {title}, as a notebook\n\n"
        f"This notebook does what the dashboard's **{title}** page showed, one step at a time, "
        f"with the same settings: {image_words(settings)}; {view}."
        f"{upload_note(settings)}\n\n"
        "**How to run it.** It needs NumPy, Pillow, scikit-learn, scikit-image and Plotly, and "
        "`quant`, the dashboard's own engine: `pip install -r requirements.txt` in the "
        "dashboard's project folder installs them all. `quant` is not a package on PyPI: start "
        "Jupyter in the project folder (the one holding `quant/` and `app.py`) or in a folder "
        "below it, or set `PROJECT_FOLDER` in the first code cell. Then run the cells from the "
        "top. The second code cell holds the settings: change them and run the notebook again.\n\n"
        "Printed lines such as `MSE 16: 123.45` are the numbers the page showed."
    )
    return Cell("markdown", text)


def setup_cell() -> Cell:
    """Finding ``quant`` and the imports every notebook uses."""
    return code(
        '''
        # quant, the dashboard's engine, is not installed with pip: Python finds it when
        # Jupyter runs in the project folder, or in a folder above this one.
        import importlib.util
        import sys
        from pathlib import Path

        PROJECT_FOLDER = None  # or the project folder's path, e.g. "/home/me/colour-quantization"

        if importlib.util.find_spec("quant") is None:
            folders = [Path(PROJECT_FOLDER)] if PROJECT_FOLDER else [Path.cwd(), *Path.cwd().parents]
            project = next((folder for folder in folders if (folder / "quant" / "__init__.py").is_file()), None)
            if project is None:
                raise ModuleNotFoundError(
                    "quant not found: start Jupyter in the dashboard's project folder, or set PROJECT_FOLDER"
                )
            sys.path.insert(0, str(project.resolve()))

        import numpy as np
        import plotly.express as px
        import plotly.graph_objects as go
        from PIL import Image

        import quant
        ''',
        central=False,
    )


Setting = tuple[str, object, str]
"""(name, value, comment) of one line of the settings cell."""


@dataclass(frozen=True)
class PagePlan:
    """What a page's lesson adds to the shared cells.

    Attributes
    ----------
    title : str
        The page's title, as in the dashboard.
    view : str
        The view's settings in words, for the introduction.
    settings : list of (name, value, comment)
        The constants of the settings cell, after the image's.
    cells : list of Cell
        The lesson, after the picture is loaded.
    """

    title: str
    view: str
    settings: list[Setting]
    cells: list[Cell]


def sidebar_settings(settings: NotebookSettings, *, dithering: bool = True) -> list[Setting]:
    """The sidebar's choices, as the settings cell writes them."""
    rows: list[Setting] = [
        ("METHOD", settings.method, '"kmeans", "minibatch", "median-cut" or "octree"'),
        ("SPACE", settings.space, '"rgb" or "lab": where distances between colours are measured'),
        ("SEED", settings.seed, "seed of the random parts: the same seed, the same palette"),
    ]
    if dithering:
        rows += [
            ("DITHER", settings.strength, "0 for none, up to 1.0 for full-strength dithering"),
            ("DITHER_KIND", settings.kind, '"diffusion" (error diffusion) or "ordered" (Bayer 8 x 8)'),
        ]
    return rows


def settings_cell(settings: NotebookSettings, rows: list[Setting]) -> Cell:
    """The settings as constants, one a line, each with what it accepts."""
    lines: list[tuple[str, str]] = []
    if settings.image == UPLOAD:
        if not settings.embedded:
            # The one place the file's name appears: a literal of the cleaned name.
            lines.append((f"IMAGE_FILE = {safe_file_name(settings.upload_name)!r}", "your uploaded file, next to this notebook"))
    elif settings.image == "sky":
        lines.append(('IMAGE = "sky"', 'a generated evening sky (below), or scikit-learn\'s "china" or "flower"'))
    elif settings.image == "logo":
        lines.append((f"LOGO_SIZE = {samples.LOGO_SIZE}", "width and height of the generated logo (below), as the dashboard draws it"))
    else:
        lines.append((f"IMAGE = {settings.image!r}", '"china" or "flower": scikit-learn\'s sample photos'))
    lines += [(f"{name} = {value!r}", comment) for name, value, comment in rows]
    if settings.pins:
        lines.append((f"PINNED = {list(settings.pins)!r}", "colours the palette must hold exactly"))
    width = min(max(len(statement) for statement, _ in lines), 48)
    return Cell(
        "code",
        "# The view's settings, as the dashboard had them: change any and run the notebook again.\n"
        + "\n".join(f"{statement:<{width}}  # {comment}" for statement, comment in lines),
    )


def sky_source() -> str:
    """The sky generator's code as the notebook holds it: the dashboard's own function,
    so the notebook draws the very pixels the dashboard does."""
    return inspect.getsource(samples.sky_gradient).strip()


def logo_source() -> str:
    """The logo generator's code as the notebook holds it, with what it needs: the
    dashboard's own function, so the notebook draws the very pixels the dashboard does."""
    return (
        "from PIL import Image, ImageDraw, ImageFilter\n\n"
        f"_SUPERSAMPLE = {samples._SUPERSAMPLE}  # drawn this many times larger, then shrunk: smooth edges\n\n\n"
        + inspect.getsource(samples.logo_rgba).strip()
    )


_SHOW_ALPHA = '''
height, width = image.shape[:2]
pixels = image.reshape(-1, 4)  # one row per pixel: red, green, blue and alpha
print(f"Size: {width} x {height} = {len(pixels)} pixels")
'''
"""The end of the loading cell of a picture with transparency: the picture itself is
shown under *Transparency* (:func:`ui.notebooks.transparency.transparency_cells`)."""


_SHOW = '''
height, width = image.shape[:2]
pixels = image.reshape(-1, 3)  # one row per pixel: red, green, blue
print(f"Size: {width} x {height} = {len(pixels)} pixels")
Image.fromarray(quant.downscale(image, 1_000_000))  # shown at most a megapixel
'''


def load_cells(settings: NotebookSettings) -> list[Cell]:
    """The picture: a sample's loader or generator, or the uploaded file."""
    if settings.image == "logo":
        return [
            markdown(
                f"""
                ## The picture

                A generated logo, {samples.LOGO_SIZE} × {samples.LOGO_SIZE} pixels, on a transparent
                background: a few flat colours, anti-aliased edges, a soft shadow and a
                translucent highlight, the character of an icon or a logo exported with
                transparency. The dashboard draws it with this very function.
                """
            ),
            code(f"{logo_source()}\n\n\nimage = logo_rgba(LOGO_SIZE)\n" + _SHOW_ALPHA.strip()),
        ]
    if settings.image == "sky":
        return [
            markdown(
                """
                ## The picture

                A generated evening sky, 1200 × 800 pixels: long, gentle gradients that show
                *banding* (visible steps between colours) as soon as the palette gets small.
                The dashboard draws it with this very function.
                """
            ),
            code(
                f"{sky_source()}\n\n\n"
                'if IMAGE == "sky":\n'
                "    image = sky_gradient()\n"
                "else:  # scikit-learn's sample photos\n"
                "    from sklearn.datasets import load_sample_image\n\n"
                '    image = load_sample_image(IMAGE + ".jpg")\n' + _SHOW.strip()
            ),
        ]
    if settings.image != UPLOAD:
        return [
            markdown(
                """
                ## The picture

                scikit-learn ships two sample photographs, so this works offline. A picture is
                an array of height × width pixels, each three whole numbers from 0 to 255: its
                red, green and blue.
                """
            ),
            code(
                "from sklearn.datasets import load_sample_image\n\n"
                'image = load_sample_image(IMAGE + ".jpg")\n' + _SHOW.strip()
            ),
        ]
    if settings.has_alpha:
        read = (
            "It has transparency: `quant.load_image(..., keep_alpha=True)` reads it as the dashboard "
            "did, turned upright by its EXIF orientation, any mode converted to 8-bit RGBA with its "
            "transparency kept (`np.array(Image.open(path).convert(\"RGBA\"))` is the plain Pillow way, "
            "without the turning): four numbers a pixel, red, green, blue and alpha."
        )
        keep, show = ", keep_alpha=True", _SHOW_ALPHA
    else:
        read = (
            "`quant.load_image` reads it as the dashboard did: turned upright by its EXIF "
            "orientation, any mode converted to 8-bit RGB, transparency laid over white "
            "(`np.array(Image.open(path).convert(\"RGB\"))` is the plain Pillow way, without the turning)."
        )
        keep, show = "", _SHOW
    if settings.embedded:
        encoded = base64.b64encode(bytes(settings.upload_bytes or b"")).decode("ascii")
        lines = "\n".join(encoded[start : start + 76] for start in range(0, len(encoded), 76))
        return [
            Cell(
                "code",
                f'import base64\n\n# The file you uploaded, base64-encoded.\nUPLOADED_FILE = base64.b64decode("""\n{lines}\n""")',
                central=False,
                hidden=True,
            ),
            markdown(f"## The picture\n\nThe file you uploaded, from the cell above. {read}"),
            code(f"import io\n\nimage = quant.load_image(io.BytesIO(UPLOADED_FILE){keep})\n" + show.strip()),
        ]
    return [
        markdown(f"## The picture\n\nThe file you uploaded, from `IMAGE_FILE` (see the settings). {read}"),
        code(f"image = quant.load_image(Path(IMAGE_FILE){keep})\n" + show.strip()),
    ]


def pins_cells(settings: NotebookSettings) -> list[Cell]:
    """The pinned colours as RGB triples for ``quant``'s ``fixed=`` (nothing without pins)."""
    if not settings.pins:
        return []
    return [
        markdown(
            """
            ## Pinned colours

            You pinned colours: every palette the notebook computes keeps them exactly
            (`fixed=`) and fits its other entries around them; k-means treats them as
            centres that never move. A palette of *k* colours holds the first *k* − 1 pins,
            as in the dashboard, so that at least one entry is fitted to the picture.
            """
        ),
        code(
            """
            pinned = [tuple(int(hex_code[i : i + 2], 16) for i in (1, 3, 5)) for hex_code in PINNED]
            print("Pinned:", pinned)
            """
        ),
    ]


def fixed_argument(settings: NotebookSettings, size: str) -> str:
    """``", fixed=pinned[: k - 1]"`` for a palette of ``size`` colours (a name in the
    notebook's code) when there are pins, else nothing: the argument appears only then."""
    return f", fixed=pinned[: {size} - 1]" if settings.pins else ""


def brought_cells(settings: NotebookSettings, *, mapping: str) -> list[Cell]:
    """The palette the visitor brought, mapped and measured (nothing without one).

    Parameters
    ----------
    mapping : {"fit", "picture"}
        ``"fit"``: where each colour goes (``quant.map_fit``, as the Colour space page),
        defining ``fit``; ``"picture"``: the picture rebuilt from it, dithered as the
        settings say (``quant.map_to_palette``, as a Reconstructions tile), defining
        ``brought_image``.
    """
    colours = brought_hex(settings)
    if not colours:
        return []
    # A preset's name is ours; a file's name is the visitor's and stays out of the notebook.
    title = f"the preset {escape_markdown(settings.palette)}" if settings.palette is not None else "from your file"
    what = "the preset you chose" if settings.palette is not None else "the palette file you brought"
    listed = ",\n".join(
        "    " + ", ".join(repr(colour) for colour in colours[start : start + 8]) for start in range(0, len(colours), 8)
    )
    if mapping == "fit":
        how = (
            "`quant.map_fit` finds, for each distinct colour of the picture, the nearest of "
            "them, measured in the colour space `SPACE`: those are the centres the cloud "
            "below is drawn around."
        )
        work = """
            fit = quant.map_fit(image, brought, space=SPACE)
            print(f"MSE palette: {fit.mse:.2f}")
            print(f"Unused colours (nearest to no pixel): {int((fit.counts == 0).sum())}")
            """
    else:
        how = (
            "`quant.map_to_palette` rebuilds the picture with them: every pixel takes the "
            "nearest, measured in the colour space `SPACE`, or a dithered mix when `DITHER` "
            "is above 0."
        )
        work = """
            result = quant.map_to_palette(image, brought, space=SPACE, dither=DITHER, dither_kind=DITHER_KIND)
            measures = quant.metrics(image, result, ssim=False)
            brought_image = result.image
            print(f"MSE palette: {measures.mse:.2f}")
            print(f"PSNR palette: {measures.psnr:.2f} dB")
            print(f"ΔE palette: {measures.delta_e:.3f}")
            print(f"PNG palette: {len(quant.indexed_png(result))} bytes")
            print(f"Unused colours (nearest to no pixel): {int((result.counts == 0).sum())}")
            """
    return [
        markdown(f"## Your palette: {title}\n\nThe {len(colours)} colours of {what}, given rather than fitted. {how}"),
        Cell(
            "code",
            f"YOUR_PALETTE = [\n{listed},\n]\n"
            "brought = [tuple(int(hex_code[i : i + 2], 16) for i in (1, 3, 5)) for hex_code in YOUR_PALETTE]\n"
            + textwrap.dedent(work).strip(),
        ),
    ]
