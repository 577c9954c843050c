"""The reference interpreter: runs an `ee.graph` on a batch of samples, op by op.

Every stream value holds the samples present on it as `Tokens`: their IDs (indices into the
batch) and their maps, stacked. Each op fires once per sample on its inputs, so executing
an op on the batch of present samples is the per-sample semantics of the dialect:
`ee.split` broadcasts, `ee.exit_decision` yields a bool per sample, `ee.condbuffer`
forwards or drops each sample by its token, `ee.exit_merge` takes the one result that each
sample delivers. Layer arithmetic comes from a backend (float32 or fixed point).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from xdsl.ir import Operation, SSAValue

from eecc.dialects.ee import (
    AddOp,
    CastOp,
    CondBufferOp,
    ConvOp,
    ExitDecisionOp,
    ExitMergeOp,
    FlattenOp,
    GlobalPoolOp,
    LinearOp,
    PoolOp,
    ReluOp,
    RepackOp,
    SoftmaxOp,
    SplitOp,
    StreamType,
)
from eecc.errors import EeccError
from eecc.reference.backends import FloatBackend
from eecc.reference.graph import Program, resolve


@dataclass(frozen=True)
class Tokens:
    """The samples present on a stream: their IDs and their maps (or control bits)."""

    ids: np.ndarray
    data: np.ndarray


Env = dict[SSAValue, Tokens]
Handler = Callable[[Operation, list[Tokens], FloatBackend, "Options"], list[Tokens]]


@dataclass(frozen=True)
class Options:
    """How to run: `continue_all` overrides every exit decision with "continue"."""

    continue_all: bool = False


def _layer(method: str) -> Handler:
    """A handler that applies backend `method` to the maps of the present samples."""

    def run(op: Operation, args: list[Tokens], backend: FloatBackend, opts: Options) -> list[Tokens]:
        ids = args[0].ids
        for other in args[1:]:
            if not np.array_equal(other.ids, ids):
                raise EeccError(f"'{op.name}' inputs carry different samples")
        if len(ids) == 0:
            return [Tokens(ids, _empty(op.results[0], args[0].data.dtype))]
        return [Tokens(ids, getattr(backend, method)(op, *(a.data for a in args)))]

    return run


def _empty(value: SSAValue, dtype: np.dtype) -> np.ndarray:
    assert isinstance(value.type, StreamType)
    return np.zeros((0, *value.type.get_shape()), dtype=dtype)


def _split(op: Operation, args: list[Tokens], backend: FloatBackend, opts: Options) -> list[Tokens]:
    return [args[0]] * len(op.results)


def _forward(op: Operation, args: list[Tokens], backend: FloatBackend, opts: Options) -> list[Tokens]:
    """`ee.repack` moves words between lanes; the values do not change."""
    return [args[0]]


def _decide(op: Operation, args: list[Tokens], backend: FloatBackend, opts: Options) -> list[Tokens]:
    logits = args[0]
    if opts.continue_all or len(logits.ids) == 0:
        return [Tokens(logits.ids, np.zeros(len(logits.ids), dtype=bool))]
    return [Tokens(logits.ids, backend.exit_decision(op, logits.data))]


def _condbuffer(op: Operation, args: list[Tokens], backend: FloatBackend, opts: Options) -> list[Tokens]:
    assert isinstance(op, CondBufferOp)
    stream, control = args
    pos = np.searchsorted(control.ids, stream.ids)
    pos = np.minimum(pos, max(len(control.ids) - 1, 0))
    if len(stream.ids) and not np.array_equal(control.ids[pos], stream.ids):
        raise EeccError("'ee.condbuffer' got a sample without a control token")
    exited = control.data[pos] if len(stream.ids) else np.zeros(0, dtype=bool)
    keep = ~exited if op.drops_on_exit else exited
    return [Tokens(stream.ids[keep], stream.data[keep])]


def _merge(op: Operation, args: list[Tokens], backend: FloatBackend, opts: Options) -> list[Tokens]:
    ids = np.concatenate([a.ids for a in args])
    if len(np.unique(ids)) != len(ids):
        raise EeccError("'ee.exit_merge' received a sample from more than one exit")
    order = np.argsort(ids, kind="stable")
    return [Tokens(ids[order], np.concatenate([a.data for a in args])[order])]


DISPATCH: dict[type[Operation], Handler] = {
    ConvOp: _layer("conv"),
    PoolOp: _layer("pool"),
    GlobalPoolOp: _layer("global_pool"),
    LinearOp: _layer("linear"),
    ReluOp: _layer("relu"),
    AddOp: _layer("add"),
    SoftmaxOp: _layer("softmax"),
    FlattenOp: _layer("flatten"),
    CastOp: _layer("cast"),
    SplitOp: _split,
    RepackOp: _forward,
    ExitDecisionOp: _decide,
    CondBufferOp: _condbuffer,
    ExitMergeOp: _merge,
}


def execute(program: Program, x: np.ndarray, backend: FloatBackend,
            opts: Options = Options()) -> Env:
    """Run every op of `program` on the batch `x` (already encoded); the value of every stream."""
    env: Env = {program.graph.body.block.args[0]: Tokens(np.arange(len(x)), x)}
    for op in program.schedule:
        handler = DISPATCH.get(type(op))
        if handler is None:
            raise EeccError(f"the reference interpreter does not support '{op.name}'")
        outputs = handler(op, [env[resolve(v)] for v in op.operands], backend, opts)
        env.update(zip(op.results, outputs, strict=True))
    return env
