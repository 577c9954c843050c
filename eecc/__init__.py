"""eecc: the early-exit CNN compiler.

`eecc.compile(model, ...) -> Project` is the Python API (docs/python-api.md); the command
line tools are `eecc` and `eecc-opt`.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """`eecc.compile` and `eecc.Project`, imported on first use (the drivers start fast)."""
    if name == "compile":
        return importlib.import_module("eecc.compile")
    if name == "Project":
        return importlib.import_module("eecc.api").Project
    raise AttributeError(f"module 'eecc' has no attribute '{name}'")
