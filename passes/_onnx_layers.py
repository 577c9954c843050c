"""Lowering of ONNX layer nodes to `ee` layer ops (one function per ONNX op type)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from xdsl.dialects.builtin import (
    DenseArrayBase,
    Float64Type,
    FloatAttr,
    IntegerAttr,
    StringAttr,
    UnitAttr,
    i64,
)
from xdsl.ir import Attribute, SSAValue

from eecc.dialects import ee
from eecc.dialects.onnx import NodeOp
from eecc.passes._onnx_affine import elementwise, sum_
from eecc.passes._onnx_attrs import float_, int_, ints, require, str_
from eecc.passes._onnx_convert import Converter, stream_type
from eecc.passes._onnx_pad import fold_pads, pad, window_input
from eecc.passes._onnx_values import Const, ConversionError, Value, describe

Lowering = Callable[[Converter, NodeOp], list[Value]]


def _out_type(op: NodeOp, index: int = 0) -> ee.StreamType:
    return stream_type(op.outs[index].type, f"{describe(op)} output {index}")


def _array(values: tuple[int, ...]) -> DenseArrayBase:
    return DenseArrayBase.from_list(i64, list(values))


def _window(op: NodeOp, kernel: tuple[int, ...]) -> dict[str, Attribute]:
    """kernel/strides/pads properties, after checking the attributes ee cannot express."""
    require(op, str_(op, "auto_pad", "NOTSET") in ("NOTSET", "VALID"),
            "uses auto_pad; re-export with explicit pads")
    require(op, set(ints(op, "dilations", (1, 1))) == {1}, "uses dilations != 1 (unsupported)")
    require(op, int_(op, "ceil_mode", 0) == 0, "uses ceil_mode=1 (unsupported)")
    require(op, len(kernel) == 2, f"has a {len(kernel)}-D window; only 2-D is supported")
    return {
        "kernel": _array(kernel),
        "strides": _array(ints(op, "strides", (1, 1))),
        "pads": _array(ints(op, "pads", (0, 0, 0, 0))),
    }


def conv(cx: Converter, op: NodeOp) -> list[Value]:
    x, padded = window_input(cx, op)
    w = cx.const(op.args[1], op)
    props = _window(op, ints(op, "kernel_shape", w.array.shape[2:]))
    fold_pads(op, x, props, padded)
    weight = cx.weight(w.name or f"{op.outs[0].name_hint or 'conv'}.weight", w.array, op)
    props["weight"] = weight
    if len(op.args) > 2 and cx.get(op.args[2]) is not None:
        b = cx.const(op.args[2], op)
        props["bias"] = cx.weight(b.name or f"{weight.root_reference.data}.bias", b.array)
    props["groups"] = IntegerAttr(int_(op, "group", 1), i64)
    new = ee.ConvOp.build(operands=[x], result_types=[_out_type(op)], properties=props)
    return [cx.emit(new, op).results[0]]


def pool(cx: Converter, op: NodeOp) -> list[Value]:
    x, padded = window_input(cx, op)
    require(op, len(op.outs) == 1 or not op.outs[1].uses, "uses the Indices output (unsupported)")
    props = _window(op, ints(op, "kernel_shape", ()))
    props["kind"] = StringAttr("max" if op.op_type.data == "MaxPool" else "avg")
    if op.op_type.data == "AveragePool" and int_(op, "count_include_pad", 0):
        props["count_include_pad"] = UnitAttr()
    fold_pads(op, x, props, padded)
    new = ee.PoolOp.build(operands=[x], result_types=[_out_type(op)], properties=props)
    return [cx.emit(new, op).results[0]]


def global_pool(cx: Converter, op: NodeOp) -> list[Value]:
    x = cx.stream(op.args[0], op)
    kind = "max" if op.op_type.data == "GlobalMaxPool" else "avg"
    return [_global(cx, op, x, kind)]


def _global(cx: Converter, op: NodeOp, x: SSAValue, kind: str) -> SSAValue:
    assert isinstance(x.type, ee.StreamType)
    out = ee.StreamType((x.type.channels, 1, 1), x.type.element_type)
    new = ee.GlobalPoolOp.build(operands=[x], result_types=[out], properties={"kind": StringAttr(kind)})
    return cx.emit(new, op).results[0]


def reduce_mean(cx: Converter, op: NodeOp) -> list[Value]:
    x = cx.stream(op.args[0], op)
    axes = ints(op, "axes")
    if axes is None and len(op.args) > 1 and cx.get(op.args[1]) is not None:
        axes = tuple(int(a) for a in cx.const(op.args[1], op).array.ravel())
    require(op, axes is not None and {a % 4 for a in axes} == {2, 3},
            "reduces over axes other than H, W; only the mean over (2, 3) is supported")
    pooled = _global(cx, op, x, "avg")
    if int_(op, "keepdims", 1):
        return [pooled]
    return [_flatten(cx, op, pooled)]


def relu(cx: Converter, op: NodeOp) -> list[Value]:
    x = cx.stream(op.args[0], op)
    return [cx.emit(ee.ReluOp.build(operands=[x], result_types=[x.type]), op).results[0]]


FLT_MAX = 3.4028234663852886e38  # ONNX Clip's default bounds are -/+ the float32 maximum


def _clip_bound(cx: Converter, op: NodeOp, index: int, name: str, default: float) -> float:
    """A Clip bound: opset 6's attribute, or opset 11+'s optional constant input."""
    if len(op.args) > index and cx.get(op.args[index]) is not None:
        got = cx.get(op.args[index])
        require(op, isinstance(got, Const) and got.array.size == 1,
                f"has a non-constant {name} input; the bounds must be scalar constants")
        assert isinstance(got, Const)
        return float(got.array.reshape(-1)[0])
    return float_(op, name, default)


def clip(cx: Converter, op: NodeOp) -> list[Value]:
    """`Clip(x, 0, m)` -> `ee.relu {max = m}` (ReLU6 for m = 6); `Clip(x, 0)` -> `ee.relu`."""
    x = cx.stream(op.args[0], op)
    lo = _clip_bound(cx, op, 1, "min", -FLT_MAX)
    hi = _clip_bound(cx, op, 2, "max", FLT_MAX)
    require(op, lo == 0.0 and hi > 0.0,
            f"clips to [{lo:g}, {hi:g}]; only Clip(min=0, max=m > 0) (a saturating ReLU, ReLU6) "
            "is supported")
    props = {} if hi >= FLT_MAX else {"max": FloatAttr(hi, Float64Type())}
    new = ee.ReluOp.build(operands=[x], result_types=[x.type], properties=props)
    return [cx.emit(new, op).results[0]]


def _flatten(cx: Converter, op: NodeOp, x: SSAValue) -> SSAValue:
    assert isinstance(x.type, ee.StreamType)
    if len(x.type.get_shape()) == 1:
        return x
    out = ee.StreamType((x.type.num_elements,), x.type.element_type)
    return cx.emit(ee.FlattenOp.build(operands=[x], result_types=[out]), op).results[0]


def flatten(cx: Converter, op: NodeOp) -> list[Value]:
    x = cx.stream(op.args[0], op)
    require(op, int_(op, "axis", 1) == 1, "flattens from an axis other than 1 (unsupported)")
    return [_flatten(cx, op, x)]


def reshape(cx: Converter, op: NodeOp) -> list[Value]:
    x = cx.stream(op.args[0], op)
    out = _out_type(op)
    require(op, len(out.get_shape()) == 1, "reshapes to a non-vector; only flattening is supported")
    return [_flatten(cx, op, x)]


def _linear(cx: Converter, op: NodeOp, x: SSAValue, w: np.ndarray, name: str,
            bias: Const | None) -> SSAValue:
    props = {"weight": cx.weight(name, w, op)}
    if bias is not None:
        require(op, bias.array.size == w.shape[0], f"bias has {bias.array.size} values, expected {w.shape[0]}")
        props["bias"] = cx.weight(bias.name or f"{name}.bias", bias.array.reshape(-1))
    assert isinstance(x.type, ee.StreamType)
    require(op, w.shape[1] == x.type.num_elements,
            f"has a {w.shape[0]}x{w.shape[1]} weight for {x.type.num_elements} inputs")
    out = ee.StreamType((w.shape[0],), x.type.element_type)
    return cx.emit(ee.LinearOp.build(operands=[x], result_types=[out], properties=props), op).results[0]


def gemm(cx: Converter, op: NodeOp) -> list[Value]:
    x = _flatten(cx, op, cx.stream(op.args[0], op))
    b = cx.const(op.args[1], op)
    require(op, int_(op, "transA", 0) == 0, "uses transA=1 (unsupported)")
    require(op, float_(op, "alpha", 1.0) == 1.0 and float_(op, "beta", 1.0) == 1.0,
            "uses alpha or beta != 1 (unsupported)")
    w = b.array if int_(op, "transB", 0) else b.array.T
    c = cx.get(op.args[2]) if len(op.args) > 2 else None
    bias = cx.const(op.args[2], op) if c is not None else None
    return [_linear(cx, op, x, w, b.name or "linear.weight", bias)]


def matmul(cx: Converter, op: NodeOp) -> list[Value]:
    x = _flatten(cx, op, cx.stream(op.args[0], op))
    b = cx.const(op.args[1], op)
    require(op, b.array.ndim == 2, "multiplies by a non-matrix constant")
    return [_linear(cx, op, x, b.array.T, b.name or "linear.weight", None)]


def batch_norm(cx: Converter, op: NodeOp) -> list[Value]:
    """Folds into the preceding `ee.conv`: w' = w * s, b' = (b - mean) * s + beta."""
    x = cx.stream(op.args[0], op)
    conv_op = x.owner
    ok = isinstance(conv_op, ee.ConvOp) and op.args[0].uses.get_length() == 1
    require(op, ok, "does not follow a Conv whose only user it is (only folding into a Conv is supported)")
    assert isinstance(conv_op, ee.ConvOp)
    gamma, beta, mean, var = (cx.const(v, op).array.astype(np.float64) for v in op.args[1:5])
    eps = float_(op, "epsilon", 1e-5)
    positive = np.isfinite(var + eps) & (var + eps > 0)
    if not positive.all():
        bad = float((var + eps)[~positive].reshape(-1)[0])
        require(op, False, f"has a variance of {bad} after epsilon; a variance must be positive")
    scale = gamma / np.sqrt(var + eps)
    w_name = conv_op.weight.root_reference.data
    cx.weights[w_name] = (cx.weights[w_name] * scale[:, None, None, None]).astype(np.float32)
    if conv_op.bias is None:
        conv_op.bias = cx.weight(f"{w_name}.bias", np.zeros_like(scale, dtype=np.float32))
    b_name = conv_op.bias.root_reference.data
    cx.weights[b_name] = ((cx.weights[b_name] - mean) * scale + beta).astype(np.float32)
    for name in (w_name, b_name):
        require(op, bool(np.isfinite(cx.weights[name]).all()),
                f"folds into '{name}' with non-finite values; check its parameters")
    return [x]



def dropout(cx: Converter, op: NodeOp) -> list[Value]:
    require(op, len(op.outs) == 1 or not op.outs[1].uses, "uses the mask output (unsupported)")
    return [cx.get(op.args[0])]


def identity(cx: Converter, op: NodeOp) -> list[Value]:
    return [cx.get(op.args[0])]


LAYERS: dict[str, Lowering] = {
    "Conv": conv, "MaxPool": pool, "AveragePool": pool, "GlobalAveragePool": global_pool,
    "GlobalMaxPool": global_pool, "ReduceMean": reduce_mean, "Relu": relu, "Clip": clip,
    "Flatten": flatten,
    "Reshape": reshape, "Gemm": gemm, "MatMul": matmul, "Add": elementwise, "Sub": elementwise,
    "Mul": elementwise, "Sum": sum_,
    "BatchNormalization": batch_norm, "Dropout": dropout, "Identity": identity, "Pad": pad,
}


def lower_node(cx: Converter, op: NodeOp) -> list[Value]:
    """Lower one ONNX node; an op type without a lowering is an error naming the node."""
    from eecc.passes._onnx_exits import EXIT_TEST
    from eecc.passes._onnx_plumbing import PLUMBING

    table = {**LAYERS, **PLUMBING, **EXIT_TEST}
    kind = op.op_type.data
    fn = table.get(kind) if op.domain is None or op.domain.data in ("", "ai.onnx") else None
    if fn is None:
        supported = ", ".join(sorted(table))
        raise ConversionError(f"{describe(op)} is not supported by convert-onnx-to-ee (supported: {supported})")
    return fn(cx, op)
