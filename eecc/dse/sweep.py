"""Throughput/area curves over resource budgets: the baseline and the early-exit design.

For each budget the baseline (the network without exits: the final classifier's path,
one stage at rate 1) and the early-exit network (stages at their rates, and at the rates
shifted by -/+ `band` for a sensitivity band) are folded by the search; a budget that
cannot hold even the unfolded design gives no point.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from eecc.dialects.ee.layers import ConvOp, LinearOp
from eecc.dse import ir
from eecc.dse.problem import Problem
from eecc.dse.search import Unfittable, search
from eecc.network import NetworkModel


@dataclass(frozen=True)
class Point:
    """One folded design: its budget, throughput (samples/s), largest share and resources."""

    budget: float
    throughput: float | None
    share: float | None = None  # the largest share of any platform resource it uses
    dsp: float | None = None
    bottleneck: str = ""


MAX_BUDGETS = 1000


def parse_budgets(text: str) -> list[float]:
    """`0.1:1.0:0.1` (start:stop:step, stop included) or `0.25,0.5,1.0`."""
    try:
        numbers = [float(v) for v in text.replace(":", ",").split(",") if v.strip()]
    except ValueError:
        raise ValueError(f"budgets {text!r} are not numbers (start:stop:step or a, b, ...)") from None
    if ":" not in text:
        values = numbers
    else:
        if len(numbers) != 3:
            raise ValueError(f"budgets {text!r} are not start:stop:step")
        start, stop, step = numbers
        if not step > 0:
            raise ValueError(f"budget step {step} must be positive")
        count = int(round((stop - start) / step)) + 1 if stop >= start else 0
        if count > MAX_BUDGETS:
            raise ValueError(f"budgets {text!r} give {count} designs; at most {MAX_BUDGETS} "
                             "(use a larger step)")
        values = [round(start + i * step, 9) for i in range(count)]
    if len(values) > MAX_BUDGETS:
        raise ValueError(f"budgets {text!r} give {len(values)} designs; at most {MAX_BUDGETS}")
    if not values or any(not 0 < v <= 1 for v in values):
        raise ValueError(f"budgets {text!r} must lie in (0, 1]")
    return values


def fold_point(problem: Problem, budget: float) -> Point:
    """The fastest design of `problem` within `budget`, as a point (no point if none fits)."""
    try:
        found = search(replace(problem, budget=budget))
    except Unfittable:
        return Point(budget, None)
    ev = found.evaluation
    share = max(r / c for r, c in zip(ev.resources, problem.capacity, strict=True))
    limiting = min(range(len(ev.stage_throughputs)),
                   key=lambda i: ev.stage_throughputs[i] / max(problem.rates[i], 1e-12))
    return Point(budget, ev.throughput, share, ev.resources[2], ev.bottlenecks[limiting])


def shifted(rates: Sequence[float], delta: float) -> list[float]:
    """Rates after the first moved by `delta`, kept in [0, 1] and not increasing."""
    out = [1.0]
    for r in rates[1:]:
        out.append(min(out[-1], max(0.0, min(1.0, r + delta))))
    return out


@dataclass(frozen=True)
class Curves:
    budgets: tuple[float, ...]
    rates: tuple[float, ...]
    baseline: tuple[Point, ...]
    early_exit: tuple[Point, ...]
    low: tuple[Point, ...]  # rates - band
    high: tuple[Point, ...]  # rates + band
    macs_baseline: float
    macs_early_exit: float  # multiply-accumulates per input sample, weighted by rates


def curves(model: NetworkModel, budgets: Sequence[float], band: float = 0.05,
           tick: Callable[[], None] = lambda: None) -> Curves:
    """Baseline and early-exit curves of `model`'s network over `budgets`."""
    base = ir.build(model, keep=ir.backbone(model)).problem
    ee = ir.build(model).problem
    rates = list(ee.rates)
    variants = [ee, ir.with_rates(ee, shifted(rates, -band)), ir.with_rates(ee, shifted(rates, band))]
    rows: list[list[Point]] = [[], [], [], []]
    for budget in budgets:
        for row, problem in zip(rows, [base, *variants], strict=True):
            row.append(fold_point(problem, budget))
            tick()
    base_row, ee_row, low_row, high_row = (tuple(r) for r in rows)
    return Curves(tuple(budgets), tuple(rates), base_row, ee_row, low_row, high_row,
                  weighted_macs(model, ir.backbone(model)), weighted_macs(model))


def weighted_macs(model: NetworkModel, keep: Sequence[int] | None = None) -> float:
    """Multiply-accumulates per input sample: each conv/linear's MACs x its stage's rate."""
    chosen = range(len(model.ops)) if keep is None else keep
    total = 0.0
    for i in chosen:
        rate = 1.0 if keep is not None else model.reach[model.stages[i]]
        total += macs(model.ops[i]) * rate
    return total


def macs(op: object) -> int:
    """Multiply-accumulates of one sample through a conv or linear op (0 for others)."""
    if isinstance(op, LinearOp):
        n_in, n_out = op.features
        return n_in * n_out
    if isinstance(op, ConvOp):
        c_in, c_out = op.channels
        shape = op.output.type.get_shape()  # type: ignore[attr-defined]
        k0, k1 = op.kernel_shape
        return shape[1] * shape[2] * k0 * k1 * c_in * c_out // op.groups.value.data
    return 0


def roofline_fraction(point: Point, macs_per_sample: float, clock_mhz: float) -> float | None:
    """Throughput as a share of the DSP roofline: DSPs x clock / MACs per sample."""
    if point.throughput is None or not point.dsp or not macs_per_sample:
        return None
    return point.throughput / (point.dsp * clock_mhz * 1e6 / macs_per_sample)
