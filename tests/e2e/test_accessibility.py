"""Accessibility in Chromium: axe-core finds no serious or critical WCAG 2.0 / 2.1 A or AA
violation on any page, on the bundled sample and after an upload in Lab with dithering;
the sidebar, the before / after handle and the k-means animation work from the keyboard,
with a visible focus.

axe-core comes bundled with ``axe-playwright-python`` (requirements-test.txt). What is
audited and what is not: docs/accessibility.md.
"""

from __future__ import annotations

import pytest

from e2e_support import PAGE_TITLES, VIEWPORT, go_to_page, wait_for_app_run, wait_for_images
from test_browser import gradient_png, upload

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip, or under CI fail, before any test uses it
    expect = None

pytestmark = pytest.mark.e2e

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")
# No rule or element is excluded: every page passes as it is. An exception, if one is ever
# needed for Streamlit's own chrome, is one exact (rule, selector) pair with the reason
# beside it, and is listed in docs/accessibility.md.
SIDEBAR_KEYS = ("source", "upload", "method", "space", "dither", "seed", "palette")
ANIMATION = ".st-key-steps_animation"
CONTENT_HEIGHT = """() => Math.max(document.documentElement.scrollHeight,
    ...Array.from(document.querySelectorAll("[data-testid='stMain'], [data-testid='stSidebarContent']"),
                  el => el.scrollHeight))"""


def audit(page) -> list[str]:
    """The page's serious and critical WCAG A/AA violations, one line per element.

    Streamlit scrolls inside its main area and the sidebar, and axe leaves out what a
    scroll container hides; so the viewport is first made as tall as the content.
    """
    from axe_playwright_python.sync_playwright import Axe

    height = min(int(page.evaluate(CONTENT_HEIGHT)), 12_000)
    page.set_viewport_size({"width": VIEWPORT["width"], "height": max(height, VIEWPORT["height"])})
    try:
        wait_for_images(page)
        page.wait_for_timeout(800)  # charts redraw at the new size
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    finally:
        page.set_viewport_size(VIEWPORT)
    return [
        f"[{violation['impact']}] {violation['id']}: {violation['help']} at {node['target']}: {node['html'][:160]}"
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING
        for node in violation["nodes"]
    ]


def audit_every_page(page) -> None:
    found = {}
    for title in PAGE_TITLES:
        go_to_page(page, title)
        assert page.get_by_test_id("stException").count() == 0
        found[title] = audit(page)
    report = "\n".join(f"{title}:\n  " + "\n  ".join(lines) for title, lines in found.items() if lines)
    assert not report, "axe found serious or critical WCAG violations:\n" + report


def focused_key(page) -> str:
    """The Streamlit key (``st-key-…`` class) around the focused element, or its tag."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const keyed = el && el.closest("[class*='st-key-']");
            if (!keyed) return el ? el.tagName : "";
            return Array.from(keyed.classList).find(c => c.startsWith("st-key-")).slice(7);
        }"""
    )


def focus_is_visible(page, container) -> bool:
    """Whether the focused control looks different from the same control unfocused."""
    focused = container.screenshot(animations="disabled")
    page.evaluate("() => { window.lastFocused = document.activeElement; document.activeElement.blur(); }")
    unfocused = container.screenshot(animations="disabled")
    page.evaluate("() => window.lastFocused.focus()")
    return focused != unfocused


def test_every_page_passes_axe_on_the_sample(app) -> None:
    audit_every_page(app)


def test_every_page_passes_axe_after_an_upload_in_lab_with_dithering(app) -> None:
    upload(app, "gradient.png", gradient_png(300, 200))
    app.locator(".st-key-space label").filter(has_text="Lab").click()
    wait_for_app_run(app)
    app.locator(".st-key-dither label").first.click()
    wait_for_app_run(app)
    expect(app.locator(".st-key-dither_strength")).to_have_count(1)
    audit_every_page(app)


