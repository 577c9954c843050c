"""Outputs: `-o ''` is refused, `--force` replaces only eecc project folders, `-o` into a
missing or unwritable folder is a one-line error for every command."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from eecc.cli import main

ROOT = Path(__file__).resolve().parents[2]
BLENET = ROOT / "examples" / "blenet"
DATA = ROOT / "examples" / "data" / "digits_test_28.npy"


def _error(capsys: pytest.CaptureFixture, argv: list[str]) -> str:
    assert main(argv) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert "internal error" not in err and "Traceback" not in err
    return err


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    """A folder holding a copy of the model, with that folder the current one."""
    folder = tmp_path / "work"
    folder.mkdir()
    shutil.copy(BLENET / "blenet.onnx", folder / "blenet.onnx")
    return folder


def test_empty_output_is_refused_and_deletes_nothing(model_dir: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(model_dir)
    err = _error(capsys, ["compile", "blenet.onnx", "--p", "0.25", "-o", "", "--force"])
    assert "-o '': empty path" in err
    assert (model_dir / "blenet.onnx").is_file()


@pytest.mark.parametrize("out", [".", ".."])
def test_force_never_replaces_the_current_folder_or_a_parent(model_dir: Path, capsys, monkeypatch,
                                                             out: str) -> None:
    monkeypatch.chdir(model_dir)
    (model_dir / ".eecc-project").write_text("")
    err = _error(capsys, ["compile", "blenet.onnx", "--p", "0.25", "-o", out, "--force"])
    assert "is the current folder or one of its parents" in err
    assert (model_dir / "blenet.onnx").is_file()


def test_force_never_replaces_the_folder_of_the_input(model_dir: Path, tmp_path: Path,
                                                      capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (model_dir / ".eecc-project").write_text("")
    err = _error(capsys, ["compile", "work/blenet.onnx", "--p", "0.25", "-o", "work", "--force"])
    assert "holds the input work/blenet.onnx" in err
    assert (model_dir / "blenet.onnx").is_file()


def test_force_never_replaces_the_home_folder(tmp_path: Path, capsys, monkeypatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / ".eecc-project").write_text("")
    monkeypatch.setenv("HOME", str(home))
    err = _error(capsys, ["compile", str(BLENET / "blenet.onnx"), "--p", "0.25",
                          "-o", str(home), "--force"])
    assert "is the home folder" in err


def test_force_refuses_a_folder_eecc_did_not_write(tmp_path: Path, capsys) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("precious")
    err = _error(capsys, ["compile", str(BLENET / "blenet.onnx"), "--p", "0.25",
                          "-o", str(tmp_path / "mine"), "--force"])
    assert "not an eecc project folder (no .eecc-project)" in err
    assert (tmp_path / "mine" / "thesis.tex").read_text() == "precious"


def _commands(out: str) -> list[list[str]]:
    model = str(BLENET / "blenet.onnx")
    return [
        ["compile", model, "--p", "0.25", "-o", out],
        ["run", model, "--input", str(DATA), "-o", out],
        ["import", model, "-o", out],
        ["profile", model, "--data", str(DATA), "-o", out],
        ["dse", model, "--p", "0.25", "--budgets", "0.5", "-o", out],
    ]


@pytest.mark.parametrize("index", range(5))
def test_output_into_a_missing_folder(tmp_path: Path, capsys, index: int) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    argv = _commands(str(blocker / "sub" / "out"))[index]
    err = _error(capsys, argv)
    assert str(blocker) in err


@pytest.mark.parametrize("index", range(5))
def test_output_into_an_unwritable_folder(tmp_path: Path, capsys, monkeypatch, index: int) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    real = os.access
    monkeypatch.setattr("eecc.paths.os.access",
                        lambda p, mode: False if Path(p) == locked else real(p, mode))
    err = _error(capsys, _commands(str(locked / "out"))[index])
    assert "is not writable" in err
    assert list(locked.iterdir()) == []


@pytest.mark.parametrize("index", range(1, 5))
def test_empty_output_name(capsys, index: int) -> None:
    assert "empty path" in _error(capsys, _commands("")[index])
