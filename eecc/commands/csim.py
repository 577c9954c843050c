"""`eecc csim`: C simulation of an emitted project against the fixed-point reference.

    eecc csim OUTDIR [--input X.npy] [--build-dir DIR]

Builds `OUTDIR/hls/<model>_top.cpp` with `OUTDIR/tb/testbench.cpp` (g++, cached by content),
runs it on the inputs (default: the shipped held-out digits for the model's input shape),
and compares every output word and every exit taken with the reference interpreter in fixed
point on `OUTDIR/model.mlir`. Prints samples, exits taken per exit, mismatches and, when
`torch_predictions.npz` lies beside the model, the agreement of classes with float PyTorch.
Exits 1 on any difference.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from eecc.csim import CsimResult, reference, run_csim
from eecc.data import digits_path, load_array
from eecc.errors import EeccError
from eecc.reference.model import load_model
from eecc.reference.run import program_of


def _inputs(args: argparse.Namespace, input_shape: tuple[int, ...]) -> tuple[np.ndarray, str]:
    if args.input:
        return load_array(args.input, "x"), args.input
    path = digits_path(input_shape)
    return load_array(path, "x"), path.name


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


def run(args: argparse.Namespace) -> int:
    outdir = Path(args.outdir)
    mlir = outdir / "model.mlir"
    if not mlir.is_file():
        raise EeccError(f"{mlir}: no such file (the project's final IR, written by eecc compile)")
    module = load_model(mlir)
    x, name = _inputs(args, program_of(module).input_shape)
    result = run_csim(outdir, x, build_dir=Path(args.build_dir) if args.build_dir else None)
    ref = reference(module, x)
    lines, differences = summary(result, ref.raw, ref.exits)
    print(f"eecc csim {outdir} on {name}")
    for line in lines:
        print("  " + line)
    torch = _torch_agreement(outdir, result.logits_raw.argmax(axis=1))
    if torch:
        print("  " + torch)
    return 1 if differences else 0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "csim", help="C simulation of an emitted project",
        description="Compile and run the emitted HLS C++ with g++ and compare every output "
        "word and exit with the fixed-point reference on OUTDIR/model.mlir.",
    )
    parser.add_argument("outdir", help="project folder (hls/, tb/, model.mlir)")
    parser.add_argument("--input", help="inputs: .npy, or .npz with 'x' (default: held-out digits)")
    parser.add_argument("--build-dir", help="where to build (default: a cache in the temp folder)")
    parser.set_defaults(run=run)
