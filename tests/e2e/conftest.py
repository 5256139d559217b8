"""Fixtures for the browser tests: one Streamlit server and one Chromium per session.

Every test gets a fresh browser context, hence a fresh Streamlit session.
Under CI (``CI=true``) a missing browser or Playwright is an error, never a
skip, so that these tests cannot silently stop running.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from e2e_support import (
    REPO_ROOT,
    SCRIPT_RUN_TIMEOUT_MS,
    VIEWPORT,
    StreamlitServer,
    launch_chromium,
    missing_prerequisites,
    open_app,
)

IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def browser_prerequisites() -> None:
    """Skip (or, under CI, fail) when Playwright or Chromium is missing."""
    missing = missing_prerequisites()
    if not missing:
        return
    reason = "browser tests cannot run: " + "; ".join(missing)
    if IN_CI:
        pytest.fail(reason + " (CI=true, so this is an error, not a skip)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where tests save screenshots: $E2E_SCREENSHOTS, else a temporary directory."""
    configured = os.environ.get("E2E_SCREENSHOTS")
    directory = Path(configured) if configured else tmp_path_factory.mktemp("screenshots")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def serve_app(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[StreamlitServer]:
    """``streamlit run app.py`` on a free loopback port, its log in a fresh ``name`` folder."""
    log_path = tmp_path_factory.mktemp(name) / "server.log"
    server = StreamlitServer(REPO_ROOT, log_path)
    try:
        server.start()
    except RuntimeError as error:
        pytest.fail(str(error), pytrace=False)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def app_server(
    browser_prerequisites: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StreamlitServer]:
    """``streamlit run app.py`` on a free loopback port, stopped after the session."""
    yield from serve_app(tmp_path_factory, "streamlit")


@pytest.fixture(scope="module")
def fresh_server(
    browser_prerequisites: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StreamlitServer]:
    """A server for one test module alone (the load test), so its memory holds nothing from other tests."""
    yield from serve_app(tmp_path_factory, "streamlit-load")


@pytest.fixture(scope="session")
def browser(browser_prerequisites: None):  # -> playwright.sync_api.Browser
    from playwright.sync_api import expect, sync_playwright

    # Assertions run after wait_for_app_run, but images and charts still draw
    # afterwards; Playwright's 5 s default is tight on a loaded 2-core machine.
    expect.set_options(timeout=30_000)

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def app(browser, app_server: StreamlitServer, request: pytest.FixtureRequest):
    """A new page (own browser context, own Streamlit session) on the app's first page."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(SCRIPT_RUN_TIMEOUT_MS)
    page = context.new_page()
    try:
        open_app(page, app_server.url)
        exceptions = page.get_by_test_id("stException")
        if exceptions.count():
            log_tail = "\n".join(app_server.log_text().splitlines()[-40:])
            pytest.fail(
                "the app shows an exception as soon as it loads:\n"
                + "\n".join(exceptions.all_inner_texts())
                + f"\nstreamlit log ({app_server.log_path}), last lines:\n{log_tail}",
                pytrace=False,
            )
        yield page
    finally:
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            failure_dir = Path(os.environ.get("E2E_SCREENSHOTS", app_server.log_path.parent))
            failure_dir.mkdir(parents=True, exist_ok=True)
            shot = failure_dir / f"FAILED-{request.node.name}.png"
            try:
                page.screenshot(path=str(shot), full_page=True)
                print(f"screenshot of the failure: {shot}")
            except Exception as error:  # noqa: BLE001 - best effort, never mask the failure
                print(f"could not save a failure screenshot: {error}")
            print(f"streamlit log ({app_server.log_path}), last lines:")
            print("\n".join(app_server.log_text().splitlines()[-40:]))
        context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    # Keep each phase's report on the item so `app` can tell a failed test.
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
