"""Data sets for `eecc run` and `eecc profile`: the shipped digits split or the user's arrays.

`digits` is the held-out split of the example networks (UCI handwritten digits, 360 test
images): `digits_test_28.npz` (1x28x28) or `digits_test_32x3.npz` (3x32x32), chosen by the
model's input shape. It is looked up in `$EECC_DATA`, then the installed package's `data/`,
then the repository's `examples/data/`, so it works from an editable install of a clone.
A path names an `.npy` (inputs only) or an `.npz` with `x` (and optionally `y`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from eecc.errors import EeccError

DIGITS: dict[tuple[int, ...], str] = {(1, 28, 28): "digits_test_28.npz", (3, 32, 32): "digits_test_32x3.npz"}


@dataclass(frozen=True)
class DataSet:
    """Inputs `x` (`[N, ...]`), labels `y` (`[N]`, or None) and where they came from."""

    x: np.ndarray
    y: np.ndarray | None
    name: str


def data_dirs() -> list[Path]:
    """Folders searched for the shipped data sets, in order."""
    package = Path(__file__).resolve().parent
    dirs = [package / "data", package.parent / "examples" / "data"]
    if os.environ.get("EECC_DATA"):
        dirs.insert(0, Path(os.environ["EECC_DATA"]))
    return dirs


def digits_path(input_shape: tuple[int, ...]) -> Path:
    """The shipped digits test split for a model whose input is `input_shape`."""
    name = DIGITS.get(tuple(input_shape))
    if name is None:
        shapes = ", ".join("x".join(map(str, s)) for s in DIGITS)
        raise EeccError(f"no digits split for input shape {'x'.join(map(str, input_shape))} "
                        f"(available: {shapes})")
    for folder in data_dirs():
        if (folder / name).is_file():
            return folder / name
    raise EeccError(f"{name} not found in {', '.join(map(str, data_dirs()))}; set EECC_DATA")


def load_array(path: str | Path, key: str = "x") -> np.ndarray:
    """The array in an `.npy` file, or entry `key` of an `.npz`."""
    path = Path(path)
    if not path.is_file():
        raise EeccError(f"{path}: no such file")
    try:
        loaded = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as err:
        raise EeccError(f"{path}: not a numpy .npy/.npz file ({err})") from None
    if not isinstance(loaded, np.lib.npyio.NpzFile):
        return loaded
    if key not in loaded.files:
        raise EeccError(f"{path}: has no array '{key}' (found: {', '.join(loaded.files)})")
    return loaded[key]


def load_data(spec: str, input_shape: tuple[int, ...], labels: str | None = None) -> DataSet:
    """`digits` or a path, with labels from `labels` or the `.npz`'s `y`."""
    path = digits_path(input_shape) if spec == "digits" else Path(spec)
    x = load_array(path, "x")
    y = _labels(path, labels)
    if y is not None and len(y) != len(x):
        raise EeccError(f"{labels or path}: {len(y)} labels for {len(x)} samples")
    return DataSet(x, y, spec if spec == "digits" else path.name)


def _labels(path: Path, labels: str | None) -> np.ndarray | None:
    if labels is not None:
        return load_array(labels, "y").astype(np.int64).reshape(-1)
    if path.suffix == ".npz" and "y" in np.load(path).files:
        return np.load(path)["y"].astype(np.int64).reshape(-1)
    return None
