"""eecc-opt's command line before xDSL sees it: `--<pass>` flags become one `-p` pipeline.

    rewrite_pass_flags(["--ee-partition", "--fold=budget=0.5", "m.mlir"], passes)
    # -> ["-p", "ee-partition,fold{budget=0.5}", "m.mlir"]

`--pass-pipeline='builtin.module(...)'` is taken as `-p`; option values xDSL's pipeline
syntax cannot take bare are quoted; a float option takes `1`, `-0.5` and `1e-3`.
"""

from __future__ import annotations

import json
import re
import shlex
import typing
from collections.abc import Sequence

from xdsl.passes import ModulePass
from xdsl.utils.arg_spec import ArgSpec

from eecc.errors import EeccError

_PLAIN_VALUE = re.compile(r"^[A-Za-z0-9_.,+-]*$")


def quote_options(options: str) -> str:
    """Quote option values xDSL's pipeline syntax cannot take bare (`profile=/a/p.json`)."""
    try:
        words = shlex.split(options)
    except ValueError as err:
        raise EeccError(f"pass options '{options}': {err}") from None
    quoted = []
    for word in words:
        key, eq, value = word.partition("=")
        if eq and not _PLAIN_VALUE.match(value):
            value = json.dumps(value)
        quoted.append(f"{key}{eq}{value}")
    return " ".join(quoted)


def _unwrap(pipeline: str) -> str:
    """MLIR's `builtin.module(a,b)` anchor is the only one eecc has: drop it."""
    text = pipeline.strip()
    for anchor in ("builtin.module(", "any("):
        if text.startswith(anchor) and text.endswith(")"):
            return text[len(anchor):-1]
    return text


def _is_float_field(hint: object) -> bool:
    return "float" in str(hint)


def _as_float(value: str | int | float) -> str | int | float:
    if isinstance(value, bool) or not isinstance(value, int | str):
        return value
    try:
        return float(value)
    except ValueError:
        return value


def coerce_floats(spec: ArgSpec, cls: type[ModulePass]) -> ArgSpec:
    """`budget=1` and `budget=1e-3` for a float option (xDSL takes only `1.0` and `0.001`)."""
    hints = typing.get_type_hints(cls)
    params = {}
    for key, values in spec.parameters.items():
        field = key.replace("-", "_")
        if _is_float_field(hints.get(field)):
            values = tuple(_as_float(v) for v in values)
        params[key] = values
    return ArgSpec(spec.name, params)


def rewrite_pass_flags(argv: Sequence[str], passes: Sequence[str]) -> list[str]:
    """Turn `--NAME[=OPTS]` flags of registered passes into one `-p` pipeline."""
    pipeline: list[str] = []
    rest: list[str] = []
    args = list(argv)
    i = 0
    while i < len(args):
        arg = args[i]
        name, _, opts = arg[2:].partition("=")
        if arg.startswith("--") and name in passes:
            pipeline.append(f"{name}{{{quote_options(opts)}}}" if opts else name)
        elif arg in ("-p", "--passes", "--pass-pipeline") and i + 1 < len(args):
            pipeline.append(_unwrap(args[i + 1]))
            i += 1
        elif arg.startswith("--pass-pipeline="):
            pipeline.append(_unwrap(arg.partition("=")[2]))
        else:
            rest.append(arg)
        i += 1
    return (["-p", ",".join(pipeline)] if pipeline else []) + rest
