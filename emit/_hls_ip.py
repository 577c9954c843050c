"""Per-layer IP tops: one AXI-Stream interface per lane around one library call.

`<layer>_top` converts each AXI-Stream port to library streams (`eecc::from_axis`,
`eecc::ctrl_from_axis`), makes the layer's call and converts its outputs back
(`eecc::to_axis`, `eecc::ctrl_to_axis`), as one DATAFLOW region with `ap_ctrl_none`, so the
block design can chain layer IPs with AXI-Stream FIFOs. Ports are named by role: `in`,
`in_b`, `out` (`out0`, `out1`, ... for a split, `in0`, ... for a merge), `ctrl`
(`ctrl0`, ... when an exit decision feeds several condbuffers) and `exit_index`.
"""

from __future__ import annotations

from eecc.emit._hls_layers import LayerCode, Port
from eecc.emit._hls_top import process_calls
from eecc.emit.naming import top_name

AXIS = "hls::stream<eecc::axis_word>"
IP_FIFO_DEPTH = 16
"""Streams inside a layer IP: `config_dataflow -fifo_depth 16` of `tcl/hls_layer.tcl`."""


def _groups(port: Port) -> list[tuple[str, str]]:
    """(AXI-Stream parameter, local stream expression) per lane group of `port`."""
    local = f"{port.role}_s"
    if port.count > 1:
        return [(f"{port.role}{i}", f"{local}[{i}]") for i in range(port.count)]
    if port.ctrl and port.lanes > 1:
        return [(f"{port.role}{k}", f"{local}[{k}]") for k in range(port.lanes)]
    return [(port.role, local)]


def _param(port: Port, axis: str) -> str:
    if port.lanes == 0 or port.ctrl:
        return f"{AXIS} &{axis}"
    return f"{AXIS} {axis}[{port.lanes}]"


def _local(port: Port) -> str:
    local = f"{port.role}_s"
    if port.ctrl:
        dims = f"[{port.lanes}]" if port.lanes > 1 else ""
        return f"    hls::stream<eecc::ctrl_word> {local}{dims};"
    lanes = max(port.lanes, 1)
    dims = f"[{port.count}][{lanes}]" if port.count > 1 else f"[{lanes}]"
    return f"    hls::stream<eecc::word> {local}{dims};"


def _convert(port: Port, axis: str, local: str) -> str:
    if port.ctrl:
        fn = "ctrl_to_axis" if port.output else "ctrl_from_axis"
        return f"    eecc::{fn}({local}, {axis});" if port.output else \
            f"    eecc::{fn}({axis}, {local});"
    if port.lanes == 0:
        return f"    eecc::to_axis<1>({local}, &{axis});"
    fn = "to_axis" if port.output else "from_axis"
    src, dst = (local, axis) if port.output else (axis, local)
    return f"    eecc::{fn}<{port.lanes}>({src}, {dst});"


def ip_top(name: str, code: LayerCode, model_name: str, trace: str) -> str:
    """The text of `hls/layers/<name>_top.cpp`."""
    params: list[str] = []
    pragmas: list[str] = []
    locals_: list[str] = []
    before: list[str] = []
    after: list[str] = []
    exprs: dict[str, str] = {}
    for port in code.ports:
        locals_.append(_local(port))
        exprs[port.role] = f"{port.role}_s" if port.lanes or port.ctrl else f"{port.role}_s[0]"
        for axis, local in _groups(port):
            params.append(_param(port, axis))
            pragmas.append(f"#pragma HLS INTERFACE axis port={axis}")
            (after if port.output else before).append(_convert(port, axis, local))
    if any(p.ctrl and p.output and p.lanes > 1 for p in code.ports):
        locals_.append("    hls::stream<eecc::ctrl_word> decision_s;")
        exprs["decision"] = "decision_s"
    depths = [f"    EECC_STREAM({line.split()[-1].split('[')[0].rstrip(';')}, "
              f"{IP_FIFO_DEPTH});" for line in locals_]
    call = process_calls(name, code.call(exprs))
    head = f"void {top_name(name)}({', '.join(params)}) {{"
    body = [*pragmas, "#pragma HLS INTERFACE ap_ctrl_none port=return", "#pragma HLS DATAFLOW",
            *locals_, *depths, "    EECC_DATAFLOW_BEGIN();",
            *process_calls(name, before, named=False), f"    {trace}", *call,
            *process_calls(name, after, named=False), "    EECC_DATAFLOW_END();"]
    return (f"// {top_name(name)}: the IP of one layer, AXI-Stream per lane.\n"
            f'#include "../{model_name}_config.h"\n#include "../{model_name}_weights.h"\n\n'
            + head + "\n" + "\n".join(body) + "\n}\n")
