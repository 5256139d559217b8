"""The documentation stays short at the front and whole underneath.

README.md is the front door: at most 200 lines, the two commands near the top, and
links into docs/, which holds the depth. Every relative link and image in README.md
and docs/*.md must lead somewhere: to a file that exists and, for ``#fragment``
links, to a heading that exists, named by GitHub's slug rules. The same habit of
short files holds for the code: no Python module outside tests/ over 600 lines.
Plain file reads only; no network, no Streamlit.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"

MAX_README_LINES = 200
COMMANDS_WITHIN = 60
COMMANDS = (
    "pip install -r requirements.txt && streamlit run app.py",
    "bash scripts/test.sh",
)
MAX_MODULE_LINES = 600
CODE_GLOBS = ("app.py", "pages/**/*.py", "ui/**/*.py", "quant/**/*.py", "bench/**/*.py", "scripts/**/*.py")

_FENCE = re.compile(r"^\s*(```|~~~)")
_CODE_SPAN = re.compile(r"`+[^`]*`+")
# [text](target) or ![alt](target), with an optional "title"; the text may hold
# one level of brackets (an image inside a link).
_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_EXTERNAL = ("http://", "https://", "mailto:")


def markdown_files() -> list[Path]:
    """README.md and every page in docs/."""
    return [README, *sorted(DOCS.glob("*.md"))]


def prose_lines(text: str) -> list[str]:
    """The lines of ``text`` outside fenced code blocks, code spans blanked out."""
    lines, in_fence = [], False
    for line in text.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if not in_fence:
            lines.append(_CODE_SPAN.sub("", line))
    return lines


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lowercase, punctuation dropped except hyphens
    (letters, digits and underscores kept), each space a hyphen."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link counts as its text
    text = text.strip().lower()
    text = "".join(ch for ch in text if ch.isalnum() or ch in "-_ ")
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every heading anchor of a markdown file; repeated headings get -1, -2, ..."""
    seen: dict[str, int] = {}
    found = set()
    in_fence = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        match = None if in_fence else _HEADING.match(line)
        if match:
            base = slug(match.group(2))
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
    return found


def relative_links(path: Path) -> list[str]:
    """The targets of every link and image in ``path`` that stays inside the repo."""
    targets = []
    for line in prose_lines(path.read_text(encoding="utf-8")):
        for target in _LINK.findall(line):
            if not target.lower().startswith(_EXTERNAL):
                targets.append(target)
    return targets


def broken_link(source: Path, target: str) -> str | None:
    """Why ``target``, linked from ``source``, leads nowhere; None when it resolves."""
    file_part, _, fragment = target.partition("#")
    linked = (source.parent / file_part).resolve() if file_part else source
    if not linked.exists():
        return f"{target}: no file {linked.relative_to(ROOT) if linked.is_relative_to(ROOT) else linked}"
    if fragment and linked.suffix == ".md" and fragment.lower() not in anchors(linked):
        return f"{target}: no heading #{fragment} in {linked.relative_to(ROOT)}"
    return None


def test_readme_is_short() -> None:
    n_lines = len(README.read_text(encoding="utf-8").splitlines())
    assert n_lines <= MAX_README_LINES, (
        f"README.md has {n_lines} lines, at most {MAX_README_LINES} are allowed; "
        "move the depth into a page of docs/"
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_readme_gives_the_commands_early(command: str) -> None:
    head = "\n".join(README.read_text(encoding="utf-8").splitlines()[:COMMANDS_WITHIN])
    assert command in head, f"{command!r} is not within README.md's first {COMMANDS_WITHIN} lines"


def test_docs_pages_exist_and_are_linked_from_the_readme() -> None:
    pages = sorted(DOCS.glob("*.md"))
    assert pages, "docs/ holds no markdown page"
    linked = {
        (README.parent / target.partition("#")[0]).resolve()
        for target in relative_links(README)
    }
    unlinked = [page.name for page in pages if page.resolve() not in linked]
    assert not unlinked, f"docs pages not linked from README.md: {unlinked}"


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(path: Path) -> None:
    broken = [why for target in relative_links(path) if (why := broken_link(path, target))]
    assert not broken, f"{path.relative_to(ROOT)} has broken links:\n" + "\n".join(broken)


def test_docs_pages_link_back_to_the_readme() -> None:
    missing = [
        page.name for page in sorted(DOCS.glob("*.md"))
        if README.resolve() not in {(page.parent / t.partition("#")[0]).resolve() for t in relative_links(page)}
    ]
    assert not missing, f"docs pages without a link back to README.md: {missing}"


def test_no_module_outside_tests_is_too_long() -> None:
    files = sorted({path for pattern in CODE_GLOBS for path in ROOT.glob(pattern)})
    assert files, "no Python files found"
    too_long = {
        str(path.relative_to(ROOT)): n_lines
        for path in files
        if (n_lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not too_long, f"modules over {MAX_MODULE_LINES} lines (split them by idea): {too_long}"


def test_slug_follows_github() -> None:
    assert slug("Links that restore a view") == "links-that-restore-a-view"
    assert slug("k-means step by step: what a trace costs, and what it says about `quantize`") == (
        "k-means-step-by-step-what-a-trace-costs-and-what-it-says-about-quantize"
    )
    assert slug("The benchmark: `python -m bench`") == "the-benchmark-python--m-bench"
    assert slug("Dashboard speed, memory and many visitors") == "dashboard-speed-memory-and-many-visitors"
