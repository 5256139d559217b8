"""Load test: concurrent visitors and a long upload session against one server.

The test starts its own ``streamlit run`` on loopback (not the shared session
server), so the memory it measures is this test's alone, and samples the server's
resident memory (RSS, children included) from ``/proc`` about five times a second.

1. Six browser sessions at once, each in its own thread with its own Playwright and
   Chromium, each uploading a different image; every session must see its own
   image's size. The server's peak RSS must stay under 2 GB.
2. Thirty uploads of distinct ~1 MP images in one session; once the bounded caches
   are full, RSS must stop growing (see :func:`test_thirty_uploads_keep_memory_flat`).

Nothing here asserts on time (the machine has two cores and other work); the times
are reported with the memory figures in ``$E2E_REPORT/load.md`` (a temporary
directory by default) and printed, so ``pytest -s`` shows them.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest
from PIL import Image

from scripts.burst import MB, RssSampler, tree_rss_bytes
from e2e_support import (
    SCRIPT_RUN_TIMEOUT_MS,
    VIEWPORT,
    StreamlitServer,
    launch_chromium,
    open_app,
    wait_for_app_run,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.e2e

N_SESSIONS = 6
N_UPLOADS = 30
MEMORY_LIMIT_MB = 2048
FLATNESS_SLACK_MB = 150
# Bounds the whole test: a stuck browser or server fails it instead of hanging CI.
SESSION_PHASE_TIMEOUT_S = 240
UPLOADS_PHASE_TIMEOUT_S = 300
UPLOAD_TIMEOUT_MS = 120_000
SAMPLE_INTERVAL_S = 0.2


# --- images and the browser -------------------------------------------------------------


def distinct_image(width: int, height: int, seed: int, *, format_name: str = "PNG") -> bytes:
    """A smooth gradient with a seeded colour cast and light noise: many colours,
    different for every seed, and compressible enough to upload quickly."""
    rng = np.random.default_rng(seed)
    x = np.linspace(0.0, 1.0, width)[np.newaxis, :]
    y = np.linspace(0.0, 1.0, height)[:, np.newaxis]
    a, b, c = rng.uniform(0.2, 1.0, size=3)
    pixels = np.empty((height, width, 3), dtype=np.float64)
    pixels[..., 0] = 255 * (a * x + (1 - a) * y)
    pixels[..., 1] = 255 * (b * y + (1 - b) * (1 - x))
    pixels[..., 2] = 255 * c * (0.5 + 0.5 * np.sin(6 * x + 4 * y + seed))
    pixels += rng.normal(0, 3, size=pixels.shape)
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    buffer = io.BytesIO()
    options = {"quality": 90} if format_name == "JPEG" else {"compress_level": 1}
    image.save(buffer, format_name, **options)
    return buffer.getvalue()


def size_text(width: int, height: int) -> re.Pattern[str]:
    """The Image page's "Size" metric, e.g. ``1,000 × 1,000 px``."""
    return re.compile(rf"{width:,}\s*×\s*{height:,}\s*px")


def colours_text(content: bytes) -> re.Pattern[str]:
    """The Image page's "Distinct colours" metric for this (lossless) file."""
    import quant

    n_colors = quant.count_colors(quant.load_image(content))
    return re.compile(rf"Distinct colours\D*{n_colors:,}(?![\d,])")


def upload_and_check(page, name: str, content: bytes, width: int, height: int) -> None:
    """Upload through the sidebar and wait until the Image page shows this size."""
    from playwright.sync_api import expect

    page.locator(".st-key-upload input[type=file]").set_input_files(
        files=[{"name": name, "mimeType": "image/png", "buffer": content}]
    )
    expect(page.locator(".st-key-upload")).to_contain_text(name, timeout=UPLOAD_TIMEOUT_MS)
    wait_for_app_run(page, timeout_ms=UPLOAD_TIMEOUT_MS)
    main = page.get_by_test_id("stMain")
    expect(main).to_contain_text(size_text(width, height), timeout=UPLOAD_TIMEOUT_MS)
    errors = page.get_by_test_id("stAlertContentError")
    assert errors.count() == 0, errors.all_inner_texts()
    assert page.get_by_test_id("stException").count() == 0


# --- fixtures -----------------------------------------------------------------------------


@dataclass
class LoadReport:
    """Figures collected by the tests, written to load.md at the end of the module."""

    path: Path
    lines: list[str] = field(default_factory=list)

    def add(self, *lines: str) -> None:
        for line in lines:
            print(line)
            self.lines.append(line)
        self.path.write_text("\n".join(self.lines) + "\n")


@pytest.fixture(scope="module")
def load_report(tmp_path_factory: pytest.TempPathFactory) -> LoadReport:
    configured = os.environ.get("E2E_REPORT")
    directory = Path(configured) if configured else tmp_path_factory.mktemp("report")
    directory.mkdir(parents=True, exist_ok=True)
    report = LoadReport(directory / "load.md")
    report.add("# Load test (tests/e2e/test_load.py)", "")
    return report


def server_pid(server: StreamlitServer) -> int:
    pid = server.pid
    assert pid is not None, "the server is not running"
    return pid


# --- the tests ----------------------------------------------------------------------------


