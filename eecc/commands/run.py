"""`eecc run`: the reference execution of a network on a batch of inputs.

    eecc run MODEL(.onnx|.mlir) --input X.npy [--fixed] [--data-format 16,8]
             [--weight-format 16,8] [--policy first-confident|most-confident] [-o OUT.npz]

Prints how many samples took each exit (stderr); with `-o`,
writes `logits` (N x classes, float), `exit` (N, the exit each sample took: 0 = first early
exit, ..., N-1 = final) and, in fixed mode, `logits_raw` (the raw integers).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import numpy as np

from eecc.data import load_array
from eecc.dialects.ee import ExitDecisionOp
from eecc.errors import EeccError
from eecc.fixedpoint import FixedFormat
from eecc.paths import check_output_file
from eecc.reference import FixedConfig, run_graph
from eecc.reference.model import load_model
from eecc.reference.policy import DEFAULT_POLICY, POLICIES


def parse_format(text: str) -> FixedFormat:
    """`W,I` (width, integer bits) as a fixed-point format."""
    try:
        width, int_bits = (int(v) for v in text.split(","))
    except ValueError:
        raise EeccError(f"format '{text}' is not WIDTH,INT_BITS (e.g. 16,8)") from None
    if not (2 <= width <= 32 and 1 <= int_bits <= width):
        raise EeccError(f"format '{text}' needs 2 <= width <= 32 and 1 <= int bits <= width")
    return FixedFormat(width, int_bits)


def fixed_config(args: argparse.Namespace) -> FixedConfig | None:
    """The fixed-point configuration the options ask for (a format implies --fixed)."""
    if not (args.fixed or args.data_format or args.weight_format):
        return None
    return FixedConfig(parse_format(args.data_format or "16,8"),
                       parse_format(args.weight_format or "16,8"))


def summary(exits: np.ndarray, n_exits: int) -> str:
    """`360 samples; exit 0: 299, exit 1: 61`."""
    counts = np.bincount(exits.astype(np.int64), minlength=n_exits)
    taken = ", ".join(f"exit {i}: {int(c)}" for i, c in enumerate(counts))
    return f"{len(exits)} samples; {taken}"


def run(args: argparse.Namespace) -> int:
    out = None if args.output is None else check_output_file(args.output)
    fixed = fixed_config(args)
    module = load_model(args.model)
    x = load_array(args.input, "x")
    result = run_graph(module, x, fixed, args.policy)
    arrays: dict[str, Any] = {"logits": result.logits, "exit": result.exits}
    if result.raw is not None:
        arrays["logits_raw"] = result.raw
    if out is not None:
        with out.open("wb") as f:
            np.savez(f, **arrays)
    n_exits = 1 + sum(isinstance(op, ExitDecisionOp) for op in module.walk())
    wrote = f"; wrote {out}" if out is not None else ""
    print(f"eecc run: {summary(result.exits, n_exits)}{wrote}", file=sys.stderr)
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "run", help="reference execution (float or --fixed)",
        description="Run a network on inputs with the reference interpreter: float32 "
        "(as onnxruntime) or the fixed-point contract of docs/numerics.md.",
    )
    parser.add_argument("model", help="network: .onnx, or .mlir holding ee or onnx IR")
    parser.add_argument("--input", required=True, help="inputs: .npy, or .npz with 'x' (N x C x H x W)")
    parser.add_argument("--fixed", action="store_true", help="fixed-point arithmetic")
    parser.add_argument("--data-format", metavar="W,I", help="activations (default 16,8; implies --fixed)")
    parser.add_argument("--weight-format", metavar="W,I", help="weights (default 16,8; implies --fixed)")
    parser.add_argument("--policy", default=None, metavar="POLICY",
                        help=f"exit policy: {' or '.join(POLICIES)} (HAPI's fallback to the "
                        "most confident head); default: the network's ee.exit_merge policy, "
                        f"else {DEFAULT_POLICY}")
    parser.add_argument("-o", "--output", help="output .npz (none: print the summary only)")
    parser.set_defaults(run=run)
