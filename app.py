"""Colour quantization dashboard: the entry point.

It only routes: configure the page, register the pages (ui/frame/layout.py lists them), draw
the frame every page shares (session state, sidebar), then run the chosen page.
Run it with ``streamlit run app.py``.
"""

from __future__ import annotations

import logging

import streamlit as st

import quant
from ui.compute import warm
from ui.frame import layout
from ui.sections import take_home

logger = logging.getLogger(__name__)

st.set_page_config(
    page_title="Colour quantization",
    page_icon=":material/palette:",
    layout="wide",
)

page = layout.navigation()

with layout.around_page():
    try:
        page.run()
    except quant.ImageError as err:
        st.error(str(err))
    except Exception:
        # A visitor never sees a traceback; the log keeps it for whoever runs the app.
        logger.exception("The page %r failed", page.title)
        st.error(
            "Sorry, something went wrong while drawing this page. "
            "Try another image or setting; the problem has been logged."
        )
    else:
        # The view is on screen: offer it as a notebook.
        try:
            take_home.render(page.url_path)
        except Exception:
            logger.exception("The notebook of page %r failed", page.title)
            st.caption("This view cannot be offered as a notebook right now; the problem has been logged.")

# Once the first page is on screen, not before it (the first run imports what they
# use): work out the samples' slowest pages ahead of their first visit and compile the
# dithering, behind every visitor's work.
warm.start()
