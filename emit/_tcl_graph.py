"""The block design of an `ee.graph`: layer IPs, their AXI-Stream ports and connections.

Each hardware op the HLS emitter names (`eecc.emit.naming.layer_names`) is one IP whose
top function is `<name>_top` in `hls/layers/<name>_top.cpp`. A stream travels on one
AXI-Stream per lane, so the IR's edges become connections lane by lane. Port names follow
Vivado HLS's flattening of the tops' stream arguments (`emit/_hls_ip.py` names them by role:
`in`, `in_b`, `out`, `out<k>` of a split, `in<k>` of a merge, `ctrl`, `ctrl<j>`): an
array argument `in[L]` becomes the interfaces `in_0 .. in_<L-1>`, a single stream `ctrl`
keeps its name. An exit decision feeding N > 1 condbuffers has one control port per
consumer, `ctrl0 .. ctrl<N-1>`, in the consumers' layer order. The merge's `exit_index`
output (the exit each sample took) is not used by the DMA design: its TREADY is tied high.

Ops the HLS emitter gives no IP (`ee.flatten`, a re-labelling of the words) are looked
through, as are stage boundaries. The graph's input reaches the first layer from the DMA's
MM2S stream and the graph's output goes to S2MM.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xdsl.ir import BlockArgument, Operation, OpResult, SSAValue

from eecc.dialects.ee import (
    AddOp,
    CondBufferOp,
    ControlType,
    ConvOp,
    ExitMergeOp,
    GraphOp,
    LinearOp,
    OutputOp,
    RepackOp,
    SplitOp,
)
from eecc.emit.naming import layer_names, layer_order
from eecc.errors import EeccError
from eecc.passes._fifo_depths import depth_of


@dataclass(frozen=True)
class Layer:
    """One layer IP: instance name, HLS top function and its source file (OUTDIR-relative)."""

    name: str
    top: str
    source: str


@dataclass(frozen=True)
class Link:
    """One AXI-Stream connection between two layer IP ports, through a FIFO of `depth`."""

    src_ip: str
    src_port: str
    dst_ip: str
    dst_port: str
    depth: int


@dataclass
class Design:
    """Layers, connections and the DMA's attachment points of one network."""

    layers: list[Layer] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    dma_in: list[tuple[str, str]] = field(default_factory=list)  # (ip, port) per lane
    dma_out: list[tuple[str, str]] = field(default_factory=list)
    discard: list[tuple[str, str]] = field(default_factory=list)  # outputs nobody reads


def in_port(op: Operation, index: int, lane: int) -> str:
    """The AXI-Stream interface of operand `index`, lane `lane`, of `op`'s IP."""
    if isinstance(op, CondBufferOp) and index == 1:
        return "ctrl"
    if isinstance(op, ExitMergeOp):
        return f"in{index}_{lane}"
    return f"in_b_{lane}" if isinstance(op, AddOp) and index == 1 else f"in_{lane}"


def out_port(op: Operation, index: int, lane: int, fanout: int) -> str:
    """The interface of result `index`, lane `lane` (consumer `lane` for a control fork)."""
    if isinstance(op.results[index].type, ControlType):
        return f"ctrl{lane}" if fanout > 1 else "ctrl"
    return f"out{index}_{lane}" if isinstance(op, SplitOp) else f"out_{lane}"


def lanes_in(op: Operation, index: int) -> int:
    """Lanes of operand `index` of `op` (its input parallelism)."""
    if isinstance(op.operands[index].type, ControlType):
        return 1
    if isinstance(op, RepackOp):
        return op.lanes_in.value.data
    fold = op.current_fold()  # type: ignore[attr-defined]
    return fold.as_dict()["coarse_in"] if isinstance(op, ConvOp | LinearOp) else fold.as_dict()["coarse"]


def lanes_out(op: Operation, index: int) -> int:
    """Lanes of result `index` of `op` (its output parallelism)."""
    if isinstance(op.results[index].type, ControlType):
        return 1
    if isinstance(op, RepackOp):
        return op.lanes_out.value.data
    fold = op.current_fold()  # type: ignore[attr-defined]
    return fold.as_dict()["coarse_out"] if isinstance(op, ConvOp | LinearOp) else fold.as_dict()["coarse"]


def resolve(value: SSAValue, names: dict[Operation, str]) -> OpResult | BlockArgument:
    """The IP result (or graph input) a value really comes from."""
    while isinstance(value, OpResult) and value.op not in names:
        op = value.op
        if op.name == "ee.stage":
            value = op.regions[0].block.last_op.operands[value.index]  # type: ignore[union-attr]
        elif len(op.operands) == 1:
            value = op.operands[0]
        else:
            raise EeccError(f"'{op.name}' has no hardware IP and more than one input")
    assert isinstance(value, OpResult | BlockArgument)
    return value


def build_design(graph: GraphOp) -> Design:
    """Layer IPs in layer order and every stream connection, lane by lane."""
    names = layer_names(graph)
    order = [op for op in layer_order(graph) if op in names]
    design = Design(layers=[Layer(names[op], f"{names[op]}_top",
                                  f"hls/layers/{names[op]}_top.cpp") for op in order])
    edges = [(op, k, resolve(v, names)) for op in order for k, v in enumerate(op.operands)]
    fanout: dict[SSAValue, int] = {}
    for _, _, src in edges:
        fanout[src] = fanout.get(src, 0) + 1
    taken: dict[SSAValue, int] = {}
    for dst, k, src in edges:
        _connect(design, names, dst, k, src, fanout[src], taken)
    _attach_output(design, graph, names)
    return design


def _connect(design: Design, names: dict[Operation, str], dst: Operation, k: int,
             src: SSAValue, fanout: int, taken: dict[SSAValue, int]) -> None:
    lanes = lanes_in(dst, k)
    dst_ports = [in_port(dst, k, lane) for lane in range(lanes)]
    if isinstance(src, BlockArgument):
        design.dma_in.extend((names[dst], port) for port in dst_ports)
        return
    assert isinstance(src, OpResult)
    have = lanes_out(src.op, src.index)
    if have != lanes:
        raise EeccError(
            f"'{src.op.name}' ({names[src.op]}) gives {have} lane(s), '{dst.name}' "
            f"({names[dst]}) takes {lanes}: run --ee-legalize-hls before -t vivado-tcl")
    control = isinstance(src.type, ControlType)
    if control:
        use = taken.get(src, 0)
        taken[src] = use + 1
        src_ports = [out_port(src.op, src.index, use, fanout)]
    else:
        src_ports = [out_port(src.op, src.index, lane, 1) for lane in range(lanes)]
    depth = depth_of(src)
    for sp, dp in zip(src_ports, dst_ports, strict=True):
        design.links.append(Link(names[src.op], sp, names[dst], dp, depth))


def _attach_output(design: Design, graph: GraphOp, names: dict[Operation, str]) -> None:
    output = graph.body.block.last_op
    assert isinstance(output, OutputOp)
    if len(output.args) != 1:
        raise EeccError(f"'ee.graph' @{graph.sym_name.data} has {len(output.args)} outputs, "
                        "the DMA design takes exactly one (the exit merge's)")
    src = resolve(output.args[0], names)
    if not isinstance(src, OpResult):
        raise EeccError("the graph's output is its input: no hardware to build")
    lanes = lanes_out(src.op, src.index)
    design.dma_out = [(names[src.op], out_port(src.op, src.index, lane, 1))
                      for lane in range(lanes)]
    design.discard = [(names[op], "exit_index") for op in names if isinstance(op, ExitMergeOp)]
    if len(design.dma_in) == 0:
        raise EeccError("no layer reads the graph's input")
