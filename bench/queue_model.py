"""The finite-buffer throughput model against the timed C simulation: depths x rates x budgets.

    python bench/queue_model.py [--samples 2000] [--out bench/results/queue_model]

B-LeNet is compiled (the shipped flow, ZC706) at each budget, its drop-on-exit condbuffer
set to each depth after `--fold` (the folds do not change), and simulated timed on inputs
drawn from the held-out digits so that a share q of them continues past the exit: the
continuing and the exiting digits of the fixed-point reference are drawn with replacement
in the proportion q and shuffled (seeded), so the exit pattern is i.i.d. as the queue models
assume. The timed throughput is the steady state (the second half of the run,
`eecc.timed.steady_window`) and every model is evaluated at the q of that window.

Models, all at the design's stage intervals t1, t2 (cycles per map, with the batch fill):

- `model`: what the cost model uses (`ee-estimate`, `--fold`): `eecc.cost.queue`, the event
  model below tabulated over rho and interpolated, with the slack `eecc.network` counts;
- `smith`: Smith's M/G/1/K (`eecc.cost.throughput.smith_step`), the cost model until v2;
- `chain`: the exact Markov chain of the ring buffer alone (`ring_chain` below: K map slots,
  a producer of interval t1, a next stage of t2 cycles per kept map);
- `event`: an event-by-event simulation of the same queue plus the buffering the hardware
  has around the ring (`slack` below): the FIFOs and line buffers between the producer's
  slowest layer and the ring let the producer finish part of a map while it is stalled
  (s_up maps), and those between the ring and the next stage's slowest layer let a kept map
  leave the ring while that layer still has s_down maps of work (they hold kept maps only).
  The slacks are counted from the IR (a row of each stream's map, (k-1) rows of each
  window's padded input), not fitted.

Writes `<out>.md` and `<out>.json`.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import tempfile
from pathlib import Path

import numpy as np

from eecc.compile import (
    CompileOptions,
    _context,
    check_options,
    emit_project,
    pipeline_passes,
    write_project,
)
from eecc.cost.platform import load_platform
from eecc.cost.queue import step as queue_step
from eecc.cost.throughput import blocking_probability
from eecc.csim import TimedOptions, run_csim
from eecc.data import digits_path, load_array
from eecc.dialects.ee import StreamType
from eecc.dialects.ee.control import CondBufferOp
from eecc.dialects.ee.hardware import producers
from eecc.dialects.ee.layers import WindowOp
from eecc.network import NetworkModel
from eecc.onnx_import import import_model
from eecc.reference.model import load_model
from eecc.reference.run import program_of
from eecc.thresholds import choose, set_thresholds
from eecc.timed import steady_window

ROOT = Path(__file__).resolve().parents[1]
BUDGETS = (0.3, 0.6, 1.0)
DEPTHS = (2, 4, 16)
RATES = (0.1, 0.25, 0.5)
CLOCK = 125.0


def compile_at(budget: float, depth: int, out: Path) -> Path:
    model = ROOT / "examples" / "blenet" / "blenet.onnx"
    opts = CompileOptions(model, out, profile=model.parent / "profile.json", budget=budget,
                          force=True)
    platform_ = check_options(opts)
    module = import_model(model)
    thresholds = choose(opts.profile, opts.thresholds, opts.threshold_set, opts.p)[0]
    ctx = _context()
    for step in pipeline_passes(opts):
        step.apply(ctx, module)
        if step.name == "convert-onnx-to-ee":
            set_thresholds(module, thresholds)
        if step.name == "fold":
            for op in module.walk():
                if isinstance(op, CondBufferOp):
                    op.set_depth(depth, min(depth, op.min_depth.value.data if op.min_depth else depth))
    write_project(emit_project(module, opts, platform_), out, force=True,
                  inputs=[model, model.parent / "profile.json"])
    return out


def draw(exits: np.ndarray, q: float, n: int, seed: int) -> np.ndarray:
    """Indices of n held-out digits, a share q of them continuing past the exit."""
    rng = np.random.default_rng(seed)
    cont, leave = np.flatnonzero(exits >= 1), np.flatnonzero(exits == 0)
    k = round(q * n)
    idx = np.concatenate([rng.choice(cont, k), rng.choice(leave, n - k)])
    rng.shuffle(idx)
    return idx


# ------------------------------------------------------------------ the models


def smith(t1: float, t2: float, c: float, depth: float) -> float:
    f = CLOCK * 1e6
    return (1 - blocking_probability(f / t1, f / t2, c, CLOCK, depth)) / t1


def ring_chain(t1: float, t2: float, c: float, slots: int) -> float:
    """Maps per cycle admitted: the exact chain of a ring of `slots` maps (the map being
    produced holds one), embedded at the start of each kept map's service; the producer's
    phase at a service start is 0 after a stall, 0 after an idle spell, else uniform."""
    m = t2 / t1
    if slots == 1:
        return 1 / (t1 * (1 + c * m))
    last = slots - 1
    kinds = 3
    n = last * kinds
    trans, cycle, stall = np.zeros((n, n)), np.zeros(n), np.zeros(n)
    keep = c * (1 - c) ** np.arange(last)
    for a in range(last):
        for kind in range(kinds):
            s = a * kinds + kind
            room = last - a
            if kind == 0:
                x = m - room
                stall[s] = x + 0.5 if x >= 0 else (0.0 if x <= -1 else (x + 1) ** 2 / 2)
                fm, fr = math.floor(m), m - math.floor(m)
                ends = [(fm, 1 - fr, None), (fm + 1, fr, None)]
            else:
                stall[s] = max(0.0, m - room)
                ends = [(math.floor(m), 1.0, m - math.floor(m))]
            cycle[s] = m
            for done, p, phase in ends:
                if p <= 0:
                    continue
                behind, stalled = min(a + done, last), a + done >= last
                trans[s, (1 if stalled else 0):behind * kinds:kinds] += p * keep[behind - 1::-1][:behind]
                empty = (1 - c) ** behind
                first = 1.0 if stalled else (0.5 if phase is None else 1 - phase)
                cycle[s] += p * empty * (first + 1 / c - 1)
                trans[s, 2] += p * empty
    system = trans.T - np.eye(n)
    system[-1, :] = 1.0
    rhs = np.zeros(n)
    rhs[-1] = 1.0
    law = np.linalg.solve(system, rhs)
    return (1 - (law @ stall) / (law @ cycle)) / t1


def event(t1: float, t2: float, c: float, slots: int, up: float, down: float,
          n: int = 40000, seed: int = 0) -> float:
    """Maps per cycle admitted, simulated map by map (second half of n maps)."""
    keep = np.random.default_rng(seed).random(n) < c
    free = np.zeros(n)
    admitted = np.zeros(n)
    start_prev, ring_prev, busy_until = -t1, 0.0, 0.0
    for k in range(n):
        start = start_prev + t1
        slot = free[k - slots] if k >= slots else -math.inf
        start = max(start, slot - up * t1)  # the producer worked ahead while stalled
        admitted[k] = max(start + t1, slot)
        ready = max(ring_prev, admitted[k])
        if keep[k]:
            busy_until = max(busy_until, ready) + t2
            ring_prev = max(ready, busy_until - down * t2)  # leaves when the tail fits
        else:
            ring_prev = ready
        free[k] = ring_prev
        start_prev = start
    h = n // 2
    return (n - 1 - h) / (admitted[-1] - admitted[h])


# ------------------------------------------------------------ slack from the IR


def _row_share(op) -> float:
    t = op.results[0].type
    shape = t.get_shape() if isinstance(t, StreamType) else ()
    return 1 / shape[1] if len(shape) == 3 else 0.0


def _line_share(op) -> float:
    if not isinstance(op, WindowOp):
        return 0.0
    _, h, _ = op.input.type.get_shape()
    top, _, bottom, _ = op.pad_values
    return (op.kernel_shape[0] - 1) / (h + top + bottom)


def slack(model: NetworkModel) -> tuple[float, float]:
    """(up, down) maps of buffering around the first drop-on-exit condbuffer."""
    ops, structure = model.ops, model.structure
    latency = {id(op): model.op_cost(i, op.current_fold_value())[0] for i, op in enumerate(ops)}
    consumers: dict[int, list] = {id(op): [] for op in ops}
    for op in ops:
        for p in producers(op):  # type: ignore[arg-type]
            consumers[id(p)].append(op)
    buffer = structure.drop_buffers[0]
    back, op = [], producers(buffer)[0]  # type: ignore[arg-type]
    while op is not None and structure.stage(op) == structure.stage(buffer):
        back.append(op)
        found = producers(op)  # type: ignore[arg-type]
        op = found[0] if found else None
    k = max(range(len(back)), key=lambda i: latency[id(back[i])])
    up = sum(_row_share(p) for p in back[:k + 1]) + sum(_line_share(p) for p in back[:k])
    ahead, op = [], consumers[id(buffer)][0]
    while op is not None:
        ahead.append(op)
        op = consumers[id(op)][0] if consumers[id(op)] else None
    k = max(range(len(ahead)), key=lambda i: latency[id(ahead[i])])
    down = _row_share(buffer) + sum(_row_share(p) for p in ahead[:k]) \
        + sum(_line_share(p) for p in ahead[:k + 1])
    return up, down


# ------------------------------------------------------------------- the bench


def run(samples: int, budgets=BUDGETS, depths=DEPTHS, rates=RATES,
        done=lambda rows: None) -> list[dict]:
    tmp = Path(tempfile.mkdtemp(prefix="eecc-bench-queue-"))
    rows = []
    for budget in budgets:
        for depth in depths:
            out = compile_at(budget, depth, tmp / f"b{budget:g}-d{depth}")
            module = load_model(out / "model.mlir")
            model = NetworkModel(module, load_platform("zc706"))
            est = model.evaluate()
            (t1, t2), fill = [s.interval_cycles for s in est.stages], [s.depth_cycles for s in est.stages]
            t1f, t2f = t1 + fill[0] / 1024, t2 + fill[1] / 1024
            up, down = slack(model)
            model_up, model_down = est.slacks[0]
            x = load_array(digits_path(program_of(module).input_shape), "x")
            exits = run_csim(out, x).exits
            for q in rates:
                idx = draw(exits, q, samples, seed=1)
                timed = run_csim(out, x[idx], timed=TimedOptions())
                steady = steady_window(timed.timed["samples"])
                window = [s[0] for s in steady]
                measured = (len(steady) - 1) / (steady[-1][1] - steady[0][1]) * CLOCK * 1e6
                qw = float((timed.exits[window] >= 1).mean())
                f = CLOCK * 1e6
                row = {"budget": budget, "depth": depth, "q": q, "q_window": qw,
                       "t1": t1, "t2": t2, "slack_up": up, "slack_down": down,
                       "timed": measured,
                       "model": queue_step(f / t1f, 1.0, qw, f / t2f, depth, model_up, model_down),
                       "model_slack": [model_up, model_down],
                       "smith": smith(t1f, t2f, qw, depth) * f,
                       "chain": ring_chain(t1f, t2f, qw, depth) * f,
                       "event": event(t1f, t2f, qw, depth, up, down) * f,
                       "bound": min(1 / t1f, 1 / (qw * t2f)) * f}
                rows.append(row)
                print(json.dumps(row), file=sys.stderr, flush=True)
                done(rows)
    return rows


def markdown(rows: list[dict], note: str) -> str:
    def ratio(r: dict, key: str) -> str:
        return f"{r[key] / r['timed']:.3f}"

    lines = ["# The finite-buffer model against the timed simulation (B-LeNet, ZC706)", "", note, "",
             "| budget | t1 / t2 (cycles) | slack up / down (maps) | depth | q | timed (samples/s) "
             "| bound | model / timed | smith / timed | chain / timed | event / timed |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| {r['budget']:g} | {r['t1']:.0f} / {r['t2']:.0f} | {r['slack_up']:.2f} / "
            f"{r['slack_down']:.2f} | {r['depth']} | {r['q_window']:.3f} | {r['timed']:,.0f} | "
            f"{r['bound']:,.0f} | {ratio(r, 'model')} | {ratio(r, 'smith')} | {ratio(r, 'chain')} | {ratio(r, 'event')} |")
    lines += ["", "## Summary", "", "| model | rows within 5 % | worst low | worst high |",
              "|---|---|---|---|"]
    for key in ("model", "smith", "chain", "event"):
        errs = [r[key] / r["timed"] - 1 for r in rows]
        within = sum(abs(e) <= 0.05 for e in errs)
        lines.append(f"| {key} | {within} of {len(errs)} | {min(errs):+.1%} | {max(errs):+.1%} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "queue_model"))
    parser.add_argument("--budgets", default=",".join(map(str, BUDGETS)))
    parser.add_argument("--depths", default=",".join(map(str, DEPTHS)))
    parser.add_argument("--rates", default=",".join(map(str, RATES)))
    args = parser.parse_args()
    floats = lambda s: tuple(float(v) for v in s.split(","))  # noqa: E731
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    command = " ".join(["python", "bench/queue_model.py", *sys.argv[1:]])
    note = (f"Generated by `{command}` on {machine}. "
            "Timed: the steady-state half of the run; q: the share of that half that continued "
            "past the exit. bound: min(1/t1, 1/(q t2)), the infinite buffer. Ratios are model / timed.")

    def write(rows: list[dict]) -> None:  # after every row: a long run keeps what it measured
        Path(args.out + ".json").write_text(json.dumps(rows, indent=1, sort_keys=True) + "\n")
        Path(args.out + ".md").write_text(markdown(rows, note))

    run(args.samples, floats(args.budgets), tuple(int(v) for v in args.depths.split(",")),
        floats(args.rates), write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
