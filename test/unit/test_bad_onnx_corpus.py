"""The bad-input corpus: over 100 malformed or unsupported ONNX models (made from B-LeNet
by `bad_onnx.py`), each refused by `eecc compile` with one line, exit 1, no traceback, no
internal error and no output folder."""

from __future__ import annotations

from pathlib import Path

import onnx
import pytest
from bad_onnx import build, corpus

from eecc.cli import main

BLENET = Path(__file__).resolve().parents[2] / "examples" / "blenet" / "blenet.onnx"
CASES = corpus()


@pytest.fixture(scope="module")
def base() -> onnx.ModelProto:
    return onnx.load(BLENET)


def test_the_corpus_has_over_100_models() -> None:
    assert len(CASES) >= 100
    assert len({name for name, _ in CASES}) == len(CASES)


@pytest.mark.parametrize(("name", "mutate"), CASES, ids=[name for name, _ in CASES])
def test_compile_refuses_with_one_line(tmp_path: Path, capsys, base, name, mutate) -> None:
    model = tmp_path / "model.onnx"
    onnx.save(build(base, mutate), model)
    out = tmp_path / "out"
    assert main(["compile", str(model), "--p", "0.25", "-o", str(out)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith("eecc compile: error: "), err
    assert "internal error" not in err and "Traceback" not in err
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.onnx"]


@pytest.mark.parametrize(("name", "mutate"), CASES[::8], ids=[name for name, _ in CASES[::8]])
def test_dse_refuses_with_one_line(tmp_path: Path, capsys, base, name, mutate) -> None:
    model = tmp_path / "model.onnx"
    onnx.save(build(base, mutate), model)
    assert main(["dse", str(model), "--p", "0.25", "--budgets", "0.5",
                 "-o", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("eecc dse: error: "), err
