"""Cost model against the timed C simulation, for every example at three budgets.

    python bench/timed.py [--samples N] [--out bench/results/model_vs_timed]

For each example network and each budget (0.3, 0.6, 1.0 of the ZC706): `eecc compile` (in
process, the shipped flow), the timed C simulation (`eecc csim --timed`, the emitted FIFO
depths, DMA always ready) on the held-out digits (B-AlexNet: the first 64 samples: it is
untrained and has ~50M MACs per sample), then per layer and for the network the cost model's
figure, the timed simulation's and their ratio, with the simulation's own wall time and
simulated cycles per second. Writes `<out>.md` (tables) and `<out>.json` (every figure).
The outputs of every timed run are checked bit for bit against the untimed C simulation.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from eecc.compile import CompileOptions, compile_model, write_project
from eecc.csim import DeadlockError, TimedOptions, build, run_csim
from eecc.data import digits_path, load_array
from eecc.errors import EeccError
from eecc.reference.model import load_model
from eecc.reference.run import program_of
from eecc.timed import analyse

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ("blenet", "blenet3", "smallcnn", "balexnet", "bresnet")
BUDGETS = (0.3, 0.6, 1.0)
P_FALLBACK = (0.25,)
SAMPLE_CAP = {"balexnet": 64}
SHUFFLE_SEED = 0


def options(name: str, out: Path, budget: float) -> CompileOptions:
    model = ROOT / "examples" / name / f"{name}.onnx"
    profile = model.parent / "profile.json"
    if profile.is_file():
        return CompileOptions(model, out, profile=profile, budget=budget)
    return CompileOptions(model, out, p=P_FALLBACK, budget=budget)


def compile_example(name: str, budget: float, tmp: Path) -> Path | str:
    out = tmp / f"{name}-{budget:g}"
    try:
        files, _ = compile_model(options(name, out, budget))
    except EeccError as err:
        return str(err)
    write_project(files, out, force=True)
    return out


def run_one(name: str, budget: float, folder: Path, samples: int | None) -> dict:
    module = load_model(folder / "model.mlir")
    x = load_array(digits_path(program_of(module).input_shape), "x")
    cap = SAMPLE_CAP.get(name, samples)
    x = x[:cap] if cap else x
    report_json = json.loads((folder / "report.json").read_text())
    untimed = run_csim(folder, x)
    start = time.perf_counter()
    try:
        timed = run_csim(folder, x, timed=TimedOptions())
    except DeadlockError as err:
        wall = time.perf_counter() - start
        return {"example": name, "budget": budget, "samples": len(x), "deadlock": str(err),
                "wall_seconds": wall, "throughput_model": report_json["throughput"]}
    wall = time.perf_counter() - start
    assert timed.timed is not None
    report = analyse(timed.timed, module, clock_mhz=report_json["clock_mhz"],
                     throughput_model=report_json["throughput"])
    same = (np.array_equal(timed.logits_raw, untimed.logits_raw)
            and np.array_equal(timed.exits, untimed.exits))
    # The timed throughput is the steady-state window's, so the model is evaluated at the
    # exit rates of the samples in that window (the whole run's are kept for reference).
    window = np.asarray(report.window, dtype=int)
    reach = measured_reach(timed.exits[window] if len(window) else timed.exits,
                           n_exits(module))
    shuffled = shuffled_run(folder, module, x, report_json)
    return {"example": name, "budget": budget, "samples": len(x), "deadlock": None,
            "wall_seconds": wall, "bit_identical": same, "reach_measured": reach,
            "shuffled": shuffled,
            "reach_run": measured_reach(timed.exits, n_exits(module)),
            "throughput_model_measured": model_at(module, reach), **{
                k: v for k, v in report.as_dict().items()
                if k in ("throughput", "throughput_batch", "throughput_model", "latency_cycles",
                         "cycles", "layers")}}


def shuffled_run(folder: Path, module, x: np.ndarray, report_json: dict) -> dict | None:
    """The same samples in a seeded random order: the cost model's queue assumes each sample
    continues independently of the one before, and the held-out digits in file order do not
    (hard digits come in runs), so this run separates the input's order from the model."""
    if n_exits(module) < 2:
        return None
    order = np.random.default_rng(SHUFFLE_SEED).permutation(len(x))
    timed = run_csim(folder, x[order], timed=TimedOptions())
    if timed.timed is None or timed.timed["deadlock"] is not None:
        return {"deadlock": True}
    report = analyse(timed.timed, module, clock_mhz=report_json["clock_mhz"],
                     throughput_model=report_json["throughput"])
    window = np.asarray(report.window, dtype=int)
    reach = measured_reach(timed.exits[window], n_exits(module))
    return {"deadlock": False, "throughput": report.throughput, "reach_measured": reach,
            "throughput_model_measured": model_at(module, reach)}


def n_exits(module) -> int:
    merges = [op for op in module.walk() if op.name == "ee.exit_merge"]
    return len(merges[0].operands) if merges else 1


def measured_reach(exits: np.ndarray, count: int) -> list[float]:
    """Per later stage, the share of the run's samples that reached it (exit index >= k)."""
    return [float((exits >= k).mean()) for k in range(1, count)]


