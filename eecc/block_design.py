"""The block design a network's folds build, and its shell's price (`eecc.cost.shell`).

The shell's design-dependent part (a FIFO per stream link, a wrapper per IP port, the DMA's
lane adapters) is counted on the very design `-t vivado-tcl` emits: the graph is cloned,
given the folds (and condbuffer depths) to price, legalised (`--ee-legalize-hls`: repacks,
FIFO depths) and turned into `emit/_tcl_graph.py`'s `Design`. The IR itself is not
touched, so the price is the same before and after `--ee-legalize-hls` (which is
idempotent on the clone). A network the HLS flow cannot build gets the fixed IPs only and
a note saying why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from eecc.cost.fold import Fold
from eecc.cost.shell import ShellEstimate, fixed_only, shell_estimate
from eecc.dialects.ee.control import CondBufferOp
from eecc.dialects.ee.hardware import hardware_ops
from eecc.dialects.ee.structure import GraphOp
from eecc.dialects.ee.types import FixedType
from eecc.emit._tcl_graph import Design, build_design
from eecc.errors import EeccError
from eecc.passes.ee_legalize_hls import EeLegalizeHlsPass, LegalizeError

FORMAT = FixedType(16, 8)  # the formats do not change links, ports or depths


def network_design(graph: GraphOp, folds: Sequence[Fold] | None = None,
                   depths: Mapping[int, int] | None = None) -> Design:
    """The block design of `graph` at `folds` (one per `hardware_ops(graph)` entry; default
    the IR's) and condbuffer `depths` (hardware op index -> maps; default the IR's)."""
    clone = graph.clone()
    ops = hardware_ops(clone)
    for op, fold in zip(ops, folds or (), strict=False):
        op.set_fold(fold)
    for index, depth in (depths or {}).items():
        buffer = ops[index]
        assert isinstance(buffer, CondBufferOp)
        buffer.set_depth(depth)
    EeLegalizeHlsPass().legalize(clone, FORMAT, FORMAT)
    return build_design(clone)


def design_shell(design: Design) -> ShellEstimate:
    """The shell of a block design: its links' FIFOs, its IPs' ports, its DMA lanes."""
    ports = [p for k in design.links for p in (k.src_port, k.dst_port)]
    ports += [p for _, p in (*design.dma_in, *design.dma_out, *design.discard)]
    ctrl = sum(p.startswith("ctrl") for p in ports)
    return shell_estimate([k.depth for k in design.links], len(ports) - ctrl, ctrl,
                          len(design.dma_in), len(design.dma_out))


def network_shell(graph: GraphOp, folds: Sequence[Fold] | None = None,
                  depths: Mapping[int, int] | None = None) -> ShellEstimate:
    """The shell of `graph`'s block design at `folds` and `depths` (`network_design`)."""
    try:
        return design_shell(network_design(graph, folds, depths))
    except (EeccError, LegalizeError) as err:
        return fixed_only(f"the block design cannot be built ({err}): fixed IPs only")
