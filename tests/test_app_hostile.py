"""AppTest flows of hostile and odd uploads: refused politely or shown right, never leaked.

Every file comes from ``tests/hostile_inputs.py``. A bad file must end in one
``st.error`` that names it and says why, with the previous image still on the page and
the app still taking good files; an odd one must load with the size and colour count
a viewer would expect, without warnings. A visitor's file name is shown literally and
no upload is ever written to disk.
"""

from __future__ import annotations

import ast
import builtins
import io
import os
import re
import tempfile
import tracemalloc
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from tests.hostile_inputs import (
    BAD_INPUTS,
    BAD_REASONS,
    ODD_INPUTS,
    UNKNOWN,
    encode,
    gradient_png,
    one_colour,
    one_pixel,
)
from ui.compute import cached, cached_compare
from ui.frame import state, text

TIMEOUT_S = 60
REPO = Path(__file__).resolve().parents[1]
PAGES = ("pages/image.py", "pages/colour_space.py", "pages/reconstructions.py", "pages/compare.py")

# Names a visitor controls: HTML, Markdown, maths, a colour directive, backticks.
HOSTILE_NAMES = (
    "<img src=x onerror=alert(1)>.png",
    "**bold** [link](javascript:x).png",
    "$x^2$ :red[red] _it_ ~~gone~~.png",
    "`tick`` and ```three.png",
)

# A Markdown character that would start formatting, not preceded by a backslash.
UNESCAPED = re.compile(r"(?<!\\)[*_\[\]<>`~$|]")


@pytest.fixture(autouse=True)
def small_compare_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    # As in test_app_pages.py: the Compare page's 32 palettes on a tiny copy.
    monkeypatch.setattr(cached_compare, "WORK_PIXELS", 20_000)


def start() -> AppTest:
    return AppTest.from_file("../app.py", default_timeout=TIMEOUT_S).run()


def upload(app: AppTest, name: str, content: bytes) -> AppTest:
    app.file_uploader(key=state.UPLOAD).set_value((name, content, "image/png"))
    return app.run()


def metrics(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def size_text(width: int, height: int) -> str:
    return f"{width:,} × {height:,} px"


def assert_clean(app: AppTest) -> None:
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]


def elements(app: AppTest) -> Iterator[object]:
    """Every leaf element of the app's tree (sidebar and main), with its proto."""
    stack = [app._tree]
    while stack:
        node = stack.pop()
        children = getattr(node, "children", None)
        if children is not None:
            stack.extend(children.values())
        elif getattr(node, "proto", None) is not None:
            yield node


def one_pixel_apart() -> tuple[bytes, bytes]:
    """Two 60 × 40 gradients of 2,400 distinct colours; the second repeats one pixel."""
    first = np.asarray(Image.open(io.BytesIO(gradient_png(60, 40, blue=77))))
    second = first.copy()
    second[0, 0] = second[0, 1]
    return encode(Image.fromarray(first), "PNG"), encode(Image.fromarray(second), "PNG")


# --- bad files ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(BAD_INPUTS))
def test_bad_upload_is_refused_and_the_app_keeps_working(kind: str) -> None:
    app = start()
    upload(app, "before.png", gradient_png(61, 41))
    assert_clean(app)
    before = metrics(app)
    assert before["Size"] == size_text(61, 41)

    name, content = BAD_INPUTS[kind]()
    tracemalloc.start()
    try:
        upload(app, name, content)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert not app.exception, [e.value for e in app.exception]
    assert len(app.error) == 1, [e.value for e in app.error]
    message = app.error[0].value
    assert BAD_REASONS[kind] in message
    assert text.quote_name(name) in message
    assert message.endswith("The previous image is still shown.")
    assert "Traceback" not in message and "Error" not in message
    # Refused from the header or the first bytes: nothing near the claimed size is
    # allocated (a 20000 × 20000 RGB image would be 1.2 GB).
    assert peak < 64_000_000, f"{peak / 1e6:.0f} MB traced while refusing {name}"
    # The previous image's numbers are still what the page shows.
    assert metrics(app) == before
    assert app.session_state[state.IMAGE].name == "before.png"

    # And the next good file is taken as usual.
    upload(app, "after.png", gradient_png(62, 42))
    assert_clean(app)
    assert metrics(app)["Size"] == size_text(62, 42)


