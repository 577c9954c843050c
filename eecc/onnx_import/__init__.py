"""ONNX import: an `.onnx` file to a faithful `onnx`-dialect module (`eecc import`).

    module = import_model(Path("examples/blenet/blenet.onnx"))

Steps: decode (external data beside the model too), fix a symbolic batch dimension to 1,
run onnx's shape inference, type the values of `If` branches that it left untyped, then
build one `onnx.node` per node with the node name as its location. Every problem with the
input is an `EeccError` naming the file, the node and what is wrong.
"""

from __future__ import annotations

from pathlib import Path

from xdsl.dialects.builtin import ModuleOp

from eecc.onnx_import.build import ModuleBuilder
from eecc.onnx_import.load import load
from eecc.onnx_import.shapes import collect_types, complete_branches


def import_model(path: Path | str) -> ModuleOp:
    """The `onnx`-dialect module of the model at `path` (verified)."""
    path = Path(path)
    model = load(path)
    types = collect_types(model.graph)
    complete_branches(model, model.graph, types)
    module = ModuleBuilder(model, path, types).build()
    module.verify()
    return module


__all__ = ["import_model"]
