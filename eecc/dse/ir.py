"""From `ee` IR to the search's tables and back: the ops' fold spaces, priced by `eecc.cost.ops`.

`NetworkModel` (eecc.network) finds the stages, rates, condbuffer depths and the per-op
cost tables; this module arranges them as a `Problem` (one `Layer` per hardware op, one
`Option` per legal fold) and writes a chosen design back as `#ee.fold`s. `backbone` builds
the network without exits (the baseline) from the same IR.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from eecc.cost.ops import resources_at_depth, total
from eecc.cost.platform import Platform
from eecc.cost.queue import UNBOUNDED
from eecc.cost.shell import fixed_resources
from eecc.dialects.ee.control import CondBufferOp, ExitDecisionOp, ExitMergeOp, SplitOp
from eecc.dialects.ee.hardware import HardwareOp, producers, source_op
from eecc.dse.problem import Design, Layer, Option, Problem, SlackPath, Stage, fits, vadd
from eecc.dse.search import SearchResult
from eecc.dse.tap import Tap, restrict
from eecc.network import NetworkModel, op_rate


@dataclass(frozen=True)
class Mapping:
    """The problem of a network and which model op each (stage, layer) slot is."""

    model: NetworkModel
    problem: Problem
    slots: tuple[tuple[int, ...], ...]  # slots[s][k] = index into model.ops
    rates_given: bool  # some stage or op carries a `rate`


def depth_grid(floor: int) -> tuple[int, ...]:
    """Queue depths `--fold` weighs: the floor, then doubling, up to `UNBOUNDED` maps."""
    out, d = [floor], max(1, floor)
    while d * 2 <= UNBOUNDED:
        d *= 2
        out.append(d)
    return tuple(out)


def build(model: NetworkModel, budget: float = 1.0,
          keep: Sequence[int] | None = None, queues: bool = True) -> Mapping:
    """The problem of `model`'s network (or of the ops `keep`, as one stage at rate 1).

    With `queues`, each drop-on-exit condbuffer's depth is part of the search: its options
    are its folds x `depth_grid(depth written in the IR)`, so the written depth (from
    `--ee-size-buffers`) is the floor; without, the written depths are kept.
    """
    if keep is not None:
        slots: tuple[tuple[int, ...], ...] = (tuple(keep),)
        rates: tuple[float, ...] = (1.0,)
    else:
        n = len(model.reach)
        slots = tuple(tuple(i for i, s in enumerate(model.stages) if s == k) for k in range(n))
        rates = tuple(model.reach)
    searched = queues and keep is None
    stages = tuple(_stage(model, members, rate, searched)
                   for members, rate in zip(slots, rates, strict=True))
    cap, shell = model.platform.capacity(), fixed_resources()
    problem = Problem(
        stages=stages, capacity=(cap.lut, cap.ff, cap.dsp, cap.bram), budget=budget,
        fixed=(shell.lut, shell.ff, shell.dsp, shell.bram),
        clock_mhz=model.platform.clock_mhz, batch=model.batch,
        queue_depths=tuple(model.queue_depths[: len(stages) - 1]),
        slacks=tuple(model.slack_floor()[: len(stages) - 1]),
        slack_paths=_slack_paths(model, slots) if keep is None else (),
    )
    given = any(op_rate(op) is not None for op in model.ops)  # type: ignore[arg-type]
    given = given or any(op_rate(s) is not None for s in model.structure.graph.ops()
                         if s.name == "ee.stage")
    return Mapping(model, problem, slots, given)


def _slack_paths(model: NetworkModel, slots: tuple[tuple[int, ...], ...]) -> tuple[SlackPath, ...]:
    """The slack table of each queue, its path ops as (stage, layer) of the problem."""
    where = {i: (k, la) for k, members in enumerate(slots) for la, i in enumerate(members)}
    paths = []
    for back, ups, ahead, downs in model.slack_tables()[: len(slots) - 1]:
        if any(i not in where for i in [*back, *ahead]):
            return ()  # a path op outside the problem: every design gets the floor
        paths.append(SlackPath(tuple(where[i] for i in back), tuple(ups),
                               tuple(where[i] for i in ahead), tuple(downs)))
    return tuple(paths)


def _stage(model: NetworkModel, members: Sequence[int], rate: float, queues: bool) -> Stage:
    local = {m: k for k, m in enumerate(members)}
    drop = {id(b) for b in model.structure.drop_buffers}
    queued = [k for k, i in enumerate(members) if queues and id(model.ops[i]) in drop]
    layers = tuple(_layer(model, i, k in queued) for k, i in enumerate(members))
    preds = tuple(tuple(sorted({local[p] for p in _feeders(model, i, set(members))}))
                  for i in members)
    return Stage(layers, rate, preds, queued[0] if queued else -1)


def _layer(model: NetworkModel, i: int, queued: bool = False) -> Layer:
    op = model.ops[i]
    folds = op.fold_space() or [op.current_fold_value()]
    options: list[Option] = []
    current, start = op.current_fold_value(), 0
    for fold in folds:
        latency, depth, res = model.op_cost(i, fold)
        if fold == current:
            start = len(options)
        if not queued:
            options.append(Option(fold, latency, depth, (res.lut, res.ff, res.dsp, res.bram)))
            continue
        assert isinstance(op, CondBufferOp)
        for q in depth_grid(op.buffer_depth()):
            r = resources_at_depth(op, fold, q)
            options.append(Option(fold, latency, depth, (r.lut, r.ff, r.dsp, r.bram), q))
    return Layer(model.structure.names[i], tuple(options), start)


def _feeders(model: NetworkModel, i: int, members: set[int]) -> set[int]:
    """Model indices among `members` that feed op i, looking through ops left out."""
    index = {id(op): k for k, op in enumerate(model.ops)}
    found: set[int] = set()
    todo: list[HardwareOp] = producers(model.ops[i])  # type: ignore[arg-type]  # as eecc.network
    while todo:
        p = todo.pop()
        k = index.get(id(p))
        if k is None or model.stages[k] != model.stages[i] and k not in members:
            continue
        if k in members:
            found.add(k)
        else:
            todo.extend(_data_inputs(p))
    return found


def folds_of(mapping: Mapping, design: Design) -> list:
    """One `Fold` per model op: the design's, and the current fold of ops outside it."""
    folds = mapping.model.current_folds()
    for members, stage, choice in zip(mapping.slots, mapping.problem.stages, design, strict=True):
        for i, layer, c in zip(members, stage.layers, choice, strict=True):
            folds[i] = layer.options[c].fold
    return folds


