"""A stage's throughput/area Pareto (TAP) curve, built exactly from its layers' folds.

A stage's interval is its slowest layer's latency and its resources are the sum of its
layers'. So for a candidate interval t, every layer may take any fold with latency <= t,
and the stage's cheapest designs at t are the Pareto-minimal sums (over LUT, FF, DSP,
BRAM) of per-layer Pareto-minimal folds. Sweeping t over the distinct achievable layer
latencies and dropping points that a faster point dominates gives the whole curve.

With one resource (or a scalar cost) each interval has one point: every layer takes its
cheapest fold. With four resources a cheaper-in-LUT fold may cost more BRAM, so each
interval keeps every non-dominated sum (dominance pruning after each layer), and sums
over the limit are dropped at once. Past `cap` points per interval the cheapest by the
scalar cost (largest platform share, then total share, then order) are kept, and the
curve says it is no longer exact.

A stage whose drop-on-exit condbuffer has depth options (`Stage.queue_layer`) keeps its
queue depth as a fifth dimension: a deeper queue for more BRAM is not dominated, since it
buys the next stage's throughput; `Tap.queues` holds each point's depth.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from eecc.dse.problem import Problem, Stage

DEFAULT_CAP = 2048
D = 5  # lut, ff, dsp, bram, -queue


@dataclass(frozen=True)
class Tap:
    """Stage points: interval, depth, throughput, resources (n x 4), choices (n x layers)
    and the depth of the stage's queue (0 where the stage does not decide it)."""

    intervals: np.ndarray
    depths: np.ndarray
    throughputs: np.ndarray
    res: np.ndarray
    choices: np.ndarray
    exact: bool
    queues: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    def __len__(self) -> int:
        return len(self.intervals)


BLOCK = 256


def _small_mask(res: np.ndarray) -> np.ndarray:
    n = len(res)
    if n <= 1:
        return np.ones(n, dtype=bool)
    le = _all_le(res, res)  # le[j, i]: row j <= row i
    eq = le & le.T
    strict = le & ~eq
    earlier_equal = eq & np.tri(n, k=-1, dtype=bool).T  # j < i and equal
    return np.asarray(~(strict | earlier_equal).any(0), dtype=bool)


