"""`If` nodes: two branch regions that read outer values, and their shape agreement."""

from __future__ import annotations

from typing import TYPE_CHECKING

import onnx
from xdsl.ir import Attribute, Block, Region

from eecc.dialects import onnx as ox
from eecc.onnx_import.shapes import subgraphs

if TYPE_CHECKING:
    from eecc.onnx_import.build import ModuleBuilder, Scope


def build_if(builder: ModuleBuilder, node: onnx.NodeProto, scope: Scope) -> ox.IfOp:
    """An `onnx.if` for `node`; its result types are the (agreeing) branch output types."""
    from eecc.onnx_import.build import location, node_label

    label = node_label(node)
    branches = dict(subgraphs(node))
    if set(branches) != {"then_branch", "else_branch"} or len(node.input) != 1:
        raise builder.error(f"{label} must have one condition, a then_branch and an else_branch")
    cond = builder.lookup(scope, node.input[0], label)
    then_region, then_types = _branch(builder, branches["then_branch"], scope)
    else_region, else_types = _branch(builder, branches["else_branch"], scope)
    _check_agree(builder, label, then_types, else_types, len(node.output))
    op = ox.IfOp(cond, then_types, then_region, else_region)
    op.location = location(node)
    return op


def _branch(builder: ModuleBuilder, graph: onnx.GraphProto,
            scope: Scope) -> tuple[Region, list[Attribute]]:
    block = Block()
    inner = scope.new_child()
    builder.fill(graph, block, inner)
    outs = [builder.lookup(inner, o.name, f"{graph.name or 'branch'} output") for o in graph.output]
    block.add_op(ox.YieldOp(outs))
    return Region(block), [v.type for v in outs]


def _check_agree(builder: ModuleBuilder, label: str, then_types: list[Attribute],
                 else_types: list[Attribute], n_outputs: int) -> None:
    if not len(then_types) == len(else_types) == n_outputs:
        raise builder.error(
            f"{label} has {n_outputs} output(s) but its branches yield {len(then_types)} "
            f"(then_branch) and {len(else_types)} (else_branch)"
        )
    for i, (a, b) in enumerate(zip(then_types, else_types, strict=True)):
        if a != b:
            raise builder.error(
                f"{label} branches disagree on output {i}: then_branch yields {a}, "
                f"else_branch yields {b}; both branches must produce the same shape"
            )
