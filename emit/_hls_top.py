"""The network-level files of an HLS project: config, weights, top header and DATAFLOW top.

`<model>_top(in[IN_LANES], out[OUT_LANES][, exit_index])` runs the whole network: the graph
input arrives on `in` (word k of a sample on lane k % IN_LANES, then an end token per lane),
the results leave on `out`, and, when the network has exits, `exit_index` carries one word
`{id, exit}` per sample (the merge input it came from), then an end token.
"""

from __future__ import annotations

from xdsl.ir import Operation

from eecc.dialects.ee import ExitMergeOp, GraphOp, StreamType
from eecc.emit._hls_layers import Env, LayerCode
from eecc.emit._hls_streams import StreamPlan

WORD = "hls::stream<eecc::word>"


def _guard(model: str, what: str) -> str:
    return f"{model}_{what}_H".upper()


def config_header(model: str, codes: dict[Operation, LayerCode], data_width: int) -> str:
    guard = _guard(model, "config")
    width = f"#define EECC_DATA_WIDTH {data_width}\n" if data_width != 16 else ""
    structs = "\n".join(c.config for c in codes.values() if c.config)
    return (f"// {model}: one config struct per layer (docs/hls-library.md).\n"
            f"#ifndef {guard}\n#define {guard}\n\n{width}#include \"eecc/eecc.h\"\n\n"
            f"{structs}\n#endif  // {guard}\n")


def weights_header(model: str, env: Env) -> str:
    """Synthesis sees the initialisers; the C simulation (`-DEECC_WEIGHT_FILES`) plain arrays
    and `<model>_load_weights` reading `hls/<model>_weights.txt` (emit/_hls_tables.py)."""
    guard = _guard(model, "weights")
    tables = env.tables
    return (f"// {model}: weights and biases as raw integers (docs/numerics.md), exp tables.\n"
            f"#ifndef {guard}\n#define {guard}\n\n"
            "#if defined(EECC_WEIGHT_FILES) && !defined(__SYNTHESIS__)\n"
            f"// C simulation: the tables come from hls/{model}_weights.txt at start-up.\n"
            f"#include \"eecc/weights.h\"\n\n{tables.declarations()}\n"
            f"{tables.loader(f'{model}_load_weights')}"
            "#else  // synthesis: ROM initialisers\n\n"
            f"{tables.text()}\n#endif\n#endif  // {guard}\n")


def process_calls(name: str, lines: list[str], *, named: bool = True) -> list[str]:
    """Each call as one process of the DATAFLOW region (`EECC_PROCESS`), named `name` (the
    layer) for the first call when `named`, `<name>.<function>[.<k>]` otherwise."""
    out, seen = [], set()
    for k, line in enumerate(lines):
        call = line.strip().removesuffix(";")
        function = call.split("(", 1)[0].split("<", 1)[0].removeprefix("eecc::")
        process = name if k == 0 and named else f"{name}.{function}"
        if process in seen:
            process = f"{process}.{k}"
        seen.add(process)
        out.append(f'    EECC_PROCESS("{process}", {call});')
    return out


def _port_lanes(plan: StreamPlan, codes: dict[Operation, LayerCode], expr: str) -> int:
    for op, ports in plan.ports.items():
        for port in codes[op].ports:
            if ports.get(port.role) == expr:
                return port.lanes
    raise AssertionError(f"no port reads or writes '{expr}'")


def _signature(model: str, in_lanes: int, out_lanes: int, exits: bool) -> str:
    index = f", {WORD} &exit_index" if exits else ""
    return f"void {model}_top({WORD} in[{in_lanes}], {WORD} out[{out_lanes}]{index})"


def top_files(model: str, graph: GraphOp, names: dict[Operation, str],
              codes: dict[Operation, LayerCode], plan: StreamPlan, traces: dict[Operation, str],
              env: Env, batch: int) -> tuple[dict[str, str], dict[str, object]]:
    """The network-level files and the I/O facts the testbench needs."""
    in_lanes, out_lanes = _port_lanes(plan, codes, "in"), _port_lanes(plan, codes, "out")
    merges = [op for op in names if isinstance(op, ExitMergeOp)]
    signature = _signature(model, in_lanes, out_lanes, bool(merges))
    arg, result = graph.body.block.args[0].type, graph.function_type.outputs.data[0]
    assert isinstance(arg, StreamType) and isinstance(result, StreamType)
    guard = _guard(model, "top")
    header = (f"// {model}: the top function of the whole network (C simulation, host).\n"
              f"#ifndef {guard}\n#define {guard}\n\n#include \"{model}_config.h\"\n\n"
              f"static const unsigned {model}_batch = {batch};  // samples per call at most\n"
              f"static const unsigned {model}_in_lanes = {in_lanes}, {model}_out_lanes = "
              f"{out_lanes};\nstatic const unsigned {model}_in_words = {arg.num_elements}, "
              f"{model}_out_words = {result.num_elements};\n\n{signature};\n"
              f"#if defined(EECC_WEIGHT_FILES) && !defined(__SYNTHESIS__)\n"
              f"int {model}_load_weights(const char *path);  // {model}_weights.h\n#endif\n"
              f"\n#endif  // {guard}\n")
    calls: list[str] = ["    EECC_DATAFLOW_BEGIN();"]
    for op in names:
        calls += ["", f"    {traces[op]}"]
        calls += process_calls(names[op], codes[op].call(plan.ports[op]))
    calls += ["    EECC_DATAFLOW_END();"]
    body = "\n".join(["#pragma HLS DATAFLOW", *plan.decls, *calls])
    top = (f"// {model}: every layer in topological order in one DATAFLOW region.\n"
           f"#include \"{model}_top.h\"\n#include \"{model}_weights.h\"\n\n"
           f"{signature} {{\n{body}\n}}\n")
    files = {
        f"hls/{model}_config.h": config_header(model, codes, env.word_width),
        f"hls/{model}_weights.h": weights_header(model, env),
        f"hls/{model}_weights.txt": env.tables.file_text(model),
        f"hls/{model}_top.h": header,
        f"hls/{model}_top.cpp": top,
    }
    n_exits = len(merges[0].inputs) if merges else 1
    io = {"in_words": arg.num_elements, "out_words": result.num_elements,
          "in_lanes": in_lanes, "out_lanes": out_lanes, "has_exits": bool(merges),
          "n_exits": n_exits}
    return files, io
