"""`Add`, `Sub` and `Mul` with a constant, folded into the conv or linear layer before them.

`y = conv(x) * s + b` per output channel is again a conv: the weights of channel `f` scale by
`s[f]`, the bias becomes `bias * s + b`. That holds for a scalar or a per-channel constant (one
that broadcasts to 1xCx1x1, or 1xN after a linear layer) when the layer's only user is the
`Add`/`Mul`; anything else (a constant that varies over H or W, a layer with other users, a
constant after a pool or an activation) is an error naming the node.
"""

from __future__ import annotations

import numpy as np
from xdsl.ir import SSAValue

from eecc.dialects import ee
from eecc.dialects.onnx import NodeOp
from eecc.passes._onnx_attrs import require
from eecc.passes._onnx_convert import Converter
from eecc.passes._onnx_values import Const, Value

KINDS = {"Add": "adds", "Sub": "subtracts", "Mul": "multiplies by"}


def elementwise(cx: Converter, op: NodeOp) -> list[Value]:
    """`Add` of two maps (`ee.add`), or `Add`/`Sub`/`Mul` with a constant (folded)."""
    kind = op.op_type.data
    lhs, rhs = cx.get(op.args[0]), cx.get(op.args[1])
    if isinstance(lhs, Const) or isinstance(rhs, Const):
        return [_fold_constant(cx, op)]
    require(op, kind == "Add", f"{KINDS[kind]} a feature map; only Add of two maps and a "
            f"{kind} with a constant (folded into the layer before) are supported")
    a, b = cx.stream(op.args[0], op), cx.stream(op.args[1], op)
    require(op, a.type == b.type, f"adds {a.type} and {b.type}; shapes must match")
    return [cx.emit(ee.AddOp.build(operands=[a, b], result_types=[a.type]), op).results[0]]


def sum_(cx: Converter, op: NodeOp) -> list[Value]:
    """`Sum` of maps: a chain of `ee.add` (one for two maps, the residual add)."""
    require(op, not any(isinstance(cx.get(v), Const) for v in op.args),
            "sums a constant; only a Sum of feature maps is supported")
    maps = [cx.stream(v, op) for v in op.args]
    total = maps[0]
    for other in maps[1:]:
        require(op, other.type == total.type, f"sums {total.type} and {other.type}; shapes must match")
        total = cx.emit(ee.AddOp.build(operands=[total, other], result_types=[total.type]), op).results[0]
    return [total]


def _fold_constant(cx: Converter, op: NodeOp) -> SSAValue:
    kind = op.op_type.data
    index = 0 if isinstance(cx.get(op.args[1]), Const) else 1
    require(op, kind != "Sub" or index == 0,
            "subtracts a feature map from a constant; only x - constant is supported")
    x, c = cx.stream(op.args[index], op), cx.const(op.args[1 - index], op)
    layer = x.owner
    ok = isinstance(layer, ee.ConvOp | ee.LinearOp) and op.args[index].uses.get_length() == 1
    require(op, ok, f"{KINDS[kind]} a constant after something other than a Conv, Gemm or MatMul "
            "whose only user it is (a constant Add/Sub/Mul folds only into such a layer)")
    assert isinstance(layer, ee.ConvOp | ee.LinearOp)
    assert isinstance(x.type, ee.StreamType)
    vector = _per_channel(op, c.array, x.type.get_shape())
    if kind == "Mul":
        _scale(cx, layer, vector)
    else:
        _shift(cx, layer, vector if kind == "Add" else -vector, c.name)
    return x


def _per_channel(op: NodeOp, array: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The constant as one value per output channel, if it broadcasts as 1xCx1x1 (or 1xN)."""
    full = (1, *shape)
    require(op, array.ndim <= len(full), f"has a rank-{array.ndim} constant for a rank-"
            f"{len(full)} map")
    dims = (1,) * (len(full) - array.ndim) + array.shape
    ok = all(d == 1 for i, d in enumerate(dims) if i != 1) and dims[1] in (1, full[1])
    shown = "x".join(map(str, array.shape)) or "scalar"
    require(op, ok, f"has a {shown} constant; only a scalar or one value per channel (broadcast "
            f"as 1x{full[1]}{'x1x1' if len(full) == 4 else ''}) folds into the layer before")
    return np.broadcast_to(array.astype(np.float64).reshape(-1), (full[1],)).copy()


def _bias_name(cx: Converter, layer: ee.ConvOp | ee.LinearOp, channels: int,
               hint: str | None) -> str:
    """The layer's bias symbol; a new zero one (named after the constant) if it has none."""
    if layer.bias is None:
        name = hint or f"{layer.weight.root_reference.data}.bias"
        layer.bias = cx.weight(name, np.zeros(channels, dtype=np.float32))
    return layer.bias.root_reference.data


def _scale(cx: Converter, layer: ee.ConvOp | ee.LinearOp, s: np.ndarray) -> None:
    w_name = layer.weight.root_reference.data
    w = cx.weights[w_name]
    cx.weights[w_name] = (w * s.reshape(-1, *([1] * (w.ndim - 1)))).astype(np.float32)
    if layer.bias is not None:
        b_name = layer.bias.root_reference.data
        cx.weights[b_name] = (cx.weights[b_name] * s).astype(np.float32)


def _shift(cx: Converter, layer: ee.ConvOp | ee.LinearOp, b: np.ndarray,
           hint: str | None) -> None:
    name = _bias_name(cx, layer, b.size, hint)
    cx.weights[name] = (cx.weights[name] + b).astype(np.float32)
