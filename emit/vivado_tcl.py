"""`-t vivado-tcl`: the Vivado project of a legalised network, as data + static scripts.

`emit_tcl_project(module, platform)` returns the files (OUTDIR-relative path -> text):

- `tcl/project.tcl`: generated data only (part, board, clock, layer IPs with their HLS
  tops and sources, stream connections lane by lane, FIFO depths, DMA attachment), then
  `source flow.tcl`;
- `tcl/flow.tcl`, `tcl/build_hls.tcl`, `tcl/hls_layer.tcl`, `tcl/block_design.tcl`: the
  static flow, copied from `eecc.emit/tcl/`;
- `host/main.c`, `host/model_params.h`: the bare-metal host program (`eecc.emit.host`).

The target prints them all, sorted by path, each after a `# ===== <path> =====` line:

    eecc-opt model.mlir -p ee-legalize-hls -t 'vivado-tcl{platform="zc706" batch=1024}'

Input: an `ee.graph` after `--ee-legalize-hls` (the lanes of every producer and consumer
agree; a mismatch is an error that says so). Layer IP names are the HLS emitter's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import IO

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.utils.target import Target

from eecc.cost.platform import Platform, PlatformError, load_platform
from eecc.emit._tcl_data import STATIC_SCRIPTS, project_tcl, static_script
from eecc.emit._tcl_graph import build_design
from eecc.emit.host import host_files
from eecc.errors import EeccError
from eecc.network import find_graph

DEFAULT_BATCH = 1024


def model_identifier(name: str) -> str:
    """A Tcl/C/Vivado-safe project name from the graph's symbol."""
    ident = re.sub(r"[^A-Za-z0-9_]", "_", name)
    return ident if ident[:1].isalpha() else f"m_{ident}"


def emit_tcl_project(module: ModuleOp, platform: Platform, *,
                     batch: int = DEFAULT_BATCH) -> dict[str, str]:
    """Every file of the Vivado flow and the host program, by OUTDIR-relative path."""
    graph = find_graph(module)
    model = model_identifier(graph.sym_name.data)
    design = build_design(graph)
    files = {"tcl/project.tcl": project_tcl(model, design, platform)}
    files.update({f"tcl/{name}": static_script(name) for name in STATIC_SCRIPTS})
    files.update(host_files(graph, design, platform, model, batch))
    return files


def print_files(files: dict[str, str], output: IO[str]) -> None:
    """All files, sorted by path, each after a `# ===== <path> =====` line."""
    for path in sorted(files):
        output.write(f"# ===== {path} =====\n")
        output.write(files[path])
        if not files[path].endswith("\n"):
            output.write("\n")


@dataclass(frozen=True)
class VivadoTclTarget(Target):
    """Vivado HLS / Vivado TCL (data + static flow) and host code of a legalised network."""

    name = "vivado-tcl"
    platform: str = "zc706"
    batch: int = DEFAULT_BATCH

    def emit(self, ctx: Context, module: ModuleOp, output: IO[str]) -> None:
        try:
            platform = load_platform(self.platform)
        except PlatformError as err:
            raise EeccError(str(err)) from None
        if self.batch < 1:
            raise EeccError(f"vivado-tcl batch={self.batch} must be at least 1")
        print_files(emit_tcl_project(module, platform, batch=self.batch), output)
