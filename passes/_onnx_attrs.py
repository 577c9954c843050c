"""Reading ONNX attributes of an `onnx.node` with their ONNX defaults."""

from __future__ import annotations

from xdsl.dialects.builtin import DenseArrayBase, FloatAttr, IntegerAttr, StringAttr
from xdsl.ir import Operation

from eecc.passes._onnx_values import ConversionError, describe


def ints(op: Operation, name: str, default: tuple[int, ...] | None = None) -> tuple[int, ...] | None:
    attr = op.attributes.get(name)
    if attr is None:
        return default
    if not isinstance(attr, DenseArrayBase):
        raise ConversionError(f"{describe(op)} attribute '{name}' is not a list of integers")
    return tuple(int(v) for v in attr.get_values())


def int_(op: Operation, name: str, default: int) -> int:
    attr = op.attributes.get(name)
    if attr is None:
        return default
    if not isinstance(attr, IntegerAttr):
        raise ConversionError(f"{describe(op)} attribute '{name}' is not an integer")
    return int(attr.value.data)


def float_(op: Operation, name: str, default: float) -> float:
    attr = op.attributes.get(name)
    if attr is None:
        return default
    if not isinstance(attr, FloatAttr):
        raise ConversionError(f"{describe(op)} attribute '{name}' is not a float")
    return float(attr.value.data)


def str_(op: Operation, name: str, default: str) -> str:
    attr = op.attributes.get(name)
    return attr.data if isinstance(attr, StringAttr) else default


def require(op: Operation, ok: bool, what: str) -> None:
    """Fail with `node 'X' (Op) <what>` unless `ok`."""
    if not ok:
        raise ConversionError(f"{describe(op)} {what}")
