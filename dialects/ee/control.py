"""Control ops of the `ee` dialect: forks, exit decisions, conditional buffers, exit merges.

```mlir
%a, %b = ee.split %x : !ee.stream<5x16x16xf32> -> !ee.stream<5x16x16xf32>, !ee.stream<5x16x16xf32>
%c = ee.exit_decision %logits {threshold = 9.960000e-01 : f64} : !ee.stream<10xf32>
%e = ee.condbuffer %l, %c {mode = "pass-on-exit"} : !ee.stream<10xf32>
%k = ee.condbuffer %b, %c {mode = "drop-on-exit", depth = 16 : i64} : !ee.stream<5x16x16xf32>
%y = ee.exit_merge %e, %final : !ee.stream<10xf32>, !ee.stream<10xf32> -> !ee.stream<10xf32>
```
"""

from __future__ import annotations

from typing import ClassVar

from xdsl.dialects.builtin import I64, Float64Type, FloatAttr, IntegerAttr, StringAttr
from xdsl.ir import OpResult
from xdsl.irdl import (
    VarConstraint,
    base,
    irdl_op_definition,
    operand_def,
    opt_prop_def,
    prop_def,
    result_def,
    var_operand_def,
    var_result_def,
)
from xdsl.utils.exceptions import VerifyException

from eecc.dialects.ee.base import EEOp, FoldRule, divides
from eecc.dialects.ee.hardware import HardwareOp, Legal, merge_policy
from eecc.dialects.ee.types import ControlType, StreamType
from eecc.dialects.interface import DEFAULT_BUFFER_DEPTH

CRITERIA = ("max-softmax",)
MODES = ("pass-on-exit", "drop-on-exit")
#: Exit policies of `ee.exit_merge` (which head answers a sample no early exit is confident
#: about); the first is the default.
POLICIES = ("first-confident", "most-confident")


def _coarse(op: EEOp, stream_type: object) -> tuple[FoldRule, ...]:
    assert isinstance(stream_type, StreamType)
    return (divides("coarse", stream_type.channels, "channels"),)


@irdl_op_definition
class SplitOp(EEOp, HardwareOp):
    """Lossless broadcast (fork) of a stream to N >= 2 consumers.

    Per sample: consumes one map, produces the same map (same ID) on each output. Stream values
    have exactly one use, so every fan-out in a network is an explicit `ee.split`.
    Folds: `coarse` | C.

    ```mlir
    %3, %4 = ee.split %2 : !ee.stream<5x16x16xf32> -> !ee.stream<5x16x16xf32>, !ee.stream<5x16x16xf32>
    ```
    """

    name = "ee.split"

    input = operand_def(StreamType)
    outputs = var_result_def(StreamType)

    assembly_format = "$input attr-dict `:` type($input) `->` type($outputs)"

    def fold_rules(self) -> tuple[FoldRule, ...]:
        return _coarse(self, self.input.type)

    def verify_op(self) -> None:
        if len(self.outputs) < 2:
            raise VerifyException(f"'ee.split' has {len(self.outputs)} output(s), expected at least 2")
        for out in self.outputs:
            if out.type != self.input.type:
                raise VerifyException(
                    f"'ee.split' output type {out.type} differs from input type {self.input.type}"
                )


@irdl_op_definition
class ExitDecisionOp(EEOp, HardwareOp):
    """Decides per sample whether it leaves at this exit: `max softmax(logits) > threshold`.

    Per sample: consumes one vector of logits, produces one control token (`true` = exit).
    Hardware form, with no divide: `max exp(x) > threshold * sum exp(x)`; the comparison is
    strict, as PyTorch's `>`. Fixed-point arithmetic: docs/numerics.md. `threshold` is in
    (0, 1]; `criterion` is "max-softmax" (the only one so far).

    ```mlir
    %12 = ee.exit_decision %10 {threshold = 9.960000e-01 : f64} : !ee.stream<10xf32>
    ```
    """

    name = "ee.exit_decision"

    logits = operand_def(StreamType)
    decision = result_def(ControlType)
    threshold = prop_def(FloatAttr[Float64Type])
    criterion = prop_def(StringAttr, default_value=StringAttr("max-softmax"))

    assembly_format = "$logits attr-dict `:` type($logits)"

    def verify_op(self) -> None:
        thr = self.threshold.value.data
        if not 0.0 < thr <= 1.0:
            raise VerifyException(f"'ee.exit_decision' threshold {thr} is outside (0, 1]")
        if self.criterion.data not in CRITERIA:
            raise VerifyException(
                f"'ee.exit_decision' criterion \"{self.criterion.data}\" is not supported "
                f"(supported: {', '.join(CRITERIA)})"
            )
        assert isinstance(self.logits.type, StreamType)
        if len(self.logits.type.get_shape()) != 1:
            raise VerifyException(
                f"'ee.exit_decision' logits {self.logits.type} must be a vector (rank 1)"
            )


