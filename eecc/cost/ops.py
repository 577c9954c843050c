"""The default cost model's prices of `ee` ops, registered per op class, and the entry points.

`latency_cycles(op, fold)` (cycles per feature map), `depth_cycles(op, fold)` and
`pipeline_depth(op, fold)` (cycles to the first output, and rounded up), `resources(op,
fold, platform)` (LUT / FF / DSP / BRAM18K) and `resources_at_depth(buffer, fold, depth)`
answer for any hardware op and legal fold what the layer models of `eecc.cost.layers`
say, read off the op's shapes, properties and stream widths. An op with no registered
prices is an `UnpricedOpError` naming it.

Vector streams (rank 1, N values) are priced as N x 1 x 1 maps. Two ops are priced by
analogy: `ee.softmax` as a ReLU over its N values (one streaming unit per lane, no fitted
model of its own), and `ee.flatten` as free (0 cycles, 0 depth, no resources: hardware
streams channel-innermost, so flattening is a re-labelling of the same words and the
consuming `ee.linear` reads its weights in that order). `ee.repack` is priced by the
network model from its lanes (`eecc.cost.stream.repack_*`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from eecc.cost import layers as cost
from eecc.cost.platform import Platform, Resources
from eecc.cost.pricing import OpPrices, UnpricedOpError, prices_of, register
from eecc.dialects.ee import (
    AddOp,
    CastOp,
    CondBufferOp,
    ConvOp,
    ExitDecisionOp,
    ExitMergeOp,
    FlattenOp,
    GlobalPoolOp,
    LinearOp,
    PoolOp,
    ReluOp,
    SoftmaxOp,
    SplitOp,
)
from eecc.dialects.ee.hardware import (
    DEFAULT_WIDTH,
    HardwareOp,
    chw,
    frac_of,
    merge_policy,
    width_of,
)
from eecc.dialects.interface import Fold

__all__ = ["UnpricedOpError", "depth_cycles", "latency_cycles", "pipeline_depth", "resources",
           "resources_at_depth", "total"]


def latency_cycles(op: HardwareOp, fold: Fold) -> float:
    """Cycles per feature map: the op's initiation interval per sample."""
    return prices_of(op).latency(op, fold)


def depth_cycles(op: HardwareOp, fold: Fold) -> float:
    """Cycles from the first word in to the first word out."""
    return prices_of(op).depth(op, fold)


def pipeline_depth(op: HardwareOp, fold: Fold) -> int:
    """`depth_cycles`, rounded up."""
    return math.ceil(depth_cycles(op, fold))


def resources(op: HardwareOp, fold: Fold, platform: Platform) -> Resources:
    """LUT / FF / DSP / BRAM18K of `op` at `fold`."""
    return prices_of(op).resources(op, fold, platform)


def resources_at_depth(buffer: CondBufferOp, fold: Fold, depth: int) -> Resources:
    """A drop- or pass-on-exit buffer's resources with `depth` maps (what `--fold` weighs)."""
    c, h, w = _in(buffer)
    return cost.condbuffer_resources(h, w, c, depth, fold, _in_width(buffer))


def total(parts: Iterable[Resources]) -> Resources:
    """The sum of resource vectors (0 for none)."""
    return sum(parts, Resources())


def _in(op: Any) -> tuple[int, int, int]:
    return chw(op.input.type)


def _in_width(op: Any) -> int:
    return width_of(op.input.type)


def _mac_widths(op: ConvOp | LinearOp) -> dict[str, Any]:
    """The widths a conv / linear layer is priced at: its input data and its weights."""
    weight = op.weight_type
    return {"data_width": _in_width(op),
            "weight_width": width_of(weight) if weight is not None else DEFAULT_WIDTH}


@register(ConvOp)
class ConvPrices(OpPrices[ConvOp]):
    """`ee.conv`: sliding windows, c_in x c_out conv lanes, accumulators, weights."""

    def _params(self, op: ConvOp) -> dict[str, Any]:
        c_in, h, w = _in(op)
        return dict(h=h, w=w, c_in=c_in, c_out=chw(op.output.type)[0], kernel=op.kernel_shape,
                    pads=op.pad_values, groups=op.groups.value.data)

    def latency(self, op: ConvOp, fold: Fold) -> float:
        return cost.conv_latency(**self._params(op), stride=op.stride_values, fold=fold)

    def depth(self, op: ConvOp, fold: Fold) -> float:
        return cost.conv_pipeline_depth(**self._params(op), fold=fold)

    def resources(self, op: ConvOp, fold: Fold, platform: Platform) -> Resources:
        return cost.conv_resources(**self._params(op), stride=op.stride_values,
                                   has_bias=op.bias is not None, fold=fold, platform=platform,
                                   **_mac_widths(op))


