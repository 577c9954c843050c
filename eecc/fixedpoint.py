"""Fixed-point reference kernels: the arithmetic of ``docs/numerics.md``, in numpy.

Every kernel takes and returns *raw integers* (a value ``v`` with ``F`` fraction bits is the
integer ``q = v * 2**F``), computed in ``int64``. The HLS library (``emit/include/eecc/``)
implements the same arithmetic, so a C simulation equals these kernels bit for bit.

Feature maps are single samples laid out ``[C, H, W]`` (PyTorch order). Padding is given as
``(top, left, bottom, right)``; strides and kernels as an ``int`` or a ``(h, w)`` pair.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = [
    "EXP_FRAC",
    "FixedFormat",
    "add",
    "avgpool",
    "conv2d",
    "exit_decision",
    "exp_lut",
    "floor_div",
    "global_avgpool",
    "linear",
    "maxpool",
    "quantize",
    "relu",
    "requantize",
    "saturate",
    "threshold_q",
]

EXP_FRAC = 16
"""Fraction bits of the exponential table and of the quantised exit threshold."""

Pair = int | Sequence[int]
Pads = Sequence[int]


@dataclass(frozen=True)
class FixedFormat:
    """A two's complement fixed-point format: ``width`` bits, ``int_bits`` of them integer."""

    width: int = 16
    int_bits: int = 8

    @property
    def frac(self) -> int:
        """Number of fraction bits."""
        return self.width - self.int_bits

    @property
    def min(self) -> int:
        """Smallest raw value."""
        return -(1 << (self.width - 1))

    @property
    def max(self) -> int:
        """Largest raw value."""
        return (1 << (self.width - 1)) - 1

    def quantize(self, x: np.ndarray | float) -> np.ndarray:
        """Real numbers to raw integers of this format (round half up, saturate)."""
        return quantize(x, self.width, self.int_bits)

    def to_float(self, q: np.ndarray | int) -> np.ndarray:
        """Raw integers of this format back to real numbers."""
        return np.asarray(q, dtype=np.float64) / float(1 << self.frac)


def _pair(v: Pair) -> tuple[int, int]:
    if isinstance(v, int | np.integer):
        return int(v), int(v)
    a, b = v
    return int(a), int(b)


def _i64(x: np.ndarray | int | Sequence[int]) -> np.ndarray:
    return np.asarray(x, dtype=np.int64)


def saturate(q: np.ndarray | int, width: int = 16) -> np.ndarray:
    """Clip raw integers to the ``width``-bit two's complement range."""
    lo, hi = -(1 << (width - 1)), (1 << (width - 1)) - 1
    return np.clip(_i64(q), lo, hi)


def floor_div(a: np.ndarray | int, b: np.ndarray | int) -> np.ndarray:
    """Integer division that floors for negative numbers too."""
    return np.floor_divide(_i64(a), _i64(b))


def quantize(x: np.ndarray | float, width: int = 16, int_bits: int = 8) -> np.ndarray:
    """``clip(floor(x * 2**F + 0.5))``: round half up, saturate; ``F = width - int_bits``."""
    scaled = np.floor(np.asarray(x, dtype=np.float64) * float(1 << (width - int_bits)) + 0.5)
    lo, hi = -(1 << (width - 1)), (1 << (width - 1)) - 1
    return np.clip(scaled, lo, hi).astype(np.int64)


def requantize(acc: np.ndarray | int, weight_frac: int, width: int = 16) -> np.ndarray:
    """An accumulator with ``s`` more fraction bits than the result, to the result format.

    ``clip((acc + 2**(s-1)) >> s)``: arithmetic shift, round half up, saturate; for ``s < 0``
    the exact ``acc << -s``, saturated. ``s`` (``weight_frac``) is ``Fw`` when the input and
    result formats agree, ``F_in + Fw - F_out`` in general (and ``F_in - F_out`` for a cast).
    """
    acc, shift = _i64(acc), int(weight_frac)
    if shift <= 0:
        return saturate(acc << -shift, width)
    return saturate((acc + (1 << (shift - 1))) >> shift, width)


def relu(q: np.ndarray, bound: int | None = None) -> np.ndarray:
    """``max(q, 0)``; with a raw ``bound``, the saturating ``min(max(q, 0), bound)`` (ReLU6)."""
    out = np.maximum(_i64(q), 0)
    return out if bound is None else np.minimum(out, bound)


def add(a: np.ndarray, b: np.ndarray, width: int = 16) -> np.ndarray:
    """Saturating element-wise sum."""
    return saturate(_i64(a) + _i64(b), width)


def _pad(q_x: np.ndarray, pads: Pads, value: int) -> np.ndarray:
    top, left, bottom, right = (int(p) for p in pads)
    return np.pad(q_x, ((0, 0), (top, bottom), (left, right)), constant_values=value)


def _windows(q_x: np.ndarray, kernel: Pair, stride: Pair) -> np.ndarray:
    """``[C, Ho, Wo, kh, kw]`` view of the sliding windows of an (already padded) fmap."""
    kh, kw = _pair(kernel)
    sh, sw = _pair(stride)
    return sliding_window_view(q_x, (kh, kw), axis=(1, 2))[:, ::sh, ::sw]


