"""Give every stream, weight and bias of an `ee` network its fixed-point format, layer by layer.

A model-wide default and per-layer overrides (`eecc.precision`: a JSON file or the same
object inline, hls4ml's `granularity="name"` configuration) become types in the IR:

- the graph input is in the default `result` format;
- `ee.conv` and `ee.linear` produce their entry's `result` (else the default) and carry
  `weight_type` and `bias_type` (entry, else default; the bias defaults to the layer's result
  format). Their output stage quantises the exact accumulator to the result format, so a
  change of format there costs nothing and rounds once;
- every other op computes in its input's format (pool, ReLU, fork, buffers, flatten); a pool,
  ReLU or global pool given its own `result` is followed by an `ee.cast` to it;
- an `ee.exit_merge` delivers the default `result` format and an `ee.add` its entry's (else
  its inputs' common format, else the default): an input in another format gets an
  `ee.cast` before it. An `ee.exit_decision` reads its logits in whatever format they have.

So a layer's input type is always its producer's output type, and every change of format is
either a conv/linear output stage or an explicit `ee.cast`, which the verifier checks.

Input (`precision={"layers": {"/head/4/Gemm": {"result": [10, 5]}}}`):

    %16 = ee.linear %15 weight @head.4.weight ... : !ee.stream<640xf32> -> !ee.stream<10xf32>
    %26 = ee.exit_merge %22, %24 : ... -> !ee.stream<10xf32>

Output:

    %16 = ee.linear %15 weight @head.4.weight ... {bias_type = !ee.fixed<10, 5>,
          weight_type = !ee.fixed<16, 8>} : !ee.stream<640x!ee.fixed<16, 8>> -> !ee.stream<10x!ee.fixed<10, 5>>
    %c = ee.cast %22 : !ee.stream<10x!ee.fixed<10, 5>> -> !ee.stream<10x!ee.fixed<16, 8>>
    %26 = ee.exit_merge %c, %24 : ... -> !ee.stream<10x!ee.fixed<16, 8>>

Options: `data_width`, `data_int`, `weight_width`, `weight_int` (the default when the
configuration gives none, 16, 8 each); `precision`: a `.json` file or inline JSON.

Limits: widths 2..16 (the stream word's data field). Layers are named as in the report
(the ONNX node name); an unknown name, key or bad format is an error naming the entry. Run
it before `--fold` so the cost model prices each layer at its width; re-running it replaces
the casts of an earlier run.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl import passes
from xdsl.context import Context
from xdsl.dialects.builtin import FunctionType, ModuleOp
from xdsl.ir import Operation, OpResult, SSAValue
from xdsl.rewriter import Rewriter

from eecc.dialects.ee import (
    AddOp,
    CastOp,
    ConvOp,
    ExitMergeOp,
    FixedType,
    GlobalPoolOp,
    GraphOp,
    LinearOp,
    PoolOp,
    ReluOp,
    RepackOp,
    SoftmaxOp,
    StageOp,
    StreamType,
)
from eecc.errors import EeccError
from eecc.network import NetworkStructure
from eecc.precision import LayerPrecision, Precision, check_format, load_precision

MAC = (ConvOp, LinearOp)
OWN_RESULT = (PoolOp, GlobalPoolOp, ReluOp, SoftmaxOp, AddOp)
Key = tuple[Operation, int]


def carrier(value: SSAValue) -> SSAValue:
    """The value a stream really comes from: through stage results."""
    while isinstance(value, OpResult) and isinstance(value.op, StageOp):
        value = value.op.body.block.last_op.operands[value.index]  # type: ignore[union-attr]
    return value


def fixed(fmt: tuple[int, int]) -> FixedType:
    return FixedType(*fmt)


@dataclass
class Plan:
    """What the pass changes: each result's own format, casts after ops and before operands."""

    own: dict[SSAValue, FixedType]
    after: dict[Operation, FixedType]
    before: dict[Key, FixedType]

    def seen(self, value: SSAValue) -> FixedType:
        """The format a consumer of `value` reads (after a cast that follows its producer)."""
        value = carrier(value)
        if isinstance(value, OpResult) and value.op in self.after:
            return self.after[value.op]
        return self.own[value]