def test_bomb_is_refused_on_every_page() -> None:
    app = start()
    name, content = BAD_INPUTS["bomb"]()
    for page in PAGES[1:]:
        app.switch_page(page).run()
        upload(app, name, content)
        assert not app.exception, page
        assert [BAD_REASONS["bomb"] in e.value for e in app.error] == [True], page


# --- odd files ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(ODD_INPUTS))
def test_odd_upload_shows_its_size_and_colours(kind: str) -> None:
    build, (width, height), n_colors = ODD_INPUTS[kind]
    name, content = build()
    app = start()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        upload(app, name, content)
    assert_clean(app)
    assert [str(w.message) for w in caught] == []
    shown = metrics(app)
    assert shown["Size"] == size_text(width, height)
    if n_colors != UNKNOWN:
        assert shown["Distinct colours"] == f"{n_colors:,}"
    assert app.session_state[state.IMAGE].name == name


@pytest.mark.parametrize("build", [one_colour, one_pixel], ids=["one-colour", "1x1"])
def test_single_colour_image_on_every_page_without_warnings_or_duplicates(build) -> None:
    name, content = build()
    app = start()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        upload(app, name, content)
        assert_clean(app)
        for page in PAGES:
            app.switch_page(page).run()
            assert_clean(app)
            assert app.session_state[state.IMAGE].name == name, page
            if page == "pages/reconstructions.py":
                # The grid's strips (the entry inspector draws a taller one of its own).
                strips = [html.value for html in app.get("html") if "palette-strip" in html.value and "height:22px" in html.value]
                captions = [m.value for m in app.markdown if "colours**" in m.value]
    assert [f"{w.category.__name__}: {w.message}" for w in caught] == []

    # Every tile (16, 32, 64 and the random 32) has one swatch of the one colour.
    assert len(strips) == 4, strips
    for strip in strips:
        swatches = re.findall(r'title="(#[0-9a-f]{6})"', strip)
        assert len(swatches) == len(set(swatches)) == 1, strip
    assert len(captions) == 4, captions
    for caption in captions:
        assert "(1 used)" in caption, caption


# --- file names -----------------------------------------------------------------------


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_file_name_is_shown_literally(name: str) -> None:
    app = start()
    upload(app, name, gradient_png(33, 22))
    assert_clean(app)
    # The caption under the picture: the name as a code span, nothing else of it.
    holders = [e for e in elements(app) if name in str(e.proto)]
    assert holders, "the name is not shown"
    for element in holders:
        assert element.type == "image", element.type
        (image,) = element.proto.imgs
        assert image.caption.startswith(text.quote_name(name))
        assert re.match(r"(`+) ?" + re.escape(name) + r" ?\1", image.caption), image.caption
    for element in elements(app):
        if element.type in ("markdown", "html"):
            assert name not in str(element.proto)

    upload(app, name, b"<html>" + name.encode() + b"</html>")
    assert len(app.error) == 1 and not app.exception
    message = app.error[0].value
    assert text.quote_name(name) in message
    assert re.search(r"(`+) ?" + re.escape(name) + r" ?\1", message), message
    rest = message.replace(text.quote_name(name), "")
    assert not UNESCAPED.search(rest), rest


