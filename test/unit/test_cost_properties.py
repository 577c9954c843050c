"""Properties of the layer model: legal folds divide channels, more folding never slows a
layer, grouped convs, memory helpers, and the N-stage combination."""

from __future__ import annotations

import itertools

import pytest

from eecc.cost import Fold, combine_finite, combine_infinite, divisors
from eecc.cost.bram import fifo_bram, fifo_luts, mem_bram
from eecc.cost.layers import (
    conv_latency,
    conv_legal_folds,
    conv_resources,
    exit_decision_latency,
    exit_decision_resources,
    exit_merge_resources,
    lane_pair_work,
    linear_latency,
    linear_legal_folds,
    pool_latency,
    pool_legal_folds,
    relu_latency,
    relu_legal_folds,
    relu_resources,
    useful_lane_pairs,
)
from eecc.cost.modules import dsp_multiplier
from eecc.cost.platform import load_platform


def test_divisors():
    assert divisors(12) == (1, 2, 3, 4, 6, 12)
    assert divisors(1) == (1,)
    with pytest.raises(ValueError):
        divisors(0)


def test_conv_legal_folds_divide_channels():
    folds = conv_legal_folds(6, 16, 3)
    assert all(6 % c == 0 for c in folds["coarse_in"])
    assert all(16 % c == 0 for c in folds["coarse_out"])
    assert folds["fine"] == (1, 3, 9)
    assert conv_legal_folds(4, 4, (1, 3))["fine"] == (1, 3)
    assert conv_legal_folds(4, 4, (2, 3))["fine"] == (1, 2, 3, 6)


def test_single_coarse_folds():
    assert pool_legal_folds(10, 2) == {"coarse": (1, 2, 5, 10), "fine": (4,)}
    assert relu_legal_folds(6) == {"coarse": (1, 2, 3, 6)}
    assert linear_legal_folds(720, 10)["coarse_out"] == (1, 2, 5, 10)


def _monotone(latency, folds, key):
    """Latency is non-increasing as factors grow along the divisor order of each axis."""
    names = list(folds)
    for values in itertools.product(*folds.values()):
        fold = Fold(**dict(zip(names, values, strict=True)))
        for i, name in enumerate(names):
            bigger = [v for v in folds[name] if v > values[i]]
            if bigger:
                grown = Fold(**{**dict(zip(names, values, strict=True)), name: bigger[0]})
                assert latency(grown) <= latency(fold), (key, fold, grown)


def test_latency_decreases_as_folds_grow():
    folds = conv_legal_folds(8, 12, 3)
    _monotone(lambda f: conv_latency(16, 16, 8, 12, 3, 1, (1, 1, 1, 1), fold=f), folds, "conv")
    folds = conv_legal_folds(8, 8, 3)
    _monotone(lambda f: conv_latency(16, 16, 8, 8, 3, 1, groups=4, fold=f), folds, "grouped")
    _monotone(lambda f: linear_latency(64, 10, f), linear_legal_folds(64, 10), "linear")
    _monotone(lambda f: pool_latency(8, 8, 6, fold=f), {"coarse": divisors(6)}, "pool")
    _monotone(lambda f: relu_latency(8, 8, 6, fold=f), relu_legal_folds(6), "relu")


def test_grouped_conv_divides_by_groups():
    """The MAC work divides by groups; the row-by-row grouped conv adds its row fills (one
    step a map, 8 rows of 1 + 8*16 + 1) and output rows (6 rows of depth 6 + 4 and ii 2)."""
    assert lane_pair_work(16, 16, 4, Fold(fine=9)) * 4 == lane_pair_work(16, 16, 1, Fold(fine=9))
    macs = 6 * 16 * 4 * 9 // 9
    want = 1 + 8 * (1 + 8 * 16 + 1) + 6 * (6 + 4 + (macs - 1) * 2)
    assert conv_latency(8, 8, 16, 16, 3, groups=4, fold=Fold(fine=9)) == want


