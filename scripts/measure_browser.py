"""Measure the dashboard's two performance goals in a real browser, as a visitor sees them.

The companion of ``scripts/measure_app.py`` (AppTest, server side only): the same
12-megapixel photo, but timed in Debian's Chromium against ``streamlit run``, so the
figures include the upload over the socket, the transfer of the pictures and the
browser decoding them. A script, not a test: it reports medians and asserts nothing.

    python scripts/measure_browser.py               # 3 repeats
    python scripts/measure_browser.py --repeats 5

What is timed (wall clock, in this process, around Playwright calls):

* upload: the Reconstructions page is open on the sample with its default four tiles
  (16, 32, 64 colours and a random 32). From ``set_input_files`` on the sidebar
  uploader until the script has finished and the original and all four tiles show
  the photo's pictures, loaded (``img.complete`` and ``naturalWidth > 0``). A new
  server is started for each repeat, so every cache is cold, as for a new photo.
* dithering switched on with the four tiles: until the new tiles are shown, and
  until the script has finished (their full-size PNGs made); one step of the Colour
  space page's k slider (arrow key), until the caption names the new number of
  centres and both charts are drawn.
* page switch: with every page visited once for the photo (results cached), from the
  click on a sidebar link until the script has finished, the page's title is shown,
  every picture has loaded and every Plotly chart has drawn.
* first contact on the sample (``--first-visits``, or alone with ``--only-first-visits``):
  for each page but the first, a new server; from ``goto`` until its first page
  (Image, on the sample) is drawn, then at once a click on the page's link until it
  is drawn as above; for Compare also until its first error curves are drawn.

The server and the browser are launched exactly as the browser tests do
(``tests/e2e/e2e_support.py``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "tests" / "e2e"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from e2e_support import (  # noqa: E402 - needs the path above
    PAGE_TITLES,
    SCRIPT_RUN_TIMEOUT_MS,
    VIEWPORT,
    go_to_page,
    launch_chromium,
    missing_prerequisites,
    open_app,
    running_server,
    wait_for_images,
)
from measure_app import machine  # noqa: E402
from measured_photos import PHOTO_NAME, photo_jpeg  # noqa: E402

TILES = 4
POLL_MS = 20
UPLOAD_GOAL_S = 5.0
SWITCH_GOAL_S = 0.5
"""A cached page switch, drawn in the browser."""

# True once the run that the action started has finished drawing: the script is idle,
# nothing is spinning, and every <img> in the given containers has a new source that
# has loaded. `old` lists the sources shown before the action, which must all be gone.
_TILES_READY = """
([keys, old]) => {
  const app = document.querySelector("[data-testid='stApp']");
  if (!app || app.getAttribute("data-test-script-state") !== "notRunning") return false;
  if (document.querySelector("[data-testid='stSpinner']")) return false;
  for (const key of keys) {
    const images = document.querySelectorAll(`.st-key-${key} [data-testid='stImage'] img`);
    if (images.length === 0) return false;
    for (const img of images) {
      if (old.includes(img.src) || !img.complete || img.naturalWidth === 0) return false;
    }
  }
  return true;
}
"""

# The same, without waiting for the script to finish: the tiles are on screen while
# the full-size PNGs are still being made.
_TILES_SHOWN = _TILES_READY.replace(
    'if (!app || app.getAttribute("data-test-script-state") !== "notRunning") return false;', ""
)

# True once the Colour space page shows the palette asked for: idle, its caption
# names the number of centres, and both charts are drawn.
_CLOUD_READY = """
(centres) => {
  const app = document.querySelector("[data-testid='stApp']");
  if (!app || app.getAttribute("data-test-script-state") !== "notRunning") return false;
  const main = document.querySelector("[data-testid='stMain']");
  if (!main || !main.innerText.includes(`${centres} centres`)) return false;
  const charts = document.querySelectorAll("[data-testid='stPlotlyChart']");
  if (charts.length === 0) return false;
  for (const chart of charts) {
    if (!chart.querySelector("svg.main-svg, canvas")) return false;
  }
  return true;
}
"""

# True once a page switch has finished drawing: the new title is shown, the script is
# idle, nothing spins, every picture has loaded and every Plotly chart has its SVG or
# WebGL canvas.
_PAGE_READY = """
(title) => {
  const app = document.querySelector("[data-testid='stApp']");
  if (!app || app.getAttribute("data-test-script-state") !== "notRunning") return false;
  const heading = document.querySelector("[data-testid='stMain'] h1");
  if (!heading || !heading.textContent.includes(title)) return false;
  if (document.querySelector("[data-testid='stSpinner'], [data-testid='stSkeleton']")) return false;
  for (const img of document.querySelectorAll("[data-testid='stMain'] img")) {
    if (!img.complete || img.naturalWidth === 0) return false;
  }
  for (const chart of document.querySelectorAll("[data-testid='stPlotlyChart']")) {
    if (!chart.querySelector("svg.main-svg, canvas")) return false;
  }
  return true;
}
"""


# True once one of the Compare page's error-curve charts (``compare_curves_<n>`` while
# the rest arrive, ``compare_curves`` at the end) has drawn.
_CURVES_DRAWN = """
() => Array.from(document.querySelectorAll("[class*='st-key-compare_curves']"))
  .some(chart => chart.querySelector("svg.main-svg"))
