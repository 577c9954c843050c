"""Weight tables in files: the C simulation reads `hls/<model>_weights.txt` at start-up,
synthesis keeps the header's initialisers (emit/_hls_tables.py, emit/include/eecc/weights.h)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from test_csim import small_module, write_project  # type: ignore[import-not-found]

from eecc.compile import library_headers
from eecc.csim import run_csim
from eecc.dialects.ee import ConvOp, LinearOp
from eecc.emit._hls_tables import FILE_MAGIC, flattened_from, stream_order_columns, weight_array
from eecc.emit.hls import emit_hls_project
from eecc.emit.naming import layer_names
from eecc.errors import EeccError
from eecc.fixedpoint import FixedFormat
from eecc.network import find_graph

pytest.importorskip("hls4ml")

WEIGHTS = "hls/model_weights.txt"


def read_tables(text: str) -> dict[str, np.ndarray]:
    """The tables of a weights file by name (the format of emit/include/eecc/weights.h)."""
    first, _, rest = text.partition("\n")
    assert first.startswith(FILE_MAGIC)
    tables: dict[str, np.ndarray] = {}
    for block in rest.split("table ")[1:]:
        head, _, values = block.partition("\n")
        name, count = head.split()
        tables[name] = np.array(values.split(), dtype=np.int64)
        assert len(tables[name]) == int(count)
    return tables


def _fmt(t) -> FixedFormat:
    return FixedFormat(t.width.data, t.int_bits.data)


def test_round_trip_equals_the_quantised_weights(tmp_path: Path) -> None:
    module = small_module(tmp_path, 0.6)
    tables = read_tables(emit_hls_project(module)[WEIGHTS])
    graph = find_graph(module)
    checked = 0
    for op, name in layer_names(graph).items():
        if not isinstance(op, ConvOp | LinearOp):
            continue
        values = weight_array(op, op.weight)
        if isinstance(op, LinearOp):
            values = stream_order_columns(values, flattened_from(op.input))
        fmt = _fmt(op.weight_type or graph.attributes["weight_type"])
        assert np.array_equal(tables[f"{name}_w"], fmt.quantize(values).reshape(-1))
        checked += 1
    assert checked == 3
    assert any(n.startswith("eecc_exp_lut_f") for n in tables)


def test_two_emissions_give_identical_files(tmp_path: Path) -> None:
    a = emit_hls_project(small_module(tmp_path, 0.6))
    b = emit_hls_project(small_module(tmp_path, 0.6))
    assert a[WEIGHTS] == b[WEIGHTS] and a["hls/model_weights.h"] == b["hls/model_weights.h"]


def _preprocess(header: Path, *defines: str) -> str:
    cmd = ["g++", "-E", "-P", "-x", "c++", *defines, str(header)]
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def test_synthesis_sees_the_initialisers(tmp_path: Path) -> None:
    """Vivado defines __SYNTHESIS__: the ROM initialisers, whatever else is defined; the
    C simulation's build has none of them."""
    folder = write_project(small_module(tmp_path, 0.6), tmp_path / "project")
    names = read_tables((folder / WEIGHTS).read_text())
    header = folder / "hls" / "model_weights.h"
    for defines in ((), ("-D__SYNTHESIS__",), ("-D__SYNTHESIS__", "-DEECC_WEIGHT_FILES")):
        text = _preprocess(header, *defines)
        for name in names:
            assert re.search(rf"static const \w+( \w+)? {name}(\[\d+\])+ = \{{", text), name
    csim = (folder / "hls" / "model_weights.h").read_text().split("#else")[0]
    assert " = {" not in csim and "model_load_weights" in csim
    for ip in (folder / "hls" / "layers").glob("*_top.cpp"):
        assert '#include "../model_weights.h"' in ip.read_text()


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory):
    """One project built once (the build is cached by its folder and sources)."""
    tmp = tmp_path_factory.mktemp("weights")
    folder = write_project(small_module(tmp, 0.6), tmp / "project")
    x = np.random.default_rng(2).uniform(-2, 2, size=(8, 2, 6, 6))
    run_csim(folder, x)
    return folder, x, (folder / WEIGHTS).read_text()


@pytest.fixture
def built(project):
    folder, x, good = project
    (folder / WEIGHTS).write_text(good)
    yield folder, x
    (folder / WEIGHTS).write_text(good)


def _damage(path: Path, how: str) -> None:
    text = path.read_text()
    if how == "missing":
        path.unlink()
    elif how == "short":
        path.write_text(text[: len(text) // 2])
    elif how == "value":
        head, _, body = text.partition("table ee_conv")  # first value of a table changed
        line, _, values = body.partition("\n")
        first, _, others = values.partition(" ")
        path.write_text(f"{head}table ee_conv{line}\n{int(first) + 1} {others}")
    elif how == "extra":
        path.write_text(text + "1 2 3\n")
    else:
        path.write_text("not weights\n")


@pytest.mark.parametrize(("how", "message"), [
    ("missing", "cannot be opened"), ("short", "short or corrupt"),
    ("value", "wrong checksum"), ("extra", "data after the last table"),
    ("magic", "not an eecc weights file")])
def test_bad_weights_file_is_one_line_and_fails(built, how: str, message: str) -> None:
    folder, x = built
    weights = folder / WEIGHTS
    assert "table ee_conv" in weights.read_text()
    _damage(weights, how)
    with pytest.raises(EeccError) as err:
        run_csim(folder, x)
    text = str(err.value)
    assert "exit code 2" in text and message in text and str(weights) in text
    assert len(text.splitlines()) == 1, text


def test_csim_builds_against_the_projects_own_library(built) -> None:
    """Issue 10 item 8: `hls/include/` of the project, not the installed library."""
    folder, x = built
    for rel, text in library_headers().items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text)
    run_csim(folder, x)
    own = folder / "hls" / "include" / "eecc" / "weights.h"
    own.write_text('#error "the project\'s own copy of the library"\n' + own.read_text())
    with pytest.raises(EeccError, match="own copy of the library"):
        run_csim(folder, x)
    shutil.rmtree(folder / "hls" / "include")
