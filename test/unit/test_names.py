"""Node names eecc did not choose: non-ASCII or a newline still give a `model.mlir` that
eecc parses again and a `report.md` whose table rows stay one line each."""

from __future__ import annotations

from pathlib import Path

import onnx
import pytest
from bad_onnx import build, rename

from eecc.cli import main
from eecc.reference.model import load_model

BLENET = Path(__file__).resolve().parents[2] / "examples" / "blenet" / "blenet.onnx"


@pytest.mark.parametrize(("name", "shown"), [
    ("/trunk/0/0/Conv_\u00e9\u2713", "/trunk/0/0/Conv_\\xe9\\u2713"),
    ("/trunk/0/0/Conv\nsecond line", "/trunk/0/0/Conv\\nsecond line"),
])
def test_odd_node_names_survive_the_project(tmp_path: Path, name: str, shown: str) -> None:
    model = tmp_path / "model.onnx"
    onnx.save(build(onnx.load(BLENET), rename("/trunk/0/0/Conv", name)), model)
    out = tmp_path / "out"
    assert main(["compile", str(model), "--p", "0.25", "-o", str(out)]) == 0
    load_model(out / "model.mlir")
    report = (out / "report.md").read_text()
    assert shown in report
    assert not any(line.startswith("second line") for line in report.splitlines())
