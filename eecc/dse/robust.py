"""Exit-rate drift: the reach of every stage when the first exit's rate moves, and the
robust objective (the worst network throughput over an interval of rates).

A deployment sees a share q of its samples continue past the first exit where the profile
measured p = p_1. Later exits keep their profiled conditional shares: stage k (k >= 1) is
reached by q * p_k / p_1 (by q when p_1 = 0, as if every sample that continues went to the
end). `drift_reach` is that map; `eecc drift` sweeps it and `--fold="robust=r"` folds for
the worst case over q in [p - r, p + r] clipped to [0, 1].

The network throughput is non-decreasing in every stage throughput for each q, so its
minimum over a set of q is too: the search stays exact for the worst case over the set.
The set is a grid (`grid`: the two ends, p itself and every `ROBUST_STEP` in between),
because the finite-buffer model is not monotone in q (docs/fold.md).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

from eecc.dse.problem import Problem

ROBUST_STEP = 0.01


def drift_reach(reach: Sequence[float], q: float) -> tuple[float, ...]:
    """Reach of every stage when a share `q` continues past the first exit."""
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"exit rate q={q} is outside [0, 1]")
    if len(reach) < 2:
        return tuple(reach)
    first = reach[1]
    later = [r / first if first > 0 else 1.0 for r in reach[1:]]
    return (reach[0], *(min(1.0, q * c) for c in later))


def interval(p: float, radius: float) -> tuple[float, float]:
    """[p - radius, p + radius] clipped to [0, 1]."""
    return max(0.0, p - radius), min(1.0, p + radius)


def grid(p: float, radius: float, step: float = ROBUST_STEP) -> tuple[float, ...]:
    """The q at which the worst case is taken: both ends, p, and every `step` between."""
    lo, hi = interval(p, radius)
    count = max(1, math.ceil((hi - lo) / step - 1e-9))
    points = {round(lo + (hi - lo) * i / count, 12) for i in range(count + 1)} | {p, lo, hi}
    return tuple(sorted(points))


def robust(problem: Problem, radius: float, step: float = ROBUST_STEP) -> Problem:
    """`problem` whose network throughput is the worst case over q in [p - r, p + r]."""
    if radius <= 0 or len(problem.stages) < 2:
        return problem
    reach = _reach(problem.rates)
    scenarios = tuple(drift_reach(reach, q) for q in grid(reach[1], radius, step))
    return replace(problem, scenarios=scenarios)


def worst_case(problem: Problem, throughputs: Sequence[float], radius: float,
               step: float = ROBUST_STEP) -> float:
    """The worst network throughput of stage throughputs `throughputs` over the interval."""
    return robust(problem, radius, step).network_throughput(throughputs)


def _reach(rates: Sequence[float]) -> list[float]:
    first = rates[0] if rates and rates[0] > 0 else 1.0
    return [min(1.0, r / first) for r in rates]
