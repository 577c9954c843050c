"""eecc's user-facing errors: one line, naming the file, the node or op, what and why."""

from __future__ import annotations

import os
import sys
import traceback
from typing import NoReturn


class EeccError(Exception):
    """An error in the user's input that eecc reports as one line, without a traceback."""


def internal_error(tool: str, err: Exception) -> NoReturn:
    """Report an unexpected exception in one line (the traceback with EECC_DEBUG=1)."""
    if os.environ.get("EECC_DEBUG"):
        traceback.print_exc()
    print(f"{tool}: internal error: {type(err).__name__}: {err} "
          "(please report it; EECC_DEBUG=1 shows the traceback)", file=sys.stderr)
    sys.exit(70)
