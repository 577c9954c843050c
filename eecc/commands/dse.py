"""`eecc dse MODEL (--profile P.json | --p 0.25) -o DIR`: throughput/area curves over budgets.

Folds the network without exits (the baseline: the final classifier's path) and the
early-exit network for every budget, with the early-exit rates and the rates -/+ 0.05,
and writes `DIR/tap.csv`, `DIR/tap.json` (the same input gives the same bytes) and
`DIR/tap.png`. MODEL is an ONNX file or `ee` IR (.mlir).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from eecc.errors import EeccError
from eecc.paths import check_name, check_output_dir


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "dse", help="throughput/area curves of the baseline and early-exit designs over budgets",
        description="Fold the network with and without its exits for every resource budget; "
        "write the curves (CSV, JSON), the gain and a plot.",
    )
    parser.add_argument("model", type=Path, help="the .onnx model, or `ee` IR (.mlir)")
    rates = parser.add_mutually_exclusive_group(required=True)
    rates.add_argument("--profile", type=Path, help="profile JSON from `eecc profile`")
    rates.add_argument("--p", help="reach of each later stage, e.g. 0.25 or 0.5,0.2")
    parser.add_argument("--platform", default="zc706", help="platform name or JSON (default zc706)")
    parser.add_argument("--budgets", default="0.1:1.0:0.1",
                        help="start:stop:step or a comma list of shares (default 0.1:1.0:0.1)")
    parser.add_argument("--band", type=float, default=0.05, help="rate band for the plot (0.05)")
    parser.add_argument("--batch", type=int, default=1024, help="batch size (default 1024)")
    parser.add_argument("-o", "--output", required=True, help="output folder")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from eecc.cost.platform import PlatformError, load_platform
    from eecc.dse import output
    from eecc.dse.sweep import curves, parse_budgets
    from eecc.network import NetworkModel, find_graph

    check_name(args.output, "-o")
    args.output = Path(args.output)
    check_output_dir(args.output)
    try:
        budgets = parse_budgets(args.budgets)
        platform = load_platform(args.platform)
    except (ValueError, PlatformError) as err:
        raise EeccError(str(err)) from None
    module = load_network(args.model, args.profile, args.p)
    model = NetworkModel(module, platform, args.batch)
    name = find_graph(module).sym_name.data
    with _progress(4 * len(budgets), f"{name}: folding") as tick:
        result = curves(model, budgets, args.band, tick)
    args.output.mkdir(parents=True, exist_ok=True)
    meta = {"network": name, "platform": platform.name, "batch": args.batch,
            "band": args.band, "budgets": budgets, "model": args.model.name}
    output.write_csv(args.output / "tap.csv", result, platform.clock_mhz)
    output.write_json(args.output / "tap.json", result, meta, platform.clock_mhz)
    output.plot(args.output / "tap.png", result, name, platform.name.upper(), args.band)
    _print_summary(output.summary(result), args.output)
    return 0


def load_network(path: Path, profile: Path | None, p: str | None):  # noqa: ANN201
    """The model as partitioned `ee` IR with rates."""
    from xdsl.context import Context
    from xdsl.dialects.builtin import Builtin
    from xdsl.parser import Parser

    from eecc import registry
    from eecc.passes.ee_annotate_rates import EeAnnotateRatesPass
    from eecc.passes.ee_partition import EePartitionPass
    from eecc.source import check_source

    if not path.is_file():
        raise EeccError(f"{path}: no such file")
    ctx = Context()
    ctx.load_dialect(Builtin)
    for dialect_name, factory in registry.dialect_factories().items():
        ctx.register_dialect(dialect_name, factory)
    if path.suffix == ".onnx":
        from eecc.onnx_import import import_model
        from eecc.passes.convert_onnx_to_ee import ConvertOnnxToEEPass

        module = import_model(path)
        ConvertOnnxToEEPass().apply(ctx, module)
    else:
        text = path.read_text()
        check_source(text, str(path))
        module = Parser(ctx, text, str(path)).parse_module()
    module.verify()
    EePartitionPass().apply(ctx, module)
    reach = tuple(float(v) for v in p.split(",")) if p else ()
    EeAnnotateRatesPass(profile=str(profile) if profile else None, p=reach).apply(ctx, module)
    return module


def _progress(total: int, label: str):  # noqa: ANN202
    from contextlib import contextmanager

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    @contextmanager
    def bar():  # noqa: ANN202
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn())
        with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
            task = progress.add_task(label, total=total)
            yield lambda: progress.advance(task)

    return bar()


def _print_summary(summary: dict, folder: Path) -> None:
    gains = ", ".join(f"{b}: {g:.2f}x" for b, g in summary["gain"].items() if g is not None)
    print(f"gain of early exit over the baseline by budget: {gains or 'none'}")
    if summary["match_budget"] is not None:
        print(f"early exit matches the baseline's best throughput "
              f"({summary['baseline_best']:.0f} samples/s) at budget {summary['match_budget']:g}")
    print(f"wrote {folder / 'tap.csv'}, {folder / 'tap.json'}, {folder / 'tap.png'}")
