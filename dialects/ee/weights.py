"""`ee.weight`: a named constant tensor (weights, biases) referenced by layer ops."""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import (
    DenseIntOrFPElementsAttr,
    StringAttr,
    SymbolNameConstraint,
    SymbolRefAttr,
)
from xdsl.ir import Operation
from xdsl.irdl import IRDLOperation, irdl_op_definition, prop_def, traits_def
from xdsl.traits import SymbolOpInterface, SymbolTable
from xdsl.utils.exceptions import VerifyException

MAX_WEIGHT_ELEMENTS = 1 << 24


@irdl_op_definition
class WeightOp(IRDLOperation):
    """A module-level constant tensor, named so that layer ops can refer to it.

    Not an actor: it holds parameters that the hardware stores on chip (BRAM/LUTRAM) and that
    the emitter prints as raw-bit integer tables.

    ```mlir
    ee.weight @conv1.w = dense<0.01> : tensor<5x1x5x5xf32>
    ```
    """

    name = "ee.weight"

    sym_name = prop_def(SymbolNameConstraint())
    value = prop_def(DenseIntOrFPElementsAttr)

    traits = traits_def(SymbolOpInterface())
    assembly_format = "$sym_name `=` $value attr-dict"

    def __init__(self, name: str, value: DenseIntOrFPElementsAttr):
        super().__init__(properties={"sym_name": StringAttr(name), "value": value})

    def verify_(self) -> None:
        count = int(np.prod(self.shape, dtype=np.int64))
        if count > MAX_WEIGHT_ELEMENTS:
            raise VerifyException(
                f"'ee.weight' @{self.sym_name.data} has {count} values; eecc supports weights of "
                f"at most {MAX_WEIGHT_ELEMENTS} (2^24) values per tensor")
        values = self.to_numpy()
        if values.dtype.kind == "f" and not np.isfinite(values).all():
            index = int(np.flatnonzero(~np.isfinite(values.reshape(-1)))[0])
            raise VerifyException(
                f"'ee.weight' @{self.sym_name.data} holds {values.reshape(-1)[index]} at index "
                f"{index}; weights must be finite")

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.get_shape()

    def to_numpy(self) -> np.ndarray:
        """The tensor as a numpy array of its element type's width."""
        element = self.value.get_element_type()
        width = getattr(element, "bitwidth", 32)
        kind = "f" if element.name.startswith("f") else "i"
        dtype = np.dtype(f"{kind}{width // 8}")
        data = np.frombuffer(self.value.data.data, dtype=dtype)
        return data.reshape(self.shape) if data.size > 1 else np.full(self.shape, data[0])


def lookup_weight(op: Operation, ref: SymbolRefAttr) -> WeightOp | None:
    """The `ee.weight` that `ref` names, seen from `op`, or None."""
    table = op.parent_op()
    while table is not None and not table.has_trait(SymbolTable):
        table = table.parent_op()
    if table is None:
        return None
    found = SymbolTable.lookup_symbol(table, ref)
    return found if isinstance(found, WeightOp) else None


def check_weight(op: Operation, ref: SymbolRefAttr, shape: tuple[int, ...], what: str) -> None:
    """Check that `ref` names an `ee.weight` of `shape` (skipped for ops outside a module)."""
    weight = lookup_weight(op, ref)
    if weight is None:
        if op.parent_op() is None:
            return
        raise VerifyException(
            f"'{op.name}' {what} {ref} does not name an 'ee.weight' in the enclosing module"
        )
    if weight.shape != shape:
        have = "x".join(map(str, weight.shape))
        want = "x".join(map(str, shape))
        raise VerifyException(f"'{op.name}' {what} {ref} has shape {have}, expected {want}")
