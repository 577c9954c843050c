"""The carry FIFOs of the most-confident exit policy, for `ee-legalize-hls`.

With `ee.exit_merge {policy = "most-confident"}` the best result so far travels with each
continuing sample from one exit to the next (emit/include/eecc/exit.h, `exit_carry`): exit
i's pass-on-exit condbuffer becomes a carry unit writing, per continuing sample, its logits
(`n_classes / lanes` words per lane) and a confidence token to exit i+1's carry unit (or
the final classifier's). Each such buffer gets

    carry_depths = array<i64: logits words per lane, confidence tokens>

sized for every sample that can be between the two decisions: decided by exit i but not
yet by exit i+1. That is the samples exit i's drop-on-exit buffers may hold (their depth,
+ the control slack), those in flight in the next stage and exit i+1's branch (per op, its
output FIFO's depth in samples, rounded up, + 1 for the op itself), and those exit i+1's
drop-on-exit buffers hold while they wait for its decision. A carry FIFO that is full only
stalls exit i until exit i+1 takes a carry; every carry in it belongs to a sample exit i has
already released, so it never deadlocks (docs/hls-library.md); the size keeps it from
stalling. Rounded up to axis_data_fifo depths as every other FIFO. All carry units and the
final merge input must have one lane count (the carry moves one logit group per cycle).
"""

from __future__ import annotations

import math

from xdsl.dialects.builtin import DenseArrayBase, i64
from xdsl.ir import Operation, SSAValue

from eecc.dialects.ee import CondBufferOp, ExitDecisionOp, ExitMergeOp, GraphOp, StreamType
from eecc.dialects.ee.exit_structure import exit_order, producer
from eecc.emit.naming import source
from eecc.errors import EeccError
from eecc.passes._fifo_depths import SLACK, axis_fifo_depth, depth_of

ATTR = "carry_depths"


def _drops(decision: ExitDecisionOp) -> list[CondBufferOp]:
    return [u.operation for u in decision.decision.uses
            if isinstance(u.operation, CondBufferOp) and u.operation.drops_on_exit]


def _held(buffers: list[CondBufferOp]) -> int:
    return sum(b.depth.value.data + SLACK for b in buffers if b.depth is not None)


def _in_flight(value: SSAValue, stops: set[Operation], out_lanes) -> int:
    """Samples that the ops computing `value`, back to (not into) `stops`, can hold."""
    seen: set[Operation] = set()
    todo = [source(value)]
    samples = 0
    while todo:
        op = todo.pop()
        if op is None or op in seen or op in stops:
            continue
        seen.add(op)
        for result in op.results:
            if isinstance(result.type, StreamType) and "fifo_depths" in op.attributes:
                words = max(result.type.num_elements // max(out_lanes(op), 1), 1)
                samples += math.ceil(depth_of(result) / words)
        samples += 1
        todo.extend(source(v) for v in op.operands if isinstance(v.type, StreamType))
    return samples


def annotate_carry(graph: GraphOp, out_lanes) -> None:
    """Set `carry_depths` on the pass-on-exit buffers of a most-confident network."""
    merges = [op for op in graph.ops() if isinstance(op, ExitMergeOp)]
    if not merges or merges[0].exit_policy != "most-confident":
        return
    merge = merges[0]
    decisions = exit_order([op for op in graph.ops() if isinstance(op, ExitDecisionOp)])
    carries = [producer(v) for v in merge.inputs[:-1]]
    lanes = {out_lanes(c) for c in carries} | {out_lanes(merge)}
    if len(lanes) != 1:
        raise EeccError("ee-legalize-hls: exit policy most-confident needs one lane count for "
                        f"every exit's result and the merge; found {sorted(lanes)} (fold the "
                        "pass-on-exit buffers and the merge alike)")
    assert isinstance(merge.output.type, StreamType)
    groups = merge.output.type.num_elements // lanes.pop()
    for i, carry in enumerate(carries):
        assert isinstance(carry, CondBufferOp)
        last = i + 1 == len(carries)
        target = merge.inputs[-1] if last else carries[i + 1].input  # type: ignore[union-attr]
        drops = _drops(decisions[i])
        samples = _held(drops) + _in_flight(target, set(drops), out_lanes)
        if not last:
            samples += _held(_drops(decisions[i + 1]))
        carry.attributes[ATTR] = DenseArrayBase.from_list(i64, [
            axis_fifo_depth(samples * groups + SLACK), axis_fifo_depth(samples + SLACK)])


def carry_depths(op: CondBufferOp) -> tuple[int, int]:
    """(logits words per lane, confidence tokens) of a carry unit's output FIFOs."""
    attr = op.attributes.get(ATTR)
    if not isinstance(attr, DenseArrayBase):
        raise EeccError(f"'{op.name}' has no {ATTR}: run --ee-legalize-hls first")
    logits, tokens = attr.get_values()
    return int(logits), int(tokens)
