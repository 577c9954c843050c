"""Exit profiling: consistent numbers, sweeps equal to re-running the interpreter at those
thresholds, deterministic JSON, the shipped digits split found from anywhere, CLI errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import pytest
from xdsl.dialects.builtin import (
    BytesAttr,
    DenseIntOrFPElementsAttr,
    FloatAttr,
    TensorType,
    f32,
    f64,
)
from xdsl.parser import Parser

from eecc import registry
from eecc.cli import main
from eecc.data import digits_path
from eecc.dialects.ee import ExitDecisionOp, WeightOp
from eecc.errors import EeccError
from eecc.profile import evaluate, memoise, profile, threshold_sets
from eecc.reference import Program, run_graph
from eecc.reference.model import context, load_model

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
DIGITS = np.load(EXAMPLES / "data" / "digits_test_28.npz")


def trained_blenet_text() -> str:
    """blenet.mlir with the trained weights of blenet.onnx, printed."""
    module = Parser(context(), (EXAMPLES / "blenet" / "blenet.mlir").read_text()).parse_module()
    inits = onnx.load(str(EXAMPLES / "blenet" / "blenet.onnx")).graph.initializer
    weights = [op for op in module.walk() if isinstance(op, WeightOp)]
    for op, init in zip(weights, inits, strict=True):
        array = onnx.numpy_helper.to_array(init).astype("<f4")
        op.value = DenseIntOrFPElementsAttr(TensorType(f32, array.shape), BytesAttr(array.tobytes()))
    return str(module)


@pytest.fixture(scope="module")
def blenet_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("model") / "blenet.mlir"
    path.write_text(trained_blenet_text())
    return path


@pytest.fixture(scope="module")
def program(blenet_file) -> Program:
    return Program.from_module(Parser(context(), blenet_file.read_text()).parse_module())


@pytest.fixture(scope="module")
def memo(program):
    return memoise(program, DIGITS["x"], DIGITS["y"])


def with_thresholds(text: str, thresholds: list[float]) -> Program:
    module = Parser(context(), text).parse_module()
    decisions = [op for op in module.walk() if isinstance(op, ExitDecisionOp)]
    for op, thr in zip(decisions, thresholds, strict=True):
        op.threshold = FloatAttr(thr, f64)
    return Program.from_module(module)


def test_own_thresholds_match_pytorch(program, memo):
    doc = profile(program, memo, [[0.9]], "blenet", "digits")
    torch = np.load(EXAMPLES / "blenet" / "torch_predictions.npz")
    assert doc["thresholds"] == [0.996]
    assert doc["exit_count"] == np.bincount(torch["exit"], minlength=2).tolist()
    assert doc["accuracy"] == round(float((torch["pred"] == torch["y"]).mean()), 6)


@pytest.mark.parametrize("thr", [0.5, 0.9, 0.99, 0.999, 1.0])
def test_sweep_equals_rerunning(blenet_file, memo, thr):
    rerun = run_graph(with_thresholds(blenet_file.read_text(), [thr]), DIGITS["x"])
    got = evaluate(memo, [thr])
    assert got["exit_count"] == np.bincount(rerun.exits, minlength=2).tolist()
    correct = rerun.classes == DIGITS["y"]
    assert got["accuracy"] == round(float(correct.mean()), 6)
    for i in range(2):
        taken = rerun.exits == i
        want = None if not taken.any() else round(float(correct[taken].mean()), 6)
        assert got["exit_accuracy"][i] == want


def _check_consistent(entry: dict, samples: int) -> None:
    assert sum(entry["exit_count"]) == samples
    assert abs(sum(entry["exit_fraction"]) - 1.0) < 1e-5
    reach = entry["reach"]
    assert reach[0] == 1.0 and all(a >= b for a, b in zip(reach, reach[1:], strict=False))
    for i in range(1, len(reach)):
        assert abs(reach[i] - (1.0 - sum(entry["exit_fraction"][:i]))) < 1e-5
    accs = [a for a in entry["exit_accuracy"] if a is not None] + [entry["accuracy"]]
    assert all(0.0 <= a <= 1.0 for a in accs)


def test_profile_cli_is_consistent_and_deterministic(blenet_file, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # `digits` must be found from anywhere
    args = ["profile", str(blenet_file), "--data", "digits", "--thresholds", "0.5,0.9,0.999"]
    assert main([*args, "-o", "a.json"]) == 0
    assert main([*args, "-o", "b.json"]) == 0
    text = Path("a.json").read_bytes()
    assert text == Path("b.json").read_bytes()
    doc = json.loads(text)
    assert list(doc) == sorted(doc)
    assert (doc["model"], doc["data"], doc["samples"], doc["exits"]) == ("blenet.mlir", "digits", 360, 2)
    assert [s["thresholds"] for s in doc["sweep"]] == [[0.5], [0.9], [0.999]]
    for entry in [doc, *doc["sweep"]]:
        _check_consistent(entry, 360)
    assert [sum(c) for c in doc["per_exit_confidence_histogram"]["counts"]] == [360, 360]


def test_profile_npy_with_and_without_labels(blenet_file, tmp_path):
    np.save(tmp_path / "y.npy", DIGITS["y"])
    x = EXAMPLES / "data" / "digits_test_28.npy"
    base = ["profile", str(blenet_file), "--data", str(x), "--thresholds", "0.9"]
    assert main([*base, "--labels", str(tmp_path / "y.npy"), "-o", str(tmp_path / "l.json")]) == 0
    assert main([*base, "-o", str(tmp_path / "n.json")]) == 0
    labelled, unlabelled = (json.loads((tmp_path / f).read_text()) for f in ("l.json", "n.json"))
    assert 0.9 < labelled["accuracy"] <= 1.0
    assert unlabelled["accuracy"] is None and unlabelled["exit_accuracy"] == [None, None]
    assert unlabelled["exit_fraction"] == labelled["exit_fraction"]


def test_threshold_sets_per_exit():
    assert threshold_sets([[0.9], [0.8, 0.7]], 3) == [[0.9, 0.9], [0.8, 0.7]]
    with pytest.raises(EeccError, match="has 2 values, the model has 1 early exit"):
        threshold_sets([[0.8, 0.7]], 2)


def test_digits_split_follows_input_shape():
    assert digits_path((1, 28, 28)).name == "digits_test_28.npz"
    assert digits_path((3, 32, 32)).name == "digits_test_32x3.npz"
    with pytest.raises(EeccError, match="no digits split for input shape 2x8x8"):
        digits_path((2, 8, 8))


@pytest.mark.parametrize(("extra", "message"), [
    (["--thresholds", "0.9,abc"], "threshold 'abc' is not a number"),
    (["--thresholds", "1.5"], "threshold '1.5' is outside (0, 1]"),
    (["--thresholds", "0.9:0.8"], "has 2 values, the model has 1 early exit"),
    (["--labels", "LABELS"], "9 labels for 360 samples"),
    (["--data", "missing.npz"], "missing.npz: no such file"),
])
def test_profile_errors(blenet_file, tmp_path, capsys, extra, message):
    np.save(tmp_path / "y.npy", np.arange(9))
    extra = [str(tmp_path / "y.npy") if e == "LABELS" else e for e in extra]
    extra = [str(tmp_path / e) if e == "missing.npz" else e for e in extra]
    out = tmp_path / "p.json"
    args = ["profile", str(blenet_file), "--data", "digits", *extra, "-o", str(out)]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err.startswith("eecc profile: error: ") and message in err and err.count("\n") == 1
    assert not out.exists()


HAVE_CONVERTER = "convert-onnx-to-ee" in registry.pass_names()


@pytest.mark.skipif(not HAVE_CONVERTER, reason="convert-onnx-to-ee is not available yet")
@pytest.mark.parametrize("thresholds", [[0.9, 0.9], [0.999, 0.5], [0.99, 0.999], [1.0, 1.0]])
def test_three_exit_sweep_equals_rerunning(thresholds):
    module = load_model(EXAMPLES / "blenet3" / "blenet3.onnx")
    memo = memoise(Program.from_module(module), DIGITS["x"], DIGITS["y"])
    for op, thr in zip([o for o in module.walk() if isinstance(o, ExitDecisionOp)], thresholds,
                       strict=True):
        op.threshold = FloatAttr(thr, f64)
    rerun = run_graph(Program.from_module(module), DIGITS["x"])
    got = evaluate(memo, thresholds)
    assert got["exit_count"] == np.bincount(rerun.exits, minlength=3).tolist()
    assert got["accuracy"] == round(float((rerun.classes == DIGITS["y"]).mean()), 6)
    _check_consistent(got, 360)


@pytest.mark.skipif(not HAVE_CONVERTER, reason="convert-onnx-to-ee is not available yet")
def test_profile_onnx_matches_pytorch_exits(tmp_path):
    out = tmp_path / "p.json"
    model = EXAMPLES / "blenet3" / "blenet3.onnx"
    assert main(["profile", str(model), "--data", "digits", "--thresholds", "0.9:0.99", "-o", str(out)]) == 0
    doc = json.loads(out.read_text())
    torch = np.load(EXAMPLES / "blenet3" / "torch_predictions.npz")
    assert doc["exits"] == 3 and doc["model"] == "blenet3.onnx"
    assert doc["exit_count"] == np.bincount(torch["exit"], minlength=3).tolist()
    assert doc["sweep"][0]["thresholds"] == [0.9, 0.99]
