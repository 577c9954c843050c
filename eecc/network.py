"""Network-level analysis of an `ee.graph`: its stages, op names and cost estimate.

`NetworkStructure` finds the stages of a network, partitioned or not, the same way
`--ee-partition` draws them: an op's stage is the number of drop-on-exit condbuffers on its
way from the graph's input (the merge is in stage 0). `NetworkModel` prices a network from
per-op cost tables (computed once per op and fold) and `evaluate`s folds without touching
the IR, so a fold search can call it many times:

    model = NetworkModel(graph, load_platform("zc706"), batch=1024)
    estimate = model.evaluate()                      # the folds written in the IR
    estimate = model.evaluate([Fold(), ...])         # one fold per `model.ops` entry

A stage's interval is its slowest op's latency, its depth the longest path of op depths
inside it, its resources the sum of its ops'. Stages combine by their reach probabilities
(`rate`, 1 when not annotated): `combine_infinite` gives the infinite-buffer bound and
`combine_finite` the finite-buffer estimate: each drop-on-exit condbuffer a queue of its
depth, with the slack around it (`buffer_slack`) that the event model (eecc.cost.queue)
counts from the IR at the design's folds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property

from xdsl.dialects.builtin import ModuleOp, NameLoc
from xdsl.ir import Operation

from eecc.cost import ops as prices
from eecc.cost.fold import Fold
from eecc.cost.platform import Platform, Resources
from eecc.cost.shell import ShellEstimate
from eecc.cost.stream import repack_resources
from eecc.cost.throughput import (
    DEFAULT_BATCH,
    combine_finite,
    combine_infinite,
    stage_interval,
    stage_throughput,
)
from eecc.dialects.ee.control import CondBufferOp, ExitDecisionOp, ExitMergeOp
from eecc.dialects.ee.hardware import (
    HardwareOp,
    fold_lanes,
    hardware_ops,
    producers,
    stream_source,
    width_of,
)
from eecc.dialects.ee.layers import WindowOp
from eecc.dialects.ee.structure import GraphOp, StageOp
from eecc.dialects.ee.types import StreamType
from eecc.errors import EeccError


def find_graph(module_or_graph: ModuleOp | GraphOp) -> GraphOp:
    """The `ee.graph` itself, or the only one in a module."""
    if isinstance(module_or_graph, GraphOp):
        return module_or_graph
    graphs = [op for op in module_or_graph.ops if isinstance(op, GraphOp)]
    if len(graphs) != 1:
        raise EeccError(f"expected one 'ee.graph' in the module, found {len(graphs)}")
    return graphs[0]


def op_rate(op: Operation) -> float | None:
    rate = op.properties.get("rate")
    return None if rate is None else rate.value.data  # type: ignore[attr-defined]


class NetworkStructure:
    """Hardware ops in topological order, their stages and names, and the exit buffers."""

    def __init__(self, graph: GraphOp):
        self.graph = graph
        self.ops: list[HardwareOp] = hardware_ops(graph)
        self.stage_of: dict[int, int] = {}
        for op in self.ops:
            self.stage_of[id(op)] = self._stage(op)

    def _stage(self, op: HardwareOp) -> int:
        parent = op.parent_op() if isinstance(op, Operation) else None
        if isinstance(parent, StageOp):
            return parent.index.value.data
        if isinstance(op, ExitMergeOp):
            return 0
        stages = [self.stage_of.get(id(p), 0) + is_drop_buffer(p) for p in producers(op)]  # type: ignore[arg-type]
        return max(stages, default=0)

    def stage(self, op: HardwareOp) -> int:
        return self.stage_of[id(op)]

    @cached_property
    def num_stages(self) -> int:
        return max(self.stage_of.values(), default=0) + 1

    @cached_property
    def exits(self) -> int:
        """Exits of the network: its exit decisions + the final classifier."""
        return sum(isinstance(op, ExitDecisionOp) for op in self.ops) + 1

    @cached_property
    def drop_buffers(self) -> list[CondBufferOp]:
        """Drop-on-exit condbuffers, in topological order: buffer i feeds stage i + 1."""
        return [op for op in self.ops if isinstance(op, CondBufferOp) and op.drops_on_exit]

    def stage_ops(self, index: int) -> list[HardwareOp]:
        return [op for op in self.ops if self.stage_of[id(op)] == index]

    @cached_property
    def names(self) -> list[str]:
        """The op's location name (the ONNX node) or `<kind>_<n>` counted per kind."""
        counts: dict[str, int] = {}
        out: list[str] = []
        for op in self.ops:
            assert isinstance(op, Operation)
            kind = op.name.removeprefix("ee.")
            n = counts[kind] = counts.get(kind, -1) + 1
            loc = op.location
            out.append(_unique(f"{loc.desc.data}", kind, out) if isinstance(loc, NameLoc)
                       else f"{kind}_{n}")
        return out

    def stage_rate(self, index: int) -> float:
        """Stage `index`'s reach: its `ee.stage` rate, else its first annotated op's; else 1."""
        if index == 0:
            return 1.0
        rates = [op_rate(s) for s in self.graph.body.block.ops
                 if isinstance(s, StageOp) and s.index.value.data == index]
        rates += [op_rate(op) for op in self.stage_ops(index)]  # type: ignore[arg-type]
        return next((r for r in rates if r is not None), 1.0)


