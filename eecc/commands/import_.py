"""`eecc import MODEL.onnx [-o OUT.mlir]`: an ONNX model to the faithful `onnx` dialect.

The module is printed with locations (`loc("<node name>")`) so that ONNX node names survive
into every later pass and message; `eecc-opt` keeps them with `--print-debuginfo`. Nothing
is written when the import fails.
"""

from __future__ import annotations

import argparse
import sys
from io import StringIO
from pathlib import Path

from xdsl.printer import Printer

from eecc.paths import STDIO, check_output_file


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import",
        help="ONNX model to the faithful `onnx` dialect (MLIR text)",
        description="Import an ONNX model (TorchScript or dynamo export) into the `onnx` "
        "dialect, with ONNX node names as op locations.",
    )
    parser.add_argument("model", type=Path, help="the .onnx file (external data beside it)")
    parser.add_argument("-o", "--output", help="write the IR here ('-' or none: stdout)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from eecc.onnx_import import import_model

    out = None if args.output in (None, STDIO) else check_output_file(args.output)
    module = import_model(args.model)
    text = StringIO()
    Printer(stream=text, print_debuginfo=True).print_op(module)
    text.write("\n")
    if out is None:
        sys.stdout.write(text.getvalue())
    else:
        out.write_text(text.getvalue())
    return 0
