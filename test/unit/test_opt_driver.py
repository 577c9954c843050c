"""eecc-opt: MLIR-style pass flags, help, typo hints, one-line errors, no partial output."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from eecc import registry
from eecc.opt import rewrite_pass_flags

ROOT = Path(__file__).resolve().parents[2]
BLENET = ROOT / "examples" / "blenet" / "blenet.mlir"
PASSES = ["ee-partition", "fold", "ee-annotate-rates"]


def eecc_opt(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "eecc.opt", *args],
        input=stdin, capture_output=True, text=True, cwd=ROOT,
    )


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--ee-partition", "--fold", "m.mlir"], ["-p", "ee-partition,fold", "m.mlir"]),
        (["--fold=budget=0.5", "m.mlir"], ["-p", "fold{budget=0.5}", "m.mlir"]),
        (["--fold=budget=0.5 platform=zc706", "m.mlir"],
         ["-p", "fold{budget=0.5 platform=zc706}", "m.mlir"]),
        (["m.mlir", "-p", "ee-partition", "--fold"], ["-p", "ee-partition,fold", "m.mlir"]),
        (["m.mlir", "-t", "report", "--ee-annotate-rates=p=0.25"],
         ["-p", "ee-annotate-rates{p=0.25}", "m.mlir", "-t", "report"]),
        (["--print-op-generic", "m.mlir"], ["--print-op-generic", "m.mlir"]),
    ],
)
def test_pass_flags_become_one_pipeline_in_order(argv: list[str], expected: list[str]) -> None:
    assert rewrite_pass_flags(argv, PASSES) == expected


def test_every_pass_module_is_registered_under_its_flag() -> None:
    for flag in registry.pass_names():
        cls = registry.load_pass(flag)
        assert cls.name == flag
        assert registry.pass_summary(flag), f"--{flag} has no docstring summary"


def test_help_lists_every_pass_with_its_summary() -> None:
    result = eecc_opt("--help")
    assert result.returncode == 0
    for flag in registry.pass_names():
        line = next(ln for ln in result.stdout.splitlines() if ln.strip().startswith(f"--{flag} "))
        assert registry.pass_summary(flag)[:30] in line


def test_blenet_round_trips_to_identical_text() -> None:
    text = BLENET.read_text()
    assert eecc_opt(str(BLENET)).stdout == text
    generic = eecc_opt(str(BLENET), "--print-op-generic").stdout
    assert '"ee.conv"' in generic
    assert eecc_opt(stdin=generic).stdout == text


def test_a_misspelt_flag_is_an_error_with_a_suggestion() -> None:
    flag = registry.pass_names()[0]
    result = eecc_opt(f"--{flag[:-1]}", str(BLENET))
    assert result.returncode == 2
    assert f"did you mean '--{flag}'?" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_abbreviated_option_is_not_accepted() -> None:
    result = eecc_opt("--print-op-gen", str(BLENET))
    assert result.returncode == 2
    assert "did you mean '--print-op-generic'?" in result.stderr


def test_invalid_ir_is_one_line_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mlir"
    bad.write_text(BLENET.read_text().replace("threshold = 9.960000e-01", "threshold = 1.5"))
    out = tmp_path / "out.mlir"
    result = eecc_opt(str(bad), "-o", str(out))
    assert result.returncode == 1
    assert "'ee.exit_decision' threshold 1.5 is outside (0, 1]" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists(), "no output file may be written on error"


def test_a_parse_error_names_the_file_and_position(tmp_path: Path) -> None:
    bad = tmp_path / "broken.mlir"
    bad.write_text("builtin.module {\n  ee.graph @g(\n}\n")
    result = eecc_opt(str(bad))
    assert result.returncode == 1
    assert "broken.mlir:" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_input_file_is_one_line() -> None:
    result = eecc_opt("does-not-exist.mlir")
    assert result.returncode == 1
    assert "does-not-exist.mlir" in result.stderr
    assert "Traceback" not in result.stderr


def test_output_file_is_written_on_success(tmp_path: Path) -> None:
    out = tmp_path / "out.mlir"
    result = eecc_opt(str(BLENET), "-o", str(out))
    assert result.returncode == 0
    assert out.read_text() == BLENET.read_text()


def test_option_values_that_are_paths_are_quoted() -> None:
    args = rewrite_pass_flags(['--ee-annotate-rates=profile=/tmp/p.json'], PASSES)
    assert args == ["-p", 'ee-annotate-rates{profile="/tmp/p.json"}']
    args = rewrite_pass_flags(['--ee-annotate-rates=p=0.25,0.5'], PASSES)
    assert args == ["-p", "ee-annotate-rates{p=0.25,0.5}"]


def test_a_malformed_pipeline_is_an_error_without_traceback() -> None:
    result = eecc_opt(str(BLENET), "-p", "ee-partition{x=/y}")
    assert result.returncode == 1
    assert "Error parsing pass pipeline specification" in result.stderr
    assert "Traceback" not in result.stderr
