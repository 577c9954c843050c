"""Prepare folded `ee` IR for `-t hls`: explicit folds, buffer depths, lane repacks, fixed types.

The HLS emitter only prints: one config struct and one library call per op. Everything the
library needs that the IR leaves implicit is made explicit here, so that the printed design
is exactly the IR:

- every hardware op carries an explicit `#ee.fold` (`#ee.fold<>`, unfolded, if it had none);
- every `ee.condbuffer` has a `depth` (the cost model's default, 16 feature maps, if
  `--ee-size-buffers` did not run);
- every layer op has `fifo_depths = array<i64: ...>`, the FIFO depth of each of its result
  streams in words per lane (`passes/_fifo_depths.py`: a row of the map, a whole result
  into an exit merge, the skew of reconvergent paths into an `ee.add`, a condbuffer's depth
  of decisions), which the HLS top, the block design and the timed simulation share;
- with `ee.exit_merge {policy = "most-confident"}`, every pass-on-exit condbuffer (the
  exit's carry unit in hardware) has `carry_depths = array<i64: logits, tokens>`, the FIFOs
  that hand the best result so far to the next exit (`passes/_carry_depths.py`);
- an `ee.repack %x lanes A to B` is inserted wherever a producer's output lanes (conv and
  linear: `coarse_out`; repack: B; every other op: `coarse`) differ from its consumer's input
  lanes (conv and linear: `coarse_in`; others: `coarse`). `ee.flatten` is no hardware: the
  words stream on unchanged, so the lanes of its producer pass through it and the repack is
  inserted after it, on the vector (both lane counts divide the vector's length because they
  divide the channels). Stage boundaries are looked through the same way;
- every stream still float becomes `!ee.fixed<data_width, data_int>` (the formats that
  `--ee-assign-precision` gave stay), the graph gets `weight_type = !ee.fixed<weight_width,
  weight_int>`, and every conv and linear layer without its own
  `weight_type` / `bias_type` gets the graph's weight format and its result format for the
  bias: the emitter quantises each layer's weights and bias to them (docs/numerics.md) when
  it prints them as raw-bit tables.

Input:

    %5 = ee.pool %4 {fold = #ee.fold<coarse = 2>, ...} : !ee.stream<10x8x8xf32> -> ...
    %6 = ee.flatten %5 : !ee.stream<10x8x8xf32> -> !ee.stream<640xf32>
    %7 = ee.linear %6 weight @fc.w bias @fc.b : !ee.stream<640xf32> -> !ee.stream<10xf32>

Output:

    %5 = ee.pool %4 {fold = #ee.fold<coarse = 2>, ...} : !ee.stream<10x8x8x!ee.fixed<16, 8>> -> ...
    %6 = ee.flatten %5 {fold = #ee.fold<>} : ... -> !ee.stream<640x!ee.fixed<16, 8>>
    %r = ee.repack %6 lanes 2 to 1 : !ee.stream<640x!ee.fixed<16, 8>>
    %7 = ee.linear %r weight @fc.w bias @fc.b {fold = #ee.fold<>} : ...

Options: `data_width`, `data_int` (activations, default 16, 8; width at most 16, the AXI-Stream
word's data field), `weight_width`, `weight_int` (weights, default 16, 8).

Limits: ops the HLS library cannot build are errors naming the op and its location:
`ee.softmax`, `ee.global_pool` of kind "max", a graph with other than one input. The pass is
idempotent, and re-running it after `--fold` changed the folds replaces the old repacks.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl import passes
from xdsl.context import Context
from xdsl.dialects.builtin import FunctionType, IntegerAttr, ModuleOp, i64
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.rewriter import Rewriter
from xdsl.utils.exceptions import DiagnosticException

from eecc.dialects.ee import (
    CondBufferOp,
    ConvOp,
    FixedType,
    FoldAttr,
    GlobalPoolOp,
    GraphOp,
    LinearOp,
    RepackOp,
    SoftmaxOp,
    StreamType,
)
from eecc.dialects.ee.hardware import HardwareOp, fold_lanes
from eecc.dialects.interface import DEFAULT_BUFFER_DEPTH
from eecc.emit.naming import is_layer, source
from eecc.passes._carry_depths import annotate_carry
from eecc.passes._fifo_depths import annotate_depths


class LegalizeError(DiagnosticException):
    """An op or option the HLS library cannot build; reported as one line."""


def describe(op: Operation) -> str:
    """`'ee.softmax' at /rest/Softmax` (the op name and its location)."""
    loc = getattr(op.location, "desc", None)
    return f"'{op.name}' at {loc.data}" if loc is not None else f"'{op.name}'"


UNSUPPORTED: dict[type[Operation], tuple[object, str]] = {
    SoftmaxOp: (lambda op: True, "the library has no softmax layer; remove it from the "
                "network (the exit decision needs none and argmax is unchanged)"),
    GlobalPoolOp: (lambda op: op.kind.data == "max", "the library has only global average "
                   "pooling"),
}


def check_supported(op: Operation) -> None:
    rule = UNSUPPORTED.get(type(op))
    if rule is not None and rule[0](op):  # type: ignore[operator]
        raise LegalizeError(f"ee-legalize-hls: {describe(op)} is not supported by the HLS "
                            f"library: {rule[1]}")


def in_lanes(op: Operation) -> int:
    """Lanes `op` reads each stream operand on."""
    if isinstance(op, RepackOp):
        return op.lanes_in.value.data
    return fold_lanes(op, op.current_fold_value())[0]  # type: ignore[attr-defined]


def out_lanes(op: Operation) -> int:
    """Lanes `op` writes each stream result on."""
    if isinstance(op, RepackOp):
        return op.lanes_out.value.data
    return fold_lanes(op, op.current_fold_value())[1]  # type: ignore[attr-defined]


def repack_operand(op: Operation, index: int) -> None:
    """Insert a repack before `op` on operand `index` if the lanes differ."""
    value = op.operands[index]
    producer = source(value)
    if producer is None or not isinstance(value.type, StreamType):
        return
    have, need = out_lanes(producer), in_lanes(op)
    if have == need:
        return
    channels = value.type.channels
    if channels % have or channels % need:
        raise LegalizeError(f"ee-legalize-hls: cannot repack {channels} channels from {have} "
                            f"to {need} lanes before {describe(op)}")
    repack = RepackOp.create(operands=[value], result_types=[value.type], properties={
        "lanes_in": IntegerAttr(have, i64), "lanes_out": IntegerAttr(need, i64)})
    repack.location = op.location
    assert op.parent_block() is not None
    op.parent_block().insert_op_before(repack, op)  # type: ignore[union-attr]
    op.operands[index] = repack.results[0]


def drop_repacks(graph: GraphOp) -> None:
    """Remove the repacks of an earlier run (they are inserted afresh from the folds)."""
    for op in [o for o in graph.ops() if isinstance(o, RepackOp)]:
        op.results[0].replace_all_uses_with(op.input)
        op.detach()
        op.erase()


def to_fixed(value: SSAValue, element: FixedType) -> None:
    if isinstance(value.type, StreamType) and not isinstance(value.type.element_type, FixedType):
        Rewriter.replace_value_with_new_type(value, StreamType(value.type.get_shape(), element))


def layer_formats(op: Operation, weight: FixedType) -> None:
    """A conv or linear layer's weight and bias formats, where `--ee-assign-precision` left
    none: the graph's weight format, the bias in the layer's result format."""
    if not isinstance(op, ConvOp | LinearOp):
        return
    if op.weight_type is None:
        op.properties["weight_type"] = weight
    out = op.output.type
    if op.bias is not None and op.bias_type is None and isinstance(out, StreamType):
        op.properties["bias_type"] = out.element_type


def retype(graph: GraphOp, element: FixedType) -> None:
    """Every float stream of `graph` (arguments, results, stage results) to `element`; the
    formats `--ee-assign-precision` gave stay."""
    for arg in list(graph.body.block.args):
        to_fixed(arg, element)
    for op in list(graph.ops()):
        for result in list(op.results):
            to_fixed(result, element)
    old = graph.function_type
    fixed = [StreamType(t.get_shape(), element)
             if isinstance(t, StreamType) and not isinstance(t.element_type, FixedType) else t
             for t in old.outputs.data]
    graph.function_type = FunctionType.from_lists(
        [a.type for a in graph.body.block.args], fixed)


def annotate(op: Operation) -> None:
    """Explicit fold and condbuffer depth."""
    if isinstance(op, HardwareOp) and op.properties.get("fold") is None:
        op.properties["fold"] = FoldAttr()
    if isinstance(op, CondBufferOp) and op.depth is None:
        op.properties["depth"] = IntegerAttr(DEFAULT_BUFFER_DEPTH, i64)


def _format(width: int, int_bits: int, what: str, max_width: int) -> FixedType:
    if not (2 <= width <= max_width and 1 <= int_bits <= width):
        raise LegalizeError(f"ee-legalize-hls: {what} format <{width}, {int_bits}> needs "
                            f"2 <= width <= {max_width} and 1 <= int bits <= width")
    return FixedType(width, int_bits)


@dataclass(frozen=True)
class EeLegalizeHlsPass(passes.ModulePass):
    """Prepare folded `ee` IR for `-t hls`: explicit folds, buffer depths, lane repacks, fixed types."""

    name = "ee-legalize-hls"

    data_width: int = 16
    data_int: int = 8
    weight_width: int = 16
    weight_int: int = 8

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        data = _format(self.data_width, self.data_int, "data", 16)
        weight = _format(self.weight_width, self.weight_int, "weight", 16)
        for graph in [g for g in op.walk() if isinstance(g, GraphOp)]:
            self.legalize(graph, data, weight)

    def legalize(self, graph: GraphOp, data: FixedType, weight: Attribute) -> None:
        if len(graph.body.block.args) != 1:
            raise LegalizeError(f"ee-legalize-hls: 'ee.graph' @{graph.sym_name.data} has "
                                f"{len(graph.body.block.args)} inputs; the HLS top takes one")
        drop_repacks(graph)  # re-folded IR: the lanes may have changed since the last run
        ops = list(graph.ops())
        for node in ops:
            check_supported(node)
            annotate(node)
        for node in ops:
            if is_layer(node) and not isinstance(node, RepackOp):
                for index in range(len(node.operands)):
                    repack_operand(node, index)
        retype(graph, data)
        graph.attributes["weight_type"] = weight
        for node in ops:
            layer_formats(node, graph.attributes["weight_type"])  # type: ignore[arg-type]
        annotate_depths(graph, out_lanes)
        annotate_carry(graph, out_lanes)
