"""eecc's user-facing errors: one line, naming the file, the node or op, what and why."""

from __future__ import annotations


class EeccError(Exception):
    """An error in the user's input that eecc reports as one line, without a traceback."""
