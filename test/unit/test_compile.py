"""`eecc compile`: every file of the project, byte-identical runs, one-line errors, no OUTDIR."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from eecc.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
EXPECTED = ("model.mlir", "report.json", "report.md", "README.md", "tcl/project.tcl",
            "tcl/block_design.tcl", "tcl/build_hls.tcl", "tcl/hls_layer.tcl", "tcl/flow.tcl",
            "host/main.c", "host/model_params.h", "hls/include/eecc/eecc.h")


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def _compile(tmp: Path, name: str, out: str, *extra: str) -> int:
    model = EXAMPLES / name / f"{name}.onnx"
    return main(["compile", str(model), *extra, "-o", str(tmp / out)])


@pytest.mark.parametrize("name", ["blenet", "blenet3"])
def test_compile_is_complete_and_deterministic(tmp_path: Path, name: str) -> None:
    profile = EXAMPLES / name / "profile.json"
    rates = ["--profile", str(profile)] if profile.is_file() else ["--p", "0.25,0.1"]
    assert _compile(tmp_path, name, "a", *rates) == 0
    assert _compile(tmp_path, name, "b", *rates) == 0
    a, b = _tree(tmp_path / "a"), _tree(tmp_path / "b")
    assert a == b
    for path in EXPECTED:
        assert path in a, path
    assert any(p.startswith("hls/layers/") and p.endswith("_top.cpp") for p in a)
    assert any(p.startswith("tb/") for p in a)
    report = json.loads(a["report.json"])
    assert report["platform"] == "zc706" and report["throughput"] > 0
    assert b"loc(" in a["model.mlir"]
    layers = [p for p in a if p.startswith("hls/layers/")]
    project = a["tcl/project.tcl"].decode()
    for layer in layers:
        assert f" {layer}}}" in project
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_a_third_network_with_p(tmp_path: Path) -> None:
    assert _compile(tmp_path, "smallcnn", "out", "--p", "0.25") == 0
    assert (tmp_path / "out" / "tcl" / "project.tcl").is_file()


def test_force_replaces_an_existing_project(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert _compile(tmp_path, "blenet", "out", "--p", "0.25") == 0
    (tmp_path / "out" / "old.txt").write_text("old")
    assert _compile(tmp_path, "blenet", "out", "--p", "0.25") == 1
    assert "already exists (use --force to replace it)" in capsys.readouterr().err
    assert _compile(tmp_path, "blenet", "out", "--p", "0.25", "--force") == 0
    assert not (tmp_path / "out" / "old.txt").exists()
    assert (tmp_path / "out" / "model.mlir").is_file()
    assert (tmp_path / "out" / ".eecc-project").is_file()
    mode = (tmp_path / "out").stat().st_mode & 0o777
    assert mode == (tmp_path / "out" / "hls").stat().st_mode & 0o777


@pytest.mark.parametrize(("args", "message"), [
    (["missing.onnx", "--p", "0.25"], "missing.onnx: no such model file"),
    ([None, "--profile", "nope.json"], "nope.json: no such profile file"),
    ([None, "--p", "0.25", "--platform", "zx81"], "unknown platform 'zx81'"),
    ([None, "--p", "0.25", "--budget", "1.5"], "--budget 1.5 is outside (0, 1]"),
    ([None, "--p", "0.25", "--batch", "70000"], "--batch 70000 is outside [1, 65535]"),
    ([None, "--p", "x"], "--p 'x' is not a comma-separated list of numbers"),
    ([None, "--p", "0.25", "--budget", "0.001"], "'fold' @"),
    ([None], "needs the rates of 1 stage(s) after the first"),
])
def test_errors_are_one_line_and_leave_no_outdir(tmp_path: Path, capsys: pytest.CaptureFixture,
                                                 args: list, message: str) -> None:
    model = str(EXAMPLES / "blenet" / "blenet.onnx")
    argv = ["compile", *[model if a is None else a for a in args], "-o", str(tmp_path / "out")]
    assert main(argv) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("eecc compile: error: ") and message in err
    assert len(err.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(shutil.which("g++") is None, reason="g++ not installed")
def test_compile_then_csim(tmp_path: Path) -> None:
    assert _compile(tmp_path, "blenet", "out", "--p", "0.25", "--batch", "16") == 0
    assert main(["csim", str(tmp_path / "out")]) == 0
