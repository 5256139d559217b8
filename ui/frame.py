"""The frame around every page: session state, the shared sidebar, a bad upload's message.

``app.py`` draws it, then runs the chosen page inside :func:`around_page`. Pages start
with :func:`page_setup`, which returns the image and settings to work on.

Streamlit has one case where a page runs *without* ``app.py``: while it still believes
the app uses the old ``pages/`` directory convention, it runs the page file alone. That
happens on the first run after the server starts if the visitor opens a page's URL
directly, and on every ``AppTest`` run after the first. :func:`page_setup` then draws
the frame itself, so the page works the same either way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from ui import sidebar, state

__all__ = ["around_page", "draw", "page_setup"]

_DRAWN = "frame_drawn"
"""Session-state flag: True while app.py runs a page inside the frame it drew."""


def draw() -> None:
    """Initialise the session state and draw the sidebar (which reports an unusable upload)."""
    state.init()
    sidebar.render()


@contextmanager
def around_page() -> Iterator[None]:
    """Draw the frame and mark it drawn while the page inside the block runs."""
    draw()
    st.session_state[_DRAWN] = True
    try:
        yield
    finally:
        st.session_state[_DRAWN] = False


def page_setup() -> tuple[state.ImageRef, state.Settings]:
    """Start a page: make sure the frame exists, return the image and the settings."""
    if not st.session_state.get(_DRAWN, False):
        draw()
    return state.current_image(), state.settings()
