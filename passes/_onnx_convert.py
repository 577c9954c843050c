"""The walk behind `convert-onnx-to-ee`: one `onnx.graph` in, one `ee.graph` out.

`Converter` lowers ops in order, keeping what each `onnx` value became (`_onnx_values`).
Layer ops are lowered by `_onnx_layers`, `If` by `_onnx_exits`. At the end every stream
with several consumers gets one `ee.split` (stream values are single-use in `ee`), and the
weights collected on the way become `ee.weight` symbols.
"""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import ModuleOp, SymbolRefAttr, TensorType, f32
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue

from eecc.dialects import ee
from eecc.dialects import onnx as ox
from eecc.dialects.ee.weights import MAX_WEIGHT_ELEMENTS
from eecc.dialects.onnx import InitializerOp
from eecc.onnx_import.types import dense
from eecc.passes._onnx_values import (
    Const,
    ConversionError,
    Exits,
    ExitTest,
    Padded,
    Value,
    describe,
    to_numpy,
)


def stream_type(t: Attribute, what: str) -> ee.StreamType:
    """`tensor<1xCxHxWxf32>` -> `!ee.stream<CxHxWxf32>`; `tensor<1xNxf32>` -> `<Nxf32>`."""
    if not isinstance(t, TensorType) or t.get_element_type() != f32:
        raise ConversionError(f"{what} has type {t}; eecc converts f32 tensors only")
    shape = t.get_shape()
    if len(shape) not in (2, 4) or shape[0] != 1:
        raise ConversionError(
            f"{what} has shape {'x'.join(map(str, shape)) or 'scalar'}; expected 1xN or 1xCxHxW (batch 1)"
        )
    return ee.StreamType(shape[1:], f32)