def test_depthwise_conv_only_counts_lane_pairs_sharing_a_group():
    # 8 channels, 2 output lanes: each filter reads one channel, so 2 working lane pairs
    # (the second channel lane idles) of 4 filters each, as the library's loop nest
    assert lane_pair_work(8, 8, 8, Fold(2, 2)) == 4 and useful_lane_pairs(8, 8, 8, Fold(2, 2)) == 2
    assert conv_latency(8, 8, 8, 8, 3, groups=8, fold=Fold(2, 2)) == (
        1 + 8 * (1 + 8 * 8 // 2 + 1) + 6 * (6 + 1 + (6 * 4 * 9 - 1)))
    # 6 channels in 3 groups (2 per filter), 2 lanes each way: 3 filters x 1 channel step
    assert lane_pair_work(6, 6, 3, Fold(2, 2)) == 3
    # c_in beyond the group's channels does not shorten the work; c_out does
    assert lane_pair_work(8, 8, 8, Fold(8, 1)) == 8 and lane_pair_work(8, 8, 8, Fold(1, 8)) == 1
    # every multiply-accumulate is done by exactly one useful lane pair
    assert lane_pair_work(8, 16, 4, Fold(8, 2)) * useful_lane_pairs(8, 16, 4, Fold(8, 2)) == 8 * 16 // 4
    assert lane_pair_work(8, 16, 4, Fold(2, 4)) * useful_lane_pairs(8, 16, 4, Fold(2, 4)) == 8 * 16 // 4


def test_depthwise_conv_logic_is_priced_per_channel_not_per_pair():
    """Unfolded, a depthwise conv has C working lanes of one channel each (C_in/groups per
    output channel), not the C x C lanes of a full conv: DSPs are C * fine."""
    p = load_platform("zc706")
    dense = conv_resources(16, 16, 32, 32, 3, fold=Fold(32, 32, 9), platform=p)
    depthwise = conv_resources(16, 16, 32, 32, 3, groups=32, fold=Fold(32, 32, 9), platform=p)
    assert depthwise.dsp == 32 * 9 and dense.dsp == 32 * 32 * 9
    assert depthwise.lut < dense.lut / 10  # the 32 sliding windows remain


def test_depthwise_weights_only_in_useful_lane_pairs():
    res = conv_resources(8, 8, 8, 8, 3, groups=8, fold=Fold(8, 8, 9))
    assert res.bram == 8 * 9  # 8 useful lane pairs x 9 one-word memories, not 64 x 9


def test_resources_grow_with_folding():
    p = load_platform("zc706")
    small = conv_resources(16, 16, 8, 8, 3, fold=Fold(), platform=p)
    big = conv_resources(16, 16, 8, 8, 3, fold=Fold(2, 4, 9), platform=p)
    assert big.dsp == 2 * 4 * 9 * small.dsp
    assert big.lut > small.lut and big.ff > small.ff


def test_relu_and_bias_are_counted():
    assert relu_resources(8, 8, 4).lut > 0
    with_bias = conv_resources(8, 8, 4, 4, 3, has_bias=True)
    assert with_bias.bram == conv_resources(8, 8, 4, 4, 3).bram + 1


def test_decision_and_merge_scale_with_classes_and_inputs():
    assert exit_decision_latency(100) == 100
    assert exit_decision_resources(100).lut > exit_decision_resources(10).lut
    assert exit_merge_resources([10, 10, 10]).lut > exit_merge_resources([10, 10]).lut


def test_memory_helpers():
    assert mem_bram(1000, 16) == 1 and mem_bram(1001, 16) == 2 and mem_bram(512, 36) == 1
    assert mem_bram(0, 16) == 0 and mem_bram(100, 72) == 2
    assert fifo_bram(64, 16) == 0 and fifo_bram(33, 16) == 0 and fifo_bram(160, 16) == 1
    assert fifo_luts(1, 16) == 2 and fifo_luts(36, 16) == 3 and fifo_luts(160, 16) == 0


def test_dsp_rule():
    assert dsp_multiplier(16, 16, "DSP48E1") == 1 and dsp_multiplier(32, 32, "DSP48E1") == 2
    assert dsp_multiplier(16, 16, "DSP48E2") == 1 and dsp_multiplier(27, 27, "DSP48E2") == 2


def test_n_stage_infinite():
    assert combine_infinite([100.0, 40.0, 5.0], [1, 0.5, 0.1]) == 50.0
    assert combine_infinite([100.0, 1.0], [1, 0.0]) == 100.0
    with pytest.raises(ValueError):
        combine_infinite([1.0, 2.0], [0.5, 0.5])


def test_n_stage_finite_chain():
    t, p = [48809.9, 12497.1, 8000.0], [1, 0.25, 0.05]
    three = combine_finite(t, p, 125, [16, 16])
    two = combine_finite(t[:2], p[:2], 125, [16])
    assert three <= two <= t[0]
    assert combine_finite(t, p, 125, [10**6, 10**6]) == pytest.approx(combine_infinite(t, p), rel=1e-3)
    assert combine_finite(t, p, 125, [64, 64]) >= three


def test_finite_buffer_grows_toward_infinite():
    values = [combine_finite([48809.9, 12497.1], [1, 0.25], 125, [q]) for q in (1, 4, 16, 64, 256)]
    assert values == sorted(values)
