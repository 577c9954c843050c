"""Convolution layers: legal folds, latency, pipeline depth, resources.

Latency and depth are in clock cycles per feature map; resources in LUT / FF / DSP /
BRAM18K. A conv layer is built from c_in sliding windows and forks, c_in x c_out conv
lanes and accumulators, a glue adder tree, weight memories and (with a bias) a bias
memory; see docs/cost-model.md for the sources of every term.
"""

from __future__ import annotations

from eecc.cost import modules as m
from eecc.cost.bram import mem_bram
from eecc.cost.fold import UNFOLDED, Fold, divisors, fine_options, pair
from eecc.cost.platform import Platform, Resources

Pair = int | tuple[int, int]
Pads = tuple[int, int, int, int]  # top, left, bottom, right


def conv_output_size(h: int, w: int, kernel: Pair, stride: Pair = 1,
                     pads: Pads = (0, 0, 0, 0)) -> tuple[int, int]:
    """(Ho, Wo) = (floor((H - k0 + pt + pb) / s0) + 1, likewise for W)."""
    (k0, k1), (s0, s1) = pair(kernel), pair(stride)
    top, left, bottom, right = pads
    return (h - k0 + top + bottom) // s0 + 1, (w - k1 + left + right) // s1 + 1


def conv_legal_folds(c_in: int, c_out: int, kernel: Pair) -> dict[str, tuple[int, ...]]:
    """coarse_in in divisors(C_in), coarse_out in divisors(C_out), fine in {1, k0, k1, k0*k1}."""
    return {"coarse_in": divisors(c_in), "coarse_out": divisors(c_out),
            "fine": fine_options(pair(kernel))}


def lane_pair_work(c_in: int, c_out: int, groups: int, fold: Fold) -> int:
    """(channel, filter) pairs each conv lane pair handles per output pixel.

    A filter reads the C_in/groups channels of its group: with groups = 1 this is
    C_in*C_out/(c_in*c_out); a grouped conv is the library's loop nest, C_out/c_out filter
    steps times ceil((C_in/groups)/c_in) channel steps (c_in lanes beyond the group's
    channels idle), so a depthwise conv does C/c_out, whatever c_in.
    """
    if groups == 1:
        return c_in * c_out // (fold.coarse_in * fold.coarse_out)
    per_group = c_in // groups
    return c_out // fold.coarse_out * -(-per_group // fold.coarse_in)


