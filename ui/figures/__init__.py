"""Figure builders: arrays in, Plotly figures (or HTML) out, and no Streamlit, so tests
check a figure's data without running the app. One module per view:
:mod:`~ui.figures.cloud` (the colour cloud and its planes), :mod:`~ui.figures.pictures`
(swatches, the detail's locator, the before / after view), :mod:`~ui.figures.compare`
and :mod:`~ui.figures.steps` (the Compare and k-means pages); :mod:`~ui.figures.style`
holds what they share."""
