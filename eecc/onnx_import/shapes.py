"""Value types of an ONNX model, subgraphs included, after shape inference.

onnx's `infer_shapes` types the values of `If` branches when it can see the outer values'
types. When it cannot (older onnx, missing value infos), `complete_branches` runs inference
on each branch as a model of its own, with the outer values it uses as typed inputs and the
initializers it reads, and recurses into nested `If`s.
"""

from __future__ import annotations

import onnx
from onnx import helper

Types = dict[str, onnx.TypeProto]


def subgraphs(node: onnx.NodeProto) -> list[tuple[str, onnx.GraphProto]]:
    """The graph-valued attributes of a node, by attribute name (sorted)."""
    found = [(a.name, a.g) for a in node.attribute if a.type == onnx.AttributeProto.GRAPH]
    return sorted(found, key=lambda item: item[0])


def is_complete(type_proto: onnx.TypeProto | None) -> bool:
    if type_proto is None or not type_proto.HasField("tensor_type"):
        return False
    tt = type_proto.tensor_type
    return tt.HasField("shape") and all(d.HasField("dim_value") for d in tt.shape.dim)


def collect_types(graph: onnx.GraphProto, types: Types | None = None) -> Types:
    """Name -> type of every typed value in `graph` and its subgraphs."""
    types = {} if types is None else types
    for t in graph.initializer:
        types[t.name] = helper.make_tensor_type_proto(t.data_type, list(t.dims))
    for value in [*graph.input, *graph.value_info, *graph.output]:
        if value.name not in types or is_complete(value.type):
            types[value.name] = value.type
    for node in graph.node:
        for _, sub in subgraphs(node):
            collect_types(sub, types)
    return types


def complete_branches(model: onnx.ModelProto, graph: onnx.GraphProto, types: Types) -> None:
    """Infer the types of branch values that shape inference left untyped."""
    for node in graph.node:
        for _, branch in subgraphs(node):
            if any(not is_complete(types.get(o)) for n in branch.node for o in n.output):
                _infer_branch(model, branch, types)
            complete_branches(model, branch, types)


def _outer_names(graph: onnx.GraphProto) -> list[str]:
    """Names a (sub)graph reads but does not define, in first-use order."""
    defined = {t.name for t in graph.initializer} | {v.name for v in graph.input}
    outer: list[str] = []
    for node in graph.node:
        reads = list(node.input)
        for _, sub in subgraphs(node):
            reads += _outer_names(sub)
        outer += [n for n in reads if n and n not in defined and n not in outer]
        defined.update(node.output)
    outer += [o.name for o in graph.output if o.name not in defined and o.name not in outer]
    return outer


def _infer_branch(model: onnx.ModelProto, branch: onnx.GraphProto, types: Types) -> None:
    inits = {t.name: t for t in model.graph.initializer}
    outer = _outer_names(branch)
    inputs = [helper.make_value_info(n, types[n]) for n in outer
              if n not in inits and is_complete(types.get(n))]
    used_inits = [inits[n] for n in outer if n in inits]
    outputs = [helper.make_value_info(o.name, onnx.TypeProto()) for o in branch.output]
    sub = helper.make_graph(list(branch.node), "branch", inputs, outputs,
                            [*used_inits, *branch.initializer])
    sub_model = helper.make_model(sub, opset_imports=list(model.opset_import))
    sub_model.ir_version = model.ir_version
    try:
        inferred = onnx.shape_inference.infer_shapes(sub_model, data_prop=True)
    except Exception:  # leave the values untyped: the importer reports them
        return
    collect_types(inferred.graph, types)
