"""Take the view home: at the foot of every page, the view as a Jupyter notebook that
runs and reproduces it (**Download as notebook**), and its central cells on the page
(**Show the code**), so the lesson is visible without downloading."""

from __future__ import annotations

import functools

import streamlit as st

from ui.compute import cached_notebooks
from ui.frame import state
from ui.notebooks import PAGES

__all__ = ["render"]

_PAGE_OF_PATH = {"": "image", **{page: page for page in PAGES}}
"""A page's URL path (the first page's is empty) -> the notebook that reproduces it."""


def render(url_path: str) -> None:
    """Draw the notebook download and the code of the page at ``url_path``."""
    page = _PAGE_OF_PATH.get(url_path)
    if page is None:
        return
    ref = state.current_image()
    settings = cached_notebooks.view_settings(ref)
    st.divider()
    with st.container(key="take_home"):
        st.subheader("Take it home")
        explain, button = st.columns([3, 1], vertical_alignment="center")
        with explain:
            uploaded = (
                " Your picture is inside the notebook if it is small; otherwise its first cell says where to put the file."
                if ref.sample is None
                else ""
            )
            st.markdown(
                "This view as a Jupyter notebook, with your settings: every step that makes what you see, "
                "explained, in code you can read and change (NumPy, Pillow, scikit-learn, Plotly, and `quant` "
                f"where the number is its own). Run it from the project's folder.{uploaded}"
            )
        with button:
            st.download_button(
                "Download as notebook",
                data=functools.partial(cached_notebooks.file_bytes, page, settings, ref.digest),
                file_name=cached_notebooks.file_name(page, settings),
                mime="application/x-ipynb+json",
                key="notebook_download",
                on_click="ignore",
                icon=":material/download:",
                width="stretch",
            )
        with st.expander("Show the code", icon=":material/code:"):
            # Plain, wrapped: Streamlit's syntax colours fall below 4.5:1 contrast, and a
            # block that scrolls sideways cannot be reached by keyboard (docs/accessibility.md).
            for cell in cached_notebooks.code(page, settings, ref.digest):
                st.code(cell, language=None, wrap_lines=True)
