"""`eecc`: the end-to-end driver for early-exit networks.

    eecc import MODEL.onnx [-o OUT.mlir]      ONNX to the faithful `onnx` dialect
    eecc run MODEL --input X.npy -o OUT.npz   reference execution (float or --fixed)
    eecc profile MODEL.onnx --data digits     exit probabilities and accuracies
    eecc dse MODEL.onnx --p 0.25 -o DIR       throughput/area curves over budgets
    eecc explore MODEL --profile P.json -o DIR   choose exits and thresholds (HAPI)
    eecc compile MODEL.onnx --p 0.25 -o DIR   the whole flow into an HLS/Vivado project
    eecc csim DIR                             C simulation of an emitted project

Each subcommand lives in `eecc/commands/<name>.py` with `add_parser(subparsers)` and
`run(args) -> int`; it is found by scanning that folder. User errors (`EeccError`) are
printed as one line and exit non-zero.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

import eecc.commands
from eecc import __version__
from eecc.errors import EeccError, internal_error

ORDER = ("import", "run", "profile", "dse", "explore", "compile", "csim")


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
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _command_modules():
        module = importlib.import_module(f"eecc.commands.{name}")
        module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return int(args.run(args) or 0)
    except EeccError as err:
        print(f"eecc {args.command}: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as err:  # a bug in eecc: say so, keep the traceback for developers
        internal_error(f"eecc {args.command}", err)


def console() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    console()
