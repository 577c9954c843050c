"""When the exit rate drifts: one design folded at the profiled p, timed at other rates q.

`eecc drift` compiles the network once (folded at the profiled rates, or robustly with
`robust`), builds the timed C simulation once, and for every q of a range:

- draws a batch of held-out samples so that the share continuing past the first exit in the
  fixed-point reference is q as closely as the batch allows (exactly when q x N is a whole
  number; later exits keep their profiled conditional shares, `eecc.dse.robust.drift_reach`),
  seeded and deterministic;
- predicts the design's network throughput at the drawn batch's reach (`ee-annotate-rates`
  and `ee-estimate` on the emitted IR: the same design, other rates);
- runs the timed C simulation on the batch (`eecc csim --timed`) and reads its throughput.

Only the inputs change between rates, so one build serves the whole sweep. See docs/fold.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from xdsl.dialects.builtin import ModuleOp

from eecc.dse.robust import drift_reach
from eecc.errors import EeccError

MAX_RATES = 200
DEFAULT_STEP = 0.05


@dataclass(frozen=True)
class DriftPoint:
    """One rate of the sweep: what was asked, what was drawn, predicted and measured."""

    q: float  # the share asked to continue past the first exit
    counts: tuple[int, ...]  # samples drawn per exit (fixed-point reference)
    reach: tuple[float, ...]  # the drawn batch's reach of every stage after the first
    predicted: float  # the cost model's throughput of the design at `reach`, samples/s
    timed: float | None  # the timed C simulation's, samples/s (None: deadlock)
    reach_timed: tuple[float, ...] = ()  # the reach the timed run's exits show
    deadlock: str | None = None

    @property
    def ratio(self) -> float | None:
        return None if self.timed is None or not self.predicted else self.timed / self.predicted


def parse_q_range(text: str) -> list[float]:
    """`LO:HI[:STEP]` (HI included, STEP default 0.05) or a comma list of rates in [0, 1]."""
    parts = text.split(":") if ":" in text else text.split(",")
    try:
        numbers = [float(v) for v in parts]
    except ValueError:
        raise ValueError(f"--q-range {text!r} is not LO:HI[:STEP] or a comma list of "
                         "numbers") from None
    if any(not math.isfinite(v) for v in numbers):
        raise ValueError(f"--q-range {text!r} holds a value that is not finite")
    values = _range(text, numbers) if ":" in text else numbers
    if not values or any(not 0.0 <= v <= 1.0 for v in values):
        raise ValueError(f"--q-range {text!r}: exit rates must lie in [0, 1]")
    if len(values) > MAX_RATES:
        raise ValueError(f"--q-range {text!r} gives {len(values)} rates; at most {MAX_RATES} "
                         "(use a larger step)")
    return values


def _range(text: str, numbers: list[float]) -> list[float]:
    if len(numbers) not in (2, 3):
        raise ValueError(f"--q-range {text!r} is not LO:HI[:STEP]")
    lo, hi = numbers[:2]
    step = numbers[2] if len(numbers) == 3 else DEFAULT_STEP
    if not step > 0:
        raise ValueError(f"--q-range {text!r}: step {step:g} must be positive")
    if hi < lo:
        raise ValueError(f"--q-range {text!r}: LO {lo:g} is above HI {hi:g}")
    count = int(math.floor((hi - lo) / step + 1e-9)) + 1
    if count > MAX_RATES:
        raise ValueError(f"--q-range {text!r} gives {count} rates; at most {MAX_RATES} "
                         "(use a larger step)")
    return [round(lo + i * step, 9) for i in range(count)]


def exit_counts(reach: Sequence[float], n: int) -> tuple[int, ...]:
    """Samples per exit in a batch of `n` whose shares come closest to `reach` (largest
    remainder: every count is the floor or the ceiling of its exact share)."""
    bounds = [*reach, 0.0]
    shares = [max(0.0, bounds[k] - bounds[k + 1]) * n for k in range(len(reach))]
    counts = [math.floor(s + 1e-9) for s in shares]
    order = sorted(range(len(shares)), key=lambda k: (-(shares[k] - counts[k]), k))
    for k in order[: n - sum(counts)]:
        counts[k] += 1
    return tuple(counts)


def draw(exits: np.ndarray, counts: Sequence[int], seed: int) -> np.ndarray:
    """Indices into the pool: `counts[k]` samples that take exit k, in a seeded random
    order. A pool with fewer such samples than asked gives each of them as evenly as it can
    (every one once before any twice)."""
    rng = np.random.default_rng(seed)
    chosen = []
    for k, count in enumerate(counts):
        pool = np.flatnonzero(exits == k)
        if count and not len(pool):
            raise EeccError(f"no held-out sample takes exit {k} in the fixed-point reference; "
                            f"a batch with {count} of them cannot be drawn")
        rounds, rest = divmod(count, len(pool)) if len(pool) else (0, 0)
        picks = [rng.permutation(pool) for _ in range(rounds)]
        chosen += [*picks, rng.choice(pool, size=rest, replace=False)] if rest else picks
    if not chosen:
        return np.zeros(0, dtype=np.int64)
    return rng.permutation(np.concatenate(chosen).astype(np.int64))


def batch_reach(exits: np.ndarray, stages: int) -> tuple[float, ...]:
    """Per stage after the first, the share of the batch's samples that reach it."""
    return tuple(float((exits >= k).mean()) for k in range(1, stages))