MAX_BUFFER_DEPTH = 65535


@irdl_op_definition
class CondBufferOp(EEOp, HardwareOp):
    """Holds each sample's map until its exit decision arrives, then forwards or drops it.

    Per sample: consumes one map and one control token (matched by sample ID). Mode
    "pass-on-exit" forwards the map when the sample exits (an exit's logits) and drops it
    otherwise; "drop-on-exit" forwards it when the sample continues (the backbone) and drops
    it when the sample exits. A dropped map leaves in one step. `depth` (feature maps) is how
    many samples may wait for their decision: `--ee-size-buffers` sets the maps that wait at
    the current folds, and `--fold` may deepen a drop-on-exit buffer (a queue in front of the
    next stage, weighed against the BRAM it costs), recording the sized depth as `min_depth`
    (depth >= min_depth). Folds: `coarse` | C.

    ```mlir
    %13 = ee.condbuffer %11, %12 {mode = "pass-on-exit"} : !ee.stream<10xf32>
    %14 = ee.condbuffer %4, %12 {depth = 32 : i64, min_depth = 2 : i64, mode = "drop-on-exit"} : !ee.stream<5x16x16xf32>
    ```
    """

    name = "ee.condbuffer"

    T: ClassVar = VarConstraint("T", base(StreamType))
    input = operand_def(T)
    control = operand_def(ControlType)
    output = result_def(T)
    mode = prop_def(StringAttr)
    depth = opt_prop_def(IntegerAttr[I64])
    min_depth = opt_prop_def(IntegerAttr[I64])

    assembly_format = "$input `,` $control attr-dict `:` type($input)"

    def set_depth(self, depth: int, floor: int | None = None) -> None:
        """Set `depth` (maps) and, if given, the `min_depth` it may not go below."""
        self.properties["depth"] = IntegerAttr(depth, 64)
        if floor is not None:
            self.properties["min_depth"] = IntegerAttr(floor, 64)

    def fold_rules(self) -> tuple[FoldRule, ...]:
        return _coarse(self, self.input.type)

    def legal_folds(self) -> Legal:
        if not self.drops_on_exit and merge_policy(self) == "most-confident":
            return {"coarse": (1,)}  # a carry unit moves one logit group per cycle, as the merge
        return super().legal_folds()

    def buffer_depth(self) -> int:
        """`depth` in feature maps; `DEFAULT_BUFFER_DEPTH` (16) when it is unset."""
        return DEFAULT_BUFFER_DEPTH if self.depth is None else self.depth.value.data

    @property
    def drops_on_exit(self) -> bool:
        return self.mode.data == "drop-on-exit"

    def verify_op(self) -> None:
        if self.mode.data not in MODES:
            raise VerifyException(
                f"'ee.condbuffer' mode \"{self.mode.data}\" is not \"pass-on-exit\" or \"drop-on-exit\""
            )
        if self.depth is not None and self.depth.value.data < 1:
            raise VerifyException(
                f"'ee.condbuffer' depth {self.depth.value.data} must be at least 1 feature map"
            )
        if self.depth is not None and self.depth.value.data > MAX_BUFFER_DEPTH:
            raise VerifyException(
                f"'ee.condbuffer' depth {self.depth.value.data} is above {MAX_BUFFER_DEPTH} "
                "feature maps (a batch has at most 65535 samples)"
            )
        floor = self.min_depth
        if floor is not None and (self.depth is None or self.depth.value.data < floor.value.data):
            raise VerifyException(
                f"'ee.condbuffer' depth {self.depth.value.data if self.depth else 'unset'} is "
                f"below its min_depth {floor.value.data} (the maps that wait for the decision)")
        control = self.control
        if not (isinstance(control, OpResult) and isinstance(control.op, ExitDecisionOp)):
            raise VerifyException(
                "'ee.condbuffer' control operand must be the result of an 'ee.exit_decision'"
            )


