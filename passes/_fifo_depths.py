"""FIFO depths of every stream, for `ee-legalize-hls` (the HLS top, the block design and the
timed C simulation print the same numbers).

Each layer op gets `fifo_depths = array<i64: ...>`, one depth per result, in words per lane:

- a feature-map stream: one row of its map per lane + 2 (`W * C / lanes + 2`, at least 2).
  Every library module emits at most about a row of output between two rows of input (a
  pool's output rows, a conv's valid columns), and its consumer, as fast on average, drains
  that burst during the next row: without the row the producer stalls at every burst and the
  network runs below the cost model's interval;
- an exit merge input: also a whole result per lane + 2 (a result waits while the merge moves
  another exit's);
- the operand of an `ee.add` on the shorter of two paths from one `ee.split`: also the skew,
  the sum of the cost model's pipeline depths (cycles, at most one word per lane each) of the
  ops on the longer path, so the reconvergence cannot deadlock;
- an exit decision's control stream: the deepest consuming condbuffer's depth + 2 tokens (a
  decision may lead its feature map by the whole buffer).

Each depth is then rounded up to what the block design can build, an `axis_data_fifo` depth
(a power of two, at least 16), so the whole-network top, the chained layer IPs and both timed
simulations have the very same FIFOs.
"""

from __future__ import annotations

import math

from xdsl.dialects.builtin import DenseArrayBase, i64
from xdsl.ir import Operation, OpResult, SSAValue

from eecc.cost.ops import pipeline_depth
from eecc.dialects.ee import AddOp, CondBufferOp, ExitMergeOp, GraphOp, SplitOp, StreamType
from eecc.dialects.ee.hardware import HardwareOp
from eecc.emit.naming import is_layer, resolve, source

SLACK = 2
ATTR = "fifo_depths"
MIN_FIFO_DEPTH = 16  # axis_data_fifo depths are powers of two, 16 .. 32768


def axis_fifo_depth(words: int) -> int:
    """The smallest axis_data_fifo depth (a power of two, at least 16) holding `words`."""
    return max(MIN_FIFO_DEPTH, 1 << max(words - 1, 1).bit_length())


def row_depth(value: SSAValue, lanes: int) -> int:
    """One row of the stream's map per lane, + SLACK."""
    assert isinstance(value.type, StreamType)
    shape = value.type.get_shape()
    row = shape[0] * (shape[2] if len(shape) == 3 else 1)
    return max(SLACK, row // max(lanes, 1) + SLACK)


def path_to_split(value: SSAValue) -> tuple[SplitOp | None, float]:
    """The split a value comes from (following first operands) and the cycles on the way."""
    cycles = 0.0
    op = source(value)
    while op is not None and not isinstance(op, SplitOp):
        if isinstance(op, HardwareOp):
            cycles += pipeline_depth(op, op.current_fold_value())
        op = source(op.operands[0]) if op.operands else None
    return op, cycles


def skew_extra(op: Operation) -> dict[SSAValue, int]:
    """For an `ee.add` whose operands fork from one split: the shorter path's extra depth."""
    if not isinstance(op, AddOp):
        return {}
    (split_a, a), (split_b, b) = (path_to_split(v) for v in op.operands)
    if split_a is None or split_a is not split_b or a == b:
        return {}
    short = op.operands[0] if a < b else op.operands[1]
    return {resolve(short): math.ceil(abs(a - b))}


def annotate_depths(graph: GraphOp, out_lanes) -> None:
    """Set `fifo_depths` on every layer op of `graph` (lanes from `out_lanes(op)`)."""
    layers = [op for op in graph.ops() if is_layer(op)]
    extra: dict[SSAValue, int] = {}
    merged: set[SSAValue] = set()
    ctrl: dict[SSAValue, int] = {}
    for op in layers:
        extra.update(skew_extra(op))
        if isinstance(op, ExitMergeOp):
            merged.update(resolve(v) for v in op.inputs)
        if isinstance(op, CondBufferOp):
            key = resolve(op.control)
            ctrl[key] = max(ctrl.get(key, 0), op.depth.value.data + SLACK)
    for op in layers:
        op.attributes[ATTR] = DenseArrayBase.from_list(i64, [
            axis_fifo_depth(_depth(r, out_lanes(op), extra, merged, ctrl)) for r in op.results])


def _depth(result: OpResult, lanes: int, extra: dict[SSAValue, int], merged: set[SSAValue],
           ctrl: dict[SSAValue, int]) -> int:
    if not isinstance(result.type, StreamType):
        return ctrl.get(result, SLACK)
    depth = row_depth(result, lanes) + extra.get(result, 0)
    if result in merged:
        depth = max(depth, result.type.num_elements // max(lanes, 1) + SLACK)
    return depth


def depth_of(value: SSAValue) -> int:
    """The depth `ee-legalize-hls` gave the stream `value` (looked through flattens/stages)."""
    value = resolve(value)
    assert isinstance(value, OpResult)
    attr = value.op.attributes.get(ATTR)
    if not isinstance(attr, DenseArrayBase):
        from eecc.errors import EeccError

        raise EeccError(f"'{value.op.name}' has no {ATTR}: run --ee-legalize-hls first")
    return attr.get_values()[value.index]