def conv2d(
    q_x: np.ndarray,
    q_w: np.ndarray,
    q_b: np.ndarray | None,
    stride: Pair = 1,
    pads: Pads = (0, 0, 0, 0),
    groups: int = 1,
    weight_frac: int = 8,
    width: int = 16,
    shift: int | None = None,
    bias_shift: int | None = None,
) -> np.ndarray:
    """2-D convolution ``[C, H, W] * [F, C/groups, kh, kw] -> [F, Ho, Wo]``.

    Zero padding; the exact sum ``Σ q_x·q_w + (q_b << bias_shift)`` is requantised once by
    ``shift``. Both default to ``Fw`` (input, result and bias in one format); in general
    ``shift = F_in + Fw - F_out`` and ``bias_shift = F_in + Fw - F_b``.
    """
    q_x, q_w = _i64(q_x), _i64(q_w)
    n_out, c_per_group, kh, kw = q_w.shape
    if q_x.shape[0] != c_per_group * groups or n_out % groups:
        raise ValueError(f"conv2d: input {q_x.shape} and weights {q_w.shape} disagree on groups={groups}")
    win = _windows(_pad(q_x, pads, 0), (kh, kw), stride)  # [C, Ho, Wo, kh, kw]
    _, ho, wo = win.shape[:3]
    win = win.reshape(groups, c_per_group, ho, wo, kh, kw)
    w = q_w.reshape(groups, n_out // groups, c_per_group, kh, kw)
    acc = np.einsum("gchwij,gfcij->gfhw", win, w).reshape(n_out, ho, wo)
    if q_b is not None:
        acc = acc + (_i64(q_b) << _or(bias_shift, weight_frac))[:, None, None]
    return requantize(acc, _or(shift, weight_frac), width)


def _or(value: int | None, default: int) -> int:
    return default if value is None else value


def linear(
    q_x: np.ndarray,
    q_w: np.ndarray,
    q_b: np.ndarray | None,
    weight_frac: int = 8,
    width: int = 16,
    shift: int | None = None,
    bias_shift: int | None = None,
) -> np.ndarray:
    """Fully connected layer ``[N_in] x [N_out, N_in] -> [N_out]`` (shifts as ``conv2d``)."""
    acc = _i64(q_w) @ _i64(q_x).reshape(-1)
    if q_b is not None:
        acc = acc + (_i64(q_b) << _or(bias_shift, weight_frac))
    return requantize(acc, _or(shift, weight_frac), width)


def maxpool(
    q_x: np.ndarray, kernel: Pair, stride: Pair | None = None, pads: Pads = (0, 0, 0, 0),
    width: int = 16,
) -> np.ndarray:
    """Max pooling; padded positions hold the most negative value of the format."""
    stride = kernel if stride is None else stride
    win = _windows(_pad(_i64(q_x), pads, -(1 << (width - 1))), kernel, stride)
    return win.max(axis=(3, 4))


def _round_mean(s: np.ndarray, n: np.ndarray | int, width: int) -> np.ndarray:
    """``clip(floor_div(2s + n, 2n))``: the mean of ``n`` values, round half up."""
    n = _i64(n)
    return saturate(floor_div(2 * _i64(s) + n, 2 * n), width)


def avgpool(
    q_x: np.ndarray,
    kernel: Pair,
    stride: Pair | None = None,
    pads: Pads = (0, 0, 0, 0),
    count_include_pad: bool = False,
    width: int = 16,
) -> np.ndarray:
    """Average pooling (ONNX ``count_include_pad``: count padded positions or only real ones)."""
    stride = kernel if stride is None else stride
    q_x = _i64(q_x)
    sums = _windows(_pad(q_x, pads, 0), kernel, stride).sum(axis=(3, 4))
    if count_include_pad:
        kh, kw = _pair(kernel)
        return _round_mean(sums, kh * kw, width)
    ones = np.ones((1, *q_x.shape[1:]), dtype=np.int64)
    counts = _windows(_pad(ones, pads, 0), kernel, stride).sum(axis=(3, 4))
    return _round_mean(sums, counts, width)


def global_avgpool(q_x: np.ndarray, width: int = 16) -> np.ndarray:
    """Mean over H and W of ``[C, H, W]`` -> ``[C, 1, 1]``, round half up."""
    q_x = _i64(q_x)
    n = q_x.shape[1] * q_x.shape[2]
    return _round_mean(q_x.sum(axis=(1, 2), keepdims=True), n, width)


def exp_lut(frac_bits: int = 8) -> np.ndarray:
    """``EXP_LUT[d] = floor(exp(-d / 2**F) * 2**16 + 0.5)`` for ``d < D = 16·2**F``; ``EXP_LUT[D] = 0``.

    The HLS design uses this very table (the emitter writes it out), never a re-computation.
    """
    n = 16 << frac_bits
    d = np.arange(n, dtype=np.float64)
    table = np.floor(np.exp(-d / float(1 << frac_bits)) * float(1 << EXP_FRAC) + 0.5)
    return np.append(table.astype(np.int64), 0)


def threshold_q(threshold: float) -> int:
    """The exit threshold with 16 fraction bits: ``floor(thr·2**16 + 0.5)``."""
    return int(math.floor(threshold * (1 << EXP_FRAC) + 0.5))


def exp_sum(q_logits: np.ndarray, frac_bits: int = 8) -> int:
    """``S = Σ EXP_LUT[min(max q − q_i, D)]``, the value the exit decision compares: the
    head's confidence is ``2**16 / S`` (the smaller S, the more confident)."""
    q = _i64(q_logits).reshape(-1)
    table = exp_lut(frac_bits)
    d = np.minimum(q.max() - q, len(table) - 1)
    return int(table[d].sum())


def exits_at(total: int, threshold: float) -> bool:
    """The decision on a head whose `exp_sum` is `total`: ``2**32 > thr_q · S``."""
    return threshold_q(threshold) * total < (1 << (2 * EXP_FRAC))


def exit_decision(q_logits: np.ndarray, threshold: float, frac_bits: int = 8) -> bool:
    """``max softmax > threshold`` in the divide-free hardware form ``2**32 > thr_q · Σ e_i``."""
    return exits_at(exp_sum(q_logits, frac_bits), threshold)