class Converter:
    """Lowers one `onnx.graph` (see the module docstring)."""

    def __init__(self, module: ModuleOp):
        self.initializers = {
            op.sym_name.data: op for op in module.ops if isinstance(op, InitializerOp)
        }
        self.env: dict[SSAValue, Value] = {}
        self.weights: dict[str, np.ndarray] = {}
        self.block = Block()

    # -- values ---------------------------------------------------------------------------
    def get(self, value: SSAValue) -> Value:
        return self.env[value]

    def stream(self, value: SSAValue, op: Operation) -> SSAValue:
        """The feature-map stream of `value`; an `If`'s exits are merged on first use."""
        got = self.env[value]
        if isinstance(got, Exits):
            return self.merge(got, op)
        if isinstance(got, SSAValue):
            return got
        if isinstance(got, Padded):
            raise ConversionError(
                f"{got.origin} feeds {describe(op)}; an explicit zero Pad folds only into the "
                "Conv, AveragePool or MaxPool (after a Relu) that reads it")
        kind = {Const: "a constant", ExitTest: "an exit test"}.get(type(got), "nothing")
        raise ConversionError(f"{describe(op)} expects a feature map, got {kind}")

    def const(self, value: SSAValue, op: Operation) -> Const:
        got = self.env[value]
        if not isinstance(got, Const):
            raise ConversionError(f"{describe(op)} expects a constant input (initializer or Constant)")
        return got

    def merge(self, exits: Exits, op: Operation) -> SSAValue:
        if exits.merged is None:
            first = exits.streams[0].type
            merge = ee.ExitMergeOp.build(operands=[exits.streams], result_types=[first])
            self.emit(merge, op)
            exits.merged = merge.output
        return exits.merged

    def weight(self, hint: str, array: np.ndarray, origin: Operation | None = None) -> SymbolRefAttr:
        """A new `ee.weight` symbol for `array` (name made unique); `origin` is the node that
        reads it, named in messages."""
        if array.size > MAX_WEIGHT_ELEMENTS:
            where = f"{describe(origin)} has a weight" if origin is not None else "weight"
            raise ConversionError(f"{where} '{hint}' of {array.size} values; eecc supports "
                                  f"weights of at most {MAX_WEIGHT_ELEMENTS} (2^24) values per tensor")
        if array.dtype != np.float32:
            raise ConversionError(f"weight '{hint}' has element type {array.dtype}; eecc "
                                  "converts float32 weights only (re-export in float32)")
        if not np.isfinite(array).all():
            index = int(np.flatnonzero(~np.isfinite(array.reshape(-1)))[0])
            raise ConversionError(f"weight '{hint}' holds {array.reshape(-1)[index]} at index "
                                  f"{index}; eecc needs finite weights")
        name, n = hint, 1
        while name in self.weights:
            name, n = f"{hint}_{n}", n + 1
        self.weights[name] = np.ascontiguousarray(array, dtype=np.float32)
        return SymbolRefAttr(name)

    def emit(self, new: Operation, origin: Operation) -> Operation:
        """Append `new` to the graph with the location of the ONNX node it comes from."""
        new.location = origin.location
        new.properties = dict(sorted(new.properties.items()))
        self.block.add_op(new)
        return new

    # -- walking --------------------------------------------------------------------------
    def lower_block(self, block: Block) -> list[Value]:
        """Lower every op of a graph or branch body; the values its terminator returns."""
        from eecc.passes._onnx_exits import lower_if
        from eecc.passes._onnx_layers import lower_node

        for op in block.ops:
            if isinstance(op, ox.ReturnOp | ox.YieldOp):
                return [self.env[v] for v in op.args]
            if isinstance(op, ox.InitializerRefOp):
                init = self.initializers[op.initializer.root_reference.data]
                self.env[op.output] = Const(to_numpy(init.value), init.sym_name.data)
            elif isinstance(op, ox.NoneOp):
                self.env[op.output] = None
            elif isinstance(op, ox.IfOp):
                self.env[op.outs[0]] = lower_if(self, op)
            elif isinstance(op, ox.NodeOp):
                for result, value in zip(op.outs, lower_node(self, op), strict=False):
                    self.env[result] = value
            else:
                raise ConversionError(f"'{op.name}' is not an onnx-dialect op")
        raise ConversionError("onnx block has no terminator")

    def convert(self, graph: ox.GraphOp) -> ModuleOp:
        name = graph.sym_name.data
        ins = [stream_type(a.type, f"graph @{name} input {i}") for i, a in enumerate(graph.body.block.args)]
        self.block = Block(arg_types=ins)
        for arg, new in zip(graph.body.block.args, self.block.args, strict=True):
            self.env[arg] = new
        results = self.lower_block(graph.body.block)
        ret = graph.body.block.last_op
        assert ret is not None
        outs = [self.output_stream(v, ret) for v in results]
        self.block.add_op(ee.OutputOp.build(operands=[outs]))
        insert_splits(self.block)
        out_graph = ee.GraphOp(name, ins, [v.type for v in outs], Region(self.block))
        if "source" in graph.attributes:  # the model file, named in emitted trace comments
            out_graph.attributes["source"] = graph.attributes["source"]
        return ModuleOp([*self.weight_ops(), out_graph])

    def output_stream(self, value: Value, ret: Operation) -> SSAValue:
        if isinstance(value, Exits):
            return self.merge(value, ret)
        if isinstance(value, ExitTest) and value.step == "softmax":
            return value.logits  # a final Softmax that is also an exit test: its logits
        if isinstance(value, SSAValue):
            return value
        if isinstance(value, Padded):
            raise ConversionError(f"{value.origin} is a graph output; an explicit zero Pad folds "
                                  "only into the Conv or pool that reads it")
        raise ConversionError("graph output is not a feature map (a constant or exit test)")

    def weight_ops(self) -> list[Operation]:
        return [ee.WeightOp(n, dense(a, f32)) for n, a in self.weights.items()]


def insert_splits(block: Block) -> None:
    """Give every stream with n > 1 consumers one `ee.split` with n outputs, in use order."""
    position = {op: i for i, op in enumerate(block.ops)}
    producers: list[tuple[Operation | None, SSAValue]] = [(None, a) for a in block.args]
    producers += [(op, r) for op in block.ops for r in op.results]
    for producer, value in producers:
        if not isinstance(value.type, ee.StreamType) or value.uses.get_length() < 2:
            continue
        uses = sorted(value.uses, key=lambda u: (position[u.operation], u.index))
        split = ee.SplitOp.build(operands=[value], result_types=[[value.type] * len(uses)])
        if producer is None:
            assert block.first_op is not None  # the producer-less value is a block argument
            block.insert_op_before(split, block.first_op)
        else:
            split.location = producer.location
            block.insert_op_after(split, producer)
        for use, out in zip(uses, split.outputs, strict=True):
            use.operation.operands[use.index] = out
