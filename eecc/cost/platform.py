"""FPGA platforms (data files under ``eecc/platforms/``) and resource vectors.

A platform is loaded by name (``load_platform("zc706")``) or from a user's JSON file
with the same fields. BRAM is counted in 18K blocks everywhere in eecc.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PLATFORM_DIR = Path(__file__).resolve().parent.parent / "platforms"
RESOURCE_KINDS = ("lut", "ff", "dsp", "bram")
DSP_KINDS = ("DSP48E1", "DSP48E2")
_COUNTS = ("lut", "ff", "dsp", "bram", "clock_mhz", "port_width_bits")
_TEXTS = ("name", "part", "board", "dsp_kind")


class PlatformError(ValueError):
    """A platform name or platform file that eecc cannot use."""


@dataclass(frozen=True)
class Platform:
    """One FPGA target: device capacity, the clock used (MHz) and the data port width (bits)."""

    name: str
    part: str
    board: str
    lut: int
    ff: int
    dsp: int
    bram: int  # 18K blocks
    clock_mhz: float
    port_width_bits: int
    dsp_kind: str
    source: str = ""

    @property
    def clock_hz(self) -> float:
        """The clock used, in Hz."""
        return self.clock_mhz * 1e6

    def streams(self, data_width: int = 16) -> int:
        """Words of ``data_width`` bits one port carries per cycle (4 on a 64-bit port at 16)."""
        return max(1, self.port_width_bits // data_width)

    def capacity(self) -> Resources:
        """Everything the device holds, as a resource vector."""
        return Resources(self.lut, self.ff, self.dsp, self.bram)


def known_platforms() -> tuple[str, ...]:
    """Names of the platform files shipped with eecc, sorted."""
    return tuple(sorted(p.stem for p in PLATFORM_DIR.glob("*.json")))


def load_platform(name_or_path: str | Path) -> Platform:
    """Load a shipped platform by name, or a user's platform JSON file by path."""
    text = str(name_or_path)
    if text.endswith(".json") or "/" in text or Path(text).is_file():
        return _load_file(Path(text))
    path = PLATFORM_DIR / f"{text.lower()}.json"
    if not path.is_file():
        known = ", ".join(known_platforms())
        raise PlatformError(f"unknown platform '{text}' (known: {known}; or give a .json path)")
    return _load_file(path)


def _load_file(path: Path) -> Platform:
    try:
        data = json.loads(path.read_text())
    except OSError as err:
        raise PlatformError(f"{path}: cannot read platform file ({err.strerror})") from None
    except json.JSONDecodeError as err:
        raise PlatformError(f"{path}: not valid JSON (line {err.lineno}: {err.msg})") from None
    if not isinstance(data, dict):
        raise PlatformError(f"{path}: expected a JSON object of platform fields")
    return Platform(**_validated(path, data))


def _validated(path: Path, data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"source": str(data.get("source", ""))}
    for key in _TEXTS:
        if key not in data:
            raise PlatformError(f"{path}: missing field '{key}'")
        if not isinstance(data[key], str):
            raise PlatformError(f"{path}: field '{key}' must be a string, got {data[key]!r}")
        out[key] = data[key]
    for key in _COUNTS:
        out[key] = _count(path, data, key)
    if out["dsp_kind"] not in DSP_KINDS:
        raise PlatformError(f"{path}: field 'dsp_kind' is {out['dsp_kind']!r}, expected one of {', '.join(DSP_KINDS)}")
    return out


def _count(path: Path, data: dict[str, Any], key: str) -> float | int:
    if key not in data:
        raise PlatformError(f"{path}: missing field '{key}'")
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PlatformError(f"{path}: field '{key}' must be a number, got {value!r}")
    if value <= 0 if key in ("clock_mhz", "port_width_bits") else value < 0:
        raise PlatformError(f"{path}: field '{key}' must be positive, got {value!r}")
    return value if key == "clock_mhz" else int(value)


@dataclass(frozen=True)
class Resources:
    """LUT, FF, DSP and BRAM (18K blocks) used by a module, a layer or a stage."""

    lut: float = 0
    ff: float = 0
    dsp: float = 0
    bram: float = 0

    def __add__(self, other: Resources) -> Resources:
        return Resources(*(getattr(self, k) + getattr(other, k) for k in RESOURCE_KINDS))

    def __radd__(self, other: object) -> Resources:
        if other == 0:  # lets sum() start from 0
            return self
        return NotImplemented

    def __mul__(self, scale: float) -> Resources:
        return Resources(*(getattr(self, k) * scale for k in RESOURCE_KINDS))

    __rmul__ = __mul__

    def as_dict(self) -> dict[str, float]:
        """``{"lut": ..., "ff": ..., "dsp": ..., "bram": ...}``."""
        return {k: getattr(self, k) for k in RESOURCE_KINDS}

    def fraction(self, platform: Platform) -> dict[str, float]:
        """Share of each of the platform's resources used (1.0 = all of it)."""
        cap = platform.capacity()
        return {k: getattr(self, k) / getattr(cap, k) for k in RESOURCE_KINDS}

    def fits(self, platform: Platform, budget: float | Mapping[str, float] = 1.0) -> bool:
        """True when every resource stays within ``budget`` (a share, or a share per kind)."""
        share = self.fraction(platform)
        if isinstance(budget, Mapping):
            return all(share[k] <= budget.get(k, 1.0) for k in RESOURCE_KINDS)
        return all(v <= budget for v in share.values())

