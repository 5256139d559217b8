"""The frame around every page: the navigation, session state and the shared sidebar.

``app.py`` routes with :func:`navigation`, then runs the chosen page inside
:func:`around_page`, which initialises the session state and draws the sidebar. Pages
start with :func:`page_setup`, which returns the image and settings to work on.

Streamlit has one case where a page file runs *without* ``app.py``: while it still
assumes the old ``pages/`` directory convention, which it does until the first
``st.navigation`` call. That is the first run after the server starts when a visitor
opens a page's URL directly, and every ``AppTest`` run. :func:`page_setup` notices,
registers the real navigation and reruns, so the page always runs inside the frame.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from ui.compute import waiting
from ui.frame import links, sidebar, state

__all__ = ["PAGES", "around_page", "navigation", "page_setup"]

PAGES: tuple[tuple[str, str, str], ...] = (
    ("pages/image.py", "Image", ":material/image:"),
    ("pages/colour_space.py", "Colour space", ":material/3d_rotation:"),
    ("pages/kmeans_steps.py", "k-means step by step", ":material/animation:"),
    ("pages/reconstructions.py", "Reconstructions", ":material/grid_view:"),
    ("pages/compare.py", "Compare", ":material/monitoring:"),
)
"""(file relative to app.py, title, icon) of every page, the first being the default."""

_DRAWN = "frame_drawn"
"""Session-state flag: True while app.py runs a page inside the frame."""


def navigation() -> StreamlitPage:
    """Register the pages in the sidebar navigation; return the one to run."""
    page = st.navigation(
        [
            st.Page(path, title=title, icon=icon, default=index == 0)
            for index, (path, title, icon) in enumerate(PAGES)
        ]
    )
    links.remember_page(page.url_path)
    return page


@contextmanager
def around_page() -> Iterator[None]:
    """Initialise the session state and draw the sidebar, for the page run inside."""
    state.init()
    links.restore()  # a link's settings, before any widget is drawn
    with waiting.waiting_notice():
        sidebar.render()
        links.publish()
        links.render_link()
        st.session_state[_DRAWN] = True
        try:
            yield
        finally:
            st.session_state[_DRAWN] = False


def page_setup() -> tuple[state.ImageRef, state.Settings]:
    """Start a page: make sure it runs inside the frame; return the image and settings."""
    if not st.session_state.get(_DRAWN, False):
        navigation()
        st.rerun()
    return state.current_image(), state.settings()
