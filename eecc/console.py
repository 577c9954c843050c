"""Console-script entry points: Ctrl-C while the drivers import (xDSL, numpy, onnx take a
second) exits 130 with one line, like Ctrl-C later on."""

from __future__ import annotations

import sys
from typing import NoReturn


def _interrupted(tool: str) -> NoReturn:
    print(f"{tool}: interrupted", file=sys.stderr)
    sys.exit(130)


def eecc() -> None:
    try:
        from eecc.cli import main

        code = main()
    except KeyboardInterrupt:
        _interrupted("eecc")
    sys.exit(code)


def eecc_opt() -> None:
    try:
        from eecc.opt import main

        main()
    except KeyboardInterrupt:
        _interrupted("eecc-opt")
