"""Stage (partition) throughput and the combination of early-exit stages.

A stage processes a batch of B samples; its interval is its slowest layer's latency.
Stages are combined by the share of samples that reach them: with infinite buffers the
slowest rate-scaled stage wins; with finite condbuffers the event model of the emitted
condbuffer (`eecc.cost.queue`: its ring of K maps and the slack around it) throttles the
stage before. Smith's M/G/1/K approximation (`blocking_probability`), which the model
used before and which does not hold within 5 % at small depths (docs/fold.md), is kept
for comparison. Times are in seconds, throughputs in samples per second, clocks in MHz.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from eecc.cost import queue
from eecc.dialects.interface import DEFAULT_BUFFER_DEPTH

DEFAULT_BATCH = 1024
DEFAULT_QUEUE_DEPTH = DEFAULT_BUFFER_DEPTH  # feature maps: an unset condbuffer's depth


def stage_interval(latencies: Sequence[float]) -> float:
    """Initiation interval of a stage, cycles per sample: the largest layer latency."""
    return max(latencies)


def stage_latency_s(interval: float, depth: float, clock_mhz: float,
                    batch: int = DEFAULT_BATCH) -> float:
    """Seconds for a batch: (interval * B + pipeline depth) / f."""
    return (interval * batch + depth) / (clock_mhz * 1e6)


def stage_throughput(interval: float, depth: float, clock_mhz: float,
                     batch: int = DEFAULT_BATCH) -> float:
    """Samples per second: B / latency_s."""
    return batch / stage_latency_s(interval, depth, clock_mhz, batch)


def _check_reach(throughputs: Sequence[float], reach: Sequence[float]) -> None:
    if len(throughputs) != len(reach) or not throughputs:
        raise ValueError(f"need one reach probability per stage, got {len(reach)} for {len(throughputs)}")
    if reach[0] != 1 or any(not 0 <= p <= 1 for p in reach):
        raise ValueError(f"reach probabilities {list(reach)} must lie in [0, 1] with the first = 1")


def combine_infinite(throughputs: Sequence[float], reach: Sequence[float]) -> float:
    """Network samples per second with unbounded buffers: min_i T_i / p_i (p_0 = 1).

    A stage that no sample reaches (p_i = 0) never limits the network.
    """
    _check_reach(throughputs, reach)
    return min(t / p for t, p in zip(throughputs, reach, strict=True) if p > 0)


def blocking_probability(arrival: float, t_next: float, p_next: float, clock_mhz: float,
                         queue_depth: int = DEFAULT_QUEUE_DEPTH) -> float:
    """P_K of an M/G/1/K queue (Smith's approximation), K = queue_depth + 1.

    Service: one cycle with probability 1-p (a dropped sample), 1/T_next with p.
    ``arrival`` is in samples per second.
    """
    f = clock_mhz * 1e6
    mean = (1 - p_next) / f + p_next / t_next
    var = (1 - p_next) / f**2 + p_next / t_next**2 - mean**2
    scv, rho, k = var / mean**2, arrival * mean, queue_depth + 1
    c = 2 + math.sqrt(rho) * scv - math.sqrt(rho)
    if c <= 0:  # outside the approximation: a saturated server passes 1/E[S]
        return max(0.0, 1 - 1 / rho)
    b = 2 * (c + k) / c
    if abs(rho - 1) < 1e-12:
        return 1 / b  # limit of the expression at rho = 1
    if rho > 1:  # divided through by rho**b: no overflow for deep queues
        return (1 - 1 / rho) / (1 - rho**-b)
    return rho ** ((c + 2 * k) / c) * (1 - rho) / (1 - rho**b)


Slack = tuple[float, float]  # (up, down) maps of buffering around a condbuffer's ring


def combine_finite(throughputs: Sequence[float], reach: Sequence[float], clock_mhz: float,
                   queue_depths: Sequence[int] | None = None,
                   slacks: Sequence[Slack] | None = None) -> float:
    """Network samples per second with finite condbuffers between consecutive stages.

    The buffer in front of stage i+1 sees the samples that reached stage i, X_i * p_i per
    second, keeps the share r = p_{i+1} / p_i, and admits X_{i+1} = X_i * g, g from the
    event model of a ring of `queue_depths[i]` maps with `slacks[i]` (up, down) maps of
    buffering around it (`eecc.cost.queue`). X_1 = T_1. ``clock_mhz`` is not needed by
    the event model (it works in ratios) and is kept for the callers' symmetry.
    """
    _check_reach(throughputs, reach)
    n = len(throughputs) - 1
    depths = list(queue_depths) if queue_depths is not None else [DEFAULT_QUEUE_DEPTH] * n
    if len(depths) != n:
        raise ValueError(f"need {n} queue depths, got {len(depths)}")
    around = list(slacks) if slacks is not None else [(0.0, 0.0)] * n
    if len(around) != n:
        raise ValueError(f"need {n} buffer slacks, got {len(around)}")
    queue.prepare_many([(reach[i + 1] / reach[i], (d,), *around[i])
                        for i, d in enumerate(depths) if reach[i] > 0])  # one path for all
    rate = throughputs[0]
    for i, depth in enumerate(depths):
        if reach[i] == 0:
            break
        rate = finite_step(rate, reach[i], reach[i + 1], throughputs[i + 1], clock_mhz, depth,
                           around[i])
    return rate


def finite_step(rate: float, reach: float, reach_next: float, t_next: float, clock_mhz: float,
                depth: int, slack: Slack = (0.0, 0.0)) -> float:
    """Network samples per second after the condbuffer in front of the next stage.

    ``rate`` is the network's samples per second admitted so far, ``reach`` the share of
    them that arrive at the buffer, ``reach_next`` the share the next stage keeps,
    ``t_next`` its throughput (samples/s), ``depth`` the buffer's depth in maps and
    ``slack`` the (up, down) maps buffered around it. Non-decreasing in ``rate``,
    ``t_next``, ``depth`` and the slacks; never above ``rate`` nor ``t_next / reach_next``.
    `combine_finite` is this step applied along the chain.
    """
    return queue.step(rate, reach, reach_next, t_next, depth, *slack)


def smith_step(rate: float, reach: float, reach_next: float, t_next: float, clock_mhz: float,
               depth: int) -> float:
    """The same step with Smith's M/G/1/K blocking (for comparison; not the cost model)."""
    cond = reach_next / reach
    return rate * (1 - blocking_probability(rate * reach, t_next, cond, clock_mhz, depth))
