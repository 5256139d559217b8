"""A burst of visitors against one server: each uploads its own 12-megapixel photo at the
same moment and waits for the Reconstructions grid.

    python scripts/burst.py --visitors 12            # docs/dashboard-performance.md's figures
    python scripts/burst.py --visitors 30 --after 60

Starts ``streamlit run app.py`` on loopback (its own process, so the memory measured is
the burst's alone), opens every visitor as a fresh context of one headless Chromium
(every context is its own Streamlit session), waits until all have the page open,
then uploads all the photos at once. Each visitor counts as served when its four
default tiles are drawn under its own photo's size with no exception; the script
records whether it saw the queue notice, how long it took, the server's peak
resident memory (children included, sampled from ``/proc`` five times a second) and
its memory ``--after`` seconds after the last visitor was served. Prints a Markdown
table; ``tests/e2e/test_burst.py`` runs a small burst with assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import platform
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "tests" / "e2e"))

from e2e_support import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, StreamlitServer  # noqa: E402

MB = 1024 * 1024
PHOTO_SIZE = (4000, 3000)
TILES = 4
QUEUE_TEXT = "ahead of yours"
SAME_JOB_TEXT = "being prepared for another visitor"


# --- memory of the server -------------------------------------------------------------


def _rss_bytes(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _descendants(pid: int) -> list[int]:
    found, pending = [], [pid]
    while pending:
        parent = pending.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                kids = [int(k) for k in (task / "children").read_text().split()]
            except OSError:
                continue
            found.extend(kids)
            pending.extend(kids)
    return found


def tree_rss_bytes(pid: int) -> int:
    """Resident memory of ``pid`` and its descendants."""
    return sum(_rss_bytes(p) for p in [pid, *_descendants(pid)])


class RssSampler:
    """Samples :func:`tree_rss_bytes` in a thread until stopped (also used by
    ``tests/e2e/test_load.py``)."""

    def __init__(self, pid: int, interval_s: float = 0.2) -> None:
        self.pid, self.interval_s = pid, interval_s
        self.samples: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append(tree_rss_bytes(self.pid))
            self._stop.wait(self.interval_s)

    @property
    def peak(self) -> int:
        return max(self.samples, default=0)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


# --- photos ---------------------------------------------------------------------------


def photo_jpeg(seed: int, size: tuple[int, int] = PHOTO_SIZE) -> bytes:
    """A different photo-like JPEG for every seed: scikit-learn's china.jpg enlarged,
    its colours turned by a seeded amount, with sensor-like noise."""
    from sklearn.datasets import load_sample_image

    rng = np.random.default_rng(seed)
    large = Image.fromarray(load_sample_image("china.jpg")).resize(size, Image.Resampling.BICUBIC)
    pixels = np.asarray(large, dtype=np.float32)
    mix = np.eye(3, dtype=np.float32) + rng.uniform(-0.25, 0.25, size=(3, 3)).astype(np.float32)
    pixels = pixels @ mix.T
    pixels += rng.normal(0.0, 2.0, size=pixels.shape).astype(np.float32)
    buffer = io.BytesIO()
    Image.fromarray(np.clip(np.rint(pixels), 0, 255).astype(np.uint8)).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


# --- visitors -------------------------------------------------------------------------


@dataclass
class Visit:
    index: int
    served: bool = False
    saw_queue: bool = False
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)


async def _visitor(
    browser, url: str, index: int, content: bytes, everyone_ready: asyncio.Barrier, opening: asyncio.Semaphore, timeout_s: float
) -> Visit:
    visit = Visit(index)
    context = await browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(timeout_s * 1000)
    try:
        opened = False
        try:
            # A few pages load the app's front end at a time: thirty at once on two
            # cores would time out before anybody uploads anything.
            async with opening:
                page = await context.new_page()
                await page.goto(f"{url}/reconstructions")
                await page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']")
            opened = True
        except Exception as err:  # noqa: BLE001 - reported per visitor
            visit.problems.append(f"could not open the page: {type(err).__name__}: {err}")
        # Everybody waits here, even a visitor whose page failed, so nobody waits forever.
        await everyone_ready.wait()
        if not opened:
            return visit
        started = time.monotonic()
        await page.locator(".st-key-upload input[type=file]").set_input_files(
            files=[{"name": f"visitor-{index:02d}.jpg", "mimeType": "image/jpeg", "buffer": content}]
        )
        width, height = PHOTO_SIZE
        size_text = f"{width:,} × {height:,} px"
        while time.monotonic() - started < timeout_s:
            if await page.get_by_text(QUEUE_TEXT).count() or await page.get_by_text(SAME_JOB_TEXT).count():
                visit.saw_queue = True
            if await page.get_by_test_id("stException").count():
                visit.problems.append(await page.get_by_test_id("stException").first.inner_text())
                break
            if await page.get_by_test_id("stAlertContentError").count():
                visit.problems.append(await page.get_by_test_id("stAlertContentError").first.inner_text())
                break
            state = await page.locator("[data-testid='stApp']").get_attribute("data-test-script-state")
            original = page.locator(".st-key-recon_original")
            if state == "notRunning" and await original.count() and size_text in await original.inner_text():
                drawn = await page.evaluate(
                    """n => Array.from({length: n}, (_, i) => document.querySelector(`.st-key-recon_${i} img`))
                           .every(img => img && img.complete && img.naturalWidth > 0)""",
                    TILES,
                )
                if drawn:
                    visit.served = True
                    break
            await asyncio.sleep(0.1)
        visit.seconds = time.monotonic() - started
        if not visit.served and not visit.problems:
            visit.problems.append(f"not served within {timeout_s:.0f} s")
    except Exception as err:  # noqa: BLE001 - reported per visitor
        visit.problems.append(f"{type(err).__name__}: {err}")
    finally:
        await context.close()
    return visit


async def _burst(url: str, photos: list[bytes], timeout_s: float) -> list[Visit]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            ready = asyncio.Barrier(len(photos))
            opening = asyncio.Semaphore(4)
            return list(
                await asyncio.gather(
                    *(_visitor(browser, url, i, photo, ready, opening, timeout_s) for i, photo in enumerate(photos))
                )
            )
        finally:
            await browser.close()


@dataclass
class BurstReport:
    visits: list[Visit]
    idle_bytes: int
    peak_bytes: int
    after_bytes: int
    after_s: float
    wall_s: float

    @property
    def served(self) -> int:
        return sum(v.served for v in self.visits)

    def table(self) -> str:
        seconds = sorted(v.seconds for v in self.visits)
        rows = [
            ("visitors", f"{len(self.visits)}"),
            ("served (4 tiles drawn, no exception)", f"{self.served}"),
            ("saw the queue notice", f"{sum(v.saw_queue for v in self.visits)}"),
            ("server memory idle", f"{self.idle_bytes / MB:.0f} MB"),
            ("server peak memory", f"{self.peak_bytes / MB:.0f} MB"),
            (f"server memory {self.after_s:.0f} s after the last was served", f"{self.after_bytes / MB:.0f} MB"),
            ("fastest / median / slowest visitor", f"{seconds[0]:.1f} / {seconds[len(seconds) // 2]:.1f} / {seconds[-1]:.1f} s"),
            ("wall time of the burst", f"{self.wall_s:.1f} s"),
        ]
        return "\n".join(["| Measurement | Value |", "|---|---:|", *(f"| {a} | {b} |" for a, b in rows)])


def run_burst(server: StreamlitServer, n_visitors: int, *, after_s: float = 60.0, timeout_s: float = 600.0) -> BurstReport:
    """Run a burst against a started server and measure it."""
    photos = [photo_jpeg(seed) for seed in range(n_visitors)]
    pid = server.pid
    assert pid is not None
    idle = tree_rss_bytes(pid)
    started = time.monotonic()
    with RssSampler(pid) as sampler, ThreadPoolExecutor(max_workers=1) as pool:
        # A thread of its own: a caller (pytest with Playwright's sync fixtures) may
        # already run an event loop in this one, where asyncio.run is refused.
        visits = pool.submit(asyncio.run, _burst(server.url, photos, timeout_s)).result()
    wall = time.monotonic() - started
    time.sleep(after_s)
    return BurstReport(visits, idle, sampler.peak, tree_rss_bytes(pid), after_s, wall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visitors", type=int, default=12)
    parser.add_argument("--after", type=float, default=60.0, help="seconds to wait before the last memory reading")
    args = parser.parse_args()
    import os

    log = Path("/tmp") / f"burst-{os.getpid()}.log"
    server = StreamlitServer(REPO_ROOT, log)
    server.start()
    try:
        report = run_burst(server, args.visitors, after_s=args.after)
    finally:
        server.stop()
    print(f"Machine: {len(os.sched_getaffinity(0))} cores; Python {platform.python_version()}; server log {log}\n")
    print(report.table())
    for visit in report.visits:
        if visit.problems:
            print(f"visitor {visit.index}: {'; '.join(visit.problems)}")


if __name__ == "__main__":
    main()