def _all_le(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """out[j, i]: row a[j] <= row b[i] in every column (one column at a time, in place:
    no (len(a), len(b), D) temporary, so about 3x faster than `.all(-1)` on one)."""
    out = a[:, None, 0] <= b[None, :, 0]
    for col in range(1, a.shape[1]):
        out &= a[:, None, col] <= b[None, :, col]
    return out


def pareto_mask(res: np.ndarray) -> np.ndarray:
    """Rows of `res` no other row dominates (<= everywhere, < somewhere); first of equals kept.

    Blockwise: rows sorted by the sum of their ranks per column (a row can only be
    dominated by one earlier in that order, or by an equal one), each block checked against
    the rows kept so far and within itself, so memory stays O(kept x block).
    """
    n = len(res)
    if n <= BLOCK:
        return _small_mask(res)
    ranks = np.zeros(n)
    for col in range(res.shape[1]):
        ranks += np.unique(res[:, col], return_inverse=True)[1]
    order = np.lexsort((np.arange(n), ranks))
    keep = np.zeros(n, dtype=bool)
    kept = np.zeros((0, res.shape[1]))
    for lo in range(0, n, BLOCK):
        idx = order[lo:lo + BLOCK]
        block = res[idx]
        alive = _small_mask_ordered(block, idx)
        if len(kept) and alive.any():
            live = np.flatnonzero(alive)
            dead = np.zeros(len(live), dtype=bool)
            for k0 in range(0, len(kept), 4 * BLOCK):
                dead |= _all_le(kept[k0:k0 + 4 * BLOCK], block[live]).any(0)
            alive[live[dead]] = False
        keep[idx[alive]] = True
        kept = np.concatenate([kept, block[alive]])
    return keep


def _small_mask_ordered(block: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """`_small_mask` where ties go to the smaller original index."""
    order = np.argsort(idx, kind="stable")
    mask = np.empty(len(idx), dtype=bool)
    mask[order] = _small_mask(block[order])
    return mask


def _scalar_order(res: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    share = res[:, :4] / capacity
    return np.lexsort((np.arange(len(res)), share.sum(1), share.max(1)))


def _prune(res: np.ndarray, choices: np.ndarray, limit: np.ndarray, capacity: np.ndarray,
           cap: int) -> tuple[np.ndarray, np.ndarray, bool]:
    keep = (res[:, :4] <= limit * (1 + 1e-12)).all(1)
    res, choices = res[keep], choices[keep]
    mask = pareto_mask(res)
    res, choices = res[mask], choices[mask]
    order = _scalar_order(res, capacity)
    exact = len(order) <= cap
    order = order[:cap]
    return res[order], choices[order], exact


def _layer_front(stage: Stage, index: int, t: float, cache: dict) -> tuple[np.ndarray, np.ndarray]:
    """Pareto-minimal options of one layer with latency <= t: (resources and -queue, indices)."""
    opts = stage.layers[index].options
    idx = tuple(i for i, o in enumerate(opts) if o.latency <= t)
    key = (index, idx)
    if key not in cache:
        res = np.array([(*opts[i].res, -opts[i].queue) for i in idx], dtype=float).reshape(-1, D)
        mask = pareto_mask(res)
        cache[key] = (res[mask], np.array(idx, dtype=np.int64)[mask])
    return cache[key]


def _interval_front(stage: Stage, t: float, limit: np.ndarray, capacity: np.ndarray,
                    cap: int, fixed: np.ndarray, cache: dict) -> tuple[np.ndarray, np.ndarray, bool]:
    """Non-dominated stage sums at interval <= t (within the limit after `fixed`)."""
    base = np.concatenate([fixed, [0.0]]).reshape(1, D)
    res = base
    choices = np.zeros((1, 0), dtype=np.int64)
    exact = True
    for k in range(len(stage.layers)):
        lres, lidx = _layer_front(stage, k, t, cache)
        res = (res[:, None, :] + lres[None, :, :]).reshape(-1, D)
        choices = np.concatenate([np.repeat(choices, len(lidx), 0),
                                  np.tile(lidx, len(choices)).reshape(-1, 1)], 1)
        res, choices, ok = _prune(res, choices, limit, capacity, cap)
        exact = exact and ok
        if not len(res):
            break
    return res - base, choices, exact


def stage_tap(problem: Problem, index: int, cap: int = DEFAULT_CAP) -> Tap:
    """The TAP curve of stage `index`: every point fits the problem's limit on its own."""
    stage = problem.stages[index]
    limit = np.array(problem.limit, dtype=float)
    capacity = np.array(problem.capacity, dtype=float)
    fixed = np.array(problem.fixed, dtype=float)
    floor = max(min(o.latency for o in la.options) for la in stage.layers)
    candidates = sorted({o.latency for la in stage.layers for o in la.options if o.latency >= floor})
    rows: list[tuple[float, np.ndarray, np.ndarray]] = []
    front = np.zeros((0, D))
    exact = True
    cache: dict[tuple[int, tuple[int, ...]], tuple[np.ndarray, np.ndarray]] = {}
    for t in candidates:
        res, choices, ok = _interval_front(stage, t, limit, capacity, cap, fixed, cache)
        exact = exact and ok
        if not len(res):
            continue
        new = ~(front[:, None, :] <= res[None, :, :]).all(-1).any(0) if len(front) else \
            np.ones(len(res), dtype=bool)
        if new.any():
            rows.append((t, res[new], choices[new]))
            front = np.concatenate([front, res[new]])
    return _assemble(problem, stage, rows, exact)


def restrict(tap: Tap, fixed: np.ndarray, limit: np.ndarray) -> Tap:
    """The points of `tap` that still fit `limit` beside `fixed` resources. On an exact
    curve this is the curve `stage_tap` computes under the tighter limit (a point it drops
    for dominance is dominated by one that fits wherever it fits), so a search can reuse
    it when more resources are reserved."""
    keep = (tap.res + fixed <= limit * (1 + 1e-12)).all(1)
    queues = tap.queues[keep] if len(tap.queues) else tap.queues
    return Tap(tap.intervals[keep], tap.depths[keep], tap.throughputs[keep], tap.res[keep],
               tap.choices[keep], tap.exact, queues)


def _assemble(problem: Problem, stage: Stage, rows: list, exact: bool) -> Tap:
    n_layers = len(stage.layers)
    if not rows:
        empty = np.zeros(0)
        return Tap(empty, empty, empty, np.zeros((0, 4)), np.zeros((0, n_layers), np.int64), exact,
                   np.zeros(0, np.int64))
    intervals = np.concatenate([np.full(len(r), t) for t, r, _ in rows])
    res = np.concatenate([r for _, r, _ in rows])
    choices = np.concatenate([c for _, _, c in rows])
    depths = stage.depths(choices)
    tput = np.array([problem.stage_throughput(t, d) for t, d in zip(intervals, depths, strict=True)])
    return Tap(intervals, depths, tput, res[:, :4].copy(), choices, exact,
               np.rint(-res[:, 4]).astype(np.int64))
