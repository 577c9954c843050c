"""`eecc`: the end-to-end driver for early-exit networks.

    eecc import MODEL.onnx [-o OUT.mlir]      ONNX to the faithful `onnx` dialect
    eecc run MODEL --input X.npy [-o OUT.npz] reference execution (float or --fixed)
    eecc profile MODEL.onnx --data digits     exit probabilities and accuracies (JSON)
    eecc dse MODEL.onnx --p 0.25 -o DIR       throughput/area curves over budgets
    eecc explore MODEL --profile P.json -o DIR   choose exits and thresholds (HAPI)
    eecc compile MODEL.onnx --p 0.25 -o DIR   the whole flow into an HLS/Vivado project
    eecc csim DIR                             C simulation of an emitted project
    eecc drift MODEL.onnx --p 0.25 --q-range 0.05:0.6 -o DIR   one design timed at other exit rates

Each subcommand lives in `eecc/commands/<name>.py` with `add_parser(subparsers)` and
`run(args) -> int`; it is found by scanning that folder. User errors (`EeccError`, an xDSL
diagnostic, a file eecc may not write) are printed as one line and exit 1; anything else
is an internal error (exit 70); Ctrl-C exits 130 without a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

import eecc.commands
from eecc import __version__
from eecc.errors import internal_error, user_message

ORDER = ("import", "run", "profile", "dse", "explore", "compile", "csim", "drift")

class _Parser(argparse.ArgumentParser):
    """Subcommand parsers: no abbreviated flags (`--forc` is not `--force`)."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)


def _command_modules() -> list[str]:
    names = [m.name for m in pkgutil.iter_modules(eecc.commands.__path__)]
    names = [n for n in names if not n.startswith("_")]
    return sorted(names, key=lambda n: (ORDER.index(n.rstrip("_")) if n.rstrip("_") in ORDER
                                         else len(ORDER), n))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="eecc",
        description="eecc, the early-exit CNN compiler: ONNX early-exit networks to folded "
        "streaming FPGA accelerators (Vivado HLS C++ and TCL).",
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"eecc {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in _command_modules():
        module = importlib.import_module(f"eecc.commands.{name}")
        module.add_parser(sub)
    return parser


def _subparser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices[name]
    return parser


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """The arguments; a bad flag of a subcommand is reported with that subcommand's usage."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if args.command is None:
        parser.print_usage(sys.stderr)
        parser.exit(2, "eecc: error: a command is required (see 'eecc --help')\n")
    if extra:
        _subparser(parser, args.command).error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def _run(args: argparse.Namespace) -> int:
    try:
        return int(args.run(args) or 0)
    except Exception as err:
        message = user_message(err)
        if message is None:  # a bug in eecc: say so, keep the traceback for developers
            internal_error(f"eecc {args.command}", err)
        print(f"eecc {args.command}: error: {message}", file=sys.stderr)
        return 1


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _run(parse(argv))
    except KeyboardInterrupt:
        print("eecc: interrupted", file=sys.stderr)
        return 130


def console() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    console()
