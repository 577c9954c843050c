"""`eecc compile`: ONNX + stage rates + platform in, an HLS/Vivado project folder out.

    eecc compile MODEL.onnx [--profile P.json | --p 0.25[,0.1]] [--platform zc706]
                 [--budget 1.0] [--robust 0] [--batch 1024] [--data-format 16,8] [--weight-format 16,8]
                 [--precision P.json] [--thresholds 0.9[,0.8] | --threshold-set K] [--policy P]
                 -o OUTDIR [--force]

A network with exits needs its stage rates (--profile or --p); one without needs none.
`--thresholds` replaces the model's exit thresholds (one per early exit, or one for all);
with a profile, the rates are those its sweep measured at these thresholds.
`--threshold-set K` takes thresholds and rates from entry K of the profile's sweep.
`--policy` is the exit policy the hardware implements (first-confident, or HAPI's
most-confident; default: the profile's `policy`, else first-confident).
`--precision P.json` gives layers their own formats over the `--data-format` /
`--weight-format` default (`eecc.precision`, docs/numerics.md).
OUTDIR is written whole or not at all; an existing OUTDIR is refused unless --force, which
replaces it in one rename.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from eecc.compile import STEPS, CompileOptions, compile_model, inputs, write_project
from eecc.errors import EeccError
from eecc.paths import check_name


def parse_p(text: str) -> tuple[float, ...]:
    """`0.25` or `0.25,0.1`: the probability of reaching each stage after the first."""
    try:
        return tuple(float(v) for v in text.split(","))
    except ValueError:
        raise EeccError(f"--p '{text}' is not a comma-separated list of numbers") from None


def parse_pair(flag: str, text: str) -> tuple[int, int]:
    """`16,8`: a fixed-point format as (width, integer bits)."""
    try:
        width, int_bits = (int(v) for v in text.split(","))
    except ValueError:
        raise EeccError(f"{flag} '{text}' is not WIDTH,INT_BITS (e.g. 16,8)") from None
    return width, int_bits


def parse_thresholds(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(v) for v in text.split(","))
    except ValueError:
        raise EeccError(f"--thresholds '{text}' is not a comma-separated list of numbers") from None


def _progress():  # type: ignore[no-untyped-def]
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                    console=Console(stderr=True), transient=True)


def run(args: argparse.Namespace) -> int:
    check_name(args.output, "-o")
    opts = CompileOptions(
        model=Path(args.model), output=Path(args.output),
        profile=Path(args.profile) if args.profile else None,
        p=parse_p(args.p) if args.p else (), platform=args.platform, budget=args.budget,
        batch=args.batch, force=args.force,
        data_format=parse_pair("--data-format", args.data_format),
        weight_format=parse_pair("--weight-format", args.weight_format),
        thresholds=parse_thresholds(args.thresholds) if args.thresholds else (),
        threshold_set=args.threshold_set, robust=args.robust, policy=args.policy,
        precision=Path(args.precision) if args.precision else None)
    with _progress() as bar:
        task = bar.add_task("compile", total=len(STEPS))

        def step(name: str) -> None:
            bar.update(task, completed=STEPS.index(name), description=name)

        files, timings = compile_model(opts, step)
        bar.update(task, completed=len(STEPS))
    write_project(files, opts.output, opts.force, inputs(opts))
    total = sum(timings.values())
    print(f"eecc compile: {opts.output} ({len(files)} files) in {total:.1f} s", file=sys.stderr)
    print(f"eecc compile: {estimate_line(files)}", file=sys.stderr)
    for note in notes(files["model.mlir"]):
        print(f"eecc compile: note: {note}", file=sys.stderr)
    return 0


def notes(ir: str) -> list[str]:
    """The distinct `ee.note` attributes passes recorded in the IR, in order."""
    import re

    found = re.findall(r'ee\.note = "((?:[^"\\]|\\.)*)"', ir)
    return list(dict.fromkeys(found))


def estimate_line(files: dict[str, str]) -> str:
    """`94150.1 samples/s; LUT 98.8%, ...` with a note when a resource is nearly full."""
    import json

    from eecc.compile_docs import FULL

    report = json.loads(files["report.json"])
    lines = [ln for ln in files["report.md"].splitlines() if ln.startswith("- resources: ")]
    share = lines[0].removeprefix("- resources: ") if lines else ""
    text = f"expected {report['throughput']:.1f} samples/s; {share}"
    full = [part.split()[0] for part in share.split(", ")
            if part and float(part.split()[1].rstrip("%")) > 100 * FULL]
    if full:
        text += (f" ({', '.join(full)} above {100 * FULL:.0f}%: place and route may fail; "
                 "a smaller --budget leaves room)")
    return text


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "compile", help="the whole flow into an HLS/Vivado project",
        description="Compile an early-exit ONNX network into a project folder: the final IR, "
        "HLS C++, Vivado TCL, host code, testbench and the cost-model report.",
    )
    parser.add_argument("model", help="the network (.onnx)")
    rates = parser.add_mutually_exclusive_group()
    rates.add_argument("--profile", help="profile.json from `eecc profile` (stage reach)")
    rates.add_argument("--p", help="probability of reaching each later stage: 0.25 or 0.25,0.1")
    parser.add_argument("--platform", default="zc706", help="platform name or .json (zc706)")
    parser.add_argument("--budget", type=float, default=1.0,
                        help="share of each resource the design may use, in (0, 1] (1.0)")
    parser.add_argument("--batch", type=int, default=1024, help="samples per batch (1024)")
    parser.add_argument("--robust", type=float, default=0.0, metavar="R",
                        help="fold for the best worst case over exit rates q in [p - R, p + R] "
                        "(0: at p; docs/fold.md)")
    parser.add_argument("--data-format", metavar="W,I", default="16,8",
                        help="activations as ap_fixed<W,I> (16,8)")
    parser.add_argument("--weight-format", metavar="W,I", default="16,8",
                        help="weights as ap_fixed<W,I> (16,8)")
    parser.add_argument("--precision", metavar="FILE.json",
                        help="per-layer formats: a default and entries by layer (ONNX node) "
                        "name, e.g. {\"layers\": {\"/trunk/0/0/Conv\": {\"result\": [12, 6]}}}; "
                        "keys result, weight, bias (docs/numerics.md)")
    chosen = parser.add_mutually_exclusive_group()
    chosen.add_argument("--thresholds", metavar="T[,T...]",
                        help="exit thresholds in (0, 1], first exit first (default: the model's)")
    chosen.add_argument("--threshold-set", type=int, metavar="K",
                        help="thresholds and rates of entry K of the --profile's sweep")
    parser.add_argument("--policy", metavar="POLICY",
                        help="exit policy: first-confident or most-confident (HAPI's fallback "
                             "to the most confident head; default: the profile's, else "
                             "first-confident)")
    parser.add_argument("-o", "--output", required=True, help="project folder to create")
    parser.add_argument("--force", action="store_true", help="replace an existing OUTDIR that eecc compile wrote")
    parser.set_defaults(run=run)
