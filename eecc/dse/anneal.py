"""Simulated annealing over folds: the baseline the search is compared against.

ATHEENA's settings (those of fpgaConvNet's optimiser): temperature 10 down to 0.001,
cooling factor 0.9, 10 moves per temperature; a move gives one random layer a random
legal fold, and is undone if the design no longer fits or, by the Metropolis rule on
cost = -throughput, with probability 1 - exp(min(0, (cost_old - cost_new) / T)).
It starts from the unfolded design and is seeded, so runs are reproducible.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass

from eecc.dse.problem import Design, Evaluation, Problem, evaluate, unfolded


@dataclass(frozen=True)
class AnnealResult:
    design: Design
    evaluation: Evaluation
    seconds: float
    moves: int


def anneal(problem: Problem, seed: int = 0, t_start: float = 10.0, t_min: float = 0.001,
           cooling: float = 0.9, moves_per_step: int = 10) -> AnnealResult:
    """Anneal from the unfolded design; return the best design seen that fits."""
    start = time.perf_counter()
    rng = random.Random(seed)
    design = [list(c) for c in unfolded(problem)]
    slots = [(s, k) for s, st in enumerate(problem.stages) for k in range(len(st.layers))]
    current = evaluate(problem, _freeze(design))
    best, best_ev, moves, temp = _freeze(design), current, 0, t_start
    while temp > t_min:
        for _ in range(moves_per_step):
            moves += 1
            s, k = rng.choice(slots)
            old = design[s][k]
            design[s][k] = rng.randrange(len(problem.stages[s].layers[k].options))
            trial = evaluate(problem, _freeze(design))
            delta = (-current.throughput) - (-trial.throughput)
            if not trial.fits or math.exp(min(0.0, delta / temp)) < rng.uniform(0, 1):
                design[s][k] = old
                continue
            current = trial
            if current.fits and current.throughput > best_ev.throughput:
                best, best_ev = _freeze(design), current
        temp *= cooling
    return AnnealResult(best, best_ev, time.perf_counter() - start, moves)


def _freeze(design: list[list[int]]) -> Design:
    return tuple(tuple(row) for row in design)
