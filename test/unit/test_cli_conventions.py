"""The `eecc` driver's habits: no command is an error, flags are never abbreviated, a bad
flag shows the subcommand's usage, Ctrl-C exits 130 quietly, bugs stay internal errors."""

from __future__ import annotations

from pathlib import Path

import pytest

import eecc.cli
from eecc.cli import main

BLENET = Path(__file__).resolve().parents[2] / "examples" / "blenet" / "blenet.onnx"


def _exit(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as done:
        main(argv)
    return int(done.value.code or 0)


def test_no_command_is_an_error(capsys) -> None:
    assert _exit([]) == 2
    err = capsys.readouterr().err
    assert "usage: eecc" in err and "a command is required" in err


def test_an_abbreviated_flag_is_refused(capsys, tmp_path) -> None:
    assert _exit(["compile", str(BLENET), "--p", "0.25", "-o", str(tmp_path / "o"),
                  "--forc"]) == 2
    err = capsys.readouterr().err
    assert "usage: eecc compile" in err and "unrecognized arguments: --forc" in err
    assert not (tmp_path / "o").exists()


def test_a_mistyped_flag_shows_the_subcommands_usage(capsys) -> None:
    assert _exit(["run", str(BLENET), "--inptu", "x.npy", "--input", "x.npy", "-o", "y"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: eecc run") and "unrecognized arguments: --inptu" in err


def test_ctrl_c_exits_130_without_a_traceback(capsys, monkeypatch) -> None:
    def interrupted():  # noqa: ANN202
        raise KeyboardInterrupt

    monkeypatch.setattr(eecc.cli, "build_parser", interrupted)
    assert main(["compile"]) == 130
    assert capsys.readouterr().err.strip() == "eecc: interrupted"


def test_a_bug_in_a_command_is_an_internal_error(capsys, monkeypatch) -> None:
    import eecc.commands.import_ as command

    def broken(args):  # noqa: ANN001, ANN202
        raise ValueError("a bug")

    monkeypatch.setattr(command, "run", broken)
    with pytest.raises(SystemExit) as done:
        main(["import", str(BLENET)])
    assert done.value.code == 70
    assert "eecc import: internal error: ValueError: a bug" in capsys.readouterr().err


@pytest.mark.parametrize(("entry", "module", "tool"), [
    ("eecc", "eecc.cli", "eecc"), ("eecc_opt", "eecc.opt", "eecc-opt")])
def test_ctrl_c_during_start_up(capsys, monkeypatch, entry: str, module: str, tool: str) -> None:
    import builtins
    import sys

    import eecc.console

    real = builtins.__import__

    def slow_import(name, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        if name == module:
            raise KeyboardInterrupt
        return real(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, module, raising=False)
    monkeypatch.setattr(builtins, "__import__", slow_import)
    with pytest.raises(SystemExit) as done:
        getattr(eecc.console, entry)()
    assert done.value.code == 130
    assert capsys.readouterr().err.strip() == f"{tool}: interrupted"
