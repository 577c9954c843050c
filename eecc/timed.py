"""What the timed C simulation measured, next to what the cost model says (`eecc csim --timed`).

The testbench built with `-DEECC_TIMED` (docs/timed-csim.md) writes the simulator's raw
report (`timed.raw.json`): every process's clock, starved and blocked cycles and the marks
at its first and last sample; every FIFO's depth, words and peak fill; per sample the cycle
of its first input beat and of its last result beat. `analyse` turns that into figures:

- **throughput**: samples admitted per second in steady state, over the second half of the
  run: `(n - 1 - h) / (in[n-1] - in[h])` cycles at the platform clock, `h = n // 2`, `in`
  the admission cycles in order. The DMA can only push the next sample when the pipeline
  takes it, so this is the network's rate, including back-pressure from any stage. The
  first half is left out because the empty buffers (condbuffers, FIFOs) admit samples
  faster than the steady state until they fill: over a whole run of n samples a buffer of
  K maps in front of a slower stage inflates the rate by about K·q/n (`steady_window`);
- **window**: the IDs of the samples in that half, so a caller can state the exit rates the
  measured rate belongs to;
- **batch throughput**: `n / (last result - first input)`, fill and drain included;
- **latency**: first input beat of the first sample to the first result beat out;
- per layer, **cycles per sample**: between its first and its last sample, the cycles it was
  neither starved nor blocked, over the samples in between — its own service time, which the
  cost model's `latency_cycles` (cycles per feature map) predicts;
- per condbuffer, the peak occupancy in feature maps.

`layer_rows` joins the processes to the IR's ops by the names the HLS emitter gave them
(`eecc.emit.naming.layer_names`), so each row carries the op and its cost-model cycles.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation

from eecc.cost import ops as prices
from eecc.dialects.ee import CondBufferOp, GraphOp
from eecc.dialects.ee.hardware import HardwareOp, chw
from eecc.errors import EeccError


@dataclass(frozen=True)
class LayerTiming:
    """One layer (process) of the design: measured and modelled cycles per sample."""

    name: str
    op: str
    samples: int
    cycles_per_sample: float | None
    model_cycles: float | None
    busy: int
    starved: int
    blocked: int
    peak_maps: float | None = None

    @property
    def ratio(self) -> float | None:
        if self.cycles_per_sample is None or not self.model_cycles:
            return None
        return self.cycles_per_sample / self.model_cycles

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "op": self.op, "samples": self.samples,
                "cycles_per_sample": self.cycles_per_sample, "model_cycles": self.model_cycles,
                "ratio": self.ratio, "busy": self.busy, "starved": self.starved,
                "blocked": self.blocked, "peak_maps": self.peak_maps}


@dataclass
class TimedReport:
    """The figures of one timed run."""

    clock_mhz: float
    cycles: int
    samples: int
    throughput: float | None
    throughput_batch: float | None
    throughput_model: float | None
    latency_cycles: int | None
    deadlock: str | None
    layers: list[LayerTiming] = field(default_factory=list)
    processes: list[dict[str, Any]] = field(default_factory=list)
    fifos: list[dict[str, Any]] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    window: list[int] = field(default_factory=list)  # sample IDs of the steady-state window

    @property
    def latency_us(self) -> float | None:
        return None if self.latency_cycles is None else self.latency_cycles / self.clock_mhz

    def as_dict(self) -> dict[str, Any]:
        return {
            "throughput": self.throughput, "throughput_batch": self.throughput_batch,
            "throughput_model": self.throughput_model, "latency_cycles": self.latency_cycles,
            "latency_us": self.latency_us, "cycles": self.cycles, "samples": self.samples,
            "clock_mhz": self.clock_mhz, "deadlock": self.deadlock, "settings": self.settings,
            "layers": [layer.as_dict() for layer in self.layers],
            "processes": self.processes, "fifos": self.fifos, "window": self.window,
        }

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(self.as_dict(), indent=1, sort_keys=True) + "\n")


def read_raw(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as err:
        raise EeccError(f"{path}: the timed simulation wrote no readable report ({err})") from None


def _service(proc: dict[str, Any]) -> float | None:
    """Cycles per sample between the first and the last sample, stalls excluded."""
    n = proc["samples"] or proc["control_samples"]
    if n < 2:
        return None
    (t0, s0, b0), (t1, s1, b1) = proc["first_sample"], proc["last_sample"]
    return ((t1 - t0) - (s1 - s0) - (b1 - b0)) / (n - 1)


def _merge_batches(processes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per process name (a run of several batches spawns each process per batch)."""
    merged: dict[tuple[str, bool], dict[str, Any]] = {}
    for proc in processes:
        key = (proc["name"], proc["region"])  # a layer IP's region and its layer share a name
        seen = merged.get(key)
        if seen is None:
            merged[key] = dict(proc)
            continue
        for counter in ("starved", "blocked", "samples", "control_samples"):
            seen[counter] += proc[counter]
        seen["finish"] = proc["finish"]
        seen["done"] = seen["done"] and proc["done"]
        seen["last_sample"] = proc["last_sample"] if proc["samples"] else seen["last_sample"]
        seen["peak"] = max(seen["peak"], proc["peak"])
    return list(merged.values())


def _graph(module: ModuleOp) -> GraphOp:
    graphs = [op for op in module.walk() if isinstance(op, GraphOp)]
    if len(graphs) != 1:
        raise EeccError(f"expected one 'ee.graph', found {len(graphs)}")
    return graphs[0]


