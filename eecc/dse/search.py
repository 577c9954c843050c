"""Combining stage TAP curves by their rates: the network-level search.

The network throughput is built stage by stage: X_1 = T_1, and the queue in front of stage
i+1 admits X_{i+1} = step(X_i, T_{i+1}, depth_i) (eecc.cost.throughput), which never
exceeds X_i and grows with X_i, T_{i+1} and the depth. So a dynamic programme over the
stages is exact: after stage i a partial design is a state (X_i for every reach scenario,
its resources, the depth of the queue it ends with), and a state that another beats in
every one of those (more throughput, no more of any resource, no shallower queue) can
never finish better, so only the Pareto front of states goes on. Each state is extended
by every point of the next stage's TAP curve that still fits, the states' fronts merged
and pruned, and the best final state read off: the fastest (then the cheapest), or with
`objective="area"` the cheapest that reaches `target`. Its cost grows with the fronts'
sizes, not exponentially with the number of stages. Past `state_cap` states a front keeps
the cheapest half and the fastest half, and the result says it is no longer exact.
Leftover resources then buy pipeline depth (`polish`). See docs/fold.md.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from eecc.cost.queue import prepare_many
from eecc.cost.queue import step_array as queue_step
from eecc.dse.problem import Design, Evaluation, Problem, evaluate, fits, unfolded, vadd
from eecc.dse.tap import DEFAULT_CAP, Tap, pareto_mask, stage_tap
from eecc.errors import EeccError

KINDS = ("LUT", "FF", "DSP", "BRAM")


class Unfittable(EeccError):
    """No design fits the budget, or the target is out of reach."""


@dataclass(frozen=True)
class SearchResult:
    design: Design
    evaluation: Evaluation
    exact: bool  # proven optimal: no cap lost a point, or the design meets `bound`
    seconds: float
    taps: tuple[Tap, ...]
    picks: tuple[int, ...] = ()  # the TAP point of each stage, before `polish`
    bound: float = 0.0  # no design beats this (samples/s); 0 where not computed

    @property
    def gap(self) -> float:
        """At most this share of the best throughput is lost (0 when proven optimal)."""
        if self.exact or self.bound <= 0:
            return 0.0
        return max(0.0, 1.0 - self.evaluation.throughput / self.bound)


DEFAULT_STATE_CAP = 2000
FLOOR_GAPS = (0.0, 0.01, 0.03, 0.1, 0.3)  # the floors tried below the upper bound
PARETO_INPUT = 20_000  # candidates past this are cut to the state cap before the front
INCUMBENT_STATES = 64  # states per stage of the narrow pass that finds a first design


def search(problem: Problem, objective: str = "throughput", target: float = 0.0,
           cap: int = DEFAULT_CAP, taps: tuple[Tap, ...] | None = None,
           lower: float = 0.0, state_cap: int = DEFAULT_STATE_CAP) -> SearchResult:
    """The best design of `problem`: fastest within the budget, or least area reaching `target`.

    `taps` are the stages' TAP curves if already known (they depend on the stages' layers
    and the limit, not on the rates), e.g. memoised across designs that share stages.
    `lower` is a throughput some design is known to reach (e.g. the previous design's
    points under these rates): states below it are dropped at once, and the result is the
    same as without it (if it is reachable).
    """
    start = time.perf_counter()
    if taps is None:
        taps = tuple(stage_tap(problem, i, cap) for i in range(len(problem.stages)))
    if any(len(t) == 0 for t in taps):
        raise Unfittable(_overflow_message(problem))
    _tabulate(problem, taps)
    floor = target if objective == "area" else lower
    bound, picks, states_exact = 0.0, None, False
    if objective != "area" and len(taps) > 2:
        # No combination of TAP points beats `tap_bound`; a pass that drops every state
        # below b = tap_bound * (1 - gap) and still finds a design has found the best one
        # (a better design's states are all above b too), so the passes go down from the
        # bound until one finds a design. Few states survive a high floor: these passes are
        # fast. Over capped TAP curves it bounds the TAP points only, not every design, so
        # it is reported as the search's bound only when the curves are exact.
        tap_bound = upper_bound(problem, taps)
        if all(t.exact for t in taps):
            bound = tap_bound
        for gap in FLOOR_GAPS:
            b = max(floor, tap_bound * (1 - gap) * (1 - 1e-9))
            picks, states_exact, value = _chain(problem, taps, objective, b, state_cap)
            if picks is not None and not states_exact and value * (1 - 1e-9) > b:
                # a cap cut this pass's states: again from the design it found, where fewer
                # states survive, so that the pass can prove it
                again = _chain(problem, taps, objective, value * (1 - 1e-9), state_cap)
                if again[0] is not None and again[1]:
                    picks, states_exact, b = again[0], True, value * (1 - 1e-9)
            if picks is not None:
                floor = b
                break
    if picks is None and objective != "area" and len(taps) > 2:
        # An incumbent: a narrow pass (few states per stage) finds a real design quickly;
        # its throughput is a floor no better design falls below, so the full pass keeps
        # only states above it and returns the same design as a pass without it would.
        quick, _, value = _chain(problem, taps, objective, floor, INCUMBENT_STATES)
        if quick is not None:
            floor = max(floor, value * (1 - 1e-9))
    if picks is None:
        picks, states_exact, _ = _chain(problem, taps, objective, floor, state_cap)
    if picks is None and objective != "area" and lower > 0:
        picks, states_exact, _ = _chain(problem, taps, objective, 0.0, state_cap)
    if picks is None:
        if objective == "area":
            fastest = search(problem, cap=cap, taps=taps).evaluation.throughput
            raise Unfittable(f"target {target:.6g} samples/s is out of reach within budget "
                             f"{problem.budget:g}; the fastest design reaches {fastest:.6g} samples/s")
        raise Unfittable(_overflow_message(problem))
    design = tuple(tuple(int(c) for c in tap.choices[j]) for tap, j in zip(taps, picks, strict=True))
    if objective != "area":
        design = polish(problem, design)
    evaluation = evaluate(problem, design)
    exact = all(t.exact for t in taps) and states_exact
    if not exact and objective != "area" and all(t.exact for t in taps):
        bound = bound or upper_bound(problem, taps)
        exact = evaluation.throughput >= bound * (1 - 1e-9)
    return SearchResult(design, evaluation, exact, time.perf_counter() - start, taps,
                        tuple(int(p) for p in picks), bound)


def upper_bound(problem: Problem, taps: tuple[Tap, ...], front_cap: int = 20_000) -> float:
    """A throughput no design of the TAP points beats: the largest X such that one point per
    stage with T_i >= X * p_i (p_i the largest reach over the scenarios) fits the budget.

    Every throughput model eecc uses is at most min_i T_i / p_i (the infinite-buffer bound),
    so this bounds the finite-buffer optimum too. Feasibility of an X is exact (a DP over
    4-resource Pareto fronts of sums, queue depth ignored as an infinite buffer ignores it).
    A front past `front_cap` is relaxed (`_relax`): each group of its points is replaced by
    their element-wise minimum, a point at most as costly as every member, so the test can
    only answer "feasible" more often, which only raises the bound."""
    limit = np.array(problem.limit) * (1 + 1e-12)
    reach = np.array(problem.reaches).max(0)
    live = [i for i in range(len(taps)) if reach[i] > 0]
    values = np.unique(np.concatenate([taps[i].throughputs / reach[i] for i in live]))

    def feasible(x: float) -> bool:
        front = np.array(problem.fixed, dtype=float)[None, :]
        for i in live:
            tap = taps[i]
            res = tap.res[tap.throughputs >= x * reach[i] * (1 - 1e-12)]
            if not len(res):
                return False
            res = res[pareto_mask(res)]
            sums = (front[:, None, :] + res[None, :, :]).reshape(-1, 4)
            sums = sums[(sums <= limit).all(1)]
            if not len(sums):
                return False
            if len(sums) > front_cap * 8:
                sums = _relax(sums, limit, front_cap * 8)
            front = sums[pareto_mask(sums)]
            if len(front) > front_cap:
                front = _relax(front, limit, front_cap)
        return True

    lo, hi = 0, len(values) - 1  # values[lo] feasible (after the check), search the largest
    if not feasible(values[0]):
        return 0.0
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if feasible(values[mid]):
            lo = mid
        else:
            hi = mid - 1
    return float(values[lo])


def _relax(points: np.ndarray, limit: np.ndarray, n: int) -> np.ndarray:
    """At most n points, each the element-wise minimum of a group of `points`, so that
    every input point is dominated by (at least as costly as) one output point. Groups are
    runs of neighbours in the order of resource shares (largest share, then their sum), so a
    group's minimum stays close to its members."""
    share = points / limit
    order = np.lexsort((share.sum(1), share.max(1)))
    starts = np.unique(np.linspace(0, len(points), n, endpoint=False).astype(np.int64))
    return np.minimum.reduceat(points[order], starts, axis=0)


