"""`eecc-opt`: run eecc passes over `ee`/`onnx` IR, MLIR style.

    eecc-opt --ee-partition --fold model.mlir
    eecc-opt --fold=budget=0.5 model.mlir
    eecc-opt --fold="budget=0.5 platform=zc706" model.mlir
    eecc-opt -p ee-partition,fold{budget=0.5} model.mlir -t report

Each `--<pass>[=<options>]` flag is turned into one `-p` pipeline, in command-line order.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import shlex
import sys
from collections.abc import Callable, Sequence
from io import StringIO
from typing import IO, NoReturn

from xdsl.dialects.builtin import Builtin
from xdsl.dialects.func import Func
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import (
    ArgSpecParseError,
    DiagnosticException,
    ParseError,
    PassFailedException,
)
from xdsl.xdsl_opt_main import xDSLOptMain

from eecc import registry
from eecc.errors import EeccError, internal_error

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
        elif arg in ("-p", "--passes") and i + 1 < len(args):
            pipeline.append(args[i + 1])
            i += 1
        else:
            rest.append(arg)
        i += 1
    return (["-p", ",".join(pipeline)] if pipeline else []) + rest


class _Buffer(StringIO):
    """Collects the output; xDSL closes its output stream, the text must survive that."""

    def close(self) -> None:
        pass


class EeccOptMain(xDSLOptMain):
    """xDSL's optimiser driver with eecc's dialects, passes and targets."""

    version_format = "eecc-opt (xdsl {xdsl_version})"

    def register_all_dialects(self) -> None:
        self.ctx.load_dialect(Builtin)
        self.ctx.load_dialect(Func)
        for name, factory in registry.dialect_factories().items():
            self.ctx.register_dialect(name, factory)

    def register_all_passes(self) -> None:
        for flag, factory in registry.pass_factories().items():
            self.register_pass(flag, factory)

    def register_all_targets(self) -> None:
        super().register_all_targets()
        for name in registry.available_targets():
            self.available_targets[name] = _target_factory(name)

    def register_all_arguments(self, arg_parser: argparse.ArgumentParser) -> None:
        super().register_all_arguments(arg_parser)
        arg_parser.allow_abbrev = False
        arg_parser.prog = "eecc-opt"
        arg_parser.formatter_class = argparse.RawDescriptionHelpFormatter
        if "-h" in sys.argv or "--help" in sys.argv:
            arg_parser.epilog = _pass_help(self.available_passes)
        known = [s for a in arg_parser._actions for s in a.option_strings]
        passes = list(self.available_passes)
        arg_parser.error = lambda message: _argument_error(message, known, passes)  # type: ignore[method-assign]

    def prepare_output(self) -> IO[str]:
        self._buffer = _Buffer()  # written to -o FILE only when everything succeeded
        return self._buffer if self.args.output_file is not None else sys.stdout


def _target_factory(name: str) -> Callable[[], type]:
    return lambda: registry.load_target(name)


def _pass_help(passes: dict[str, Callable[[], type[ModulePass]]]) -> str:
    lines = ["passes (each also works as -p NAME{opt=value ...}):"]
    for flag in passes:
        lines.append(f"  --{flag:<22} {registry.pass_summary(flag)}")
    return "\n".join(lines)


def _argument_error(message: str, known: list[str], passes: list[str]) -> NoReturn:
    hints = []
    for word in message.replace(",", " ").split():
        if word.startswith("--"):
            name = word.split("=")[0]
            candidates = [k for k in known if k.startswith("--")] + [f"--{p}" for p in passes]
            close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.5)
            if close:
                hints.append(f"did you mean '{close[0]}'?")
            else:
                hints.append(f"'{name}' is neither a pass nor an option; see 'eecc-opt --help'")
    _fail(message + ("; " + " ".join(hints) if hints else ""), code=2)


def _fail(message: str, code: int = 1) -> NoReturn:
    print(f"eecc-opt: error: {message}", file=sys.stderr)
    sys.exit(code)


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        args = rewrite_pass_flags(args, registry.pass_names())
        tool = EeccOptMain(description="eecc's MLIR-style optimiser for early-exit networks",
                           args=args)
        tool.run()
    except (EeccError, PassFailedException, DiagnosticException, ValueError) as err:
        _fail(str(err).strip())
    except (ParseError, ArgSpecParseError) as err:
        _fail(str(err).strip())
    except OSError as err:
        _fail(f"{err.filename}: {err.strerror}")
    except Exception as err:  # a bug in eecc: say so, keep the traceback for developers
        internal_error("eecc-opt", err)
    if tool.args.output_file is not None:
        with open(tool.args.output_file, "w") as out:
            out.write(tool._buffer.getvalue())


if __name__ == "__main__":
    main()
