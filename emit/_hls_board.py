"""`tb/board.cpp`: the per-layer IP tops chained as the block design chains them.

What goes to the FPGA is not `<model>_top` but one IP per layer (`hls/layers/<layer>_top.cpp`,
AXI-Stream per lane, each a DATAFLOW of `from_axis`, the layer, `to_axis`) connected by
`axis_data_fifo`s of the IR's `fifo_depths` (what `-t vivado-tcl` writes). `<model>_board(in, out[, exit_index])` has the top's signature and builds
exactly that chain: the same stream names as the top (`emit/_hls_streams.py`), every stream
an AXI-Stream at the block design's depth, every layer a call of its IP top, and the DMA's
side (library words <-> AXI-Stream beats) at the edges. The testbench runs it instead of the
top when built with `-DEECC_BOARD` (`eecc csim --board`), so the timed C simulation measures
the board's design.
"""

from __future__ import annotations

from xdsl.ir import Operation

from eecc.emit._hls_layers import LayerCode
from eecc.emit._hls_streams import StreamPlan
from eecc.emit._hls_top import process_calls
from eecc.emit.naming import top_name
from eecc.passes._fifo_depths import MIN_FIFO_DEPTH

AXIS = "hls::stream<eecc::axis_word>"
WORD = "hls::stream<eecc::word>"


def _args(code: LayerCode, ports: dict[str, str]) -> list[str]:
    """The IP top's arguments, in its parameter order (`emit/_hls_ip.py`)."""
    args = []
    for port in code.ports:
        expr = ports[port.role]
        if port.count > 1:
            args += [f"{expr}[{i}]" for i in range(port.count)]
        elif port.ctrl and port.lanes > 1:
            args += [f"{expr}[{k}]" for k in range(port.lanes)]
        else:
            args.append(expr)
    return args


def board_cpp(model: str, names: dict[Operation, str], codes: dict[Operation, LayerCode],
              plan: StreamPlan, in_lanes: int, out_lanes: int, exits: bool) -> str:
    """The text of `tb/board.cpp`."""
    index = f", {WORD} &exit_w" if exits else ""
    decls = []
    edges = [("in", f"[{in_lanes}]"), ("out", f"[{out_lanes}]")]
    edges += [("exit_index", "")] if exits else []
    for name, dims in edges:
        decls += [f"    {AXIS} {name}{dims};", f"    EECC_STREAM({name}, {MIN_FIFO_DEPTH});"]
    for name, depth in plan.depths.items():
        decls += [f"    {AXIS} {name}{plan.dims[name]};",
                  f"    EECC_STREAM({name}, {depth});"]
    processes = process_calls("dma.mm2s", [f"eecc::to_axis<{in_lanes}>(in_w, in);"], named=False)
    for op, name in names.items():
        processes += process_calls(
            name, [f"{top_name(name)}({', '.join(_args(codes[op], plan.ports[op]))});"])
    outs = [f"eecc::from_axis<{out_lanes}>(out, out_w);"]
    outs += ["eecc::from_axis<1>(&exit_index, &exit_w);"] if exits else []
    processes += process_calls("dma.s2mm", outs, named=False)
    includes = [f'#include "../hls/layers/{name}_top.cpp"' for name in names.values()]
    lines = [f"// {model}_board: the per-layer IP tops chained as the block design chains them "
             "(emit/_hls_board.py).", *includes, "",
             f"void {model}_board({WORD} in_w[{in_lanes}], {WORD} out_w[{out_lanes}]{index}) {{",
             "#pragma HLS DATAFLOW", *decls, "    EECC_DATAFLOW_BEGIN();", *processes,
             "    EECC_DATAFLOW_END();", "}"]
    return "\n".join(lines) + "\n"