@irdl_op_definition
class ExitMergeOp(EEOp, HardwareOp):
    """Joins the result streams of all N exits into one.

    Per sample: consumes the sample's result from whichever input delivers it (exactly one
    does, since a sample leaves once) and produces it, keeping its ID. Output order is
    completion order; IDs re-associate results with samples. Arity = number of exits;
    operand i is exit i's result (0 = the first early exit, the last = the final classifier),
    so the operand that delivers a sample tells which exit it took.

    `policy` says which head answers a sample that no early exit is confident about:
    "first-confident" (the default, also when absent) takes the final classifier's result;
    "most-confident" (HAPI's fallback) takes the result of the most confident head, the
    final classifier included, the first of equals. Confidence is the value the decisions
    compare (docs/numerics.md: the smaller `S = sum e_i`, the more confident). In hardware
    each early exit then hands the best result so far (logits, `S`, head index) along the
    backbone with the continuing sample, and the final classifier's result is compared with
    it before the merge (docs/hls-library.md); the exit index of such a sample is the head
    that answered.

    ```mlir
    %23 = ee.exit_merge %13, %22 : !ee.stream<10xf32>, !ee.stream<10xf32> -> !ee.stream<10xf32>
    %24 = ee.exit_merge %13, %22 {policy = "most-confident"} : !ee.stream<10xf32>, !ee.stream<10xf32> -> !ee.stream<10xf32>
    ```
    """

    name = "ee.exit_merge"

    inputs = var_operand_def(StreamType)
    output = result_def(StreamType)
    policy = opt_prop_def(StringAttr)

    assembly_format = "$inputs attr-dict `:` type($inputs) `->` type($output)"

    @property
    def exit_policy(self) -> str:
        """The exit policy ("first-confident" when the property is absent)."""
        return POLICIES[0] if self.policy is None else self.policy.data

    def verify_op(self) -> None:
        if self.exit_policy not in POLICIES:
            raise VerifyException(
                f"'ee.exit_merge' policy \"{self.exit_policy}\" is not supported "
                f"(supported: {', '.join(POLICIES)})"
            )
        if len(self.inputs) < 2:
            raise VerifyException(
                f"'ee.exit_merge' has {len(self.inputs)} input(s), expected one per exit (at least 2)"
            )
        for value in self.inputs:
            if value.type != self.output.type:
                raise VerifyException(
                    f"'ee.exit_merge' input type {value.type} differs from result type {self.output.type}"
                )


@irdl_op_definition
class RepackOp(EEOp):
    """Moves a stream from `lanes_in` parallel lanes to `lanes_out` (a width converter).

    Per sample: consumes one map over `lanes_in` lanes (channel c on lane c % lanes_in) and
    produces the same map, same ID and order, over `lanes_out` lanes. Inserted by
    `--ee-legalize-hls` where a producer's output parallelism differs from its consumer's
    input parallelism; both must divide the channels.

    ```mlir
    %5 = ee.repack %4 lanes 5 to 1 : !ee.stream<5x16x16x!ee.fixed<16, 8>>
    ```
    """

    name = "ee.repack"

    T: ClassVar = VarConstraint("T", base(StreamType))
    input = operand_def(T)
    output = result_def(T)
    lanes_in = prop_def(IntegerAttr[I64])
    lanes_out = prop_def(IntegerAttr[I64])

    assembly_format = "$input `lanes` $lanes_in `to` $lanes_out attr-dict `:` type($input)"

    def verify_op(self) -> None:
        assert isinstance(self.input.type, StreamType)
        channels = self.input.type.channels
        for what, attr in (("lanes_in", self.lanes_in), ("lanes_out", self.lanes_out)):
            lanes = attr.value.data
            if lanes < 1 or channels % lanes:
                raise VerifyException(
                    f"'ee.repack' {what}={lanes} does not divide {channels} channels"
                )