"""


def tile_sources(page) -> list[str]:
    """The src of every picture in the original's and the tiles' containers."""
    return page.evaluate(
        """(keys) => keys.flatMap(key => Array.from(
               document.querySelectorAll(`.st-key-${key} [data-testid='stImage'] img`), img => img.src))""",
        tile_keys(),
    )


def tile_keys() -> list[str]:
    return ["recon_original", *(f"recon_{index}" for index in range(TILES))]


def check_clean(page, what: str) -> None:
    """Stop if the app shows an exception or an error box: a fast error is not a fast page."""
    problems = page.locator("[data-testid='stException'], [data-testid='stAlertContentError']")
    if problems.count():
        raise SystemExit(f"{what}: the app failed: {problems.all_inner_texts()}")


def measure_upload(browser, content: bytes) -> tuple[float, dict[str, float]]:
    """One cold upload on a fresh server: seconds until the four tiles have loaded,
    then the cached page switches on the same session."""
    log_path = Path(tempfile.mkdtemp(prefix="measure-browser-")) / "server.log"
    with running_server(REPO_ROOT, log_path) as server:
        context = browser.new_context(viewport=VIEWPORT)
        context.set_default_timeout(SCRIPT_RUN_TIMEOUT_MS)
        try:
            page = context.new_page()
            open_app(page, server.url)
            go_to_page(page, "Reconstructions")
            wait_for_images(page)
            check_clean(page, "opening Reconstructions")
            before = tile_sources(page)
            uploader = page.locator(".st-key-upload input[type=file]")
            start = time.perf_counter()
            uploader.set_input_files(files=[{"name": PHOTO_NAME, "mimeType": "image/jpeg", "buffer": content}])
            page.wait_for_function(
                _TILES_READY, arg=[tile_keys(), before], polling=POLL_MS, timeout=SCRIPT_RUN_TIMEOUT_MS
            )
            seconds = time.perf_counter() - start
            check_clean(page, "uploading")
            caption = page.locator(".st-key-recon_original").inner_text()
            if "4,000" not in caption:
                raise SystemExit(f"uploading: the original tile does not show the photo: {caption!r}")
            interactions = measure_interactions(page)
            switches = measure_switches(page)
        finally:
            context.close()
    return seconds, {**interactions, **switches}


def measure_interactions(page) -> dict[str, float]:
    """Dithering switched on with the four tiles (until shown, and until every PNG is
    made), then one step of the Colour space page's k slider."""
    times = {}
    before = tile_sources(page)
    start = time.perf_counter()
    page.locator(".st-key-dither label").first.click()
    page.wait_for_function(_TILES_SHOWN, arg=[tile_keys()[1:], before], polling=POLL_MS, timeout=SCRIPT_RUN_TIMEOUT_MS)
    times[DITHER_SHOWN] = time.perf_counter() - start
    page.wait_for_function(_TILES_READY, arg=[tile_keys()[1:], before], polling=POLL_MS, timeout=SCRIPT_RUN_TIMEOUT_MS)
    times[DITHER_DONE] = time.perf_counter() - start
    check_clean(page, "dithering on")
    before = tile_sources(page)
    page.locator(".st-key-dither label").first.click()
    page.wait_for_function(_TILES_READY, arg=[tile_keys()[1:], before], polling=POLL_MS, timeout=SCRIPT_RUN_TIMEOUT_MS)

    go_to_page(page, "Colour space")
    page.wait_for_function(_PAGE_READY, arg="Colour space", polling=POLL_MS, timeout=SCRIPT_RUN_TIMEOUT_MS)
    slider = page.locator(".st-key-cloud_k input[type='range']")
    centres = int(slider.get_attribute("value"))
    slider.focus()
    start = time.perf_counter()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(_CLOUD_READY, arg=centres + 1, polling=POLL_MS, timeout=SCRIPT_RUN_TIMEOUT_MS)
    times[K_STEP] = time.perf_counter() - start
    check_clean(page, "k step")
    return times