def useful_lane_pairs(c_in: int, c_out: int, groups: int, fold: Fold) -> int:
    """Lane pairs that do work: c_in*c_out, or c_out*min(c_in, C_in/groups) when grouped
    (a filter's lane pairs only span its group's channels)."""
    if groups == 1:
        return fold.coarse_in * fold.coarse_out
    return fold.coarse_out * min(fold.coarse_in, c_in // groups)


def conv_latency(h: int, w: int, c_in: int, c_out: int, kernel: Pair, stride: Pair = 1,
                 pads: Pads = (0, 0, 0, 0), groups: int = 1, fold: Fold = UNFOLDED) -> float:
    """Cycles per feature map: max(Hp*Wp*C_in/c_in, Ho*Wo*k0*k1*work/fine).

    ``work`` is ``lane_pair_work``: C_in*C_out/(c_in*c_out) for groups = 1 (the anchor's
    closed form), C_out/c_out * ceil(C_in/(groups*c_in)) for a grouped conv.
    """
    k0, k1 = pair(kernel)
    ho, wo = conv_output_size(h, w, kernel, stride, pads)
    hp, wp = h + pads[0] + pads[2], w + pads[1] + pads[3]
    if groups > 1:
        return grouped_conv_latency(hp, wp, ho, wo, c_in, c_out, (k0, k1), groups, fold)
    words_in = hp * wp * c_in / fold.coarse_in
    compute = ho * wo * k0 * k1 * lane_pair_work(c_in, c_out, groups, fold) / fold.fine
    return max(words_in, compute)


def _port_ii(accesses: int) -> int:
    """Cycles per iteration of `accesses` reads of one dual-port memory (schedule.h)."""
    return 1 if accesses <= 2 else (accesses + 1) // 2


def grouped_conv_latency(hp: int, wp: int, ho: int, wo: int, c_in: int, c_out: int,
                         kernel: tuple[int, int], groups: int, fold: Fold) -> float:
    """Cycles per map of the library's row-by-row grouped conv (`conv_grouped`), whose row
    fills and output rows do not overlap: one step per map and per padded row, each row's
    fill pipeline (`Wp*C_in/c_in` words, depth 2) and each output row's MAC pipeline
    (`Wo * work * k0*k1/fine` iterations at the ii of its line-buffer and weight reads, depth
    `6 + ceil log2(c_in*fine)`).
    """
    row_taps = min(fold.fine, kernel[1])
    ii = max(_port_ii(row_taps), _port_ii(-(-fold.fine // row_taps)))
    depth = 6 + m.clog2(fold.coarse_in * fold.fine)
    fill = wp * c_in // fold.coarse_in + 1
    macs = wo * lane_pair_work(c_in, c_out, groups, fold) * kernel[0] * kernel[1] // fold.fine
    return 1 + hp * (1 + fill) + ho * (depth + (macs - 1) * ii)


def conv_pipeline_depth(h: int, w: int, c_in: int, c_out: int, kernel: Pair,
                        pads: Pads = (0, 0, 0, 0), groups: int = 1,
                        fold: Fold = UNFOLDED) -> float:
    """Cycles before the first output: sliding window + fine + accumulator (C*F/groups^2)."""
    k0, k1 = pair(kernel)
    ch, filters = c_in / fold.coarse_in, c_out / fold.coarse_out
    wp = w + pads[1] + pads[3]
    window = wp * ch * (k0 - 1) + ch * k0 * (k1 - 1)
    return window + fold.fine + ch * filters / groups**2


def conv_resources(h: int, w: int, c_in: int, c_out: int, kernel: Pair, stride: Pair = 1,
                   pads: Pads = (0, 0, 0, 0), groups: int = 1, has_bias: bool = False,
                   fold: Fold = UNFOLDED, platform: Platform | None = None,
                   data_width: int = 16, weight_width: int = 16) -> Resources:
    """LUT / FF / DSP / BRAM18K of a conv layer.

    A 1x1 kernel has no sliding window, c_out = 1 no fork, one channel per lane no
    accumulator, c_in = 1 no glue (as in the anchor). Weights: ``_weights``.
    """
    kernel = pair(kernel)
    dsp_kind = platform.dsp_kind if platform else "DSP48E1"
    ci, co = fold.coarse_in, fold.coarse_out
    ho, wo = conv_output_size(h, w, kernel, stride, pads)
    ch, filters = c_in // ci, c_out // co
    lanes = useful_lane_pairs(c_in, c_out, groups, fold)  # ci*co unless grouped
    per_filter = min(ch, c_in // groups)  # the channels a lane's filter reads
    total = m.conv_lane(filters, ho, wo, per_filter, fold.fine, dsp_kind, data_width,
                        weight_width) * lanes
    if kernel != (1, 1):
        total += m.sliding_window(kernel, ch, w + pads[1] + pads[3], data_width) * ci
    if co > 1:
        total += m.fork(ho * wo * ch) * ci
    total += accumulate_lanes(filters, groups, ho, wo, per_filter, fold, data_width, lanes)
    total += _weights(c_in, c_out, kernel, groups, fold, weight_width)
    return total + bias_resources(c_out, has_bias, fold, data_width)


def _weights(c_in: int, c_out: int, kernel: tuple[int, int], groups: int, fold: Fold,
             ww: int) -> Resources:
    """Weight memories: fine per useful lane pair, each of the busiest pair's words / fine.

    groups = 1 gives the anchor's mem(C_out*C_in*k0*k1/(fine*c_in*c_out)) * c_in*c_out*fine.
    """
    taps = kernel[0] * kernel[1]
    depth = lane_pair_work(c_in, c_out, groups, fold) * taps / fold.fine
    memories = useful_lane_pairs(c_in, c_out, groups, fold) * fold.fine
    return Resources(bram=mem_bram(depth, ww) * memories)


def accumulate_lanes(filters: int, groups: int, rows: int, cols: int, ch: int, fold: Fold,
                dw: int, lanes: int | None = None) -> Resources:
    """Accumulators (LUT/FF per working lane pair, BRAM per output lane) and the glue tree;
    `lanes` is the number of lane pairs that do work (all c_in*c_out unless grouped)."""
    total = Resources()
    if lanes is None:
        lanes = fold.coarse_in * fold.coarse_out
    if ch > 1:
        acc = m.accumulator(filters, groups, rows, cols, ch, dw)
        total += Resources(acc.lut, acc.ff) * lanes
        total += Resources(bram=acc.bram * fold.coarse_out)
    if fold.coarse_in > 1:
        total += m.glue(fold.coarse_in)
    return total


def bias_resources(c_out: int, has_bias: bool, fold: Fold, bias_width: int = 16) -> Resources:
    """Bias memory: C_out/c_out words per output lane (0 without a bias)."""
    if not has_bias:
        return Resources()
    return Resources(bram=mem_bram(c_out / fold.coarse_out, bias_width) * fold.coarse_out)
