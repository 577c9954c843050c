"""The folding problem as plain tables, and the evaluation of one design.

A `Problem` is a chain of stages; a stage is a list of layers plus the edges between
them (for its pipeline depth); a layer is the list of its legal folds (`Option`s), each
with latency (cycles per sample), pipeline depth (cycles) and resources (LUT, FF, DSP,
BRAM18K). A `Design` picks one option index per layer of every stage. A drop-on-exit
condbuffer's options may also set its depth (`Option.queue`, in maps): the stage's
`queue_layer` then decides the queue in front of the next stage, jointly with the folds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from eecc.cost.fold import Fold
from eecc.cost.throughput import (
    DEFAULT_QUEUE_DEPTH,
    Slack,
    combine_finite,
    combine_infinite,
    stage_throughput,
)

Vec = tuple[float, float, float, float]  # lut, ff, dsp, bram
ZERO: Vec = (0.0, 0.0, 0.0, 0.0)

Design = tuple[tuple[int, ...], ...]


def vadd(a: Sequence[float], b: Sequence[float]) -> Vec:
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3])


def fits(res: Sequence[float], limit: Sequence[float]) -> bool:
    """Every resource within its limit (a small relative slack absorbs float sums)."""
    return all(r <= lim * (1 + 1e-12) for r, lim in zip(res, limit, strict=True))


@dataclass(frozen=True)
class Option:
    """One legal fold of a layer and what it costs."""

    fold: Fold
    latency: float
    depth: float
    res: Vec
    queue: int = 0  # the condbuffer depth (maps) this option builds; 0: not a queue choice


@dataclass(frozen=True)
class Layer:
    """A hardware op: its name (for reports) and its legal folds, in a fixed order."""

    name: str
    options: tuple[Option, ...]
    current: int = 0  # index of the op's fold before the search (the annealer's start)


@dataclass(frozen=True)
class Stage:
    """Layers that run at one rate, producers first; `preds[i]`: layers feeding layer i.

    Without `preds` the layers form a chain.
    """

    layers: tuple[Layer, ...]
    rate: float = 1.0
    preds: tuple[tuple[int, ...], ...] | None = None
    queue_layer: int = -1  # the layer whose option sets the depth of the queue to the next stage

    def depth(self, choice: Sequence[int]) -> float:
        """Pipeline depth: the longest path of layer depths from the stage's input."""
        arrival: list[float] = []
        for i, layer in enumerate(self.layers):
            before = self.preds[i] if self.preds is not None else ((i - 1,) if i else ())
            start = max((arrival[p] for p in before), default=0.0)
            arrival.append(start + layer.options[choice[i]].depth)
        return max(arrival, default=0.0)

    def depths(self, choices: np.ndarray) -> np.ndarray:
        """`depth` of every row of `choices` (one option index per layer), at once."""
        choices = np.asarray(choices, dtype=np.int64).reshape(-1, len(self.layers))
        arrival: list[np.ndarray] = []
        for i, layer in enumerate(self.layers):
            before = self.preds[i] if self.preds is not None else ((i - 1,) if i else ())
            start = np.zeros(len(choices))
            for p in before:
                start = np.maximum(start, arrival[p])
            option_depth = np.array([o.depth for o in layer.options], dtype=float)
            arrival.append(start + option_depth[choices[:, i]])
        out = np.zeros(len(choices))
        for a in arrival:
            out = np.maximum(out, a)
        return out