def predicted(module: ModuleOp, reach: Sequence[float], platform: str, batch: int) -> float:
    """The cost model's network throughput of the design in `module` at reach `reach`
    (`ee-annotate-rates` then `ee-estimate` on a copy: the folds and depths stay)."""
    from eecc.passes.ee_annotate_rates import EeAnnotateRatesPass
    from eecc.passes.ee_estimate import EeEstimatePass
    from eecc.reference.model import context

    copy = module.clone()
    ctx = context()
    EeAnnotateRatesPass(p=tuple(reach)).apply(ctx, copy)
    EeEstimatePass(platform=platform, batch=batch).apply(ctx, copy)
    graph = next(op for op in copy.walk() if op.name == "ee.graph")
    return float(graph.attributes["ee.throughput"].value.data)  # type: ignore[attr-defined]


def seed_of(seed: int, q: float) -> list[int]:
    """The random seed of rate q: the same q and seed draw the same batch in any range."""
    return [seed, round(q * 1_000_000)]


@dataclass(frozen=True)
class Sweep:
    """What a sweep needs: the emitted project, its IR, the pool, the design's rates."""

    project: Path
    module: ModuleOp
    pool: np.ndarray  # held-out inputs
    pool_exits: np.ndarray  # the exit each takes in the fixed-point reference
    reach: tuple[float, ...]  # the design's (profiled) reach, first = 1
    platform: str
    clock_mhz: float
    batch: int


def point(sweep: Sweep, q: float, samples: int, seed: int) -> DriftPoint:
    """Draw, predict and time one rate q."""
    from eecc.csim import DeadlockError, TimedOptions, run_csim
    from eecc.timed import analyse

    target = drift_reach(sweep.reach, q)
    counts = exit_counts(target, samples)
    idx = draw(sweep.pool_exits, counts, seed_of(seed, q))  # type: ignore[arg-type]
    reach = batch_reach(sweep.pool_exits[idx], len(sweep.reach))
    model = predicted(sweep.module, reach, sweep.platform, sweep.batch)
    try:
        run = run_csim(sweep.project, sweep.pool[idx], timed=TimedOptions())
    except DeadlockError as err:
        return DriftPoint(q, counts, reach, model, None, (), str(err))
    assert run.timed is not None
    report = analyse(run.timed, sweep.module, clock_mhz=sweep.clock_mhz, throughput_model=model)
    return DriftPoint(q, counts, reach, model, report.throughput,
                      batch_reach(run.exits, len(sweep.reach)))


def sweep_rates(sweep: Sweep, rates: Sequence[float], samples: int, seed: int,
                tick: Callable[[float], None] = lambda q: None) -> list[DriftPoint]:
    """Every rate of the range, in order (`tick(q)` after each)."""
    out = []
    for q in rates:
        out.append(point(sweep, q, samples, seed))
        tick(q)
    return out
