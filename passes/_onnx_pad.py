"""Explicit zero `Pad` (torch `nn.ZeroPad2d`, some AlexNets), folded into the next window op.

`Pad` becomes `Padded` (no op): the conv or pool that reads it adds the pads to its own. That
is exact for a conv (zeros contribute nothing), for an average pool without pads of its own
(the padded zeros are then counted, `count_include_pad`), and for a max pool whose input is
a ReLU's output (no value is below zero, and every window keeps a real value).
"""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import DenseArrayBase, UnitAttr, i64
from xdsl.ir import Attribute, SSAValue

from eecc.dialects import ee
from eecc.dialects.onnx import NodeOp
from eecc.passes._onnx_attrs import float_, ints, require, str_
from eecc.passes._onnx_convert import Converter
from eecc.passes._onnx_values import Const, Padded, Value, describe


def _input(cx: Converter, op: NodeOp, index: int, what: str) -> np.ndarray | None:
    if len(op.args) <= index or cx.get(op.args[index]) is None:
        return None
    got = cx.get(op.args[index])
    require(op, isinstance(got, Const), f"has a non-constant {what} input; it must be a constant")
    assert isinstance(got, Const)
    return got.array


def pad(cx: Converter, op: NodeOp) -> list[Value]:
    """opset 2 (`pads`, `value` attributes) or 11+ (`pads`, `constant_value`, `axes` inputs)."""
    x = cx.stream(op.args[0], op)
    require(op, str_(op, "mode", "constant") == "constant",
            f"uses mode '{str_(op, 'mode', 'constant')}'; only constant zero padding is supported")
    given = _input(cx, op, 1, "pads")
    pads = ints(op, "pads") if given is None else tuple(int(v) for v in given.ravel())
    value = _input(cx, op, 2, "constant_value")
    fill = float_(op, "value", 0.0) if value is None else float(value.ravel()[0])
    require(op, fill == 0.0, f"pads with {fill:g}; only zero padding is supported")
    axes = _input(cx, op, 3, "axes")
    assert isinstance(x.type, ee.StreamType)
    full = _full_pads(op, pads, axes, len(x.type.get_shape()) + 1)
    begin, end = full[: len(full) // 2], full[len(full) // 2:]
    spatial = len(full) == 8 and begin[:2] == end[:2] == (0, 0)
    require(op, spatial and min(full) >= 0,
            f"has pads {list(full)}; only non-negative padding of H and W (N, C unpadded) is supported")
    return [Padded(x, (begin[2], begin[3], end[2], end[3]), describe(op))]


def _full_pads(op: NodeOp, pads: tuple[int, ...] | None, axes: np.ndarray | None,
               rank: int) -> tuple[int, ...]:
    require(op, pads is not None, "has no pads")
    assert pads is not None
    if axes is None:
        require(op, len(pads) == 2 * rank, f"has {len(pads)} pads for a rank-{rank} input")
        return pads
    picked = [int(a) % rank for a in axes.ravel()]
    require(op, len(pads) == 2 * len(picked), f"has {len(pads)} pads for {len(picked)} axes")
    full = [0] * (2 * rank)
    for i, axis in enumerate(picked):
        full[axis], full[rank + axis] = pads[i], pads[len(picked) + i]
    return tuple(full)


def window_input(cx: Converter, op: NodeOp) -> tuple[SSAValue, Padded | None]:
    """The stream a conv or pool reads, and the `Pad` in front of it (or None)."""
    got = cx.get(op.args[0])
    if isinstance(got, Padded):
        return got.stream, got
    return cx.stream(op.args[0], op), None


def fold_pads(op: NodeOp, x: SSAValue, props: dict[str, Attribute], padded: Padded | None) -> None:
    """Add a folded `Pad`'s pads to a window op's properties, where that is exact."""
    if padded is None:
        return
    extra, origin = padded.pads, padded.origin
    own = tuple(int(v) for v in props["pads"].get_values())  # type: ignore[attr-defined]
    kind = op.op_type.data
    if kind == "AveragePool":
        require(op, not any(own) or "count_include_pad" in props,
                f"has pads of its own after {origin}; the zeros of a Pad count in the average, "
                "so only count_include_pad=1 or an unpadded pool folds it")
        props["count_include_pad"] = UnitAttr()
    if kind == "MaxPool":
        kernel = tuple(int(v) for v in props["kernel"].get_values())  # type: ignore[attr-defined]
        total = [a + b for a, b in zip(own, extra, strict=True)]
        exact = isinstance(x.owner, ee.ReluOp) and all(p < kernel[i % 2] for i, p in enumerate(total))
        require(op, exact, f"follows {origin}; zero padding folds into a MaxPool only after a "
                "Relu and with pads smaller than the kernel")
    merged = [a + b for a, b in zip(own, extra, strict=True)]
    props["pads"] = DenseArrayBase.from_list(i64, merged)
