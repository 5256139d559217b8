"""Figure builders: arrays in, Plotly figures (or HTML) out, and no Streamlit, so tests
check a figure's data without running the app. One module per view:
:mod:`~ui.figures.cloud` (the colour cloud and its planes), :mod:`~ui.figures.pictures`
(swatches, the detail's locator, the before / after view), :mod:`~ui.figures.compare`
and :mod:`~ui.figures.steps` (the Compare and k-means pages), the k-means animation in
:mod:`~ui.figures.steps_animation`, built as Plotly's plain dict to skip a validation that
took a fifth of its page's first visit; :mod:`~ui.figures.style` holds what they share."""
