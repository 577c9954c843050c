"""Network-level invariants of the exits that no single op can check (used by `ee.graph`).

- the graph has at least one layer;
- stage indices are distinct and number the stages 0..n-1;
- each exit decision drives exactly one pass-on-exit condbuffer, and that buffer holds the
  logits the decision reads (not another exit's); its drop-on-exit buffers hold streams the
  decision is computed from (the backbone where its exit branches off, not a later one);
- `ee.exit_merge` operand i is exit i's result: the pass-on-exit buffer of the i-th exit
  decision in dataflow order, the last operand the final classifier's result.
"""

from __future__ import annotations

from xdsl.ir import Operation, OpResult, SSAValue
from xdsl.utils.exceptions import VerifyException

from eecc.dialects.ee.control import CondBufferOp, ExitDecisionOp, ExitMergeOp

PLUMBING = {"ee.output", "ee.stage", "ee.yield", "ee.split", "ee.exit_decision",
            "ee.condbuffer", "ee.exit_merge", "ee.repack", "ee.cast"}
# a cast changes a stream's format, not which exit's values it carries
FORWARDING = {"ee.split", "ee.repack", "ee.cast"}


def origin(value: SSAValue) -> SSAValue:
    """The value `value` carries: through stage results, splits, repacks and casts."""
    while isinstance(value, OpResult):
        op = value.op
        if op.name == "ee.stage":
            value = op.regions[0].block.last_op.operands[value.index]  # type: ignore[union-attr]
        elif op.name in FORWARDING:
            value = op.operands[0]
        else:
            break
    return value


def producer(value: SSAValue) -> Operation | None:
    found = origin(value)
    return found.op if isinstance(found, OpResult) else None


def check_exit_structure(name: str, ops: list[Operation]) -> None:
    if not any(op.name not in PLUMBING for op in ops):
        raise VerifyException(f"'ee.graph' @{name} has no layers; eecc compiles networks of "
                              "at least one layer")
    _check_stages(name, ops)
    decisions = exit_order([op for op in ops if isinstance(op, ExitDecisionOp)])
    for i, decision in enumerate(decisions):
        _check_exit_buffer(i, decision)
    merges = [op for op in ops if isinstance(op, ExitMergeOp)]
    if merges and len(merges[0].inputs) == len(decisions) + 1:
        _check_merge_order(merges[0], decisions)


def _check_stages(name: str, ops: list[Operation]) -> None:
    indices = sorted(op.index.value.data for op in ops if op.name == "ee.stage")  # type: ignore[attr-defined]
    if indices and indices != list(range(len(indices))):
        raise VerifyException(f"'ee.graph' @{name} has stages {indices}; stage indices must "
                              f"be 0..{len(indices) - 1}, each once")


def exit_order(decisions: list[ExitDecisionOp]) -> list[ExitDecisionOp]:
    """Exit decisions from the first exit to the last (each feeds the next's backbone)."""
    from eecc.dialects.ee.hardware import hardware_ops

    if len(decisions) < 2:
        return decisions
    graph = decisions[0].parent_op()
    while graph is not None and graph.name != "ee.graph":
        graph = graph.parent_op()
    if graph is None:
        return decisions
    order = {id(op): i for i, op in enumerate(hardware_ops(graph))}  # type: ignore[arg-type]
    return sorted(decisions, key=lambda d: order.get(id(d), 0))


def _buffers(decision: ExitDecisionOp, mode: str) -> list[CondBufferOp]:
    return [u.operation for u in decision.decision.uses
            if isinstance(u.operation, CondBufferOp) and u.operation.mode.data == mode]


def _check_exit_buffer(index: int, decision: ExitDecisionOp) -> None:
    passing = _buffers(decision, "pass-on-exit")
    if len(passing) != 1:
        raise VerifyException(f"'ee.exit_decision' of exit {index} drives {len(passing)} "
                              "pass-on-exit condbuffers, expected 1 (the exit's result)")
    if origin(passing[0].input) != origin(decision.logits):
        raise VerifyException(f"'ee.condbuffer' (pass-on-exit) of exit {index} holds a stream "
                              "other than the logits its 'ee.exit_decision' reads")
    upstream = _upstream(decision.logits)
    for buffer in _buffers(decision, "drop-on-exit"):
        if origin(buffer.input) not in upstream:
            raise VerifyException(
                f"'ee.condbuffer' (drop-on-exit) held by exit {index}'s decision buffers a stream "
                "that does not feed that exit; a backbone buffer waits for the decision of the "
                "exit that branches off before it")


def _upstream(value: SSAValue) -> set[SSAValue]:
    """Every value `value` is computed from (through stages, splits and repacks)."""
    seen: set[SSAValue] = set()
    todo = [value]
    while todo:
        current = origin(todo.pop())
        if current in seen:
            continue
        seen.add(current)
        if isinstance(current, OpResult):
            todo.extend(current.op.operands)
    return seen


def _check_merge_order(merge: ExitMergeOp, decisions: list[ExitDecisionOp]) -> None:
    for i, value in enumerate(merge.inputs):
        source = producer(value)
        taken = (isinstance(source, CondBufferOp) and not source.drops_on_exit
                 and source.control.owner is decisions[i]) if i < len(decisions) else \
            not (isinstance(source, CondBufferOp) and not source.drops_on_exit)
        if not taken:
            raise VerifyException(
                f"'ee.exit_merge' operand {i} is not exit {i}'s result; operand i must be the "
                "pass-on-exit condbuffer of exit i, the last the final classifier")
