"""Keep a chosen subset of a network's early exits (and set their thresholds).

An overprovisioned network (HAPI) has a candidate exit after every backbone block; a design
uses a few of them. This pass removes every early exit not in `keep`: its pass-on-exit
condbuffer and merge operand, its decision, its drop-on-exit condbuffers (the backbone
reads the buffered stream directly) and then every op left without a consumer: the exit
head, and the forks (`ee.split`) that fed it, which shrink or become wires. Weights that
only the removed ops used are erased. Kept exits get `thresholds` (one per kept exit, in
order); the final classifier always stays, and with no early exit left the merge goes too.
The result is a verified network that `--ee-partition` and the rest take as usual.

Input (`--ee-select-exits=keep=1` on a network with early exits 0 and 1):

    %d0 = ee.exit_decision %l0 {threshold = 9.900000e-01 : f64} : !ee.stream<10xf32>
    %e0 = ee.condbuffer %a0, %d0 {mode = "pass-on-exit"} : !ee.stream<10xf32>
    %k0 = ee.condbuffer %b0, %d0 {mode = "drop-on-exit"} : !ee.stream<5x16x16xf32>
    ...
    %y = ee.exit_merge %e0, %e1, %f : ...

Output:

    %t = ee.conv %b0 ...     // was `ee.conv %k0`; exit 0's head, decision and buffers are gone
    ...
    %y = ee.exit_merge %e1, %f : ...

Options:
- `keep`: indices of the early exits to keep (0 = the first; strictly increasing); default:
  none, which leaves the network without exits (the backbone and its final classifier);
- `thresholds`: one threshold in (0, 1] per kept exit, in order; default: unchanged.

Limits: runs on a graph before `--ee-partition` (a partitioned graph is an error);
an exit is recognised by its pass-on-exit condbuffer feeding the merge.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from xdsl import passes
from xdsl.context import Context
from xdsl.dialects.builtin import Float64Type, FloatAttr, ModuleOp, SymbolRefAttr
from xdsl.ir import Operation

from eecc.dialects.ee.control import CondBufferOp, ExitDecisionOp, ExitMergeOp, SplitOp
from eecc.dialects.ee.structure import GraphOp, OutputOp, StageOp
from eecc.dialects.ee.weights import WeightOp
from eecc.errors import EeccError

PASS = "ee-select-exits"


@dataclass(frozen=True)
class EeSelectExitsPass(passes.ModulePass):
    """Keep a chosen subset of a network's early exits (and set their thresholds)."""

    name = "ee-select-exits"

    keep: tuple[int, ...] = ()
    thresholds: tuple[float, ...] = ()

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for graph in [g for g in op.ops if isinstance(g, GraphOp)]:
            used = referenced_symbols(op)
            self.select(graph)
            erase_unused_weights(op, used)

    def select(self, graph: GraphOp) -> None:
        name = graph.sym_name.data
        if any(isinstance(o, StageOp) for o in graph.body.block.ops):
            raise EeccError(f"'{PASS}' @{name} is partitioned; run it before --ee-partition")
        merge = next((o for o in graph.body.block.ops if isinstance(o, ExitMergeOp)), None)
        early = early_exits(merge)
        keep = self.check(name, len(early))
        if merge is None:
            return
        for index, threshold in zip(keep, self.thresholds, strict=False):
            early[index][1].threshold = FloatAttr(threshold, Float64Type())
        rebuild_merge(merge, list(keep))
        for index in sorted(set(range(len(early))) - set(keep)):
            bypass_drop_buffers(early[index][1])
        erase_dead(graph)

    def check(self, name: str, early: int) -> tuple[int, ...]:
        """Validate the options against a graph with `early` early exits; the kept indices."""
        keep = self.keep
        bad = [k for k in keep if not 0 <= k < early]
        if bad:
            raise EeccError(f"'{PASS}' keep={bad[0]} is not an early exit of @{name}: "
                            f"it has {early} (indices 0..{early - 1})")
        if list(keep) != sorted(set(keep)):
            raise EeccError(f"'{PASS}' keep={','.join(map(str, keep))} must be strictly increasing")
        if self.thresholds and len(self.thresholds) != len(keep):
            raise EeccError(f"'{PASS}' thresholds gives {len(self.thresholds)} value(s) for "
                            f"{len(keep)} kept exit(s)")
        for thr in self.thresholds:
            if not 0.0 < thr <= 1.0:
                raise EeccError(f"'{PASS}' threshold {thr} is outside (0, 1]")
        return keep


