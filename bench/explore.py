"""Benchmark of `eecc explore` on the overprovisioned B-LeNet (ZC706): writes
bench/results/explore.{md,json}.

At one budget: the whole space of 6 candidate exits x 8 thresholds (HAPI's prior: no two
exits side by side) enumerated on 2 worker processes; its accuracy-throughput Pareto front
against the hand-placed exit (exit 0 at 0.99, B-LeNet's place) and the no-exit baseline,
the gains at equal accuracy and at equal throughput; the wall and CPU time of the search;
the cost per candidate against re-running the network (interpreter on the 360 held-out
digits) and a cold `--fold` search per candidate; the annealer (3 seeds) on the same space;
the chosen design compiled and C-simulated. Run: `python bench/explore.py`.
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from eecc.dse import ir
from eecc.dse.search import search
from eecc.explore.driver import Request, explore, load
from eecc.explore.evaluate import Worker
from eecc.explore.search import Schedule, anneal, best
from eecc.explore.space import Candidate
from eecc.passes.ee_select_exits import EeSelectExitsPass
from eecc.reference import run_graph
from eecc.reference.model import context

ROOT = Path(__file__).resolve().parents[1]
NET = ROOT / "examples" / "blenet_over"
MODEL, PROFILE = NET / "blenet_over.onnx", NET / "profile.json"
OUT = ROOT / "bench" / "results"
WORK = Path(os.environ.get("TMPDIR", "/tmp")) / "eecc-bench-explore"
BUDGET, JOBS, SAMPLE, SEEDS = 0.4, 2, 12, (0, 1, 2)


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def run_explore() -> tuple[dict, float, float]:
    req = Request(MODEL, PROFILE, WORK / "out", budget=BUDGET, jobs=JOBS, progress=False)
    cpu, start = cpu_seconds(), time.perf_counter()
    explore(req)
    wall = time.perf_counter() - start
    doc = json.loads((WORK / "out" / "explore.json").read_text())
    return doc, wall, cpu_seconds() - cpu


def rerun_cost(candidates: list[Candidate]) -> tuple[float, float]:
    """Seconds per candidate of re-running the network, and of a cold fold search."""
    loaded = load(Request(MODEL, PROFILE, WORK / "unused", budget=BUDGET))
    x = np.load(ROOT / "examples" / "data" / "digits_test_28.npz")["x"]
    worker = Worker(loaded.setting)
    run_s = fold_s = 0.0
    for cand in candidates:
        start = time.perf_counter()
        module = loaded.module.clone()
        EeSelectExitsPass(keep=cand.exits, thresholds=cand.thresholds).apply(context(), module)
        run_graph(module, x)
        run_s += time.perf_counter() - start
        point = worker.point(cand)
        problem, _ = worker.subset(cand.exits)
        start = time.perf_counter()
        search(ir.with_rates(problem, point.reach))
        fold_s += time.perf_counter() - start
    return run_s / len(candidates), fold_s / len(candidates)


def annealing(doc: dict) -> list[dict]:
    """The annealer on the same space, from the enumerated points (no re-evaluation)."""
    from eecc.explore.search import Objective

    loaded = load(Request(MODEL, PROFILE, WORK / "unused", budget=BUDGET))
    worker = Worker(loaded.setting)
    table: dict[Candidate, object] = {}

    def evaluate(cands):  # noqa: ANN001, ANN202
        for c in cands:
            if c not in table:
                table[c] = worker.point(c)
        return [table[c] for c in cands]

    base = evaluate([Candidate((), ())])[0]
    objective = Objective("min-accuracy", base.accuracy, base.accuracy, base.throughput)  # type: ignore[attr-defined]
    rows = []
    for seed in SEEDS:
        start = time.perf_counter()
        seen = anneal(loaded.space, evaluate, objective, seed, Schedule())
        found = best(list(seen.values()), objective)
        rows.append({"seed": seed, "evaluated": len(seen), "seconds": time.perf_counter() - start,
                     "exits": list(found.candidate.exits),
                     "thresholds": list(found.candidate.thresholds),
                     "throughput": found.throughput, "accuracy": found.accuracy,
                     "optimum": round(found.throughput, 3) == doc["chosen"]["throughput"]})
    return rows


def csim(doc: dict) -> str:
    out = WORK / "out"
    project = WORK / "project"
    subprocess.run([sys.executable, "-m", "eecc.cli", "compile", str(out / "chosen.onnx"),
                    "--profile", str(out / "profile.json"), "--budget", str(BUDGET),
                    "-o", str(project), "--force"], check=True, capture_output=True)
    res = subprocess.run([sys.executable, "-m", "eecc.cli", "csim", str(project)],
                         capture_output=True, text=True)
    lines = [line.strip() for line in (res.stdout + res.stderr).splitlines() if "mismatch" in line]
    return lines[0] if lines else f"csim exit code {res.returncode}"


def gains(doc: dict) -> list[tuple[str, str]]:
    front, hand, base = doc["front"], doc["hand"], doc["baseline"]
    rows = []
    for name, ref in (("hand-placed", hand), ("no exit", base)):
        same_acc = max((p for p in front if p["accuracy"] >= ref["accuracy"]),
                       key=lambda p: p["throughput"])
        same_tput = max((p for p in front if p["throughput"] >= ref["throughput"]),
                        key=lambda p: p["accuracy"])
        rows.append((name, f"{same_acc['throughput'] / ref['throughput']:.2f}x "
                     f"({_label(same_acc)})",
                     f"{100 * (same_tput['accuracy'] - ref['accuracy']):+.2f} points "
                     f"({_label(same_tput)})"))
    return rows  # type: ignore[return-value]


def _label(p: dict) -> str:
    if not p["exits"]:
        return "no exit"
    return " ".join(f"{e}@{t:g}" for e, t in zip(p["exits"], p["thresholds"], strict=True))


def table(doc: dict) -> list[str]:
    lines = ["| design | exits @ thresholds | accuracy | throughput (samples/s) | LUT | DSP | BRAM | mean latency (us) |",
             "|---|---|---|---|---|---|---|---|"]
    named = [("no exit", doc["baseline"]), ("hand-placed", doc["hand"]), ("chosen", doc["chosen"])]
    named += [(f"front {i}", p) for i, p in enumerate(doc["front"])]
    for name, p in named:
        lines.append(f"| {name} | {_label(p)} | {100 * p['accuracy']:.2f} % | {p['throughput']:,.0f} | "
                     f"{p['lut']:,.0f} | {p['dsp']:,.0f} | {p['bram']:,.0f} | {p['latency_us']:.1f} |")
    return lines


def main() -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()[0]
    doc, wall, cpu = run_explore()
    load_after = os.getloadavg()[0]
    count = doc["space"]["evaluated"]
    rng = random.Random(0)
    sample = [Candidate(tuple(p["exits"]), tuple(p["thresholds"])) for p in rng.sample(doc["points"], SAMPLE)]
    run_s, fold_s = rerun_cost(sample)
    anneals = annealing(doc)
    sim = csim(doc)
    result = {"budget": BUDGET, "jobs": JOBS, "candidates": count, "wall_s": wall, "cpu_s": cpu,
              "load_average": [load_before, load_after],
              "rerun_network_s": run_s, "cold_fold_s": fold_s, "anneal": anneals, "csim": sim,
              "front": doc["front"], "hand": doc["hand"], "baseline": doc["baseline"],
              "chosen": doc["chosen"]}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "explore.json").write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
    md = [
        "# `eecc explore`: the overprovisioned B-LeNet on the ZC706",
        "",
        f"`python bench/explore.py` on {os.cpu_count()} cores. Network `examples/blenet_over` (6 candidate "
        f"exits, one after every backbone block); accuracy on the 360 held-out digits from the "
        f"profile's memo; budget {BUDGET:g} of every ZC706 resource; objective: the fastest design "
        f"at least as accurate as the network without exits. Space: 6 positions x 8 thresholds "
        f"(0.5 ... 0.999) with HAPI's no-adjacent-exits prior = {doc['space']['size']} candidates, "
        f"enumerated.",
        "",
        "## Front, hand-placed exit and no-exit baseline",
        "",
        *table(doc),
        "",
        "## Gains of the front",
        "",
        "| against | throughput at equal (or better) accuracy | accuracy at equal (or better) throughput |",
        "|---|---|---|",
        *[f"| {a} | {b} | {c} |" for a, b, c in gains(doc)],
        "",
        "## Search time",
        "",
        f"- {count} candidates on {JOBS} worker processes: **{wall:.1f} s wall**, {cpu:.1f} s CPU "
        f"in all processes ({1000 * cpu / count:.1f} ms CPU per candidate; "
        f"{cpu / JOBS:.0f} s per core if both cores were free). Wall time depends on what else "
        f"the machine runs (load average {load_before:.1f} before, {load_after:.1f} after, on "
        f"{os.cpu_count()} cores); CPU time does not.",
        f"- Re-running the network per candidate (the interpreter on the 360 digits, after "
        f"`ee-select-exits`): {run_s:.2f} s; a cold `--fold` search per candidate (no memoised "
        f"curves, no hint): {fold_s:.2f} s; together {run_s + fold_s:.2f} s per candidate, "
        f"**{(run_s + fold_s) / (cpu / count):.0f}x** the memoised evaluation's CPU time "
        f"(means over {SAMPLE} random candidates).",
        "- Annealer (HAPI's moves and prior, then refinement) on the same space, from the "
        "same evaluations:",
        "",
        "| seed | candidates evaluated | found | throughput | = exhaustive optimum |",
        "|---|---|---|---|---|",
        *[f"| {r['seed']} | {r['evaluated']} | {_label(r)} | {r['throughput']:,.0f} | "
          f"{'yes' if r['optimum'] else 'no'} |" for r in anneals],
        "",
        "## The chosen design in hardware",
        "",
        f"`eecc compile chosen.onnx --profile profile.json --budget {BUDGET:g}`, then `eecc csim`: {sim}.",
        "",
    ]
    (OUT / "explore.md").write_text("\n".join(md))
    print("\n".join(md))


if __name__ == "__main__":
    main()
