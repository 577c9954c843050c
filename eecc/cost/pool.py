"""Pooling layers (max / avg over a window, and global pooling).

Latency in cycles per feature map, resources in LUT / FF / DSP / BRAM18K.
"""

from __future__ import annotations

from eecc.cost import modules as m
from eecc.cost.bram import fifo_bram, fifo_luts
from eecc.cost.conv import Pads, Pair
from eecc.cost.fold import UNFOLDED, Fold, divisors, pair
from eecc.cost.platform import Resources

POOL_MODES = ("max", "avg")


def pool_legal_folds(c: int, kernel: Pair) -> dict[str, tuple[int, ...]]:
    """coarse in divisors(C); fine is fixed at k0*k1 (the whole window per cycle)."""
    k0, k1 = pair(kernel)
    return {"coarse": divisors(c), "fine": (k0 * k1,)}


def pool_latency(h: int, w: int, c: int, pads: Pads = (0, 0, 0, 0), fold: Fold = UNFOLDED) -> float:
    """Cycles per feature map: Hp*Wp*C/coarse (every padded input word is read once)."""
    return (h + pads[0] + pads[2]) * (w + pads[1] + pads[3]) * c / fold.coarse


def pool_pipeline_depth(w: int, c: int, kernel: Pair, pads: Pads = (0, 0, 0, 0),
                        fold: Fold = UNFOLDED) -> float:
    """Cycles before the first output: the sliding window's Wp*Ch*(k0-1) + Ch*k0*(k1-1)."""
    k0, k1 = pair(kernel)
    ch, wp = c / fold.coarse, w + pads[1] + pads[3]
    return wp * ch * (k0 - 1) + ch * k0 * (k1 - 1)


def pool_resources(h: int, w: int, c: int, kernel: Pair, pads: Pads = (0, 0, 0, 0),
                   mode: str = "max", fold: Fold = UNFOLDED, data_width: int = 16) -> Resources:
    """A sliding window and a pool unit per lane, times coarse.

    ``avg`` is priced as ``max`` (one window-wide reduction per output either way).
    """
    if mode not in POOL_MODES:
        raise ValueError(f"pool mode '{mode}' is not one of {', '.join(POOL_MODES)}")
    kernel = pair(kernel)
    ch = c // fold.coarse
    window = m.sliding_window(kernel, ch, w + pads[1] + pads[3], data_width)
    return (window + m.pool(kernel)) * fold.coarse


def global_pool_legal_folds(c: int) -> dict[str, tuple[int, ...]]:
    """coarse in divisors(C)."""
    return {"coarse": divisors(c)}


def global_pool_latency(h: int, w: int, c: int, fold: Fold = UNFOLDED) -> float:
    """Cycles per feature map: H*W*C/coarse."""
    return h * w * c / fold.coarse


def global_pool_pipeline_depth(h: int, w: int, c: int, fold: Fold = UNFOLDED) -> float:
    """The first output needs the whole map: (H-1)*W*C/coarse + C/coarse cycles."""
    return ((h - 1) * w * c + c) / fold.coarse


def global_pool_resources(h: int, w: int, c: int, fold: Fold = UNFOLDED,
                          data_width: int = 16) -> Resources:
    """Per lane, an accumulator (regression) over H x W x Ch plus a Ch-word sum FIFO."""
    ch = c // fold.coarse
    acc = m.accumulator(1, 1, h, w, ch, data_width)
    sums = Resources(lut=fifo_luts(ch, data_width), bram=fifo_bram(ch, data_width))
    return (Resources(acc.lut, acc.ff) + sums) * fold.coarse
