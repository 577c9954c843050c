"""`convert-onnx-to-ee` on every shipped example (both forms) and on small models built with
`onnx.helper`: the result verifies, exits become decision/condbuffer chains, BatchNorm folds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from xdsl.context import Context

from eecc.dialects import ee
from eecc.onnx_import import import_model
from eecc.passes.convert_onnx_to_ee import ConvertOnnxToEEPass

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EXITS = {"blenet": 2, "blenet3": 3, "smallcnn": 2, "balexnet": 2, "bresnet": 2}
CASES = [(net, form) for net in EXITS for form in ("onnx", "dynamo.onnx")]


def _convert(path: Path):
    module = import_model(path)
    ConvertOnnxToEEPass().apply(Context(), module)
    module.verify()
    return module


def _count(module, kind) -> int:
    return sum(isinstance(op, kind) for op in module.walk())


@pytest.mark.parametrize(("net", "form"), CASES)
def test_example_converts(net: str, form: str) -> None:
    module = _convert(EXAMPLES / net / f"{net}.{form}")
    exits = EXITS[net]
    assert _count(module, ee.ExitDecisionOp) == exits - 1
    assert _count(module, ee.CondBufferOp) == 2 * (exits - 1)
    merges = [op for op in module.walk() if isinstance(op, ee.ExitMergeOp)]
    assert len(merges) == 1 and len(merges[0].inputs) == exits
    modes = [op.mode.data for op in module.walk() if isinstance(op, ee.CondBufferOp)]
    assert modes == ["pass-on-exit", "drop-on-exit"] * (exits - 1)


def test_weights_are_the_initializers() -> None:
    module = _convert(EXAMPLES / "blenet" / "blenet.onnx")
    model = onnx.load(EXAMPLES / "blenet" / "blenet.onnx")
    inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    weights = {op.sym_name.data: op.to_numpy() for op in module.walk() if isinstance(op, ee.WeightOp)}
    assert set(weights) == set(inits)
    for name, array in inits.items():
        np.testing.assert_array_equal(weights[name], array)


def _bn_model(tmp_path: Path, var_0: float | None = None) -> Path:
    rng = np.random.default_rng(0)
    w = rng.standard_normal((3, 2, 3, 3)).astype(np.float32)
    b = rng.standard_normal(3).astype(np.float32)
    gamma, beta, mean = (rng.standard_normal(3).astype(np.float32) for _ in range(3))
    var = rng.uniform(0.5, 2.0, 3).astype(np.float32)
    if var_0 is not None:
        var[0] = var_0
    inits = [numpy_helper.from_array(a, n) for a, n in
             [(w, "w"), (b, "b"), (gamma, "g"), (beta, "be"), (mean, "m"), (var, "v")]]
    nodes = [
        helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv", pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["c", "g", "be", "m", "v"], ["y"], name="bn",
                         epsilon=1e-3),
    ]
    graph = helper.make_graph(
        nodes, "bn", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 5, 5])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3, 5, 5])], inits)
    path = tmp_path / "bn.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), path)
    return path


def test_batchnorm_folds_into_conv(tmp_path: Path) -> None:
    path = _bn_model(tmp_path)
    module = _convert(path)
    assert _count(module, ee.ConvOp) == 1
    model = onnx.load(path)
    t = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    scale = t["g"] / np.sqrt(t["v"] + np.float32(1e-3))
    weights = {op.sym_name.data: op.to_numpy() for op in module.walk() if isinstance(op, ee.WeightOp)}
    np.testing.assert_allclose(weights["w"], t["w"] * scale[:, None, None, None], rtol=1e-6)
    np.testing.assert_allclose(weights["b"], (t["b"] - t["m"]) * scale + t["be"], rtol=1e-5, atol=1e-6)


def _residual_model(tmp_path: Path) -> Path:
    """relu(BN(conv3x3(x)) + BN(conv1x1(x))): convs without bias, BatchNorm not folded."""
    rng = np.random.default_rng(1)
    arrays = {"w3": rng.standard_normal((4, 2, 3, 3)), "w1": rng.standard_normal((4, 2, 1, 1))}
    for bn in ("bn3", "bn1"):
        arrays |= {f"{bn}.g": rng.standard_normal(4), f"{bn}.b": rng.standard_normal(4),
                   f"{bn}.m": rng.standard_normal(4), f"{bn}.v": rng.uniform(0.5, 2.0, 4)}
    inits = [numpy_helper.from_array(a.astype(np.float32), n) for n, a in arrays.items()]
    nodes = [
        helper.make_node("Conv", ["x", "w3"], ["c3"], name="conv3", pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["c3", "bn3.g", "bn3.b", "bn3.m", "bn3.v"],
                         ["n3"], name="bn3"),
        helper.make_node("Conv", ["x", "w1"], ["c1"], name="proj"),
        helper.make_node("BatchNormalization", ["c1", "bn1.g", "bn1.b", "bn1.m", "bn1.v"],
                         ["n1"], name="bn1"),
        helper.make_node("Add", ["n3", "n1"], ["s"], name="add"),
        helper.make_node("Relu", ["s"], ["y"], name="relu"),
    ]
    graph = helper.make_graph(
        nodes, "residual", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 5, 5])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 5, 5])], inits)
    path = tmp_path / "residual.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), path)
    return path


def test_residual_block_with_projection_shortcut(tmp_path: Path) -> None:
    """The input feeds a 3x3 conv and a 1x1 projection through one split; BatchNorm folds into
    both convs (a bias appears); the sum is one `ee.add`; the values are onnxruntime's."""
    ort = pytest.importorskip("onnxruntime")
    from eecc.reference import run_graph

    path = _residual_model(tmp_path)
    module = _convert(path)
    (split,) = [op for op in module.walk() if isinstance(op, ee.SplitOp)]
    users = [use.operation for out in split.outputs for use in out.uses]
    assert [type(u) for u in users] == [ee.ConvOp, ee.ConvOp]
    assert sorted(tuple(u.kernel.get_values()) for u in users) == [(1, 1), (3, 3)]
    assert all(u.bias is not None for u in users)
    (add,) = [op for op in module.walk() if isinstance(op, ee.AddOp)]
    assert {op.owner for op in add.operands} == set(users)
    x = np.random.default_rng(2).standard_normal((3, 2, 5, 5)).astype(np.float32)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    want = np.concatenate([session.run(None, {"x": s[None]})[0] for s in x])
    np.testing.assert_allclose(run_graph(module, x).logits, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("var", [-1.0, -1e-3, float("nan")])
def test_batchnorm_with_a_variance_that_is_not_positive(tmp_path: Path, capsys, var: float) -> None:
    from eecc.cli import main

    path = _bn_model(tmp_path, var)
    assert main(["compile", str(path), "-o", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("eecc compile: error: ") and len(err.splitlines()) == 1
    assert "node 'bn' (BatchNormalization) has a variance of" in err
    assert "a variance must be positive" in err
