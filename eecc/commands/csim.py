"""`eecc csim`: C simulation of an emitted project against the fixed-point reference.

    eecc csim OUTDIR [--input X.npy] [--build-dir DIR]
    eecc csim OUTDIR --timed [--fifo-depth N] [--stall P] [--seed S]

Builds `OUTDIR/hls/<model>_top.cpp` with `OUTDIR/tb/testbench.cpp` (g++, cached by content),
runs it on the inputs (default: the shipped held-out digits for the model's input shape),
and compares every output word and every exit taken with the reference interpreter in fixed
point on `OUTDIR/model.mlir`. Prints samples, exits taken per exit, mismatches and, when
`torch_predictions.npz` lies beside the model, the agreement of classes with float PyTorch.
Exits 1 on any difference.

`--timed` also builds and runs the timed C simulation (docs/timed-csim.md): every DATAFLOW
process with its own cycle clock, every FIFO bounded at its emitted depth. It prints the
network's throughput and latency at the platform clock next to the report's, each layer's
measured cycles per sample next to its cost-model cycles, and each condbuffer's peak
occupancy, writes `OUTDIR/timed.json`, and checks that its outputs equal the untimed run's
word for word. A deadlock prints one summary line, then every waiting process and its FIFO,
and exits 3. `--fifo-depth N` makes every FIFO N words deep, `--stall P` makes the DMA
streams unavailable a share P of the cycles (seeded by `--seed`). `--board` simulates the
per-layer IP tops chained with the block design's FIFO depths (`tb/board.cpp`) instead of
the whole-network top.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from eecc.csim import (
    DEADLOCK_EXIT,
    CsimResult,
    DeadlockError,
    TimedOptions,
    reference,
    run_csim,
    stream_order,
)
from eecc.data import digits_path, load_array
from eecc.errors import EeccError
from eecc.reference.model import load_model
from eecc.reference.run import program_of
from eecc.timed import TimedReport, analyse


def _inputs(args: argparse.Namespace, input_shape: tuple[int, ...]) -> tuple[np.ndarray, str]:
    if args.input:
        return check_inputs(load_array(args.input, "x"), args.input, input_shape), args.input
    path = digits_path(input_shape)
    return load_array(path, "x"), path.name


def check_inputs(x: np.ndarray, name: str, input_shape: tuple[int, ...]) -> np.ndarray:
    """The samples as float values `[N, *input_shape]`; one-line errors otherwise."""
    if x.dtype.kind not in "biuf":
        raise EeccError(f"{name}: holds {x.dtype} values; the C simulation takes numbers")
    if x.ndim == len(input_shape):
        x = x[None]
    if tuple(x.shape[1:]) != tuple(input_shape):
        raise EeccError(f"{name}: samples of shape {tuple(x.shape[1:])}, the model takes "
                        f"{tuple(input_shape)} (an array [N, {', '.join(map(str, input_shape))}])")
    if len(x) == 0:
        raise EeccError(f"{name}: no samples (the array is empty)")
    x = x.astype(np.float64)  # integers are values, not raw fixed-point bits
    if not np.isfinite(x).all():
        raise EeccError(f"{name}: {int((~np.isfinite(x)).sum())} values are not finite (NaN or "
                        "infinite); the C simulation takes finite inputs")
    return x


def _torch_agreement(outdir: Path, classes: np.ndarray) -> str | None:
    path = outdir / "torch_predictions.npz"
    if not path.is_file():
        return None
    pred = np.load(path)["pred"]
    if len(pred) != len(classes):
        return f"torch_predictions.npz has {len(pred)} predictions for {len(classes)} samples"
    same = int((pred == classes).sum())
    return f"classes agree with float PyTorch on {same}/{len(pred)} ({100 * same / len(pred):.1f} %)"


def summary(result: CsimResult, ref_raw: np.ndarray, ref_exits: np.ndarray) -> tuple[list[str], int]:
    """Report lines and the number of differences."""
    n = len(result.exits)
    words = int((result.logits_raw != ref_raw).sum())
    exits = int((result.exits != ref_exits).sum())
    counts = np.bincount(result.exits, minlength=int(ref_exits.max()) + 1)
    build = "cached" if result.cached else f"{result.build_seconds:.1f} s"
    lines = [
        f"samples: {n} (build {build}, run {result.run_seconds:.2f} s)",
        "exits: " + ", ".join(f"exit {i}: {c}" for i, c in enumerate(counts)),
        f"mismatches: {words} output words, {exits} exits"
        + (" (bit-exact with the fixed-point reference)" if words + exits == 0 else ""),
    ]
    return lines, words + exits


def _fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def timed_lines(report: TimedReport) -> list[str]:
    """The timed simulation's figures: network, then one row per layer."""
    model = report.throughput_model
    ratio = f" = {report.throughput / model:.3f} x the report's" if report.throughput and model \
        else ""
    lines = [f"timed: throughput {_fmt(report.throughput)} samples/s at {report.clock_mhz:g} MHz"
             f" (report: {_fmt(model)}{ratio}); batch {_fmt(report.throughput_batch)} samples/s",
             f"timed: latency {report.latency_cycles} cycles ({_fmt(report.latency_us)} us), "
             f"{report.cycles:,} cycles in all",
             f"{'layer':<34} {'op':<17} {'samples':>7} {'cycles/sample':>14} {'model':>10} "
             f"{'ratio':>7} {'busy':>10} {'starved':>10} {'blocked':>10}"]
    for row in report.layers:
        lines.append(f"{row.name:<34} {row.op:<17} {row.samples:>7} "
                     f"{_fmt(row.cycles_per_sample):>14} {_fmt(row.model_cycles, 0):>10} "
                     f"{_fmt(row.ratio, 2):>7} {row.busy:>10,} {row.starved:>10,} "
                     f"{row.blocked:>10,}")
    for row in report.layers:
        if row.peak_maps is not None:
            lines.append(f"condbuffer {row.name}: peak occupancy {row.peak_maps:g} maps")
    return lines


