"""Choose the folding of every hardware op: the fastest network that fits a resource budget.

Each hardware op gets the `#ee.fold` and every drop-on-exit condbuffer its `depth` that,
together, maximise the network throughput (stages combined by their rates, each
condbuffer an event model of the emitted queue, `eecc.cost.queue`) while LUT, FF, DSP and
BRAM each stay within `budget` x the platform; or, with `objective="area"`, the design with
the smallest largest platform share that still reaches `target` samples/s. A stage's
interval is its slowest op's latency and resources add up, so each stage's
throughput/area Pareto curve is built exactly (with the queue depth as a fifth dimension)
and the stages are combined by a dynamic programme over Pareto fronts of partial designs
(eecc.dse; docs/fold.md has the argument). A network without exits is one stage: the
no-exit baseline. Every `ee.stage` (and the graph) gets `ee.bottleneck`, the name of the
op that limits it. Each drop-on-exit condbuffer gets `min_depth`, the maps that wait for
its decision at the chosen folds (`--ee-size-buffers`' rule, recomputed).

Input:

    %0 = ee.conv %x weight @conv1.w ... : !ee.stream<1x28x28xf32> -> !ee.stream<5x32x32xf32>

Output (`--fold=budget=0.5`):

    %0 = ee.conv %x weight @conv1.w ... {fold = #ee.fold<coarse_out = 5, fine = 25>, ...} : ...

Options:
- `budget`: share of every platform resource the design may use, in (0, 1] (default 1.0);
- `platform`: a shipped platform name (zc706, zcu106, vu440) or a platform JSON path;
- `objective`: "throughput" (default) or "area" (needs `target`, samples/s);
- `batch`: samples per batch in the stage throughput model (default 1024);
- `robust`: fold for the worst case over a drifting exit rate: the design with the best
  smallest network throughput over q in [p - robust, p + robust] (clipped to [0, 1]), p the
  share continuing past the first exit (eecc.dse.robust; default 0, the rate as annotated).
  The graph then carries `ee.worst_throughput`, that worst case in samples/s;
- `queues`: "search" (default): condbuffer depths are searched with the folds, from the
  sized depth (the floor) and its doublings up to 1,024 maps; "fixed": taken as written;
- `cap`: non-dominated points kept per stage interval (default 2048).

Without annotated rates (no `--ee-annotate-rates`) every stage is sized for rate 1, and
the pass says so in an `ee.note` module attribute and on stderr. Limits: past `cap` points
per stage interval or 2,000 partial designs per stage the search keeps the cheapest and
the fastest; the result is then proven only if it meets the upper bound (the best
infinite-buffer design); otherwise the graph gets `ee.exact = false` and `ee.fold_bound`
(samples/s no design exceeds), and the note and stderr say how much may be lost. The lane
repacks the folds imply are priced by the estimate; their resources are reserved from the
budget and the search rerun until the design fits with them (exact for the reserved budget).
The shell around the accelerator (eecc.cost.shell) is reserved too: its fixed IPs (PS7,
DMA, interconnects, reset) from the start, and its FIFO per stream link and wrapper per IP
port, which depend on the lanes, with the repacks; so the accelerator and its shell together
stay within `budget` x the platform.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace

from xdsl import passes
from xdsl.context import Context
from xdsl.dialects.builtin import FloatAttr, IntegerAttr, ModuleOp, StringAttr

from eecc.cost.platform import Platform, PlatformError, load_platform
from eecc.dialects.ee.structure import GraphOp, StageOp
from eecc.dse import ir
from eecc.dse.robust import robust
from eecc.dse.search import SearchResult, Unfittable, search
from eecc.dse.tap import DEFAULT_CAP
from eecc.errors import EeccError
from eecc.network import NetworkEstimate, NetworkModel
from eecc.passes.ee_size_buffers import EeSizeBuffersPass

OBJECTIVES = ("throughput", "area")
QUEUES = ("search", "fixed")
RATE_NOTE = "no rates annotated: every stage folded for rate 1 (run --ee-annotate-rates first)"


@dataclass(frozen=True)
class FoldPass(passes.ModulePass):
    """Choose the folding of every hardware op: the fastest network that fits a resource budget."""

    name = "fold"

    budget: float = 1.0
    platform: str = "zc706"
    objective: str = "throughput"
    target: float = 0.0
    batch: int = 1024
    robust: float = 0.0
    queues: str = "search"
    cap: int = DEFAULT_CAP

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        platform = self.check()
        for graph in [g for g in op.ops if isinstance(g, GraphOp)]:
            model = NetworkModel(graph, platform, self.batch)
            mapping = ir.build(model, self.budget, queues=self.queues == "search")
            if self.robust > 0:
                mapping = replace(mapping, problem=robust(mapping.problem, self.robust))
            if not mapping.rates_given and len(mapping.problem.stages) > 1:
                op.attributes["ee.note"] = StringAttr(RATE_NOTE)
                print(f"fold: note: {RATE_NOTE}", file=sys.stderr)
            result = self.fold_graph(mapping)
            if not result.exact:
                graph.attributes["ee.exact"] = IntegerAttr.from_bool(False)
                note = (f"@{graph.sym_name.data}: a stage curve or the stage combination hit "
                        f"its point cap (cap={self.cap}), so the design is near-optimal, "
                        "not proven optimal")
                if result.bound > 0:
                    graph.attributes["ee.fold_bound"] = FloatAttr(result.bound, 64)
                    note += (f"; no design exceeds {result.bound:.1f} samples/s, so at most "
                             f"{result.gap:.1%} is lost")
                op.attributes["ee.note"] = StringAttr(note)
                print(f"fold: note: {note}", file=sys.stderr)

    def check(self) -> Platform:
        """Validate the options; the platform they name."""
        if not 0.0 < self.budget <= 1.0:
            raise EeccError(f"'fold' budget={self.budget} is outside (0, 1]: "
                            "it is the share of each platform resource the design may use")
        if self.objective not in OBJECTIVES:
            raise EeccError(f"'fold' objective=\"{self.objective}\" is not one of "
                            f"{', '.join(OBJECTIVES)}")
        if self.objective == "area" and self.target <= 0:
            raise EeccError("'fold' objective=\"area\" needs target=<samples per second> > 0")
        if not 0.0 <= self.robust <= 1.0:
            raise EeccError(f"'fold' robust={self.robust} is outside [0, 1]: it is the drift of "
                            "the exit rate to fold for (e.g. 0.05)")
        if self.batch < 1:
            raise EeccError(f"'fold' batch={self.batch} must be at least 1")
        if self.queues not in QUEUES:
            raise EeccError(f"'fold' queues=\"{self.queues}\" is not one of {', '.join(QUEUES)}")
        if self.cap < 1:
            raise EeccError(f"'fold' cap={self.cap} must be at least 1 point per stage interval")
        try:
            return load_platform(self.platform)
        except PlatformError as err:
            raise EeccError(f"'fold' {err}") from None

    def fold_graph(self, mapping: ir.Mapping) -> SearchResult:
        """Search, write the folds, confirm the estimate and mark the bottlenecks; the
        search's result (`exact`: proven optimal; `bound`, `gap` where it is not)."""
        graph = mapping.model.structure.graph
        try:
            problem, result = ir.search_with_repacks(
                mapping, lambda p, taps: search(p, self.objective, self.target, cap=self.cap,
                                             taps=taps))
        except Unfittable as err:
            raise EeccError(f"'fold' @{graph.sym_name.data}: {err}") from None
        ir.write(mapping, result.design)
        if problem.scenarios:
            graph.attributes["ee.worst_throughput"] = FloatAttr(result.evaluation.throughput, 64)
        if any(s.queue_layer >= 0 for s in problem.stages):
            raise_to_floors(graph, mapping.model.platform, self.platform, self.batch,
                            self.budget)
        estimate = NetworkModel(graph, mapping.model.platform, self.batch).evaluate()
        if not estimate.fits(self.budget):
            name = graph.sym_name.data
            raise EeccError(f"'fold' @{name}: the design overflows budget {self.budget} once its "
                            "condbuffers hold the maps that wait at the chosen folds and its "
                            "lane repacks and shell are priced; run --ee-size-buffers before --fold")
        mark_bottlenecks(graph, estimate)
        return result