@register(PoolOp)
class PoolPrices(OpPrices[PoolOp]):
    """`ee.pool`: a sliding window and a pool unit per lane (`fine` fixed at the window)."""

    def latency(self, op: PoolOp, fold: Fold) -> float:
        c, h, w = _in(op)
        return cost.pool_latency(h, w, c, _window(op)[1], fold)

    def depth(self, op: PoolOp, fold: Fold) -> float:
        c, _, w = _in(op)
        return cost.pool_pipeline_depth(w, c, *_window(op), fold)

    def resources(self, op: PoolOp, fold: Fold, platform: Platform) -> Resources:
        c, h, w = _in(op)
        return cost.pool_resources(h, w, c, *_window(op), op.kind.data, fold, _in_width(op))


def _window(op: PoolOp) -> tuple[Any, Any]:
    """(kernel, pads) of a verified pool: a pair and (top, left, bottom, right)."""
    return op.kernel_shape, op.pad_values


@register(GlobalPoolOp)
class GlobalPoolPrices(OpPrices[GlobalPoolOp]):
    """`ee.global_pool`: an accumulator per lane over the whole map."""

    def latency(self, op: GlobalPoolOp, fold: Fold) -> float:
        c, h, w = _in(op)
        return cost.global_pool_latency(h, w, c, fold)

    def depth(self, op: GlobalPoolOp, fold: Fold) -> float:
        c, h, w = _in(op)
        return cost.global_pool_pipeline_depth(h, w, c, fold)

    def resources(self, op: GlobalPoolOp, fold: Fold, platform: Platform) -> Resources:
        c, h, w = _in(op)
        return cost.global_pool_resources(h, w, c, fold, _in_width(op))


@register(ReluOp, SoftmaxOp)
class ReluPrices(OpPrices[ReluOp | SoftmaxOp]):
    """`ee.relu` (and `ee.softmax`, priced alike): one streaming unit per lane."""

    def latency(self, op: ReluOp | SoftmaxOp, fold: Fold) -> float:
        c, h, w = _in(op)
        return cost.relu_latency(h, w, c, fold)

    def depth(self, op: ReluOp | SoftmaxOp, fold: Fold) -> float:
        return cost.relu_pipeline_depth()

    def resources(self, op: ReluOp | SoftmaxOp, fold: Fold, platform: Platform) -> Resources:
        c, h, w = _in(op)
        bounded = isinstance(op, ReluOp) and op.bound is not None
        return cost.relu_resources(h, w, c, fold, _in_width(op), bounded)


@register(CastOp)
class CastPrices(OpPrices[CastOp]):
    """`ee.cast`: a shift-and-saturate unit per lane, priced as a ReLU at the wider of its
    two widths (one word per lane per cycle, no memory; no fitted model of its own)."""

    def latency(self, op: CastOp, fold: Fold) -> float:
        c, h, w = _in(op)
        return cost.relu_latency(h, w, c, fold)

    def depth(self, op: CastOp, fold: Fold) -> float:
        return cost.relu_pipeline_depth()

    def resources(self, op: CastOp, fold: Fold, platform: Platform) -> Resources:
        c, h, w = _in(op)
        width = max(_in_width(op), width_of(op.output.type))
        return cost.relu_resources(h, w, c, fold, width)


@register(AddOp)
class AddPrices(OpPrices[AddOp]):
    """`ee.add`: one adder per lane."""

    def latency(self, op: AddOp, fold: Fold) -> float:
        c, h, w = chw(op.lhs.type)
        return cost.add_latency(h, w, c, fold)

    def depth(self, op: AddOp, fold: Fold) -> float:
        return cost.add_pipeline_depth()

    def resources(self, op: AddOp, fold: Fold, platform: Platform) -> Resources:
        c, h, w = chw(op.lhs.type)
        return cost.add_resources(h, w, c, 2, fold, width_of(op.lhs.type))