def _report_throughput(outdir: Path) -> tuple[float, float | None]:
    """(clock in MHz, reported throughput) of the project's report.json."""
    path = outdir / "report.json"
    if not path.is_file():
        return 125.0, None
    report = json.loads(path.read_text())
    return float(report.get("clock_mhz", 125.0)), report.get("throughput")


def _run_timed(outdir: Path, module, x: np.ndarray, args: argparse.Namespace,
               untimed: CsimResult) -> tuple[list[str], int]:
    options = TimedOptions(args.fifo_depth, args.stall, args.seed)
    clock, model = _report_throughput(outdir)
    try:
        with _progress_bar(len(x)) as progress:
            result = run_csim(outdir, x, build_dir=_build_dir(args), timed=options,
                              board=args.board, progress=progress)
    except DeadlockError as err:
        report = analyse(err.raw, module, clock_mhz=clock, throughput_model=model)
        report.write(outdir / "timed.json")
        waits = str(err).removeprefix("timed C simulation: ").split("; ")
        return [waits[0], *("  " + w for w in waits[1:])], DEADLOCK_EXIT
    assert result.timed is not None
    report = analyse(result.timed, module, clock_mhz=clock, throughput_model=model)
    report.write(outdir / "timed.json")
    same = np.array_equal(result.logits_raw, untimed.logits_raw) and \
        np.array_equal(result.exits, untimed.exits)
    lines = timed_lines(report)
    lines.append("timed outputs: " + ("bit-identical with the untimed C simulation" if same
                                     else "DIFFER from the untimed C simulation"))
    lines.append(f"timed: build {'cached' if result.cached else f'{result.build_seconds:.1f} s'}"
                 f", run {result.run_seconds:.2f} s; wrote {outdir / 'timed.json'}")
    return lines, 0 if same else 1


@contextmanager
def _spinner(text: str) -> Iterator[None]:
    """A spinner with the elapsed time on a terminal's stderr (nothing otherwise)."""
    if not sys.stderr.isatty():
        yield
        return
    from rich.console import Console

    with Console(stderr=True).status(text):
        yield


@contextmanager
def _progress_bar(total: int) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on a terminal's stderr (nothing when stderr is not a terminal)."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("timed C simulation"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("timed", total=total)
        yield lambda done, _total: bar.update(task, completed=done)


def _build_dir(args: argparse.Namespace) -> Path | None:
    return Path(args.build_dir) if args.build_dir else None


def run(args: argparse.Namespace) -> int:
    outdir = Path(args.outdir)
    mlir = outdir / "model.mlir"
    if not mlir.is_file():
        raise EeccError(f"{mlir}: no such file (the project's final IR, written by eecc compile)")
    if not args.timed and (args.fifo_depth is not None or args.stall or args.seed != 1
                           or args.board):
        raise EeccError("--fifo-depth, --stall, --seed and --board need --timed")
    if args.fifo_depth is not None and args.fifo_depth < 1:
        raise EeccError(f"--fifo-depth {args.fifo_depth}: a FIFO holds at least 1 word")
    if not 0.0 <= args.stall < 1.0:
        raise EeccError(f"--stall {args.stall} is outside [0, 1): the share of cycles the DMA "
                        "streams are unavailable")
    module = load_model(mlir)
    x, name = _inputs(args, program_of(module).input_shape)
    with _spinner("C simulation: g++ build (cached by content) and run"):
        result = run_csim(outdir, x, build_dir=_build_dir(args))
    ref = reference(module, x)
    lines, differences = summary(result, stream_order(np.asarray(ref.raw)), ref.exits)
    print(f"eecc csim {outdir} on {name}")
    for line in lines:
        print("  " + line)
    torch = _torch_agreement(outdir, result.logits_raw.argmax(axis=1))
    if torch:
        print("  " + torch)
    if not args.timed:
        return 1 if differences else 0
    timed, status = _run_timed(outdir, module, x, args, result)
    if status == DEADLOCK_EXIT:
        print(f"eecc csim: {timed[0]}", file=sys.stderr)
        for line in timed[1:]:
            print(line, file=sys.stderr)
        return DEADLOCK_EXIT
    for line in timed:
        print("  " + line)
    return 1 if differences or status else 0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "csim", help="C simulation of an emitted project",
        description="Compile and run the emitted HLS C++ with g++ and compare every output "
        "word and exit with the fixed-point reference on OUTDIR/model.mlir.",
    )
    parser.add_argument("outdir", help="project folder (hls/, tb/, model.mlir)")
    parser.add_argument("--input", help="inputs: .npy, or .npz with 'x' (default: held-out digits)")
    parser.add_argument("--build-dir", help="where to build (default: a cache in the temp folder)")
    parser.add_argument("--timed", action="store_true",
                        help="also run the timed C simulation: throughput, latency, per-layer "
                        "cycles, stalls, deadlocks (writes OUTDIR/timed.json)")
    parser.add_argument("--fifo-depth", type=int, metavar="N",
                        help="timed: every FIFO N words deep (default: the emitted depths)")
    parser.add_argument("--stall", type=float, default=0.0, metavar="P",
                        help="timed: the DMA streams are unavailable a share P of the cycles")
    parser.add_argument("--board", action="store_true",
                        help="timed: simulate the per-layer IP tops chained with the block "
                        "design's FIFO depths (what goes to the FPGA) instead of the whole top")
    parser.add_argument("--seed", type=int, default=1, metavar="S",
                        help="timed: seed of the --stall draws (default 1)")
    parser.set_defaults(run=run)
