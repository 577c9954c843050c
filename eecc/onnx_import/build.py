"""Building the `onnx` dialect module from a shape-inferred `ModelProto`.

Values are looked up by ONNX name in a chain of scopes (a branch sees the values of the
graphs around it). Initializers become module-level `onnx.initializer` symbols, read once
at the top of the graph (or branch) that owns them with `onnx.initializer_ref`.
"""

from __future__ import annotations

import re
from collections import ChainMap
from pathlib import Path

import onnx
from xdsl.dialects.builtin import ArrayAttr, ModuleOp, NameLoc, NoneAttr, NoneType, StringAttr
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue

from eecc.dialects import onnx as ox
from eecc.errors import EeccError
from eecc.onnx_import.shapes import Types, subgraphs
from eecc.onnx_import.types import attribute, tensor_attr, tensor_type

Scope = ChainMap[str, SSAValue]


def node_label(node: onnx.NodeProto) -> str:
    """How messages name a node: `node '/conv1/Conv' (Conv)`."""
    name = node.name or (node.output[0] if node.output else "?")
    return f"node '{name}' ({node.op_type})"


def location(node: onnx.NodeProto) -> NameLoc:
    """The node's name as a location, ASCII with escapes (`Conv_\\u00e9`, `a\\nb`): xDSL
    prints other characters as byte escapes that its own location parser refuses, and a
    newline would break every line-oriented report."""
    name = node.name or (node.output[0] if node.output else node.op_type)
    return NameLoc(StringAttr(ascii_name(name)), NoneAttr())


def ascii_name(name: str) -> str:
    """`name` in printable ASCII: non-ASCII and control characters as Python escapes."""
    if name.isascii() and name.isprintable():
        return name
    return name.encode("unicode_escape").decode("ascii")


def graph_name(path: Path) -> str:
    """The model file's stem as a symbol name (`blenet.dynamo.onnx` -> `blenet_dynamo`)."""
    stem = path.name.removesuffix(".onnx")
    return re.sub(r"[^A-Za-z0-9_]", "_", stem) or "model"


def read_names(graph: onnx.GraphProto) -> set[str]:
    """Every value name a node (in `graph` or a subgraph) or a graph output reads."""
    names = {o.name for o in graph.output}
    for node in graph.node:
        names.update(node.input)
        for _, sub in subgraphs(node):
            names |= read_names(sub)
    return names


class ModuleBuilder:
    """Turns one shape-inferred model into a `builtin.module` of `onnx` ops."""

    def __init__(self, model: onnx.ModelProto, path: Path, types: Types):
        self.model = model
        self.path = path
        self.types = types
        self.symbols: list[Operation] = []
        self.symbol_names: set[str] = set()
        self.read = read_names(model.graph)

    def error(self, message: str) -> EeccError:
        return EeccError(f"{self.path}: {message}")

    def value_type(self, name: str, what: str) -> Attribute:
        type_proto = self.types.get(name)
        if type_proto is None:
            raise self.error(f"{what} has no known type (shape inference could not compute it)")
        try:
            return tensor_type(type_proto, what)
        except EeccError as err:
            raise self.error(str(err)) from None

    def output_type(self, name: str, what: str) -> Attribute:
        """A node output's type; an output nothing reads may have none (an old-opset
        Dropout's mask): it becomes `none`."""
        if name not in self.read and self.types.get(name) is None:
            return NoneType()
        return self.value_type(name, what)

    def build(self) -> ModuleOp:
        graph = self.model.graph
        inputs = [i for i in graph.input if i.name not in {t.name for t in graph.initializer}]
        in_types = [self.value_type(i.name, f"graph input '{i.name}'") for i in inputs]
        block = Block(arg_types=in_types)
        scope: Scope = ChainMap({i.name: arg for i, arg in zip(inputs, block.args, strict=True)})
        self.fill(graph, block, scope)
        outs = [self.lookup(scope, o.name, f"graph output '{o.name}'") for o in graph.output]
        block.add_op(ox.ReturnOp(outs))
        op = ox.GraphOp(graph_name(self.path), in_types, [v.type for v in outs], Region(block))
        op.attributes["input_names"] = ArrayAttr([StringAttr(i.name) for i in inputs])
        op.attributes["output_names"] = ArrayAttr([StringAttr(o.name) for o in graph.output])
        op.attributes["source"] = StringAttr(self.path.name)
        return ModuleOp([*self.symbols, op])

    def fill(self, graph: onnx.GraphProto, block: Block, scope: Scope) -> None:
        """Add the initializer reads and the nodes of `graph` to `block`."""
        for tensor in graph.initializer:
            scope[tensor.name] = self.initializer(tensor, block)
        for node in graph.node:
            op = self.node(node, block, scope)
            block.add_op(op)
            for name, result in zip(node.output, op.results, strict=True):
                if name:
                    scope[name] = result

    def initializer(self, tensor: onnx.TensorProto, block: Block) -> SSAValue:
        what = f"initializer '{tensor.name}'"
        if tensor.name in self.symbol_names:
            raise self.error(f"{what} is defined twice (in the graph and in a subgraph)")
        value = tensor_attr(tensor, f"{self.path}: {what}")
        self.symbols.append(ox.InitializerOp(tensor.name, value))
        self.symbol_names.add(tensor.name)
        ref = ox.InitializerRefOp(tensor.name, value.type)
        block.add_op(ref)
        return ref.output

    def lookup(self, scope: Scope, name: str, what: str) -> SSAValue:
        if name in scope:
            return scope[name]
        raise self.error(
            f"{what} reads '{name}', which is neither a graph input, an initializer nor a node "
            "output (missing initializer?)"
        )

    def operands(self, node: onnx.NodeProto, block: Block, scope: Scope) -> list[SSAValue]:
        """The node's inputs; an absent optional input is an `onnx.none` added to `block`."""
        values = []
        for name in node.input:
            if not name:
                none = ox.NoneOp()
                block.add_op(none)
                values.append(none.output)
                continue
            values.append(self.lookup(scope, name, node_label(node)))
        return values

    def node(self, node: onnx.NodeProto, block: Block, scope: Scope) -> Operation:
        label = node_label(node)
        if node.op_type == "If" and node.domain in ("", "ai.onnx"):
            return self.if_node(node, scope)
        if subgraphs(node):
            raise self.error(f"{label} has a subgraph; eecc imports only the subgraphs of 'If'")
        args = self.operands(node, block, scope)
        result_types = [self.output_type(o, f"{label} output '{o}'") for o in node.output]
        attrs = {a.name: attribute(a, f"{self.path}: {label}") for a in node.attribute}
        op = ox.NodeOp(node.op_type, args, result_types, dict(sorted(attrs.items())), node.domain)
        op.location = location(node)
        return op

    def if_node(self, node: onnx.NodeProto, scope: Scope) -> Operation:
        from eecc.onnx_import.branches import build_if

        return build_if(self, node, scope)
