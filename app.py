"""Colour quantization dashboard: the entry point.

It only routes: configure the page, draw the frame every page shares (session state,
sidebar), then run the chosen page. Run it with ``streamlit run app.py``.
"""

from __future__ import annotations

import logging

import streamlit as st

import quant
from ui import frame

logger = logging.getLogger(__name__)

st.set_page_config(
    page_title="Colour quantization",
    page_icon=":material/palette:",
    layout="wide",
)

page = st.navigation(
    [
        st.Page("pages/image.py", title="Image", icon=":material/image:", default=True),
        st.Page("pages/colour_space.py", title="Colour space", icon=":material/3d_rotation:"),
        st.Page("pages/reconstructions.py", title="Reconstructions", icon=":material/grid_view:"),
        st.Page("pages/compare.py", title="Compare", icon=":material/monitoring:"),
    ]
)

with frame.around_page():
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
