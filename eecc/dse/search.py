"""Combining stage TAP curves by their rates: the network-level search.

Network throughput is monotone in every stage's throughput and bounded by
min_i T_i / p_i (ATHEENA's rule for N stages), so a branch and bound over the stages' TAP
points, fastest first, finds the best combination within the budget: the last stage
simply takes its fastest point that still fits, and a branch stops as soon as its bound
falls below the best design found. `area` mode minimises the largest platform share
among designs that reach a target. Leftover resources then buy pipeline depth
(`polish`). See docs/fold.md for the argument.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from eecc.dse.problem import Design, Evaluation, Problem, evaluate, fits, unfolded, vadd
from eecc.dse.tap import DEFAULT_CAP, Tap, stage_tap
from eecc.errors import EeccError

KINDS = ("LUT", "FF", "DSP", "BRAM")


class Unfittable(EeccError):
    """No design fits the budget, or the target is out of reach."""


@dataclass(frozen=True)
class SearchResult:
    design: Design
    evaluation: Evaluation
    exact: bool  # every TAP curve kept all its non-dominated points
    seconds: float
    taps: tuple[Tap, ...]
    picks: tuple[int, ...] = ()  # the TAP point of each stage, before `polish`


def search(problem: Problem, objective: str = "throughput", target: float = 0.0,
           cap: int = DEFAULT_CAP, taps: tuple[Tap, ...] | None = None,
           lower: float = 0.0) -> SearchResult:
    """The best design of `problem`: fastest within the budget, or least area reaching `target`.

    `taps` are the stages' TAP curves if already known (they depend on the stages' layers
    and the limit, not on the rates), e.g. memoised across designs that share stages.
    `lower` is a throughput some combination of TAP points is known to reach (e.g. the
    previous design's points under these rates): branches below it are cut at once, and
    the result is the same as without it.
    """
    start = time.perf_counter()
    if taps is None:
        taps = tuple(stage_tap(problem, i, cap) for i in range(len(problem.stages)))
    if any(len(t) == 0 for t in taps):
        raise Unfittable(_overflow_message(problem))
    picks = (_least_area(problem, taps, target) if objective == "area"
             else _fastest(problem, taps, lower))
    if picks is None:
        raise Unfittable(_overflow_message(problem))
    design = tuple(tuple(int(c) for c in tap.choices[j]) for tap, j in zip(taps, picks, strict=True))
    if objective != "area":
        design = polish(problem, design)
    return SearchResult(design, evaluate(problem, design), all(t.exact for t in taps),
                        time.perf_counter() - start, taps, tuple(int(p) for p in picks))


def _fastest(problem: Problem, taps: tuple[Tap, ...], lower: float = 0.0) -> list[int] | None:
    limit, rates = np.array(problem.limit), _reach(problem)
    orders = [np.argsort(-t.throughputs, kind="stable") for t in taps]
    best: dict = {"f": lower if lower > 0 else -1.0, "cost": np.inf, "picks": None}

    def last(used: np.ndarray, picks: list[int], tputs: list[float]) -> None:
        tap = taps[-1]
        ok = (used + tap.res <= limit * (1 + 1e-12)).all(1)
        if not ok.any():
            return
        top = tap.throughputs[ok].max()
        cands = np.flatnonzero(ok & (tap.throughputs == top))
        costs = ((used + tap.res[cands]) / np.array(problem.capacity)).max(1)
        j = int(cands[np.argmin(costs)])
        f = problem.network_throughput(tputs + [float(top)])
        cost = float(costs.min())
        if f > best["f"] * (1 + 1e-12) or (f >= best["f"] * (1 - 1e-12) and cost < best["cost"]):
            best.update(f=f, cost=cost, picks=picks + [j])

    sorted_res = [t.res[o] for t, o in zip(taps, orders, strict=True)]
    fastest = [float(t.throughputs.max()) for t in taps]

    def visit(i: int, used: np.ndarray, picks: list[int], tputs: list[float], bound: float) -> None:
        if i == len(taps) - 1:
            return last(used, picks, tputs)
        # points that fit, fastest first (a point that does not fit is skipped either way,
        # and the bound only falls along the order)
        fitting = np.flatnonzero((used + sorted_res[i] <= limit * (1 + 1e-12)).all(1))
        for k in fitting:
            j = orders[i][k]
            t = float(taps[i].throughputs[j])
            b = min(bound, t / rates[i] if rates[i] > 0 else np.inf)
            if b < best["f"] * (1 - 1e-12):
                break
            # tighter: the network with every later stage at its fastest point (monotone)
            if (best["f"] > 0 and problem.network_throughput(tputs + [t] + fastest[i + 1:])
                    < best["f"] * (1 - 1e-12)):
                break
            visit(i + 1, used + taps[i].res[j], picks + [int(j)], tputs + [t], b)

    visit(0, np.array(problem.fixed, dtype=float), [], [], np.inf)
    return best["picks"]


def _least_area(problem: Problem, taps: tuple[Tap, ...], target: float) -> list[int] | None:
    limit, rates, capacity = np.array(problem.limit), _reach(problem), np.array(problem.capacity)
    best: dict = {"cost": np.inf, "picks": None}

    tap = taps[-1]
    ascending = np.argsort(tap.throughputs, kind="stable")

    def slowest_enough(tputs: list[float]) -> int:
        """Position in `ascending` of the slowest last-stage point reaching the target."""
        lo, hi = 0, len(ascending)
        while lo < hi:  # the network throughput grows with the last stage's
            mid = (lo + hi) // 2
            t = float(tap.throughputs[ascending[mid]])
            if problem.network_throughput(tputs + [t]) >= target * (1 - 1e-12):
                hi = mid
            else:
                lo = mid + 1
        return lo

    def last(used: np.ndarray, picks: list[int], tputs: list[float]) -> None:
        cands = ascending[slowest_enough(tputs):]
        cands = cands[(used + tap.res[cands] <= limit * (1 + 1e-12)).all(1)]
        if not len(cands):
            return
        costs = ((used + tap.res[cands]) / capacity).max(1)
        k = int(np.argmin(costs))
        if costs[k] < best["cost"]:
            best.update(cost=float(costs[k]), picks=picks + [int(cands[k])])

    def visit(i: int, used: np.ndarray, picks: list[int], tputs: list[float]) -> None:
        if float((used / capacity).max()) >= best["cost"]:
            return
        if i == len(taps) - 1:
            return last(used, picks, tputs)
        for j in np.argsort(-taps[i].throughputs, kind="stable"):
            t = float(taps[i].throughputs[j])
            if rates[i] > 0 and t / rates[i] < target * (1 - 1e-12):
                break
            nxt = used + taps[i].res[j]
            if (nxt <= limit * (1 + 1e-12)).all():
                visit(i + 1, nxt, picks + [int(j)], tputs + [t])

    visit(0, np.array(problem.fixed, dtype=float), [], [])
    if best["picks"] is None:
        fastest = search(problem).evaluation.throughput
        raise Unfittable(f"target {target:.6g} samples/s is out of reach within budget "
                         f"{problem.budget:g}; the fastest design reaches {fastest:.6g} samples/s")
    return best["picks"]


def polish(problem: Problem, design: Design) -> Design:
    """Spend leftover resources on shallower pipelines at the same intervals (greedy).

    A layer may take a fold with a smaller pipeline depth and no larger latency than its
    stage's interval when the design still fits and the network gets faster.
    """
    ev = evaluate(problem, design)
    used, tputs, best = list(ev.resources), list(ev.stage_throughputs), ev.throughput
    rows = [list(r) for r in design]
    for s, stage in enumerate(problem.stages):
        interval = ev.intervals[s]
        for k, layer in enumerate(stage.layers):
            cur = rows[s][k]
            for i, o in sorted(enumerate(layer.options), key=lambda p: (p[1].depth, p[0])):
                here = layer.options[cur]
                if o.depth >= here.depth or o.latency > interval:
                    continue
                trial_used = vadd(used, tuple(a - b for a, b in zip(o.res, here.res, strict=True)))
                if not fits(trial_used, problem.limit):
                    continue
                rows[s][k] = i
                t = problem.stage_throughput(interval, stage.depth(rows[s]))
                f = problem.network_throughput(tputs[:s] + [t] + tputs[s + 1:])
                if f > best * (1 + 1e-12):
                    used, tputs[s], best, cur = list(trial_used), t, f, i
                    break
                rows[s][k] = cur
    return tuple(tuple(r) for r in rows)


def _reach(problem: Problem) -> list[float]:
    first = problem.rates[0] or 1.0
    return [r / first for r in problem.rates]


def _overflow_message(problem: Problem) -> str:
    """Which resource the unfolded design overflows, with the amounts."""
    ev = evaluate(problem, unfolded(problem))
    res = ev.resources if ev.resources else vadd(problem.fixed, (0, 0, 0, 0))
    for kind, need, lim, cap in zip(KINDS, res, problem.limit, problem.capacity, strict=True):
        if need > lim * (1 + 1e-12):
            return (f"the unfolded design needs {need:.0f} {kind} but budget {problem.budget:g} "
                    f"allows {lim:.0f} of {cap:.0f}; raise the budget")
    if fits(res, problem.limit):
        return f"no design fits budget {problem.budget:g}"
    return "no design fits the budget"
