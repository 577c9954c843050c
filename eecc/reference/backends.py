"""Per-op arithmetic of the reference interpreter: float32 and the fixed-point contract.

A backend has one method per layer kind; the interpreter's dispatch table maps each `ee`
op class to one of them. Methods take the op and the batch of maps of the samples present
on its input stream(s) and return the batch of results.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from eecc import fixedpoint as fp
from eecc.dialects.ee import ConvOp, ExitDecisionOp, GlobalPoolOp, LinearOp, PoolOp
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
        return np.maximum(x, np.float32(0))

    def add(self, op, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a + b

    def softmax(self, op, x: np.ndarray) -> np.ndarray:
        return fo.softmax(x)

    def flatten(self, op, x: np.ndarray) -> np.ndarray:
        return x.reshape(len(x), -1)

    def exit_decision(self, op: ExitDecisionOp, logits: np.ndarray) -> np.ndarray:
        return fo.exits(logits, op.threshold.value.data)


class FixedBackend(FloatBackend):
    """The fixed-point contract, one sample at a time through `eecc.fixedpoint`'s kernels."""

    def __init__(self, weights: dict[str, np.ndarray], config: FixedConfig):
        self.config = config
        self.weights = {k: config.weight.quantize(v) for k, v in weights.items()}
        self.biases = {k: config.data.quantize(v) for k, v in weights.items()}

    def _bias(self, ref) -> np.ndarray | None:
        return None if ref is None else self.biases[ref.root_reference.data]

    @property
    def _width(self) -> int:
        return self.config.data.width

    def encode(self, x: np.ndarray) -> np.ndarray:
        return self.config.data.quantize(x)

    def decode(self, y: np.ndarray) -> np.ndarray:
        return self.config.data.to_float(y)

    def conv(self, op: ConvOp, x: np.ndarray) -> np.ndarray:
        w, b = self._weight(op.weight), self._bias(op.bias)
        kw = {"stride": op.stride_values, "pads": op.pad_values, "groups": op.groups.value.data,
              "weight_frac": self.config.weight.frac, "width": self._width}
        return np.stack([fp.conv2d(s, w, b, **kw) for s in x])

    def pool(self, op: PoolOp, x: np.ndarray) -> np.ndarray:
        args = (op.kernel_shape, op.stride_values, op.pad_values)
        if op.kind.data == "max":
            return np.stack([fp.maxpool(s, *args, width=self._width) for s in x])
        cip = op.count_include_pad is not None
        return np.stack([fp.avgpool(s, *args, cip, width=self._width) for s in x])

    def global_pool(self, op: GlobalPoolOp, x: np.ndarray) -> np.ndarray:
        if op.kind.data == "max":
            return x.max(axis=(2, 3), keepdims=True)
        return np.stack([fp.global_avgpool(s, width=self._width) for s in x])

    def linear(self, op: LinearOp, x: np.ndarray) -> np.ndarray:
        w, b = self._weight(op.weight), self._bias(op.bias)
        frac = self.config.weight.frac
        return np.stack([fp.linear(s, w, b, frac, self._width) for s in x])

    def relu(self, op, x: np.ndarray) -> np.ndarray:
        return fp.relu(x)

    def add(self, op, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return fp.add(a, b, self._width)

    def softmax(self, op, x: np.ndarray) -> np.ndarray:
        """Not part of the hardware contract: float softmax of the values, re-quantised."""
        return self.encode(fo.softmax(self.decode(x).astype(np.float32)))

    def exit_decision(self, op: ExitDecisionOp, logits: np.ndarray) -> np.ndarray:
        thr, frac = op.threshold.value.data, self.config.data.frac
        return np.array([fp.exit_decision(s, thr, frac) for s in logits], dtype=bool)
