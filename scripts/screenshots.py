"""Regenerate the README's screenshots: one full-page PNG of every page.

    python scripts/screenshots.py            # writes docs/<page>.png
    python scripts/screenshots.py --out DIR

Starts ``streamlit run app.py`` and Debian's Chromium exactly as the browser
tests do (tests/e2e/e2e_support.py), at a 1400x900 viewport, on the bundled
sample image; then the first screen of a few more views (:data:`VIEWS`).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "tests" / "e2e"))

from e2e_support import (  # noqa: E402 - needs the path above
    PAGE_TITLES,
    VIEWPORT,
    full_page_screenshot,
    go_to_page,
    launch_chromium,
    missing_prerequisites,
    open_app,
    page_slug,
    running_server,
    wait_for_app_run,
    wait_for_images,
)


FILE_NAMES = {"k-means step by step": "kmeans-steps"}
"""Pages whose screenshot is not named after their title's slug."""

BEFORE_SHOT = {
    # Mid-animation rather than the start: the assign half of iteration 3, points
    # painted in their centres' colours and the picture rebuilt.
    "k-means step by step": (
        "() => Plotly.animate(document.querySelector('.st-key-steps_animation .js-plotly-plot'), ['5'],"
        " {frame: {duration: 0, redraw: true}, mode: 'immediate'})"
    ),
}
"""JavaScript run on a page before its screenshot is taken."""

VIEWS = {
    "transparency": "reconstructions?image=logo",
}
"""More screenshots, of the first screen only: file name -> the view's address (a link
that restores it, see docs/links.md)."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=REPO_ROOT / "docs",
        help="directory for the PNG files (default: docs/)",
    )
    args = parser.parse_args(argv)

    missing = missing_prerequisites()
    if missing:
        print("cannot take screenshots: " + "; ".join(missing), file=sys.stderr)
        return 1

    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    log_path = Path(tempfile.mkdtemp(prefix="screenshots-")) / "server.log"
    with running_server(REPO_ROOT, log_path) as server, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            open_app(page, server.url)
            for title in PAGE_TITLES:
                go_to_page(page, title)
                wait_for_images(page)
                if title in BEFORE_SHOT:
                    page.evaluate(BEFORE_SHOT[title])
                    page.wait_for_timeout(1000)
                path = args.out / f"{FILE_NAMES.get(title, page_slug(title))}.png"
                full_page_screenshot(page, path)
                print(path)
            for name, address in VIEWS.items():
                page.goto(f"{server.url}/{address}")
                wait_for_app_run(page)
                wait_for_images(page)
                path = args.out / f"{name}.png"
                page.screenshot(path=str(path))
                print(path)
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
