"""ONNX types, tensors and attributes as builtin MLIR types and attributes."""

from __future__ import annotations

from typing import Any

import numpy as np
import onnx
from onnx import numpy_helper
from xdsl.dialects.builtin import (
    ArrayAttr,
    BytesAttr,
    DenseArrayBase,
    DenseIntOrFPElementsAttr,
    Float32Type,
    FloatAttr,
    IntegerAttr,
    IntegerType,
    Signedness,
    StringAttr,
    TensorType,
    f16,
    f32,
    f64,
    i1,
    i8,
    i16,
    i32,
    i64,
)
from xdsl.ir import Attribute

from eecc.errors import EeccError

T = onnx.TensorProto
ELEMENT_TYPES: dict[int, Attribute] = {
    T.FLOAT: f32, T.DOUBLE: f64, T.FLOAT16: f16, T.BOOL: i1,
    T.INT8: i8, T.INT16: i16, T.INT32: i32, T.INT64: i64,
    T.UINT8: IntegerType(8, Signedness.UNSIGNED), T.UINT16: IntegerType(16, Signedness.UNSIGNED),
    T.UINT32: IntegerType(32, Signedness.UNSIGNED), T.UINT64: IntegerType(64, Signedness.UNSIGNED),
}


def element_type(elem_type: int, what: str) -> Attribute:
    """The MLIR element type of an ONNX `TensorProto.DataType`."""
    if elem_type not in ELEMENT_TYPES:
        name = T.DataType.Name(elem_type) if elem_type in T.DataType.values() else elem_type
        raise EeccError(f"{what} has element type {name}, which eecc does not support")
    return ELEMENT_TYPES[elem_type]


def tensor_type(type_proto: onnx.TypeProto, what: str) -> TensorType:
    """A static `tensor<...>` for a value's ONNX type; dynamic or unknown shapes are errors."""
    if not type_proto.HasField("tensor_type"):
        raise EeccError(f"{what} is not a tensor")
    tt = type_proto.tensor_type
    if not tt.HasField("shape"):
        raise EeccError(f"{what} has no known shape (shape inference could not compute it)")
    dims = []
    for i, dim in enumerate(tt.shape.dim):
        if not dim.HasField("dim_value"):
            label = f"'{dim.dim_param}'" if dim.dim_param else "unknown"
            raise EeccError(f"{what} has a dynamic dimension {i} ({label}); eecc needs static shapes")
        dims.append(dim.dim_value)
    return TensorType(element_type(tt.elem_type, what), dims)


def dense(array: np.ndarray, element: Attribute) -> DenseIntOrFPElementsAttr:
    """A dense attribute built from the array's raw little-endian bytes (fast for large weights)."""
    dtype = array.dtype.newbyteorder("<") if array.dtype.byteorder == ">" else array.dtype
    data = np.ascontiguousarray(array, dtype=dtype).tobytes()
    tensor: Any = TensorType(element, array.shape)  # any ONNX element type
    return DenseIntOrFPElementsAttr(tensor, BytesAttr(data))


def tensor_attr(tensor: onnx.TensorProto, what: str) -> DenseIntOrFPElementsAttr:
    """An ONNX tensor (initializer or `value` attribute) as a dense attribute."""
    element = element_type(tensor.data_type, what)
    try:
        array = numpy_helper.to_array(tensor)
    except Exception as err:  # external data missing, bad raw_data size, ...
        raise EeccError(f"{what} cannot be read: {err}") from None
    return dense(array, element)


def attribute(attr: onnx.AttributeProto, what: str) -> Attribute:
    """An ONNX node attribute (not graph-valued) as a builtin attribute."""
    A = onnx.AttributeProto
    kind = attr.type
    if kind == A.INT:
        return IntegerAttr(attr.i, i64)
    if kind == A.FLOAT:
        return FloatAttr(attr.f, Float32Type())
    if kind == A.STRING:
        return StringAttr(attr.s.decode("utf-8", errors="replace"))
    if kind == A.INTS:
        return DenseArrayBase.from_list(i64, list(attr.ints))
    if kind == A.FLOATS:
        return DenseArrayBase.from_list(f32, list(attr.floats))
    if kind == A.STRINGS:
        return ArrayAttr([StringAttr(s.decode("utf-8", errors="replace")) for s in attr.strings])
    if kind == A.TENSOR:
        return tensor_attr(attr.t, what)
    raise EeccError(
        f"{what} attribute '{attr.name}' is of kind {A.AttributeType.Name(kind)}, "
        "which eecc does not import"
    )
