"""A page's view as a Jupyter notebook: the lesson behind the dashboard, to run and change.

:func:`notebook` builds an nbformat v4 notebook (no outputs) that reproduces one page's
view with the visitor's settings, written against NumPy, Pillow, scikit-learn, Plotly
and ``quant`` (only where the number is quant's own: its palettes, dithering, metrics
and indexed PNGs), with short markdown cells saying what each step does.
:func:`notebook_bytes` gives the ``.ipynb`` file for a download button,
:func:`notebook_file_name` its name, and :func:`code_cells` the central code for a
"Show the code" expander.

No Streamlit here: pages call these plain functions. The parts: :mod:`~.settings`
(what a view depends on, checked once), :mod:`~.cells` (the cells every notebook
shares), :mod:`~.colours`, :mod:`~.steps` and :mod:`~.palettes` (each page's lesson),
:mod:`~.pages` (page -> lesson) and :mod:`~.build` (the nbformat notebook).

>>> from ui.notebooks import NotebookSettings, code_cells
>>> "quant.quantize(" in "".join(code_cells("reconstructions", NotebookSettings()))
True
"""

from ui.notebooks.build import code_cells, notebook, notebook_bytes
from ui.notebooks.settings import EMBED_LIMIT, PAGES, NotebookSettings, notebook_file_name, safe_file_name

__all__ = [
    "EMBED_LIMIT",
    "PAGES",
    "NotebookSettings",
    "code_cells",
    "notebook",
    "notebook_bytes",
    "notebook_file_name",
    "safe_file_name",
]