def early_exits(merge: ExitMergeOp | None) -> list[tuple[CondBufferOp, ExitDecisionOp]]:
    """(pass-on-exit condbuffer, decision) of every early exit, in merge order."""
    if merge is None:
        return []
    found = []
    for value in list(merge.inputs)[:-1]:
        buffer = value.owner
        if not isinstance(buffer, CondBufferOp) or buffer.drops_on_exit:
            raise EeccError(f"'{PASS}' merge operand {value.name_hint or value} is not a "
                            "pass-on-exit 'ee.condbuffer'")
        decision = buffer.control.owner
        assert isinstance(decision, ExitDecisionOp)
        found.append((buffer, decision))
    return found


def rebuild_merge(merge: ExitMergeOp, keep: Sequence[int]) -> None:
    """The merge of the kept exits and the final one; the final's stream if that is all."""
    inputs = list(merge.inputs)
    kept = [inputs[i] for i in keep] + [inputs[-1]]
    if len(kept) == 1:
        merge.output.replace_all_uses_with(kept[0])
        merge.detach()
        merge.erase()
        return
    new = ExitMergeOp.build(operands=[kept], result_types=[merge.output.type],
                            attributes=dict(merge.attributes))
    block = merge.parent_block()
    assert block is not None
    block.insert_op_before(new, merge)
    merge.output.replace_all_uses_with(new.output)
    merge.detach()
    merge.erase()


def bypass_drop_buffers(decision: ExitDecisionOp) -> None:
    """Every drop-on-exit condbuffer of `decision` becomes a wire (its consumers read its input)."""
    for use in list(decision.decision.uses):
        buffer = use.operation
        if isinstance(buffer, CondBufferOp) and buffer.drops_on_exit:
            buffer.output.replace_all_uses_with(buffer.input)
            buffer.detach()
            buffer.erase()


def erase_dead(graph: GraphOp) -> None:
    """Erase ops without consumers and shrink forks with unused outputs, to a fixed point."""
    changed = True
    while changed:
        changed = False
        for op in list(graph.body.block.ops):
            if isinstance(op, OutputOp):
                continue
            used = [r for r in op.results if r.first_use is not None]
            if not used:
                op.detach()
                op.erase()
                changed = True
            elif isinstance(op, SplitOp) and len(used) < len(op.results):
                shrink_split(op, used)
                changed = True


def shrink_split(split: SplitOp, used: list) -> None:
    """A fork with only its used outputs; a wire (its input) when one is left."""
    if len(used) == 1:
        used[0].replace_all_uses_with(split.input)
    else:
        new = SplitOp.build(operands=[split.input], result_types=[[r.type for r in used]],
                            attributes=dict(split.attributes),
                            properties=dict(split.properties))
        block = split.parent_block()
        assert block is not None
        block.insert_op_before(new, split)
        for old, res in zip(used, new.outputs, strict=True):
            old.replace_all_uses_with(res)
    split.detach()
    split.erase()


def _symbols(op: Operation) -> set[str]:
    values = [*op.properties.values(), *op.attributes.values()]
    return {v.root_reference.data for v in values if isinstance(v, SymbolRefAttr)}


def referenced_symbols(module: ModuleOp) -> set[str]:
    """Names of the symbols that ops of `module` refer to."""
    return {name for op in module.walk() for name in _symbols(op)}


def erase_unused_weights(module: ModuleOp, before: set[str]) -> None:
    """Erase the `ee.weight`s that were referenced in `before` and are no longer."""
    now = referenced_symbols(module)
    for op in list(module.ops):
        if isinstance(op, WeightOp) and op.sym_name.data in before - now:
            op.detach()
            op.erase()
