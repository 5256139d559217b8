"""A progress line on a terminal: ``[3/12] photo.jpg k=32`` on stderr, rewritten in place.

The command line (:mod:`quant.cli`) shows it while it works through many images or
palette sizes; a short run, or output that is not a terminal, never gets one.
"""

from __future__ import annotations

import shutil
from typing import TextIO

__all__ = ["Progress", "wanted"]

_MIN_IMAGES = 3
_MIN_JOBS = 6
"""Below both of these a run is quick enough that a progress line is only noise."""


def wanted(stream: TextIO, n_images: int, n_jobs: int) -> bool:
    """Whether a run of ``n_images`` images and ``n_jobs`` results shows progress on ``stream``."""
    return stream.isatty() and (n_images >= _MIN_IMAGES or n_jobs >= _MIN_JOBS)


class Progress:
    """``[3/12] photo.jpg k=32`` on stderr, rewritten in place with ``\\r``; only on a
    terminal, so that logs and piped output never contain it."""

    def __init__(self, stream: TextIO, total: int, *, enabled: bool) -> None:
        self.stream = stream
        self.total = total
        self.enabled = enabled
        self.width = 0  # of the text on screen, to blank it out

    def show(self, done: int, label: str) -> None:
        if not self.enabled:
            return
        text = f"[{done}/{self.total}] {label}"
        # A line that wraps cannot be rewritten by \r: keep it within the terminal.
        columns = shutil.get_terminal_size().columns - 1
        text = text[: max(columns, 1)]
        self.stream.write("\r" + text.ljust(self.width))
        self.stream.flush()
        self.width = len(text)

    def clear(self) -> None:
        if self.enabled and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0
