"""`-t report` and `-t report-json`: the cost model's estimate of a network, per stage and op.

Both read the network as the passes left it (folds, rates, condbuffer depths) and the
platform, batch and queue model that `--ee-estimate` wrote on the graph (`ee.platform`,
`ee.batch`, `ee.queue`; zc706, 1024 and finite when absent; the target options
`-t report{platform=vu440 batch=256}` override them), and print `eecc.network`'s estimate:

- `report`: a table a person reads: stages (rate, interval, depth, throughput, resources,
  bottleneck), ops (name, op, stage, rate, fold, latency, depth, LUT/FF/DSP/BRAM; `*` marks
  each stage's bottleneck), the shell around the accelerator (eecc.cost.shell: PS7, DMA,
  interconnects, reset, a FIFO per stream link, a wrapper per IP port), totals (accelerator,
  shell, both) against the platform with percentages, and the network throughput under
  both queue models;
- `report-json`: the same numbers as JSON with sorted keys and fixed rounding, so the same
  IR gives the same bytes; `resources` is the accelerator's, `shell` the shell's (with its
  parts), `total_resources` and `total_share` both against the platform; `fold_exact` is false when `--fold` hit a point or state cap
  (the graph's `ee.exact = false`): the folds are then near-optimal, not proven.

An op's name is its location (the ONNX node name) or `<kind>_<n>` counted per kind in
topological order (`conv_0`, `condbuffer_1`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import IO, Any

from xdsl.context import Context
from xdsl.dialects.builtin import IntegerAttr, ModuleOp, StringAttr
from xdsl.utils.target import Target

from eecc.cost.fold import Fold
from eecc.cost.platform import RESOURCE_KINDS, Resources, load_platform
from eecc.cost.shell import FIXED_IPS
from eecc.network import NetworkEstimate, estimate_network, find_graph


def _graph_options(module: ModuleOp, platform: str | None, batch: int | None) -> tuple[str, int]:
    attrs = find_graph(module).attributes
    saved_platform, saved_batch = attrs.get("ee.platform"), attrs.get("ee.batch")
    if platform is None:
        platform = saved_platform.data if isinstance(saved_platform, StringAttr) else "zc706"
    if batch is None:
        batch = saved_batch.value.data if isinstance(saved_batch, IntegerAttr) else 1024
    return platform, batch


def estimate(module: ModuleOp, platform: str | None, batch: int | None) -> NetworkEstimate:
    name, size = _graph_options(module, platform, batch)
    return estimate_network(module, load_platform(name), size)


def fold_text(fold: Fold) -> str:
    items = [f"{k}={v}" for k, v in vars(fold).items() if v != 1]
    return ",".join(items) or "-"


def _num(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"


def _res(r: Resources) -> list[str]:
    return [_num(getattr(r, k)) for k in RESOURCE_KINDS]


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    return ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
            for row in [header, *rows]]


def stage_lines(e: NetworkEstimate) -> list[str]:
    header = ["stage", "rate", "interval", "depth", "samples/s", "LUT", "FF", "DSP", "BRAM",
              "bottleneck"]
    rows = [[str(s.index), f"{s.rate:.4f}", _num(s.interval_cycles), _num(s.depth_cycles),
             f"{s.throughput:.1f}", *_res(s.resources), s.bottleneck] for s in e.stages]
    return _table(header, rows)


def op_lines(e: NetworkEstimate) -> list[str]:
    worst = {s.index: s.bottleneck for s in e.stages}
    header = ["op", "kind", "stage", "rate", "fold", "latency", "depth", "LUT", "FF", "DSP",
              "BRAM"]
    rows = [[o.name + (" *" if worst[o.stage] == o.name else ""), o.kind, str(o.stage),
             f"{o.rate:.4f}", fold_text(o.fold), _num(o.latency_cycles), str(o.depth_cycles),
             *_res(o.resources)] for o in e.ops]
    return _table(header, rows)


def total_lines(e: NetworkEstimate) -> list[str]:
    total, shell = e.total, e.shell.total if e.shell else Resources()
    share = total.fraction(e.platform)
    cap = e.platform.capacity()
    rows = [[k.upper(), _num(getattr(e.resources, k)), _num(getattr(shell, k)),
             _num(getattr(total, k)), _num(getattr(cap, k)), f"{100 * share[k]:.2f}%"]
            for k in RESOURCE_KINDS]
    return _table(["resource", "accelerator", "shell", "total", "available", "share"], rows)


def shell_lines(e: NetworkEstimate) -> list[str]:
    """The shell's parts (eecc.cost.shell): fixed IPs, link FIFOs, port wrappers, adapters."""
    if e.shell is None:
        return []
    sh = e.shell
    rows = [[ip.name, *_res(ip.resources), ip.rule] for ip in FIXED_IPS]
    rows += [[f"{sh.links} axis_data_fifo", *_res(sh.fifos), "one per stream link and lane"],
             [f"{sh.ports} port wrappers", *_res(sh.wrappers), "one per AXI-Stream port"],
             ["dma lane adapters", *_res(sh.adapters), "with more than one DMA lane"]]
    note = [f"note: {sh.note}"] if sh.note else []
    return ["", "shell (block design around the accelerator; rules in eecc/cost/shell.py)",
            *_table(["part", "LUT", "FF", "DSP", "BRAM", "rule"], rows), *note]


