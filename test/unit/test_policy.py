"""Exit policies: first-confident and HAPI's most-confident fallback, the same in the memo's
evaluation and in `eecc run`, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from eecc.cli import main
from eecc.errors import EeccError
from eecc.profile import ExitMemo, evaluate, load_memo
from eecc.reference import FixedConfig, run_graph
from eecc.reference.model import load_model
from eecc.reference.policy import choose

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


def test_policy_errors(module, tmp_path, capsys) -> None:
    with pytest.raises(EeccError, match="runs in float mode only"):
        run_graph(module, X[:2], FixedConfig(), policy="most-confident")
    np.save(tmp_path / "x.npy", X[:2])
    args = ["run", str(NET / "blenet_over.onnx"), "--input", str(tmp_path / "x.npy"),
            "--policy", "last", "-o", str(tmp_path / "o.npz")]
    assert main(args) == 1
    assert capsys.readouterr().err.strip() == ("eecc run: error: exit policy 'last' is not "
                                               "supported (supported: first-confident, most-confident)")