def raise_to_floors(graph: GraphOp, platform: Platform, platform_name: str, batch: int,
                    budget: float, quiet: bool = False) -> bool:
    """The maps that wait for each decision at the chosen folds (`--ee-size-buffers`,
    recomputed): each drop-on-exit buffer's `min_depth`, its depth raised to it where
    the design still fits; where it would not, the searched depth stays, its floor the
    sized depth the search started from, and stderr says so (unless `quiet`). True when
    some depth was raised. `--fold` runs it on the design it writes, and `eecc explore`
    on each candidate's, so that both report the design `--fold` emits."""
    model = NetworkModel(graph, platform, batch)
    sizer = EeSizeBuffersPass(platform=platform_name)
    raised = False
    for buffer in model.structure.drop_buffers:
        chosen = buffer.buffer_depth()
        searched_floor = buffer.min_depth.value.data if buffer.min_depth else chosen
        floor = sizer.depth(model, buffer)
        buffer.set_depth(max(chosen, floor), floor)
        if not NetworkModel(graph, platform, batch).evaluate().fits(budget):
            buffer.set_depth(chosen, min(searched_floor, chosen))
            if not quiet:
                print(f"fold: note: @{graph.sym_name.data}: a condbuffer keeps depth {chosen}; "
                      f"{floor} maps wait at the chosen folds but do not fit the budget",
                      file=sys.stderr)
        raised = raised or buffer.buffer_depth() > chosen
    return raised


def mark_bottlenecks(graph: GraphOp, estimate: NetworkEstimate) -> None:
    """`ee.bottleneck` on every stage (its slowest op) and the graph (the limiting stage's)."""
    by_index = {s.index: s for s in estimate.stages}
    for op in graph.body.block.ops:
        if isinstance(op, StageOp) and op.index.value.data in by_index:
            op.attributes["ee.bottleneck"] = StringAttr(by_index[op.index.value.data].bottleneck)
    limiting = min(estimate.stages, key=lambda s: s.throughput / s.rate if s.rate > 0 else float("inf"))
    graph.attributes["ee.bottleneck"] = StringAttr(limiting.bottleneck)
