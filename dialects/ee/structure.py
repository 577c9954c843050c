"""Structure ops of the `ee` dialect: the network (`ee.graph`), its stages and terminators.

An `ee.graph` body is a dataflow **graph region**: ops are actors connected by streams, so
operand order is not execution order and a value may be used before the op that defines it
appears (the exit merge in stage 0 consumes the last stage's result). Stream values have
exactly one consumer (fan-out is an explicit `ee.split`); control values may feed several
condbuffers (the decision broadcasts its token).

```mlir
ee.graph @blenet(%x: !ee.stream<1x28x28xf32>) -> !ee.stream<10xf32> {
  %s0:2 = ee.stage 0 rate 1.000000e+00 -> !ee.stream<10xf32>, !ee.stream<5x16x16xf32> {
    ...
    %y = ee.exit_merge %e, %s1 : !ee.stream<10xf32>, !ee.stream<10xf32> -> !ee.stream<10xf32>
    ee.yield %y, %k : !ee.stream<10xf32>, !ee.stream<5x16x16xf32>
  }
  %s1 = ee.stage 1 rate 2.500000e-01 -> !ee.stream<10xf32> {
    ...
  }
  ee.output %s0#0 : !ee.stream<10xf32>
}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from xdsl.dialects.builtin import I64, FunctionType, IntegerAttr, StringAttr, SymbolNameConstraint
from xdsl.dialects.utils import parse_func_op_like, print_func_op_like
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.irdl import (
    IRDLOperation,
    irdl_op_definition,
    lazy_traits_def,
    prop_def,
    region_def,
    traits_def,
    var_operand_def,
    var_result_def,
)
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.traits import HasParent, IsTerminator, SymbolOpInterface
from xdsl.utils.exceptions import VerifyException

from eecc.dialects.ee.base import EEOp
from eecc.dialects.ee.control import ExitDecisionOp, ExitMergeOp
from eecc.dialects.ee.exit_structure import check_exit_structure
from eecc.dialects.ee.types import StreamType


@irdl_op_definition
class OutputOp(IRDLOperation):
    """Terminates an `ee.graph`: the streams the network returns (one map per sample).

    Per sample: forwards one result of each operand out of the network.

    ```mlir
    ee.output %23 : !ee.stream<10xf32>
    ```
    """

    name = "ee.output"

    args = var_operand_def()
    traits = lazy_traits_def(lambda: (IsTerminator(), HasParent(GraphOp)))
    assembly_format = "($args^ `:` type($args))? attr-dict"


@irdl_op_definition
class YieldOp(IRDLOperation):
    """Terminates an `ee.stage`: the streams that leave the stage.

    Per sample: forwards each operand's map to the stage's results.

    ```mlir
    ee.yield %y, %k : !ee.stream<10xf32>, !ee.stream<5x16x16xf32>
    ```
    """

    name = "ee.yield"

    args = var_operand_def()
    traits = lazy_traits_def(lambda: (IsTerminator(), HasParent(StageOp)))
    assembly_format = "($args^ `:` type($args))? attr-dict"


@irdl_op_definition
class StageOp(EEOp):
    """A pipeline stage: the ops that run at one execution rate (made by `--ee-partition`).

    Stage `i` holds the backbone from the (i-1)-th drop-on-exit condbuffer (exclusive) to the
    i-th (inclusive) with the i-th exit's branch and decision; stage 0 also holds the exit
    merge. Its `rate` is the probability that a sample reaches it; its results are the streams
    its `ee.yield` passes to other stages or to the graph's output.

    Per sample: each op inside fires for the samples that reach the stage (a fraction `rate`).

    ```mlir
    %s1 = ee.stage 1 rate 2.500000e-01 -> !ee.stream<10xf32> {
      %0 = ee.linear %k weight @fc.w : !ee.stream<720xf32> -> !ee.stream<10xf32>
      ee.yield %0 : !ee.stream<10xf32>
    }
    ```
    """

    name = "ee.stage"

    index = prop_def(IntegerAttr[I64])
    outputs = var_result_def()
    body = region_def("single_block")

    assembly_format = "$index (`rate` $rate^)? (`->` type($outputs)^)? attr-dict-with-keyword $body"

    def verify_op(self) -> None:
        if self.index.value.data < 0:
            raise VerifyException(f"'ee.stage' index {self.index.value.data} is negative")
        yield_op = self.body.block.last_op
        if not isinstance(yield_op, YieldOp):
            raise VerifyException("'ee.stage' body must end with 'ee.yield'")
        got = [v.type for v in yield_op.args]
        want = [r.type for r in self.outputs]
        if got != want:
            raise VerifyException(f"'ee.stage' yields ({_types(got)}), its results are ({_types(want)})")


def _types(types: list[Attribute]) -> str:
    return ", ".join(str(t) for t in types)


def _walk_body(block: Block) -> Iterator[Operation]:
    for op in block.ops:
        yield op
        if isinstance(op, StageOp):
            yield from _walk_body(op.body.block)


@irdl_op_definition
class GraphOp(IRDLOperation):
    """An early-exit network: a dataflow graph from input streams to output streams.

    Block arguments are the network's inputs (one map per sample); `ee.output` names its
    outputs. The verifier owns the network-level invariants: stream values have one consumer,
    control values feed only condbuffers, and an exit merge has one input per exit
    (exit decisions + 1).

    Per sample: the graph consumes one map from each input and produces one result per output.

    ```mlir
    ee.graph @blenet(%x: !ee.stream<1x28x28xf32>) -> !ee.stream<10xf32> {
      ...
      ee.output %23 : !ee.stream<10xf32>
    }
    ```
    """

    name = "ee.graph"

    sym_name = prop_def(SymbolNameConstraint())
    function_type = prop_def(FunctionType)
    body = region_def("single_block")

    traits = traits_def(SymbolOpInterface())

    def __init__(self, name: str, inputs: list[Attribute], outputs: list[Attribute],
                 region: Region | None = None):
        if region is None:
            region = Region(Block(arg_types=inputs))
        super().__init__(
            properties={
                "sym_name": StringAttr(name),
                "function_type": FunctionType.from_lists(inputs, outputs),
            },
            regions=[region],
        )

    def ops(self) -> Iterator[Operation]:
        """Every op of the network, stages included, in textual order."""
        return _walk_body(self.body.block)

    @classmethod
    def parse(cls, parser: Parser) -> GraphOp:
        name, inputs, outputs, region, extra, _, _ = parse_func_op_like(
            parser, reserved_attr_names=("sym_name", "function_type")
        )
        graph = GraphOp(name, list(inputs), list(outputs), region)
        if extra is not None:
            graph.attributes |= extra.data
        return graph

    def print(self, printer: Printer) -> None:
        print_func_op_like(
            printer,
            self.sym_name,
            self.function_type,
            self.body,
            self.attributes,
            reserved_attr_names=("sym_name", "function_type"),
        )

    def verify_(self) -> None:
        out = self.body.block.last_op
        if not isinstance(out, OutputOp):
            raise VerifyException(f"'ee.graph' @{self.sym_name.data} body must end with 'ee.output'")
        got = [v.type for v in out.args]
        want = list(self.function_type.outputs.data)
        if got != want:
            raise VerifyException(
                f"'ee.graph' @{self.sym_name.data} returns ({_types(got)}), its type says ({_types(want)})"
            )
        ops = list(self.ops())
        for value in self._stream_values(ops):
            _check_single_use(value)
        _check_exits(self, ops)

    def _stream_values(self, ops: list[Operation]) -> Iterator[SSAValue]:
        yield from self.body.block.args
        for op in ops:
            if isinstance(op, StageOp):
                continue  # stage results re-export inner values; checked there
            yield from (r for r in op.results if isinstance(r.type, StreamType))


def _check_single_use(value: SSAValue) -> None:
    uses = [use for use in value.uses if not isinstance(use.operation, YieldOp)]
    n = len(uses)
    if n == 1 or (n == 0 and any(isinstance(u.operation, YieldOp) for u in value.uses)):
        return
    owner = value.owner.name if isinstance(value.owner, Operation) else "the graph input"
    if n == 0:
        raise VerifyException(f"stream produced by '{owner}' has no consumer")
    raise VerifyException(
        f"stream produced by '{owner}' has {n} consumers; fork it with 'ee.split'"
    )


def _check_exits(graph: GraphOp, ops: list[Operation]) -> None:
    decisions = [op for op in ops if isinstance(op, ExitDecisionOp)]
    merges = [op for op in ops if isinstance(op, ExitMergeOp)]
    name = graph.sym_name.data
    for op in decisions:
        for use in op.decision.uses:
            if use.operation.name != "ee.condbuffer":
                raise VerifyException(
                    f"control token of 'ee.exit_decision' feeds '{use.operation.name}'; "
                    "only 'ee.condbuffer' consumes control"
                )
    if len(merges) > 1:
        raise VerifyException(f"'ee.graph' @{name} has {len(merges)} exit merges, expected 1")
    if decisions and not merges:
        raise VerifyException(
            f"'ee.graph' @{name} has {len(decisions)} exit decision(s) but no 'ee.exit_merge'"
        )
    if merges and len(merges[0].inputs) != len(decisions) + 1:
        raise VerifyException(
            f"'ee.exit_merge' has {len(merges[0].inputs)} inputs but the network has "
            f"{len(decisions) + 1} exits ({len(decisions)} exit decision(s) + the final classifier)"
        )
    check_exit_structure(name, ops)
