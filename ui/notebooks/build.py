"""Put a page's cells together into an nbformat v4 notebook.

The notebook holds no outputs: it is a lesson to run. ``nbformat`` is imported only
when a notebook is built, so a page that merely shows the code (:func:`code_cells`)
does not pay for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ui.notebooks.cells import Cell, intro_cell, load_cells, pins_cells, settings_cell, setup_cell
from ui.notebooks.pages import PLANS
from ui.notebooks.settings import NotebookSettings, checked
from ui.notebooks.transparency import transparency_cells

if TYPE_CHECKING:
    import nbformat

__all__ = ["cells", "code_cells", "notebook", "notebook_bytes"]


def cells(page: str, settings: NotebookSettings) -> list[Cell]:
    """Every cell of ``page``'s notebook, in order.

    Raises
    ------
    ValueError
        For a page or setting the dashboard does not offer (see
        :func:`ui.notebooks.settings.checked`).
    """
    settings = checked(page, settings)
    plan = PLANS[page](settings)
    return [
        intro_cell(plan.title, plan.view, settings),
        setup_cell(),
        settings_cell(settings, plan.settings),
        *pins_cells(settings),
        *load_cells(settings),
        *transparency_cells(settings),
        *plan.cells,
    ]


def code_cells(page: str, settings: NotebookSettings) -> list[str]:
    """The source of the page's central code cells, for a "Show the code" expander.

    The settings, the loading of the picture and the page's own work; not the cell
    that finds ``quant``, nor an embedded file.

    Parameters
    ----------
    page : str
        One of :data:`ui.notebooks.PAGES`.
    settings : NotebookSettings
        The view's choices.

    Returns
    -------
    list of str
        Python sources, in the notebook's order.

    Raises
    ------
    ValueError
        For a page or setting the dashboard does not offer.
    """
    return [cell.source for cell in cells(page, settings) if cell.kind == "code" and cell.central]


def notebook(page: str, settings: NotebookSettings) -> nbformat.NotebookNode:
    """A Jupyter notebook (nbformat v4, no outputs) that reproduces ``page``'s view.

    Parameters
    ----------
    page : str
        One of :data:`ui.notebooks.PAGES`: ``"image"``, ``"colour_space"``,
        ``"kmeans_steps"``, ``"reconstructions"`` or ``"compare"``.
    settings : NotebookSettings
        Everything the view depends on.

    Returns
    -------
    nbformat.NotebookNode
        A valid notebook (``nbformat.validate`` passes) for the ``python3`` kernel. Its
        cell ids are fixed (``"<page>-00"``, ...), so the same view gives the same file.

    Raises
    ------
    ValueError
        For a page or setting the dashboard does not offer.
    """
    import nbformat
    from nbformat import v4

    made = []
    for index, cell in enumerate(cells(page, settings)):
        if cell.kind == "markdown":
            node = v4.new_markdown_cell(cell.source)
        else:
            node = v4.new_code_cell(cell.source)
            if cell.hidden:
                node.metadata["jupyter"] = {"source_hidden": True}
        node["id"] = f"{page.replace('_', '-')}-{index:02d}"
        made.append(node)
    result = v4.new_notebook(
        cells=made,
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        },
    )
    nbformat.validate(result)
    return result


def notebook_bytes(page: str, settings: NotebookSettings) -> bytes:
    """:func:`notebook` as the UTF-8 JSON of an ``.ipynb`` file, ready for
    ``st.download_button(..., mime="application/x-ipynb+json")``."""
    import nbformat

    return nbformat.writes(notebook(page, settings)).encode("utf-8")
