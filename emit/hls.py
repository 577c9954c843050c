"""`-t hls`: a legalised `ee` network as Vivado HLS C++ over eecc's HLS library.

The emitter only prints (run `--ee-legalize-hls` first). Per op: a config struct derived
from the library's base config (`emit/_hls_layers.py`), raw-bit weight tables
(`emit/_hls_tables.py`) and one call. The project (`emit_hls_project`) is:

    hls/<model>_config.h        config structs (includes the library)
    hls/<model>_weights.h       weights, biases, exponential tables as raw integers
    hls/<model>_top.h           the top function's prototype and I/O constants
    hls/<model>_top.cpp         the top DATAFLOW function: every call in topological order
    hls/layers/<layer>_top.cpp  one IP per layer, AXI-Stream per lane
    tb/testbench.cpp            C simulation: inputs from a file, outputs to a file
    tb/board.cpp                the layer IPs chained as the block design chains them

`HlsTarget` prints every file, sorted by path, each after a line `// ===== <path> =====`.
Each call carries a trace comment: op, source location, stage, rate and fold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

from xdsl.context import Context
from xdsl.dialects.builtin import FileLineColLoc, FloatAttr, ModuleOp, StringAttr
from xdsl.ir import Operation
from xdsl.utils.target import Target

from eecc.dialects.ee import ExitMergeOp, FixedType, GraphOp, StageOp, StreamType
from eecc.dialects.ee.exit_structure import producer
from eecc.emit._hls_board import board_cpp
from eecc.emit._hls_carry import EMITTERS as CARRY_EMITTERS
from eecc.emit._hls_ip import ip_top
from eecc.emit._hls_layers import EMITTERS, Env, LayerCode
from eecc.emit._hls_streams import StreamPlan
from eecc.emit._hls_tables import Tables
from eecc.emit._hls_testbench import testbench
from eecc.emit._hls_top import top_files
from eecc.emit.naming import layer_names
from eecc.errors import EeccError
from eecc.fixedpoint import FixedFormat

__all__ = ["HlsTarget", "emit_hls_project", "trace_comment"]

MAX_BATCH = 0xFFFF
"""Sample IDs are 16 bits and 0xFFFF marks the end token."""


def _graph(module: ModuleOp) -> GraphOp:
    graphs = [op for op in module.walk() if isinstance(op, GraphOp)]
    if len(graphs) != 1:
        raise EeccError(f"-t hls: expected one 'ee.graph', found {len(graphs)}")
    return graphs[0]


def _formats(graph: GraphOp) -> tuple[FixedFormat, FixedFormat]:
    arg = graph.body.block.args[0].type if len(graph.body.block.args) == 1 else None
    element = arg.element_type if isinstance(arg, StreamType) else None
    weight = graph.attributes.get("weight_type")
    if not isinstance(element, FixedType) or not isinstance(weight, FixedType):
        raise EeccError(f"-t hls: 'ee.graph' @{graph.sym_name.data} is not legalised for "
                        "HLS (float streams or no weight_type); run --ee-legalize-hls first")
    return (FixedFormat(element.width.data, element.int_bits.data),
            FixedFormat(weight.width.data, weight.int_bits.data))


def word_width(graph: GraphOp) -> int:
    """`EECC_DATA_WIDTH`: the widest stream format of the graph (a word's data field)."""
    widths = [v.type.element_type.width.data for op in graph.walk() for v in op.results
              if isinstance(v.type, StreamType) and isinstance(v.type.element_type, FixedType)]
    arg = graph.body.block.args[0].type
    assert isinstance(arg, StreamType) and isinstance(arg.element_type, FixedType)
    return max([arg.element_type.width.data, *widths])


def _location(op: Operation, graph: GraphOp) -> str | None:
    loc = op.location
    text = getattr(getattr(loc, "desc", None), "data", None)
    if text is None and isinstance(loc, FileLineColLoc):
        text = f"{loc.filename.data}:{loc.line.data}"
    source = graph.attributes.get("source") or graph.attributes.get("ee.source")
    if text is not None and isinstance(source, StringAttr):
        text = f"{source.data.rsplit('/', 1)[-1]}:{text}"
    return text


def trace_comment(op: Operation, graph: GraphOp, fold: dict[str, int]) -> str:
    """`// ee.conv @ blenet.onnx:/trunk/0/0/Conv; stage=0; rate=0.25; fold=coarse_in=1,...`"""
    parts = [op.name]
    where = _location(op, graph)
    if where:
        parts[0] += f" @ {where}"
    stage = op.parent_op()
    if isinstance(stage, StageOp):
        parts.append(f"stage={stage.index.value.data}")
    rate = op.properties.get("rate") or (stage.properties.get("rate")
                                         if isinstance(stage, StageOp) else None)
    if rate is not None:
        assert isinstance(rate, FloatAttr)
        parts.append(f"rate={rate.value.data:g}")
    parts.append("fold=" + ",".join(f"{k}={v}" for k, v in fold.items()))
    return "// " + "; ".join(parts)


def _code(op: Operation, name: str, env: Env) -> LayerCode:
    emitter = (CARRY_EMITTERS.get(type(op)) if env.exit_of else None) or EMITTERS.get(type(op))
    if emitter is None:
        where = f" at {op.location.desc.data}" if hasattr(op.location, "desc") else ""
        raise EeccError(f"-t hls: '{op.name}'{where} is not supported by the HLS library "
                        f"(supported: {', '.join(sorted(c.name for c in EMITTERS))})")
    return emitter(op, name, env)


def emit_hls_project(module: ModuleOp, *, model_name: str = "model",
                     batch: int = 1024) -> dict[str, str]:
    """Every file of the HLS project of `module`'s network: relative path -> text."""
    if not 1 <= batch <= MAX_BATCH:
        raise EeccError(f"-t hls: batch {batch} is outside [1, {MAX_BATCH}] (16-bit sample IDs)")
    graph = _graph(module)
    data, weight = _formats(graph)
    names = layer_names(graph)
    exit_of = carry_units(graph)
    fanout = {op: sum(1 for r in names if getattr(r, "control", None) == op.results[0]
                      and r not in exit_of)
              for op in names if op.name == "ee.exit_decision"}
    env = Env(Tables(weight, data), word_width(graph), fanout, exit_of)
    codes = {op: _code(op, name, env) for op, name in names.items()}
    plan = StreamPlan(graph, names, codes, exit_of)
    traces = {op: trace_comment(op, graph, codes[op].fold) for op in names}
    files, io = top_files(model_name, graph, names, codes, plan, traces, env, batch)
    files["tb/testbench.cpp"] = testbench(model_name, batch=batch, **io)
    if exit_of:  # the carry streams have no AXI-Stream form: no per-layer IPs (docs)
        return files
    for op, name in names.items():
        files[f"hls/layers/{name}_top.cpp"] = ip_top(name, codes[op], model_name, traces[op])
    files["tb/board.cpp"] = board_cpp(model_name, names, codes, plan, io["in_lanes"],
                                      io["out_lanes"], io["has_exits"])
    return files


def carry_units(graph: GraphOp) -> dict[Operation, int]:
    """Under the most-confident policy: each exit's pass-on-exit buffer -> the exit's index
    (its carry unit, emit/_hls_carry.py); empty under first-confident."""
    merges = [op for op in graph.ops() if isinstance(op, ExitMergeOp)]
    if not merges or merges[0].exit_policy != "most-confident":
        return {}
    return {producer(v): i for i, v in enumerate(merges[0].inputs[:-1])}  # type: ignore[misc]


@dataclass(frozen=True)
class HlsTarget(Target):
    """Print the HLS project of a legalised `ee` network (every file after its path)."""

    name = "hls"

    def emit(self, ctx: Context, module: ModuleOp, output: IO[str]) -> None:
        files = emit_hls_project(module)
        for path in sorted(files):
            output.write(f"// ===== {path} =====\n{files[path]}")