DITHER_SHOWN = "Dithering on, 4 tiles shown"
DITHER_DONE = "Dithering on, 4 tiles and their PNGs done"
K_STEP = "Colour space, one k step, both charts drawn"


def measure_switches(page) -> dict[str, float]:
    """Visit every page once (results cached), then time a switch to each."""
    for title in PAGE_TITLES:
        go_to_page(page, title)
        wait_for_images(page)
        check_clean(page, f"first visit to {title}")
    times = {}
    for title in PAGE_TITLES:
        link = page.get_by_test_id("stSidebarNav").get_by_role("link").filter(
            has=page.get_by_text(title, exact=True)
        )
        start = time.perf_counter()
        link.click()
        page.wait_for_function(_PAGE_READY, arg=title, polling=POLL_MS, timeout=SCRIPT_RUN_TIMEOUT_MS)
        times[title] = time.perf_counter() - start
        check_clean(page, f"switch to {title}")
    return times


FIRST_RUN = "First run on the sample (Image), drawn"
CURVES = "… Compare's first curves drawn"


def measure_first_visits(browser) -> dict[str, float]:
    """For each page but the first, a new server: its first page drawn, then at once
    that page's first visit, drawn (Compare: also its first curves)."""
    times: dict[str, float] = {}
    for title in PAGE_TITLES[1:]:
        log_path = Path(tempfile.mkdtemp(prefix="measure-browser-")) / "server.log"
        with running_server(REPO_ROOT, log_path) as server:
            context = browser.new_context(viewport=VIEWPORT)
            context.set_default_timeout(SCRIPT_RUN_TIMEOUT_MS)
            try:
                page = context.new_page()
                start = time.perf_counter()
                page.goto(server.url, wait_until="domcontentloaded")
                page.wait_for_function(_PAGE_READY, arg=PAGE_TITLES[0], polling=POLL_MS, timeout=SCRIPT_RUN_TIMEOUT_MS)
                times.setdefault(FIRST_RUN, time.perf_counter() - start)
                check_clean(page, "first run")
                link = page.get_by_test_id("stSidebarNav").get_by_role("link").filter(
                    has=page.get_by_text(title, exact=True)
                )
                start = time.perf_counter()
                link.click()
                if title == "Compare":
                    page.wait_for_function(_CURVES_DRAWN, polling=POLL_MS, timeout=SCRIPT_RUN_TIMEOUT_MS)
                    times[CURVES] = time.perf_counter() - start
                # Past the previous page's idle state: the new title must be shown too.
                page.wait_for_function(_PAGE_READY, arg=title, polling=POLL_MS, timeout=SCRIPT_RUN_TIMEOUT_MS)
                times[title] = time.perf_counter() - start
                check_clean(page, f"first visit to {title}")
            finally:
                context.close()
    return times


