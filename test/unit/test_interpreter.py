"""The reference interpreter: op semantics on hand-built `ee` graphs, kernels against
onnxruntime, the trained B-LeNet against onnxruntime and PyTorch, fixed point bit-exact
against `eecc.fixedpoint` composed by hand.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper
from xdsl.dialects.builtin import BytesAttr, DenseIntOrFPElementsAttr, TensorType, f32
from xdsl.parser import Parser

from eecc import fixedpoint as fp
from eecc.dialects.ee import WeightOp
from eecc.reference import FixedConfig, Program, exit_heads, run_graph
from eecc.reference.model import context

ort = pytest.importorskip("onnxruntime")

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
DIGITS = np.load(EXAMPLES / "data" / "digits_test_28.npz")

# A two-exit network in stages: stage 0's merge uses stage 1's result (defined later).
STAGED = """
builtin.module {
  ee.weight @h.w = dense<[[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0]]> : tensor<3x4xf32>
  ee.weight @t.w = dense<[[0.0, 0.0, 0.0, 1.0], [0.5, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, -1.0]]> : tensor<3x4xf32>
  ee.weight @t.b = dense<[0.25, 0.0, 0.0]> : tensor<3xf32>
  ee.graph @staged(%x: !ee.stream<4xf32>) -> !ee.stream<3xf32> {
    %s0, %s1 = ee.stage 0 rate 1.000000e+00 -> !ee.stream<3xf32>, !ee.stream<4xf32> {
      %0, %1 = ee.split %x : !ee.stream<4xf32> -> !ee.stream<4xf32>, !ee.stream<4xf32>
      %2 = ee.linear %0 weight @h.w : !ee.stream<4xf32> -> !ee.stream<3xf32>
      %3, %4 = ee.split %2 : !ee.stream<3xf32> -> !ee.stream<3xf32>, !ee.stream<3xf32>
      %5 = ee.exit_decision %3 {threshold = THR : f64} : !ee.stream<3xf32>
      %6 = ee.condbuffer %4, %5 {mode = "pass-on-exit"} : !ee.stream<3xf32>
      %7 = ee.condbuffer %1, %5 {mode = "drop-on-exit"} : !ee.stream<4xf32>
      %8 = ee.exit_merge %6, %s2 : !ee.stream<3xf32>, !ee.stream<3xf32> -> !ee.stream<3xf32>
      ee.yield %8, %7 : !ee.stream<3xf32>, !ee.stream<4xf32>
    }
    %s2 = ee.stage 1 rate 2.500000e-01 -> !ee.stream<3xf32> {
      %9 = ee.linear %s1 weight @t.w bias @t.b : !ee.stream<4xf32> -> !ee.stream<3xf32>
      %10 = ee.relu %9 : !ee.stream<3xf32>
      ee.yield %10 : !ee.stream<3xf32>
    }
    ee.output %s0 : !ee.stream<3xf32>
  }
}
"""
# Sample 0 is confident at the exit (max softmax ~0.9999), sample 1 is not (1/3), sample 2
# is in between (~0.78).
X_STAGED = np.array([[10.0, 0.0, 0.0, 2.0], [1.0, 1.0, 1.0, -3.0], [2.5, 0.5, 0.5, 1.0]],
                    dtype=np.float32)


def parse(text: str):
    module = Parser(context(), text).parse_module()
    module.verify()
    return module


def staged(threshold: float):
    return parse(STAGED.replace("THR", f"{threshold:e}"))


def trained_blenet():
    """blenet.mlir with the trained weights of blenet.onnx (same layers, same order)."""
    module = parse((EXAMPLES / "blenet" / "blenet.mlir").read_text())
    inits = onnx.load(str(EXAMPLES / "blenet" / "blenet.onnx")).graph.initializer
    weights = [op for op in module.walk() if isinstance(op, WeightOp)]
    for op, init in zip(weights, inits, strict=True):
        array = onnx.numpy_helper.to_array(init).astype("<f4")
        assert array.shape == op.shape
        op.value = DenseIntOrFPElementsAttr(TensorType(f32, array.shape), BytesAttr(array.tobytes()))
    return module


def ort_run(path: Path, x: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    return np.concatenate([session.run(None, {name: x[i : i + 1]})[0] for i in range(len(x))])


def assert_logits_close(got: np.ndarray, want: np.ndarray) -> None:
    """rtol 1e-4 with an absolute floor of 1e-4 x the sample's largest |logit|."""
    floor = 1e-4 * np.abs(want).max(axis=1, keepdims=True)
    bad = np.abs(got - want) > 1e-4 * np.abs(want) + floor
    assert not bad.any(), f"{bad.sum()} logits differ, first in sample {bad.any(1).argmax()}"


