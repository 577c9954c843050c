"""Evaluating candidates: accuracy from the memo, throughput from the exact fold search.

`Setting` is everything a worker needs (picklable, so it travels to a process pool or a
dask worker): the `ee` IR of the overprovisioned network as text, the memo, the platform,
budget, batch and exit policy. A worker parses the IR once and keeps, per subset of exits,
the fold `Problem` of the network with only those exits (`ee-select-exits`,
`ee-partition`, `ee-size-buffers`, as `eecc compile` runs them) and its stages' TAP curves,
which do not depend on the thresholds; stages that recur in other subsets are looked up
too. A candidate then costs one memo evaluation and one branch and bound over the curves:
the `--fold` search itself (`eecc.dse.search`), so its throughput is `--fold`'s. Under
the most-confident policy the network's merge states it, so the fold prices its carry units.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from eecc.dse import ir
from eecc.dse.problem import Problem, Stage
from eecc.dse.search import SearchResult, Unfittable, search
from eecc.dse.tap import Tap, stage_tap
from eecc.explore.space import Candidate
from eecc.profile import ExitMemo, evaluate

KINDS = ("lut", "ff", "dsp", "bram")


@dataclass(frozen=True)
class Setting:
    """What every evaluation shares."""

    ir_text: str
    conf: np.ndarray  # [E, N] float32, the last row the final classifier's
    pred: np.ndarray  # [E, N]
    labels: np.ndarray | None
    platform: str = "zc706"
    budget: float = 1.0
    batch: int = 1024
    policy: str = "first-confident"

    @property
    def key(self) -> str:
        digest = hashlib.sha256(self.ir_text.encode())
        labels = b"" if self.labels is None else self.labels.tobytes()
        for part in (self.conf.tobytes(), self.pred.tobytes(), labels,
                     repr((self.platform, self.budget, self.batch, self.policy)).encode()):
            digest.update(part)
        return digest.hexdigest()

    @property
    def early(self) -> int:
        return self.conf.shape[0] - 1


@dataclass(frozen=True)
class Point:
    """One evaluated candidate; `throughput` is None if no design fits the budget."""

    candidate: Candidate
    accuracy: float | None
    exit_fraction: tuple[float, ...]  # kept exits, then the final
    reach: tuple[float, ...]  # of each stage
    throughput: float | None = None  # samples/s
    resources: tuple[float, ...] = ()  # lut, ff, dsp, bram
    share: float | None = None  # the largest share of any platform resource
    latency_us: float | None = None  # mean per sample through the stages it crosses
    exact: bool = True

    @property
    def fits(self) -> bool:
        return self.throughput is not None


def memo_of(setting: Setting, exits: Sequence[int]) -> ExitMemo:
    """The memo of the network with only `exits` (and the final classifier)."""
    rows = [*exits, setting.early]
    return ExitMemo(setting.conf[rows], setting.pred[rows], setting.labels)


def accuracy_of(setting: Setting, cand: Candidate) -> dict[str, object]:
    """Accuracy, exit fractions and reach of a candidate, from the memo (no network run)."""
    return evaluate(memo_of(setting, cand.exits), cand.thresholds, setting.policy)


class Worker:
    """A worker's state: the parsed network and the memoised problems and curves."""

    def __init__(self, setting: Setting):
        from eecc.cost.platform import load_platform
        from eecc.reference.model import context

        self.setting = setting
        self.ctx = context()
        self.platform = load_platform(setting.platform)
        self.module = _parse(self.ctx, setting.ir_text)
        self.problems: dict[tuple[int, ...], tuple[Problem, tuple[Tap, ...]]] = {}
        self.mappings: dict[tuple[int, ...], ir.Mapping] = {}
        self.taps: dict[tuple[Stage, tuple[float, ...]], Tap] = {}
        self.hints: dict[tuple[int, ...], tuple[int, ...]] = {}
        self.designs: dict[tuple[tuple[int, ...], tuple[float, ...]], tuple | None] = {}

    def subset(self, exits: tuple[int, ...]) -> tuple[Problem, tuple[Tap, ...]]:
        """The fold problem (rates 1) of the network with `exits`, and its stage curves."""
        if exits not in self.problems:
            problem = self._problem(exits)
            taps = tuple(self._tap(problem, i) for i in range(len(problem.stages)))
            self.problems[exits] = (problem, taps)
        return self.problems[exits]

    def _problem(self, exits: tuple[int, ...]) -> Problem:
        from eecc.compile import set_policy
        from eecc.network import NetworkModel
        from eecc.passes.ee_partition import EePartitionPass
        from eecc.passes.ee_select_exits import EeSelectExitsPass
        from eecc.passes.ee_size_buffers import EeSizeBuffersPass

        module = self.module.clone()
        EeSelectExitsPass(keep=exits).apply(self.ctx, module)
        set_policy(module, self.setting.policy)  # the hardware of the policy is priced
        EePartitionPass().apply(self.ctx, module)
        EeSizeBuffersPass(platform=self.setting.platform).apply(self.ctx, module)
        model = NetworkModel(module, self.platform, self.setting.batch)
        self.mappings[exits] = ir.build(model, self.setting.budget)
        return self.mappings[exits].problem

    def _tap(self, problem: Problem, index: int) -> Tap:
        key = (replace(problem.stages[index], rate=1.0), problem.limit)
        if key not in self.taps:
            self.taps[key] = stage_tap(problem, index)
        return self.taps[key]

    def prepare(self, cands: Sequence[Candidate]) -> None:
        """Simulate together the queue tables every candidate's search will read (one path
        serves thousands of tables; one per candidate would cost as much each). Only
        speed: a table is the same however it is batched."""
        from eecc.cost.queue import prepare_many
        from eecc.dse.search import queue_specs

        specs, seen = [], set()
        for cand in cands:
            reach = tuple(float(r) for r in accuracy_of(self.setting, cand)["reach"])  # type: ignore[attr-defined]
            if (cand.exits, reach) in seen or (cand.exits, reach) in self.designs:
                continue
            seen.add((cand.exits, reach))
            try:
                problem, taps = self.subset(cand.exits)
            except Unfittable:
                continue
            if any(len(t) == 0 for t in taps):
                continue
            specs += queue_specs(ir.with_rates(problem, reach), taps)
        prepare_many(specs)

    def point(self, cand: Candidate) -> Point:
        acc = accuracy_of(self.setting, cand)
        reach = tuple(float(r) for r in acc["reach"])  # type: ignore[attr-defined]
        base = Point(cand, acc["accuracy"], tuple(acc["exit_fraction"]), reach)  # type: ignore[arg-type]
        key = (cand.exits, reach)
        if key not in self.designs:  # thresholds with the same rates share the design
            self.designs[key] = self._design(cand.exits, reach)
        found = self.designs[key]
        return base if found is None else self._priced(base, found, reach)

    def _design(self, exits: tuple[int, ...], reach: tuple[float, ...]) -> tuple | None:
        problem, taps = self.subset(exits)
        problem = ir.with_rates(problem, reach)
        try:
            found = self._search(exits, problem, taps)
        except Unfittable:
            return None
        return problem, found, self._raised(exits, problem, found, reach)

    def _raised(self, exits: tuple[int, ...], problem: Problem, found: SearchResult,
                reach: tuple[float, ...]) -> tuple[float, tuple[float, ...]] | None:
        """(throughput, resources) of the design `--fold` writes when it raises a condbuffer
        to the maps that wait at the chosen folds (`passes.fold.raise_to_floors`), else None.
        The subset's IR is restored afterwards."""
        from eecc.network import NetworkModel
        from eecc.passes.ee_annotate_rates import EeAnnotateRatesPass
        from eecc.passes.fold import raise_to_floors

        mapping = self.mappings[exits]
        if not any(s.queue_layer >= 0 for s in problem.stages):
            return None
        graph = mapping.model.structure.graph
        buffers = mapping.model.structure.drop_buffers
        saved = [(b, b.properties.get("depth"), b.properties.get("min_depth")) for b in buffers]
        folds = [op.current_fold_value() for op in mapping.model.ops]
        ir.write(mapping, found.design)
        try:
            if not raise_to_floors(graph, self.platform, self.setting.platform,
                                   self.setting.batch, self.setting.budget, quiet=True):
                return None
            top = graph
            while top.parent_op() is not None:
                top = top.parent_op()
            EeAnnotateRatesPass(p=tuple(max(r, 1e-6) for r in reach[1:])).apply(self.ctx, top)
            est = NetworkModel(graph, self.platform, self.setting.batch).evaluate()
            r = est.total
            return est.throughput, (r.lut, r.ff, r.dsp, r.bram)
        finally:
            for b, depth, floor in saved:
                for name, value in (("depth", depth), ("min_depth", floor)):
                    if value is None:
                        b.properties.pop(name, None)
                    else:
                        b.properties[name] = value
            for op, fold in zip(mapping.model.ops, folds, strict=True):
                op.set_fold(fold)

    def _priced(self, base: Point, design: tuple, reach: tuple[float, ...]) -> Point:
        problem, found, raised = design
        ev = found.evaluation
        if raised is not None:
            ev = replace(ev, throughput=raised[0], resources=raised[1])
        share = max(r / c for r, c in zip(ev.resources, problem.capacity, strict=True))
        depths = [s.depth(c) for s, c in zip(problem.stages, found.design, strict=True)]
        cycles = sum(p * (d + t) for p, d, t in zip(reach, depths, ev.intervals, strict=True))
        return replace(base, throughput=ev.throughput, resources=tuple(ev.resources),
                       share=share, latency_us=cycles / problem.clock_mhz, exact=found.exact)

    def _search(self, exits: tuple[int, ...], problem: Problem, taps: tuple[Tap, ...]):  # noqa: ANN202
        """`--fold`'s search, cut from the start by the last design of this subset."""
        hint = self.hints.get(exits)
        lower = 0.0
        if hint:
            lower = problem.network_throughput(
                [float(t.throughputs[j]) for t, j in zip(taps, hint, strict=True)])
        def run(trial: Problem, reuse: tuple[Tap, ...] | None) -> SearchResult:
            if trial.fixed != problem.fixed:  # repacks reserved: other curves, no hint
                return search(trial, taps=reuse)
            try:
                return search(trial, taps=taps, lower=lower)
            except Unfittable:
                if not lower:
                    raise
                return search(trial, taps=taps)

        _, found = ir.search_with_repacks(self.mappings[exits], run, problem)
        self.hints[exits] = found.picks
        return found


def _parse(ctx, text: str):  # noqa: ANN001, ANN202
    from xdsl.parser import Parser

    return Parser(ctx, text, "explore").parse_module()


_WORKERS: dict[str, Worker] = {}


def worker(setting: Setting) -> Worker:
    """This process's worker for `setting` (made once)."""
    key = setting.key
    if key not in _WORKERS:
        _WORKERS.clear()
        _WORKERS[key] = Worker(setting)
    return _WORKERS[key]


def evaluate_many(setting: Setting, candidates: Sequence[Candidate]) -> list[Point]:
    """The points of `candidates` (a pool or cluster task)."""
    w = worker(setting)
    w.prepare(candidates)
    return [w.point(c) for c in candidates]
