"""`eecc dse`: curves, gain, match budget, byte-identical outputs, one-line errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from eecc.cli import main
from eecc.dse.sweep import parse_budgets, shifted

ROOT = Path(__file__).resolve().parents[2]
BLENET = ROOT / "examples" / "blenet" / "blenet.mlir"


def run_dse(out: Path, *extra: str) -> int:
    return main(["dse", str(BLENET), "--p", "0.25", "--budgets", "0.3,0.6,1.0", "-o", str(out), *extra])


def test_outputs_are_byte_identical(tmp_path: Path) -> None:
    assert run_dse(tmp_path / "a") == 0 and run_dse(tmp_path / "b") == 0
    for name in ("tap.csv", "tap.json", "tap.png"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_curves_and_summary(tmp_path: Path) -> None:
    assert run_dse(tmp_path) == 0
    rows = list(csv.DictReader((tmp_path / "tap.csv").open()))
    assert [r["budget"] for r in rows] == ["0.3", "0.6", "1.0"]
    for r in rows:
        assert float(r["early_exit"]) > float(r["baseline"])
        assert float(r["early_exit_share"]) <= float(r["budget"]) + 1e-12
        assert float(r["gain"]) == pytest.approx(float(r["early_exit"]) / float(r["baseline"]))
        assert float(r["early_exit_p_minus"]) >= float(r["early_exit_p_plus"])
    data = json.loads((tmp_path / "tap.json").read_text())
    assert data["network"] == "blenet" and data["rates"] == [1.0, 0.25]
    assert data["match_budget"] == 0.6
    assert data["baseline_best"] == pytest.approx(float(rows[-1]["baseline"]))


def test_baseline_is_the_backbone(tmp_path: Path) -> None:
    assert run_dse(tmp_path) == 0
    data = json.loads((tmp_path / "tap.json").read_text())
    # B-LeNet's backbone: conv1 128,000 + conv2 500,000 + conv3 720,000 + fc 7,200 MACs.
    assert data["macs_per_sample"]["baseline"] == 1_355_200
    assert data["macs_per_sample"]["early_exit"] == 128_000 + 115_200 + 6_400 + 0.25 * 1_227_200


def test_budget_parsing() -> None:
    assert parse_budgets("0.1:1.0:0.1") == [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
    assert parse_budgets("0.5,1") == [0.5, 1.0]
    with pytest.raises(ValueError, match="must lie in"):
        parse_budgets("0:1:0.5")
    assert shifted([1.0, 0.25, 0.1], 0.05) == [1.0, 0.3, 0.15000000000000002]
    assert shifted([1.0, 0.02], -0.05) == [1.0, 0.0]


def test_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dse", str(BLENET), "--p", "0.25", "--budgets", "2", "-o", str(tmp_path)]) == 1
    assert main(["dse", str(tmp_path / "none.mlir"), "--p", "0.25", "-o", str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0].startswith("eecc dse: error: budgets '2' must lie in (0, 1]")
    assert err[1].startswith("eecc dse: error:") and "no such file" in err[1]


@pytest.mark.parametrize(("budgets", "message"), [
    ("0.1:1.0:0.00001", "give 90001 designs; at most 1000 (use a larger step)"),
    ("0.1:1.0", "are not start:stop:step"),
    ("a:b:c", "are not numbers"),
    ("0.1:1.0:0", "budget step 0.0 must be positive"),
])
def test_budget_sweeps_are_bounded(tmp_path: Path, capsys, budgets: str, message: str) -> None:
    model = Path(__file__).resolve().parents[2] / "examples" / "blenet" / "blenet.onnx"
    assert main(["dse", str(model), "--p", "0.25", "--budgets", budgets,
                "-o", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err, err