def test_keyboard_alone_reaches_the_sidebar_and_moves_the_before_after_handle(app) -> None:
    # Tab from the top of the page: every sidebar control is reached, each with a visible focus.
    app.locator("body").focus()
    reached = []
    for _ in range(60):
        app.keyboard.press("Tab")
        key = focused_key(app)
        if key in SIDEBAR_KEYS and key not in reached:
            reached.append(key)
            assert focus_is_visible(app, app.locator(f".st-key-{key}")), f"no visible focus on the sidebar's {key!r}"
        if len(reached) == len(SIDEBAR_KEYS):
            break
    assert reached == list(SIDEBAR_KEYS)

    # Reconstructions: choose the before / after view and move its handle, all by keyboard.
    go_to_page(app, "Reconstructions")
    app.locator(".st-key-recon_detail_view button").filter(has_text="Before / after").focus()
    app.keyboard.press("Enter")
    wait_for_app_run(app)
    handle = app.locator(".st-key-recon_detail_slider input.ba-range")
    expect(handle).to_have_count(1)
    for _ in range(20):  # the handle is a Tab stop after the view's controls
        if app.evaluate("() => document.activeElement.classList.contains('ba-range')"):
            break
        app.keyboard.press("Tab")
    else:
        pytest.fail("Tab never reached the before / after handle")
    assert focus_is_visible(app, handle)
    before = app.locator(".st-key-recon_detail_slider img.ba-before")

    def shown() -> str:  # how much of the original shows, as its clip-path says
        return before.evaluate("img => getComputedStyle(img).clipPath")

    assert shown() == "inset(0px 50% 0px 0px)"
    for _ in range(4):
        app.keyboard.press("ArrowRight")
    expect(handle).to_have_value("52")
    expect(handle).to_have_attribute("aria-valuetext", "52 % original")
    assert shown() == "inset(0px 48% 0px 0px)"
    app.keyboard.press("Home")
    expect(handle).to_have_value("0")
    assert shown() == "inset(0px 100% 0px 0px)"
    app.keyboard.press("End")
    expect(handle).to_have_value("100")
    assert shown() == "inset(0px 0% 0px 0px)"


def test_kmeans_animation_plays_pauses_and_steps_from_the_keyboard(app) -> None:
    go_to_page(app, "k-means step by step")
    chart = app.locator(ANIMATION)
    play = chart.locator("g.updatemenu-button[role='button'][aria-label='Play']")
    expect(play).to_have_count(1)
    title = chart.locator(".gtitle").first
    expect(title).to_contain_text("Start")

    # Tab reaches Play; Enter plays, in the browser.
    app.locator(".st-key-steps_new_seed button").focus()
    for _ in range(30):
        app.keyboard.press("Tab")
        if app.evaluate("() => document.activeElement.getAttribute('aria-label') === 'Play'"):
            break
    else:
        pytest.fail("Tab never reached the animation's Play button")
    assert focus_is_visible(app, chart)
    app.keyboard.press("Enter")
    expect(title).to_contain_text("Iteration 1", timeout=30_000)
    # Tab to Pause; Space pauses.
    app.keyboard.press("Tab")
    assert app.evaluate("() => document.activeElement.getAttribute('aria-label')") == "Pause"
    app.keyboard.press(" ")
    app.wait_for_timeout(1500)
    paused = title.text_content()
    app.wait_for_timeout(1500)
    assert title.text_content() == paused

    # The slider is the Tab stop before Play (Plotly draws it first): it speaks the frame,
    # and the keys step through the frames.
    app.keyboard.press("Shift+Tab")
    app.keyboard.press("Shift+Tab")
    slider = chart.locator("g.slider-container[role='slider']")
    assert app.evaluate("() => document.activeElement.getAttribute('role')") == "slider"
    app.keyboard.press("Home")
    expect(title).to_contain_text("Start")
    expect(slider).to_have_attribute("aria-valuenow", "0")
    app.keyboard.press("ArrowRight")
    expect(title).to_contain_text("Iteration 1 of")
    expect(title).to_contain_text("assign")
    expect(slider).to_have_attribute("aria-valuenow", "1")
    expect(slider).to_have_attribute("aria-valuetext", title.text_content())
    app.keyboard.press("ArrowRight")
    expect(title).to_contain_text("update")
    app.keyboard.press("End")
    expect(title).to_contain_text("End")
    last = int(slider.get_attribute("aria-valuemax"))
    expect(slider).to_have_attribute("aria-valuenow", str(last))
    app.keyboard.press("PageDown")  # one iteration back: its assign half
    expect(slider).to_have_attribute("aria-valuenow", str(last - 2))
    expect(title).to_contain_text("assign")
    assert app.get_by_test_id("stException").count() == 0
