"""Exhaustive enumeration of every fold combination: the reference for small networks."""

from __future__ import annotations

import itertools

from eecc.dse.problem import Design, Evaluation, Problem, evaluate


def exhaustive(problem: Problem) -> tuple[Design, Evaluation] | None:
    """The fastest design that fits (ties: the smallest largest platform share), or None."""
    sizes = [len(la.options) for s in problem.stages for la in s.layers]
    splits = [len(s.layers) for s in problem.stages]
    best: tuple[Design, Evaluation] | None = None
    for flat in itertools.product(*(range(n) for n in sizes)):
        design, pos = [], 0
        for n in splits:
            design.append(tuple(flat[pos:pos + n]))
            pos += n
        ev = evaluate(problem, tuple(design))
        if not ev.fits:
            continue
        if best is None or _better(problem, ev, best[1]):
            best = (tuple(design), ev)
    return best


def _better(problem: Problem, a: Evaluation, b: Evaluation) -> bool:
    if a.throughput != b.throughput:
        return a.throughput > b.throughput
    return problem.cost(a.resources) < problem.cost(b.resources)
