"""`eecc compile --data-format/--weight-format/--thresholds/--threshold-set`: the choices
reach the IR, the rates follow the thresholds, and every misuse is one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eecc.cli import main

BLENET = Path(__file__).resolve().parents[2] / "examples" / "blenet"
PROFILE = BLENET / "profile.json"


def _compile(tmp_path: Path, *extra: str) -> str:
    out = tmp_path / "out"
    assert main(["compile", str(BLENET / "blenet.onnx"), *extra, "-o", str(out)]) == 0
    return (out / "model.mlir").read_text()


def test_threshold_set_takes_thresholds_and_rates_from_the_sweep(tmp_path: Path) -> None:
    entry = json.loads(PROFILE.read_text())["sweep"][5]
    ir = _compile(tmp_path, "--profile", str(PROFILE), "--threshold-set", "5")
    assert f"threshold = {entry['thresholds'][0]:.6e} : f64" in ir
    assert f"ee.stage 1 rate {entry['reach'][1]:.6e}" in ir
    assert "sweep entry 5" in (tmp_path / "out" / "report.md").read_text()


def test_thresholds_with_a_profile_use_the_matching_sweep_entry(tmp_path: Path) -> None:
    entry = next(e for e in json.loads(PROFILE.read_text())["sweep"] if e["thresholds"] == [0.9])
    ir = _compile(tmp_path, "--profile", str(PROFILE), "--thresholds", "0.9")
    assert "threshold = 9.000000e-01 : f64" in ir
    assert f"ee.stage 1 rate {entry['reach'][1]:.6e}" in ir


def test_formats_reach_the_legalised_ir(tmp_path: Path) -> None:
    ir = _compile(tmp_path, "--p", "0.25", "--data-format", "12,6", "--weight-format", "10,4")
    assert "!ee.fixed<12, 6>" in ir and "!ee.fixed<16, 8>" not in ir
    assert "weight_type = !ee.fixed<10, 4>" in ir
    assert "ap_fixed<12,6>" in (tmp_path / "out" / "report.md").read_text()


@pytest.mark.parametrize(("args", "message"), [
    (["--p", "0.25", "--threshold-set", "1"], "--threshold-set needs --profile"),
    (["--profile", str(PROFILE), "--threshold-set", "99"], "--threshold-set 99 is outside [0, 7]"),
    (["--p", "0.25", "--thresholds", "1.5"], "--thresholds 1.5 is outside (0, 1]"),
    (["--p", "0.25", "--thresholds", "x"], "--thresholds 'x' is not a comma-separated list"),
    (["--p", "0.25", "--thresholds", "0.9,0.8"], "--thresholds gives 2 values; the network has 1"),
    (["--profile", str(PROFILE), "--thresholds", "0.93"], "no sweep entry at thresholds 0.93"),
    (["--p", "0.25", "--data-format", "33,16"], "--data-format 33,16 needs 2 <= width <= 32"),
    (["--p", "0.25", "--weight-format", "16"], "--weight-format '16' is not WIDTH,INT_BITS"),
])
def test_misuse_is_one_line(tmp_path: Path, capsys, args: list[str], message: str) -> None:
    out = tmp_path / "out"
    assert main(["compile", str(BLENET / "blenet.onnx"), *args, "-o", str(out)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err, err
    assert not out.exists()


def test_compile_says_when_a_resource_is_nearly_full(tmp_path: Path, capsys) -> None:
    _compile(tmp_path, "--p", "0.5")
    err = capsys.readouterr().err
    assert "eecc compile: expected " in err and "samples/s; LUT " in err
    assert "LUT above 95%: place and route may fail; a smaller --budget leaves room" in err
    _compile(tmp_path / "half", "--p", "0.25", "--budget", "0.5")
    assert "above 95%" not in capsys.readouterr().err


def test_model_mlir_states_what_the_report_says(tmp_path: Path) -> None:
    import re

    ir = _compile(tmp_path, "--p", "0.25", "--budget", "0.5")
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    found = re.search(r"throughput = ([0-9.e+]+)", ir)
    assert found and round(float(found.group(1)), 1) == round(report["throughput"], 1)
    depths = [int(d) for d in re.findall(r"ee\.stage \d .*?cost = #ee\.cost<latency = \d+, depth = (\d+)", ir)]
    assert depths == [stage["depth_cycles"] for stage in report["stages"]]


def test_notes_recorded_in_the_ir_are_collected_once() -> None:
    from eecc.commands.compile import notes

    ir = 'ee.graph {ee.note = "folded for rate 1"} ee.stage {ee.note = "folded for rate 1"}' \
         ' ee.conv {ee.note = "a \\"quoted\\" note"}'
    assert notes(ir) == ["folded for rate 1", 'a \\"quoted\\" note']
