"""Constant tables of the HLS emitter: weights, biases and exponential tables as raw bits.

Weights are quantised to the graph's `weight_type`, biases to the data format
(docs/numerics.md), and printed as `static const short` (or `int`) initialisers of raw
integers: g++ compiles such tables in about a second, where the same data as `ap_fixed`
initialisers takes minutes. A linear layer that reads a flattened map gets its weight
columns permuted from PyTorch's C, H, W order to the stream's H, W, C order.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from xdsl.dialects.builtin import SymbolRefAttr
from xdsl.ir import Operation, OpResult, SSAValue

from eecc import fixedpoint
from eecc.dialects.ee import FlattenOp, RepackOp, StageOp, StreamType, lookup_weight
from eecc.errors import EeccError
from eecc.fixedpoint import FixedFormat

PER_LINE = 16


def c_type(width: int) -> str:
    """The C integer type holding a `width`-bit raw value (the table's memory width)."""
    return "signed char" if width <= 8 else "short" if width <= 16 else "int"


def table(ctype: str, name: str, values: np.ndarray, dims: Sequence[int] | None = None) -> str:
    """`static const T name[d0][d1]... = {...};` with the values flattened, 16 per line."""
    flat = [str(int(v)) for v in np.asarray(values).reshape(-1)]
    shape = "".join(f"[{d}]" for d in (dims if dims is not None else np.shape(values)))
    lines = [", ".join(flat[i : i + PER_LINE]) for i in range(0, len(flat), PER_LINE)]
    body = ",\n    ".join(lines)
    return f"static const {ctype} {name}{shape} = {{\n    {body}\n}};\n"


def weight_array(op: Operation, ref: SymbolRefAttr) -> np.ndarray:
    weight = lookup_weight(op, ref)
    if weight is None:
        raise EeccError(f"'{op.name}' weight {ref} does not name an 'ee.weight'")
    return weight.to_numpy().astype(np.float64)


def flattened_from(value: SSAValue) -> tuple[int, int, int] | None:
    """(C, H, W) of the map a vector was flattened from, looking through repacks and stages."""
    while isinstance(value, OpResult):
        op = value.op
        if isinstance(op, FlattenOp):
            assert isinstance(op.input.type, StreamType)
            c, h, w = op.input.type.get_shape()
            return c, h, w
        if isinstance(op, RepackOp):
            value = op.input
        elif isinstance(op, StageOp):
            value = op.body.block.last_op.operands[value.index]  # type: ignore[union-attr]
        else:
            return None
    return None


def stream_order_columns(weights: np.ndarray, chw: tuple[int, int, int] | None) -> np.ndarray:
    """Columns from C, H, W (PyTorch flatten) to H, W, C (stream) order."""
    if chw is None:
        return weights
    c, h, w = chw
    out = weights.shape[0]
    return weights.reshape(out, c, h, w).transpose(0, 2, 3, 1).reshape(out, c * h * w)


class Tables:
    """The weight tables of one project, in emission order; each layer's weights and bias in
    its own formats (`weight_type`, `bias_type`)."""

    def __init__(self, weight: FixedFormat, data: FixedFormat):
        self.weight, self.data = weight, data
        self.texts: list[str] = []
        self.luts: set[int] = set()

    def weights(self, name: str, values: np.ndarray, fmt: FixedFormat | None = None) -> str:
        fmt = fmt or self.weight
        self.texts.append(table(c_type(fmt.width), name, fmt.quantize(values)))
        return name

    def biases(self, name: str, op: Operation, ref: SymbolRefAttr | None, n: int,
               fmt: FixedFormat | None = None) -> str:
        fmt = fmt or self.data
        values = np.zeros(n) if ref is None else weight_array(op, ref)
        self.texts.append(table(c_type(fmt.width), name, fmt.quantize(values)))
        return name

    def exp_lut(self, frac_bits: int) -> str:
        name = f"eecc_exp_lut_f{frac_bits}"
        if frac_bits not in self.luts:
            self.luts.add(frac_bits)
            self.texts.append(table("unsigned", name, fixedpoint.exp_lut(frac_bits)))
        return name

    def text(self) -> str:
        return "\n".join(self.texts)
