"""Packaging: a non-editable install ships the data sets, platforms, HLS library and TCL,
and the metadata uses the SPDX licence string (no setuptools deprecation warning)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_licence_is_an_spdx_string() -> None:
    assert CONFIG["project"]["license"] == "Apache-2.0"
    assert CONFIG["build-system"]["requires"] == ["setuptools>=77"]


def _folder(package: str) -> Path:
    """The source folder of `package` under `[tool.setuptools.package-dir]`."""
    dirs = CONFIG["tool"]["setuptools"]["package-dir"]
    root = max((p for p in dirs if package == p or package.startswith(p + ".")), key=len)
    return ROOT / dirs[root] / package.removeprefix(root).lstrip(".").replace(".", "/")


def test_every_data_folder_is_a_listed_package_with_its_files() -> None:
    setuptools = CONFIG["tool"]["setuptools"]
    for package, patterns in setuptools["package-data"].items():
        assert package in setuptools["packages"], package
        for pattern in patterns:
            assert list(_folder(package).glob(pattern)), f"{package}: nothing matches {pattern}"


def test_the_shipped_digits_are_the_examples() -> None:
    for name in ("digits_test_28.npz", "digits_test_32x3.npz"):
        shipped = ROOT / "eecc" / "data" / name
        assert shipped.read_bytes() == (ROOT / "examples" / "data" / name).read_bytes()
