"""The streams of the top DATAFLOW function: one declaration per stream, one name per port.

Every stream value gets a C expression: the graph input is the top's `in`, its output the
top's `out`; an exit merge owns the array `<merge>_in[n][lanes]` its producers write into; a
split owns `<split>_out[n][lanes]`; every other op writes `<op>_out[lanes]`. An exit
decision writes `<op>_ctrl`, forked by `eecc::ctrl_split` into `<op>_ctrl_to[n]` when
several condbuffers read it. Values are looked through `ee.flatten` and stage boundaries.

Depths (`#pragma HLS STREAM`, and `EECC_STREAM` for the timed C simulation): the
`fifo_depths` that `ee-legalize-hls` wrote on each producer (`passes/_fifo_depths.py`); an
exit merge's input array takes the deepest of its inputs'.

Most-confident policy (emit/_hls_carry.py): a decision's `<op>_conf` is as deep as its
control stream; exit i's carry unit writes `<op>_carry[lanes]` and `<op>_carry_conf` at
its `carry_depths`, read by exit i+1's carry unit or by the merge's final unit; the final
classifier writes `<merge>_final[lanes]` (its own depth) in place of merge input N-1, and
`<merge>_final_index` is as deep as the merge's inputs.
"""

from __future__ import annotations

from xdsl.ir import Operation, SSAValue

from eecc.dialects.ee import CondBufferOp, ExitMergeOp, GraphOp, OutputOp, StreamType
from eecc.emit._hls_layers import LayerCode
from eecc.emit.naming import resolve, source
from eecc.errors import EeccError
from eecc.passes._carry_depths import carry_depths
from eecc.passes._fifo_depths import depth_of

WORD = "hls::stream<eecc::word>"
CTRL = "hls::stream<eecc::ctrl_word>"
CONF = "hls::stream<eecc::conf_word>"


