"""Every bad input to `eecc import` gives one line on stderr naming the file (and the node),
a non-zero exit, no traceback and no output file."""

from __future__ import annotations

from pathlib import Path

import onnx
import pytest
from onnx import TensorProto, helper

from eecc.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
F = TensorProto.FLOAT


def _save(tmp_path: Path, graph: onnx.GraphProto, name: str = "bad.onnx") -> Path:
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 10
    path = tmp_path / name
    onnx.save(model, path)
    return path


def _relu_graph(in_shape: list, out_shape: list) -> onnx.GraphProto:
    return helper.make_graph(
        [helper.make_node("Relu", ["x"], ["y"], name="relu")], "g",
        [helper.make_tensor_value_info("x", F, in_shape)],
        [helper.make_tensor_value_info("y", F, out_shape)],
    )


def _import_fails(tmp_path: Path, model: Path, capsys) -> str:
    out = tmp_path / "out.mlir"
    assert main(["import", str(model), "-o", str(out)]) == 1
    assert not out.exists()
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"eecc import: error: {model}: ")
    return lines[0]


def test_not_an_onnx_file(tmp_path: Path, capsys) -> None:
    path = tmp_path / "notes.onnx"
    path.write_text("this is a text file, not a model\n")
    assert "not an ONNX model" in _import_fails(tmp_path, path, capsys)


def test_truncated_file(tmp_path: Path, capsys) -> None:
    path = tmp_path / "cut.onnx"
    path.write_bytes((EXAMPLES / "blenet" / "blenet.onnx").read_bytes()[:40000])
    assert "truncated or corrupt ONNX file" in _import_fails(tmp_path, path, capsys)


def test_missing_file(tmp_path: Path, capsys) -> None:
    assert "cannot read the file" in _import_fails(tmp_path, tmp_path / "none.onnx", capsys)


def test_dynamic_spatial_dimension(tmp_path: Path, capsys) -> None:
    path = _save(tmp_path, _relu_graph([1, 3, "height", 8], [1, 3, "height", 8]))
    line = _import_fails(tmp_path, path, capsys)
    assert "graph input/output 'x' has dynamic dimension 2 ('height')" in line


def test_symbolic_batch_is_fixed_to_one(tmp_path: Path, capsys) -> None:
    path = _save(tmp_path, _relu_graph(["batch", 3, 8, 8], ["batch", 3, 8, 8]))
    out = tmp_path / "ok.mlir"
    assert main(["import", str(path), "-o", str(out)]) == 0
    assert "tensor<1x3x8x8xf32>" in out.read_text()


def test_missing_initializer(tmp_path: Path, capsys) -> None:
    graph = helper.make_graph(
        [helper.make_node("Conv", ["x", "conv.weight"], ["y"], name="/conv1/Conv")], "g",
        [helper.make_tensor_value_info("x", F, [1, 1, 4, 4])],
        [helper.make_tensor_value_info("y", F, [1, 2, 2, 2])],
    )
    line = _import_fails(tmp_path, _save(tmp_path, graph), capsys)
    assert "node '/conv1/Conv' (Conv) reads 'conv.weight'" in line
    assert "missing initializer" in line


def test_if_branches_disagree(tmp_path: Path, capsys) -> None:
    then_g = helper.make_graph([helper.make_node("Identity", ["a"], ["ta"], name="then_id")],
                               "then", [], [helper.make_tensor_value_info("ta", F, [1, 10])])
    else_g = helper.make_graph([helper.make_node("Identity", ["b"], ["eb"], name="else_id")],
                               "else", [], [helper.make_tensor_value_info("eb", F, [1, 5])])
    graph = helper.make_graph(
        [helper.make_node("If", ["c"], ["y"], name="/If", then_branch=then_g, else_branch=else_g)],
        "g",
        [helper.make_tensor_value_info("c", TensorProto.BOOL, []),
         helper.make_tensor_value_info("a", F, [1, 10]),
         helper.make_tensor_value_info("b", F, [1, 5])],
        [helper.make_tensor_value_info("y", F, None)],
    )
    line = _import_fails(tmp_path, _save(tmp_path, graph), capsys)
    assert "node '/If' (If) branches disagree on output 0" in line
    assert "tensor<1x10xf32>" in line and "tensor<1x5xf32>" in line


@pytest.mark.parametrize("form", ["onnx", "dynamo.onnx"])
def test_good_examples_import(tmp_path: Path, form: str) -> None:
    out = tmp_path / "ok.mlir"
    assert main(["import", str(EXAMPLES / "blenet" / f"blenet.{form}"), "-o", str(out)]) == 0
    assert out.read_text().startswith("builtin.module {")
