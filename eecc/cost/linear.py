"""Linear (inner product) layers: a 1x1 conv on the flattened input.

Latency and depth in cycles per sample, resources in LUT / FF / DSP / BRAM18K.
"""

from __future__ import annotations

from eecc.cost import modules as m
from eecc.cost.bram import mem_bram
from eecc.cost.conv import accumulate_lanes, bias_resources
from eecc.cost.fold import UNFOLDED, Fold, divisors
from eecc.cost.platform import Platform, Resources


def linear_legal_folds(in_features: int, out_features: int) -> dict[str, tuple[int, ...]]:
    """coarse_in in divisors(in_features), coarse_out in divisors(out_features); fine = 1."""
    return {"coarse_in": divisors(in_features), "coarse_out": divisors(out_features), "fine": (1,)}


def linear_latency(in_features: int, out_features: int, fold: Fold = UNFOLDED) -> float:
    """Cycles per sample: in*out/(c_in*c_out) (a 1x1 conv on the flattened input)."""
    words_in = in_features / fold.coarse_in
    return max(words_in, in_features * out_features / (fold.coarse_in * fold.coarse_out))


def linear_pipeline_depth(in_features: int, out_features: int, fold: Fold = UNFOLDED) -> float:
    """Cycles before the first output: one multiply + the accumulator (C*F per lane)."""
    return 1 + in_features / fold.coarse_in * out_features / fold.coarse_out


def linear_resources(in_features: int, out_features: int, has_bias: bool = False,
                     fold: Fold = UNFOLDED, platform: Platform | None = None,
                     data_width: int = 16, weight_width: int = 16) -> Resources:
    """LUT / FF / DSP / BRAM18K of a linear layer.

    c_in forks (kept even at c_out = 1, as in the anchor), c_in*c_out conv lanes and
    accumulators, the glue, weights of in*out/(c_in*c_out) words per lane, the bias.
    """
    dsp_kind = platform.dsp_kind if platform else "DSP48E1"
    ci, co = fold.coarse_in, fold.coarse_out
    ch, filters = in_features // ci, out_features // co
    total = m.conv_lane(filters, 1, 1, ch, 1, dsp_kind, data_width, weight_width) * (ci * co)
    total += m.fork(ch) * ci
    total += accumulate_lanes(filters, 1, 1, 1, ch, fold, data_width)
    depth = in_features * out_features / (ci * co)
    total += Resources(bram=mem_bram(depth, weight_width) * ci * co)
    return total + bias_resources(out_features, has_bias, fold, data_width)