def _unique(name: str, kind: str, taken: list[str]) -> str:
    """`name`, or `name.kind` (then `name.kind_<n>`) when ops share a location."""
    if name not in taken:
        return name
    candidate, n = f"{name}.{kind}", 0
    while candidate in taken:
        n += 1
        candidate = f"{name}.{kind}_{n}"
    return candidate


def is_drop_buffer(op: object) -> int:
    return int(isinstance(op, CondBufferOp) and op.drops_on_exit)


@dataclass(frozen=True)
class OpEstimate:
    name: str
    kind: str
    stage: int
    rate: float
    fold: Fold
    latency_cycles: float
    depth_cycles: int
    resources: Resources


@dataclass(frozen=True)
class StageEstimate:
    index: int
    rate: float
    interval_cycles: float
    depth_cycles: float
    throughput: float  # samples per second of the stage alone
    resources: Resources
    bottleneck: str  # name of the op with the largest latency


@dataclass(frozen=True)
class RepackEstimate:
    """A lane repack between two ops whose lanes differ at the folds (`ee-legalize-hls`
    inserts it as `ee.repack`; priced in the consumer's stage)."""

    producer: str
    consumer: str
    stage: int
    lanes: tuple[int, int]
    resources: Resources


@dataclass(frozen=True)
class NetworkEstimate:
    platform: Platform
    clock_mhz: float
    batch: int
    stages: tuple[StageEstimate, ...]
    ops: tuple[OpEstimate, ...]
    throughput: float  # finite condbuffers (the event model, eecc.cost.queue)
    throughput_infinite: float  # infinite-buffer bound
    resources: Resources
    queue_depths: tuple[int, ...]
    slacks: tuple[tuple[float, float], ...] = ()  # (up, down) maps around each queue
    repacks: tuple[RepackEstimate, ...] = ()  # included in the stages' resources
    shell: ShellEstimate | None = None  # the block design around the accelerator

    @property
    def total(self) -> Resources:
        """The accelerator and its shell: what the part must hold."""
        return self.resources + (self.shell.total if self.shell else Resources())

    def fits(self, budget: float = 1.0) -> bool:
        """The accelerator and its shell within `budget` x the platform."""
        return self.total.fits(self.platform, budget)


