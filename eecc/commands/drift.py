"""`eecc drift MODEL.onnx (--profile P.json | --p 0.25) --q-range LO:HI[:STEP] -o DIR`.

Folds and compiles the network once at its profiled rates (`--budget`, `--robust`), then for
every exit rate q of the range times the same design on held-out samples drawn so that a
share q of them continues past the first exit (`eecc csim --timed`, one build for all q),
next to the cost model's prediction of that design at that rate. Writes `DIR/drift.json`,
`DIR/drift.csv`, `DIR/drift.png` (the same input gives the same bytes) and prints a table.
A separate command, not an `eecc dse` mode: dse only evaluates the cost model over budgets
(in seconds), drift compiles one design and runs g++ timed simulations of it (minutes).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from eecc.errors import EeccError
from eecc.paths import check_name, check_output_dir

MAX_SAMPLES = 65535  # 16-bit sample IDs


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "drift", help="predicted vs timed-simulated throughput when the exit rate drifts",
        description="Fold and compile the network once at its profiled exit rate p, then, for "
        "every rate q of --q-range, time the same design (eecc csim --timed) on held-out "
        "samples drawn so that a share q continues past the first exit, next to the cost "
        "model's prediction at q. Later exits keep their profiled conditional shares. "
        "Writes drift.json, drift.csv and drift.png.",
    )
    parser.add_argument("model", type=Path, help="the .onnx model")
    rates = parser.add_mutually_exclusive_group(required=True)
    rates.add_argument("--profile", type=Path, help="profile JSON from `eecc profile`")
    rates.add_argument("--p", help="reach of each later stage, e.g. 0.25 or 0.5,0.2")
    parser.add_argument("--q-range", required=True, metavar="LO:HI[:STEP]",
                        help="rates q to time: LO:HI[:STEP] (HI included, STEP 0.05) or a "
                        "comma list, each in [0, 1]")
    parser.add_argument("--budget", type=float, default=1.0,
                        help="share of each platform resource the design may use (default 1.0)")
    parser.add_argument("--robust", type=float, default=0.0, metavar="R",
                        help="fold for the best worst case over q in [p - R, p + R] "
                        "(`--fold=robust=R`; default 0: fold at p)")
    parser.add_argument("--platform", default="zc706", help="platform name or JSON (default zc706)")
    parser.add_argument("--samples", type=int, default=200,
                        help="samples per timed run (default 200: q hits every 0.005 exactly)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the drawn batches (default 1)")
    parser.add_argument("--data", default="digits",
                        help="held-out samples to draw from: `digits` (default) or .npy/.npz")
    parser.add_argument("-o", "--output", required=True, help="output folder")
    parser.set_defaults(run=run)


def check(args: argparse.Namespace) -> list[float]:
    """Every option error before any work; the rates q."""
    from eecc.drift import parse_q_range

    if not args.model.is_file():
        raise EeccError(f"{args.model}: no such model file")
    try:
        rates = parse_q_range(args.q_range)
    except ValueError as err:
        raise EeccError(str(err)) from None
    if not 2 <= args.samples <= MAX_SAMPLES:
        raise EeccError(f"--samples {args.samples} is outside [2, {MAX_SAMPLES}]: a timed run "
                        "needs two samples for a throughput (16-bit sample IDs)")
    if not 0.0 <= args.robust <= 1.0:
        raise EeccError(f"--robust {args.robust} is outside [0, 1]")
    if args.seed < 0:
        raise EeccError(f"--seed {args.seed} must be a non-negative integer")
    return rates


def run(args: argparse.Namespace) -> int:
    from eecc.commands.compile import parse_p
    from eecc.commands.dse import _progress
    from eecc.compile import CompileOptions, compile_model, write_project

    check_name(args.output, "-o")
    args.output = Path(args.output)
    check_output_dir(args.output)
    rates = check(args)
    p = parse_p(args.p) if args.p else ()
    with tempfile.TemporaryDirectory(prefix="eecc-drift-") as tmp, \
            _progress(len(rates) + 2, f"{args.model.stem}: compiling") as tick:
        project = Path(tmp) / "project"
        opts = CompileOptions(args.model, project, profile=args.profile, p=p,
                              platform=args.platform, budget=args.budget, robust=args.robust)
        files, _ = compile_model(opts)
        write_project(files, project, force=False)
        tick()
        sweep = _sweep(project, args)
        _build(project)
        tick()
        points = _rates(sweep, rates, args, tick)
    _write(args, sweep, points)
    return 0


def _sweep(project: Path, args: argparse.Namespace):  # noqa: ANN202
    import json

    from eecc.csim import reference
    from eecc.data import load_data
    from eecc.drift import Sweep
    from eecc.network import find_graph
    from eecc.reference.model import load_model
    from eecc.reference.run import program_of

    module = load_model(project / "model.mlir")
    report = json.loads((project / "report.json").read_text())
    shape = program_of(module).input_shape
    data = load_data(args.data, shape)
    from eecc.commands.csim import check_inputs

    pool = check_inputs(data.x, data.name, shape)
    exits = reference(module, pool).exits
    graph = find_graph(module)
    reach = tuple(float(s.rate.value.data) for s in graph.ops()  # type: ignore[attr-defined]
                  if s.name == "ee.stage")
    return Sweep(project, module, pool, exits, reach or (1.0,), args.platform,
                 float(report["clock_mhz"]), 1024)


def _build(project: Path) -> None:
    from eecc.csim import build

    build(project, timed=True)


def _rates(sweep, rates: list[float], args: argparse.Namespace, tick):  # noqa: ANN001, ANN202
    from eecc.drift import sweep_rates

    return sweep_rates(sweep, rates, args.samples, args.seed, lambda q: tick())


def _write(args: argparse.Namespace, sweep, points) -> None:  # noqa: ANN001
    from eecc import drift_output as out
    from eecc.dse.robust import interval
    from eecc.network import find_graph

    name = find_graph(sweep.module).sym_name.data
    p = sweep.reach[1] if len(sweep.reach) > 1 else 1.0
    band = interval(p, args.robust) if args.robust > 0 else None
    meta = {"network": name, "model": args.model.name, "platform": args.platform,
            "budget": args.budget, "robust": args.robust, "robust_interval": band,
            "reach_profiled": list(sweep.reach), "samples": args.samples, "seed": args.seed,
            "data": args.data if args.data == "digits" else Path(args.data).name,
            "pool": len(sweep.pool), "q_range": args.q_range, "tolerance": out.TOLERANCE}
    args.output.mkdir(parents=True, exist_ok=True)
    out.write_json(args.output / "drift.json", points, meta)
    out.write_csv(args.output / "drift.csv", points)
    title = f"{name}: folded at p = {p:.4g}, budget {args.budget:g}" + (
        f", robust {args.robust:g}" if args.robust > 0 else "")
    out.plot(args.output / "drift.png", points, title, p, band)
    out.print_table(points, title)
    print(f"wrote {args.output / 'drift.json'}, {args.output / 'drift.csv'}, "
          f"{args.output / 'drift.png'}")
