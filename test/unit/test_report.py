"""`-t report` / `-t report-json`: content, determinism, names, platform from the graph."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

from xdsl.context import Context
from xdsl.dialects.builtin import Builtin, ModuleOp
from xdsl.parser import Parser

from eecc.dialects.ee import EE
from eecc.emit.report import ReportJsonTarget, ReportTarget
from eecc.passes.ee_annotate_rates import EeAnnotateRatesPass
from eecc.passes.ee_estimate import EeEstimatePass
from eecc.passes.ee_partition import EePartitionPass
from eecc.passes.ee_size_buffers import EeSizeBuffersPass

ROOT = Path(__file__).resolve().parents[2]


def compiled(**estimate: object) -> tuple[Context, ModuleOp]:
    ctx = Context()
    ctx.load_dialect(Builtin)
    ctx.load_dialect(EE)
    module = Parser(ctx, (ROOT / "examples/blenet/blenet.mlir").read_text()).parse_module()
    passes = (EePartitionPass(), EeAnnotateRatesPass(p=(0.25,)), EeSizeBuffersPass(),
              EeEstimatePass(**estimate))  # type: ignore[arg-type]
    for p in passes:
        p.apply(ctx, module)
    return ctx, module


def emit(target: object, ctx: Context, module: ModuleOp) -> str:
    out = StringIO()
    target.emit(ctx, module, out)  # type: ignore[attr-defined]
    return out.getvalue()


def test_json_has_the_documented_fields() -> None:
    ctx, module = compiled()
    data = json.loads(emit(ReportJsonTarget(), ctx, module))
    assert {"platform", "clock_mhz", "batch", "throughput", "throughput_infinite_buffer",
            "resources", "stages", "ops"} <= set(data)
    assert set(data["resources"]) == {"lut", "ff", "dsp", "bram"}
    assert [s["rate"] for s in data["stages"]] == [1.0, 0.25]
    assert [s["interval_cycles"] for s in data["stages"]] == [128000, 720000]
    for stage in data["stages"]:
        assert {"index", "rate", "interval_cycles", "throughput", "resources", "bottleneck"} <= set(stage)
    for op in data["ops"]:
        assert {"name", "op", "stage", "rate", "latency_cycles", "fold", "resources"} <= set(op)
    names = [op["name"] for op in data["ops"]]
    assert len(names) == len(set(names))
    assert data["throughput"] <= data["throughput_infinite_buffer"]


def test_json_bytes_are_deterministic() -> None:
    first = emit(ReportJsonTarget(), *compiled())
    second = emit(ReportJsonTarget(), *compiled())
    assert first == second
    assert first == json.dumps(json.loads(first), indent=2, sort_keys=True) + "\n"


def test_platform_and_batch_come_from_the_estimate_pass() -> None:
    ctx, module = compiled(platform="vu440", batch=256)
    data = json.loads(emit(ReportJsonTarget(), ctx, module))
    assert (data["platform"], data["batch"]) == ("vu440", 256)
    data = json.loads(emit(ReportJsonTarget(platform="zc706", batch=64), ctx, module))
    assert (data["platform"], data["batch"]) == ("zc706", 64)


def test_text_report_marks_bottlenecks_and_shares() -> None:
    text = emit(ReportTarget(), *compiled())
    rows = [line.split() for line in text.splitlines()]
    marked = [row[0] for row in rows if len(row) > 1 and row[1] == "*"]
    assert marked == ["conv_0", "conv_3"]
    assert "LUT       27180        3295   30475  218600     13.94%" in text
    assert "infinite-buffer bound: 694.4 samples/s" in text
