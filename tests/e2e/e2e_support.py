"""Start the app with ``streamlit run`` and drive it in Debian's Chromium.

Shared by the end-to-end tests (``conftest.py``) and by
``scripts/screenshots.py``, so that both launch the server and the browser
the same way. The waits follow Streamlit's own Playwright suite: poll
``/_stcore/health`` until the server answers ``ok``; after every action wait
until the root element reports ``data-test-script-state="notRunning"``.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:  # playwright is optional outside CI; import it lazily
    from playwright.sync_api import Browser, Page, Playwright

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))
# `playwright install` cannot download its own browser build here, so we drive
# the distribution's Chromium; these flags keep it from reaching the network.
CHROMIUM_ARGS = [
    "--no-sandbox",  # we run as root in a container
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 900}
SERVER_START_TIMEOUT_S = 60.0
# A cold page runs several k-means fits on a 2-core machine that may be busy with
# other work; a generous bound costs nothing when the app is fast.
SCRIPT_RUN_TIMEOUT_MS = 180_000
PAGE_TITLES = ("Image", "Colour space", "k-means step by step", "Reconstructions", "Compare")


def missing_prerequisites() -> list[str]:
    """Say what is missing to run the browser tests; empty if nothing is."""
    missing = []
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the Python package 'playwright' is not installed")
    if not os.access(CHROMIUM, os.X_OK):
        missing.append(f"no Chromium executable at {CHROMIUM} (apt-get install chromium)")
    return missing


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class StreamlitServer:
    """A ``streamlit run`` subprocess on a loopback port, with its log kept.

    Parameters
    ----------
    app_dir : Path
        Directory holding ``app.py`` (and ``.streamlit/config.toml``).
    log_path : Path
        File that receives the server's stdout and stderr.
    env : mapping, optional
        Environment variables set for the server on top of this process's.
    """

    def __init__(self, app_dir: Path, log_path: Path, *, env: dict[str, str] | None = None) -> None:
        self.app_dir = app_dir
        self.log_path = log_path
        self.env = {**os.environ, **(env or {})}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def log_text(self) -> str:
        """Everything the server has written so far."""
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    @property
    def pid(self) -> int | None:
        """Process id of the running server, None when it is not running."""
        return None if self._process is None else self._process.pid

    def start(self, *, timeout_s: float = SERVER_START_TIMEOUT_S) -> None:
        """Start the server and block until ``/_stcore/health`` answers ``ok``.

        Raises
        ------
        RuntimeError
            If the server exits or does not become healthy within `timeout_s`;
            the message includes the server's log.
        """
        app = self.app_dir / "app.py"
        if not app.is_file():
            raise RuntimeError(f"no Streamlit entry point at {app}")
        command = [
            sys.executable, "-m", "streamlit", "run", str(app),
            "--server.headless", "true",
            "--server.port", str(self.port),
            "--server.address", "127.0.0.1",
            "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none",
        ]
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("wb")
        self._process = subprocess.Popen(
            command, cwd=self.app_dir, stdin=subprocess.DEVNULL,
            stdout=self._log, stderr=subprocess.STDOUT, env=self.env,
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"streamlit exited with status {self._process.returncode} before "
                    f"becoming healthy; its log ({self.log_path}):\n{self.log_text()}"
                )
            if self._healthy():
                return
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(
            f"streamlit did not answer {self.url}/_stcore/health within {timeout_s:.0f} s; "
            f"its log ({self.log_path}):\n{self.log_text()}"
        )

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                return response.status == 200 and response.read().strip() == b"ok"
        except (OSError, urllib.error.URLError):
            return False

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 10 s) and close its log."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=10)
        self._process = None
        if self._log is not None:
            self._log.close()
            self._log = None


@contextlib.contextmanager
def running_server(app_dir: Path, log_path: Path) -> Iterator[StreamlitServer]:
    """Context manager around :class:`StreamlitServer`: started on entry, stopped on exit."""
    server = StreamlitServer(app_dir, log_path)
    try:
        server.start()
        yield server
    finally:
        server.stop()


def launch_chromium(playwright: Playwright) -> Browser:
    """Launch Debian's headless Chromium through Playwright."""
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )


def wait_for_app_run(page: Page, *, timeout_ms: int = SCRIPT_RUN_TIMEOUT_MS) -> None:
    """Block until Streamlit has finished rerunning the script and drawing.

    Call it after any action that triggers a rerun (navigation, a widget
    change, an upload) and before asserting on the result.
    """
    from playwright.sync_api import expect

    # A rerun starts a moment after the action; without this pause the
    # `notRunning` state of the *previous* run would satisfy the wait.
    page.wait_for_timeout(250)
    app = page.locator("[data-testid='stApp']")
    page.locator("[data-testid='stApp'][data-test-connection-state='CONNECTED']").wait_for(
        state="attached", timeout=timeout_ms
    )
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
        state="attached", timeout=timeout_ms
    )
    expect(app.get_by_test_id("stSpinner")).to_have_count(0, timeout=timeout_ms)
    expect(app.get_by_test_id("stSkeleton")).to_have_count(0, timeout=timeout_ms)
    expect(page.get_by_test_id("stStatusWidgetRunningIcon")).to_have_count(0, timeout=timeout_ms)


def wait_for_images(page: Page, *, timeout_ms: int = SCRIPT_RUN_TIMEOUT_MS) -> None:
    """Wait until every <img> on the page has finished loading (or failed to)."""
    page.wait_for_function(
        "() => Array.from(document.images).every(img => img.complete)", timeout=timeout_ms
    )


def full_page_screenshot(page: Page, path: Path, *, max_height: int = 8000) -> None:
    """Save a PNG of the whole page, including what is scrolled out of view.

    Streamlit scrolls inside ``stMain`` rather than the document, so Playwright's
    ``full_page`` alone stops at the viewport: grow the viewport to the content's
    height first (up to `max_height`), then put it back.
    """
    original = page.viewport_size or VIEWPORT
    content_height = page.evaluate(
        """() => Math.max(document.documentElement.scrollHeight,
               ...Array.from(document.querySelectorAll("[data-testid='stMain'],"
                   + " [data-testid='stSidebarContent']"), el => el.scrollHeight))"""
    )
    height = min(max(int(content_height), original["height"]), max_height)
    if height != original["height"]:
        page.set_viewport_size({"width": original["width"], "height": height})
        wait_for_images(page)
        page.wait_for_timeout(500)  # let charts redraw at the new size
    try:
        page.screenshot(path=str(path), full_page=True)
    finally:
        if height != original["height"]:
            page.set_viewport_size(original)


def open_app(page: Page, url: str) -> None:
    """Load the app at `url` and wait for its first run to finish."""
    page.goto(url, wait_until="domcontentloaded")
    page.locator("[data-testid='stAppViewContainer']").wait_for(
        state="attached", timeout=SCRIPT_RUN_TIMEOUT_MS
    )
    wait_for_app_run(page)


def go_to_page(page: Page, title: str) -> None:
    """Click the sidebar navigation link titled `title` and wait for the page."""
    from playwright.sync_api import expect

    # Match the label exactly, ignoring a Material icon's ligature text beside it.
    link = page.get_by_test_id("stSidebarNav").get_by_role("link").filter(
        has=page.get_by_text(title, exact=True)
    )
    expect(link).to_have_count(1)
    link.click()
    wait_for_app_run(page)


def page_slug(title: str) -> str:
    """File-name form of a page title: 'Colour space' -> 'colour-space'."""
    return "-".join(title.lower().split())
