"""Deterministic, descriptive C identifiers for the hardware of an `ee.graph`.

Every op that becomes a call into the HLS library (a hardware op or an `ee.repack`) gets a
name that says what it is and how big: `ee_conv_5x32x32_k5` (output map, kernel),
`ee_maxpool_5x16x16_k2` (a stride is named when it is not the usual one), `ee_linear_640_10`, `ee_condbuffer_5x16x16_d32` (map, depth),
`ee_exit_decision_10` (classes), `ee_repack_640_l2to1`. Collisions get `_1`, `_2`, ...
suffixes in topological order. `ee.flatten` is not hardware here (the words stream on
unchanged) and gets no name. The per-layer IP top of a layer is `f"{name}_top"`.

`layer_order(graph)` is the order of those ops, producers first (ties in textual order): the
order of the calls in the emitted top function, which C simulation runs one after another.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from xdsl.ir import Operation, OpResult, SSAValue

from eecc.dialects.ee import (
    AddOp,
    CastOp,
    CondBufferOp,
    ConvOp,
    ExitDecisionOp,
    ExitMergeOp,
    FlattenOp,
    GlobalPoolOp,
    GraphOp,
    LinearOp,
    PoolOp,
    ReluOp,
    RepackOp,
    SoftmaxOp,
    SplitOp,
    StageOp,
    StreamType,
)
from eecc.dialects.ee.hardware import HardwareOp, topological

__all__ = ["layer_names", "layer_order", "resolve", "source", "top_name"]


def resolve(value: SSAValue) -> SSAValue:
    """The value that really carries `value`'s words: through stage results and flattens."""
    while isinstance(value, OpResult):
        op = value.op
        if isinstance(op, StageOp):
            value = op.body.block.last_op.operands[value.index]  # type: ignore[union-attr]
        elif isinstance(op, FlattenOp):
            value = op.input
        else:
            break
    return value


def source(value: SSAValue) -> Operation | None:
    """The emitted op producing `value` (None for a graph input)."""
    value = resolve(value)
    return value.op if isinstance(value, OpResult) else None


def is_layer(op: Operation) -> bool:
    """True for ops the emitter turns into a library call."""
    return (isinstance(op, HardwareOp | RepackOp)) and not isinstance(op, FlattenOp)


def layer_order(graph: GraphOp) -> list[Operation]:
    """The emitted ops of `graph`, producers before consumers, ties in textual order."""
    ops = [op for op in graph.ops() if is_layer(op)]

    def deps(op: Operation) -> list[Operation]:
        found = (source(v) for v in op.operands)
        return [p for p in found if p is not None]

    return topological(ops, deps)


def _dims(value: SSAValue) -> str:
    assert isinstance(value.type, StreamType)
    return "x".join(str(d) for d in value.type.get_shape())


def _kernel(op: ConvOp | PoolOp, usual_stride: tuple[int, ...] = (1, 1)) -> str:
    kh, kw = op.kernel_shape
    text = f"_k{kh}" if kh == kw else f"_k{kh}x{kw}"
    sh, sw = op.stride_values
    if (sh, sw) != tuple(usual_stride):
        text += f"_s{sh}" if sh == sw else f"_s{sh}x{sw}"
    return text


def _conv(op: ConvOp) -> str:
    groups = op.groups.value.data
    return f"ee_conv_{_dims(op.output)}{_kernel(op)}" + (f"_g{groups}" if groups > 1 else "")


def _pool(op: PoolOp) -> str:
    return f"ee_{op.kind.data}pool_{_dims(op.output)}{_kernel(op, op.kernel_shape)}"


def _linear(op: LinearOp) -> str:
    n_in, n_out = op.features
    return f"ee_linear_{n_in}_{n_out}"


def _condbuffer(op: CondBufferOp) -> str:
    depth = op.depth.value.data if op.depth is not None else 2
    return f"ee_condbuffer_{_dims(op.input)}_d{depth}"


def _cast(op: CastOp) -> str:
    def fmt(t: object) -> str:
        e = t.element_type  # type: ignore[attr-defined]
        return f"{e.width.data}_{e.int_bits.data}"
    return f"ee_cast_{_dims(op.input)}_{fmt(op.input.type)}to{fmt(op.output.type)}"


def _bound(op: ReluOp) -> str:
    """`6` for ReLU6 (`_max6`), `0p5` for a bound of 0.5; empty for a plain ReLU."""
    if op.bound is None:
        return ""
    text = np.format_float_positional(op.bound, trim="-").replace(".", "p")
    return f"_max{text}"


def _repack(op: RepackOp) -> str:
    return f"ee_repack_{_dims(op.input)}_l{op.lanes_in.value.data}to{op.lanes_out.value.data}"


NAMERS: dict[type[Operation], Callable] = {
    ConvOp: _conv,
    PoolOp: _pool,
    GlobalPoolOp: lambda op: f"ee_global_{op.kind.data}pool_{_dims(op.input)}",
    LinearOp: _linear,
    ReluOp: lambda op: f"ee_relu{_bound(op)}_{_dims(op.input)}",
    SoftmaxOp: lambda op: f"ee_softmax_{_dims(op.input)}",
    AddOp: lambda op: f"ee_add_{_dims(op.lhs)}",
    SplitOp: lambda op: f"ee_split_{_dims(op.input)}_n{len(op.outputs)}",
    ExitDecisionOp: lambda op: f"ee_exit_decision_{_dims(op.logits)}",
    CondBufferOp: _condbuffer,
    ExitMergeOp: lambda op: f"ee_exit_merge_{_dims(op.output)}_n{len(op.inputs)}",
    RepackOp: _repack,
    CastOp: _cast,
}


def base_name(op: Operation) -> str:
    """The descriptive name of `op` before de-duplication."""
    namer = NAMERS.get(type(op))
    if namer is not None:
        return namer(op)
    return "ee_" + op.name.removeprefix("ee.").replace(".", "_")


def layer_names(graph: GraphOp) -> dict[Operation, str]:
    """A unique C identifier for every emitted op of `graph`, in `layer_order`."""
    names: dict[Operation, str] = {}
    taken: set[str] = set()
    for op in layer_order(graph):
        base = name = base_name(op)
        suffix = 0
        while name in taken:
            suffix += 1
            name = f"{base}_{suffix}"
        taken.add(name)
        names[op] = name
    return names


def top_name(layer: str) -> str:
    """The top function of a layer's own IP."""
    return f"{layer}_top"
