"""HAPI's most-confident exit policy in hardware: the emitted design is bit-exact with the
fixed-point reference under both policies (every held-out digit, every exit), the timed C
simulation runs at the emitted carry depths without deadlock, the cost model charges the
policy, and a bad policy name is a one-line error."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from eecc.cli import main
from eecc.compile import set_policy
from eecc.cost.ops import resources
from eecc.cost.platform import load_platform
from eecc.csim import TimedOptions, reference, run_csim
from eecc.data import digits_path, load_array
from eecc.dialects.ee import CondBufferOp, ExitMergeOp
from eecc.reference.model import load_model

pytest.importorskip("hls4ml")

ROOT = Path(__file__).resolve().parents[2]
NET = ROOT / "examples" / "blenet_over" / "blenet_over.onnx"
KEEP = (0, 2, 4)  # three early exits: exit 1 and 2 take a carry from the exit before


def network(policy: str):
    from test_csim import apply  # type: ignore[import-not-found]

    module = load_model(NET)
    apply(module, "ee-select-exits", keep=KEEP)
    set_policy(module, policy)
    apply(module, "ee-partition")
    apply(module, "ee-annotate-rates", p=(0.5, 0.3, 0.2))
    apply(module, "ee-size-buffers")
    apply(module, "fold", budget=1.0)
    apply(module, "ee-legalize-hls")
    return module


@pytest.fixture(scope="module")
def digits() -> np.ndarray:
    return load_array(digits_path((1, 28, 28)), "x")


@pytest.mark.parametrize("policy", ["first-confident", "most-confident"])
def test_csim_bit_exact_under_both_policies(policy: str, digits, tmp_path: Path) -> None:
    from test_csim import write_project  # type: ignore[import-not-found]

    module = network(policy)
    folder = write_project(module, tmp_path)
    result = run_csim(folder, digits)
    ref = reference(module, digits)
    assert np.array_equal(result.logits_raw, ref.raw)
    assert np.array_equal(result.exits, ref.exits)
    assert set(result.exits.tolist()) == set(range(len(KEEP) + 1))  # every exit answers
    if policy == "most-confident":
        first = reference(network("first-confident"), digits)
        assert (first.exits != result.exits).any()  # the fallback changed some answers
        assert "exit_carry_next" in (folder / "hls" / "model_top.cpp").read_text()
        timed = run_csim(folder, digits, timed=TimedOptions())
        assert np.array_equal(timed.logits_raw, ref.raw)
        assert np.array_equal(timed.exits, ref.exits)


def test_legalize_sizes_the_carry_fifos() -> None:
    module = network("most-confident")
    carries = [op for op in module.walk() if isinstance(op, CondBufferOp)
               and not op.drops_on_exit]
    assert len(carries) == len(KEEP)
    for op in carries:
        words, tokens = op.attributes["carry_depths"].get_values()  # type: ignore[attr-defined]
        assert tokens >= 16 and words >= 10 * (tokens // 2)


def test_cost_model_charges_the_policy() -> None:
    platform = load_platform("zc706")
    costs = {}
    for policy in ("first-confident", "most-confident"):
        module = network(policy)
        merges = [op for op in module.walk() if isinstance(op, ExitMergeOp)]
        passing = [op for op in module.walk() if isinstance(op, CondBufferOp)
                   and not op.drops_on_exit]
        costs[policy] = [resources(op, op.current_fold_value(), platform)
                         for op in [*passing, *merges]]
    merge_first, merge_most = costs["first-confident"][-1], costs["most-confident"][-1]
    assert merge_most.bram >= merge_first.bram + 9  # the final unit's own exp table
    assert merge_most.lut > merge_first.lut and merge_most.dsp > merge_first.dsp
    assert costs["first-confident"] != costs["most-confident"]


def test_bad_policy_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "p"
    assert main(["compile", str(NET), "--p", "0.5", "--policy", "most", "-o", str(out)]) == 1
    err = capsys.readouterr().err.strip()
    assert err == ("eecc compile: error: exit policy 'most' is not supported "
                   "(supported: first-confident, most-confident)")
    assert not out.exists()
