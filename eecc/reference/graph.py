"""The structure of an `ee.graph` that the reference interpreter executes.

A `Program` is built once per graph: the ops in an order that respects data dependencies
(the graph body is a dataflow region, so textual order is not execution order), each
`ee.weight` as a numpy array, and the exits in order (exit `i` = the `i`-th input of the
`ee.exit_merge`; the last one is the final classifier).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation, SSAValue

from eecc.dialects.ee import (
    CondBufferOp,
    ExitDecisionOp,
    ExitMergeOp,
    GraphOp,
    OutputOp,
    StageOp,
    StreamType,
    WeightOp,
    YieldOp,
)
from eecc.errors import EeccError

STRUCTURAL = (StageOp, YieldOp, OutputOp)


@dataclass(frozen=True)
class Exit:
    """One exit: the stream of its head's logits, the stream that delivers its results to
    the merge (or the output) and, for early exits, its decision."""

    head: SSAValue
    delivered: SSAValue
    decision: ExitDecisionOp | None

    @property
    def threshold(self) -> float | None:
        return None if self.decision is None else self.decision.threshold.value.data


@dataclass
class Program:
    """An `ee.graph` ready to run: scheduled ops, weights as numpy, exits in order."""

    graph: GraphOp
    schedule: list[Operation]
    weights: dict[str, np.ndarray]
    exits: list[Exit]
    cache: dict[object, object] = field(default_factory=dict)

    @property
    def input_shape(self) -> tuple[int, ...]:
        arg_type = self.graph.body.block.args[0].type
        assert isinstance(arg_type, StreamType)
        return arg_type.get_shape()

    @property
    def output(self) -> SSAValue:
        out = self.graph.body.block.last_op
        assert isinstance(out, OutputOp)
        return resolve(out.args[0])

    @staticmethod
    def from_module(module: ModuleOp | GraphOp) -> Program:
        graph = find_graph(module)
        weights = {op.sym_name.data: op.to_numpy() for op in _weights(graph)}
        return Program(graph, schedule(graph), weights, find_exits(graph))


def find_graph(module: ModuleOp | GraphOp) -> GraphOp:
    """The single `ee.graph` of `module` (or `module` itself)."""
    if isinstance(module, GraphOp):
        return module
    graphs = [op for op in module.ops if isinstance(op, GraphOp)]
    if len(graphs) != 1:
        names = sorted({op.name for op in module.ops})
        raise EeccError(
            f"expected one 'ee.graph' in the module, found {len(graphs)} (ops: {', '.join(names)})"
        )
    graph = graphs[0]
    if len(graph.body.block.args) != 1:
        raise EeccError(f"'ee.graph' @{graph.sym_name.data} has "
                        f"{len(graph.body.block.args)} inputs, expected 1")
    return graph


def _weights(graph: GraphOp) -> list[WeightOp]:
    parent = graph.parent_op()
    ops = parent.walk() if parent is not None else iter(())
    return [op for op in ops if isinstance(op, WeightOp)]


def resolve(value: SSAValue) -> SSAValue:
    """The value a stage result re-exports (the matching `ee.yield` operand), else itself."""
    while isinstance(value.owner, StageOp):
        stage = value.owner
        index = list(stage.outputs).index(value)
        yield_op = stage.body.block.last_op
        assert isinstance(yield_op, YieldOp)
        value = yield_op.args[index]
    return value


def schedule(graph: GraphOp) -> list[Operation]:
    """The graph's compute ops in a topological order of their data dependencies."""
    ops = [op for op in graph.ops() if not isinstance(op, STRUCTURAL)]
    producers = {res: op for op in ops for res in op.results}
    deps = {op: {producers[resolve(v)] for v in op.operands if resolve(v) in producers}
            for op in ops}
    order: list[Operation] = []
    done: set[Operation] = set()
    pending = list(ops)
    while pending:
        ready = [op for op in pending if deps[op] <= done]
        if not ready:
            raise EeccError(f"'ee.graph' @{graph.sym_name.data} has a dependency cycle")
        order.extend(ready)
        done.update(ready)
        pending = [op for op in pending if op not in done]
    return order


def find_exits(graph: GraphOp) -> list[Exit]:
    """The exits in merge-operand order; a graph without a merge has one (final) exit."""
    merges = [op for op in graph.ops() if isinstance(op, ExitMergeOp)]
    if not merges:
        out = graph.body.block.last_op
        assert isinstance(out, OutputOp)
        return [Exit(resolve(out.args[0]), resolve(out.args[0]), None)]
    exits = []
    for value in merges[0].inputs:
        owner = resolve(value).owner
        if isinstance(owner, CondBufferOp) and not owner.drops_on_exit:
            decision = owner.control.owner
            assert isinstance(decision, ExitDecisionOp)
            exits.append(Exit(resolve(owner.input), resolve(value), decision))
        else:
            exits.append(Exit(resolve(value), resolve(value), None))
    return exits
