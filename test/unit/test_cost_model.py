"""Every unit check of the reference cost model (docs/cost-model.md) holds exactly.

Resources are LUT / FF / BRAM18K / DSP as the reference lists them; latencies are
cycles per feature map; throughputs samples per second.
"""

from __future__ import annotations

import pytest

from eecc.cost import Fold, combine_finite, combine_infinite, stage_latency_s, stage_throughput
from eecc.cost.layers import (
    condbuffer_resources,
    conv_latency,
    conv_resources,
    exit_decision_latency,
    exit_decision_resources,
    exit_merge_latency,
    linear_latency,
    linear_resources,
    pool_resources,
)
from eecc.cost.platform import load_platform
from eecc.cost.throughput import smith_step

ZC706 = load_platform("zc706")
PADS4 = (4, 4, 4, 4)


def lfbd(r):
    """The reference's order: LUT / FF / BRAM / DSP."""
    return (r.lut, r.ff, r.bram, r.dsp)


def test_conv_1_to_5_k5_pad4_fine25():
    fold = Fold(fine=25)
    res = conv_resources(28, 28, 1, 5, 5, 1, PADS4, has_bias=True, fold=fold, platform=ZC706)
    assert lfbd(res) == (4441, 5148, 26, 25)
    assert conv_latency(28, 28, 1, 5, 5, 1, PADS4, fold=fold) == 5120


def test_conv_1_to_5_with_coarse_out_5():
    assert conv_latency(28, 28, 1, 5, 5, 1, PADS4, fold=Fold(coarse_out=5, fine=25)) == 1296


def test_pool_2x2_on_32x32x5():
    assert lfbd(pool_resources(32, 32, 5, 2)) == (907, 1307, 1, 0)


def test_linear_720_to_10_coarse_in_10():
    fold = Fold(coarse_in=10)
    res = linear_resources(720, 10, has_bias=True, fold=fold, platform=ZC706)
    assert lfbd(res) == (24087, 30039, 12, 10)
    assert linear_latency(720, 10, fold) == 720


@pytest.mark.parametrize(("shape", "expected"), [
    ((16, 16, 5), (113, 106, 32, 0)),  # 21 blocks of words, rounded up to 32
    ((1, 1, 10), (53, 45, 1, 0)),
])
def test_condbuffer(shape, expected):
    assert lfbd(condbuffer_resources(*shape)) == expected


def test_exit_decision_10_classes():
    # the anchor's 1818 / 1498 / 0 / 8, plus the exp table's ROM (4097 x 32 bits: 9 BRAM18)
    assert lfbd(exit_decision_resources(10)) == (1818, 1498, 9, 8)
    assert exit_decision_latency(10) == 10


def test_exit_merge_two_inputs_of_10():
    assert exit_merge_latency([10, 10]) == 10  # one result per sample (anchor: 20)


def test_stage_throughput():
    assert stage_latency_s(6400, 2464, 125, 1024) == pytest.approx(0.052449, rel=1e-5)
    assert stage_throughput(6400, 2464, 125) == pytest.approx(19523.9, rel=1e-5)


@pytest.mark.parametrize(("q", "expected"), [(16, 44688), (64, 47890)])
def test_two_stage_smith_reproduces_the_anchor(q, expected):
    """Smith's M/G/1/K step, the anchor's model (kept for comparison), gives its figures."""
    got = smith_step(48809.9, 1.0, 0.25, 12497.1, 125, q)
    assert got == pytest.approx(expected, rel=1e-3)


def test_two_stage_event_model_between_the_ring_and_the_bound():
    """The event model of the queue: deeper buffers and more slack admit more, never above
    the infinite-buffer bound nor below the producer-stalls-per-kept-map extreme."""
    t0, t1 = 48809.9, 12497.1
    got = [combine_finite([t0, t1], [1, 0.25], 125, [q]) for q in (1, 2, 4, 16, 64, 256)]
    assert got == sorted(got) and got[-1] <= combine_infinite([t0, t1], [1, 0.25])
    serial = 1 / (1 / t0 + 0.25 / t1)  # depth 1, no slack: producer and next stage never overlap
    assert got[0] >= serial * (1 - 1e-3)
    slack = combine_finite([t0, t1], [1, 0.25], 125, [2], [(0.25, 0.75)])
    assert slack > got[1]


def test_two_stage_infinite_buffer():
    assert combine_infinite([48809.9, 12497.1], [1, 0.25]) == pytest.approx(48810, rel=1e-3)
    deep = combine_finite([48809.9, 12497.1], [1, 0.25], 125, [1_000_000])
    assert deep == pytest.approx(48810, rel=1e-3)
