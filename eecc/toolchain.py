"""The C++ tool chain for C simulation: header locations and a g++ wrapper.

The Xilinx arbitrary-precision headers (``ap_int.h``, ``ap_fixed.h``, ``hls_stream.h``) are
not part of eecc: they come from the installed ``hls4ml`` package (``pip install -e .[csim]``),
located without importing it, and are passed to g++ with ``-isystem``.
"""

from __future__ import annotations

import importlib.resources
import importlib.util
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = [
    "CXX_FLAGS",
    "ToolchainError",
    "ap_types_include",
    "compile_cpp",
    "library_include",
]

CXX_FLAGS = ("-std=c++14", "-O2", "-Wall", "-Wextra", "-Werror", "-Wno-unknown-pragmas")
"""The flags every C simulation build uses."""

_AP_TYPES = ("templates", "vivado", "ap_types")


class ToolchainError(RuntimeError):
    """A missing tool or header, or a failed compilation."""


def ap_types_include() -> Path:
    """The folder holding ``ap_int.h``, ``ap_fixed.h`` and ``hls_stream.h``."""
    spec = importlib.util.find_spec("hls4ml")
    if spec is None or not spec.submodule_search_locations:
        raise ToolchainError(
            "the Xilinx ap_types headers come from the 'hls4ml' package, which is not installed; "
            "run `pip install -e .[csim]`"
        )
    for root in spec.submodule_search_locations:
        folder = Path(root).joinpath(*_AP_TYPES)
        if (folder / "ap_int.h").is_file():
            return folder
    raise ToolchainError(f"the installed 'hls4ml' package has no {'/'.join(_AP_TYPES)}/ap_int.h")


def library_include() -> Path:
    """The include root of eecc's HLS library (``#include "eecc/conv.h"``)."""
    return Path(str(importlib.resources.files("eecc.emit") / "include"))


def _define_flags(defines: Mapping[str, object] | Sequence[str]) -> list[str]:
    if isinstance(defines, Mapping):
        return [f"-D{k}" if v is None else f"-D{k}={v}" for k, v in defines.items()]
    return [f"-D{d}" for d in defines]


def compile_cpp(
    sources: Sequence[str | Path],
    output: str | Path,
    extra_includes: Sequence[str | Path] = (),
    defines: Mapping[str, object] | Sequence[str] = (),
    cxx: str = "g++",
    library: str | Path | None = None,
) -> Path:
    """Compile and link ``sources`` into the executable ``output`` with ``CXX_FLAGS``.

    The library (``library``, default the installed one) and the ap_types headers are on the
    include path; ``defines`` is a mapping
    (``{"N": 4, "CSIM": None}``) or a list of ``NAME[=VALUE]`` strings. Raises
    ``ToolchainError`` with the compiler's messages on failure.
    """
    if shutil.which(cxx) is None:
        raise ToolchainError(f"C++ compiler '{cxx}' not found on PATH")
    includes = [f"-I{library or library_include()}", "-isystem", str(ap_types_include())]
    includes += [f"-I{p}" for p in extra_includes]
    cmd = [cxx, *CXX_FLAGS, *includes, *_define_flags(defines), *map(str, sources), "-o", str(output)]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ToolchainError(
            f"{cxx} failed with exit code {result.returncode}:\n{' '.join(cmd)}\n{result.stderr}"
        )
    return Path(output)
