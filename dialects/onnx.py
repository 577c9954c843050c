"""The `onnx` dialect: a faithful, generic image of an ONNX model, made by `eecc import`.

One generic op stands for every ONNX node, so the dialect needs no change when a model uses an
op eecc does not convert: `convert-onnx-to-ee` is where support is decided. ONNX node names are
op locations (printed with `--print-debuginfo`; `eecc import` always prints them), ONNX
attributes are the op's attributes, initializers are module-level symbols.

```mlir
onnx.initializer @conv.w = dense<1.0e-02> : tensor<5x1x5x5xf32>
onnx.graph @blenet(%input: tensor<1x1x28x28xf32>) -> tensor<1x10xf32> {
  %w = onnx.initializer_ref @conv.w : tensor<5x1x5x5xf32>
  %c = onnx.node "Conv"(%input, %w) {kernel_shape = array<i64: 5, 5>, pads = array<i64: 4, 4, 4, 4>} : (tensor<1x1x28x28xf32>, tensor<5x1x5x5xf32>) -> tensor<1x5x32x32xf32> loc("/conv/Conv")
  ...
  %y = onnx.if %cond : tensor<i1> -> tensor<1x10xf32> {
    onnx.yield %logits : tensor<1x10xf32>
  } else {
    ...
    onnx.yield %rest : tensor<1x10xf32>
  } loc("/If")
  onnx.return %y : tensor<1x10xf32>
}
```

Attribute mapping: INT `i64`, FLOAT `f32`, STRING string, INTS `array<i64: ...>`, FLOATS
`array<f32: ...>`, STRINGS `["a", "b"]`, TENSOR `dense<...> : tensor<...>`. Graph-valued
attributes exist only as the regions of `onnx.if`. A missing optional input is an
`onnx.none` value.
"""

from __future__ import annotations

from xdsl.dialects.builtin import (
    DenseIntOrFPElementsAttr,
    FunctionType,
    NoneType,
    StringAttr,
    SymbolNameConstraint,
    SymbolRefAttr,
)
from xdsl.dialects.utils import parse_func_op_like, print_func_op_like
from xdsl.ir import Attribute, Block, Dialect, Region
from xdsl.irdl import (
    IRDLOperation,
    irdl_op_definition,
    lazy_traits_def,
    operand_def,
    opt_prop_def,
    prop_def,
    region_def,
    result_def,
    traits_def,
    var_operand_def,
    var_result_def,
)
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.traits import HasParent, IsTerminator, SymbolOpInterface

from eecc.dialects.dominance import check_defined_before_use


@irdl_op_definition
class InitializerOp(IRDLOperation):
    """A graph initializer: a named constant tensor at module level.

    ```mlir
    onnx.initializer @fc.bias = dense<0.0> : tensor<10xf32>
    ```
    """

    name = "onnx.initializer"

    sym_name = prop_def(SymbolNameConstraint())
    value = prop_def(DenseIntOrFPElementsAttr)

    traits = traits_def(SymbolOpInterface())
    assembly_format = "$sym_name `=` $value attr-dict"

    def __init__(self, name: str, value: DenseIntOrFPElementsAttr):
        super().__init__(properties={"sym_name": StringAttr(name), "value": value})


@irdl_op_definition
class InitializerRefOp(IRDLOperation):
    """Reads an initializer into the graph, where node operands can use it.

    ```mlir
    %w = onnx.initializer_ref @fc.weight : tensor<10x640xf32>
    ```
    """

    name = "onnx.initializer_ref"

    initializer = prop_def(SymbolRefAttr)
    output = result_def()

    assembly_format = "$initializer attr-dict `:` type($output)"

    def __init__(self, name: str, result_type: Attribute):
        super().__init__(
            properties={"initializer": SymbolRefAttr(name)}, result_types=[result_type]
        )


@irdl_op_definition
class NoneOp(IRDLOperation):
    """An absent optional input (the empty name `""` in an ONNX node's input list).

    ```mlir
    %n = onnx.none
    ```
    """

    name = "onnx.none"

    output = result_def(NoneType)
    assembly_format = "attr-dict"

    def __init__(self):
        super().__init__(result_types=[NoneType()])


