"""The shipped example ONNX files run in onnxruntime exactly as PyTorch ran them.

For every network in ``examples/`` and both exporter forms (TorchScript
``NET.onnx``, dynamo ``NET.dynamo.onnx``), every held-out sample's onnxruntime
output matches the logits in ``torch_predictions.npz`` and gives the same class;
the graphs have the exit-test shape the importer expects. No torch needed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest

ort = pytest.importorskip("onnxruntime")

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DATA = EXAMPLES / "data"
NETS = {
    "blenet": ("digits_test_28.npz", 2),
    "blenet3": ("digits_test_28.npz", 3),
    "smallcnn": ("digits_test_28.npz", 2),
    "balexnet": ("digits_test_32x3.npz", 2),
    "bresnet": ("digits_test_28.npz", 2),
    "blenet_over": ("digits_test_28.npz", 7),
    "resnet_over": ("digits_test_28.npz", 7),
}
THRESHOLDS = {"blenet": [0.996], "blenet3": [0.996, 0.99], "smallcnn": [0.6], "balexnet": [0.6],
              "bresnet": [0.99], "blenet_over": [0.99] * 6, "resnet_over": [0.99] * 6}
FORMS = ["onnx", "dynamo.onnx"]
EXIT_TEST_OPS = {"Softmax", "ReduceMax", "Greater", "If"}
CASES = [(net, form) for net in NETS for form in FORMS]


def _model_path(net: str, form: str) -> Path:
    return EXAMPLES / net / f"{net}.{form}"


def _if_depth(graph: onnx.GraphProto) -> int:
    """Deepest nesting of ``If`` nodes in ``graph``."""
    depth = 0
    for node in graph.node:
        if node.op_type != "If":
            continue
        branches = [a.g for a in node.attribute if a.type == onnx.AttributeProto.GRAPH]
        depth = max(depth, 1 + max(_if_depth(g) for g in branches))
    return depth


@pytest.mark.parametrize(("net", "form"), CASES)
def test_onnxruntime_matches_torch(net: str, form: str) -> None:
    data_file, _ = NETS[net]
    x = np.load(DATA / data_file)["x"]
    expected = np.load(EXAMPLES / net / "torch_predictions.npz")
    session = ort.InferenceSession(str(_model_path(net, form)), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == ["input"]
    assert session.get_inputs()[0].shape == [1, *x.shape[1:]]
    got = np.concatenate([session.run(None, {"input": x[i : i + 1]})[0] for i in range(len(x))])
    scale = np.abs(expected["logits"]).max(axis=1, keepdims=True)
    err = np.abs(got - expected["logits"]) / scale
    assert err.max() <= 1e-4, f"max relative error {err.max():.2e} on sample {err.max(1).argmax()}"
    np.testing.assert_array_equal(got.argmax(1), expected["pred"])


@pytest.mark.parametrize(("net", "form"), CASES)
def test_graph_has_exit_tests(net: str, form: str) -> None:
    model = onnx.load(str(_model_path(net, form)))
    _, n_exits = NETS[net]
    assert {n.op_type for n in model.graph.node} >= EXIT_TEST_OPS
    assert _if_depth(model.graph) == n_exits - 1
    (inp,) = model.graph.input
    assert inp.name == "input"
    assert [d.dim_value for d in inp.type.tensor_type.shape.dim][0] == 1


@pytest.mark.parametrize("net", list(NETS))
def test_predictions_file_is_consistent(net: str) -> None:
    data_file, n_exits = NETS[net]
    y = np.load(DATA / data_file)["y"]
    preds = np.load(EXAMPLES / net / "torch_predictions.npz")
    assert preds["logits"].shape == (len(y), 10)
    np.testing.assert_array_equal(preds["y"], y)
    np.testing.assert_array_equal(preds["pred"], preds["logits"].argmax(1))
    assert set(np.unique(preds["exit"])) <= set(range(n_exits))
    assert preds["confidence"].shape == (len(y), n_exits - 1)


@pytest.mark.parametrize("net", list(NETS))
def test_exit_taken_is_first_confident_exit(net: str) -> None:
    preds = np.load(EXAMPLES / net / "torch_predictions.npz")
    thresholds = np.array(THRESHOLDS[net], dtype=np.float32)
    passed = np.concatenate(
        [preds["confidence"] > thresholds, np.ones((len(preds["exit"]), 1), bool)], axis=1
    )
    np.testing.assert_array_equal(passed.argmax(1), preds["exit"])


def test_only_inline_onnx_files() -> None:
    """No external-data side files: each model is one self-contained file."""
    assert not list(EXAMPLES.rglob("*.onnx.data"))
    assert not list(EXAMPLES.rglob("*.data"))