REPACK_ROUNDS = 8  # searches with the repacks' and the shell's resources reserved, at most


def queues_of(mapping: Mapping, design: Design) -> dict[int, int]:
    """The condbuffer depths the design chose: model op index -> maps."""
    out = {}
    for members, stage, choice in zip(mapping.slots, mapping.problem.stages, design, strict=True):
        if stage.queue_layer >= 0:
            q = stage.layers[stage.queue_layer].options[choice[stage.queue_layer]].queue
            out[members[stage.queue_layer]] = q
    return out


def repack_need(mapping: Mapping, design: Design) -> tuple[float, float, float, float]:
    """LUT, FF, DSP, BRAM of the lane repacks the design's folds imply (`NetworkModel.repacks`)
    and of the shell's part that depends on them (`NetworkModel.shell`: a FIFO per stream
    link, a wrapper per IP port, the DMA's lane adapters; its fixed IPs are in `fixed`)."""
    folds = folds_of(mapping, design)
    rep = total(r.resources for r in mapping.model.repacks(folds))
    rep = rep + mapping.model.shell(folds, queues_of(mapping, design)).variable
    return (rep.lut, rep.ff, rep.dsp, rep.bram)


def search_with_repacks(mapping: Mapping,
                        run: Callable[[Problem, tuple[Tap, ...] | None], SearchResult],
                        problem: Problem | None = None) -> tuple[Problem, SearchResult]:
    """`run` (a search) on the problem, then again with the chosen design's lane repacks
    and shell (its link FIFOs and port wrappers) reserved from the budget until the design
    fits with them (they depend on neighbouring folds and on the lanes, so the stage curves
    cannot price them per layer). The problem the result was found on (with the reserve in
    `fixed`) and the result: of the rounds whose design fits with its own needs, the
    fastest. A round that fits tries next the reserve cut to what its design needs (a first
    design with many lanes may need far more than the best one); one that does not fit
    grows the reserve; no reserve is tried twice.

    `run(problem, taps)` gets None first; in later rounds, when the first round's stage
    curves were exact, those curves cut to the new limit (`tap.restrict`): the same points
    a new `stage_tap` would find, without computing them again."""
    base = problem if problem is not None else mapping.problem
    reserve: tuple[float, ...] = (0.0, 0.0, 0.0, 0.0)
    first: tuple[Tap, ...] | None = None
    best: tuple[Problem, SearchResult] | None = None
    tried: set[tuple[float, ...]] = set()
    for _ in range(REPACK_ROUNDS):
        tried.add(reserve)
        trial = replace(base, fixed=vadd(base.fixed, reserve))  # type: ignore[arg-type]
        reuse = None
        if first is not None:
            fixed, limit = np.array(trial.fixed, dtype=float), np.array(trial.limit, dtype=float)
            reuse = tuple(restrict(t, fixed, limit) for t in first)
        found = run(trial, reuse)
        if first is None and all(t.exact for t in found.taps):
            first = found.taps
        need = repack_need(mapping, found.design)
        used = tuple(r - a + b for r, a, b in zip(found.evaluation.resources, reserve, need, strict=True))
        if fits(used, base.limit):
            if best is None or found.evaluation.throughput > best[1].evaluation.throughput:
                best = (trial, found)
            # it fits with what it needs; a smaller reserve (its own need, where that is less)
            # may leave room for a faster design, so that is tried next
            nxt = tuple(min(a, b) for a, b in zip(reserve, need, strict=True))
        else:
            nxt = tuple(max(a, b) for a, b in zip(reserve, need, strict=True))
        if nxt in tried:
            break
        reserve = nxt
    return best if best is not None else (trial, found)


