"""Constant tables of the HLS emitter: weights, biases and exponential tables as raw bits.

Weights are quantised to the graph's `weight_type`, biases to the data format
(docs/numerics.md), and printed as `static const short` (or `int`) initialisers of raw
integers: g++ compiles such tables in about a second, where the same data as `ap_fixed`
initialisers takes minutes. A linear layer that reads a flattened map gets its weight
columns permuted from PyTorch's C, H, W order to the stream's H, W, C order.

Synthesis (and any build without `EECC_WEIGHT_FILES`) sees the initialisers. The C
simulation (`eecc csim`, `-DEECC_WEIGHT_FILES`) sees plain arrays of the same shapes and
`<model>_load_weights(path)`, which reads them from `hls/<model>_weights.txt` (`file_text`;
format in `emit/include/eecc/weights.h`), so its build does not grow with the weights. The
header holds each table's count and checksum, so a missing, short or changed file stops the
simulation with one line.
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


def checksum(values: np.ndarray) -> int:
    """`sum_i (i + 1) * (uint32) v_i mod 2^64`, as `eecc::weight_file::table` computes it."""
    low = (np.asarray(values, dtype=np.int64).reshape(-1) & 0xFFFFFFFF).astype(np.uint64)
    return int((low * np.arange(1, low.size + 1, dtype=np.uint64)).sum(dtype=np.uint64))


FILE_MAGIC = "# eecc weights v1"


class Tables:
    """The weight tables of one project, in emission order; each layer's weights and bias in
    its own formats (`weight_type`, `bias_type`)."""

    def __init__(self, weight: FixedFormat, data: FixedFormat):
        self.weight, self.data = weight, data
        self.entries: list[tuple[str, str, np.ndarray]] = []  # (C type, name, raw values)
        self.luts: set[int] = set()

    def weights(self, name: str, values: np.ndarray, fmt: FixedFormat | None = None) -> str:
        fmt = fmt or self.weight
        self.entries.append((c_type(fmt.width), name, fmt.quantize(values)))
        return name

    def biases(self, name: str, op: Operation, ref: SymbolRefAttr | None, n: int,
               fmt: FixedFormat | None = None) -> str:
        fmt = fmt or self.data
        values = np.zeros(n) if ref is None else weight_array(op, ref)
        self.entries.append((c_type(fmt.width), name, fmt.quantize(values)))
        return name

    def exp_lut(self, frac_bits: int) -> str:
        name = f"eecc_exp_lut_f{frac_bits}"
        if frac_bits not in self.luts:
            self.luts.add(frac_bits)
            self.entries.append(("unsigned", name, np.asarray(fixedpoint.exp_lut(frac_bits))))
        return name

    def text(self) -> str:
        """Every table as a `static const` initialiser (what synthesis sees)."""
        return "\n".join(table(ctype, name, values) for ctype, name, values in self.entries)

    def declarations(self) -> str:
        """Every table as a plain array of the same shape (filled by the loader)."""
        return "".join(f"static {ctype} {name}{_dims(values)};\n"
                       for ctype, name, values in self.entries)

    def loader(self, function: str) -> str:
        """`int <function>(const char *path)`: reads every table from the weights file."""
        calls = "".join(
            f"    f.table(\"{name}\", &{name}{'[0]' * max(np.ndim(values), 1)}, "
            f"{np.size(values)}ul, {checksum(values)}ull);\n"
            for _, name, values in self.entries)
        return (f"int {function}(const char *path);\nint {function}(const char *path) {{\n"
                f"    eecc::weight_file f(path);\n{calls}    return f.finish();\n}}\n")

    def file_text(self, model: str) -> str:
        """`hls/<model>_weights.txt`: every table's raw values (emit/include/eecc/weights.h)."""
        parts = [f"{FILE_MAGIC} {model}: raw integers, tables in the order of "
                 f"{model}_weights.h\n"]
        for _, name, values in self.entries:
            flat = np.asarray(values, dtype=np.int64).reshape(-1)
            parts.append(f"table {name} {flat.size}\n")
            rows = [" ".join(map(str, flat[i:i + PER_LINE].tolist()))
                    for i in range(0, flat.size, PER_LINE)]
            parts.append("\n".join(rows) + "\n" if rows else "")
        return "".join(parts)


def _dims(values: np.ndarray) -> str:
    return "".join(f"[{d}]" for d in np.shape(values)) or "[1]"
