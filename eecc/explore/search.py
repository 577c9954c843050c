"""Choosing a design: the objective, the Pareto front, enumeration and HAPI's annealer.

Objectives (`Objective`), with the no-exit baseline's accuracy A_0 and throughput T_0:
- `min-accuracy A`: the fastest design with accuracy >= A (default A = A_0);
- `min-throughput T`: the most accurate design with throughput >= T;
- `weight W`: HAPI's `A/A_0 - W * log(L/L_0 + 1)`, with L = 1/throughput the time per sample.
A design that misses its constraint (or fits no fold) scores below every design that meets
it, by how far it misses, so the annealer is led towards the feasible region.

The annealer (HAPI's, seeded) walks subsets x thresholds: add an exit (never next to a kept
one unless allowed), remove one, move one to a free neighbouring position, or change one's
threshold; Metropolis acceptance on the score, temperature `t_start` down to `t_min` by
`cooling`, `moves` per temperature; then a refinement: greedy best-neighbour steps from the
best design until none improves.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from eecc.explore.evaluate import Point
from eecc.explore.space import Candidate, Space

INFEASIBLE = -1.0e6  # below every feasible score
NO_EXIT = Candidate((), ())


@dataclass(frozen=True)
class Objective:
    kind: str  # "min-accuracy" | "min-throughput" | "weight"
    value: float
    base_accuracy: float
    base_throughput: float

    def score(self, p: Point) -> float:
        acc = p.accuracy if p.accuracy is not None else 0.0
        if p.throughput is None:
            return 2 * INFEASIBLE
        if self.kind == "min-accuracy":
            if acc < self.value - 1e-12:
                return INFEASIBLE * (1 + self.value - acc)
            return p.throughput / self.base_throughput
        if self.kind == "min-throughput":
            if p.throughput < self.value * (1 - 1e-12):
                return INFEASIBLE * (2 - p.throughput / self.value)
            return acc
        ratio = self.base_throughput / p.throughput  # L / L_0
        return acc / max(self.base_accuracy, 1e-12) - self.value * math.log(ratio + 1)

    def describe(self) -> str:
        if self.kind == "weight":
            return f"max A/A0 - {self.value:g} log(L/L0 + 1)"
        what = "accuracy" if self.kind == "min-accuracy" else "throughput"
        other = "throughput" if self.kind == "min-accuracy" else "accuracy"
        return f"max {other} with {what} >= {self.value:g}"


def best(points: Sequence[Point], objective: Objective) -> Point:
    """The highest-scoring point; of equals, the first in candidate order."""
    return max(sorted(points, key=lambda p: p.candidate),
               key=lambda p: objective.score(p))


def pareto(points: Sequence[Point]) -> list[Point]:
    """Points no other dominates in (accuracy, throughput), by throughput; first of equals."""
    fits = sorted((p for p in points if p.fits and p.accuracy is not None),
                  key=lambda p: (-p.throughput, -p.accuracy, p.candidate))  # type: ignore[operator]
    front: list[Point] = []
    for p in fits:
        if not front or p.accuracy > front[-1].accuracy:  # type: ignore[operator]
            front.append(p)
    return front


Evaluator = Callable[[Sequence[Candidate]], list[Point]]


def neighbours(space: Space, cand: Candidate) -> list[Candidate]:
    """Every design one move away: add, remove or move an exit, or change a threshold."""
    exits, thr = list(cand.exits), list(cand.thresholds)
    out: list[Candidate] = []
    for pos in space.positions:
        if pos not in exits:
            for t in space.thresholds:
                out.append(_make(exits + [pos], thr + [t]))
    for k in range(len(exits)):
        out.append(_make(exits[:k] + exits[k + 1:], thr[:k] + thr[k + 1:]))
        for step in (-1, 1):
            moved = [*exits]
            moved[k] = _shift(space, exits[k], step)
            out.append(_make(moved, thr))
        for t in space.thresholds:
            out.append(_make(exits, thr[:k] + [t] + thr[k + 1:]))
    seen: set[Candidate] = set()
    return [c for c in out if space.allows(c.exits) and c != cand
            and not (c in seen or seen.add(c))]  # type: ignore[func-returns-value]


def _shift(space: Space, pos: int, step: int) -> int:
    i = space.positions.index(pos) + step
    return space.positions[i] if 0 <= i < len(space.positions) else pos


def _make(exits: list[int], thr: list[float]) -> Candidate:
    pairs = sorted(zip(exits, thr, strict=True))
    return Candidate(tuple(e for e, _ in pairs), tuple(t for _, t in pairs))


@dataclass(frozen=True)
class Schedule:
    t_start: float = 1.0
    t_min: float = 1e-3
    cooling: float = 0.9
    moves: int = 10


def anneal(space: Space, evaluate: Evaluator, objective: Objective, seed: int = 0,
           schedule: Schedule = Schedule(), start: Candidate = NO_EXIT,
           tick: Callable[[], None] = lambda: None) -> dict[Candidate, Point]:
    """HAPI's annealer and refinement; every point it evaluated, by candidate."""
    rng = random.Random(seed)
    seen: dict[Candidate, Point] = {}

    def score(c: Candidate) -> float:
        if c not in seen:
            seen[c] = evaluate([c])[0]
            tick()
        return objective.score(seen[c])

    current, temp = start, schedule.t_start
    cur = score(current)
    while temp > schedule.t_min:
        for _ in range(schedule.moves):
            options = neighbours(space, current)
            if not options:
                break
            trial = rng.choice(options)
            new = score(trial)
            if new >= cur or rng.random() < math.exp((new - cur) / temp):
                current, cur = trial, new
        temp *= schedule.cooling
    refine(space, seen, score, objective)
    return seen


def refine(space: Space, seen: dict[Candidate, Point], score: Callable[[Candidate], float],
           objective: Objective) -> None:
    """Greedy steps to the best neighbour of the best design until none is better."""
    here = best(list(seen.values()), objective).candidate
    while True:
        options = neighbours(space, here)
        scores = [score(c) for c in options]
        if not options or max(scores) <= score(here):
            return
        here = options[scores.index(max(scores))]
