"""Layer ops of the `ee` dialect: one feature map in (two for `ee.add`), one out, per sample.

Every layer op is an actor that fires once per sample: it consumes that sample's feature map
from each input stream and produces the sample's output map, keeping the sample's ID.
Weights live in module-level `ee.weight` symbols so that a network reads like a netlist.

```mlir
%1 = ee.conv %0 weight @conv1.w bias @conv1.b {kernel = array<i64: 5, 5>, pads = array<i64: 4, 4, 4, 4>, strides = array<i64: 1, 1>} : !ee.stream<1x28x28xf32> -> !ee.stream<5x32x32xf32>
%2 = ee.pool %1 {kind = "max", kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : !ee.stream<5x32x32xf32> -> !ee.stream<5x16x16xf32>
%3 = ee.relu %2 : !ee.stream<5x16x16xf32>
%4 = ee.flatten %3 : !ee.stream<5x16x16xf32> -> !ee.stream<1280xf32>
%5 = ee.linear %4 weight @fc.w bias @fc.b : !ee.stream<1280xf32> -> !ee.stream<10xf32>
```
"""

from __future__ import annotations

import math
from typing import ClassVar

from xdsl.dialects.builtin import (
    I64,
    DenseArrayBase,
    Float64Type,
    FloatAttr,
    IntegerAttr,
    IntegerType,
    StringAttr,
    SymbolRefAttr,
    UnitAttr,
    i64,
)
from xdsl.irdl import (
    VarConstraint,
    base,
    irdl_op_definition,
    operand_def,
    opt_prop_def,
    prop_def,
    result_def,
    traits_def,
)
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException

from eecc.dialects.ee.base import EEOp, FoldRule, divides
from eecc.dialects.ee.hardware import HardwareOp
from eecc.dialects.ee.shapes import fine_values, window_shape
from eecc.dialects.ee.types import FixedType, StreamType
from eecc.dialects.ee.weights import check_weight


def _fmt(shape: tuple[int, ...]) -> str:
    return "x".join(str(d) for d in shape)


def _stream(op: EEOp, value_type: object, rank: int, what: str) -> tuple[int, ...]:
    """The shape of a stream operand/result, checking its rank."""
    assert isinstance(value_type, StreamType)
    shape = value_type.get_shape()
    if len(shape) != rank:
        kind = "C x H x W" if rank == 3 else "N"
        raise VerifyException(
            f"'{op.name}' {what} shape {_fmt(shape)} must be {kind} (rank {rank})"
        )
    return shape


def _same_element_type(op: EEOp, a: StreamType, b: StreamType) -> None:
    if a.element_type != b.element_type:
        raise VerifyException(
            f"'{op.name}' result element type {b.element_type} differs from input's {a.element_type}"
        )


def _mac_types(op: EEOp, a: StreamType, b: StreamType) -> None:
    """A conv or linear layer may change the fixed-point format: its output stage quantises
    the exact accumulator to the result format. Its weight and bias formats need fixed streams,
    and a bias must fit the accumulator's scale."""
    if a.element_type != b.element_type and not (
            isinstance(a.element_type, FixedType) and isinstance(b.element_type, FixedType)):
        raise VerifyException(
            f"'{op.name}' result element type {b.element_type} differs from input's "
            f"{a.element_type} (only fixed-point formats may differ: the output stage converts)")
    formats = {k: op.properties.get(k) for k in ("weight_type", "bias_type")}
    for key, fmt in formats.items():
        if fmt is not None and not isinstance(a.element_type, FixedType):
            raise VerifyException(f"'{op.name}' has a {key} but its streams are "
                                  f"{a.element_type}, not fixed point")
    if formats["bias_type"] is not None and op.properties.get("bias") is None:
        raise VerifyException(f"'{op.name}' has a bias_type but no bias")
    weight, bias = formats["weight_type"], formats["bias_type"]
    if isinstance(weight, FixedType) and isinstance(bias, FixedType):
        assert isinstance(a.element_type, FixedType)
        scale = a.element_type.frac_bits + weight.frac_bits
        if bias.frac_bits > scale:
            raise VerifyException(
                f"'{op.name}' bias_type {bias} has {bias.frac_bits} fraction bits, more than "
                f"the accumulator's {scale} (input {a.element_type.frac_bits} + weight "
                f"{weight.frac_bits}); use at most {scale}")


