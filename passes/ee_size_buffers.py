"""Size every condbuffer (its `depth`, in feature maps) from the cost model.

A condbuffer holds each sample's map until the sample's exit decision arrives. The decision
comes out of the exit branch, so the buffer must hold every map the backbone delivers while
one sample crosses the branch, or the backbone stalls. From the cost model at the current
folds (`eecc.network.NetworkModel`):

    wait   = branch depth + branch interval + decision latency        (cycles)
    maps   = ceil(wait / stage interval)                             (the backbone's rate)
    depth  = next power of two >= max(min_depth, ceil(headroom * maps))

The branch is what feeds the decision but not the buffer's data input: for a drop-on-exit
buffer the exit head (its convs, pools, linear, split) and the decision; for a pass-on-exit
buffer only the decision. Its depth is its longest path of op depths, its interval its
slowest op. `headroom` makes room for the bursts of continuing samples that the next,
slower stage takes in at its own rate (the rate mismatch the queue model prices); powers
of two are what BRAM gives anyway. A buffer's BRAM follows from its depth
(`condbuffer_resources`).

Worked example, B-LeNet unfolded, drop-on-exit buffer of exit 1 (stage 0, interval 128000,
conv1's latency): exit branch conv 5->10 k3 (depth 261, L 115200), pool (180), relu (1),
flatten (0), linear 640->10 (6401), split (1), decision (180, L 10): wait = 7024 + 115200 +
10 = 122234 cycles; maps = ceil(122234 / 128000) = 1; depth = pow2(max(2, 2 * 1)) = 2.
The pass-on-exit buffer waits 180 + 10 + 10 = 200 cycles: 1 map, depth 2.

Input:  `ee.condbuffer %b, %d {mode = "drop-on-exit"} : !ee.stream<5x16x16xf32>`
Output: `ee.condbuffer %b, %d {depth = 2 : i64, mode = "drop-on-exit"} : !ee.stream<5x16x16xf32>`

Options: `min_depth` (feature maps, default 2), `headroom` (factor on the waiting maps,
default 2.0), `platform` (default zc706; only its clock matters here, the result is in
cycles). Limits: sized at the folds present when the pass runs; run it again after `--fold`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from xdsl import passes
from xdsl.context import Context
from xdsl.dialects.builtin import IntegerAttr, ModuleOp, i64
from xdsl.ir import Operation

from eecc.cost.platform import load_platform
from eecc.dialects.ee.control import CondBufferOp, ExitDecisionOp
from eecc.dialects.ee.hardware import producers, source_op
from eecc.dialects.ee.structure import GraphOp
from eecc.errors import EeccError
from eecc.network import NetworkModel

PASS = "ee-size-buffers"


@dataclass(frozen=True)
class EeSizeBuffersPass(passes.ModulePass):
    """Size every condbuffer (its `depth`, in feature maps) from the cost model."""

    name = "ee-size-buffers"

    min_depth: int = 2
    headroom: float = 2.0
    platform: str = "zc706"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        if self.min_depth < 1:
            raise EeccError(f"'{PASS}' min_depth={self.min_depth} must be at least 1")
        if self.headroom < 1.0:
            raise EeccError(f"'{PASS}' headroom={self.headroom} must be at least 1.0")
        platform = load_platform(self.platform)
        for graph in [g for g in op.ops if isinstance(g, GraphOp)]:
            model = NetworkModel(graph, platform)
            for buffer in [b for b in model.ops if isinstance(b, CondBufferOp)]:
                buffer.properties["depth"] = IntegerAttr(self.depth(model, buffer), i64)

    def depth(self, model: NetworkModel, buffer: CondBufferOp) -> int:
        maps = math.ceil(wait_cycles(model, buffer) / stage_interval(model, buffer))
        return next_power_of_two(max(self.min_depth, math.ceil(self.headroom * maps)))


def next_power_of_two(n: int) -> int:
    return 1 << max(0, (n - 1).bit_length())


def cone(op: Operation | None) -> list[Operation]:
    """`op` and every hardware op upstream of it, producers first is not guaranteed."""
    seen: dict[int, Operation] = {}
    todo = [op] if op is not None else []
    while todo:
        current = todo.pop()
        if id(current) not in seen:
            seen[id(current)] = current
            todo.extend(producers(current))  # type: ignore[arg-type]
    return list(seen.values())


def branch(buffer: CondBufferOp) -> list[Operation]:
    """Ops feeding the buffer's decision but not its data input (decision included)."""
    decision = source_op(buffer.control)
    assert isinstance(decision, ExitDecisionOp)
    shared = {id(op) for op in cone(source_op(buffer.input))}
    return [op for op in cone(decision) if id(op) not in shared]


def wait_cycles(model: NetworkModel, buffer: CondBufferOp) -> float:
    """Branch depth (longest path) + branch interval + decision latency, in cycles."""
    index = {id(op): i for i, op in enumerate(model.ops)}
    members = sorted(index[id(op)] for op in branch(buffer) if id(op) in index)
    costs = {i: model.op_cost(i, model.ops[i].current_fold_value()) for i in members}
    arrival: dict[int, float] = {}
    for i in members:  # topological order
        preds = [arrival[index[id(p)]] for p in producers(model.ops[i]) if index.get(id(p)) in arrival]  # type: ignore[arg-type]
        arrival[i] = costs[i][1] + max(preds, default=0.0)
    decision = index[id(source_op(buffer.control))]
    interval = max(costs[i][0] for i in members)
    return max(arrival.values()) + interval + costs[decision][0]


def stage_interval(model: NetworkModel, buffer: CondBufferOp) -> float:
    """The interval of the buffer's stage: how often the backbone delivers a map."""
    stage = model.structure.stage(buffer)
    members = [i for i, s in enumerate(model.stages) if s == stage]
    return max(model.op_cost(i, model.ops[i].current_fold_value())[0] for i in members)