def _tabulate(problem: Problem, taps: tuple[Tap, ...]) -> None:
    """Every queue table the combination will read, simulated together up front."""
    prepare_many(queue_specs(problem, taps))


def queue_specs(problem: Problem, taps: tuple[Tap, ...]) -> list:
    """The (cond, depths, up, down) queue tables the stage combination of `problem` reads
    (`eecc.cost.queue.prepare_many`): gathered over many problems, they are simulated in
    as few paths as possible."""
    slacks = problem.slacks or ((0.0, 0.0),) * (len(taps) - 1)
    specs = []
    for i in range(len(taps) - 1):
        depths = {int(d) for d in _queues(problem, i, taps[i])}
        for reach in problem.reaches:
            if reach[i] > 0 and reach[i + 1] > 0:
                specs.append((reach[i + 1] / reach[i], depths, *slacks[i]))
    return specs


def _keep(rate: np.ndarray, res: np.ndarray, capacity: np.ndarray, n: int) -> np.ndarray:
    """At most n states: the cheapest half (they leave room for what follows), the fastest."""
    half = (n + 1) // 2
    cheap = _smallest((res / capacity).max(1), half)
    fast = _smallest(-rate.min(1), n - half)
    return np.unique(np.concatenate([cheap, fast]))


def _smallest(key: np.ndarray, n: int) -> np.ndarray:
    """Indices of the n smallest keys (a partition, not a sort: the inputs are millions)."""
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    if n >= len(key):
        return np.arange(len(key))
    return np.argpartition(key, n - 1)[:n]


