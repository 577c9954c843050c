"""Per-module resource regressions of the fpgaConvNet / ATHEENA model (ZC706 fits).

Each module's LUT / FF (and a few DSP) estimates are ``int(dot(utilisation, coef))``:
a linear regression with no intercept, truncated to an integer per module instance,
as the anchor does. BRAM and multiplier DSPs are analytical. Widths are in bits, all
results in LUTs, FFs, DSP slices and BRAM18K blocks. See docs/cost-model.md.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from eecc.cost.bram import config_depth, fifo_bram, fifo_luts, mem_bram, pow2_blocks
from eecc.cost.platform import Resources
from eecc.dialects.interface import DEFAULT_BUFFER_DEPTH

# (LUT coefficients, FF coefficients) per module, matching the utilisation vectors below.
# The sliding window's first LUT coefficient is printed 2.824 in the reference; the pool
# unit check pins the fitted value into [2.8235, 2.8240), hence 2.82355.
CONV = ((463.16, 142.83, 0.0), (658.85, 164.64, 0.0))
ACCUM = ((0.0201, 0.0, 8.078, 0.0230, 0.00384, 0.0474), (0.0168, 0.0, 9.643, 0.00256, 0.0, 0.0623))
GLUE = ((733.75,), (648.94,))
SLIDING_WINDOW = ((2.82355, 0.0, 0.0, 0.0, 189.28), (2.241, 0.0, 0.0, 0.0, 268.99))
FORK = ((0.811,), (1.341,))
POOL = ((267.44,), (447.80,))
RELU = ((1.848, 1.542), (1.962, 1.916))
CONDBUFFER = ((3.121, 2.472, 4.784, 0.0), (2.793, 2.553, 3.889, 0.0852))
EXP = ((0.0364, 0.0430, 0.0668, 66.81), (0.0521, 0.0666, 0.0946, 31.98))
SOFTMAX_SUM = ((28.77,), (26.66,))
REDUCE_MAX = ((8.127,), (13.815,))
COMPARE = ((9.564,), (20.576,))
# DSP regressions over [dw]. The fits sit a hair under 7/16 and 3/16 (printed 0.4375 /
# 0.1875): at dw = 16 the anchor's int() gives 6 + 2 DSPs, the 8 of the decision check.
EXP_DSP = 0.43749
COMPARE_DSP = 0.18749


def regress(coef: Sequence[float], util: Sequence[float]) -> int:
    """``int(dot(util, coef))``: one module's regression estimate, truncated."""
    return int(sum(c * u for c, u in zip(coef, util, strict=True)))


def _lut_ff(coefs: tuple[Sequence[float], Sequence[float]], util: Sequence[float]) -> Resources:
    return Resources(lut=regress(coefs[0], util), ff=regress(coefs[1], util))


def clog2(n: float) -> int:
    """ceil(log2(n)) for n >= 1 (0 for n <= 1)."""
    return 0 if n <= 1 else math.ceil(math.log2(n))


def dsp_multiplier(a_bits: int, b_bits: int, dsp_kind: str = "DSP48E1") -> int:
    """DSP slices of one a x b multiplier.

    DSP48E1: ``ceil((a+b)/48)`` (the anchor's rule). DSP48E2 (27x18): eecc uses
    ``ceil(max/27) * ceil(min/18)``.
    """
    if dsp_kind == "DSP48E2":
        wide, narrow = max(a_bits, b_bits), min(a_bits, b_bits)
        return math.ceil(wide / 27) * math.ceil(narrow / 18)
    return math.ceil((a_bits + b_bits) / 48)


def conv_lane(filters: int, rows: int, cols: int, channels: int, fine: int,
              dsp_kind: str = "DSP48E1", dw: int = 16, ww: int = 16) -> Resources:
    """One conv lane (a c_in x c_out pair): util [log2 F, log2(R*C), log2 Ch], ``fine`` multipliers."""
    util = (math.log2(filters), math.log2(rows * cols), math.log2(channels))
    return _lut_ff(CONV, util) + Resources(dsp=fine * dsp_multiplier(ww, dw, dsp_kind))