def write(mapping: Mapping, design: Design) -> None:
    """Write the design's folds onto the ops, and its queue depths onto the condbuffers
    whose depth it chose (the depth they had becomes their `min_depth`)."""
    for op, fold in zip(mapping.model.ops, folds_of(mapping, design), strict=True):
        op.set_fold(fold)
    for members, stage, choice in zip(mapping.slots, mapping.problem.stages, design, strict=True):
        if stage.queue_layer < 0:
            continue
        buffer = mapping.model.ops[members[stage.queue_layer]]
        assert isinstance(buffer, CondBufferOp)
        q = stage.layers[stage.queue_layer].options[choice[stage.queue_layer]].queue
        buffer.set_depth(q, floor=buffer.buffer_depth())


def backbone(model: NetworkModel) -> list[int]:
    """Model indices of the network without exits: the final classifier's path.

    Exit branches, decisions, condbuffers and the merge are dropped; a split stays only
    if two of its consumers stay (a residual fork), else it is a wire.
    """
    index = {id(op): k for k, op in enumerate(model.ops)}
    merges = [op for op in model.ops if isinstance(op, ExitMergeOp)]
    if not merges:
        return list(range(len(model.ops)))
    final = merges[0].inputs[-1]
    seen: set[int] = set()
    todo: list[HardwareOp] = [source_op(final)]  # type: ignore[list-item]
    while todo:
        op = todo.pop()
        if op is None or id(op) not in index or index[id(op)] in seen:
            continue
        seen.add(index[id(op)])
        todo.extend(_data_inputs(op))
    dropped = (CondBufferOp, ExitDecisionOp, ExitMergeOp)
    keep = [k for k in sorted(seen) if not isinstance(model.ops[k], dropped)]
    return [k for k in keep if not isinstance(model.ops[k], SplitOp)
            or _kept_uses(model, k, set(keep)) >= 2]


def _data_inputs(op: HardwareOp) -> list[HardwareOp]:
    """Producers of an op's data: a condbuffer's control token is not on a data path."""
    if isinstance(op, CondBufferOp):
        src = source_op(op.input)
        return [src] if isinstance(src, HardwareOp) else []
    return producers(op)  # type: ignore[arg-type]


def _kept_uses(model: NetworkModel, k: int, keep: set[int]) -> int:
    index = {id(op): i for i, op in enumerate(model.ops)}
    return sum(1 for i in keep if any(index.get(id(p)) == k for p in producers(model.ops[i])))  # type: ignore[arg-type]


def with_rates(problem: Problem, rates: Sequence[float]) -> Problem:
    """The same problem with other stage rates (e.g. for a p +/- 0.05 band)."""
    stages = tuple(replace(s, rate=r) for s, r in zip(problem.stages, rates, strict=True))
    return replace(problem, stages=stages)


def platform_of(mapping: Mapping) -> Platform:
    return mapping.model.platform
