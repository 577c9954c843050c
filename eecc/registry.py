"""Lazy registries of eecc's dialects, passes and targets.

A pass lives in `passes/<snake_case_of_flag>.py` and defines a `ModulePass` subclass whose
`name` is the flag; it is found by scanning the folder, and imported only when used, so the
driver starts fast and a new pass needs no registration edit. Targets are listed here.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import pkgutil
from collections.abc import Callable

from xdsl.ir import Dialect
from xdsl.passes import ModulePass
from xdsl.universe import Universe

TARGETS: dict[str, tuple[str, str]] = {
    "hls": ("eecc.emit.hls", "HlsTarget"),
    "vivado-tcl": ("eecc.emit.vivado_tcl", "VivadoTclTarget"),
    "report": ("eecc.emit.report", "ReportTarget"),
    "report-json": ("eecc.emit.report", "ReportJsonTarget"),
}


def _ee() -> Dialect:
    from eecc.dialects.ee import EE

    return EE


def _onnx() -> Dialect:
    from eecc.dialects.onnx import ONNX

    return ONNX


def dialect_factories() -> dict[str, Callable[[], Dialect]]:
    factories: dict[str, Callable[[], Dialect]] = {"ee": _ee}
    if importlib.util.find_spec("eecc.dialects.onnx") is not None:
        factories["onnx"] = _onnx
    return factories


def pass_names() -> list[str]:
    """Flags of every pass in `passes/`, sorted."""
    import eecc.passes

    names = (m.name for m in pkgutil.iter_modules(eecc.passes.__path__))
    return sorted(n.replace("_", "-") for n in names if not n.startswith("_"))


def load_pass(flag: str) -> type[ModulePass]:
    """Import the module of `flag` and return its pass class."""
    module = importlib.import_module("eecc.passes." + flag.replace("-", "_"))
    for value in vars(module).values():
        if isinstance(value, type) and issubclass(value, ModulePass) and getattr(value, "name", None) == flag:
            return value
    raise LookupError(f"passes/{flag.replace('-', '_')}.py defines no pass named '{flag}'")


def pass_factories() -> dict[str, Callable[[], type[ModulePass]]]:
    return {flag: functools.partial(load_pass, flag) for flag in pass_names()}


def available_targets() -> dict[str, tuple[str, str]]:
    return {
        name: spec for name, spec in TARGETS.items()
        if importlib.util.find_spec(spec[0]) is not None
    }


def load_target(name: str) -> type:
    module, cls = TARGETS[name]
    return getattr(importlib.import_module(module), cls)


def pass_summary(flag: str) -> str:
    """First line of a pass's docstring (or of its module's)."""
    cls = load_pass(flag)
    doc = cls.__doc__ or importlib.import_module(cls.__module__).__doc__ or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


EECC_UNIVERSE = Universe(
    all_dialects=dialect_factories(),
    all_passes=pass_factories(),
    all_targets={},
)