# --- control semantics ------------------------------------------------------------------

@pytest.mark.parametrize("fixed", [None, FixedConfig()], ids=["float", "fixed"])
@pytest.mark.parametrize(("threshold", "exits"), [(0.3, [0, 0, 0]), (1.0, [1, 1, 1]),
                                                  (0.9, [0, 1, 1]), (0.7, [0, 1, 0])])
def test_exit_decision_all_none_some(fixed, threshold, exits):
    result = run_graph(staged(threshold), X_STAGED, fixed)
    np.testing.assert_array_equal(result.exits, exits)
    head = X_STAGED[:, :3]
    tail = np.maximum(X_STAGED @ np.array([[0, 0.5, 0], [0, 0, 0], [0, 0, 0], [1, 0, -1]])
                      + [0.25, 0, 0], 0)
    want = np.where(np.array(exits)[:, None] == 0, head, tail)
    np.testing.assert_allclose(result.logits, want, atol=1e-2 if fixed else 1e-6)


def test_fixed_raw_logits_are_the_data_format():
    result = run_graph(staged(0.9), X_STAGED, FixedConfig())
    assert result.raw is not None and result.raw.dtype == np.int64
    np.testing.assert_array_equal(result.logits, result.raw / 256.0)
    np.testing.assert_array_equal(result.raw[0], [2560, 0, 0])


def test_exit_heads_see_every_sample():
    head, final = exit_heads(staged(0.3), X_STAGED)
    np.testing.assert_allclose(head, X_STAGED[:, :3])
    assert final.shape == (3, 3)


def test_single_sample_and_empty_stages():
    one = run_graph(staged(0.3), X_STAGED[0])
    assert one.logits.shape == (1, 3) and one.exits.tolist() == [0]


def test_schedule_follows_data_not_text():
    program = Program.from_module(staged(0.5))
    names = [op.name for op in program.schedule]
    assert names.index("ee.linear", names.index("ee.condbuffer")) < names.index("ee.exit_merge")
    assert [ex.threshold for ex in program.exits] == [0.5, None]


# --- float kernels against onnxruntime --------------------------------------------------

def _ort_node(op_type: str, x: np.ndarray, inits: dict[str, np.ndarray], **attrs) -> np.ndarray:
    """Run one ONNX node on the batch `x` with onnxruntime."""
    node = helper.make_node(op_type, ["x", *inits], ["y"], **attrs)
    graph = helper.make_graph(
        [node], "k", [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x.shape))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [onnx.numpy_helper.from_array(v, k) for k, v in inits.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], ir_version=8)
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {"x": x})[0]


RNG = np.random.default_rng(0)
XK = RNG.standard_normal((3, 4, 9, 8)).astype(np.float32)


@pytest.mark.parametrize(("groups", "strides", "pads"), [(1, (1, 1), (0, 0, 0, 0)),
                                                        (2, (2, 1), (1, 2, 0, 1)),
                                                        (4, (1, 2), (2, 2, 2, 2))])