def model_at(module, reach: list[float]) -> float | None:
    """The cost model's (finite-buffer) throughput of the emitted design at the exit rates
    the run really had (`ee-annotate-rates` + `ee-estimate` on the project's IR)."""
    if not reach:
        return None
    from eecc import registry
    from eecc.reference.model import context

    copy = module.clone()
    ctx = context()
    registry.load_pass("ee-annotate-rates")(p=tuple(max(q, 1e-6) for q in reach)).apply(ctx, copy)
    registry.load_pass("ee-estimate")().apply(ctx, copy)
    graph = next(op for op in copy.walk() if op.name == "ee.graph")
    return graph.attributes["ee.throughput"].value.data


def shuffled_cell(run: dict | None) -> str:
    if not run:
        return "—"
    if run["deadlock"]:
        return "deadlock"
    q = ", ".join(f"{v:.3f}" for v in run["reach_measured"])
    return f"{run['throughput'] / run['throughput_model_measured']:.3f} (q {q})"


def fmt(v: float | None, digits: int = 0) -> str:
    return "—" if v is None else f"{v:,.{digits}f}"


def markdown(rows: list[dict], note: str) -> str:
    lines = ["# Cost model vs timed C simulation", "", note, "",
             "## Networks", "",
             "`model` is the report's throughput at the profiled rate p (profile.json, or 0.25 "
             "where an example has none); `model @ q` the cost model of the same design at the "
             "rates q the run really had: the share of the steady-state window's samples (the "
             "second half by admission, over which `timed` is measured) that reached each "
             "later stage.", "",
             "| example | budget | samples | model (samples/s) | q (window) | model @ q "
             "| timed (samples/s) | timed / model @ q | shuffled: timed / model @ q "
             "| timed batch (samples/s) "
             "| latency (cycles) | outputs = untimed | sim wall (s) | sim Mcycles/s |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['example']} | {r['budget']:g} | — | does not fit: {r['error']} "
                         "| | | | | | | |")
            continue
        if r["deadlock"]:
            lines.append(f"| {r['example']} | {r['budget']:g} | {r['samples']} | "
                         f"{fmt(r['throughput_model'])} | deadlock | | | | | "
                         f"{r['wall_seconds']:.1f} | |")
            continue
        at_q = r.get("throughput_model_measured") or r["throughput_model"]
        ratio = r["throughput"] / at_q if r["throughput"] else None
        q = ", ".join(f"{v:.3f}" for v in r.get("reach_measured", []))
        lines.append(
            f"| {r['example']} | {r['budget']:g} | {r['samples']} | {fmt(r['throughput_model'])}"
            f" | {q} | {fmt(at_q)} | {fmt(r['throughput'])} | {fmt(ratio, 3)} | "
            f"{shuffled_cell(r.get('shuffled'))} | "
            f"{fmt(r['throughput_batch'])} | {fmt(r['latency_cycles'])} | "
            f"{'yes' if r['bit_identical'] else 'NO'} | "
            f"{r['wall_seconds']:.1f} | {r['cycles'] / r['wall_seconds'] / 1e6:.2f} |")
    lines += ["", "## Layers", "",
              "Cycles per sample: the cost model's latency at the layer's fold against the timed "
              "simulation's service time (cycles neither starved nor blocked, per sample). "
              "`ee.repack`: the library's one word per cycle on the narrower side (`repack_latency`).", ""]
    for r in rows:
        if "layers" not in r:
            continue
        lines += [f"### {r['example']}, budget {r['budget']:g}", "",
                  "| layer | op | samples | model | timed | timed / model |", "|---|---|---|---|---|---|"]
        for layer in r["layers"]:
            lines.append(f"| {layer['name']} | {layer['op']} | {layer['samples']} | "
                         f"{fmt(layer['model_cycles'])} | {fmt(layer['cycles_per_sample'], 1)} | "
                         f"{fmt(layer['ratio'], 2)} |")
        lines.append("")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=None, help="samples per run (default all)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "model_vs_timed"))
    parser.add_argument("--examples", default=",".join(EXAMPLES))
    args = parser.parse_args()
    examples = args.examples.split(",")
    tmp = Path(tempfile.mkdtemp(prefix="eecc-bench-timed-"))
    folders = {(n, b): compile_example(n, b, tmp) for n in examples for b in BUDGETS}
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        jobs = [pool.submit(build, f, timed=t) for f in folders.values() if isinstance(f, Path)
                for t in (False, True)]
        for job in jobs:
            job.result()
    rows = []
    for (name, budget), folder in folders.items():
        if isinstance(folder, str):
            rows.append({"example": name, "budget": budget, "error": folder})
            continue
        row = run_one(name, budget, folder, args.samples)
        rows.append(row)
        print(f"{name} {budget:g}: model {fmt(row.get('throughput_model'))}, timed "
              f"{fmt(row.get('throughput'))} samples/s, {row['wall_seconds']:.1f} s",
              file=sys.stderr)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}"
    note = (f"Generated by `python bench/timed.py` on {machine}. ZC706 at 125 MHz, the shipped "
            "`eecc compile` flow (profile.json where the example has one, else p = 0.25), the "
            "emitted FIFO depths, the DMA always ready. Held-out digits (360 samples; B-AlexNet "
            "the first 64), in file order and, for the `shuffled` column, in a seeded random "
            f"order (numpy seed {SHUFFLE_SEED}).")
    Path(args.out + ".json").write_text(json.dumps(rows, indent=1, sort_keys=True) + "\n")
    Path(args.out + ".md").write_text(markdown(rows, note))
    return 0


if __name__ == "__main__":
    sys.exit(main())
