"""The one exception type for problems a user can cause: bad files, impossible parameters."""

from __future__ import annotations

__all__ = ["ImageError"]


class ImageError(ValueError):
    """An input image or parameter that cannot be used, with a message meant for the user.

    The message is one sentence saying what was received and what is accepted, so the
    command line and the dashboard can show it as it is.
    """
