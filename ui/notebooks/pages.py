"""Each page's lesson: the cells that reproduce its view, after the shared ones.

One function a page, ``(settings) -> PagePlan``: the page's title, a few words on the
view for the introduction, the settings its cells read, and the cells themselves.
The code in the cells reads only the constants of the settings cell, so a student can
change a setting and run the notebook again; the numbers the page showed are printed
as ``LABEL: value`` lines (``MSE 16: 58.31``) that the tests read back.

Where the page's number is ``quant``'s own (its k-means palette, dithering, exact
metrics, indexed PNGs), the cell calls ``quant`` exactly as the dashboard does
(``ui/compute/cached.py``); where it helps, the plain NumPy or scikit-learn way stands
beside it, with the difference said in words.
"""

from __future__ import annotations

from collections.abc import Callable

from ui.notebooks.cells import PagePlan
from ui.notebooks.colours import colour_space_page, image_page
from ui.notebooks.palettes import compare_page, reconstructions_page
from ui.notebooks.settings import NotebookSettings
from ui.notebooks.steps import kmeans_steps_page

__all__ = ["PLANS"]

PLANS: dict[str, Callable[[NotebookSettings], PagePlan]] = {
    "image": image_page,
    "colour_space": colour_space_page,
    "kmeans_steps": kmeans_steps_page,
    "reconstructions": reconstructions_page,
    "compare": compare_page,
}
"""Page (as in :data:`ui.notebooks.settings.PAGES`) -> its lesson."""

