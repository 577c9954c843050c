"""`--fold="robust=r"`: the best worst case over q in [p - r, p + r], exact for the grid."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from test_dse_search import random_problem

from eecc.dse.exhaustive import exhaustive
from eecc.dse.problem import Problem, evaluate
from eecc.dse.robust import drift_reach, grid, interval, robust, worst_case
from eecc.dse.search import search
from eecc.errors import EeccError

BLENET = Path(__file__).resolve().parents[2] / "examples" / "blenet" / "blenet.mlir"


def test_grid_has_both_ends_and_p_and_is_clipped() -> None:
    assert grid(0.25, 0.05) == pytest.approx([0.2, 0.21, 0.22, 0.23, 0.24, 0.25, 0.26, 0.27,
                                              0.28, 0.29, 0.3])
    assert interval(0.02, 0.05) == (0.0, 0.07)
    low = grid(0.02, 0.05)
    assert low[0] == 0.0 and low[-1] == pytest.approx(0.07) and 0.02 in low
    assert grid(0.98, 0.05)[-1] == 1.0


def test_drift_reach_keeps_later_conditional_shares() -> None:
    assert drift_reach((1.0, 0.5, 0.2), 0.25) == pytest.approx((1.0, 0.25, 0.1))
    assert drift_reach((1.0, 0.0, 0.0), 0.3) == (1.0, 0.3, 0.3)
    with pytest.raises(ValueError, match="outside"):
        drift_reach((1.0, 0.5), 1.5)


def test_robust_zero_is_the_plain_problem() -> None:
    problem = random_problem(3)
    assert robust(problem, 0.0) is problem
    assert search(robust(problem, 0.0)).design == search(problem).design


def test_worst_case_is_the_minimum_over_the_grid() -> None:
    problem = random_problem(5)
    ev = evaluate(problem, search(problem).design)
    p = problem.rates[1]
    direct = [evaluate(replace(problem, stages=(problem.stages[0], replace(
        problem.stages[1], rate=q))), search(problem).design).throughput for q in grid(p, 0.05)]
    assert worst_case(problem, ev.stage_throughputs, 0.05) == pytest.approx(min(direct))


@pytest.mark.parametrize("seed", range(6))
def test_robust_search_equals_exhaustive(seed: int) -> None:
    problem = robust(random_problem(seed), 0.1)
    found, best = search(problem), exhaustive(problem)
    assert best is not None
    assert found.evaluation.throughput == pytest.approx(best[1].throughput, rel=1e-9)


def _worst(problem: Problem, design, radius: float) -> float:
    return worst_case(problem, evaluate(problem, design).stage_throughputs, radius)


@pytest.mark.parametrize("seed", range(6))
def test_robust_design_worst_case_beats_plain(seed: int) -> None:
    problem = random_problem(seed)
    plain = search(problem).design
    sturdy = search(robust(problem, 0.1)).design
    assert evaluate(problem, sturdy).fits
    assert _worst(problem, sturdy, 0.1) >= _worst(problem, plain, 0.1) * (1 - 1e-12)


def _fold(*options: str) -> str:
    import subprocess
    import sys

    cmd = [sys.executable, "-m", "eecc.opt", "--ee-partition", "--ee-annotate-rates=p=0.25",
           "--ee-size-buffers", f"--fold=budget=0.5{''.join(' ' + o for o in options)}",
           str(BLENET)]
    return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout


def test_fold_pass_robust_zero_equals_plain_and_records_worst_case() -> None:
    plain = _fold()
    assert plain and _fold("robust=0.0") == plain
    sturdy = _fold("robust=0.05")
    assert "ee.worst_throughput" in sturdy and "ee.worst_throughput" not in plain


def test_fold_pass_rejects_a_bad_radius() -> None:
    from eecc.passes.fold import FoldPass

    with pytest.raises(EeccError, match=r"'fold' robust=1.5 is outside \[0, 1\]"):
        FoldPass(robust=1.5).check()
