"""Exit policies: first-confident and HAPI's most-confident fallback, the same in the memo's
evaluation and in `eecc run`, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from eecc import fixedpoint
from eecc.cli import main
from eecc.profile import ExitMemo, evaluate, load_memo
from eecc.reference import FixedConfig, Program, exit_heads, run_graph
from eecc.reference.model import load_model
from eecc.reference.policy import choose, choose_fixed

ROOT = Path(__file__).resolve().parents[2]
NET = ROOT / "examples" / "blenet_over"
X = np.load(ROOT / "examples" / "data" / "digits_test_28.npz")["x"][:48]


def test_choose_falls_back_to_the_most_confident_head() -> None:
    conf = np.array([[0.95, 0.50, 0.70, 0.60],
                     [0.10, 0.80, 0.90, 0.60],
                     [0.30, 0.70, 0.20, 0.60]], dtype=np.float32)
    thresholds = [0.9, 0.85]
    assert choose(conf, thresholds).tolist() == [0, 2, 1, 2]
    assert choose(conf, thresholds, "most-confident").tolist() == [0, 1, 1, 0]


def test_reach_counts_where_samples_leave_not_who_answers() -> None:
    conf = np.array([[0.5, 0.95], [0.9, 0.1]], dtype=np.float32)
    memo = ExitMemo(conf, np.zeros((2, 2), dtype=np.int64), np.zeros(2, dtype=np.int64))
    doc = evaluate(memo, [0.9], "most-confident")
    assert doc["exit_count"] == [1, 1] and doc["reach"] == [1.0, 0.5]


@pytest.fixture(scope="module")
def module():
    return load_model(NET / "blenet_over.onnx")


@pytest.mark.parametrize("policy", ["first-confident", "most-confident"])
def test_run_equals_the_memo_exit_for_exit(module, policy) -> None:
    memo = load_memo(json.loads((NET / "profile.json").read_text()), "profile.json")
    thresholds = [0.99] * 6
    result = run_graph(module, X, policy=policy)
    assert np.array_equal(result.exits, choose(memo.conf[:, :48], thresholds, policy))
    assert np.array_equal(result.classes, memo.pred[result.exits, np.arange(48)])


def test_choose_fixed_compares_the_decisions_sums() -> None:
    # 2**32 / thr_q(0.9) = 72818.4: S below it exits; the fallback is the smallest S
    sums = np.array([[70000, 90000, 80000], [65537, 85000, 80000], [65536, 95000, 80000]],
                    dtype=np.int64)
    assert choose_fixed(sums, [0.9, 0.9]).tolist() == [0, 2, 2]
    assert choose_fixed(sums, [0.9, 0.9], "most-confident").tolist() == [0, 1, 0]


def test_fixed_most_confident_answers_with_the_smallest_sum(module) -> None:
    fixed = FixedConfig()
    heads = exit_heads(module, X, fixed)
    frac = fixed.data.frac
    sums = np.array([[fixedpoint.exp_sum(fixed.data.quantize(s), frac) for s in h]
                     for h in heads])
    first = run_graph(module, X, fixed)
    most = run_graph(module, X, fixed, policy="most-confident")
    program = Program.from_module(module)
    thresholds = [ex.threshold for ex in program.exits if ex.threshold is not None]
    assert np.array_equal(first.exits, choose_fixed(sums, thresholds))
    assert np.array_equal(most.exits, choose_fixed(sums, thresholds, "most-confident"))
    assert most.raw is not None and first.raw is not None
    confident = most.exits == first.exits
    assert np.array_equal(most.raw[confident], first.raw[confident])
    assert (most.exits != first.exits).any()


def test_policy_errors(module, tmp_path, capsys) -> None:
    np.save(tmp_path / "x.npy", X[:2])
    args = ["run", str(NET / "blenet_over.onnx"), "--input", str(tmp_path / "x.npy"),
            "--policy", "last", "-o", str(tmp_path / "o.npz")]
    assert main(args) == 1
    assert capsys.readouterr().err.strip() == ("eecc run: error: exit policy 'last' is not "
                                               "supported (supported: first-confident, most-confident)")