@contextlib.contextmanager
def visitor_page(url: str) -> Iterator[Page]:
    """A visitor of its own: a Chromium, a fresh context and the app opened on ``url``."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            context = browser.new_context(viewport=VIEWPORT)
            context.set_default_timeout(SCRIPT_RUN_TIMEOUT_MS)
            page = context.new_page()
            open_app(page, url)
            yield page
        finally:
            browser.close()


def _one_session(url: str, index: int) -> float:
    """A visitor in its own thread: open the app, upload its image, see its numbers."""
    from playwright.sync_api import expect

    width, height = 320 + index, 200
    content = distinct_image(width, height, seed=index)
    own_colours = colours_text(content)
    started = time.monotonic()
    with visitor_page(url) as page:
        upload_and_check(page, f"visitor-{index}.png", content, width, height)
        expect(page.get_by_test_id("stMain")).to_contain_text(
            own_colours, timeout=UPLOAD_TIMEOUT_MS
        )
        # Every other session's size must be absent: no result leaked across sessions.
        main_text = page.get_by_test_id("stMain").inner_text()
        for other in range(N_SESSIONS):
            if other != index:
                assert not size_text(320 + other, 200).search(main_text), (index, other)
    return time.monotonic() - started


def test_six_concurrent_sessions_see_their_own_images(
    fresh_server: StreamlitServer, load_report: LoadReport
) -> None:
    pid = server_pid(fresh_server)
    idle = tree_rss_bytes(pid)
    started = time.monotonic()
    with RssSampler(pid) as sampler, ThreadPoolExecutor(max_workers=N_SESSIONS) as pool:
        futures = [pool.submit(_one_session, fresh_server.url, i) for i in range(N_SESSIONS)]
        # result() re-raises a session's failure; the timeout bounds the whole phase.
        deadline = started + SESSION_PHASE_TIMEOUT_S
        seconds = [f.result(timeout=max(1.0, deadline - time.monotonic())) for f in futures]
    wall = time.monotonic() - started
    load_report.add(
        f"## {N_SESSIONS} concurrent sessions (one Chromium each, images 320..325 × 200)",
        "",
        f"- server RSS when idle: {idle / MB:.0f} MB",
        f"- server peak RSS: {sampler.peak / MB:.0f} MB ({len(sampler.samples)} samples, about every {SAMPLE_INTERVAL_S} s)",
        f"- wall time: {wall:.1f} s; per session (open + upload + check): "
        + ", ".join(f"{s:.1f}" for s in seconds)
        + " s",
        "",
    )
    assert sampler.peak < MEMORY_LIMIT_MB * MB, f"peak RSS {sampler.peak / MB:.0f} MB"


def _thirty_uploads(url: str, pid: int, width: int, height: int) -> tuple[list[int], list[float]]:
    """One visitor uploading N_UPLOADS distinct photos; (RSS after each, seconds each)."""
    after_upload: list[int] = []
    seconds: list[float] = []
    with visitor_page(url) as page:
        deadline = time.monotonic() + UPLOADS_PHASE_TIMEOUT_S
        for index in range(N_UPLOADS):
            assert time.monotonic() < deadline, (
                f"only {index} of {N_UPLOADS} uploads within {UPLOADS_PHASE_TIMEOUT_S} s"
            )
            content = distinct_image(width, height, seed=1000 + index, format_name="JPEG")
            started = time.monotonic()
            upload_and_check(page, f"photo-{index + 1:02d}.jpg", content, width, height)
            seconds.append(time.monotonic() - started)
            after_upload.append(tree_rss_bytes(pid))
    return after_upload, seconds


def test_thirty_uploads_keep_memory_flat(
    fresh_server: StreamlitServer, load_report: LoadReport
) -> None:
    pid = server_pid(fresh_server)
    width, height = 1000, 1000
    # Its own thread, like each of the six sessions: the sync Playwright API refuses to
    # start where another test's browser fixture already runs its event loop.
    with RssSampler(pid) as sampler, ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(_thirty_uploads, fresh_server.url, pid, width, height)
        after_upload, seconds = future.result(timeout=UPLOADS_PHASE_TIMEOUT_S + 120)

    mb = [r / MB for r in after_upload]
    load_report.add(
        f"## {N_UPLOADS} uploads of distinct {width} × {height} JPEGs in one session",
        "",
        "- server RSS after each upload (MB): " + ", ".join(f"{m:.0f}" for m in mb),
        f"- peak RSS during the uploads: {sampler.peak / MB:.0f} MB",
        f"- max RSS after uploads 1-10 / 11-20 / 21-30: "
        f"{max(mb[:10]):.0f} / {max(mb[10:20]):.0f} / {max(mb[20:]):.0f} MB",
        f"- seconds per upload (upload to size shown): median {np.median(seconds):.1f}, "
        f"max {max(seconds):.1f}",
        "",
    )
    # Every cache in ui/compute/cached.py is bounded (max_entries) and an upload fills a few
    # entries of each, so by about the tenth upload every cache is full and each new
    # image evicts an old one. From then on RSS should only wobble (allocator
    # fragmentation, garbage-collection timing), not climb. Comparing the maxima of two
    # later windows of ten uploads, with 150 MB of slack for the wobble, fails for any
    # leak over 15 MB per upload, i.e. for keeping a decoded 1 MP image (3 MB) together
    # with its reconstructions and pictures.
    assert max(mb[20:]) <= max(mb[10:20]) + FLATNESS_SLACK_MB, mb
    assert sampler.peak < MEMORY_LIMIT_MB * MB, f"peak RSS {sampler.peak / MB:.0f} MB"