def _ints(
    op: EEOp, attr: DenseArrayBase[IntegerType], name: str, length: int, minimum: int
) -> tuple[int, ...]:
    values = tuple(int(v) for v in attr.get_values())
    if len(values) != length or any(v < minimum for v in values):
        raise VerifyException(
            f"'{op.name}' {name} {list(values)} must be {length} integers >= {minimum}"
        )
    return values


class WindowOp(EEOp):
    """A 2-D sliding-window op (conv, pool): kernel, strides, pads (top, left, bottom, right)."""

    kernel = prop_def(DenseArrayBase[I64])
    strides = prop_def(DenseArrayBase[I64])
    pads = prop_def(DenseArrayBase[I64])

    input = operand_def(StreamType)
    output = result_def(StreamType)

    @property
    def kernel_shape(self) -> tuple[int, ...]:
        return tuple(int(v) for v in self.kernel.get_values())

    @property
    def stride_values(self) -> tuple[int, ...]:
        return tuple(int(v) for v in self.strides.get_values())

    @property
    def pad_values(self) -> tuple[int, ...]:
        return tuple(int(v) for v in self.pads.get_values())

    def verify_window(self, channels_out: int, requantises: bool = False) -> tuple[int, ...]:
        """Check window parameters and that the result shape is the computed one."""
        in_type, out_type = self.input.type, self.output.type
        assert isinstance(in_type, StreamType) and isinstance(out_type, StreamType)
        in_shape = _stream(self, in_type, 3, "input")
        out_shape = _stream(self, out_type, 3, "result")
        (_mac_types if requantises else _same_element_type)(self, in_type, out_type)
        kernel = _ints(self, self.kernel, "kernel", 2, 1)
        strides = _ints(self, self.strides, "strides", 2, 1)
        pads = _ints(self, self.pads, "pads", 4, 0)
        expected = window_shape(in_shape, channels_out, kernel, strides, pads)
        if out_shape != expected:
            raise VerifyException(
                f"'{self.name}' result shape {_fmt(out_shape)} does not match {_fmt(expected)} "
                f"computed from input {_fmt(in_shape)}, kernel {_fmt(kernel)}, "
                f"strides {_fmt(strides)}, pads {list(pads)}"
            )
        return in_shape


