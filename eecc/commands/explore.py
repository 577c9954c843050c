"""`eecc explore`: choose the exits and thresholds of an overprovisioned network (HAPI).

    eecc explore MODEL --profile P.json [--platform zc706] [--budget B]
                 [--min-accuracy A | --min-throughput T | --weight W] [--thresholds LIST]
                 [--exits LIST] [--allow-adjacent] [--policy P] [--search auto|exhaustive|anneal]
                 [--seed S] [--jobs N | --scheduler ADDRESS] [--hand EXITS:THRS] -o DIR

P.json is written by `eecc profile MODEL --memo`. Writes DIR/explore.json, explore.csv,
pareto.png, and the chosen design as DIR/chosen.onnx (chosen.mlir for an .mlir model) with
its DIR/profile.json, ready for `eecc compile`. See docs/explore.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from eecc.errors import EeccError

SEARCHES = ("auto", "exhaustive", "anneal")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "explore", help="choose exits and thresholds with the FPGA cost in the loop (HAPI)",
        description="Evaluate exit subsets x thresholds of an overprovisioned network: "
        "accuracy from the profile's memo, throughput and resources from the exact fold; "
        "write every point, the accuracy-throughput Pareto front and the chosen design.",
    )
    parser.add_argument("model", type=Path, help="the network with every candidate exit (.onnx or .mlir)")
    parser.add_argument("--profile", type=Path, required=True,
                        help="profile JSON written by `eecc profile MODEL --memo`")
    parser.add_argument("--platform", default="zc706", help="platform name or JSON (zc706)")
    parser.add_argument("--budget", type=float, default=1.0,
                        help="share of every platform resource, in (0, 1] (1.0)")
    parser.add_argument("--batch", type=int, default=1024, help="batch size (1024)")
    goal = parser.add_mutually_exclusive_group()
    goal.add_argument("--min-accuracy", type=float,
                      help="fastest design at least this accurate (default: the no-exit accuracy)")
    goal.add_argument("--min-throughput", type=float,
                      help="most accurate design at least this fast (samples/s)")
    goal.add_argument("--weight", type=float, help="HAPI's objective A/A0 - W log(L/L0 + 1)")
    parser.add_argument("--thresholds", help="threshold values (default 0.5,...,0.999, 8 values)")
    parser.add_argument("--exits", help="candidate exit positions (default: every early exit)")
    parser.add_argument("--allow-adjacent", action="store_true",
                        help="allow exits at neighbouring positions (HAPI's prior forbids them)")
    parser.add_argument("--policy", default="first-confident", metavar="POLICY",
                        help="exit policy of the accuracy: first-confident or most-confident")
    parser.add_argument("--search", default="auto", choices=SEARCHES,
                        help="auto: exhaustive up to 20000 candidates, else anneal")
    parser.add_argument("--seed", type=int, default=0, help="annealer seed (0)")
    parser.add_argument("--hand", help="the hand-placed design to compare, EXITS:THRESHOLDS "
                        "(default: the first exit at its model threshold)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--jobs", type=int, default=min(4, os.cpu_count() or 1),
                       help="local worker processes (default: cores, at most 4)")
    where.add_argument("--scheduler", metavar="ADDRESS",
                       help="evaluate on a dask.distributed scheduler, e.g. tcp://host:8786")
    parser.add_argument("-o", "--output", type=Path, required=True, help="output folder")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from eecc.explore.driver import Request, explore

    start = time.perf_counter()
    check(args)
    summary = explore(Request.from_args(args))
    print(summary, file=sys.stderr)
    print(f"eecc explore: wrote {args.output} in {time.perf_counter() - start:.1f} s",
          file=sys.stderr)
    return 0


def check(args: argparse.Namespace) -> None:
    """Fail fast on option errors, before any work."""
    if not args.model.is_file():
        raise EeccError(f"{args.model}: no such model file")
    if not args.profile.is_file():
        raise EeccError(f"{args.profile}: no such profile file")
    if not 0.0 < args.budget <= 1.0:
        raise EeccError(f"--budget {args.budget:g} is outside (0, 1]: the share of each "
                        "platform resource the design may use")
    if args.batch < 1:
        raise EeccError(f"--batch {args.batch} must be at least 1")
    if args.jobs < 1:
        raise EeccError(f"--jobs {args.jobs} must be at least 1")
    if args.min_accuracy is not None and not 0.0 <= args.min_accuracy <= 1.0:
        raise EeccError(f"--min-accuracy {args.min_accuracy:g} is outside [0, 1]")
    if args.min_throughput is not None and args.min_throughput <= 0:
        raise EeccError(f"--min-throughput {args.min_throughput:g} must be positive (samples/s)")
    if args.weight is not None and args.weight < 0:
        raise EeccError(f"--weight {args.weight:g} must be at least 0")
