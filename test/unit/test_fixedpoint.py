"""The fixed-point reference kernels against hand-computed cases and float arithmetic."""

import math

import numpy as np
import pytest

from eecc import fixedpoint as fp

RNG = np.random.default_rng(1234)


# ----------------------------------------------------------------- formats and rounding


def test_fixed_format_properties():
    f = fp.FixedFormat(16, 8)
    assert (f.frac, f.min, f.max) == (8, -32768, 32767)
    assert fp.FixedFormat(8, 3).frac == 5
    assert f.to_float(384) == 1.5


def test_quantize_rounds_half_up():
    # 2**8 = 256: 0.5/256 rounds up to 1, -0.5/256 rounds up to 0, -1.5/256 to -1.
    x = np.array([0.5, -0.5, -1.5, 1.5, 0.49, -0.51]) / 256
    assert fp.quantize(x).tolist() == [1, 0, -1, 2, 0, -1]


def test_quantize_saturates_both_ends():
    assert fp.quantize([200.0, -200.0, 127.99, -128.0]).tolist() == [32767, -32768, 32765, -32768]
    assert fp.FixedFormat(8, 4).quantize([100.0, -100.0]).tolist() == [127, -128]


def test_requantize_round_half_up_with_floor_shift():
    # Fw = 8: acc / 256 rounded half up; negative values floor (arithmetic shift).
    acc = np.array([128, 127, -128, -129, 384, -384, 256 * 5 + 200])
    assert fp.requantize(acc, 8).tolist() == [1, 0, 0, -1, 2, -1, 6]


def test_requantize_saturates_and_fw_zero():
    assert fp.requantize([1 << 40, -(1 << 40)], 8).tolist() == [32767, -32768]
    assert fp.requantize([5, -70000], 0).tolist() == [5, -32768]


def test_floor_div_negative():
    assert fp.floor_div([-7, 7, -8], 2).tolist() == [-4, 3, -4]


def test_relu_and_add():
    assert fp.relu(np.array([-3, 0, 5])).tolist() == [0, 0, 5]
    assert fp.add([30000, -30000, 5], [5000, -5000, -7]).tolist() == [32767, -32768, -2]


# ---------------------------------------------------------------------------- pooling


def test_maxpool_padding_counts_as_most_negative():
    x = np.full((1, 2, 2), -100, dtype=np.int64)
    x[0, 1, 1] = -50
    # 3x3 window, stride 1, pad 1: padding never wins against real negative values.
    out = fp.maxpool(x, 3, 1, (1, 1, 1, 1))
    assert out.tolist() == [[[-50, -50], [-50, -50]]]


def test_maxpool_stride_and_asymmetric_pad():
    x = np.arange(16, dtype=np.int64).reshape(1, 4, 4) - 8
    out = fp.maxpool(x, 2, 2, (0, 0, 1, 1))  # 5x5 padded -> 2x2 outputs
    assert out.tolist() == [[[-3, -1], [5, 7]]]


def test_avgpool_count_include_pad():
    x = np.array([[[4, 8], [12, 17]]], dtype=np.int64)
    # 2x2 window, stride 1, pad 1 all round: the corner windows hold one real value.
    excl = fp.avgpool(x, 2, 1, (1, 1, 1, 1), count_include_pad=False)
    incl = fp.avgpool(x, 2, 1, (1, 1, 1, 1), count_include_pad=True)
    assert excl[0, 0, 0] == 4 and incl[0, 0, 0] == 1
    # centre window: (4+8+12+17)/4 = 10.25 -> 10 either way
    assert excl[0, 1, 1] == 10 and incl[0, 1, 1] == 10
    # top middle: (4+8)/2 = 6 excluding, 12/4 = 3 including
    assert excl[0, 0, 1] == 6 and incl[0, 0, 1] == 3


def test_avgpool_rounds_half_up_for_negatives():
    x = np.array([[[-1, -2]]], dtype=np.int64)  # mean -1.5 rounds up to -1
    assert fp.avgpool(x, (1, 2), 1).tolist() == [[[-1]]]
    x = np.array([[[-1, -4]]], dtype=np.int64)  # mean -2.5 -> -2
    assert fp.avgpool(x, (1, 2), 1).tolist() == [[[-2]]]


def test_global_avgpool():
    x = np.array([[[1, 2], [3, 4]], [[-1, -2], [-3, -3]]], dtype=np.int64)
    # 10/4 = 2.5 -> 3; -9/4 = -2.25 -> -2
    assert fp.global_avgpool(x).reshape(-1).tolist() == [3, -2]