@irdl_op_definition
class ConvOp(WindowOp, HardwareOp):
    """2-D convolution with optional bias and groups (ONNX `Conv`).

    Per sample: consumes one C_in x H x W map, produces one C_out x H_o x W_o map,
    `H_o = floor((H + pad_top + pad_bottom - k0) / stride0) + 1` (likewise W_o).
    Weights `@w` are F x (C_in/groups) x k0 x k1, bias `@b` has F = C_out values.
    Folds: `coarse_in` | C_in, `coarse_out` | C_out, `fine` in {1, k0, k1, k0*k1}.

    ```mlir
    %1 = ee.conv %0 weight @conv1.w bias @conv1.b {kernel = array<i64: 5, 5>, pads = array<i64: 4, 4, 4, 4>, strides = array<i64: 1, 1>} : !ee.stream<1x28x28xf32> -> !ee.stream<5x32x32xf32>
    ```
    """

    name = "ee.conv"

    weight = prop_def(SymbolRefAttr)
    bias = opt_prop_def(SymbolRefAttr)
    groups = prop_def(IntegerAttr[I64], default_value=IntegerAttr(1, i64))
    weight_type = opt_prop_def(FixedType)
    bias_type = opt_prop_def(FixedType)

    traits = traits_def(Pure())
    assembly_format = (
        "$input `weight` $weight (`bias` $bias^)? attr-dict `:` type($input) `->` type($output)"
    )

    @property
    def channels(self) -> tuple[int, int]:
        """(C_in, C_out)."""
        in_type, out_type = self.input.type, self.output.type
        assert isinstance(in_type, StreamType) and isinstance(out_type, StreamType)
        return in_type.channels, out_type.channels

    def fold_rules(self) -> tuple[FoldRule, ...]:
        c_in, c_out = self.channels
        kernel = self.kernel_shape
        fines = fine_values(kernel) if len(kernel) == 2 else (1,)
        fine_text = ", ".join(str(v) for v in fines)
        return (
            divides("coarse_in", c_in, "input channels"),
            divides("coarse_out", c_out, "output channels"),
            FoldRule("fine", fines, f"is not one of {fine_text} (legal for a {_fmt(kernel)} kernel)"),
        )

    def verify_op(self) -> None:
        c_in, c_out = self.channels
        groups = self.groups.value.data
        if groups < 1 or c_in % groups or c_out % groups:
            raise VerifyException(
                f"'ee.conv' groups={groups} does not divide {c_in} input and {c_out} output channels"
            )
        self.verify_window(c_out, requantises=True)
        k0, k1 = self.kernel_shape
        check_weight(self, self.weight, (c_out, c_in // groups, k0, k1), "weight")
        if self.bias is not None:
            check_weight(self, self.bias, (c_out,), "bias")


@irdl_op_definition
class PoolOp(WindowOp, HardwareOp):
    """2-D max or average pooling (ONNX `MaxPool`, `AveragePool`).

    Per sample: consumes one C x H x W map, produces one C x H_o x W_o map (window
    arithmetic as `ee.conv`). `kind` is "max" or "avg"; an average counts padded positions
    only with `count_include_pad`. Folds: `coarse` | C.

    ```mlir
    %2 = ee.pool %1 {kernel = array<i64: 2, 2>, kind = "max", pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : !ee.stream<5x32x32xf32> -> !ee.stream<5x16x16xf32>
    ```
    """

    name = "ee.pool"

    kind = prop_def(StringAttr)
    count_include_pad = opt_prop_def(UnitAttr)

    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    def fold_rules(self) -> tuple[FoldRule, ...]:
        assert isinstance(self.input.type, StreamType)
        return (divides("coarse", self.input.type.channels, "channels"),)

    def verify_op(self) -> None:
        if self.kind.data not in ("max", "avg"):
            raise VerifyException(f"'ee.pool' kind \"{self.kind.data}\" is not \"max\" or \"avg\"")
        assert isinstance(self.input.type, StreamType)
        self.verify_window(self.input.type.channels)


@irdl_op_definition
class GlobalPoolOp(EEOp, HardwareOp):
    """Global average or max pooling (ONNX `GlobalAveragePool`, `ReduceMean` over H, W).

    Per sample: consumes one C x H x W map, produces one C x 1 x 1 map. Folds: `coarse` | C.

    ```mlir
    %4 = ee.global_pool %3 {kind = "avg"} : !ee.stream<64x8x8xf32> -> !ee.stream<64x1x1xf32>
    ```
    """

    name = "ee.global_pool"

    kind = prop_def(StringAttr)
    input = operand_def(StreamType)
    output = result_def(StreamType)

    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    def fold_rules(self) -> tuple[FoldRule, ...]:
        assert isinstance(self.input.type, StreamType)
        return (divides("coarse", self.input.type.channels, "channels"),)

    def verify_op(self) -> None:
        if self.kind.data not in ("max", "avg"):
            raise VerifyException(
                f"'ee.global_pool' kind \"{self.kind.data}\" is not \"max\" or \"avg\""
            )
        in_type, out_type = self.input.type, self.output.type
        assert isinstance(in_type, StreamType) and isinstance(out_type, StreamType)
        in_shape = _stream(self, in_type, 3, "input")
        _stream(self, out_type, 3, "result")
        _same_element_type(self, in_type, out_type)
        if out_type.get_shape() != (in_shape[0], 1, 1):
            raise VerifyException(
                f"'ee.global_pool' result shape {_fmt(out_type.get_shape())} must be "
                f"{in_shape[0]}x1x1"
            )


class ElementwiseOp(EEOp):
    """One map in, the same shape out; folds: `coarse` | channels."""

    T: ClassVar = VarConstraint("T", base(StreamType))
    input = operand_def(T)
    output = result_def(T)

    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` type($input)"

    def fold_rules(self) -> tuple[FoldRule, ...]:
        assert isinstance(self.input.type, StreamType)
        return (divides("coarse", self.input.type.channels, "channels"),)


@irdl_op_definition
class ReluOp(ElementwiseOp, HardwareOp):
    """Rectified linear unit, `max(x, 0)` element-wise, or saturating with a `max`.

    `ee.relu` is ONNX `Relu`; with `max = m` it is the saturating `min(max(x, 0), m)` (ONNX
    `Clip(x, 0, m)`, ReLU6 for m = 6).

    Per sample: one map in, one map of the same shape out. Folds: `coarse` | C. In fixed
    point the bound is `m` quantised to the stream's format (round half up, saturate).

    ```mlir
    %3 = ee.relu %2 {fold = #ee.fold<coarse = 5>} : !ee.stream<5x16x16xf32>
    %4 = ee.relu %3 {max = 6.0 : f64} : !ee.stream<5x16x16xf32>
    ```
    """

    name = "ee.relu"

    max_value = opt_prop_def(FloatAttr[Float64Type], prop_name="max")

    @property
    def bound(self) -> float | None:
        """The upper bound `m` of a saturating ReLU, or None for a plain one."""
        return None if self.max_value is None else float(self.max_value.value.data)

    def verify_op(self) -> None:
        m = self.bound
        if m is not None and not (math.isfinite(m) and m > 0):
            raise VerifyException(f"'ee.relu' max {m} must be a finite number > 0")


@irdl_op_definition
class CastOp(EEOp, HardwareOp):
    """Converts a stream from one fixed-point format to another, word by word.

    Per sample: one map in, the same map (same shape, same ID) out in the result's format:
    `clip((q + 2^(s-1)) >> s)` for `s = F_in - F_out > 0` (round half up, saturate), an exact
    `q << -s` then saturation otherwise (docs/numerics.md). Inserted by
    `--ee-assign-precision` where neighbouring layers' formats differ and no conv or linear
    output stage converts (after a pool, ReLU or add given its own format; before an exit
    merge or add whose inputs differ). Folds: `coarse` | C.

    ```mlir
    %9 = ee.cast %8 : !ee.stream<10x!ee.fixed<10, 5>> -> !ee.stream<10x!ee.fixed<16, 8>>
    ```
    """

    name = "ee.cast"

    input = operand_def(StreamType)
    output = result_def(StreamType)

    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    def fold_rules(self) -> tuple[FoldRule, ...]:
        assert isinstance(self.input.type, StreamType)
        return (divides("coarse", self.input.type.channels, "channels"),)

    def verify_op(self) -> None:
        a, b = self.input.type, self.output.type
        assert isinstance(a, StreamType) and isinstance(b, StreamType)
        if a.get_shape() != b.get_shape():
            raise VerifyException(f"'ee.cast' result shape {_fmt(b.get_shape())} differs from "
                                  f"input's {_fmt(a.get_shape())}")
        for what, t in (("input", a), ("result", b)):
            if not isinstance(t.element_type, FixedType):
                raise VerifyException(f"'ee.cast' {what} element type {t.element_type} is not "
                                      "!ee.fixed<W, I>")


@irdl_op_definition
class SoftmaxOp(ElementwiseOp, HardwareOp):
    """Softmax over a vector of N logits (ONNX `Softmax` on a network's output).

    Per sample: one N-vector in, one N-vector out. Exit tests do not use this op: their
    softmax is part of `ee.exit_decision`. Folds: `coarse` | N.

    ```mlir
    %9 = ee.softmax %8 : !ee.stream<10xf32>
    ```
    """

    name = "ee.softmax"

    def verify_op(self) -> None:
        assert isinstance(self.input.type, StreamType)
        _stream(self, self.input.type, 1, "input")


@irdl_op_definition
class AddOp(EEOp, HardwareOp):
    """Element-wise sum of two maps of one sample (ONNX `Add`, residual connections).

    Per sample: consumes one map from each input (same sample ID), produces their sum.
    Folds: `coarse` | C.

    ```mlir
    %7 = ee.add %5, %6 : !ee.stream<16x8x8xf32>
    ```
    """

    name = "ee.add"

    T: ClassVar = VarConstraint("T", base(StreamType))
    lhs = operand_def(T)
    rhs = operand_def(T)
    output = result_def(T)

    traits = traits_def(Pure())
    assembly_format = "$lhs `,` $rhs attr-dict `:` type($output)"

    def fold_rules(self) -> tuple[FoldRule, ...]:
        assert isinstance(self.lhs.type, StreamType)
        return (divides("coarse", self.lhs.type.channels, "channels"),)


@irdl_op_definition
class FlattenOp(EEOp, HardwareOp):
    """Flattens a C x H x W map to a vector of C*H*W values in C, H, W order (ONNX `Flatten`).

    Per sample: one map in, one vector out. No arithmetic; hardware streams channel-innermost,
    so the emitter permutes the weights of the consuming `ee.linear` instead.

    ```mlir
    %8 = ee.flatten %7 : !ee.stream<10x8x8xf32> -> !ee.stream<640xf32>
    ```
    """

    name = "ee.flatten"

    input = operand_def(StreamType)
    output = result_def(StreamType)

    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    def verify_op(self) -> None:
        in_type, out_type = self.input.type, self.output.type
        assert isinstance(in_type, StreamType) and isinstance(out_type, StreamType)
        _stream(self, out_type, 1, "result")
        _same_element_type(self, in_type, out_type)
        if out_type.num_elements != in_type.num_elements:
            raise VerifyException(
                f"'ee.flatten' result has {out_type.num_elements} elements, input "
                f"{_fmt(in_type.get_shape())} has {in_type.num_elements}"
            )


@irdl_op_definition
class LinearOp(EEOp, HardwareOp):
    """Fully connected layer `y = W x + b` (ONNX `Gemm`, `MatMul` + `Add`).

    Per sample: consumes one vector of N_in values, produces one of N_out. Weights `@w` are
    N_out x N_in (PyTorch's layout), bias `@b` N_out. Folds: `coarse_in` | N_in,
    `coarse_out` | N_out.

    ```mlir
    %9 = ee.linear %8 weight @fc.w bias @fc.b {fold = #ee.fold<coarse_in = 10>} : !ee.stream<640xf32> -> !ee.stream<10xf32>
    ```
    """

    name = "ee.linear"

    weight = prop_def(SymbolRefAttr)
    bias = opt_prop_def(SymbolRefAttr)
    weight_type = opt_prop_def(FixedType)
    bias_type = opt_prop_def(FixedType)
    input = operand_def(StreamType)
    output = result_def(StreamType)

    traits = traits_def(Pure())
    assembly_format = (
        "$input `weight` $weight (`bias` $bias^)? attr-dict `:` type($input) `->` type($output)"
    )

    @property
    def features(self) -> tuple[int, int]:
        """(N_in, N_out)."""
        in_type, out_type = self.input.type, self.output.type
        assert isinstance(in_type, StreamType) and isinstance(out_type, StreamType)
        return in_type.num_elements, out_type.num_elements

    def fold_rules(self) -> tuple[FoldRule, ...]:
        n_in, n_out = self.features
        return (
            divides("coarse_in", n_in, "input features"),
            divides("coarse_out", n_out, "output features"),
        )

    def verify_op(self) -> None:
        in_type, out_type = self.input.type, self.output.type
        assert isinstance(in_type, StreamType) and isinstance(out_type, StreamType)
        _stream(self, in_type, 1, "input")
        _stream(self, out_type, 1, "result")
        _mac_types(self, in_type, out_type)
        n_in, n_out = self.features
        check_weight(self, self.weight, (n_out, n_in), "weight")
        if self.bias is not None:
            check_weight(self, self.bias, (n_out,), "bias")