class NetworkModel:
    """Prices a network's folds fast: per-op tables, stage membership and edges precomputed."""

    def __init__(self, module_or_graph: ModuleOp | GraphOp, platform: Platform,
                 batch: int = DEFAULT_BATCH):
        self.structure = NetworkStructure(find_graph(module_or_graph))
        self.platform, self.batch = platform, batch
        self.ops = self.structure.ops
        self.stages = [self.structure.stage(op) for op in self.ops]
        self.reach = [self.structure.stage_rate(i) for i in range(self.structure.num_stages)]
        self.queue_depths = tuple(b.buffer_depth() for b in self.structure.drop_buffers)
        self._preds = self._stage_edges()
        self._chains = [_chains(self, b) for b in self.structure.drop_buffers]
        self._table: list[dict[Fold, tuple[float, int, Resources]]] = [{} for _ in self.ops]
        self._lane_edges = self._lane_edges_of()
        self._shells: dict[tuple, ShellEstimate] = {}

    def shell(self, folds: Sequence[Fold] | None = None,
              depths: Mapping[int, int] | None = None) -> ShellEstimate:
        """The shell of the block design at `folds` and condbuffer `depths` (model op index
        -> maps; default the IR's), computed once each (`eecc.block_design`)."""
        from eecc.block_design import network_shell  # the emitter's design; it imports passes

        key = (tuple(folds) if folds is not None else None, tuple(sorted((depths or {}).items())))
        if key not in self._shells:
            self._shells[key] = network_shell(self.structure.graph, folds, depths)
        return self._shells[key]

    def _lane_edges_of(self) -> list[tuple[int, int, int]]:
        """(producer, consumer, data width) of every stream a consumer reads, as
        `ee-legalize-hls` walks them (through stages, flattens and repacks)."""
        index = {id(op): i for i, op in enumerate(self.ops)}
        edges = []
        for i, op in enumerate(self.ops):
            if op.name == "ee.flatten":
                continue
            for value in op.operands:  # type: ignore[attr-defined]
                src = stream_source(value)
                if isinstance(value.type, StreamType) and src is not None and id(src) in index:
                    edges.append((index[id(src)], i, width_of(value.type)))
        return edges

    def repacks(self, folds: Sequence[Fold]) -> tuple[RepackEstimate, ...]:
        """The lane repacks the folds need, priced (`eecc.cost.stream.repack_resources`)."""
        out = []
        for p, c, width in self._lane_edges:
            have, need = fold_lanes(self.ops[p], folds[p])[1], fold_lanes(self.ops[c], folds[c])[0]  # type: ignore[arg-type]
            if have != need:
                out.append(RepackEstimate(self.structure.names[p], self.structure.names[c],
                                          self.stages[c], (have, need),
                                          repack_resources(have, need, width)))
        return tuple(out)

    def _stage_edges(self) -> list[list[int]]:
        index = {id(op): i for i, op in enumerate(self.ops)}
        return [[index[id(p)] for p in producers(op)  # type: ignore[arg-type]
                 if id(p) in index and self.stages[index[id(p)]] == self.stages[i]]
                for i, op in enumerate(self.ops)]

    def op_cost(self, i: int, fold: Fold) -> tuple[float, int, Resources]:
        """(latency, depth, resources) of op `i` at `fold`, computed once."""
        row = self._table[i]
        if fold not in row:
            op = self.ops[i]
            row[fold] = (prices.latency_cycles(op, fold), prices.pipeline_depth(op, fold),
                         prices.resources(op, fold, self.platform))
        return row[fold]

    def current_folds(self) -> list[Fold]:
        return [op.current_fold_value() for op in self.ops]

    def evaluate(self, folds: Sequence[Fold] | None = None) -> NetworkEstimate:
        folds = self.current_folds() if folds is None else list(folds)
        costs = [self.op_cost(i, f) for i, f in enumerate(folds)]
        repacks = self.repacks(folds)
        stages = tuple(self._stage(s, costs, repacks) for s in range(len(self.reach)))
        return replace(self._network(stages, self._op_estimates(folds, costs), repacks),
                       shell=self.shell(folds))

    def _stage(self, s: int, costs: list[tuple[float, int, Resources]],
               repacks: Sequence[RepackEstimate] = ()) -> StageEstimate:
        members = [i for i, st in enumerate(self.stages) if st == s]
        arrival: dict[int, float] = {}
        for i in members:  # topological order
            arrival[i] = costs[i][1] + max((arrival[p] for p in self._preds[i]), default=0)
        interval = stage_interval([costs[i][0] for i in members] or [0.0])
        depth = max(arrival.values(), default=0)
        worst = max(members, key=lambda i: costs[i][0], default=None)
        clock = self.platform.clock_mhz
        return StageEstimate(
            s, self.reach[s], interval, depth,
            stage_throughput(interval, depth, clock, self.batch) if interval else float("inf"),
            prices.total([*(costs[i][2] for i in members), *(r.resources for r in repacks if r.stage == s)]),
            self.structure.names[worst] if worst is not None else "",
        )

    def _op_estimates(self, folds: list[Fold], costs: list[tuple[float, int, Resources]]
                      ) -> tuple[OpEstimate, ...]:
        out = []
        for i, op in enumerate(self.ops):
            assert isinstance(op, Operation)
            rate = op_rate(op)
            out.append(OpEstimate(self.structure.names[i], op.name, self.stages[i],
                                  self.reach[self.stages[i]] if rate is None else rate,
                                  folds[i], costs[i][0], costs[i][1], costs[i][2]))
        return tuple(out)

    def _network(self, stages: tuple[StageEstimate, ...], ops: tuple[OpEstimate, ...],
                 repacks: tuple[RepackEstimate, ...] = ()) -> NetworkEstimate:
        rates = [s.throughput for s in stages]
        clock = self.platform.clock_mhz
        depths = self.queue_depths[: len(stages) - 1]
        slacks = self.slacks([o.latency_cycles for o in ops])[: len(stages) - 1]
        return NetworkEstimate(
            self.platform, clock, self.batch, stages, ops,
            combine_finite(rates, self.reach, clock, depths, slacks),
            combine_infinite(rates, self.reach),
            prices.total(s.resources for s in stages), depths, slacks, repacks,
        )

    def slacks(self, latencies: Sequence[float] | None = None) -> tuple[tuple[float, float], ...]:
        """(up, down) maps of buffering around each drop-on-exit condbuffer's ring.

        Up: between the producing stage's slowest op on the buffer's input path and the
        ring, one row of each stream and (k - 1) rows of each window's padded input before
        it; down: between the ring and the next stage's slowest op on the path out, the
        buffer's output row, each stream's row before that op, and the rows its windows
        (that op's too) hold. `latencies` per model op (default: the folds in the IR); a
        tie goes to the op nearest the buffer. With `latencies=None` per path position
        the least slack any bottleneck could give (`slack_floor`).
        """
        if latencies is None:
            latencies = [self.op_cost(i, f)[0] for i, f in enumerate(self.current_folds())]
        return tuple(self._slack(b, back, ahead, latencies) for b, back, ahead in self._chains)

    def slack_floor(self) -> tuple[tuple[float, float], ...]:
        """The slack with the op next to each buffer as both bottlenecks: the least any folds give."""
        return tuple(self._slack(b, back, ahead, None) for b, back, ahead in self._chains)

    def slack_tables(self) -> tuple[tuple[list[int], list[float], list[int], list[float]], ...]:
        """Per drop-on-exit buffer: its path back (model indices, nearest first) and the up
        slack with the bottleneck at each position, its path ahead and the down slack
        likewise: `slacks` for any folds, as a table (what `--fold` evaluates designs with)."""
        out = []
        for b, back, ahead in self._chains:
            ups = [self._slack_at(b, back, ahead, k, 0)[0] for k in range(max(1, len(back)))]
            downs = [self._slack_at(b, back, ahead, 0, k)[1] for k in range(max(1, len(ahead)))]
            out.append((back, ups, ahead, downs))
        return tuple(out)

    def _slack_at(self, b: int, back: list[int], ahead: list[int], kb: int, ka: int
                  ) -> tuple[float, float]:
        ops = self.ops
        up = (sum(_row_share(ops[i]) for i in back[:kb + 1])
              + sum(_line_share(ops[i]) for i in back[:kb]))
        down = (_row_share(ops[b]) + sum(_row_share(ops[i]) for i in ahead[:ka])
                + sum(_line_share(ops[i]) for i in ahead[:ka + 1]))
        return up, down

    def _slack(self, b: int, back: list[int], ahead: list[int],
               latencies: Sequence[float] | None) -> tuple[float, float]:
        ops = self.ops

        def worst(path: list[int]) -> int:  # position of the slowest op, nearest the buffer
            if latencies is None or not path:
                return 0
            return max(range(len(path)), key=lambda k: (latencies[path[k]], -k))

        del ops
        return self._slack_at(b, back, ahead, worst(back), worst(ahead))