@irdl_op_definition
class NodeOp(IRDLOperation):
    """One ONNX node: `op_type` (and `domain` when not the default one), its inputs, outputs
    and attributes as they are in the model; the node name is the op's location.

    ```mlir
    %r = onnx.node "Relu"(%x) : (tensor<1x5x16x16xf32>) -> tensor<1x5x16x16xf32> loc("/Relu")
    %m = onnx.node "ReduceMax"(%s) {keepdims = 0 : i64} : (tensor<1x10xf32>) -> tensor<1xf32>
    ```
    """

    name = "onnx.node"

    op_type = prop_def(StringAttr)
    domain = opt_prop_def(StringAttr)
    args = var_operand_def()
    outs = var_result_def()

    assembly_format = (
        "$op_type (`domain` $domain^)? `(` $args `)` attr-dict `:` functional-type($args, $outs)"
    )

    def __init__(self, op_type: str, args, result_types, attributes, domain: str = ""):
        props: dict[str, Attribute] = {"op_type": StringAttr(op_type)}
        if domain:
            props["domain"] = StringAttr(domain)
        super().__init__(
            operands=[args], result_types=[result_types], properties=props,
            attributes=attributes,
        )


@irdl_op_definition
class IfOp(IRDLOperation):
    """ONNX `If`: runs `then` when `cond` holds, else `else`; both yield the results.

    Branch bodies have no arguments: like ONNX subgraphs they use values of the enclosing
    graph directly. They end in `onnx.yield`. The early-exit test of a network is an `If`
    whose `then` yields the exit's logits and whose `else` continues the backbone.

    ```mlir
    %y = onnx.if %c : tensor<i1> -> tensor<1x10xf32> {
      onnx.yield %exit : tensor<1x10xf32>
    } else {
      onnx.yield %rest : tensor<1x10xf32>
    }
    ```
    """

    name = "onnx.if"

    cond = operand_def()
    outs = var_result_def()
    then_region = region_def("single_block")
    else_region = region_def("single_block")

    assembly_format = (
        "$cond `:` type($cond) `->` type($outs) $then_region `else` $else_region attr-dict"
    )

    def __init__(self, cond, result_types, then_region: Region, else_region: Region):
        super().__init__(
            operands=[cond], result_types=[result_types], regions=[then_region, else_region]
        )


@irdl_op_definition
class YieldOp(IRDLOperation):
    """Ends a branch of `onnx.if`: the branch's outputs."""

    name = "onnx.yield"

    args = var_operand_def()
    traits = lazy_traits_def(lambda: (IsTerminator(), HasParent(IfOp)))
    assembly_format = "($args^ `:` type($args))? attr-dict"

    def __init__(self, args):
        super().__init__(operands=[args])


@irdl_op_definition
class ReturnOp(IRDLOperation):
    """Ends an `onnx.graph`: the graph's outputs."""

    name = "onnx.return"

    args = var_operand_def()
    traits = lazy_traits_def(lambda: (IsTerminator(), HasParent(GraphOp)))
    assembly_format = "($args^ `:` type($args))? attr-dict"

    def __init__(self, args):
        super().__init__(operands=[args])


@irdl_op_definition
class GraphOp(IRDLOperation):
    """The main graph of an ONNX model: inputs are block arguments, `onnx.return` gives the
    outputs. `eecc import` names it after the model file; the ONNX input/output names are
    kept in `input_names` / `output_names` attributes.

    ```mlir
    onnx.graph @net(%input: tensor<1x1x28x28xf32>) -> tensor<1x10xf32> attributes {input_names = ["input"], output_names = ["output"]} {
      ...
    }
    ```
    """

    name = "onnx.graph"

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
            printer, self.sym_name, self.function_type, self.body, self.attributes,
            reserved_attr_names=("sym_name", "function_type"),
        )

    def verify_(self) -> None:
        check_defined_before_use(self.body.block)


ONNX = Dialect(
    "onnx",
    [GraphOp, ReturnOp, InitializerOp, InitializerRefOp, NoneOp, NodeOp, IfOp, YieldOp],
    [],
)

__all__ = [
    "ONNX", "GraphOp", "ReturnOp", "InitializerOp", "InitializerRefOp", "NoneOp", "NodeOp",
    "IfOp", "YieldOp",
]