def model_cycles(op: Operation) -> float | None:
    """The cost model's cycles per feature map of `op` at its fold (None: not priced)."""
    if op.name == "ee.repack":
        from eecc.cost.stream import repack_latency

        lanes = (op.properties["lanes_in"], op.properties["lanes_out"])
        return repack_latency(op.operands[0].type.num_elements,  # type: ignore[attr-defined]
                              *(int(v.value.data) for v in lanes))  # type: ignore[attr-defined]
    if not isinstance(op, HardwareOp):
        return None
    return float(prices.latency_cycles(op, op.current_fold_value()))


def layer_rows(module: ModuleOp, processes: list[dict[str, Any]],
               fifos: list[dict[str, Any]]) -> list[LayerTiming]:
    """A row per emitted layer, in the emitter's layer order."""
    from eecc.emit.naming import layer_names

    rows = []
    for op, name in layer_names(_graph(module)).items():
        # the layer's process, or the modules of a layer built as a DATAFLOW of its own (the
        # AXI-Stream converters of a layer IP are not the layer)
        modules = [p for p in processes if p["name"] == name] or [
            p for p in processes if p["name"].startswith(name + ".") and "axis" not in p["name"]]
        if not modules:
            continue
        # a layer built of modules (a DATAFLOW of its own) runs at its slowest module's pace
        proc = max(modules, key=lambda p: (_service(p) or 0.0, p["name"]))
        busy = proc["finish"] - proc["start"] - proc["starved"] - proc["blocked"]
        rows.append(LayerTiming(name, op.name, proc["samples"] or proc["control_samples"],
                                _service(proc), model_cycles(op), busy, proc["starved"],
                                proc["blocked"], _peak_maps(op, name, proc, fifos)))
    return rows


def _peak_maps(op: Operation, name: str, proc: dict[str, Any],
               fifos: list[dict[str, Any]]) -> float | None:
    """A condbuffer's peak occupancy in feature maps: its map FIFO's peak fill over the words
    of one map per lane (or the peak count the layer recorded itself)."""
    if not isinstance(op, CondBufferOp):
        return None
    queues = [f for f in fifos if f["writer"] == f"{name}.write"]
    if not queues:
        return float(proc["peak"]) if proc["peak"] >= 0 else None
    c, h, w = chw(op.input.type)
    words = c * h * w / op.current_fold_value().coarse
    return max(f["peak"] for f in queues) / words


def steady_window(samples: list[list[int]]) -> list[list[int]]:
    """The `[id, in, out]` rows of the second half of the samples by admission cycle (all
    of them below 4 samples): the steady-state window of the throughput."""
    rows = sorted(samples, key=lambda s: (s[1], s[0]))
    return rows if len(rows) < 4 else rows[len(rows) // 2:]


def analyse(raw: dict[str, Any], module: ModuleOp, *, clock_mhz: float,
            throughput_model: float | None) -> TimedReport:
    """The figures of a raw report on the design `module` (the project's `model.mlir`)."""
    samples = raw["samples"]
    ins = [s[1] for s in samples]
    outs = [s[2] for s in samples if s[2] > 0 or len(samples) == 1]
    n = len(samples)
    hz = clock_mhz * 1e6
    throughput = throughput_batch = latency = None
    window = steady_window(samples)
    if raw["deadlock"] is None and len(window) >= 2:
        first, last = window[0][1], window[-1][1]
        if last > first:
            throughput = (len(window) - 1) / (last - first) * hz
    if raw["deadlock"] is None and outs and max(outs) > min(ins):
        throughput_batch = n / (max(outs) - min(ins)) * hz
        latency = min(outs) - ins[0]
    processes = _merge_batches(raw["processes"])
    leaves = [p for p in processes if not p["region"]]
    return TimedReport(
        clock_mhz=clock_mhz, cycles=raw["cycles"], samples=n, throughput=throughput,
        throughput_batch=throughput_batch, throughput_model=throughput_model,
        latency_cycles=latency, deadlock=raw["deadlock"],
        layers=layer_rows(module, leaves, raw["fifos"]),
        processes=leaves, fifos=raw["fifos"],
        settings={k: raw[k] for k in ("fifo_depth", "stall", "seed")},
        window=[s[0] for s in window])


def lower_bound_cycles(op: Operation) -> float | None:
    """Cycles per sample no implementation of `op` at its fold can beat: every input word
    read on its lanes, every multiply on its multipliers (conv and linear)."""
    if not isinstance(op, HardwareOp):
        return None
    fold = op.current_fold_value()
    operand = op.operands[0].type
    c, h, w = chw(operand)
    lanes = max(fold.coarse_in if op.name in ("ee.conv", "ee.linear") else fold.coarse, 1)
    bound = c * h * w / lanes
    if op.name == "ee.conv":
        out_c, out_h, out_w = chw(op.results[0].type)
        kh, kw = op.kernel_shape  # type: ignore[attr-defined]
        groups = op.groups.value.data  # type: ignore[attr-defined]
        macs = out_c * out_h * out_w * (c // groups) * kh * kw
        bound = max(bound, macs / (fold.coarse_in * fold.coarse_out * fold.fine))
    elif op.name == "ee.linear":
        n_in, n_out = op.features  # type: ignore[attr-defined]
        bound = max(bound, n_in * n_out / (fold.coarse_in * fold.coarse_out))
    return bound
