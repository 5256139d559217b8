"""A link restores the view in a real browser, and the address bar follows the controls."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from e2e_support import go_to_page, open_app, wait_for_app_run

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip, or under CI fail, before any test uses it
    expect = None

pytestmark = pytest.mark.e2e


def query(url: str) -> dict[str, str]:
    return {name: values[-1] for name, values in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}


def selected(page, key: str):
    """The combobox of the selectbox with session-state key ``key`` (its value is the option shown)."""
    return page.locator(f".st-key-{key}").get_by_role("combobox")


def choose(page, key: str, option: str) -> None:
    """Pick ``option`` in the selectbox with session-state key ``key``."""
    selected(page, key).click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_app_run(page)


def test_a_link_opens_the_view_and_the_url_follows_a_change(app, app_server, screenshot_dir: Path) -> None:
    page = app
    open_app(page, f"{app_server.url}/colour_space?image=flower&method=octree&space=lab&seed=7&k=5")

    expect(page.get_by_test_id("stHeading").first).to_contain_text("Colour space")
    expect(selected(page, "source")).to_have_value(re.compile("^Flower"))
    expect(selected(page, "method")).to_have_value("octree")
    expect(page.locator(".st-key-space input[type=radio]:checked")).to_have_value("1")  # Lab, the second option
    expect(page.locator(".st-key-seed input")).to_have_value("7")
    expect(page.locator(".st-key-cloud_k").get_by_test_id("stSliderThumbValue")).to_have_text("5")
    expect(page.get_by_text("5 centres", exact=False)).to_be_visible()
    assert query(page.url) == {"image": "flower", "method": "octree", "space": "lab", "seed": "7", "k": "5"}
    # The sidebar offers the same link.
    expect(page.locator(".st-key-link_to_view")).to_contain_text("k=5")
    page.screenshot(path=str(screenshot_dir / "link-colour-space.png"))

    choose(page, "method", "median cut")
    expect(page).to_have_url(re.compile(r"method=median-cut"))
    assert query(page.url)["method"] == "median-cut"
    assert urlsplit(page.url).path == "/colour_space"

    # Another page: its own parameters, the sidebar's kept; k belongs to Colour space.
    go_to_page(page, "Reconstructions")
    expect(page).to_have_url(re.compile(r"/reconstructions\?"))
    assert query(page.url) == {"image": "flower", "method": "median-cut", "space": "lab", "seed": "7"}


def test_junk_in_a_link_is_ignored_with_a_notice(app, app_server) -> None:
    page = app
    open_app(page, f"{app_server.url}/reconstructions?k=99999&sizes=abc&method=%3Cb%3Ex%3C/b%3E&image=../../etc/passwd")

    expect(page.get_by_test_id("stException")).to_have_count(0)
    notice = page.get_by_test_id("stAlertContentWarning")
    expect(notice).to_contain_text("could not be used")
    expect(notice).not_to_contain_text("passwd")
    assert page.locator("b", has_text="x").count() == 0
    expect(selected(page, "method")).to_have_value("k-means")
    # The address bar no longer carries the junk.
    assert query(page.url) == {}