class StreamPlan:
    """Stream declarations of the top function and the port expressions of every call."""

    def __init__(self, graph: GraphOp, names: dict[Operation, str],
                 codes: dict[Operation, LayerCode], exit_of: dict[Operation, int] | None = None):
        self.names, self.codes = names, codes
        self.exit_of = exit_of or {}
        self.confs: dict[Operation, str] = {}
        self.carries: dict[int, tuple[str, str]] = {}
        self.expr: dict[SSAValue, str] = {}
        self.ctrl: dict[Operation, str] = {}
        self.decls: list[str] = []
        self.depths: dict[str, int] = {}
        self.dims: dict[str, str] = {}
        self.ports: dict[Operation, dict[str, str]] = {op: {} for op in names}
        self.expr[graph.body.block.args[0]] = "in"
        out = graph.body.block.last_op
        assert isinstance(out, OutputOp)
        self.expr[resolve(out.args[0])] = "out"
        for op in names:
            if isinstance(op, ExitMergeOp):
                self._merge_inputs(op)
        for op in names:
            self._outputs(op)
        for op in names:
            self._inputs(op)

    def declare(self, ctype: str, name: str, dims: str, depth: int) -> str:
        self.decls.append(f"    {ctype} {name}{dims};")
        self.decls.append(f"#pragma HLS STREAM variable={name} depth={depth}")
        self.decls.append(f"    EECC_STREAM({name}, {depth});")
        self.depths[name] = depth
        self.dims[name] = dims
        return name

    def _bind(self, value: SSAValue, expr: str, op: Operation) -> None:
        value = resolve(value)
        if value in self.expr:
            raise EeccError(f"-t hls: '{op.name}' ({self.names[op]}) writes a stream that "
                            "is already an exit merge input or the graph output; not supported")
        self.expr[value] = expr

    def _merge_inputs(self, op: ExitMergeOp) -> None:
        name, port = self.names[op], self.codes[op].ports[0]
        assert isinstance(op.output.type, StreamType)
        depth = max(depth_of(v) for v in op.inputs)
        array = self.declare(WORD, f"{name}_in", f"[{port.count}][{port.lanes}]", depth)
        self.ports[op]["in"] = array
        for i, value in enumerate(op.inputs):
            if resolve(value) in self.expr:
                raise EeccError(f"-t hls: exit merge input {i} is also the graph input")
            self.expr[resolve(value)] = f"{array}[{i}]"
        if self.exit_of:
            final = self.declare(WORD, f"{name}_final", f"[{port.lanes}]",
                                 depth_of(op.inputs[-1]))
            self.expr[resolve(op.inputs[-1])] = self.ports[op]["final"] = final
            self.ports[op]["final_index"] = self.declare(CONF, f"{name}_final_index", "", depth)

    def _outputs(self, op: Operation) -> None:
        name, ports = self.names[op], self.ports[op]
        for port in (p for p in self.codes[op].ports if p.output):
            if port.extra:
                self._carry_output(op, port.role, port.lanes)
            elif port.role == "exit_index":
                ports[port.role] = "exit_index"
            elif port.ctrl:
                ports[port.role] = self._control(op, port.lanes)
            elif port.count > 1:
                array = self.declare(WORD, f"{name}_out", f"[{port.count}][{port.lanes}]",
                                     max(depth_of(r) for r in op.results))
                for i, result in enumerate(op.results):
                    self._bind(result, f"{array}[{i}]", op)
                ports[port.role] = array
            else:
                result = resolve(op.results[0])
                if result not in self.expr:
                    self.expr[result] = self.declare(WORD, f"{name}_out", f"[{port.lanes}]",
                                                     depth_of(result))
                ports[port.role] = self.expr[result]

    def _carry_output(self, op: Operation, role: str, lanes: int) -> None:
        """A decision's confidence tokens, a carry unit's carry (most-confident policy)."""
        name = self.names[op]
        if role == "conf":
            self.confs[op] = self.ports[op][role] = self.declare(
                CONF, f"{name}_conf", "", depth_of(op.results[0]))
            return
        if role == "final_index":
            return
        assert isinstance(op, CondBufferOp)
        logits, tokens = carry_depths(op)
        if role == "next":
            self.ports[op][role] = self.declare(WORD, f"{name}_carry", f"[{lanes}]", logits)
        else:
            self.ports[op][role] = self.declare(CONF, f"{name}_carry_conf", "", tokens)
            self.carries[self.exit_of[op]] = (self.ports[op]["next"], self.ports[op][role])

    def _carry_input(self, op: Operation, role: str) -> None:
        if role == "final":
            return
        if role == "conf":
            assert isinstance(op, CondBufferOp)
            self.ports[op][role] = self.confs[source(op.control)]  # type: ignore[index]
            return
        previous = self.exit_of[op] - 1 if op in self.exit_of else len(self.carries) - 1
        logits, tokens = self.carries[previous]
        self.ports[op][role] = logits if role == "prev" else tokens

    def _control(self, op: Operation, fanout: int) -> str:
        name = self.names[op]
        readers = [c for c in self.names if isinstance(c, CondBufferOp)
                   and c.control == op.results[0]
                   and c not in self.exit_of]
        depth = depth_of(op.results[0])
        decision = self.declare(CTRL, f"{name}_ctrl", "", depth)
        self.ports[op]["decision"] = decision
        if fanout == 0:
            for reader in readers:
                self.ctrl[reader] = decision
            return decision
        forked = self.declare(CTRL, f"{name}_ctrl_to", f"[{fanout}]", depth)
        for k, reader in enumerate(readers):
            self.ctrl[reader] = f"{forked}[{k}]"
        return forked

    def _inputs(self, op: Operation) -> None:
        operands = iter(op.operands)
        for port in (p for p in self.codes[op].ports if not p.output):
            if port.extra:
                self._carry_input(op, port.role)
            elif port.ctrl:
                next(operands)
                self.ports[op][port.role] = self.ctrl[op]
            elif port.count > 1:
                for _ in range(port.count):
                    next(operands)
            else:
                self.ports[op][port.role] = self.expr[resolve(next(operands))]
