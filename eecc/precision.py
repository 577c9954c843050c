"""Per-layer precision: a model-wide default and per-layer overrides, from a JSON file or a dict.

The file (`eecc compile --precision P.json`, `eecc.compile(..., precision=...)`) is hls4ml's
`config_from_keras_model(granularity="name")` in eecc's terms:

    {
      "default": {"result": [16, 8], "weight": [16, 8], "bias": [16, 8]},
      "layers": {
        "/trunk/0/0/Conv": {"result": [12, 6]},
        "/head/4/Gemm":    {"result": "ap_fixed<10,5>", "weight": [10, 5]}
      }
    }

A format is `[W, I]` or the string `"ap_fixed<W,I>"`: W bits in all, I of them integer (sign
included), `2 <= W <= 16` and `1 <= I <= W`. Keys of an entry: `result` (the layer's output
stream), `weight`, `bias` (conv and linear only). `default` may be left out (then the
`--data-format` / `--weight-format` formats are the default, the bias in the result format);
a `default` key left out falls back the same way. Layers are keyed by their name in the IR
and the report: the ONNX node name. The accumulator is exact (64 bits, docs/numerics.md),
so there is no `accum` key. Every mistake is one `EeccError` line naming the file and entry.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eecc.errors import EeccError

MAX_WIDTH = 16
"""Widest format the HLS library streams: the AXI-Stream word's 16-bit data field."""
KEYS = ("result", "weight", "bias")
TOP_KEYS = ("default", "layers")
Format = tuple[int, int]
_AP_FIXED = re.compile(r"^\s*(?:ap_)?fixed\s*<\s*(-?\d+)\s*,\s*(-?\d+)\s*>\s*$")


@dataclass(frozen=True)
class LayerPrecision:
    """The formats one entry sets (None: not set)."""

    result: Format | None = None
    weight: Format | None = None
    bias: Format | None = None


@dataclass(frozen=True)
class Precision:
    """A default and per-layer entries; `source` names the file (or "precision") in errors."""

    default: LayerPrecision = LayerPrecision()
    layers: dict[str, LayerPrecision] = field(default_factory=dict)
    source: str = "precision"

    def entry(self, name: str) -> LayerPrecision:
        return self.layers.get(name, LayerPrecision())

    def check_names(self, known: Iterable[str], settable: Mapping[str, tuple[str, ...]]) -> None:
        """Every entry names a layer of the network, and sets only keys that layer has."""
        known = list(known)
        for name, entry in self.layers.items():
            if name not in known:
                raise EeccError(f"{self.source}: layers: '{name}' is not a layer of the network "
                                f"(layers: {', '.join(known)})")
            allowed = settable.get(name, ("result",))
            for key in KEYS:
                if getattr(entry, key) is not None and key not in allowed:
                    raise EeccError(f"{self.source}: layers: '{name}': '{key}' is not a format "
                                    f"this layer has (it has: {', '.join(allowed)})")

    def to_json(self) -> str:
        """The same configuration as JSON text (a pass option)."""
        def entry(e: LayerPrecision) -> dict[str, list[int]]:
            return {k: list(v) for k in KEYS if (v := getattr(e, k)) is not None}
        return json.dumps({"source": self.source, "default": entry(self.default),
                           "layers": {n: entry(e) for n, e in self.layers.items()}},
                          sort_keys=True)


def load_precision(spec: str | Path | Mapping[str, Any] | Precision | None) -> Precision | None:
    """A `Precision` from a JSON file path, a dict of the same form, or JSON text."""
    if spec is None or isinstance(spec, Precision):
        return spec
    if isinstance(spec, Mapping):
        data = dict(spec)
        return parse(data, str(data.pop("source", "precision")))
    text = str(spec)
    if text.lstrip().startswith("{"):
        data = _json(text, "precision")
        return parse(data, str(data.pop("source", "precision")))
    path = Path(text)
    if not path.is_file():
        raise EeccError(f"{path}: no such precision file")
    if path.suffix != ".json":
        raise EeccError(f"{path}: a precision file is JSON (.json); found '{path.suffix}'")
    try:
        body = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise EeccError(f"{path}: not UTF-8 text; a precision file is JSON") from None
    return parse(_json(body, str(path)), str(path))


def _json(text: str, source: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise EeccError(f"{source}: not valid JSON: {err.msg} at line {err.lineno} "
                        f"column {err.colno}") from None
    if not isinstance(data, dict):
        raise EeccError(f"{source}: expected a JSON object with keys {', '.join(TOP_KEYS)}")
    return data


def parse(data: Mapping[str, Any], source: str) -> Precision:
    """Check and convert the parsed configuration."""
    for key in data:
        if key not in TOP_KEYS:
            raise EeccError(f"{source}: unknown key '{key}' (supported: {', '.join(TOP_KEYS)})")
    default = _entry(data.get("default", {}), source, "default")
    layers = data.get("layers", {})
    if not isinstance(layers, Mapping):
        raise EeccError(f"{source}: layers: expected an object of layer name -> formats")
    entries = {str(name): _entry(value, source, f"layers: '{name}'")
               for name, value in layers.items()}
    return Precision(default, entries, source)


def _entry(value: Any, source: str, where: str) -> LayerPrecision:
    if not isinstance(value, Mapping):
        raise EeccError(f"{source}: {where}: expected an object with keys among "
                        f"{', '.join(KEYS)}")
    for key in value:
        if key not in KEYS:
            hint = " (the accumulator is exact, 64 bits)" if key in ("accum", "accumulator") \
                else ""
            raise EeccError(f"{source}: {where}: unknown key '{key}'{hint} "
                            f"(supported: {', '.join(KEYS)})")
    formats = {k: parse_format(value[k], f"{source}: {where}: {k}") for k in KEYS if k in value}
    return LayerPrecision(**formats)


def parse_format(value: Any, where: str) -> Format:
    """`[W, I]` or `"ap_fixed<W,I>"` as `(W, I)`, checked against the HLS library's limits."""
    pair: list[Any] | None = None
    if isinstance(value, str):
        match = _AP_FIXED.match(value)
        pair = [int(match.group(1)), int(match.group(2))] if match else None
    elif isinstance(value, list | tuple) and len(value) == 2:
        pair = list(value)
    if pair is None or not all(isinstance(v, int) and not isinstance(v, bool) for v in pair):
        raise EeccError(f"{where}: {json.dumps(value)} is not a format [W, I] of two integers "
                        "or \"ap_fixed<W,I>\"")
    return check_format(pair[0], pair[1], where)


def check_format(width: int, int_bits: int, where: str) -> Format:
    if not 2 <= width <= MAX_WIDTH:
        raise EeccError(f"{where}: width {width} is outside [2, {MAX_WIDTH}] (the HLS library "
                        "streams at most 16 data bits a word)")
    if not 1 <= int_bits <= width:
        raise EeccError(f"{where}: integer bits {int_bits} are outside [1, width={width}]")
    return width, int_bits
