"""Float32 layer kernels over a batch of samples, matching onnxruntime's CPU kernels.

Every kernel takes the maps of the `n` samples present on a stream, `[n, C, H, W]` or
`[n, N]`, and returns theirs. Padding is `(top, left, bottom, right)` as in `ee` and ONNX.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

F32 = np.float32


def _pad(x: np.ndarray, pads: tuple[int, ...], value: float) -> np.ndarray:
    top, left, bottom, right = pads
    if not any(pads):
        return x
    return np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)), constant_values=value)


def windows(x: np.ndarray, kernel: tuple[int, ...], strides: tuple[int, ...],
            pads: tuple[int, ...], value: float = 0.0) -> np.ndarray:
    """`[n, C, Ho, Wo, kh, kw]` view of the sliding windows of a padded batch."""
    padded = _pad(x, pads, value)
    win = sliding_window_view(padded, kernel, axis=(2, 3))
    return win[:, :, :: strides[0], :: strides[1]]


def conv(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, strides: tuple[int, ...],
         pads: tuple[int, ...], groups: int = 1) -> np.ndarray:
    """2-D convolution `[n, C, H, W] * [F, C/g, kh, kw] -> [n, F, Ho, Wo]` (im2col + GEMM)."""
    n_out, c_group, kh, kw = w.shape
    win = windows(x, (kh, kw), strides, pads)
    n, _, ho, wo = win.shape[:4]
    win = win.reshape(n, groups, c_group, ho, wo, kh, kw)
    wg = w.reshape(groups, n_out // groups, c_group, kh, kw)
    y = np.einsum("ngchwij,gfcij->ngfhw", win, wg, optimize=True).reshape(n, n_out, ho, wo)
    if b is not None:
        y = y + b[None, :, None, None]
    return y.astype(F32, copy=False)


def maxpool(x: np.ndarray, kernel: tuple[int, ...], strides: tuple[int, ...],
            pads: tuple[int, ...]) -> np.ndarray:
    """Max pooling; padded positions never win."""
    return windows(x, kernel, strides, pads, -np.inf).max(axis=(4, 5))


def avgpool(x: np.ndarray, kernel: tuple[int, ...], strides: tuple[int, ...],
            pads: tuple[int, ...], count_include_pad: bool) -> np.ndarray:
    """Average pooling; ONNX `count_include_pad` decides whether padding is counted."""
    sums = windows(x, kernel, strides, pads).sum(axis=(4, 5), dtype=F32)
    if count_include_pad:
        return (sums / F32(kernel[0] * kernel[1])).astype(F32)
    ones = np.ones((1, 1, *x.shape[2:]), dtype=F32)
    counts = windows(ones, kernel, strides, pads).sum(axis=(4, 5))
    return (sums / counts).astype(F32)


def global_pool(x: np.ndarray, kind: str) -> np.ndarray:
    """Mean or max over H and W: `[n, C, H, W] -> [n, C, 1, 1]`."""
    if kind == "max":
        return x.max(axis=(2, 3), keepdims=True)
    return x.mean(axis=(2, 3), keepdims=True, dtype=F32)


def linear(x: np.ndarray, w: np.ndarray, b: np.ndarray | None) -> np.ndarray:
    """`y = x Wᵀ + b` for a batch `[n, N_in]`, weights `[N_out, N_in]`."""
    y = x @ w.T
    return (y if b is None else y + b).astype(F32, copy=False)


def softmax(x: np.ndarray) -> np.ndarray:
    """Softmax over the last axis in float32: `exp(x - max) / Σ exp(x - max)`."""
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return (e / e.sum(axis=-1, keepdims=True, dtype=F32)).astype(F32)


def confidence(logits: np.ndarray) -> np.ndarray:
    """Top-1 confidence, `max softmax(x)`, per sample (float32)."""
    return softmax(logits.astype(F32)).max(axis=-1)


def exits(logits: np.ndarray, threshold: float) -> np.ndarray:
    """The exit decision `max softmax(x) > threshold`, strict, compared in float32."""
    return confidence(logits) > F32(threshold)