def text_report(e: NetworkEstimate) -> str:
    p = e.platform
    queues = ", ".join(str(q) for q in e.queue_depths) or "none"
    lines = [f"platform {p.name} ({p.part}), {e.clock_mhz:g} MHz, batch {e.batch}", "",
             "stages (interval and depth in cycles; bottleneck = slowest op)",
             *stage_lines(e), "", "ops (latency in cycles per feature map; * = stage bottleneck)",
             *op_lines(e), *_repack_lines(e), *shell_lines(e), "",
             "total (accelerator + shell vs the platform)", *total_lines(e), "",
             f"throughput, finite condbuffers (event model, depths {queues}{_slack_text(e)}): "
             f"{e.throughput:.1f} samples/s",
             f"throughput, infinite-buffer bound: {e.throughput_infinite:.1f} samples/s"]
    return "\n".join(lines) + "\n"


def _repack_lines(e: NetworkEstimate) -> list[str]:
    if not e.repacks:
        return []
    lut = sum(r.resources.lut for r in e.repacks)
    ff = sum(r.resources.ff for r in e.repacks)
    return ["", f"lane repacks (in the stage totals): {len(e.repacks)}, {_num(lut)} LUT, "
            f"{_num(ff)} FF"]


def _slack_text(e: NetworkEstimate) -> str:
    if not e.slacks:
        return ""
    return "; slack up/down " + ", ".join(f"{u:.2f}/{d:.2f}" for u, d in e.slacks) + " maps"


def _r(value: float, digits: int = 3) -> float | int:
    rounded = round(float(value), digits)
    return int(rounded) if rounded.is_integer() else rounded


def _res_json(r: Resources) -> dict[str, float | int]:
    return {k: _r(getattr(r, k)) for k in RESOURCE_KINDS}


def _shell_json(e: NetworkEstimate) -> dict[str, Any] | None:
    if e.shell is None:
        return None
    sh = e.shell
    return {"resources": _res_json(sh.total), "note": sh.note,
            "fixed": {ip.name: _res_json(ip.resources) for ip in FIXED_IPS},
            "fifos": {"count": sh.links, "resources": _res_json(sh.fifos)},
            "wrappers": {"ports": sh.ports, "resources": _res_json(sh.wrappers)},
            "adapters": _res_json(sh.adapters)}


def fold_exact(module: ModuleOp) -> bool:
    """False when `--fold` hit a point or state cap (the graph's `ee.exact = false`)."""
    attr = find_graph(module).attributes.get("ee.exact")
    return not (isinstance(attr, IntegerAttr) and attr.value.data == 0)


def json_report(e: NetworkEstimate, exact: bool = True) -> dict[str, Any]:
    return {
        "fold_exact": exact, "platform": e.platform.name, "clock_mhz": float(e.clock_mhz), "batch": e.batch,
        "throughput": round(e.throughput, 3),
        "throughput_infinite_buffer": round(e.throughput_infinite, 3),
        "resources": _res_json(e.resources), "queue_depths": list(e.queue_depths),
        "shell": _shell_json(e), "total_resources": _res_json(e.total),
        "total_share": {k: _r(v, 4) for k, v in e.total.fraction(e.platform).items()},
        "queue_slacks": [{"up": _r(u, 4), "down": _r(d, 4)} for u, d in e.slacks],
        "queue_model": "event",
        "repacks": [{"from": r.producer, "to": r.consumer, "stage": r.stage,
                     "lanes": list(r.lanes), "resources": _res_json(r.resources)}
                    for r in e.repacks],
        "stages": [{"index": s.index, "rate": round(s.rate, 6), "interval_cycles": _r(s.interval_cycles),
                    "depth_cycles": _r(s.depth_cycles), "throughput": round(s.throughput, 3),
                    "resources": _res_json(s.resources), "bottleneck": s.bottleneck}
                   for s in e.stages],
        "ops": [{"name": o.name, "op": o.kind, "stage": o.stage, "rate": round(o.rate, 6),
                 "latency_cycles": _r(o.latency_cycles), "depth_cycles": o.depth_cycles,
                 "fold": {k: v for k, v in vars(o.fold).items() if v != 1},
                 "resources": _res_json(o.resources)} for o in e.ops],
    }


@dataclass(frozen=True)
class ReportTarget(Target):
    """A table of the estimate per stage and op, totals and throughput."""

    name = "report"

    platform: str | None = None
    batch: int | None = None

    def emit(self, ctx: Context, module: ModuleOp, output: IO[str]) -> None:
        output.write(text_report(estimate(module, self.platform, self.batch)))


@dataclass(frozen=True)
class ReportJsonTarget(Target):
    """The estimate as deterministic JSON (sorted keys, fixed rounding)."""

    name = "report-json"

    platform: str | None = None
    batch: int | None = None

    def emit(self, ctx: Context, module: ModuleOp, output: IO[str]) -> None:
        data = json_report(estimate(module, self.platform, self.batch), fold_exact(module))
        output.write(json.dumps(data, indent=2, sort_keys=True) + "\n")
