"""Reading an ONNX file: decoding, external data, the batch dimension and shape inference.

Every failure is an `EeccError` of one line that names the file and says what is wrong.
A symbolic first dimension of a graph input or output (the batch, `batch_size`, `N`, ...)
is fixed to 1: eecc compiles streaming accelerators that take one sample at a time. Any
other symbolic dimension is an error.
"""

from __future__ import annotations

from pathlib import Path

import onnx
from google.protobuf.message import DecodeError

from eecc.errors import EeccError

MIN_OPSET = 7


def read_model(path: Path) -> onnx.ModelProto:
    """Decode `path` (and the external data files beside it) into a `ModelProto`."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise EeccError(f"{path}: cannot read the file: {err.strerror}") from None
    model = onnx.ModelProto()
    try:
        model.ParseFromString(data)
    except DecodeError:
        raise EeccError(f"{path}: {_undecodable(data)}") from None
    if model.ir_version == 0 or not model.HasField("graph"):
        raise EeccError(f"{path}: not an ONNX model (no IR version or no graph in the file)")
    _load_external_data(model, path)
    return model


def _undecodable(data: bytes) -> str:
    """Why a file that is not a valid `ModelProto` failed: truncated ONNX or something else."""
    looks_like_onnx = len(data) > 2 and data[0] == 0x08 and data[1] < 0x80 and 0 < data[1] < 64
    if looks_like_onnx:
        return (f"truncated or corrupt ONNX file ({len(data)} bytes): the protobuf "
                "message ends early or is damaged; re-export the model")
    return "not an ONNX model (the file is not an ONNX protobuf; expected a .onnx export)"


def _load_external_data(model: onnx.ModelProto, path: Path) -> None:
    from onnx.checker import ValidationError
    from onnx.external_data_helper import load_external_data_for_model

    try:
        load_external_data_for_model(model, str(path.parent))
    except (OSError, ValueError, ValidationError) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise EeccError(f"{path}: cannot load external tensor data: {first}") from None


def fix_batch(model: onnx.ModelProto, path: Path) -> None:
    """Set a symbolic leading (batch) dimension of graph inputs and outputs to 1."""
    graph = model.graph
    initializers = {t.name for t in graph.initializer}
    for value in [*graph.input, *graph.output]:
        if value.name in initializers or not value.type.HasField("tensor_type"):
            continue
        dims = value.type.tensor_type.shape.dim
        for i, dim in enumerate(dims):
            if dim.HasField("dim_value"):
                continue
            if i > 0:
                label = dim.dim_param or "?"
                raise EeccError(
                    f"{path}: graph input/output '{value.name}' has dynamic dimension {i} "
                    f"('{label}'); only the leading batch dimension may be symbolic (it is "
                    "fixed to 1); re-export with a static input shape"
                )
            dim.dim_value = 1


def infer_shapes(model: onnx.ModelProto, path: Path) -> onnx.ModelProto:
    """onnx's shape inference (with constant propagation for Reshape targets)."""
    try:
        return onnx.shape_inference.infer_shapes(model, data_prop=True)
    except Exception as err:  # onnx raises InferenceError, ValidationError, RuntimeError
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise EeccError(f"{path}: shape inference failed: {first}") from None


def check_opsets(model: onnx.ModelProto, path: Path) -> None:
    """The default ONNX domain's opset must be one this onnx release knows, and >= 7."""
    newest = onnx.defs.onnx_opset_version()
    for entry in model.opset_import:
        if entry.domain not in ("", "ai.onnx"):
            continue
        if not MIN_OPSET <= entry.version <= newest:
            raise EeccError(f"{path}: opset {entry.version} of the ONNX domain is not supported "
                            f"(supported: {MIN_OPSET} to {newest}); re-export with such an opset")


def load(path: Path) -> onnx.ModelProto:
    """Read, check the opset, fix the batch dimension and infer shapes (after folding the
    constant plumbing, if some shape stays unknown without)."""
    from eecc.onnx_import.fold import fold_constants, has_unknown_shapes

    model = read_model(path)
    check_opsets(model, path)
    fix_batch(model, path)
    inferred = infer_shapes(model, path)
    if not has_unknown_shapes(inferred):
        return inferred
    return infer_shapes(fold_constants(model), path)
