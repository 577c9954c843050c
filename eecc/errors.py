"""eecc's user-facing errors: one line, naming the file, the node or op, what and why."""

from __future__ import annotations

import errno
import os
import sys
import traceback
from typing import NoReturn


class EeccError(Exception):
    """An error in the user's input that eecc reports as one line, without a traceback."""


# OSErrors that are the user's environment (a full disk, a read-only folder), not eecc's bugs
USER_OS_ERRORS = {errno.EACCES, errno.EPERM, errno.ENOSPC, errno.EROFS, errno.EDQUOT,
                  errno.EISDIR, errno.ENOTDIR, errno.EEXIST, errno.ENAMETOOLONG}


def user_message(err: BaseException) -> str | None:
    """The one-line message of an error in the user's input or environment, else None.

    User errors: `EeccError`, xDSL diagnostics (verifier, pass failures, the converter's and
    the legaliser's errors), an unknown platform, a missing toolchain, and the OSErrors of
    `USER_OS_ERRORS`. Anything else is a bug in eecc.
    """
    from xdsl.utils.exceptions import DiagnosticException

    from eecc.cost.platform import PlatformError
    from eecc.toolchain import ToolchainError

    if isinstance(err, EeccError | PlatformError | ToolchainError):
        return str(err)
    if isinstance(err, DiagnosticException):
        return first_line(err)
    if isinstance(err, OSError) and err.errno in USER_OS_ERRORS:
        return f"{err.filename or ''}: {err.strerror}".lstrip(": ")
    return None


def internal_error(tool: str, err: Exception) -> NoReturn:
    """Report an unexpected exception in one line (the traceback with EECC_DEBUG=1)."""
    if os.environ.get("EECC_DEBUG"):
        traceback.print_exc()
    print(f"{tool}: internal error: {type(err).__name__}: {err} "
          "(please report it; EECC_DEBUG=1 shows the traceback)", file=sys.stderr)
    sys.exit(70)


def first_line(err: BaseException) -> str:
    """The first non-empty line of an exception's message (xDSL appends the IR to it)."""
    lines = [line.strip() for line in str(err).strip().splitlines() if line.strip()]
    return lines[0] if lines else type(err).__name__
