"""Computing through the gate: the dashboard's only door into ``quant``.

:mod:`~ui.compute.cached` holds the image and its tiles (:mod:`~ui.compute.cached_previews`
their screen-sized dithered previews), :mod:`~ui.compute.cached_compare`,
:mod:`~ui.compute.cached_inspect` and :mod:`~ui.compute.cached_steps` the pages' own
heavy work; :mod:`~ui.compute.store` keeps results within a byte budget,
:mod:`~ui.compute.gate` admits full-size work a few jobs at a time, and
:mod:`~ui.compute.waiting` shows a visitor their place in line.
:mod:`~ui.compute.shared_figures` builds small figures once for every visitor.
"""