@pytest.mark.parametrize(
    "name",
    [*HOSTILE_NAMES, "plain.png", "`", "``", " lead.png", "trail.png ", "two\nlines\r\n\n.png", ""],
)
def test_quote_name_makes_one_code_span_of_the_whole_name(name: str) -> None:
    quoted = text.quote_name(name)
    fence = re.match(r"`+", quoted).group()
    inner = quoted[len(fence) : -len(fence)]
    assert quoted.endswith(fence) and inner
    assert not inner.startswith("`") and not inner.endswith("`")
    # The fence occurs nowhere inside as a run of exactly that length.
    assert all(len(run) != len(fence) for run in re.findall(r"`+", inner))
    assert "\n" not in quoted and "\r" not in quoted
    if name and name.isprintable():
        assert name in quoted


def test_uploads_are_never_written_to_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    app = start()  # the first run may warm caches; the upload flow is what is watched
    writes: list[str] = []
    real_open, real_os_open = builtins.open, os.open

    def guarded_open(file, mode="r", *args, **kwargs):
        if any(flag in mode for flag in "wax+"):
            writes.append(f"open({file!r}, {mode!r})")
            raise PermissionError(f"test: no writes during an upload ({file!r})")
        return real_open(file, mode, *args, **kwargs)

    def guarded_os_open(path, flags, *args, **kwargs):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND):
            writes.append(f"os.open({path!r})")
            raise PermissionError(f"test: no writes during an upload ({path!r})")
        return real_os_open(path, flags, *args, **kwargs)

    def no_temporary_files(*args, **kwargs):
        writes.append("tempfile")
        raise PermissionError("test: no temporary files during an upload")

    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(io, "open", guarded_open)
    monkeypatch.setattr(os, "open", guarded_os_open)
    for factory in ("NamedTemporaryFile", "TemporaryFile", "SpooledTemporaryFile", "mkstemp", "mkdtemp"):
        monkeypatch.setattr(tempfile, factory, no_temporary_files)

    upload(app, "private.png", gradient_png(34, 23))
    app.switch_page("pages/reconstructions.py").run()
    upload(app, "junk.png", b"not an image at all")
    monkeypatch.undo()
    assert writes == []
    assert not app.exception
    assert app.session_state[state.IMAGE].name == "private.png"


def test_no_code_path_writes_files() -> None:
    # The runtime test above covers the flows it drives; this covers the rest.
    sources = [REPO / "app.py", *sorted((REPO / "pages").glob("*.py")), *sorted((REPO / "ui").glob("*.py"))]
    forbidden = re.compile(r"\bopen\(|write_bytes|write_text|tempfile|\.to_csv\(|\.save\((?!buffer)")
    offenders = [
        f"{path.relative_to(REPO)}:{number}: {line.strip()}"
        for path in sources
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if forbidden.search(line)
    ]
    assert offenders == []


# --- many visitors: caches ------------------------------------------------------------


def test_images_one_pixel_apart_never_share_a_result() -> None:
    first, second = one_pixel_apart()
    first_ref, second_ref = cached.upload_ref("a.png", first), cached.upload_ref("a.png", second)
    assert first_ref.digest != second_ref.digest

    app = start()
    upload(app, "a.png", first)
    assert_clean(app)
    assert metrics(app)["Distinct colours"] == "2,400"
    upload(app, "a.png", second)
    assert_clean(app)
    assert metrics(app)["Distinct colours"] == "2,399"
    assert app.session_state[state.IMAGE].digest == second_ref.digest
    # And back: the first image's cached facts are its own.
    upload(app, "a.png", first)
    assert metrics(app)["Distinct colours"] == "2,400"


def test_every_cache_is_bounded() -> None:
    unbounded = []
    for path in [REPO / "app.py", *(REPO / "pages").glob("*.py"), *(REPO / "ui").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                if ast.unparse(target) in ("st.cache_data", "st.cache_resource"):
                    keywords = [k.arg for k in getattr(decorator, "keywords", [])]
                    if "max_entries" not in keywords:
                        unbounded.append(f"{path.name}:{node.name}")
    assert unbounded == []
