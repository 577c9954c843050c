"""Group a network's ops into `ee.stage`s at its drop-on-exit condbuffers.

A sample that takes exit i never reaches the backbone after exit i's drop-on-exit
condbuffer, so the ops behind that buffer run at a lower rate and are sized apart (HAPI,
ATHEENA). This pass makes that structure explicit: a network with N exits becomes N stages.
Stage 0 holds the shared prefix, the first exit's branch, its decision, its pass-on-exit
condbuffer, the first drop-on-exit condbuffer and the exit merge; stage i holds the backbone
after the i-th drop-on-exit condbuffer up to and including the (i+1)-th, with exit i+1's
branch and decision; the last stage holds the rest of the backbone and the final classifier.
An op's stage is the number of drop-on-exit condbuffers on its way from the graph input
(`eecc.network.NetworkStructure`, shared with `--ee-annotate-rates` and `--ee-estimate`).
Values that cross stages leave through `ee.yield` and arrive as stage results; the graph is
a graph region, so stage 0's merge may use the last stage's result.

Input:

    ee.graph @net(%x: !ee.stream<1x28x28xf32>) -> !ee.stream<10xf32> {
      ... %k = ee.condbuffer %b, %d {mode = "drop-on-exit"} : !ee.stream<5x16x16xf32>
      %t = ee.conv %k ...  %f = ee.linear ...
      %y = ee.exit_merge %e, %f : ...
      ee.output %y : !ee.stream<10xf32>
    }

Output:

    ee.graph @net(%x: !ee.stream<1x28x28xf32>) -> !ee.stream<10xf32> {
      %0:2 = ee.stage 0 -> !ee.stream<10xf32>, !ee.stream<5x16x16xf32> {
        ... %y = ee.exit_merge %e, %1 : ...
        ee.yield %y, %k : !ee.stream<10xf32>, !ee.stream<5x16x16xf32>
      }
      %1 = ee.stage 1 -> !ee.stream<10xf32> {
        %t = ee.conv %0#1 ... ee.yield %f : !ee.stream<10xf32>
      }
      ee.output %0#0 : !ee.stream<10xf32>
    }

Options: none. A network without exits becomes one stage. Already partitioned graphs are left
unchanged (the pass is idempotent); a graph with some ops inside stages and some outside is
an error. Stages carry no `rate` yet: that is `--ee-annotate-rates`.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl import passes
from xdsl.context import Context
from xdsl.dialects.builtin import IntegerAttr, ModuleOp, i64
from xdsl.ir import Block, Operation, Region, SSAValue

from eecc.dialects.ee.hardware import source_op
from eecc.dialects.ee.structure import GraphOp, OutputOp, StageOp, YieldOp
from eecc.errors import EeccError
from eecc.network import NetworkStructure, is_drop_buffer


@dataclass(frozen=True)
class EePartitionPass(passes.ModulePass):
    """Group a network's ops into `ee.stage`s at its drop-on-exit condbuffers."""

    name = "ee-partition"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for graph in [g for g in op.ops if isinstance(g, GraphOp)]:
            partition(graph)


def partition(graph: GraphOp) -> None:
    body = [op for op in graph.body.block.ops if not isinstance(op, OutputOp)]
    if _already_partitioned(graph, body):
        return
    stage_of = _stages(graph, body)
    output = graph.body.block.last_op
    assert output is not None
    for index in range(max(stage_of.values(), default=0) + 1):
        members = [op for op in body if stage_of[op] == index]
        stage = _build_stage(index, members, stage_of)
        graph.body.block.insert_op_before(stage, output)


def _already_partitioned(graph: GraphOp, body: list[Operation]) -> bool:
    staged = [op for op in body if isinstance(op, StageOp)]
    if not staged:
        return False
    if len(staged) != len(body):
        loose = next(op for op in body if not isinstance(op, StageOp))
        raise EeccError(
            f"'ee.graph' @{graph.sym_name.data} is partly partitioned: '{loose.name}' is "
            "outside every 'ee.stage'; partition a graph without stages"
        )
    return True


def _stages(graph: GraphOp, body: list[Operation]) -> dict[Operation, int]:
    """Stage of every body op: the hardware analysis, other ops follow their producers."""
    structure = NetworkStructure(graph)
    stage_of: dict[Operation, int] = {op: structure.stage(op) for op in structure.ops}  # type: ignore[misc]
    for op in body:
        if op not in stage_of:
            stage_of[op] = _follow(op, stage_of)
    return stage_of


def _follow(op: Operation, stage_of: dict[Operation, int]) -> int:
    stages = [stage_of.get(p, 0) + is_drop_buffer(p)
              for p in (source_op(v) for v in op.operands) if p is not None]
    return max(stages, default=0)


def _escaping(members: list[Operation], stage_of: dict[Operation, int]) -> list[SSAValue]:
    """Results used outside their stage: graph outputs first, then in textual order."""
    index = stage_of[members[0]]
    out: list[SSAValue] = []
    for op in members:
        for result in op.results:
            users = [u.operation for u in result.uses]
            if any(stage_of.get(u, -1) != index for u in users):
                out.append(result)
    return sorted(out, key=lambda v: not any(isinstance(u.operation, OutputOp) for u in v.uses))


def _build_stage(index: int, members: list[Operation], stage_of: dict[Operation, int]) -> StageOp:
    leaving = _escaping(members, stage_of) if members else []
    block = Block()
    stage = StageOp.create(
        properties={"index": IntegerAttr(index, i64)},
        result_types=[v.type for v in leaving],
        regions=[Region(block)],
    )
    for op in members:
        op.detach()
        block.add_op(op)
    block.add_op(YieldOp.create(operands=leaving))
    for value, result in zip(leaving, stage.results, strict=True):
        for use in list(value.uses):
            if use.operation.parent_block() is not block:
                use.operation.operands = _replaced(use.operation, use.index, result)
    return stage


def _replaced(op: Operation, index: int, value: SSAValue) -> list[SSAValue]:
    operands = list(op.operands)
    operands[index] = value
    return operands
