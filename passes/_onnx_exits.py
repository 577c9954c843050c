"""The early-exit pattern: `Softmax -> ReduceMax -> Greater(x, thr) [-> Cast] -> If`.

Softmax, ReduceMax, Greater and Cast build up an `ExitTest` instead of ops; the `If` that
consumes it becomes, with `d = ee.exit_decision(logits) {threshold}`:

- `ee.condbuffer(then result, d) {mode = "pass-on-exit"}`: the exit's result;
- `ee.condbuffer(v, d) {mode = "drop-on-exit"}` for each outer stream `v` the else branch
  reads (the backbone it continues from);
- the else branch inlined after them; a nested `If` there is the next exit.

The `If` becomes `Exits`: one stream per exit, merged by one `ee.exit_merge` where used.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from xdsl.dialects.builtin import Float64Type, FloatAttr, StringAttr
from xdsl.ir import Operation, SSAValue

from eecc.dialects import ee
from eecc.dialects.onnx import IfOp, NodeOp, ReturnOp, YieldOp
from eecc.passes._onnx_attrs import int_, ints, require
from eecc.passes._onnx_convert import Converter
from eecc.passes._onnx_plumbing import cast_const
from eecc.passes._onnx_values import (
    Const,
    ConversionError,
    Exits,
    ExitTest,
    Padded,
    Value,
    describe,
)

BOOL = 9


def softmax(cx: Converter, op: NodeOp) -> list[Value]:
    x = cx.stream(op.args[0], op)
    assert isinstance(x.type, ee.StreamType)
    require(op, len(x.type.get_shape()) == 1 and int_(op, "axis", -1) in (1, -1),
            "is not over the classes of a logits vector (axis 1 of 1xN)")
    users = [use.operation for use in op.outs[0].uses]
    tests = [u for u in users if isinstance(u, NodeOp) and u.op_type.data == "ReduceMax"]
    rest = [u for u in users if u not in tests]
    if users and _leave(rest):
        # an exit test, or a classifier's final Softmax: where the network returns it, it
        # returns the logits instead (argmax and every exit decision unchanged)
        return [ExitTest(x, "softmax") if tests else x]
    return [cx.emit(ee.SoftmaxOp.build(operands=[x], result_types=[x.type]), op).results[0]]


def _leave(users: list[Operation]) -> bool:
    """Whether these users only pass a value out of the network: returned, or yielded by an
    exit `If` whose result is itself only returned or yielded (through Identity nodes)."""
    for user in users:
        if isinstance(user, ReturnOp):
            continue
        if isinstance(user, NodeOp) and user.op_type.data == "Identity":
            if not _leave([use.operation for use in user.outs[0].uses]):
                return False
            continue
        parent = user.parent_op()
        if not isinstance(user, YieldOp) or not isinstance(parent, IfOp):
            return False
        outer = [use.operation for use in parent.outs[0].uses]
        if not outer or not _leave(outer):
            return False
    return True


def reduce_max(cx: Converter, op: NodeOp) -> list[Value]:
    test = cx.get(op.args[0])
    require(op, isinstance(test, ExitTest) and test.step == "softmax",
            "is not part of an exit test (Softmax -> ReduceMax -> Greater -> If)")
    assert isinstance(test, ExitTest)
    require(op, ints(op, "axes", (1,)) in ((1,), (-1,)) and len(op.args) == 1,
            "does not reduce over the class axis")
    return [ExitTest(test.logits, "max")]


def greater(cx: Converter, op: NodeOp) -> list[Value]:
    test, thr = cx.get(op.args[0]), cx.get(op.args[1])
    require(op, isinstance(test, ExitTest) and test.step == "max",
            "is not part of an exit test (Softmax -> ReduceMax -> Greater -> If)")
    if not isinstance(thr, Const) or thr.array.size != 1:
        raise ConversionError(
            f"{describe(op)} compares the exit confidence with a non-constant threshold; "
            "the threshold must be a scalar Constant or initializer"
        )
    assert isinstance(test, ExitTest)
    return [ExitTest(test.logits, "greater", _shortest(thr.array.ravel()[0]))]


def _shortest(value: np.floating) -> float:
    """The threshold as written in the model: 0.996 stored as float32 reads back as 0.996.

    The shortest decimal that rounds to the stored value keeps the comparison's meaning (no
    value of the model's precision lies between the two) and keeps the IR readable.
    """
    return float(np.format_float_positional(value, unique=True))


def cast(cx: Converter, op: NodeOp) -> list[Value]:
    test = cx.get(op.args[0])
    if isinstance(test, ExitTest):
        require(op, int_(op, "to", 0) == BOOL, "casts the exit test to a non-boolean type")
        return [test]
    return [cast_const(cx, op)]


EXIT_TEST = {"Softmax": softmax, "ReduceMax": reduce_max, "Greater": greater, "Cast": cast}


def lower_if(cx: Converter, op: IfOp) -> Exits:
    test = cx.get(op.cond)
    if not isinstance(test, ExitTest) or test.step != "greater" or test.threshold is None:
        raise ConversionError(
            f"{describe(op)} is not an exit test: its condition must be "
            "Greater(ReduceMax(Softmax(logits)), threshold) [-> Cast(to=BOOL)]"
        )
    require(op, len(op.outs) == 1, "has several outputs; an exit If yields the logits only")
    decision = ee.ExitDecisionOp.build(
        operands=[test.logits], result_types=[ee.ControlType()],
        properties={"threshold": FloatAttr(test.threshold, Float64Type())},
    )
    control = cx.emit(decision, op).results[0]
    exit_result = cx.lower_block(op.then_region.block)[0]
    exit_stream = _materialise(cx, exit_result, op)
    passed = _condbuffer(cx, op, exit_stream, control, "pass-on-exit")
    for outer in _outer_streams(cx, op.else_region.block.ops, op):
        cx.env[outer] = _drop_on_exit(cx, op, outer, control)
    rest = cx.lower_block(op.else_region.block)[0]
    if isinstance(rest, Exits):
        return Exits([passed, *rest.streams])
    return Exits([passed, _materialise(cx, rest, op)])


def _drop_on_exit(cx: Converter, op: IfOp, outer: SSAValue, control: SSAValue) -> Value:
    """The backbone value the else branch reads, behind a drop-on-exit condbuffer (a padded
    map keeps its pending `Pad`)."""
    got = cx.get(outer)
    if isinstance(got, Padded):
        return replace(got, stream=_condbuffer(cx, op, got.stream, control, "drop-on-exit"))
    return _condbuffer(cx, op, cx.stream(outer, op), control, "drop-on-exit")


def _materialise(cx: Converter, value: Value, op: Operation) -> SSAValue:
    if isinstance(value, Exits):
        return cx.merge(value, op)
    if isinstance(value, ExitTest) and value.step == "softmax":
        return value.logits  # a final Softmax that is also the exit test: its logits
    if not isinstance(value, SSAValue):
        raise ConversionError(f"{describe(op)} branch does not yield a feature map")
    return value


def _condbuffer(cx: Converter, op: Operation, x: SSAValue, control: SSAValue, mode: str) -> SSAValue:
    new = ee.CondBufferOp.build(operands=[x, control], result_types=[x.type],
                                properties={"mode": StringAttr(mode)})
    return cx.emit(new, op).results[0]


def _outer_streams(cx: Converter, ops, if_op: IfOp) -> list[SSAValue]:
    """Values defined outside `if_op` that its else branch (nested regions too) reads as maps."""
    found: list[SSAValue] = []
    for op in ops:
        for inner in op.walk():
            for value in inner.operands:
                owner = value.owner
                outside = not (isinstance(owner, Operation) and if_op.is_ancestor(owner))
                mapped = cx.env.get(value)
                is_map = isinstance(mapped, SSAValue | Exits | Padded)
                if outside and is_map and value not in found:
                    found.append(value)
    return found