def _chains(model: NetworkModel, buffer: CondBufferOp) -> tuple[int, list[int], list[int]]:
    """Model indices on the buffer's data path: back to its stage's input, and on to the end."""
    index = {id(op): i for i, op in enumerate(model.ops)}
    consumers: dict[int, list[int]] = {i: [] for i in range(len(model.ops))}
    for i, op in enumerate(model.ops):
        for p in producers(op):  # type: ignore[arg-type]
            if id(p) in index:
                consumers[index[id(p)]].append(i)
    b = index[id(buffer)]
    back: list[int] = []
    found = [p for p in producers(buffer)[:1] if id(p) in index]  # type: ignore[arg-type]
    while found and model.stages[index[id(found[0])]] == model.stages[b]:
        back.append(index[id(found[0])])
        found = [p for p in producers(found[0])[:1] if id(p) in index]  # type: ignore[arg-type]
    ahead: list[int] = []
    nxt = consumers[b][:1]
    while nxt and model.stages[nxt[0]] == model.stages[b] + 1:
        ahead.append(nxt[0])
        nxt = consumers[nxt[0]][:1]
    return b, back, ahead


def _row_share(op: HardwareOp) -> float:
    """A stream buffers one row of its map: 1 / H of a map (nothing for a vector)."""
    t = op.results[0].type  # type: ignore[attr-defined]
    shape: tuple[int, ...] = tuple(t.get_shape()) if isinstance(t, StreamType) else ()
    return 1 / shape[1] if len(shape) == 3 else 0.0


def _line_share(op: HardwareOp) -> float:
    """A window op's line buffer holds (k - 1) rows of its padded input."""
    if not isinstance(op, WindowOp):
        return 0.0
    _, h, _ = op.input.type.get_shape()
    top, _, bottom, _ = op.pad_values
    return (op.kernel_shape[0] - 1) / (h + top + bottom)


def estimate_network(module_or_graph: ModuleOp | GraphOp, platform: Platform,
                     batch: int = DEFAULT_BATCH) -> NetworkEstimate:
    """The estimate of a network at the folds, rates and buffer depths written in its IR."""
    return NetworkModel(module_or_graph, platform, batch).evaluate()
