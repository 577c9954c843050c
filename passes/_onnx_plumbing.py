"""Compile-time evaluation of the constant plumbing around `Reshape` (shapes, constants)."""

from __future__ import annotations

import numpy as np
from onnx import helper
from xdsl.dialects.builtin import DenseIntOrFPElementsAttr, FloatAttr, IntegerAttr

from eecc.dialects import ee
from eecc.dialects.onnx import NodeOp
from eecc.passes._onnx_attrs import int_, ints, require
from eecc.passes._onnx_convert import Converter
from eecc.passes._onnx_values import Const, Value, describe, to_numpy


def constant(cx: Converter, op: NodeOp) -> list[Value]:
    for name, attr in sorted(op.attributes.items()):
        if isinstance(attr, DenseIntOrFPElementsAttr):
            return [Const(to_numpy(attr))]
        if isinstance(attr, IntegerAttr | FloatAttr) and name in ("value_int", "value_float"):
            return [Const(np.array(attr.value.data))]
    values = ints(op, "value_ints")
    require(op, values is not None, "has no value attribute eecc can read")
    return [Const(np.array(values, dtype=np.int64))]


def constant_of_shape(cx: Converter, op: NodeOp) -> list[Value]:
    """A constant tensor of a constant shape, filled with `value` (float32 0 by default)."""
    dims = tuple(int(d) for d in cx.const(op.args[0], op).array.ravel())
    attr = op.attributes.get("value")
    fill = to_numpy(attr).reshape(-1)[:1] if isinstance(attr, DenseIntOrFPElementsAttr) else None
    if fill is None:
        fill = np.zeros(1, dtype=np.float32)
    return [Const(np.full(dims, fill[0], dtype=fill.dtype))]


def shape(cx: Converter, op: NodeOp) -> list[Value]:
    got = cx.get(op.args[0])
    if isinstance(got, Const):
        dims = got.array.shape
    else:
        x = cx.stream(op.args[0], op)
        assert isinstance(x.type, ee.StreamType)
        dims = (1, *x.type.get_shape())
    start, end = int_(op, "start", 0), op.attributes.get("end")
    stop = int(end.value.data) if isinstance(end, IntegerAttr) else None
    return [Const(np.array(dims[start:stop], dtype=np.int64))]


def _axes(cx: Converter, op: NodeOp) -> tuple[int, ...]:
    axes = ints(op, "axes")
    if axes is None and len(op.args) > 1:
        axes = tuple(int(a) for a in cx.const(op.args[1], op).array.ravel())
    return axes or ()


def unsqueeze(cx: Converter, op: NodeOp) -> list[Value]:
    x = cx.const(op.args[0], op).array
    rank = x.ndim + len(_axes(cx, op))
    for axis in sorted(a % rank for a in _axes(cx, op)):
        x = np.expand_dims(x, axis)
    return [Const(x)]


def squeeze(cx: Converter, op: NodeOp) -> list[Value]:
    x = cx.const(op.args[0], op).array
    axes = _axes(cx, op)
    return [Const(np.squeeze(x, axis=tuple(a % x.ndim for a in axes)) if axes else np.squeeze(x))]


def gather(cx: Converter, op: NodeOp) -> list[Value]:
    data, indices = cx.const(op.args[0], op).array, cx.const(op.args[1], op).array
    return [Const(np.take(data, indices, axis=int_(op, "axis", 0)))]


def concat(cx: Converter, op: NodeOp) -> list[Value]:
    require(op, all(isinstance(cx.get(v), Const) for v in op.args),
            "concatenates feature maps; only a Concat of constants (shape plumbing) is supported")
    parts = [cx.const(v, op).array for v in op.args]
    return [Const(np.concatenate(parts, axis=int_(op, "axis", 0)))]


def cast_const(cx: Converter, op: NodeOp) -> Value:
    dtype = helper.tensor_dtype_to_np_dtype(int_(op, "to", 1))
    require(op, isinstance(cx.get(op.args[0]), Const), f"casts a value that is not a constant: {describe(op)}")
    return Const(cx.const(op.args[0], op).array.astype(dtype))


PLUMBING = {
    "Constant": constant, "Shape": shape, "Unsqueeze": unsqueeze, "Squeeze": squeeze,
    "Gather": gather, "Concat": concat, "ConstantOfShape": constant_of_shape,
}
