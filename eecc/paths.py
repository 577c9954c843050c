"""Where eecc may write: output files and folders are checked before any work is done.

    check_output_file("out.npz", "-o")      # the folder must exist and be writable
    check_output_dir(Path("out"), "-o")     # the nearest existing ancestor must be writable
    check_replaceable(Path("out"), [model]) # --force replaces only an eecc project folder

`--force` replaces a folder only when it holds `PROJECT_MARKER` (written by `eecc compile`),
and never the current folder, one of its parents, the home folder or a folder that holds
one of the inputs. Every refusal is an `EeccError` of one line.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from eecc.errors import EeccError

PROJECT_MARKER = ".eecc-project"
STDIO = "-"


def check_name(text: str, flag: str) -> None:
    """An empty name is refused (a shell's `''` would otherwise mean the current folder)."""
    if not text.strip():
        raise EeccError(f"{flag} '{text}': empty path; name a file or folder")


def check_output_file(text: str, flag: str = "-o") -> Path:
    """The path of an output file whose folder exists and is writable."""
    check_name(text, flag)
    path = Path(text)
    if path.is_dir():
        raise EeccError(f"{flag} {path}: is a folder; expected a file name")
    folder = path.absolute().parent
    if not folder.is_dir():
        raise EeccError(f"{flag} {path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise EeccError(f"{flag} {path}: folder {folder} is not writable")
    return path


def check_output_dir(path: Path, flag: str = "-o") -> None:
    """An output folder that exists or can be created (its nearest existing ancestor writable)."""
    if path.exists() and not path.is_dir():
        raise EeccError(f"{flag} {path}: exists and is not a folder")
    ancestor = path.absolute()
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise EeccError(f"{flag} {path}: {ancestor} is not a folder")
    target = path.absolute() if path.exists() else ancestor
    if not os.access(target, os.W_OK | os.X_OK):
        raise EeccError(f"{flag} {path}: {target} is not writable")


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_replaceable(outdir: Path, inputs: Iterable[Path]) -> None:
    """Refuse to replace a folder that is not an eecc project or holds something precious."""
    target = outdir.resolve()
    if not target.is_dir():
        raise EeccError(f"{outdir}: exists and is not a folder; --force replaces only an eecc "
                        "project folder")
    if _inside(Path.cwd().resolve(), target):
        raise EeccError(f"{outdir}: is the current folder or one of its parents; "
                        "--force will not replace it")
    if target == Path.home().resolve():
        raise EeccError(f"{outdir}: is the home folder; --force will not replace it")
    for item in inputs:
        if _inside(item.resolve(), target):
            raise EeccError(f"{outdir}: holds the input {item}; --force will not replace it")
    if not (target / PROJECT_MARKER).is_file():
        raise EeccError(f"{outdir}: not an eecc project folder (no {PROJECT_MARKER}); "
                        "--force replaces only folders eecc compile wrote; remove it yourself")
