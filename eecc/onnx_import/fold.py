"""Folding of small constant shape plumbing before shape inference.

TorchScript exports some parameters as arithmetic on constants: `nn.ZeroPad2d` computes the
`Pad` amounts with `ConstantOfShape -> Concat -> Reshape -> Slice -> Transpose -> Reshape ->
Cast`. onnx's shape inference does not evaluate such chains, so the `Pad` output would have
no static shape. Here every node of a small plumbing op type whose inputs are all constants
(initializers or `Constant` nodes, at most `MAX_FOLDED` values) is evaluated with onnx's
reference evaluator and replaced by a `Constant` node with the same name and output. Only
the top-level graph is folded; values that reach `If` branches stay as they are. The
importer folds only when shape inference leaves some top-level value without a static shape.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import helper, numpy_helper

FOLDABLE = frozenset({
    "Cast", "Concat", "ConstantOfShape", "Gather", "Reshape", "Slice", "Squeeze",
    "Transpose", "Unsqueeze",
})
MAX_FOLDED = 1 << 12
"""Largest constant (in values) an input or output of a folded node may have."""


def has_unknown_shapes(model: onnx.ModelProto) -> bool:
    """Whether some inferred top-level tensor has a dimension without a static size."""
    for value in model.graph.value_info:
        kind = value.type.WhichOneof("value")
        if kind == "tensor_type" and any(not d.HasField("dim_value")
                                         for d in value.type.tensor_type.shape.dim):
            return True
    return False


def _small(array: np.ndarray) -> bool:
    return array.size <= MAX_FOLDED


def _constants(graph: onnx.GraphProto) -> dict[str, np.ndarray]:
    return {t.name: numpy_helper.to_array(t) for t in graph.initializer
            if int(np.prod(t.dims)) <= MAX_FOLDED}


def _constant_value(node: onnx.NodeProto) -> np.ndarray | None:
    if node.op_type != "Constant" or node.domain not in ("", "ai.onnx"):
        return None
    for attr in node.attribute:
        if attr.name == "value" and attr.type == onnx.AttributeProto.TENSOR:
            return numpy_helper.to_array(attr.t)
    return None


def _evaluate(node: onnx.NodeProto, inputs: list[np.ndarray], opset: int) -> list[np.ndarray] | None:
    from onnx.reference import ReferenceEvaluator  # imported only when a node folds

    names = [f"in{i}" for i in range(len(inputs))]
    inner = helper.make_node(node.op_type, names, list(node.output), domain=node.domain)
    inner.attribute.extend(node.attribute)
    graph = helper.make_graph(
        [inner], "fold", [], [helper.make_value_info(o, onnx.TypeProto()) for o in node.output],
        [numpy_helper.from_array(np.asarray(a), n) for n, a in zip(names, inputs, strict=True)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    try:
        return [np.asarray(v) for v in ReferenceEvaluator(model).run(None, {})]
    except Exception:  # not foldable here: shape inference and conversion will judge it
        return None


def fold_constants(model: onnx.ModelProto) -> onnx.ModelProto:
    """`model` with its small constant plumbing evaluated (a copy when anything folds)."""
    opset = next((e.version for e in model.opset_import if e.domain in ("", "ai.onnx")), 13)
    graph = model.graph
    known = _constants(graph)
    nodes: list[onnx.NodeProto] = []
    changed = False
    for node in graph.node:
        value = _constant_value(node)
        if value is not None and _small(value):
            known[node.output[0]] = value
        folded = _fold(node, known, opset)
        if folded is None:
            nodes.append(node)
            continue
        changed = True
        for name, array in zip(node.output, folded, strict=True):
            known[name] = array
            nodes.append(helper.make_node("Constant", [], [name], name=node.name or name,
                                          value=numpy_helper.from_array(array, name)))
    if not changed:
        return model
    out = onnx.ModelProto()
    out.CopyFrom(model)
    del out.graph.node[:]
    out.graph.node.extend(nodes)
    return out


def _fold(node: onnx.NodeProto, known: dict[str, np.ndarray], opset: int) -> list[np.ndarray] | None:
    if node.op_type not in FOLDABLE or node.domain not in ("", "ai.onnx"):
        return None
    if not node.input or not all(name and name in known for name in node.input):
        return None
    if node.op_type == "ConstantOfShape" and np.prod(known[node.input[0]]) > MAX_FOLDED:
        return None
    results = _evaluate(node, [known[name] for name in node.input], opset)
    if results is None or not all(_small(r) for r in results):
        return None
    return results