@register(FlattenOp)
class FlattenPrices(OpPrices[FlattenOp]):
    """`ee.flatten`: free (a re-labelling of the words already streamed)."""

    def latency(self, op: FlattenOp, fold: Fold) -> float:
        return 0.0

    def depth(self, op: FlattenOp, fold: Fold) -> float:
        return 0.0

    def resources(self, op: FlattenOp, fold: Fold, platform: Platform) -> Resources:
        return Resources()


@register(LinearOp)
class LinearPrices(OpPrices[LinearOp]):
    """`ee.linear`: a 1x1 conv on the flattened input."""

    def latency(self, op: LinearOp, fold: Fold) -> float:
        n_in, n_out = op.features
        return cost.linear_latency(n_in, n_out, fold)

    def depth(self, op: LinearOp, fold: Fold) -> float:
        n_in, n_out = op.features
        return cost.linear_pipeline_depth(n_in, n_out, fold)

    def resources(self, op: LinearOp, fold: Fold, platform: Platform) -> Resources:
        n_in, n_out = op.features
        return cost.linear_resources(n_in, n_out, op.bias is not None, fold, platform,
                                     **_mac_widths(op))


@register(SplitOp)
class SplitPrices(OpPrices[SplitOp]):
    """`ee.split`: a fork per lane."""

    def latency(self, op: SplitOp, fold: Fold) -> float:
        c, h, w = _in(op)
        return cost.split_latency(h, w, c, fold)

    def depth(self, op: SplitOp, fold: Fold) -> float:
        return cost.split_pipeline_depth()

    def resources(self, op: SplitOp, fold: Fold, platform: Platform) -> Resources:
        c, h, w = _in(op)
        return cost.split_resources(h, w, c, len(op.outputs), fold)


@register(ExitDecisionOp)
class ExitDecisionPrices(OpPrices[ExitDecisionOp]):
    """`ee.exit_decision`: exp, softmax sum, reduce max and compare; not folded."""

    def latency(self, op: ExitDecisionOp, fold: Fold) -> float:
        return cost.exit_decision_latency(chw(op.logits.type)[0])

    def depth(self, op: ExitDecisionOp, fold: Fold) -> float:
        return cost.exit_decision_pipeline_depth(chw(op.logits.type)[0])

    def resources(self, op: ExitDecisionOp, fold: Fold, platform: Platform) -> Resources:
        logits = op.logits.type
        return cost.exit_decision_resources(chw(logits)[0], width_of(logits), frac_of(logits))


@register(CondBufferOp)
class CondBufferPrices(OpPrices[CondBufferOp]):
    """`ee.condbuffer`: `buffer_depth()` feature maps per lane; under the most-confident
    policy a pass-on-exit buffer is the carry unit that hands the best result along."""

    def latency(self, op: CondBufferOp, fold: Fold) -> float:
        c, h, w = _in(op)
        return cost.condbuffer_latency(h, w, c, fold)

    def depth(self, op: CondBufferOp, fold: Fold) -> float:
        return cost.condbuffer_pipeline_depth()

    def resources(self, op: CondBufferOp, fold: Fold, platform: Platform) -> Resources:
        if op.drops_on_exit or merge_policy(op) != "most-confident":
            return resources_at_depth(op, fold, op.buffer_depth())
        c, h, w = _in(op)
        attr: Any = op.attributes.get("carry_depths")
        words, tokens = attr.get_values() if attr is not None else (None, None)
        return cost.carry_resources(c * h * w, fold.coarse, words, tokens)


@register(ExitMergeOp)
class ExitMergePrices(OpPrices[ExitMergeOp]):
    """`ee.exit_merge`: an N-input arbiter; not folded (and the final carry compare under
    the most-confident policy)."""

    def _words(self, op: ExitMergeOp) -> list[int]:
        return [math.prod(chw(v.type)) for v in op.inputs]

    def latency(self, op: ExitMergeOp, fold: Fold) -> float:
        return cost.exit_merge_latency(self._words(op))

    def depth(self, op: ExitMergeOp, fold: Fold) -> float:
        return cost.exit_merge_pipeline_depth(self._words(op))

    def resources(self, op: ExitMergeOp, fold: Fold, platform: Platform) -> Resources:
        merge = cost.exit_merge_resources(self._words(op))
        if op.exit_policy == "most-confident":
            return merge + cost.final_carry_resources(self._words(op)[-1], fold.coarse)
        return merge
