"""The HLS emitter's API: names, project layout, weight order, and C++ that compiles cleanly."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import numpy as np
import pytest

from eecc import registry
from eecc.dialects.ee import GraphOp
from eecc.emit._hls_tables import stream_order_columns
from eecc.emit.hls import HlsTarget, emit_hls_project
from eecc.emit.naming import layer_names, layer_order, top_name
from eecc.errors import EeccError
from eecc.reference.model import context, load_model
from eecc.toolchain import CXX_FLAGS, ap_types_include, library_include

BLENET = Path(__file__).resolve().parents[2] / "examples" / "blenet" / "blenet.mlir"


@pytest.fixture(scope="module")
def blenet():
    module = load_model(BLENET)
    registry.load_pass("ee-legalize-hls")().apply(context(), module)
    return module


def graph_of(module) -> GraphOp:
    return next(op for op in module.walk() if isinstance(op, GraphOp))


def test_layer_names_descriptive_unique_topological(blenet) -> None:
    names = layer_names(graph_of(blenet))
    values = list(names.values())
    assert len(set(values)) == len(values)
    assert values[0] == "ee_conv_5x32x32_k5"
    assert "ee_exit_decision_10" in values and "ee_condbuffer_5x16x16_d16" in values
    assert values[-1] == "ee_exit_merge_10_n2"
    order = layer_order(graph_of(blenet))
    assert list(names) == order
    assert order.index(next(op for op in order if op.name == "ee.exit_decision")) < min(
        order.index(op) for op in order if op.name == "ee.condbuffer")
    assert top_name(values[0]) == "ee_conv_5x32x32_k5_top"
    assert layer_names(graph_of(blenet)) == names


def test_name_collisions_get_suffixes(tmp_path: Path) -> None:
    path = tmp_path / "twice.mlir"
    path.write_text("""builtin.module {
  ee.graph @g(%x: !ee.stream<2x4x4xf32>) -> !ee.stream<2x4x4xf32> {
    %a = ee.relu %x : !ee.stream<2x4x4xf32>
    %b = ee.relu %a : !ee.stream<2x4x4xf32>
    %c = ee.relu %b : !ee.stream<2x4x4xf32>
    ee.output %c : !ee.stream<2x4x4xf32>
  }
}""")
    names = list(layer_names(graph_of(load_model(path))).values())
    assert names == ["ee_relu_2x4x4", "ee_relu_2x4x4_1", "ee_relu_2x4x4_2"]


def test_project_layout(blenet) -> None:
    files = emit_hls_project(blenet, model_name="blenet", batch=64)
    names = layer_names(graph_of(blenet)).values()
    expected = {"hls/blenet_config.h", "hls/blenet_weights.h", "hls/blenet_top.h",
                "hls/blenet_top.cpp", "tb/testbench.cpp", "tb/board.cpp",
                "hls/blenet_weights.txt"}
    expected |= {f"hls/layers/{n}_top.cpp" for n in names}
    assert set(files) == expected
    assert "static const unsigned blenet_batch = 64;" in files["hls/blenet_top.h"]
    assert "ap_fixed" not in files["hls/blenet_weights.h"]
    top = files["hls/blenet_top.cpp"]
    assert top.count("eecc::ctrl_split<2>") == 1
    assert top.index("eecc::exit_decision<") < top.index("eecc::condbuffer<")


def test_target_prints_sorted_files_after_separators(blenet) -> None:
    out = io.StringIO()
    HlsTarget().emit(context(), blenet, out)
    paths = [line[len("// ===== "):-len(" =====")] for line in out.getvalue().splitlines()
             if line.startswith("// ===== ")]
    assert paths == sorted(emit_hls_project(blenet))


def test_weight_columns_to_stream_order() -> None:
    w = np.arange(2 * 3 * 2 * 2).reshape(2, 12)
    out = stream_order_columns(w, (3, 2, 2))
    assert out[0, :6].tolist() == [0, 4, 8, 1, 5, 9]
    assert stream_order_columns(w, None) is w


def test_errors(blenet, tmp_path: Path) -> None:
    with pytest.raises(EeccError, match="batch 70000"):
        emit_hls_project(blenet, batch=70000)
    with pytest.raises(EeccError, match="run --ee-legalize-hls first"):
        emit_hls_project(load_model(BLENET))


def test_every_file_compiles_without_warnings(blenet, tmp_path: Path) -> None:
    """The top, the testbench and every per-layer IP in one translation unit, -Werror."""
    files = emit_hls_project(blenet)
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    unit = tmp_path / "hls" / "layers" / "all.cpp"
    unit.write_text("".join(f'#include "{Path(p).name}"\n' for p in files
                            if p.startswith("hls/layers/")) + '#include "../model_top.cpp"\n')
    cmd = ["g++", *CXX_FLAGS, "-fsyntax-only", f"-I{library_include()}", "-isystem",
           str(ap_types_include())]
    for source in (unit, tmp_path / "tb" / "testbench.cpp"):
        for mode in ([], ["-DEECC_WEIGHT_FILES"], ["-DEECC_WEIGHT_FILES", "-DEECC_BOARD"]):
            result = subprocess.run([*cmd, *mode, str(source)], capture_output=True, text=True,
                                    check=False)
            assert result.returncode == 0, result.stderr[:3000]
