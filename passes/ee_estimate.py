"""Write the cost model's estimate on every hardware op, every stage and the graph.

An analysis pass: it changes no structure, it writes what `eecc.network.NetworkModel` says
about the network at its current folds, rates and condbuffer depths, so that a person (and
`-t report`) can read the cost of each op where the op is. Every hardware op gets
`cost = #ee.cost<latency, depth, lut, ff, dsp, bram>` at its current fold (latency in cycles
per feature map, depth in cycles, BRAM in 18K blocks; fractional values rounded up). Every
`ee.stage` gets its stage cost: latency = interval = its slowest op's latency, depth = the
longest path of op depths inside it, resources summed. The graph gets `ee.platform`,
`ee.batch`, `ee.queue` and `ee.throughput` (samples/s under the chosen queue model), which
`-t report` reads.

Input:

    %0 = ee.conv %x weight @conv1.w bias @conv1.b {...} : ... -> !ee.stream<5x32x32xf32>

Output:

    %0 = ee.conv %x weight @conv1.w bias @conv1.b {..., cost = #ee.cost<latency = 128000,
         depth = 170, lut = 4441, ff = 5148, dsp = 1, bram = 2>} : ...

Options: `platform` (a shipped name such as zc706, zcu106, vu440, or a JSON path in
quotes; default zc706), `batch` (samples per batch, default 1024), `queue` ("finite": the
event-model estimate with the condbuffer depths, eecc.cost.queue; "infinite": the
infinite-buffer bound).
Limits: the ops' and stages' costs have no FIFO, interconnect or DMA overhead (as
fpgaConvNet's); the shell around the accelerator (eecc.cost.shell: PS7, DMA, interconnects,
a FIFO per stream link, a wrapper per IP port) is priced apart, and `-t report` shows it
and the total.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from xdsl import passes
from xdsl.context import Context
from xdsl.dialects.builtin import FloatAttr, IntegerAttr, ModuleOp, StringAttr, f64, i64

from eecc.cost.platform import Resources, load_platform
from eecc.dialects.ee.attrs import CostAttr
from eecc.dialects.ee.structure import GraphOp, StageOp
from eecc.errors import EeccError
from eecc.network import NetworkEstimate, NetworkModel

PASS = "ee-estimate"
QUEUES = ("finite", "infinite")


@dataclass(frozen=True)
class EeEstimatePass(passes.ModulePass):
    """Write the cost model's estimate on every hardware op, every stage and the graph."""

    name = "ee-estimate"

    platform: str = "zc706"
    batch: int = 1024
    queue: str = "finite"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        if self.batch < 1:
            raise EeccError(f"'{PASS}' batch={self.batch} must be at least 1")
        if self.queue not in QUEUES:
            raise EeccError(f"'{PASS}' queue \"{self.queue}\" is not \"finite\" or \"infinite\"")
        platform = load_platform(self.platform)
        for graph in [g for g in op.ops if isinstance(g, GraphOp)]:
            model = NetworkModel(graph, platform, self.batch)
            estimate = model.evaluate()
            annotate_ops(model, estimate)
            annotate_stages(graph, estimate)
            self.annotate_graph(graph, estimate)

    def annotate_graph(self, graph: GraphOp, estimate: NetworkEstimate) -> None:
        throughput = estimate.throughput if self.queue == "finite" else estimate.throughput_infinite
        graph.attributes["ee.platform"] = StringAttr(self.platform)
        graph.attributes["ee.batch"] = IntegerAttr(self.batch, i64)
        graph.attributes["ee.queue"] = StringAttr(self.queue)
        graph.attributes["ee.throughput"] = FloatAttr(throughput, f64)


def cost_attr(latency: float, depth: float, resources: Resources) -> CostAttr:
    r = resources
    return CostAttr(*(math.ceil(v) for v in (latency, depth, r.lut, r.ff, r.dsp, r.bram)))


def annotate_ops(model: NetworkModel, estimate: NetworkEstimate) -> None:
    for op, est in zip(model.ops, estimate.ops, strict=True):
        cost = cost_attr(est.latency_cycles, est.depth_cycles, est.resources)
        op.properties["cost"] = cost  # type: ignore[attr-defined]


def annotate_stages(graph: GraphOp, estimate: NetworkEstimate) -> None:
    for stage in [s for s in graph.body.block.ops if isinstance(s, StageOp)]:
        est = estimate.stages[stage.index.value.data]
        stage.properties["cost"] = cost_attr(est.interval_cycles, est.depth_cycles, est.resources)