def print_first_visits(visits: dict[str, list[float]]) -> None:
    """The first contact's table: median and runs of each first visit."""
    print("\n| First contact on the sample, a new server each time | Median (s) | Runs (s) |")
    print("|---|---:|---|")
    for label, times in visits.items():
        name = label if label in (FIRST_RUN, CURVES) else f"… then at once the first visit to {label}, drawn"
        print(f"| {name} | {statistics.median(times):.2f} | {', '.join(f'{t:.2f}' for t in times)} |")


def print_table(heading: str, *, upload: tuple[str, list[float]], switches: dict[str, list[float]]) -> None:
    """Print the machine, ``heading`` and the Markdown table docs/dashboard-performance.md
    quotes ("In a real browser"): the median and every run of the upload and of each
    page switch, against their goals."""
    print(f"Machine: {machine()}\n")
    print(heading + "\n")
    print("| Measurement | Median (s) | Runs (s) | Goal (s) |")
    print("|---|---:|---|---:|")
    label, times = upload
    print(f"| {label} | {statistics.median(times):.2f} | {', '.join(f'{t:.2f}' for t in times)} | {UPLOAD_GOAL_S:g} |")
    for label, times in switches.items():
        goal = f"{SWITCH_GOAL_S:g}" if label.startswith("Switch") else ""
        print(f"| {label} | {statistics.median(times):.3f} | {', '.join(f'{t:.3f}' for t in times)} | {goal} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="repeats of each timing (default 3)")
    parser.add_argument("--first-visits", action="store_true", help="also time the first visit of every page on the sample")
    parser.add_argument("--only-first-visits", action="store_true", help="time only the first visits on the sample")
    args = parser.parse_args(argv)

    missing = missing_prerequisites()
    if missing:
        print("cannot measure in the browser: " + "; ".join(missing), file=sys.stderr)
        return 1

    from playwright.sync_api import sync_playwright

    print(f"Machine: {machine()}", file=sys.stderr)
    content = photo_jpeg()
    print(f"Photo: 4000 × 3000 JPEG, {len(content) / 1e6:.1f} MB", file=sys.stderr)

    upload_times: list[float] = []
    switch_times: dict[str, list[float]] = {
        DITHER_SHOWN: [], DITHER_DONE: [], K_STEP: [], **{title: [] for title in PAGE_TITLES}
    }
    visits: dict[str, list[float]] = {}
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            for repeat in range(args.repeats):
                if args.first_visits or args.only_first_visits:
                    for label, seconds in measure_first_visits(browser).items():
                        visits.setdefault(label, []).append(seconds)
                        print(f"repeat {repeat + 1}: {label} {seconds:.2f} s", file=sys.stderr)
                if args.only_first_visits:
                    continue
                seconds, switches = measure_upload(browser, content)
                upload_times.append(seconds)
                print(f"repeat {repeat + 1}: upload → 4 tiles loaded {seconds:.2f} s", file=sys.stderr)
                for title, seconds in switches.items():
                    switch_times[title].append(seconds)
                    print(f"repeat {repeat + 1}: {title} {seconds:.3f} s", file=sys.stderr)
        finally:
            browser.close()

    if args.only_first_visits:
        print(f"Machine: {machine()}\n")
        print_first_visits(visits)
        return 0
    print_table(
        f"Median of {args.repeats} repeats, Chromium (headless) against `streamlit run` on this machine.",
        upload=("12 MP JPEG upload → Reconstructions, 4 tiles loaded in the browser", upload_times),
        switches={
            (title if title in (DITHER_SHOWN, DITHER_DONE, K_STEP) else f"Switch to {title} (cached), drawn"): times
            for title, times in switch_times.items()
        },
    )
    if visits:
        print_first_visits(visits)
    return 0


if __name__ == "__main__":
    sys.exit(main())
