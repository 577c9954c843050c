"""The hardware interface of `ee` ops: their structure, not their cost.

Every op that becomes hardware inherits `HardwareOp` and declares, in the dialect, what
its hardware is made of:

- `legal_folds()` / `fold_space()`: every legal `Fold`, in a fixed order (factors
  `coarse_in`, `coarse_out`, `fine`, `coarse`, each ascending); the legal factors are the
  verifier's `fold_rules()` (a pass-on-exit `ee.condbuffer` under the most-confident policy
  narrows them: its carry unit is not folded). A pool's `fine` is fixed at the window size by
  its hardware, so it is not a fold choice and stays 1 in the IR;
- `current_fold_value()` / `set_fold(fold)`: the op's `#ee.fold` as a `Fold` and back;
  `ee.condbuffer`'s `buffer_depth()`: its `depth` in maps, `DEFAULT_BUFFER_DEPTH` if unset;
- `fold_lanes(op, fold)`: the lanes it reads and writes at a fold; `stream_source(value)`:
  the op whose lanes carry a value's words;
- `chw`, `width_of`, `frac_of`: a stream's shape and element format, as the hardware sees them.

The numbers are the cost model's: latency, pipeline depth and resources are registered per
op class in `eecc.cost.ops` (`latency_cycles(op, fold)`, `depth_cycles(op, fold)`,
`pipeline_depth(op, fold)`, `resources(op, fold, platform)`), and the dialect imports
nothing from `eecc.cost`. `Fold` and the default condbuffer depth are the dialect's, in
the dependency-free `eecc.dialects.interface` that the cost model shares.

`hardware_ops(graph)` lists a graph's hardware ops (stages included) producers first;
`producers(op)` gives the hardware ops whose outputs `op` consumes, looking through stage
boundaries. Both are what the passes and `eecc.network` use to walk a network.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from xdsl.ir import Operation, OpResult, SSAValue

from eecc.dialects.ee.attrs import FOLD_FIELDS, FoldAttr
from eecc.dialects.ee.base import EEOp
from eecc.dialects.ee.types import FixedType, StreamType
from eecc.dialects.interface import Fold

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
    """An `ee` op that is built as hardware: it has a fold space and is priced by the cost
    model (`eecc.cost.ops`). A mixin of `EEOp` subclasses."""

    def legal_folds(self) -> Legal:
        """Legal values of each fold factor the op has (a factor not listed stays 1): the
        verifier's `fold_rules()`."""
        return {rule.field: rule.legal for rule in _ee(self).fold_rules()}

    def fold_space(self) -> list[Fold]:
        return folds_of(self.legal_folds())

    def current_fold_value(self) -> Fold:
        attr = _ee(self).properties.get("fold")
        return Fold(**attr.as_dict()) if isinstance(attr, FoldAttr) else Fold()

    def set_fold(self, fold: Fold) -> None:
        _ee(self).properties["fold"] = FoldAttr(fold.coarse_in, fold.coarse_out, fold.fine,
                                                fold.coarse)


def _ee(op: object) -> EEOp:
    assert isinstance(op, EEOp)
    return op


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