# ------------------------------------------------------------------- conv and linear


def _float_conv(x, w, b, stride, pads, groups):
    """Direct float64 convolution, the obvious loops."""
    c, _, _ = x.shape
    f, cg, kh, kw = w.shape
    top, left, bottom, right = pads
    xp = np.pad(x, ((0, 0), (top, bottom), (left, right)))
    ho = (xp.shape[1] - kh) // stride + 1
    wo = (xp.shape[2] - kw) // stride + 1
    out = np.zeros((f, ho, wo))
    fpg = f // groups
    for o in range(f):
        g = o // fpg
        for i in range(ho):
            for j in range(wo):
                patch = xp[g * cg:(g + 1) * cg, i * stride:i * stride + kh, j * stride:j * stride + kw]
                out[o, i, j] = (patch * w[o]).sum() + b[o]
    return out


@pytest.mark.parametrize(
    ("c", "f", "k", "stride", "pads", "groups"),
    [(3, 4, 3, 1, (1, 1, 1, 1), 1), (4, 6, 3, 2, (0, 1, 2, 0), 2), (4, 4, 1, 1, (0, 0, 0, 0), 4)],
)
def test_conv2d_matches_float_without_rounding(c, f, k, stride, pads, groups):
    # Weights are integers (Fw = 8 multiple of 256) so the product needs no rounding, and
    # values are small so nothing saturates: the result equals float arithmetic exactly.
    q_x = RNG.integers(-64, 64, size=(c, 6, 7))
    q_w = RNG.integers(-3, 4, size=(f, c // groups, k, k)) * 256
    q_b = RNG.integers(-50, 50, size=f)
    got = fp.conv2d(q_x, q_w, q_b, stride, pads, groups, weight_frac=8)
    want = _float_conv(q_x / 256, q_w / 256, q_b / 256, stride, pads, groups) * 256
    np.testing.assert_array_equal(got, want.astype(np.int64))


def test_conv2d_rounds_and_saturates():
    q_x = np.full((1, 1, 1), 300, dtype=np.int64)
    w = np.array([[[[1]]], [[[-1]]], [[[30000]]], [[[-30000]]]])
    got = fp.conv2d(q_x, w, np.zeros(4), weight_frac=8).reshape(-1)
    # 300/256 = 1.17 -> 1; -1.17 -> -1; ±35156 saturates at both ends
    assert got.tolist() == [1, -1, 32767, -32768]


def test_linear_matches_float_without_rounding():
    q_x = RNG.integers(-100, 100, size=20)
    q_w = RNG.integers(-4, 5, size=(5, 20)) * 256
    q_b = RNG.integers(-10, 10, size=5)
    got = fp.linear(q_x, q_w, q_b, weight_frac=8)
    want = (q_w / 256) @ q_x + q_b
    np.testing.assert_array_equal(got, want.astype(np.int64))


# ---------------------------------------------------------------------- exit decision


def test_exp_lut_shape_and_ends():
    t = fp.exp_lut(8)
    assert t.shape == (16 * 256 + 1,)
    assert t[0] == 65536 and t[-1] == 0
    assert t[256] == math.floor(math.exp(-1) * 65536 + 0.5)
    assert np.all(np.diff(t) <= 0)


def test_threshold_q():
    assert fp.threshold_q(1.0) == 65536
    assert fp.threshold_q(0.6) == math.floor(0.6 * 65536 + 0.5)


def test_exit_decision_hand_cases():
    # One dominant logit: softmax max ≈ 1 but Σ e_i ≥ 2**16, so thr 1.0 never exits.
    logits = np.array([20 * 256, 0, 0])
    assert fp.exit_decision(logits, 0.996)
    assert not fp.exit_decision(logits, 1.0)
    # Two equal logits: max softmax 0.5 exactly; '>' is strict.
    two = np.array([100, 100])
    assert not fp.exit_decision(two, 0.5)
    assert fp.exit_decision(two, 0.49)


def test_exit_decision_agrees_with_float_softmax_away_from_threshold():
    for _ in range(200):
        q = RNG.integers(-1500, 1500, size=10)
        p = np.exp((q - q.max()) / 256)
        pmax = 1 / p.sum()
        for thr in (0.3, 0.6, 0.9):
            if abs(pmax - thr) > 1e-3:
                assert fp.exit_decision(q, thr) == (pmax > thr)