def accumulator(filters: int, groups: int, rows: int, cols: int, channels: int,
                dw: int = 16) -> Resources:
    """Accumulator of one lane: util [F, groups, dw, C, R, Ch]; BRAM of F/groups partial sums."""
    util = (filters, groups, dw, cols, rows, channels)
    return _lut_ff(ACCUM, util) + Resources(bram=mem_bram(filters / groups, dw))


def glue(coarse_in: int) -> Resources:
    """Adder tree joining ``coarse_in`` partial sums: 733.75 LUT and 648.94 FF per input."""
    return _lut_ff(GLUE, (coarse_in,))


def sliding_window(kernel: tuple[int, int], channels: int, cols_padded: int,
                   dw: int = 16) -> Resources:
    """Sliding window of one lane: regression plus line / window buffers.

    Line buffers: (k0-1) FIFOs of Wp*Ch words; window buffers: k0*(k1-1) FIFOs of Ch
    words; each in BRAM (``fifo_bram``) or LUTRAM (``fifo_luts``).
    """
    k0, k1 = kernel
    util = (dw * k0 * k1,
            k0 * (k1 - 1) * (dw + math.floor(math.log2(channels))),
            (k1 - 1) * (dw + math.floor(math.log2(channels * cols_padded))),
            k0 * (k1 - 1), k1 - 1)
    line, window = cols_padded * channels, channels
    n_line, n_window = k0 - 1, k0 * (k1 - 1)
    buffers = Resources(
        lut=n_line * fifo_luts(line, dw) + n_window * fifo_luts(window, dw),
        bram=n_line * fifo_bram(line, dw) + n_window * fifo_bram(window, dw))
    return _lut_ff(SLIDING_WINDOW, util) + buffers


def fork(words: int) -> Resources:
    """Fork (broadcast) of a stream of ``words`` words per sample: util [ceil log2 words]."""
    return _lut_ff(FORK, (clog2(words),))


def pool(kernel: tuple[int, int]) -> Resources:
    """Pool (max) unit over a k0 x k1 window: 267.44 LUT, 447.80 FF per kernel column."""
    return _lut_ff(POOL, (kernel[1],))


def relu(words: int, dw: int = 16) -> Resources:
    """ReLU of one lane: util [dw, ceil log2 words]."""
    return _lut_ff(RELU, (dw, clog2(words)))


def condbuffer(rows: int, cols: int, channels: int, depth: int = DEFAULT_BUFFER_DEPTH,
               dw: int = 16) -> Resources:
    """Conditional buffer of one lane holding ``depth`` feature maps of R x C x Ch words.

    BRAM: ``2**ceil(log2(ceil(R*C*Ch*depth / words_per_block)))`` (power-of-two FIFO).
    """
    blocks = math.ceil(rows * cols * channels * depth / config_depth(dw))
    return _lut_ff(CONDBUFFER, (rows, cols, channels, dw)) + Resources(bram=pow2_blocks(blocks))


def exponential(rows: int, cols: int, channels: int, dw: int = 16) -> Resources:
    """exp() unit of the exit decision: util [R, C, Ch, dw], DSP int(0.4375*dw)."""
    return _lut_ff(EXP, (rows, cols, channels, dw)) + Resources(dsp=regress((EXP_DSP,), (dw,)))


def softmax_sum(dw: int = 16) -> Resources:
    """Running sum of exponentials: util [dw]."""
    return _lut_ff(SOFTMAX_SUM, (dw,))


def reduce_max(dw: int = 16) -> Resources:
    """Running maximum: util [dw]."""
    return _lut_ff(REDUCE_MAX, (dw,))


def compare(dw: int = 16) -> Resources:
    """``max > threshold * sum`` comparator: util [dw], DSP int(0.1875*dw)."""
    return _lut_ff(COMPARE, (dw,)) + Resources(dsp=regress((COMPARE_DSP,), (dw,)))
