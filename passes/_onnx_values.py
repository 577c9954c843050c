"""What an `onnx` value becomes while `convert-onnx-to-ee` runs.

- an `SSAValue` of `!ee.stream` type: a feature map (batch dimension dropped);
- `Const`: a constant tensor known at compile time (initializers, `Constant`, shape plumbing);
- `ExitTest`: a partial exit test (`Softmax` -> `ReduceMax` -> `Greater` [-> `Cast`]);
- `Exits`: the result streams of an early-exit `If`, one per exit, merged when used;
- `Padded`: a map behind an explicit zero `Pad`, folded into the conv or pool that reads it;
- `None`: an absent optional input.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from xdsl.dialects.builtin import (
    DenseIntOrFPElementsAttr,
    IntegerType,
    NameLoc,
    Signedness,
)
from xdsl.ir import Operation, SSAValue
from xdsl.utils.exceptions import DiagnosticException


class ConversionError(DiagnosticException):
    """A model `convert-onnx-to-ee` cannot convert; reported as one line."""


@dataclass
class Const:
    """A compile-time tensor; `name` is its initializer's name when it has one."""

    array: np.ndarray
    name: str | None = None


@dataclass
class ExitTest:
    """A recognised prefix of the exit test on `logits`; `step` is the last op seen."""

    logits: SSAValue
    step: str  # "softmax", "max", "greater"
    threshold: float | None = None


@dataclass
class Exits:
    """One result stream per exit of an early-exit `If`, in exit order."""

    streams: list[SSAValue]
    merged: SSAValue | None = field(default=None)


@dataclass
class Padded:
    """`stream` zero-padded by `pads` (top, left, bottom, right) by the `Pad` node `origin`
    (named in messages); the conv or pool that reads it takes the pads as its own."""

    stream: SSAValue
    pads: tuple[int, int, int, int]
    origin: str


Value = SSAValue | Const | ExitTest | Exits | Padded | None


def node_name(op: Operation) -> str:
    """The ONNX node name (the op's location), or the op name when it has none."""
    loc = op.location
    return loc.desc.data if isinstance(loc, NameLoc) else op.name


def describe(op: Operation) -> str:
    """`node '/conv1/Conv' (Conv)`, as messages name ONNX nodes."""
    op_type = getattr(op, "op_type", None)
    kind = op_type.data if op_type is not None else op.name
    return f"node '{node_name(op)}' ({kind})"


def to_numpy(attr: DenseIntOrFPElementsAttr) -> np.ndarray:
    """The array held by a dense attribute (raw little-endian bytes)."""
    element = attr.get_element_type()
    width = getattr(element, "bitwidth", 32)
    if isinstance(element, IntegerType):
        if width == 1:
            dtype = np.dtype(np.bool_)
        else:
            kind = "u" if element.signedness.data == Signedness.UNSIGNED else "i"
            dtype = np.dtype(f"<{kind}{width // 8}")
    else:
        dtype = np.dtype(f"<f{width // 8}")
    shape = attr.get_shape()
    data = np.frombuffer(attr.data.data, dtype=dtype)
    if data.size == 1 and int(np.prod(shape)) != 1:
        return np.full(shape, data[0])
    return data.reshape(shape).copy()
