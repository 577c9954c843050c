"""`eecc profile`: exit probabilities and accuracies of a network on a data set.

    eecc profile MODEL.onnx --data digits|X.npy|X.npz [--labels Y.npy]
                 [--thresholds 0.9,0.99,...] [--policy P] [--memo] [-o profile.json]

Prints a one-line summary (samples, accuracy, each exit's share) to stderr and the JSON to
`-o` (stdout without it).

The JSON schema is in docs/profiling.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from eecc.data import load_data
from eecc.errors import EeccError
from eecc.paths import STDIO, check_output_file
from eecc.profile import DEFAULT_SWEEP, dumps, memoise, profile
from eecc.reference import Program
from eecc.reference.model import load_model
from eecc.reference.policy import DEFAULT_POLICY, POLICIES, check_policy
from eecc.reference.run import check_input


def parse_thresholds(text: str) -> list[list[float]]:
    """`0.9,0.99` (one value for every early exit) or `0.9:0.8,...` (one per early exit)."""
    sets = []
    for item in text.split(","):
        try:
            values = [float(v) for v in item.split(":")]
        except ValueError:
            raise EeccError(f"threshold '{item}' is not a number") from None
        if not all(0.0 < v <= 1.0 for v in values):
            raise EeccError(f"threshold '{item}' is outside (0, 1]")
        sets.append(values)
    return sets


def summary(doc: dict) -> str:
    """One line: samples, and per exit the share of samples and their accuracy."""
    exits = []
    for i, share in enumerate(doc["exit_fraction"]):
        acc = doc.get("exit_accuracy")
        text = f"exit {i}: {100 * share:.1f}%"
        if acc is not None and acc[i] is not None:
            text += f" (accuracy {100 * acc[i]:.1f}%)"
        exits.append(text)
    total = "" if doc.get("accuracy") is None else f", accuracy {100 * doc['accuracy']:.1f}%"
    return f"{doc['model']} on {doc['data']}: {doc['samples']} samples{total}; {', '.join(exits)}"


def run(args: argparse.Namespace) -> int:
    out = None if args.output in (None, STDIO) else check_output_file(args.output)
    policy = check_policy(args.policy)
    sweep = (parse_thresholds(args.thresholds) if args.thresholds
             else [[t] for t in DEFAULT_SWEEP])
    program = Program.from_module(load_model(args.model))
    data = load_data(args.data, program.input_shape, args.labels)
    x = check_input(program, data.x)
    memo = memoise(program, x, data.y)
    doc = profile(program, memo, sweep, Path(args.model).name, data.name, policy, args.memo)
    if out is None:
        sys.stdout.write(dumps(doc))
    else:
        out.write_text(dumps(doc))
    print(f"eecc profile: {summary(doc)}" + (f"; wrote {out}" if out else ""), file=sys.stderr)
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "profile", help="exit probabilities and accuracies",
        description="Profile a network's exits on a data set: per exit the fraction of "
        "samples taking it and their accuracy, the probability of reaching each stage, at "
        "the model's thresholds and over a sweep.",
    )
    parser.add_argument("model", help="network: .onnx, or .mlir holding ee or onnx IR")
    parser.add_argument("--data", required=True,
                        help="'digits' (the shipped held-out split), X.npy or X.npz (x, y)")
    parser.add_argument("--labels", help="labels .npy (overrides the .npz's y)")
    parser.add_argument("--thresholds", help="sweep: 0.9,0.99 or per early exit 0.9:0.8,... "
                        f"(default {','.join(map(str, DEFAULT_SWEEP))})")
    parser.add_argument("--policy", default=DEFAULT_POLICY, metavar="POLICY",
                        help=f"exit policy of the evaluation: {' or '.join(POLICIES)}")
    parser.add_argument("--memo", action="store_true",
                        help="keep every head's confidence and prediction per sample "
                        "(for `eecc explore`)")
    parser.add_argument("-o", "--output", help="output profile .json ('-' or none: stdout)")
    parser.set_defaults(run=run)