def test_conv_matches_onnxruntime(groups, strides, pads):
    from eecc.reference import float_ops as fo

    w = RNG.standard_normal((8, 4 // groups, 3, 2)).astype(np.float32)
    b = RNG.standard_normal(8).astype(np.float32)
    want = _ort_node("Conv", XK, {"w": w, "b": b}, group=groups, strides=strides, pads=pads)
    np.testing.assert_allclose(fo.conv(XK, w, b, strides, pads, groups), want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("cip", [0, 1])
def test_pools_match_onnxruntime(cip):
    from eecc.reference import float_ops as fo

    args = {"kernel_shape": (3, 2), "strides": (2, 2), "pads": (1, 0, 1, 1)}
    np.testing.assert_allclose(fo.maxpool(XK, (3, 2), (2, 2), (1, 0, 1, 1)),
                               _ort_node("MaxPool", XK, {}, **args))
    np.testing.assert_allclose(fo.avgpool(XK, (3, 2), (2, 2), (1, 0, 1, 1), bool(cip)),
                               _ort_node("AveragePool", XK, {}, count_include_pad=cip, **args),
                               rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(fo.global_pool(XK, "avg"), _ort_node("GlobalAveragePool", XK, {}),
                               rtol=1e-6, atol=1e-6)


# --- the trained B-LeNet ----------------------------------------------------------------

@pytest.fixture(scope="module")
def blenet():
    return Program.from_module(trained_blenet())


@pytest.fixture(scope="module")
def blenet_float(blenet):
    return run_graph(blenet, DIGITS["x"])


def test_trained_blenet_float_matches_onnxruntime(blenet_float):
    want = ort_run(EXAMPLES / "blenet" / "blenet.onnx", DIGITS["x"])
    assert_logits_close(blenet_float.logits, want)


def test_trained_blenet_exits_match_pytorch(blenet_float):
    torch = np.load(EXAMPLES / "blenet" / "torch_predictions.npz")
    np.testing.assert_array_equal(blenet_float.exits, torch["exit"])
    np.testing.assert_array_equal(blenet_float.classes, torch["pred"])


def test_trained_blenet_fixed_agrees_with_float(blenet, blenet_float):
    fixed = run_graph(blenet, DIGITS["x"], FixedConfig())
    assert (fixed.classes == blenet_float.classes).mean() >= 0.99
    assert (fixed.exits == blenet_float.exits).mean() >= 0.97


def _fixed_by_hand(program: Program, x: np.ndarray) -> tuple[np.ndarray, int]:
    """B-LeNet in fixed point, composed from `eecc.fixedpoint` kernels by hand."""
    w = {k: fp.quantize(v) for k, v in program.weights.items()}

    def conv(q, name, pad):
        return fp.conv2d(q, w[f"{name}.w"], w[f"{name}.b"], 1, (pad,) * 4)

    def block(q, name, pad):
        return fp.relu(fp.maxpool(conv(q, name, pad), 2))

    q = block(fp.quantize(x), "conv1", 4)
    head = fp.linear(block(q, "exit1.conv", 1).reshape(-1), w["exit1.fc.w"], w["exit1.fc.b"])
    if fp.exit_decision(head, 0.996):
        return head, 0
    q = block(block(q, "conv2", 4), "conv3", 3)
    return fp.linear(q.reshape(-1), w["fc.w"], w["fc.b"]), 1


def test_trained_blenet_fixed_is_bit_exact(blenet):
    x = DIGITS["x"][:24]
    result = run_graph(blenet, x, FixedConfig())
    for i, sample in enumerate(x):
        raw, taken = _fixed_by_hand(blenet, sample)
        np.testing.assert_array_equal(result.raw[i], raw)
        assert result.exits[i] == taken
    assert set(result.exits.tolist()) == {0, 1}


def test_fixed_formats_change_the_arithmetic(blenet):
    x = DIGITS["x"][:8]
    narrow = run_graph(blenet, x, FixedConfig(fp.FixedFormat(12, 6), fp.FixedFormat(10, 2)))
    default = run_graph(blenet, x, FixedConfig())
    assert narrow.raw.min() >= -(2**11) and narrow.raw.max() < 2**11
    assert not np.array_equal(narrow.raw, default.raw)
