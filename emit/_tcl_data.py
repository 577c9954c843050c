"""`tcl/project.tcl`: the data of one Vivado project, as Tcl `set` commands.

Only values: the part, board and clock of the platform, the layer IPs (instance, HLS top,
source file), the stream connections lane by lane with their FIFO depths, the DMA's
attachment points. The flow itself is the static scripts beside it (`emit/tcl/`), which
`project.tcl` sources last through `flow.tcl`.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources

from eecc.cost.platform import Platform
from eecc.cost.shell import axis_fifo_memory
from eecc.emit._tcl_graph import Design

IP_VENDOR = "eecc"
IP_LIBRARY = "hls"
IP_VERSION = "1.0"
HLS_INCLUDES = ("hls", "hls/include")
DMA_LENGTH_WIDTH = 26  # bits of the DMA's length register: transfers up to 64 MiB
STATIC_SCRIPTS = ("block_design.tcl", "build_hls.tcl", "flow.tcl", "hls_layer.tcl")


def static_script(name: str) -> str:
    """The text of one static flow script shipped in `eecc.emit/tcl/`."""
    return resources.files("eecc.emit").joinpath("tcl", name).read_text()


def _list(rows: Sequence[Sequence[str]] | Sequence[str], indent: str = "    ") -> str:
    """A Tcl list literal, one element per line (rows of words become sub-lists)."""
    if not rows:
        return "{}"
    lines = [indent + (r if isinstance(r, str) else f"{{{' '.join(r)}}}") for r in rows]
    return "{\n" + "\n".join(lines) + "\n}"


def project_tcl(model: str, design: Design, platform: Platform) -> str:
    """The text of `tcl/project.tcl`."""
    period = 1000.0 / platform.clock_mhz
    board = platform.board or "{}"
    layers = [(lay.name, lay.top, lay.source) for lay in design.layers]
    links = [(k.src_ip, k.src_port, k.dst_ip, k.dst_port) for k in design.links]
    depths = [" ".join(str(k.depth) for k in design.links[i:i + 16])
              for i in range(0, len(design.links), 16)]
    memories = [" ".join(axis_fifo_memory(k.depth) for k in design.links[i:i + 16])
                for i in range(0, len(design.links), 16)]
    return "\n".join([
        f"# eecc: Vivado project data of '{model}' for {platform.name} (generated: values only).",
        "# The flow is in the static scripts beside this file, sourced at the end:",
        "#   vivado_hls -f tcl/project.tcl                  one HLS IP per layer (build_hls.tcl)",
        "#   vivado -mode batch -source tcl/project.tcl     block design and bitstream",
        "# Set EECC_STEP=hls|bd|all|none to choose the step instead of the tool.",
        "set eecc_tcl_dir [file dirname [file normalize [info script]]]",
        "set eecc_root [file dirname $eecc_tcl_dir]",
        f"set eecc_model {model}",
        f"set eecc_platform {platform.name}",
        f"set eecc_part {platform.part}",
        f"set eecc_board {board}",
        f"set eecc_clock_mhz {platform.clock_mhz:g}",
        f"set eecc_clock_period {period:.3f}",
        f"set eecc_ip_vendor {IP_VENDOR}",
        f"set eecc_ip_library {IP_LIBRARY}",
        f"set eecc_ip_version {IP_VERSION}",
        f"set eecc_hls_includes {{{' '.join(HLS_INCLUDES)}}}",
        f"set eecc_dma_length_width {DMA_LENGTH_WIDTH}",
        "",
        "# Layer IPs in layer order: {instance hls_top source}",
        f"set eecc_layers {_list(layers)}",
        "",
        "# Stream connections, one per lane: {src_ip src_port dst_ip dst_port}",
        f"set eecc_connections {_list(links)}",
        "# FIFO depth (words) of each connection, in the same order",
        f"set eecc_fifo_depths {_list(depths)}",
        "# Memory of each connection's FIFO (the one eecc.cost.shell prices), same order",
        f"set eecc_fifo_memories {_list(memories)}",
        "",
        "# DMA: MM2S feeds these ports (beat k on lane k % lanes); S2MM reads these",
        f"set eecc_dma_in {_list(list(design.dma_in))}",
        f"set eecc_dma_out {_list(list(design.dma_out))}",
        "# Output streams nobody reads (TREADY tied high): {ip port}",
        f"set eecc_discard {_list(list(design.discard))}",
        "",
        "source [file join $eecc_tcl_dir flow.tcl]",
        "",
    ])
