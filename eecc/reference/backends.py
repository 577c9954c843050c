"""Per-op arithmetic of the reference interpreter: float32 and the fixed-point contract.

A backend has one method per layer kind; the interpreter's dispatch table maps each `ee`
op class to one of them. Methods take the op and the batch of maps of the samples present
on its input stream(s) and return the batch of results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from eecc import fixedpoint as fp
from eecc.dialects.ee import ConvOp, ExitDecisionOp, FixedType, GlobalPoolOp, LinearOp, PoolOp
from eecc.fixedpoint import FixedFormat
from eecc.reference import float_ops as fo


@dataclass(frozen=True)
class FixedConfig:
    """Fixed-point formats of a fixed-mode run (docs/numerics.md); default `ap_fixed<16,8>`."""

    data: FixedFormat = field(default_factory=FixedFormat)
    weight: FixedFormat = field(default_factory=FixedFormat)


class FloatBackend:
    """float32 arithmetic, as onnxruntime computes it."""

    def __init__(self, weights: dict[str, np.ndarray]):
        self.weights = {k: v.astype(np.float32) for k, v in weights.items()}

    def _param(self, ref) -> np.ndarray | None:
        return None if ref is None else self.weights[ref.root_reference.data]

    def _weight(self, ref) -> np.ndarray:
        return self.weights[ref.root_reference.data]

    def encode(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(x, dtype=np.float32)

    def decode(self, y: np.ndarray) -> np.ndarray:
        return y.astype(np.float32)

    def conv(self, op: ConvOp, x: np.ndarray) -> np.ndarray:
        return fo.conv(x, self._weight(op.weight), self._param(op.bias), op.stride_values,
                       op.pad_values, op.groups.value.data)

    def pool(self, op: PoolOp, x: np.ndarray) -> np.ndarray:
        args = (op.kernel_shape, op.stride_values, op.pad_values)
        if op.kind.data == "max":
            return fo.maxpool(x, *args)
        return fo.avgpool(x, *args, op.count_include_pad is not None)

    def global_pool(self, op: GlobalPoolOp, x: np.ndarray) -> np.ndarray:
        return fo.global_pool(x, op.kind.data)

    def linear(self, op: LinearOp, x: np.ndarray) -> np.ndarray:
        return fo.linear(x, self._weight(op.weight), self._param(op.bias))

    def relu(self, op, x: np.ndarray) -> np.ndarray:
        out = np.maximum(x, np.float32(0))
        return out if op.bound is None else np.minimum(out, np.float32(op.bound))

    def add(self, op, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a + b

    def softmax(self, op, x: np.ndarray) -> np.ndarray:
        return fo.softmax(x)

    def flatten(self, op, x: np.ndarray) -> np.ndarray:
        return x.reshape(len(x), -1)

    def cast(self, op, x: np.ndarray) -> np.ndarray:
        """A change of fixed-point format: no change in float."""
        return x

    def exit_decision(self, op: ExitDecisionOp, logits: np.ndarray) -> np.ndarray:
        return fo.exits(logits, op.threshold.value.data)


class FixedBackend(FloatBackend):
    """The fixed-point contract, one sample at a time through `eecc.fixedpoint`'s kernels.

    Formats come from the IR where it states them (each stream's `!ee.fixed`, a layer's
    `weight_type` / `bias_type`); float IR takes `config`'s (bias: the layer's result format).
    """

    def __init__(self, weights: dict[str, np.ndarray], config: FixedConfig,
                 graph_io: tuple[object, object] | None = None):
        self.config = config
        self.raw = weights
        self.quantised: dict[tuple[str, FixedFormat], np.ndarray] = {}
        self.io = graph_io or (None, None)

    def fmt(self, value_type: object) -> FixedFormat:
        """The format of a stream type (the configuration's data format while float)."""
        element = getattr(value_type, "element_type", value_type)
        if isinstance(element, FixedType):
            return FixedFormat(element.width.data, element.int_bits.data)
        return self.config.data

    def _quantised(self, ref, fmt: FixedFormat) -> np.ndarray:
        key = (ref.root_reference.data, fmt)
        if key not in self.quantised:
            self.quantised[key] = fmt.quantize(self.raw[key[0]])
        return self.quantised[key]

    def _formats(self, op: ConvOp | LinearOp) -> tuple[FixedFormat, FixedFormat, FixedFormat,
                                                       FixedFormat]:
        """(input, output, weight, bias) formats of a conv or linear layer."""
        x, y = self.fmt(op.input.type), self.fmt(op.output.type)
        w = self.fmt(op.weight_type) if op.weight_type is not None else self.config.weight
        b = self.fmt(op.bias_type) if op.bias_type is not None else y
        return x, y, w, b

    def _mac_args(self, op: ConvOp | LinearOp) -> tuple[np.ndarray, np.ndarray | None,
                                                        dict[str, Any]]:
        x, y, w, b = self._formats(op)
        bias = None if op.bias is None else self._quantised(op.bias, b)
        scale = x.frac + w.frac
        return self._quantised(op.weight, w), bias, {
            "weight_frac": w.frac, "width": y.width, "shift": scale - y.frac,
            "bias_shift": scale - b.frac}

    def _width(self, op) -> int:
        return self.fmt(op.results[0].type).width

    def encode(self, x: np.ndarray) -> np.ndarray:
        return self.fmt(self.io[0]).quantize(x)

    def decode(self, y: np.ndarray) -> np.ndarray:
        return self.fmt(self.io[1]).to_float(y)

    def conv(self, op: ConvOp, x: np.ndarray) -> np.ndarray:
        w, b, kw = self._mac_args(op)
        kw.update(stride=op.stride_values, pads=op.pad_values, groups=op.groups.value.data)
        return np.stack([fp.conv2d(s, w, b, **kw) for s in x])

    def pool(self, op: PoolOp, x: np.ndarray) -> np.ndarray:
        args = (op.kernel_shape, op.stride_values, op.pad_values)
        width = self._width(op)
        if op.kind.data == "max":
            return np.stack([fp.maxpool(s, *args, width=width) for s in x])
        cip = op.count_include_pad is not None
        return np.stack([fp.avgpool(s, *args, cip, width=width) for s in x])

    def global_pool(self, op: GlobalPoolOp, x: np.ndarray) -> np.ndarray:
        if op.kind.data == "max":
            return x.max(axis=(2, 3), keepdims=True)
        return np.stack([fp.global_avgpool(s, width=self._width(op)) for s in x])

    def linear(self, op: LinearOp, x: np.ndarray) -> np.ndarray:
        w, b, kw = self._mac_args(op)
        return np.stack([fp.linear(s, w, b, **kw) for s in x])

    def relu(self, op, x: np.ndarray) -> np.ndarray:
        bound = None if op.bound is None else int(self.fmt(op.input.type).quantize(op.bound))
        return fp.relu(x, bound)

    def add(self, op, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return fp.add(a, b, self._width(op))

    def cast(self, op, x: np.ndarray) -> np.ndarray:
        have, want = self.fmt(op.input.type), self.fmt(op.output.type)
        return fp.requantize(x, have.frac - want.frac, want.width)

    def softmax(self, op, x: np.ndarray) -> np.ndarray:
        """Not part of the hardware contract: float softmax of the values, re-quantised."""
        fmt = self.fmt(op.input.type)
        return fmt.quantize(fo.softmax(fmt.to_float(x).astype(np.float32)))

    def exit_decision(self, op: ExitDecisionOp, logits: np.ndarray) -> np.ndarray:
        thr, frac = op.threshold.value.data, self.fmt(op.logits.type).frac
        return np.array([fp.exit_decision(s, thr, frac) for s in logits], dtype=bool)