@dataclass(frozen=True)
class Problem:
    """Stages in reach order, the resource limit (budget x platform), clock, batch, queues."""

    stages: tuple[Stage, ...]
    capacity: Vec
    budget: float = 1.0
    clock_mhz: float = 125.0
    batch: int = 1024
    queue_depths: tuple[int, ...] = ()  # fixed depths, where no `queue_layer` decides them
    # (up, down) maps buffered around each queue (eecc.cost.queue); the search takes the
    # least any folds give (`NetworkModel.slack_floor`), so its throughput is a lower bound
    slacks: tuple[Slack, ...] = ()
    fixed: Vec = ZERO  # resources of hardware outside the search (not folded)
    fill: bool = True  # count the pipeline fill (depth) in stage throughput
    names: tuple[str, ...] = field(default=(), compare=False)
    # reach vectors (one per stage, first = 1) over which the network throughput is the
    # worst case (eecc.dse.robust); empty: the stages' own rates
    scenarios: tuple[tuple[float, ...], ...] = ()
    # per queue, the ops on its data path and the slack each bottleneck position gives
    # (eecc.network): a design's own slack; empty: `slacks` for every design
    slack_paths: tuple[SlackPath, ...] = field(default=(), compare=False)

    @property
    def limit(self) -> Vec:
        b = self.budget
        return (self.capacity[0] * b, self.capacity[1] * b, self.capacity[2] * b,
                self.capacity[3] * b)

    @property
    def rates(self) -> tuple[float, ...]:
        return tuple(s.rate for s in self.stages)

    def stage_throughput(self, interval: float, depth: float) -> float:
        return stage_throughput(interval, depth if self.fill else 0.0, self.clock_mhz, self.batch)

    def network_throughput(self, throughputs: Sequence[float],
                           depths: Sequence[int] | None = None,
                           slacks_: Sequence[Slack] | None = None) -> float:
        """Finite-buffer network throughput of the stages' throughputs with queues of
        `depths` maps (default: `queue_depths`) and `slacks_` around them (default:
        `slacks`); with `scenarios`, the smallest over them. Non-decreasing in every stage
        throughput, depth and slack."""
        if len(throughputs) == 1:
            return throughputs[0]
        qs = list(depths) if depths is not None else (list(self.queue_depths) or None)
        given = slacks_ if slacks_ is not None else self.slacks
        slacks = list(given) if given else None
        return min(combine_finite(list(throughputs), list(reach), self.clock_mhz, qs, slacks)
                   for reach in self.reaches)

    @property
    def reaches(self) -> tuple[tuple[float, ...], ...]:
        """The reach vectors the throughput is the worst case over: `scenarios`, or the rates'."""
        return self.scenarios or (tuple(_reach(self.rates)),)

    def queue_of(self, stage: int, choice: Sequence[int]) -> int:
        """Depth of the queue after `stage` in a design: its queue layer's, else the fixed one."""
        s = self.stages[stage]
        if s.queue_layer >= 0:
            q = s.layers[s.queue_layer].options[choice[s.queue_layer]].queue
            if q > 0:
                return q
        return self.queue_depths[stage] if stage < len(self.queue_depths) else DEFAULT_QUEUE_DEPTH

    def design_queues(self, design: Design) -> tuple[int, ...]:
        return tuple(self.queue_of(i, design[i]) for i in range(len(self.stages) - 1))

    def design_slacks(self, design: Design) -> tuple[Slack, ...]:
        """The slack around each queue at this design's bottlenecks (`slacks` without paths)."""
        if not self.slack_paths:
            return self.slacks
        return tuple(path.at(self, design) for path in self.slack_paths)

    def bound(self, throughputs: Sequence[float]) -> float:
        """Infinite-buffer throughput min_i T_i / p_i: an upper bound of the finite one."""
        return combine_infinite(list(throughputs), _reach(self.rates))

    def cost(self, res: Sequence[float]) -> float:
        """Scalar cost: the largest share of the platform any resource takes."""
        return max(r / c for r, c in zip(res, self.capacity, strict=True) if c > 0)


def _reach(rates: Sequence[float]) -> list[float]:
    first = rates[0] if rates and rates[0] > 0 else 1.0
    return [min(1.0, r / first) for r in rates]


@dataclass(frozen=True)
class SlackPath:
    """The ops (stage, layer) on a queue's data path, nearest the queue first, back into its
    stage and on into the next, and the (up, down) maps of slack when the slowest op sits
    at each position (`eecc.network.NetworkModel.slacks`); ties go to the nearest."""

    back: tuple[tuple[int, int], ...]
    up: tuple[float, ...]
    ahead: tuple[tuple[int, int], ...]
    down: tuple[float, ...]

    def at(self, problem: Problem, design: Design) -> Slack:
        def worst(path: tuple[tuple[int, int], ...]) -> int:
            if not path:
                return 0
            lat = [problem.stages[s].layers[la].options[design[s][la]].latency for s, la in path]
            return max(range(len(path)), key=lambda k: (lat[k], -k))

        return self.up[worst(self.back)], self.down[worst(self.ahead)]


@dataclass(frozen=True)
class Evaluation:
    """A design's network throughput, bound, stage figures, resources and bottlenecks."""

    throughput: float
    bound: float
    stage_throughputs: tuple[float, ...]
    intervals: tuple[float, ...]
    resources: Vec
    fits: bool
    bottlenecks: tuple[str, ...]  # slowest layer of each stage
    queue_depths: tuple[int, ...] = ()  # maps in each queue between stages


def evaluate(problem: Problem, design: Design) -> Evaluation:
    """Throughput (finite buffers), bound (infinite), resources and fit of one design."""
    res, throughputs, intervals, slow = problem.fixed, [], [], []
    for stage, choice in zip(problem.stages, design, strict=True):
        opts = [layer.options[i] for layer, i in zip(stage.layers, choice, strict=True)]
        interval = max(o.latency for o in opts)
        throughputs.append(problem.stage_throughput(interval, stage.depth(choice)))
        intervals.append(interval)
        slow.append(next(la.name for la, o in zip(stage.layers, opts, strict=True)
                         if o.latency == interval))
        for o in opts:
            res = vadd(res, o.res)
    queues = problem.design_queues(design)
    return Evaluation(
        throughput=problem.network_throughput(throughputs, queues, problem.design_slacks(design)),
        bound=problem.bound(throughputs), stage_throughputs=tuple(throughputs),
        intervals=tuple(intervals), resources=res, fits=fits(res, problem.limit),
        bottlenecks=tuple(slow), queue_depths=queues,
    )


def unfolded(problem: Problem) -> Design:
    """The design with every layer at its cheapest-latency-agnostic unfolded option (fold 1)."""
    return tuple(tuple(_unfolded_index(layer) for layer in s.layers) for s in problem.stages)


def _unfolded_index(layer: Layer) -> int:
    for i, o in enumerate(layer.options):
        if o.fold == Fold():
            return i
    return min(range(len(layer.options)), key=lambda i: (sum(layer.options[i].res), i))


def design_space_size(problem: Problem) -> int:
    return math.prod(len(la.options) for s in problem.stages for la in s.layers)