def _front2(rate: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Indices of the (more rate, less cost) Pareto front, fastest first, first of equals."""
    order = np.lexsort((np.arange(len(rate)), cost, -rate))
    best = np.minimum.accumulate(cost[order])
    prev = np.concatenate([[np.inf], best[:-1]])
    return order[cost[order] < prev]


def _queues(problem: Problem, i: int, tap: Tap) -> np.ndarray:
    """Depth of the queue after stage i at each TAP point (fixed or the point's own)."""
    if i >= len(problem.stages) - 1:
        return np.zeros(len(tap), dtype=np.int64)
    fixed = problem.queue_of(i, tuple(int(c) for c in tap.choices[0])) if len(tap) else 0
    if problem.stages[i].queue_layer >= 0:
        return np.where(tap.queues > 0, tap.queues, fixed).astype(np.int64)
    return np.full(len(tap), fixed, dtype=np.int64)


def _chain(problem: Problem, taps: tuple[Tap, ...], objective: str, floor: float,
           state_cap: int) -> tuple[list[int] | None, bool, float]:
    """The DP over stages; `floor`: states whose throughput falls below it are dropped.

    Returns the TAP point per stage (None when no state survives), whether no cap cut the
    states, and the chosen design's throughput as the DP prices it (at the slack floor):
    a partial design's throughput only falls as stages are added, so no design that beats
    this value has a state below it."""
    limit, capacity = np.array(problem.limit), np.array(problem.capacity)
    reaches = problem.reaches
    slacks = problem.slacks or ((0.0, 0.0),) * (len(taps) - 1)
    tol = 1 - 1e-12
    rest = _rest(problem, taps, floor)
    if rest is None:
        return None, True, 0.0
    tap = taps[0]
    rate = np.repeat(tap.throughputs[:, None], len(reaches), 1)
    res = np.array(problem.fixed, dtype=float) + tap.res
    queue = _queues(problem, 0, tap)
    keep = ((res + rest[0] <= limit * (1 + 1e-12)).all(1)
            & (rate.min(1) >= floor * tol))
    rate, res, queue = rate[keep], res[keep], queue[keep]
    trail = [(np.full(len(rate), -1), np.flatnonzero(keep))]  # (parent state, TAP point)
    exact = True
    for i in range(1, len(taps)):
        tap = taps[i]
        nxt_queue = _queues(problem, i, tap)
        parts, parent_s, point_s = [], [], []
        for lo in range(0, len(rate), max(1, 2_000_000 // max(1, len(tap)))):
            hi = min(len(rate), lo + max(1, 2_000_000 // max(1, len(tap))))
            r_res = res[lo:hi, None, :] + tap.res[None, :, :]
            ok = (r_res + rest[i] <= limit * (1 + 1e-12)).all(-1)
            si, pj = np.nonzero(ok)
            si = si + lo
            new = np.empty((len(si), len(reaches)))
            for k, reach in enumerate(reaches):
                new[:, k] = queue_step(rate[si, k], reach[i - 1], reach[i],
                                       tap.throughputs[pj], queue[si], *slacks[i - 1])
            alive = new.min(1) >= floor * tol
            if i == len(taps) - 1:  # the last stage: only (throughput, cost) matters now
                cand = np.flatnonzero(alive)
                sub = _front2(new[cand].min(1), (r_res[si[cand] - lo, pj[cand]] / capacity).max(1))
                alive = np.zeros(len(si), dtype=bool)
                alive[cand[sub]] = True
            parts.append((new[alive], r_res[si[alive] - lo, pj[alive]]))
            parent_s.append(si[alive])
            point_s.append(pj[alive])
        rate = np.concatenate([p[0] for p in parts]) if parts else np.zeros((0, len(reaches)))
        res = np.concatenate([p[1] for p in parts]) if parts else np.zeros((0, 4))
        if not len(rate):
            return None, exact, 0.0
        par, pts = np.concatenate(parent_s), np.concatenate(point_s)
        queue = nxt_queue[pts]
        last = i == len(taps) - 1
        if not last and len(rate) > PARETO_INPUT:
            exact = False
            sel = _keep(rate, res, capacity, PARETO_INPUT)
            rate, res, queue, par, pts = rate[sel], res[sel], queue[sel], par[sel], pts[sel]
        if last:
            mask = np.ones(len(rate), dtype=bool)
        else:
            mask = pareto_mask(np.concatenate([-rate, res, -queue[:, None].astype(float)], 1))
        rate, res, queue, par, pts = rate[mask], res[mask], queue[mask], par[mask], pts[mask]
        if not last and len(rate) > state_cap:
            exact = False
            sel = _keep(rate, res, capacity, state_cap)
            rate, res, queue, par, pts = rate[sel], res[sel], queue[sel], par[sel], pts[sel]
        trail.append((par, pts))
    worst = rate.min(1)
    cost = (res / capacity).max(1)
    if objective == "area":
        ok = np.flatnonzero(worst >= floor * tol)
        if not len(ok):
            return None, exact, 0.0
        best = ok[np.lexsort((np.arange(len(ok)), -worst[ok], cost[ok]))[0]]
    else:
        top = worst.max()
        ok = np.flatnonzero(worst >= top * tol)
        best = ok[np.lexsort((np.arange(len(ok)), cost[ok]))[0]]
    picks = []
    state = int(best)
    for par, pts in reversed(trail):
        picks.append(int(pts[state]))
        state = int(par[state])
    return picks[::-1], exact, float(worst[best])


def _rest(problem: Problem, taps: tuple[Tap, ...], floor: float) -> np.ndarray | None:
    """Per stage i, a lower bound on the resources stages i+1.. need for a design at
    `floor`: every throughput model is at most T_j / p_j (p_j the stage's largest reach),
    so stage j needs a point with T_j >= floor * p_j, and it costs at least the element-wise
    minimum over those points. A state whose resources plus this bound overflow cannot be
    completed into a design at the floor, so the DP drops it (exactly). None when some
    stage has no point fast enough."""
    reach = np.array(problem.reaches).max(0)
    need = np.zeros((len(taps), 4))
    for j, tap in enumerate(taps):
        fast = tap.throughputs >= floor * reach[j] * (1 - 1e-12) if reach[j] > 0 else \
            np.ones(len(tap), dtype=bool)
        if not fast.any():
            return None
        need[j] = tap.res[fast].min(0)
    rest = np.zeros((len(taps), 4))
    for j in range(len(taps) - 2, -1, -1):
        rest[j] = rest[j + 1] + need[j + 1]
    return rest


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
                trial = tuple(map(tuple, rows))
                f = problem.network_throughput(tputs[:s] + [t] + tputs[s + 1:],
                                               problem.design_queues(trial),
                                               problem.design_slacks(trial))
                if f > best * (1 + 1e-12):
                    used, tputs[s], best, cur = list(trial_used), t, f, i
                    break
                rows[s][k] = cur
    return tuple(tuple(r) for r in rows)


def _overflow_message(problem: Problem) -> str:
    """Every resource the unfolded design overflows, with the amounts; a higher budget is
    suggested only where there is one."""
    ev = evaluate(problem, unfolded(problem))
    res = ev.resources if ev.resources else vadd(problem.fixed, (0, 0, 0, 0))
    over = [(kind, need, lim, cap) for kind, need, lim, cap
            in zip(KINDS, res, problem.limit, problem.capacity, strict=True)
            if need > lim * (1 + 1e-12)]
    if not over:
        return f"no design fits budget {problem.budget:g}"
    needs = _and([f"{need:.0f} {kind}" for kind, need, _, _ in over])
    if problem.budget >= 1.0:
        has = _and([f"{cap:.0f} {kind}" for kind, _, _, cap in over])
        return (f"the unfolded design needs {needs} but the platform has {has}: the network "
                "does not fit at any folding (a larger platform, narrower formats or fewer "
                "layers may)")
    allows = _and([f"{_amount(lim)} {kind} of {cap:.0f}" for kind, _, lim, cap in over])
    return f"the unfolded design needs {needs} but budget {problem.budget:g} allows {allows}; raise the budget"


def _amount(value: float) -> str:
    return f"{value:.0f}" if value >= 100 else f"{value:.3g}"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