class Assigner:
    """The formats of one graph, op by op in topological order."""

    def __init__(self, graph: GraphOp, precision: Precision, data: FixedType, weight: FixedType):
        self.graph, self.precision = graph, precision
        structure = NetworkStructure(graph)
        self.names = {op: name for op, name in zip(structure.ops, structure.names, strict=True)}
        settable = {name: _settable(op) for op, name in self.names.items() if _settable(op)}
        precision.check_names(settable, settable)
        default = precision.default
        self.result = fixed(default.result) if default.result else data
        self.weight = fixed(default.weight) if default.weight else weight
        self.bias = fixed(default.bias) if default.bias else None
        self.plan = Plan({graph.body.block.args[0]: self.result}, {}, {})
        self.ops = structure.ops

    def entry(self, op: Operation) -> LayerPrecision:
        return self.precision.entry(self.names.get(op, ""))

    def run(self) -> Plan:
        for op in self.ops:
            assert isinstance(op, Operation)
            self.assign(op)
        return self.plan

    def assign(self, op: Operation) -> None:
        entry, plan = self.entry(op), self.plan
        ins = [plan.seen(v) for v in op.operands if isinstance(v.type, StreamType)]
        if isinstance(op, MAC):
            out = fixed(entry.result) if entry.result else self.result
            self.weights(op, entry, ins[0], out)
        elif isinstance(op, ExitMergeOp | AddOp):
            out = self.joined(op, entry, ins)
        else:
            out = ins[0] if ins else self.result
            if isinstance(op, OWN_RESULT) and entry.result and fixed(entry.result) != out:
                plan.after[op] = fixed(entry.result)
        for result in op.results:
            if isinstance(result.type, StreamType):
                plan.own[result] = out

    def joined(self, op: Operation, entry: LayerPrecision, ins: list[FixedType]) -> FixedType:
        """The format an add or merge delivers; a cast before each input in another one."""
        if entry.result:
            out = fixed(entry.result)
        elif isinstance(op, AddOp) and len(set(ins)) == 1:
            out = ins[0]
        else:
            out = self.result
        for index, fmt in enumerate(ins):
            if fmt != out:
                self.plan.before[(op, index)] = out
        return out

    def weights(self, op: Operation, entry: LayerPrecision, data: FixedType,
                out: FixedType) -> None:
        weight = fixed(entry.weight) if entry.weight else self.weight
        op.properties["weight_type"] = weight
        op.properties.pop("bias_type", None)
        if op.properties.get("bias") is None:
            return
        bias = fixed(entry.bias) if entry.bias else (self.bias or out)
        scale = data.frac_bits + weight.frac_bits
        if bias.frac_bits > scale:
            raise EeccError(
                f"{self.precision.source}: '{self.names.get(op, op.name)}': bias "
                f"ap_fixed<{bias.width.data},{bias.int_bits.data}> has {bias.frac_bits} fraction "
                f"bits, more than the accumulator's {scale} (input {data.frac_bits} + weight "
                f"{weight.frac_bits}); give the bias at most {scale}")
        op.properties["bias_type"] = bias


def _settable(op: object) -> tuple[str, ...]:
    """The keys a layer's entry may set."""
    if isinstance(op, MAC):
        return ("result", "weight") + (("bias",) if op.bias is not None else ())
    return ("result",) if isinstance(op, OWN_RESULT) else ()


def drop_casts(graph: GraphOp) -> None:
    """Remove the casts of an earlier run (they are inserted afresh)."""
    for op in [o for o in graph.ops() if isinstance(o, CastOp)]:
        op.results[0].replace_all_uses_with(op.input)
        op.detach()
        op.erase()


def _retype(value: SSAValue, element: FixedType) -> SSAValue:
    assert isinstance(value.type, StreamType)
    new = StreamType(value.type.get_shape(), element)
    return value if value.type == new else Rewriter.replace_value_with_new_type(value, new)


def _cast(value: SSAValue, element: FixedType, at: Operation) -> CastOp:
    assert isinstance(value.type, StreamType)
    cast = CastOp.create(operands=[value],
                         result_types=[StreamType(value.type.get_shape(), element)])
    cast.location = at.location
    block = at.parent_block()
    assert block is not None
    block.insert_op_before(cast, at)
    return cast


def apply_plan(graph: GraphOp, plan: Plan) -> None:
    """Types, then casts, then stage results and the graph's signature."""
    args = graph.body.block.args
    _retype(args[0], plan.own[args[0]])
    for value, element in list(plan.own.items()):
        if isinstance(value, OpResult):
            _retype(value, element)
    for op, element in plan.after.items():
        result = op.results[0]
        uses = list(result.uses)
        cast = CastOp.create(operands=[result], result_types=[
            StreamType(result.type.get_shape(), element)])  # type: ignore[attr-defined]
        cast.location = op.location
        op.parent_block().insert_op_after(cast, op)  # type: ignore[union-attr]
        for use in uses:
            use.operation.operands[use.index] = cast.results[0]
    for (op, index), element in plan.before.items():
        op.operands[index] = _cast(op.operands[index], element, op).results[0]
    _restage(graph)


def _restage(graph: GraphOp) -> None:
    for stage in [op for op in graph.ops() if isinstance(op, StageOp)]:
        yielded = stage.body.block.last_op
        assert yielded is not None
        for result, value in zip(stage.results, yielded.operands, strict=True):
            if result.type != value.type:
                Rewriter.replace_value_with_new_type(result, value.type)
    out = graph.body.block.last_op
    assert out is not None
    graph.function_type = FunctionType.from_lists(
        [a.type for a in graph.body.block.args], [v.type for v in out.operands])


@dataclass(frozen=True)
class EeAssignPrecisionPass(passes.ModulePass):
    """Give every stream, weight and bias its fixed-point format, layer by layer."""

    name = "ee-assign-precision"

    data_width: int = 16
    data_int: int = 8
    weight_width: int = 16
    weight_int: int = 8
    precision: str = ""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        data = fixed(check_format(self.data_width, self.data_int, f"'{self.name}' data format"))
        weight = fixed(check_format(self.weight_width, self.weight_int,
                                    f"'{self.name}' weight format"))
        precision = load_precision(self.precision) if self.precision else Precision()
        assert precision is not None
        for graph in [g for g in op.walk() if isinstance(g, GraphOp)]:
            if len(graph.body.block.args) != 1:
                raise EeccError(f"'{self.name}': 'ee.graph' @{graph.sym_name.data} has "
                                f"{len(graph.body.block.args)} inputs; eecc takes one")
            if any(isinstance(o, RepackOp) for o in graph.ops()):
                raise EeccError(f"'{self.name}': @{graph.sym_name.data} is legalised (it has "
                                "ee.repack); run it before --ee-legalize-hls")
            drop_casts(graph)
            apply_plan(graph, Assigner(graph, precision, data, weight).run())
