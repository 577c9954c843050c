"""The ONNX ops the usual networks need (issue 14): each imports into the `ee` op or lowering
it stands for, the float reference equals onnxruntime, the fixed-point reference agrees within
quantisation, and every refused form is a one-line error naming the node."""

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
from eecc.reference import FixedConfig, run_graph

F = TensorProto.FLOAT
RNG = np.random.default_rng(14)


def _save(tmp_path: Path, nodes: list, x_shape: list, y_shape: list, inits: dict | None = None,
          opset: int = 13, name: str = "m.onnx") -> Path:
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("x", F, x_shape)],
        [helper.make_tensor_value_info("y", F, y_shape)],
        [numpy_helper.from_array(_typed(a), n) for n, a in (inits or {}).items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 7 if opset < 13 else 10
    path = tmp_path / name
    onnx.save(model, path)
    return path


def _typed(a) -> np.ndarray:
    """int64 arrays stay int64 (pads, axes, shapes); anything else is float32."""
    a = np.asarray(a)
    return a if a.dtype == np.int64 else a.astype(np.float32)


def _convert(path: Path):
    module = import_model(path)
    ConvertOnnxToEEPass().apply(Context(), module)
    module.verify()
    return module


def _ops(module, kind) -> list:
    return [op for op in module.walk() if isinstance(op, kind)]


def _check_values(path: Path, module, x_shape: list, scale: float = 2.0) -> None:
    """float reference == onnxruntime; the fixed-point reference within 2^-6 per value."""
    ort = pytest.importorskip("onnxruntime")
    x = (RNG.standard_normal((3, *x_shape[1:])) * scale).astype(np.float32)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    want = np.concatenate([session.run(None, {"x": s[None]})[0] for s in x]).reshape(3, -1)
    got = run_graph(module, x).logits.reshape(3, -1)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    fixed = run_graph(module, x, fixed=FixedConfig()).logits.reshape(3, -1)
    np.testing.assert_allclose(fixed, want, atol=2.0 ** -6 * (1 + np.abs(want).max()))


def _fails(path: Path, capsys, *needles: str) -> None:
    from eecc.cli import main

    out = path.parent / "out"
    assert main(["compile", str(path), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" not in err and not out.exists()
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("eecc compile: error: "), err
    for needle in needles:
        assert needle in lines[0], lines[0]


# -- Clip -> saturating ReLU --------------------------------------------------------------------
def _clip_inputs(lo: float | None, hi: float | None) -> tuple[list[str], dict]:
    names, inits = ["x"], {}
    for key, v in (("lo", lo), ("hi", hi)):
        names.append("" if v is None else key)
        if v is not None:
            inits[key] = np.float32(v)
    while names[-1] == "":
        names.pop()
    return names, inits


@pytest.mark.parametrize(("opset", "lo", "hi", "bound"), [
    (10, 0.0, 6.0, 6.0), (13, 0.0, 6.0, 6.0), (11, 0.0, 0.5, 0.5), (13, 0.0, None, None)])
def test_clip_is_a_saturating_relu(tmp_path: Path, opset: int, lo, hi, bound) -> None:
    shape = [1, 2, 4, 4]
    if opset < 11:
        attrs = {k: v for k, v in (("min", lo), ("max", hi)) if v is not None}
        node, inits = helper.make_node("Clip", ["x"], ["y"], name="clip", **attrs), {}
    else:
        names, inits = _clip_inputs(lo, hi)
        node = helper.make_node("Clip", names, ["y"], name="clip")
    path = _save(tmp_path, [node], shape, shape, inits, opset=opset)
    module = _convert(path)
    (relu,) = _ops(module, ee.ReluOp)
    assert relu.bound == bound
    _check_values(path, module, shape, scale=4.0)


@pytest.mark.parametrize(("opset", "lo", "hi", "says"), [
    (10, -1.0, 1.0, "clips to [-1, 1]"), (13, None, 6.0, "clips to [-3.40282e+38, 6]"),
    (13, 0.0, -1.0, "clips to [0, -1]")])
def test_clip_other_ranges_are_refused(tmp_path: Path, capsys, opset: int, lo, hi, says) -> None:
    if opset < 11:
        node, inits = helper.make_node("Clip", ["x"], ["y"], name="clip", min=lo, max=hi), {}
    else:
        names, inits = _clip_inputs(lo, hi)
        node = helper.make_node("Clip", names, ["y"], name="clip")
    path = _save(tmp_path, [node], [1, 2, 4, 4], [1, 2, 4, 4], inits, opset=opset)
    _fails(path, capsys, "node 'clip' (Clip)", says, "only Clip(min=0, max=m > 0)")


def test_clip_with_a_computed_bound_is_refused(tmp_path: Path, capsys) -> None:
    nodes = [helper.make_node("Relu", ["x"], ["m"], name="relu"),
             helper.make_node("Clip", ["x", "lo", "m"], ["y"], name="clip")]
    path = _save(tmp_path, nodes, [1, 2, 4, 4], [1, 2, 4, 4], {"lo": np.float32(0)})
    _fails(path, capsys, "node 'clip' (Clip) has a non-constant max input")


# -- explicit zero Pad, folded into the next conv or pool --------------------------------------
W = RNG.standard_normal((3, 2, 3, 3)).astype(np.float32)


def _pad_node(opset: int, pads: list[int], inits: dict, mode: str = "constant", value: float = 0.0):
    if opset < 11:
        return helper.make_node("Pad", ["x"], ["p"], name="pad", pads=pads, mode=mode, value=value)
    inits["pads"] = np.array(pads, dtype=np.int64)
    names = ["x", "pads"]
    if value:
        inits["v"] = np.float32(value)
        names.append("v")
    return helper.make_node("Pad", names, ["p"], name="pad", mode=mode)


@pytest.mark.parametrize("opset", [10, 13])
def test_pad_folds_into_the_conv(tmp_path: Path, opset: int) -> None:
    inits: dict = {"w": W}
    nodes = [_pad_node(opset, [0, 0, 1, 2, 0, 0, 2, 0], inits),
             helper.make_node("Conv", ["p", "w"], ["y"], name="conv", pads=[1, 0, 0, 1])]
    path = _save(tmp_path, nodes, [1, 2, 5, 5], [1, 3, 7, 6], inits, opset=opset)
    module = _convert(path)
    (conv,) = _ops(module, ee.ConvOp)
    assert conv.pad_values == (2, 2, 2, 1)
    _check_values(path, module, [1, 2, 5, 5])


def test_pad_folds_into_pools(tmp_path: Path) -> None:
    """Into an average pool (the zeros count: count_include_pad) and, after a Relu, a max pool."""
    inits: dict = {}
    nodes = [_pad_node(13, [0, 0, 1, 1, 0, 0, 1, 1], inits),
             helper.make_node("AveragePool", ["p"], ["a"], name="avg", kernel_shape=[3, 3]),
             helper.make_node("Relu", ["a"], ["r"], name="relu"),
             helper.make_node("Pad", ["r", "pads"], ["q"], name="pad2"),
             helper.make_node("MaxPool", ["q"], ["y"], name="max", kernel_shape=[2, 2], strides=[2, 2])]
    path = _save(tmp_path, nodes, [1, 2, 6, 6], [1, 2, 4, 4], inits)
    module = _convert(path)
    avg, mx = _ops(module, ee.PoolOp)
    assert avg.count_include_pad is not None and avg.pad_values == (1, 1, 1, 1)
    assert mx.pad_values == (1, 1, 1, 1)
    _check_values(path, module, [1, 2, 6, 6])


def _pad_then(kind: str, **attrs):
    if kind == "Relu":
        return helper.make_node("Relu", ["p"], ["y"], name="next")
    return helper.make_node(kind, ["p"], ["y"], name="next", kernel_shape=[3, 3], **attrs)


@pytest.mark.parametrize(("pads", "mode", "value", "after", "says"), [
    ([0, 0, 1, 1, 0, 0, 1, 1], "reflect", 0.0, "AveragePool", "node 'pad' (Pad) uses mode 'reflect'"),
    ([0, 0, 1, 1, 0, 0, 1, 1], "constant", 1.5, "AveragePool", "node 'pad' (Pad) pads with 1.5"),
    ([0, 1, 1, 1, 0, 0, 1, 1], "constant", 0.0, "AveragePool", "node 'pad' (Pad) has pads [0, 1, 1"),
    ([0, 0, -1, 1, 0, 0, 1, 1], "constant", 0.0, "AveragePool", "node 'pad' (Pad) has pads [0, 0, -1"),
    ([0, 0, 1, 1, 0, 0, 1, 1], "constant", 0.0, "Relu", "node 'pad' (Pad) feeds node 'next' (Relu)"),
    ([0, 0, 1, 1, 0, 0, 1, 1], "constant", 0.0, "MaxPool", "node 'next' (MaxPool) follows node 'pad'"),
])
def test_pad_that_does_not_fold_is_refused(tmp_path: Path, capsys, pads, mode, value, after,
                                           says) -> None:
    inits: dict = {}
    nodes = [_pad_node(13, pads, inits, mode, value), _pad_then(after)]
    out = [1, 2, 4, 4] if after != "Relu" else [1, 2, 6, 6]
    path = _save(tmp_path, nodes, [1, 2, 4, 4], out, inits)
    _fails(path, capsys, says)


def test_pad_as_the_graph_output_is_refused(tmp_path: Path, capsys) -> None:
    inits: dict = {}
    path = _save(tmp_path, [_pad_node(13, [0, 0, 1, 1, 0, 0, 1, 1], inits)], [1, 2, 4, 4],
                 [1, 2, 6, 6], inits)
    onnx_model = onnx.load(path)
    onnx_model.graph.output[0].name = "p"
    onnx.save(onnx_model, path)
    _fails(path, capsys, "node 'pad' (Pad) is a graph output; an explicit zero Pad folds only")


def test_pad_before_a_padded_average_pool_is_refused(tmp_path: Path, capsys) -> None:
    inits: dict = {}
    nodes = [_pad_node(13, [0, 0, 1, 1, 0, 0, 1, 1], inits),
             _pad_then("AveragePool", pads=[1, 1, 1, 1])]
    path = _save(tmp_path, nodes, [1, 2, 4, 4], [1, 2, 6, 6], inits)
    _fails(path, capsys, "node 'next' (AveragePool) has pads of its own after node 'pad' (Pad)")


# -- Add / Sub / Mul by a constant, folded into the conv or linear layer before ----------------
@pytest.mark.parametrize(("kind", "const"), [
    ("Mul", np.float32(0.5)), ("Mul", RNG.standard_normal((1, 3, 1, 1))),
    ("Add", RNG.standard_normal((3, 1, 1))), ("Sub", np.float32(0.25)),
    ("Mul", RNG.standard_normal((1, 1, 1, 1)))])
def test_constant_folds_into_the_conv(tmp_path: Path, kind: str, const) -> None:
    nodes = [helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv", pads=[1, 1, 1, 1]),
             helper.make_node(kind, ["c", "k"], ["y"], name="op")]
    inits = {"w": W, "b": RNG.standard_normal(3), "k": const}
    path = _save(tmp_path, nodes, [1, 2, 5, 5], [1, 3, 5, 5], inits)
    module = _convert(path)
    assert [type(op) for op in module.body.block.ops.last.body.block.ops] == [ee.ConvOp, ee.OutputOp]
    _check_values(path, module, [1, 2, 5, 5])


def test_constants_fold_into_a_linear_layer(tmp_path: Path) -> None:
    """MatMul, then Mul by a per-class scale (constant first), then Add of a bias."""
    nodes = [helper.make_node("Flatten", ["x"], ["f"], name="flat"),
             helper.make_node("MatMul", ["f", "w"], ["m"], name="mm"),
             helper.make_node("Mul", ["s", "m"], ["n"], name="scale"),
             helper.make_node("Add", ["n", "b"], ["y"], name="bias")]
    inits = {"w": RNG.standard_normal((8, 4)), "s": RNG.standard_normal(4), "b": RNG.standard_normal(4)}
    path = _save(tmp_path, nodes, [1, 8], [1, 4], inits)
    module = _convert(path)
    (linear,) = _ops(module, ee.LinearOp)
    assert linear.bias is not None
    _check_values(path, module, [1, 8])


@pytest.mark.parametrize(("nodes", "const", "says"), [
    ([("Relu", ["c"], ["r"]), ("Mul", ["r", "k"], ["y"])], np.float32(2),
     "node 'op' (Mul) multiplies by a constant after something other than a Conv"),
    ([("Mul", ["c", "k"], ["y"])], RNG.standard_normal((1, 3, 5, 5)),
     "node 'op' (Mul) has a 1x3x5x5 constant; only a scalar or one value per channel"),
    ([("Add", ["c", "k"], ["y"])], RNG.standard_normal(5),
     "node 'op' (Add) has a 5 constant; only a scalar or one value per channel (broadcast as 1x3x1x1)"),
    ([("Sub", ["k", "c"], ["y"])], np.float32(1),
     "node 'op' (Sub) subtracts a feature map from a constant"),
    ([("Relu", ["c"], ["r"]), ("Mul", ["r", "c"], ["y"])], np.float32(1),
     "node 'op' (Mul) multiplies by a feature map; only Add of two maps"),
])
def test_constant_that_does_not_fold_is_refused(tmp_path: Path, capsys, nodes, const, says) -> None:
    names = ["relu"] * (len(nodes) - 1) + ["op"]
    made = [helper.make_node("Conv", ["x", "w"], ["c"], name="conv", pads=[1, 1, 1, 1])]
    made += [helper.make_node(k, i, o, name=n) for (k, i, o), n in zip(nodes, names, strict=True)]
    path = _save(tmp_path, made, [1, 2, 5, 5], [1, 3, 5, 5], {"w": W, "k": const})
    _fails(path, capsys, says)


# -- Sum of maps, old-opset Dropout ------------------------------------------------------------
@pytest.mark.parametrize("n", [2, 3])
def test_sum_of_maps_is_a_chain_of_adds(tmp_path: Path, n: int) -> None:
    nodes = [helper.make_node("Conv", ["x", "w"], ["c"], name="conv", pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["c"], ["r"], name="relu"),
             helper.make_node("Sum", ["c", "r", "c"][:n], ["y"], name="sum")]
    path = _save(tmp_path, nodes, [1, 2, 5, 5], [1, 3, 5, 5], {"w": W})
    module = _convert(path)
    assert len(_ops(module, ee.AddOp)) == n - 1
    _check_values(path, module, [1, 2, 5, 5], scale=0.5)


@pytest.mark.parametrize(("inputs", "says"), [
    (["x", "k"], "node 'sum' (Sum) sums a constant; only a Sum of feature maps is supported"),
    (["x", "p"], "node 'sum' (Sum) sums !ee.stream<2x5x5xf32> and !ee.stream<2x2x2xf32>"),
])
def test_sum_that_is_not_of_maps_is_refused(tmp_path: Path, capsys, inputs, says) -> None:
    nodes = [helper.make_node("MaxPool", ["x"], ["p"], name="pool", kernel_shape=[2, 2], strides=[2, 2]),
             helper.make_node("Sum", inputs, ["y"], name="sum")]
    path = _save(tmp_path, nodes, [1, 2, 5, 5], [1, 2, 5, 5], {"k": np.float32(1)})
    _fails(path, capsys, says)


@pytest.mark.parametrize("opset", [7, 10, 13])
def test_dropout_with_a_mask_output_vanishes(tmp_path: Path, opset: int) -> None:
    """Opset 7's mask has no inferred type; unused, it is imported as `none` and dropped."""
    attrs = {"ratio": 0.5} if opset < 12 else {}
    nodes = [helper.make_node("Dropout", ["x"], ["d", "mask"], name="drop", **attrs),
             helper.make_node("Relu", ["d"], ["y"], name="relu")]
    path = _save(tmp_path, nodes, [1, 2, 4, 4], [1, 2, 4, 4], opset=opset)
    module = _convert(path)
    assert [type(op) for op in module.body.block.ops.last.body.block.ops] == [ee.ReluOp, ee.OutputOp]
    from eecc.cli import main

    assert main(["import", str(path), "-o", str(tmp_path / "m.mlir")]) == 0
    assert "none" in (tmp_path / "m.mlir").read_text() or opset >= 10


def test_dropout_mask_that_is_read_is_refused(tmp_path: Path, capsys) -> None:
    nodes = [helper.make_node("Dropout", ["x"], ["y", "mask"], name="drop", ratio=0.5),
             helper.make_node("Relu", ["mask"], ["z"], name="relu")]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", F, [1, 2, 4, 4])],
                              [helper.make_tensor_value_info("y", F, [1, 2, 4, 4]),
                               helper.make_tensor_value_info("z", F, [1, 2, 4, 4])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 7)])
    model.ir_version = 7
    onnx.save(model, tmp_path / "m.onnx")
    _fails(tmp_path / "m.onnx", capsys, "node 'drop' (Dropout) output 'mask' has no known type")


# -- a classifier's final Softmax --------------------------------------------------------------
def test_final_softmax_vanishes(tmp_path: Path) -> None:
    """The network returns the logits: argmax unchanged, softmax of them is onnxruntime's."""
    ort = pytest.importorskip("onnxruntime")
    nodes = [helper.make_node("Gemm", ["x", "w", "b"], ["l"], name="fc", transB=1),
             helper.make_node("Softmax", ["l"], ["y"], name="prob", axis=1)]
    inits = {"w": RNG.standard_normal((5, 8)), "b": RNG.standard_normal(5)}
    path = _save(tmp_path, nodes, [1, 8], [1, 5], inits)
    module = _convert(path)
    assert not _ops(module, ee.SoftmaxOp)
    x = RNG.standard_normal((4, 8)).astype(np.float32)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    want = np.concatenate([session.run(None, {"x": s[None]})[0] for s in x])
    logits = run_graph(module, x).logits
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    np.testing.assert_allclose(e / e.sum(axis=1, keepdims=True), want, rtol=1e-5, atol=1e-6)
    assert (logits.argmax(axis=1) == want.argmax(axis=1)).all()


def test_softmax_inside_the_network_stays(tmp_path: Path) -> None:
    nodes = [helper.make_node("Gemm", ["x", "w"], ["l"], name="fc", transB=1),
             helper.make_node("Softmax", ["l"], ["s"], name="prob", axis=1),
             helper.make_node("Gemm", ["s", "w2"], ["y"], name="fc2", transB=1)]
    inits = {"w": RNG.standard_normal((5, 8)), "w2": RNG.standard_normal((3, 5))}
    module = _convert(_save(tmp_path, nodes, [1, 8], [1, 3], inits))
    assert len(_ops(module, ee.SoftmaxOp)) == 1


def test_exit_networks_final_softmax_vanishes(tmp_path: Path) -> None:
    """A TorchScript early-exit export whose exits both return softmax(logits): no
    `ee.softmax` is left, the exit decision is unchanged, argmax is torch's."""
    torch = pytest.importorskip("torch")
    import torch.nn.functional as tf

    class Net(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv = torch.nn.Conv2d(1, 2, 3, padding=1)
            self.head = torch.nn.Linear(32, 3)
            self.tail = torch.nn.Linear(32, 3)

        def forward(self, x):
            h = torch.relu(self.conv(x)).flatten(1)
            y = self.head(h)
            if torch.max(tf.softmax(y, dim=1)) > 0.6:
                return tf.softmax(y, dim=1)
            return tf.softmax(self.tail(h), dim=1)

    torch.manual_seed(0)
    net = torch.jit.script(Net().eval())
    path = tmp_path / "ee.onnx"
    torch.onnx.export(net, (torch.zeros(1, 1, 4, 4),), str(path), opset_version=13, dynamo=False,
                      input_names=["x"], output_names=["y"])
    module = _convert(path)
    assert not _ops(module, ee.SoftmaxOp) and len(_ops(module, ee.ExitDecisionOp)) == 1
    x = torch.randn(16, 1, 4, 4) * 3
    with torch.no_grad():
        want = torch.cat([net(s[None]) for s in x]).numpy()
    got = run_graph(module, x.numpy()).logits
    assert (got.argmax(axis=1) == want.argmax(axis=1)).all()


# -- the model-zoo graphs shipped in the onnx wheel --------------------------------------------
ZOO = Path(onnx.__file__).parent / "backend" / "test" / "data" / "light"
ZOO_OUTCOME = {
    "bvlc_alexnet": "node 'n2' (LRN) is not supported by convert-onnx-to-ee (supported: Add,",
    "densenet121": "node 'n8' (BatchNormalization) does not follow a Conv whose only user it is",
    "inception_v1": "node 'n3' (LRN) is not supported by convert-onnx-to-ee (supported: Add,",
    "inception_v2": "node 'n73' (Concat) concatenates feature maps; only a Concat of constants",
    "resnet50": None,
    "shufflenet": "node 'n7' (Reshape) output 0 has shape 1x4x28x56x56; expected 1xN or 1xCxHxW",
    "squeezenet": "node 'n9' (Concat) concatenates feature maps; only a Concat of constants",
    "vgg19": "node 'n38' (Gemm) has a weight 'linear.weight' of 102760448 values; eecc supports "
             "weights of at most 16777216",
    "zfnet512": "node 'n2' (LRN) is not supported by convert-onnx-to-ee (supported: Add,",
}


def test_the_zoo_list_is_the_wheels() -> None:
    if not ZOO.is_dir():
        pytest.skip("this onnx wheel ships no light model-zoo graphs")
    assert sorted(p.name.removeprefix("light_").removesuffix(".onnx")
                  for p in ZOO.glob("light_*.onnx")) == sorted(ZOO_OUTCOME)


@pytest.mark.parametrize("name", sorted(ZOO_OUTCOME))
def test_zoo_graph_converts_or_names_the_node(tmp_path: Path, capsys, name: str) -> None:
    """Each converts to `ee` (weights are the wheel's constant fills), or `eecc compile` stops
    with one line naming the node and what is supported."""
    path = ZOO / f"light_{name}.onnx"
    if not path.exists():
        pytest.skip(f"{path.name} is not in this onnx wheel")
    want = ZOO_OUTCOME[name]
    if want is None:
        module = _convert(path)
        assert _ops(module, ee.ConvOp) and _ops(module, ee.LinearOp)
        return
    _fails(path, capsys, want)


# -- grouped and depthwise conv ----------------------------------------------------------------
@pytest.mark.parametrize("group", [2, 8])
def test_grouped_conv_imports_and_is_priced_per_group(tmp_path: Path, group: int) -> None:
    """Conv(group=g): values are onnxruntime's; unfolded, each of the 8 filters has its
    8/g channels' multipliers (8 * 8/g * 9 DSPs, a full conv would have 8 * 8 * 9)."""
    from eecc.cost import Fold, load_platform
    from eecc.cost.ops import latency_cycles, resources

    w = RNG.standard_normal((8, 8 // group, 3, 3)).astype(np.float32) * 0.3
    nodes = [helper.make_node("Conv", ["x", "w"], ["y"], name="conv", group=group, pads=[1, 1, 1, 1])]
    path = _save(tmp_path, nodes, [1, 8, 6, 6], [1, 8, 6, 6], {"w": w})
    module = _convert(path)
    (conv,) = _ops(module, ee.ConvOp)
    assert conv.groups.value.data == group
    _check_values(path, module, [1, 8, 6, 6], scale=1.0)
    cost = resources(conv, Fold(8, 8, 9), load_platform("zc706"))
    assert cost.dsp == 8 * (8 // group) * 9
    # row by row: 8 row fills of 8*8 words, 6 output rows of 6*(8/g) MACs at ii 2, depth 10
    rows = 6 * (10 + (6 * (8 // group) - 1) * 2)
    assert latency_cycles(conv, Fold(1, 8, 9)) == 1 + 8 * (1 + 8 * 8 + 1) + rows


# -- a torch export with all of them -----------------------------------------------------------
def test_torchscript_export_of_zeropad_relu6_depthwise_and_scaled_softmax(tmp_path: Path) -> None:
    """`nn.ZeroPad2d` (TorchScript computes its pads from constants: folded at import),
    `nn.ReLU6`, a depthwise conv and `softmax(fc(h) * 2)`: one chain of conv, relu {max = 6},
    conv, relu, flatten, linear; the probabilities are torch's."""
    torch = pytest.importorskip("torch")

    class Net(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.pad = torch.nn.ZeroPad2d((1, 2, 1, 0))
            self.conv = torch.nn.Conv2d(2, 4, 3)
            self.act = torch.nn.ReLU6()
            self.dw = torch.nn.Conv2d(4, 4, 3, padding=1, groups=4)
            self.fc = torch.nn.Linear(96, 3)

        def forward(self, x):
            h = self.act(self.dw(self.act(self.conv(self.pad(x)))))
            return torch.softmax(self.fc(h.flatten(1)) * 2.0, dim=1)

    torch.manual_seed(1)
    net = Net().eval()
    path = tmp_path / "net.onnx"
    torch.onnx.export(net, (torch.zeros(1, 2, 5, 5),), str(path), opset_version=13, dynamo=False,
                      input_names=["x"])
    module = _convert(path)
    kinds = [type(op) for op in module.body.block.ops.last.body.block.ops]
    assert kinds == [ee.ConvOp, ee.ReluOp, ee.ConvOp, ee.ReluOp, ee.FlattenOp, ee.LinearOp, ee.OutputOp]
    first, depthwise = _ops(module, ee.ConvOp)
    assert first.pad_values == (1, 1, 0, 2) and depthwise.groups.value.data == 4
    assert [r.bound for r in _ops(module, ee.ReluOp)] == [6.0, 6.0]
    x = torch.randn(8, 2, 5, 5) * 4
    with torch.no_grad():
        want = net(x).numpy()
    logits = run_graph(module, x.numpy()).logits
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    np.testing.assert_allclose(e / e.sum(axis=1, keepdims=True), want, rtol=1e-4, atol=1e-6)


def test_pad_with_axes_folds_into_the_conv(tmp_path: Path) -> None:
    """Opset 18's `axes` input: pads [top, left, bottom, right] of axes (2, 3) only."""
    inits = {"w": W, "pads": np.array([1, 0, 2, 1], dtype=np.int64),
             "axes": np.array([2, -1], dtype=np.int64)}
    nodes = [helper.make_node("Pad", ["x", "pads", "", "axes"], ["p"], name="pad"),
             helper.make_node("Conv", ["p", "w"], ["y"], name="conv")]
    path = _save(tmp_path, nodes, [1, 2, 5, 5], [1, 3, 6, 4], inits, opset=18)
    module = _convert(path)
    (conv,) = _ops(module, ee.ConvOp)
    assert conv.pad_values == (1, 0, 2, 1)
    _check_values(path, module, [1, 2, 5, 5])


def test_pad_before_an_exit_folds_into_the_later_conv(tmp_path: Path) -> None:
    """A ZeroPad2d computed before an exit test and read in the else branch: the drop-on-exit
    condbuffer carries the unpadded map and the later conv takes the pads."""
    torch = pytest.importorskip("torch")
    import torch.nn.functional as tf

    class Net(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.pad = torch.nn.ZeroPad2d(1)
            self.head = torch.nn.Linear(16, 3)
            self.conv = torch.nn.Conv2d(1, 2, 3)
            self.tail = torch.nn.Linear(32, 3)

        def forward(self, x):
            p = self.pad(x)
            y = self.head(x.flatten(1))
            if torch.max(tf.softmax(y, dim=1)) > 0.5:
                return y
            return self.tail(torch.relu(self.conv(p)).flatten(1))

    torch.manual_seed(2)
    net = torch.jit.script(Net().eval())
    path = tmp_path / "ee.onnx"
    torch.onnx.export(net, (torch.zeros(1, 1, 4, 4),), str(path), opset_version=13, dynamo=False,
                      input_names=["x"], output_names=["y"])
    module = _convert(path)
    (conv,) = _ops(module, ee.ConvOp)
    assert conv.pad_values == (1, 1, 1, 1)
    assert isinstance(conv.input.owner, ee.CondBufferOp)
    x = torch.randn(16, 1, 4, 4) * 2
    with torch.no_grad():
        want = torch.cat([net(s[None]) for s in x]).numpy()
    result = run_graph(module, x.numpy())
    np.testing.assert_allclose(result.logits, want, rtol=1e-4, atol=1e-5)
    assert 0 < (result.exits == 0).sum() < len(x)
