"""The cost interface of `ee` hardware ops: legal folds, latency, depth and resources.

Every op that becomes hardware inherits `HardwareOp` (through one of the per-op mixins
below) and answers, for any legal fold, what eecc's cost model (`eecc.cost`) says:

- `fold_space()`: every legal `Fold`, in a fixed order (factors `coarse_in`, `coarse_out`,
  `fine`, `coarse`, each ascending); it agrees with the verifier's `fold_rules()`;
- `latency_cycles(fold)`: cycles per feature map (the op's initiation interval per sample);
- `pipeline_depth(fold)`: cycles from the first word in to the first word out (rounded up);
- `resources(fold, platform)`: LUT / FF / DSP / BRAM18K;
- `current_fold_value()` / `set_fold(fold)`: the op's `#ee.fold` as a `Fold` and back.

Vector streams (rank 1, N values) are priced as N x 1 x 1 maps. Two ops are priced by
analogy: `ee.softmax` as a ReLU over its N values (one streaming unit per lane, no fitted
model of its own), and `ee.flatten` as free (0 cycles, 0 depth, no resources: hardware
streams channel-innermost, so flattening is a re-labelling of the same words and the
consuming `ee.linear` reads its weights in that order). A pool's `fine` is fixed at the
window size by its hardware, so it is not a fold choice and stays 1 in the IR.

`hardware_ops(graph)` lists a graph's hardware ops (stages included) producers first;
`producers(op)` gives the hardware ops whose outputs `op` consumes, looking through stage
boundaries. Both are what the passes and `eecc.network` use to walk a network.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from xdsl.ir import Operation, OpResult, SSAValue

from eecc.cost import layers as cost
from eecc.cost.platform import Platform, Resources
from eecc.dialects.ee.attrs import FOLD_FIELDS, FoldAttr
from eecc.dialects.ee.types import FixedType, StreamType
from eecc.dialects.interface import DEFAULT_BUFFER_DEPTH, Fold

if TYPE_CHECKING:
    from eecc.dialects.ee.structure import GraphOp

Legal = dict[str, tuple[int, ...]]


def chw(value_type: object) -> tuple[int, int, int]:
    """(C, H, W) of a stream type; a vector of N values is N x 1 x 1."""
    assert isinstance(value_type, StreamType)
    shape = value_type.get_shape()
    return (shape[0], 1, 1) if len(shape) == 1 else (shape[0], shape[1], shape[2])


def folds_of(legal: Legal) -> list[Fold]:
    """Every combination of the legal factors, in `FOLD_FIELDS` order, each ascending."""
    fields = [f for f in FOLD_FIELDS if f in legal]
    choices = [sorted(legal[f]) for f in fields]
    return [Fold(**dict(zip(fields, combo, strict=True))) for combo in itertools.product(*choices)]


class HardwareOp:
    """An `ee` op that is built as hardware and priced by the cost model."""

    def legal_folds(self) -> Legal:
        """Legal values of each fold factor the op has (a factor not listed stays 1)."""
        return {}

    def fold_space(self) -> list[Fold]:
        return folds_of(self.legal_folds())

    def latency_cycles(self, fold: Fold) -> float:
        raise NotImplementedError

    def depth_cycles(self, fold: Fold) -> float:
        raise NotImplementedError

    def pipeline_depth(self, fold: Fold) -> int:
        return math.ceil(self.depth_cycles(fold))

    def resources(self, fold: Fold, platform: Platform) -> Resources:
        raise NotImplementedError

    def current_fold_value(self) -> Fold:
        attr = _props(self).get("fold")
        return Fold(**attr.as_dict()) if isinstance(attr, FoldAttr) else Fold()

    def set_fold(self, fold: Fold) -> None:
        _props(self)["fold"] = FoldAttr(fold.coarse_in, fold.coarse_out, fold.fine, fold.coarse)


def _props(op: object) -> dict[str, Any]:
    assert isinstance(op, Operation)
    return op.properties


def _in(op: object) -> tuple[int, int, int]:
    return chw(op.input.type)


DEFAULT_WIDTH = 16
"""Bits of a value the IR gives no fixed-point format yet (eecc's default ap_fixed<16,8>)."""


def width_of(value_type: object) -> int:
    """Bits of a stream's element (or of a fixed type); `DEFAULT_WIDTH` while it is float."""
    element = value_type.element_type if isinstance(value_type, StreamType) else value_type
    return element.width.data if isinstance(element, FixedType) else DEFAULT_WIDTH


def frac_of(value_type: object) -> int:
    """Fraction bits of a stream's element; 8 (ap_fixed<16,8>) while it is float."""
    element = value_type.element_type if isinstance(value_type, StreamType) else value_type
    return element.frac_bits if isinstance(element, FixedType) else 8


def _in_width(op: object) -> int:
    return width_of(op.input.type)  # type: ignore[attr-defined]


def _mac_widths(op: Any) -> dict[str, Any]:
    """The widths a conv / linear layer is priced at: its input data and its weights."""
    weight = op.properties.get("weight_type")
    return {"data_width": _in_width(op),
            "weight_width": width_of(weight) if weight is not None else DEFAULT_WIDTH}


class ConvHardware(HardwareOp):
    """`ee.conv`: sliding windows, c_in x c_out conv lanes, accumulators, weights."""

    def _params(self) -> dict[str, Any]:
        c_in, h, w = _in(self)
        op: Any = self
        return dict(h=h, w=w, c_in=c_in, c_out=chw(op.output.type)[0], kernel=op.kernel_shape,
                    pads=op.pad_values, groups=op.groups.value.data)

    def legal_folds(self) -> Legal:
        p = self._params()
        return cost.conv_legal_folds(p["c_in"], p["c_out"], p["kernel"])

    def latency_cycles(self, fold: Fold) -> float:
        op: Any = self
        return cost.conv_latency(**self._params(), stride=op.stride_values, fold=fold)

    def depth_cycles(self, fold: Fold) -> float:
        return cost.conv_pipeline_depth(**self._params(), fold=fold)

    def resources(self, fold: Fold, platform: Platform) -> Resources:
        op: Any = self
        return cost.conv_resources(**self._params(), stride=op.stride_values,
                                   has_bias=op.bias is not None, fold=fold, platform=platform,
                                   **_mac_widths(op))


class PoolHardware(HardwareOp):
    """`ee.pool`: a sliding window and a pool unit per lane (`fine` fixed at the window)."""

    def legal_folds(self) -> Legal:
        op: Any = self
        return {"coarse": cost.pool_legal_folds(_in(self)[0], op.kernel_shape)["coarse"]}

    def latency_cycles(self, fold: Fold) -> float:
        c, h, w = _in(self)
        return cost.pool_latency(h, w, c, self.pad_values, fold)

    def depth_cycles(self, fold: Fold) -> float:
        c, _, w = _in(self)
        op: Any = self
        return cost.pool_pipeline_depth(w, c, op.kernel_shape, op.pad_values, fold)

    def resources(self, fold: Fold, platform: Platform) -> Resources:
        c, h, w = _in(self)
        op: Any = self
        return cost.pool_resources(h, w, c, op.kernel_shape, op.pad_values, op.kind.data, fold,
                                   _in_width(op))


class GlobalPoolHardware(HardwareOp):
    """`ee.global_pool`: an accumulator per lane over the whole map."""

    def legal_folds(self) -> Legal:
        return cost.global_pool_legal_folds(_in(self)[0])

    def latency_cycles(self, fold: Fold) -> float:
        c, h, w = _in(self)
        return cost.global_pool_latency(h, w, c, fold)

    def depth_cycles(self, fold: Fold) -> float:
        c, h, w = _in(self)
        return cost.global_pool_pipeline_depth(h, w, c, fold)

    def resources(self, fold: Fold, platform: Platform) -> Resources:
        c, h, w = _in(self)
        return cost.global_pool_resources(h, w, c, fold, _in_width(self))


class ReluHardware(HardwareOp):
    """`ee.relu` (and `ee.softmax`, priced alike): one streaming unit per lane."""

    def legal_folds(self) -> Legal:
        return cost.relu_legal_folds(_in(self)[0])

    def latency_cycles(self, fold: Fold) -> float:
        c, h, w = _in(self)
        return cost.relu_latency(h, w, c, fold)

    def depth_cycles(self, fold: Fold) -> float:
        return cost.relu_pipeline_depth()

    def resources(self, fold: Fold, platform: Platform) -> Resources:
        c, h, w = _in(self)
        bounded = getattr(self, "bound", None) is not None
        return cost.relu_resources(h, w, c, fold, _in_width(self), bounded)


class CastHardware(ReluHardware):
    """`ee.cast`: a shift-and-saturate unit per lane, priced as a ReLU at the wider of its
    two widths (one word per lane per cycle, no memory; no fitted model of its own)."""

    def resources(self, fold: Fold, platform: Platform) -> Resources:
        c, h, w = _in(self)
        op: Any = self
        width = max(_in_width(op), width_of(op.output.type))
        return cost.relu_resources(h, w, c, fold, width)


class AddHardware(HardwareOp):
    """`ee.add`: one adder per lane."""

    def _chw(self) -> tuple[int, int, int]:
        return chw(self.lhs.type)

    def legal_folds(self) -> Legal:
        return cost.add_legal_folds(self._chw()[0])

    def latency_cycles(self, fold: Fold) -> float:
        c, h, w = self._chw()
        return cost.add_latency(h, w, c, fold)

    def depth_cycles(self, fold: Fold) -> float:
        return cost.add_pipeline_depth()

    def resources(self, fold: Fold, platform: Platform) -> Resources:
        c, h, w = self._chw()
        return cost.add_resources(h, w, c, 2, fold, width_of(self.lhs.type))


class FlattenHardware(HardwareOp):
    """`ee.flatten`: free (a re-labelling of the words already streamed)."""

    def latency_cycles(self, fold: Fold) -> float:
        return 0.0

    def depth_cycles(self, fold: Fold) -> float:
        return 0.0

    def resources(self, fold: Fold, platform: Platform) -> Resources:
        return Resources()


class LinearHardware(HardwareOp):
    """`ee.linear`: a 1x1 conv on the flattened input."""

    def _features(self) -> tuple[int, int]:
        return self.features

    def legal_folds(self) -> Legal:
        legal = cost.linear_legal_folds(*self._features())
        return {k: v for k, v in legal.items() if k != "fine"}

    def latency_cycles(self, fold: Fold) -> float:
        return cost.linear_latency(*self._features(), fold)

    def depth_cycles(self, fold: Fold) -> float:
        return cost.linear_pipeline_depth(*self._features(), fold)

    def resources(self, fold: Fold, platform: Platform) -> Resources:
        has_bias = self.bias is not None
        return cost.linear_resources(*self._features(), has_bias, fold, platform,
                                     **_mac_widths(self))


class SplitHardware(HardwareOp):
    """`ee.split`: a fork per lane."""

    def legal_folds(self) -> Legal:
        return cost.split_legal_folds(_in(self)[0])

    def latency_cycles(self, fold: Fold) -> float:
        c, h, w = _in(self)
        return cost.split_latency(h, w, c, fold)

    def depth_cycles(self, fold: Fold) -> float:
        return cost.split_pipeline_depth()

    def resources(self, fold: Fold, platform: Platform) -> Resources:
        c, h, w = _in(self)
        return cost.split_resources(h, w, c, len(self.outputs), fold)


class ExitDecisionHardware(HardwareOp):
    """`ee.exit_decision`: exp, softmax sum, reduce max and compare; not folded."""

    def _classes(self) -> int:
        return chw(self.logits.type)[0]

    def legal_folds(self) -> Legal:
        return cost.exit_decision_legal_folds(self._classes())

    def latency_cycles(self, fold: Fold) -> float:
        return cost.exit_decision_latency(self._classes())

    def depth_cycles(self, fold: Fold) -> float:
        return cost.exit_decision_pipeline_depth(self._classes())

    def resources(self, fold: Fold, platform: Platform) -> Resources:
        logits = self.logits.type
        return cost.exit_decision_resources(self._classes(), width_of(logits), frac_of(logits))


class CondBufferHardware(HardwareOp):
    """`ee.condbuffer`: `depth` feature maps per lane (16 when `depth` is unset)."""

    def buffer_depth(self) -> int:
        depth = self.depth
        return DEFAULT_BUFFER_DEPTH if depth is None else depth.value.data

    def legal_folds(self) -> Legal:
        if not self.drops_on_exit and merge_policy(self) == "most-confident":  # type: ignore[arg-type]
            return {"coarse": (1,)}  # a carry unit moves one logit group per cycle, as the merge
        return cost.condbuffer_legal_folds(_in(self)[0])

    def latency_cycles(self, fold: Fold) -> float:
        c, h, w = _in(self)
        return cost.condbuffer_latency(h, w, c, fold)

    def depth_cycles(self, fold: Fold) -> float:
        return cost.condbuffer_pipeline_depth()

    def resources(self, fold: Fold, platform: Platform) -> Resources:
        c, h, w = _in(self)
        if not self.drops_on_exit and merge_policy(self) == "most-confident":  # type: ignore[arg-type]
            attr = self.attributes.get("carry_depths")
            words, tokens = attr.get_values() if attr is not None else (None, None)  # type: ignore[attr-defined]
            return cost.carry_resources(c * h * w, fold.coarse, words, tokens)
        return self.resources_at_depth(fold, self.buffer_depth())

    def resources_at_depth(self, fold: Fold, depth: int) -> Resources:
        """The drop- or pass-on-exit buffer's resources with `depth` maps (what `--fold` weighs)."""
        c, h, w = _in(self)
        return cost.condbuffer_resources(h, w, c, depth, fold, _in_width(self))


class ExitMergeHardware(HardwareOp):
    """`ee.exit_merge`: an N-input arbiter; not folded."""

    def _words(self) -> list[int]:
        return [math.prod(chw(v.type)) for v in self.inputs]

    def legal_folds(self) -> Legal:
        return cost.exit_merge_legal_folds(self._words())

    def latency_cycles(self, fold: Fold) -> float:
        return cost.exit_merge_latency(self._words())

    def depth_cycles(self, fold: Fold) -> float:
        return cost.exit_merge_pipeline_depth(self._words())

    def resources(self, fold: Fold, platform: Platform) -> Resources:
        merge = cost.exit_merge_resources(self._words())
        if self.exit_policy == "most-confident":  # type: ignore[attr-defined]
            return merge + cost.final_carry_resources(self._words()[-1], fold.coarse)
        return merge


def merge_policy(op: Operation) -> str:
    """The exit policy of the `ee.exit_merge` that `op`'s first result reaches (through
    repacks, flattens and stage boundaries); first-confident if none."""
    todo = [op.results[0]] if op.results else []
    while todo:
        for use in todo.pop().uses:
            user = use.operation
            if user.name == "ee.exit_merge":
                return user.exit_policy  # type: ignore[attr-defined]
            if user.name in ("ee.repack", "ee.flatten"):
                todo.append(user.results[0])
            elif user.name == "ee.yield" and user.parent_op() is not None:
                todo.append(user.parent_op().results[use.index])  # type: ignore[union-attr]
    return "first-confident"


def is_hardware(op: object) -> bool:
    """True for ops the cost model prices (layers and control ops, not structure)."""
    return isinstance(op, HardwareOp)


def source_op(value: SSAValue) -> Operation | None:
    """The op that really produces `value`: stage results resolve to what the stage yields,
    and an `ee.repack` (a change of lanes that `ee-legalize-hls` inserts, not priced) to what
    it repacks, so the network model is the same before and after legalisation."""
    while isinstance(value, OpResult) and value.op.name in ("ee.stage", "ee.repack"):
        if value.op.name == "ee.repack":
            value = value.op.operands[0]
        else:
            value = value.op.regions[0].block.last_op.operands[value.index]  # type: ignore[union-attr]
    return value.op if isinstance(value, OpResult) else None


LANE_FIELDS: dict[str, tuple[str, str]] = {
    "ee.conv": ("coarse_in", "coarse_out"),
    "ee.linear": ("coarse_in", "coarse_out"),
}


def fold_lanes(op: Operation, fold: Fold) -> tuple[int, int]:
    """(lanes `op` reads each stream operand on, lanes it writes each result on) at `fold`:
    coarse_in / coarse_out for a conv or linear layer, `coarse` for every other op."""
    fields = LANE_FIELDS.get(op.name, ("coarse", "coarse"))
    return getattr(fold, fields[0]), getattr(fold, fields[1])


def stream_source(value: SSAValue) -> Operation | None:
    """The op whose lanes carry `value`'s words: through stage results, flattens (a
    re-labelling) and repacks (what `ee-legalize-hls` inserts where lanes differ)."""
    while isinstance(value, OpResult) and value.op.name in ("ee.stage", "ee.repack", "ee.flatten"):
        if value.op.name == "ee.stage":
            value = value.op.regions[0].block.last_op.operands[value.index]  # type: ignore[union-attr]
        else:
            value = value.op.operands[0]
    return value.op if isinstance(value, OpResult) else None


def producers(op: Operation) -> list[HardwareOp]:
    """Hardware ops whose results `op` consumes (through stage boundaries), operand order."""
    found = (source_op(v) for v in op.operands)
    return [p for p in found if isinstance(p, HardwareOp)]  # type: ignore[misc]


def hardware_ops(graph: GraphOp) -> list[HardwareOp]:
    """Every hardware op of `graph`, producers before consumers, ties in textual order."""
    ops = [op for op in graph.ops() if isinstance(op, HardwareOp)]
    return topological(ops, producers)


def topological(ops: Sequence[Any], deps: Any) -> list[Any]:
    """Kahn's order of `ops` over `deps(op)`; ties (and any cycle's rest) by list position."""
    index = {id(op): i for i, op in enumerate(ops)}
    preds = {id(op): {index[id(d)] for d in deps(op) if id(d) in index} for op in ops}
    succs: dict[int, list[int]] = {i: [] for i in range(len(ops))}
    for op in ops:
        for p in preds[id(op)]:
            succs[p].append(index[id(op)])
    waiting = {index[id(op)]: len(preds[id(op)]) for op in ops}
    ready = [i for i, n in waiting.items() if n == 0]
    heapq.heapify(ready)
    order = _drain(ready, waiting, succs)
    order += sorted(i for i in waiting if i not in set(order))
    return [ops[i] for i in order]


def _drain(ready: list[int], waiting: dict[int, int], succs: dict[int, list[int]]) -> list[int]:
    order: list[int] = []
    while ready:
        i = heapq.heappop(ready)
        order.append(i)
        for s in succs[i]:
            waiting[s] -= 1
            if waiting[s] == 0:
                heapq.heappush(ready, s)
    return order


def total(resources: Iterable[Resources]) -> Resources:
    """The sum of resource vectors (0 for none)."""
    return sum(resources, Resources())
