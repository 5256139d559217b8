"""The dashboard's Streamlit side, between the pages and the engine, in three ideas:

- :mod:`ui.compute`: the only door into ``quant``: cached results keyed on content
  digests, a process-wide store bounded by bytes, and one gate for heavy work;
- :mod:`ui.figures`: figure builders, arrays in and Plotly figures (or HTML) out,
  with no Streamlit;
- :mod:`ui.frame`: the frame around every page: navigation, session state, the shared
  sidebar, links that restore a view, the samples and the words the pages share;

and :mod:`ui.sections`, parts of a page too large to live in its page file.
"""
