"""`ee-select-exits` on an ONNX file: keep some early exits, set their thresholds.

Each early exit of an exported network is an `If` whose `else_branch` holds the rest of the
network, nested once per exit (both torch exporters, docs: examples/README.md). Removing
exit k puts its `else_branch` in place of the `If` (an `Identity` carries its result to the
`If`'s output name); then every node whose outputs nothing reads (exit k's head and its
`Softmax -> ReduceMax -> Greater (-> Cast)` test) and every unused initializer go. A kept
exit's threshold becomes a new scalar initializer read by its `Greater`. The result is an
ONNX model that `eecc compile`, `eecc profile` and onnxruntime take as they are.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import onnx
from onnx import numpy_helper

from eecc.errors import EeccError


def exit_chain(graph: onnx.GraphProto) -> list[tuple[onnx.GraphProto, onnx.NodeProto]]:
    """(graph holding it, `If` node) of every early exit, outermost first."""
    chain: list[tuple[onnx.GraphProto, onnx.NodeProto]] = []
    while True:
        ifs = [n for n in graph.node if n.op_type == "If"]
        if not ifs:
            return chain
        if len(ifs) > 1:
            raise EeccError(f"graph {graph.name or '(top)'} has {len(ifs)} If nodes, expected one per exit level")
        chain.append((graph, ifs[0]))
        graph = _branch(ifs[0], "else_branch")


def _branch(node: onnx.NodeProto, name: str) -> onnx.GraphProto:
    return next(a.g for a in node.attribute if a.name == name)


def select(model: onnx.ModelProto, keep: Sequence[int], thresholds: Sequence[float]) -> onnx.ModelProto:
    """A copy of `model` with only the early exits `keep`, at `thresholds` (one each)."""
    out = onnx.ModelProto()
    out.CopyFrom(model)
    chain = exit_chain(out.graph)
    for k, thr in zip(keep, thresholds, strict=True):
        _set_threshold(out.graph, *chain[k], k, thr)
    for k in reversed(range(len(chain))):
        if k not in keep:
            _inline_else(*chain[k])
    _erase_dead(out.graph)
    return out


def _producer(graph: onnx.GraphProto, name: str) -> onnx.NodeProto | None:
    return next((n for n in graph.node if name in n.output), None)


def _set_threshold(top: onnx.GraphProto, graph: onnx.GraphProto, node: onnx.NodeProto,
                   k: int, thr: float) -> None:
    cond = _producer(graph, node.input[0])
    if cond is not None and cond.op_type == "Cast":
        cond = _producer(graph, cond.input[0])
    if cond is None or cond.op_type != "Greater":
        raise EeccError(f"exit {k}: the If's condition is not a Greater (the exit test)")
    name = f"eecc.exit{k}.threshold"
    top.initializer.append(numpy_helper.from_array(np.array(thr, dtype=np.float32), name))
    cond.input[1] = name


def _inline_else(graph: onnx.GraphProto, node: onnx.NodeProto) -> None:
    body = _branch(node, "else_branch")
    at = list(graph.node).index(node)
    nodes = list(graph.node)
    carry = onnx.helper.make_node("Identity", [body.output[0].name], [node.output[0]],
                                  name=f"{node.name}.else")
    new = nodes[:at] + list(body.node) + [carry] + nodes[at + 1:]
    del graph.node[:]
    graph.node.extend(new)
    graph.value_info.extend(body.value_info)
    graph.initializer.extend(body.initializer)


def _reads(graph: onnx.GraphProto) -> set[str]:
    """Names read by the nodes of `graph` and of every graph nested in them, and its outputs."""
    names = {o.name for o in graph.output}
    for node in graph.node:
        names.update(i for i in node.input if i)
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.GRAPH:
                names |= _reads(attr.g)
    return names


def _erase_dead(top: onnx.GraphProto) -> None:
    """Remove nodes nothing reads (to a fixed point) and unused initializers."""
    while True:
        used = _reads(top)
        if not _prune(top, used):
            break
    used = _reads(top)
    keep = [i for i in top.initializer if i.name in used]
    del top.initializer[:]
    top.initializer.extend(keep)


def _prune(graph: onnx.GraphProto, used: set[str]) -> bool:
    alive = [n for n in graph.node if any(o in used for o in n.output)]
    changed = len(alive) != len(graph.node)
    for node in alive:
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.GRAPH:
                changed |= _prune(attr.g, used)
    if changed:
        del graph.node[:]
        graph.node.extend(alive)
    return changed
