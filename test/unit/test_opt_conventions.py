"""eecc-opt keeps MLIR's habits: `-` and `-o -`, `--pass-pipeline`, `--version`, its own
targets, float options as `1` or `1e-3`, IR after each pass, and one-line user errors
(never a hang on an unterminated string or a huge tensor)."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from eecc import __version__
from eecc.opt import main

ROOT = Path(__file__).resolve().parents[2]
BLENET = ROOT / "examples" / "blenet" / "blenet.mlir"


def run(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    """eecc-opt in process: (exit code, stdout, stderr)."""
    try:
        main(list(argv))
        code = 0
    except SystemExit as done:
        code = int(done.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def error(capsys: pytest.CaptureFixture, *argv: str) -> str:
    code, _, err = run(capsys, *argv)
    assert code == 1, err
    lines = err.strip().splitlines()
    assert lines and lines[0].startswith("eecc-opt: error: "), err
    assert "internal error" not in err and "Traceback" not in err
    return err


def test_dash_reads_stdin_and_dash_o_writes_stdout(capsys, monkeypatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(BLENET.read_bytes())))
    code, out, _ = run(capsys, "-", "-o", "-")
    assert code == 0 and out == BLENET.read_text()
    assert not (tmp_path / "-").exists()


def test_pass_pipeline_with_the_module_anchor(capsys) -> None:
    code, out, _ = run(capsys, str(BLENET),
                       "--pass-pipeline=builtin.module(ee-partition,ee-annotate-rates{p=0.25})")
    assert code == 0 and "ee.stage" in out and "rate = " in out


def test_version_names_eecc(capsys) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.startswith(f"eecc-opt {__version__} (xdsl ")


def test_targets_are_eeccs(capsys) -> None:
    err = run(capsys, str(BLENET), "-t", "riscv-asm")[2]
    assert "invalid choice: 'riscv-asm' (choose from mlir, hls, vivado-tcl, report, report-json)" in err


@pytest.mark.parametrize("budget", ["1", "1e-0", "1.0"])
def test_float_options_take_integers_and_exponents(capsys, budget: str) -> None:
    code, out, err = run(capsys, str(BLENET), "--ee-partition", "--ee-annotate-rates=p=0.25",
                         f"--fold=budget={budget}")
    assert code == 0, err
    assert "#ee.fold<" in out


def test_a_negative_float_option_reaches_the_pass_check(capsys) -> None:
    err = error(capsys, str(BLENET), "--ee-partition", "--ee-annotate-rates=p=0.25",
                "--fold=budget=-0.5")
    assert "budget" in err


def test_print_ir_after_all(capsys) -> None:
    code, _, err = run(capsys, str(BLENET), "--ee-partition", "--ee-annotate-rates=p=0.25",
                       "--print-ir-after-all")
    assert code == 0
    assert "IR after ee-partition" in err and "IR after ee-annotate-rates" in err


def test_unknown_pass_in_a_pipeline(capsys) -> None:
    assert "unknown pass 'ee-partitoin'; did you mean 'ee-partition'?" in error(
        capsys, str(BLENET), "-p", "ee-partitoin")


def test_output_into_a_folder_is_refused_before_work(capsys, tmp_path) -> None:
    err = error(capsys, str(BLENET), "--ee-partition", "-o", str(tmp_path))
    assert f"-o {tmp_path}: is a folder; expected a file name" in err


def test_output_into_a_missing_folder(capsys, tmp_path) -> None:
    err = error(capsys, str(BLENET), "-o", str(tmp_path / "no" / "out.mlir"))
    assert "does not exist" in err


def test_unknown_extension(capsys, tmp_path) -> None:
    path = tmp_path / "model.txt"
    path.write_text(BLENET.read_text())
    assert "unknown file extension '.txt' (expected .mlir)" in error(capsys, str(path))


def test_an_unterminated_string_is_refused_at_once(capsys, tmp_path) -> None:
    path = tmp_path / "bad.mlir"
    path.write_text('builtin.module {\n  "ee.weight"() {sym_name = "' + "a" * 200 + "\n}\n")
    err = error(capsys, str(path))
    assert f"{path}:2:29: unterminated string literal" in err


def test_a_string_with_escapes_and_a_comment_quote_are_fine() -> None:
    from eecc.source import unterminated_string

    assert unterminated_string('%0 = "a\\"b" // a "quote') is None
    assert unterminated_string('x = "ok" y = "open') == 14


def test_a_huge_splat_is_refused_before_parsing(capsys, tmp_path) -> None:
    path = tmp_path / "huge.mlir"
    path.write_text("builtin.module {\n  ee.weight @w = dense<0.0> : tensor<100000x100000xf32>\n}\n")
    err = error(capsys, str(path))
    assert "tensor<100000x100000x...> has 10000000000 elements; eecc supports tensors of at most 16777216" in err


def test_not_utf8(capsys, tmp_path) -> None:
    path = tmp_path / "bin.mlir"
    path.write_bytes(b"\xff\xfe\x00")
    assert "not UTF-8 text" in error(capsys, str(path))


def test_a_bug_is_an_internal_error_not_a_user_error(capsys, monkeypatch) -> None:
    def broken(self, ctx, op) -> None:  # noqa: ANN001
        raise ValueError("a bug")

    from eecc.passes.ee_partition import EePartitionPass
    monkeypatch.setattr(EePartitionPass, "apply", broken)
    code, _, err = run(capsys, str(BLENET), "--ee-partition")
    assert code == 70 and "internal error: ValueError: a bug" in err


def test_a_number_too_large_for_its_type(capsys, tmp_path) -> None:
    path = tmp_path / "big.mlir"
    path.write_text("builtin.module {\n  ee.weight @w = dense<[[1.0, 1.0e+39]]> : tensor<1x2xf32>\n}\n")
    assert "a number does not fit its type" in error(capsys, str(path))


EXPECTING = """// expected-error {{threshold 1.5 is outside}}
builtin.module {
  ee.graph @g(%x: !ee.stream<3xf32>) -> !ee.stream<3xf32> {
    %a = ee.relu %x : !ee.stream<3xf32>
    ee.output %a : !ee.stream<3xf32>
  }
}
"""


def test_verify_diagnostics_fails_when_an_expected_error_is_missing(capsys, tmp_path) -> None:
    path = tmp_path / "expect.mlir"
    path.write_text(EXPECTING)
    err = error(capsys, str(path), "--verify-diagnostics")
    assert "chunk 1 (line 1): expected error 'threshold 1.5 is outside' but the chunk passed" in err


def test_verify_diagnostics_fails_on_a_different_error(capsys, tmp_path) -> None:
    path = tmp_path / "expect.mlir"
    path.write_text(EXPECTING.replace("ee.relu %x", "ee.relu %y"))
    err = error(capsys, str(path), "--verify-diagnostics", "--parsing-diagnostics")
    assert "expected error 'threshold 1.5 is outside' not in" in err


def test_verify_diagnostics_passes_on_the_expected_error(capsys, tmp_path) -> None:
    path = tmp_path / "expect.mlir"
    path.write_text("""// expected-error {{threshold 1.5 is outside (0, 1]}}
builtin.module {
  ee.graph @g(%x: !ee.stream<3xf32>) -> !ee.stream<3xf32> {
    %a = ee.relu %x : !ee.stream<3xf32>
    %0, %1 = ee.split %a : !ee.stream<3xf32> -> !ee.stream<3xf32>, !ee.stream<3xf32>
    %d = ee.exit_decision %0 {threshold = 1.5 : f64} : !ee.stream<3xf32>
    %c = ee.condbuffer %1, %d {mode = "pass-on-exit"} : !ee.stream<3xf32>
    ee.output %c : !ee.stream<3xf32>
  }
}
""")
    code, out, err = run(capsys, str(path), "--verify-diagnostics")
    assert code == 0, err
    assert "threshold 1.5 is outside (0, 1]" in out


def test_help_lists_pass_options(capsys, monkeypatch) -> None:
    monkeypatch.setattr(sys, "argv", ["eecc-opt", "--help"])
    code, out, _ = run(capsys, "--help")
    assert code == 0
    assert "options: budget=1.0 platform=zc706" in out
    assert "options: data-width=16 data-int=8 weight-width=16 weight-int=8" in out
