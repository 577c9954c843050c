"""Batch API of the reference interpreter: `run_graph` and `exit_heads`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
from xdsl.dialects.builtin import ModuleOp

from eecc import fixedpoint
from eecc.dialects.ee import ExitMergeOp, GraphOp
from eecc.errors import EeccError
from eecc.reference.backends import FixedBackend, FixedConfig, FloatBackend
from eecc.reference.graph import Program
from eecc.reference.interpreter import Options, execute
from eecc.reference.policy import DEFAULT_POLICY, check_policy, choose, choose_fixed

Model: TypeAlias = ModuleOp | GraphOp | Program
BATCH = 64
"""Samples run together; bounds the memory of the vectorised convolutions."""


@dataclass(frozen=True)
class Result:
    """Per sample: the logits of the exit taken (float), that exit's index and, in fixed
    mode, the raw integer logits (`logits = raw / 2**F`)."""

    logits: np.ndarray
    exits: np.ndarray
    raw: np.ndarray | None = None

    @property
    def classes(self) -> np.ndarray:
        return self.logits.argmax(axis=1)


def program_of(model: Model) -> Program:
    """`model` compiled for the interpreter (cached on the `Program`)."""
    return model if isinstance(model, Program) else Program.from_module(model)


def backend_for(program: Program, fixed: FixedConfig | None) -> FloatBackend:
    """The backend of a run, built once per program and configuration."""
    key = ("backend", fixed)
    if key not in program.cache:
        program.cache[key] = (FloatBackend(program.weights) if fixed is None
                              else FixedBackend(program.weights, fixed, _io_types(program)))
    backend = program.cache[key]
    assert isinstance(backend, FloatBackend)
    return backend


def _io_types(program: Program) -> tuple[object, object]:
    """The graph's input and output stream types (their formats, once assigned)."""
    signature = program.graph.function_type
    return signature.inputs.data[0], signature.outputs.data[0]


def check_input(program: Program, x: np.ndarray) -> np.ndarray:
    """`x` as a batch `[N, *input_shape]` of real numbers (integers are taken as values); a
    single sample gets a batch axis. An empty batch or a NaN/infinite value is refused."""
    x = np.asarray(x)
    if x.dtype.kind not in "fiu":
        raise EeccError(f"input has element type {x.dtype}; expected real numbers (float or int)")
    want = program.input_shape
    if x.shape == want:
        x = x[None]
    if x.ndim != len(want) + 1 or x.shape[1:] != want:
        expected = "x".join(map(str, ("N", *want)))
        raise EeccError(f"input has shape {'x'.join(map(str, x.shape))}, expected {expected}")
    if len(x) == 0:
        raise EeccError("input has no samples (shape 0x...); give at least one")
    if x.dtype.kind == "f" and not np.isfinite(x).all():
        sample = int(np.flatnonzero(~np.isfinite(x).reshape(len(x), -1).all(axis=1))[0])
        raise EeccError(f"input sample {sample} holds NaN or infinite values")
    return x


def network_policy(program: Program) -> str:
    """The exit policy the network states on its `ee.exit_merge` (first-confident if none)."""
    merges = [op for op in program.schedule if isinstance(op, ExitMergeOp)]
    return merges[0].exit_policy if merges else DEFAULT_POLICY


def run_graph(model: Model, x: np.ndarray, fixed: FixedConfig | None = None,
              policy: str | None = None) -> Result:
    """Run every sample of `x` through the network: float32, or fixed point if `fixed`.

    `policy` "most-confident" answers a sample no early exit is confident about with its
    most confident head (eecc.reference.policy); in fixed mode as the hardware does.
    Without `policy`, the network's own (`ee.exit_merge`'s `policy`).
    """
    program = program_of(model)
    x = check_input(program, x)
    policy = network_policy(program) if policy is None else policy
    if check_policy(policy) != DEFAULT_POLICY:
        return _run_policy(program, x, fixed, policy)
    backend = backend_for(program, fixed)
    parts = [_run_batch(program, backend, x[i : i + BATCH]) for i in range(0, len(x), BATCH)]
    values = np.concatenate([p[0] for p in parts])
    exits = np.concatenate([p[1] for p in parts])
    if fixed is None:
        return Result(values.astype(np.float32), exits)
    return Result(backend.decode(values), exits, values.astype(np.int64))


def _run_policy(program: Program, x: np.ndarray, fixed: FixedConfig | None,
                policy: str) -> Result:
    """Every head on every sample, then the policy's choice among them (in fixed point on
    the raw logits, with the confidence the hardware compares)."""
    thresholds = [ex.threshold for ex in program.exits if ex.threshold is not None]
    backend = backend_for(program, fixed)
    heads = np.stack(_raw_heads(program, backend, x))
    if fixed is None:
        from eecc.reference import float_ops as fo

        taken = choose(np.stack([fo.confidence(h) for h in heads]), thresholds, policy)
        return Result(heads[taken, np.arange(len(x))].astype(np.float32), taken)
    frac = fixed.data.frac
    sums = np.array([[fixedpoint.exp_sum(s, frac) for s in h] for h in heads], dtype=np.int64)
    taken = choose_fixed(sums, thresholds, policy)
    raw = heads[taken, np.arange(len(x))].astype(np.int64)
    return Result(backend.decode(raw), taken, raw)


def _run_batch(program: Program, backend: FloatBackend,
               x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    env = execute(program, backend.encode(x), backend)
    out = env[program.output]
    if not np.array_equal(out.ids, np.arange(len(x))):
        raise EeccError("the network did not deliver exactly one result per sample")
    exits = np.full(len(x), -1, dtype=np.int64)
    for index, ex in enumerate(program.exits):
        exits[env[ex.delivered].ids] = index
    return out.data, exits


def _raw_heads(program: Program, backend: FloatBackend, x: np.ndarray) -> list[np.ndarray]:
    """Every exit head's values (the backend's encoding) on every sample, every decision
    overridden with "continue"."""
    heads: list[list[np.ndarray]] = [[] for _ in program.exits]
    for start in range(0, len(x), BATCH):
        env = execute(program, backend.encode(x[start : start + BATCH]), backend,
                      Options(continue_all=True))
        for i, ex in enumerate(program.exits):
            heads[i].append(env[ex.head].data)
    return [np.concatenate(h) for h in heads]


def exit_heads(model: Model, x: np.ndarray, fixed: FixedConfig | None = None) -> list[np.ndarray]:
    """The logits of EVERY exit head for every sample, ignoring the exit decisions.

    Every decision is overridden with "continue", so each sample reaches each head; entry
    `i` is `[N, classes]` (float) for exit `i`.
    """
    program = program_of(model)
    x = check_input(program, x)
    backend = backend_for(program, fixed)
    return [backend.decode(h) for h in _raw_heads(program, backend, x)]
