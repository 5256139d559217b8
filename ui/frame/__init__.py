"""The frame around every page: :mod:`~ui.frame.layout` (navigation and the frame
itself), :mod:`~ui.frame.state` (the one place that names what a visitor's session
remembers), :mod:`~ui.frame.sidebar`, :mod:`~ui.frame.links` (links that restore a
view), :mod:`~ui.frame.samples` (the bundled images) and :mod:`~ui.frame.text` (the
words and numbers the pages share)."""
