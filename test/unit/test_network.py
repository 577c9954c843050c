"""eecc.network: stages of B-LeNet and its estimate against the closed forms of cost-model.md."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from xdsl.context import Context
from xdsl.dialects.builtin import Builtin, ModuleOp
from xdsl.parser import Parser

from eecc.cost import Fold, combine_finite, combine_infinite, load_platform, stage_throughput
from eecc.dialects.ee import EE, GraphOp
from eecc.errors import EeccError
from eecc.network import NetworkModel, NetworkStructure, estimate_network
from eecc.passes.ee_annotate_rates import EeAnnotateRatesPass
from eecc.passes.ee_partition import EePartitionPass

ROOT = Path(__file__).resolve().parents[2]
ZC706 = load_platform("zc706")


def blenet(partition: bool = True, p: float | None = 0.25) -> ModuleOp:
    ctx = Context()
    ctx.load_dialect(Builtin)
    ctx.load_dialect(EE)
    module = Parser(ctx, (ROOT / "examples/blenet/blenet.mlir").read_text()).parse_module()
    if partition:
        EePartitionPass().apply(ctx, module)
    if p is not None:
        EeAnnotateRatesPass(p=(p,)).apply(ctx, module)
    module.verify()
    return module


def conv_latency(h: int, c_in: int, c_out: int, k: int, pad: int) -> int:
    """max(Hp*Wp*Cin, Ho*Wo*Cin*F*k*k) unfolded, square maps, stride 1."""
    hp, ho = h + 2 * pad, h + 2 * pad - k + 1
    return max(hp * hp * c_in, ho * ho * c_in * c_out * k * k)


def test_two_stages_at_p_025_unfolded() -> None:
    estimate = estimate_network(blenet(), ZC706)
    assert [s.index for s in estimate.stages] == [0, 1]
    assert [s.rate for s in estimate.stages] == [1.0, 0.25]
    conv1 = conv_latency(28, 1, 5, 5, 4)
    exit_conv = conv_latency(16, 5, 10, 3, 1)
    conv2, conv3 = conv_latency(16, 5, 10, 5, 4), conv_latency(10, 10, 20, 5, 3)
    assert conv1 == max(36 * 36 * 1, 32 * 32 * 1 * 5 * 25) == 128000
    assert (exit_conv, conv2, conv3) == (115200, 500000, 720000)
    assert estimate.stages[0].interval_cycles == conv1
    assert estimate.stages[1].interval_cycles == conv3
    assert estimate.stages[0].bottleneck == "conv_0"
    assert estimate.stages[1].bottleneck == "conv_3"


def test_stage_throughput_and_network_combination() -> None:
    estimate = estimate_network(blenet(), ZC706)
    s0, s1 = estimate.stages
    for stage in (s0, s1):
        seconds = (stage.interval_cycles * 1024 + stage.depth_cycles) / 125e6
        assert stage.throughput == pytest.approx(1024 / seconds)
        assert stage.throughput == stage_throughput(stage.interval_cycles, stage.depth_cycles, 125)
    assert estimate.throughput_infinite == pytest.approx(min(s0.throughput, s1.throughput / 0.25))
    assert estimate.queue_depths == (16,)  # no --ee-size-buffers: the default depth
    expected = combine_finite([s0.throughput, s1.throughput], [1.0, 0.25], 125, [16],
                              estimate.slacks)
    assert estimate.throughput == pytest.approx(expected)
    assert estimate.throughput <= estimate.throughput_infinite


def test_stage_depth_is_the_longest_path_and_resources_sum() -> None:
    estimate = estimate_network(blenet(), ZC706)
    stage0 = [o for o in estimate.ops if o.stage == 0]
    # conv1, pool, relu, split, exit head (conv, pool, relu, flatten, linear), split,
    # decision, pass-on-exit buffer, merge: the exit's path is the longest.
    path = ["conv_0", "pool_0", "relu_0", "split_0", "conv_1", "pool_1", "relu_1",
            "flatten_0", "linear_0", "split_1", "exit_decision_0", "condbuffer_0",
            "exit_merge_0"]
    depth = {o.name: o.depth_cycles for o in stage0}
    assert estimate.stages[0].depth_cycles == sum(depth[n] for n in path)
    total = sum((o.resources for o in estimate.ops), start=estimate.ops[0].resources * 0)
    assert estimate.resources == total
    assert estimate.resources.lut == sum(s.resources.lut for s in estimate.stages)


def test_partitioned_and_flat_graphs_have_the_same_stages() -> None:
    flat = NetworkStructure(next(o for o in blenet(False, None).ops if isinstance(o, GraphOp)))
    staged = NetworkStructure(next(o for o in blenet(True, None).ops if isinstance(o, GraphOp)))
    assert [flat.stage(op) for op in flat.ops] == [staged.stage(op) for op in staged.ops]
    assert flat.names == staged.names
    assert (flat.num_stages, flat.exits, len(flat.drop_buffers)) == (2, 2, 1)


def test_rates_without_annotation_default_to_one() -> None:
    estimate = estimate_network(blenet(False, None), ZC706)
    assert [s.rate for s in estimate.stages] == [1.0, 1.0]
    s0, s1 = estimate.stages
    assert estimate.throughput_infinite == pytest.approx(min(s0.throughput, s1.throughput))


def test_model_evaluates_folds_without_touching_the_ir() -> None:
    module = blenet()
    before = str(module)
    model = NetworkModel(module, ZC706)
    folds = model.current_folds()
    conv1 = next(i for i, op in enumerate(model.ops) if op.name == "ee.conv")
    folds[conv1] = Fold(coarse_out=5, fine=25)
    fast = model.evaluate(folds)
    assert fast.ops[conv1].latency_cycles == 1296
    assert fast.stages[0].interval_cycles == 115200  # now the exit conv is slowest
    assert fast.stages[0].bottleneck == "conv_1"
    assert str(module) == before
    assert model.evaluate().stages[0].interval_cycles == 128000


def test_network_without_exits_is_one_stage() -> None:
    text = """
builtin.module {
  ee.weight @w = dense<1.000000e-01> : tensor<3x4xf32>
  ee.graph @plain(%x: !ee.stream<4xf32>) -> !ee.stream<3xf32> {
    %0 = ee.linear %x weight @w : !ee.stream<4xf32> -> !ee.stream<3xf32>
    ee.output %0 : !ee.stream<3xf32>
  }
}
"""
    ctx = Context()
    ctx.load_dialect(Builtin)
    ctx.load_dialect(EE)
    estimate = estimate_network(Parser(ctx, text).parse_module(), ZC706)
    assert len(estimate.stages) == 1 and estimate.queue_depths == ()
    assert estimate.stages[0].interval_cycles == 12
    assert estimate.throughput == estimate.throughput_infinite == estimate.stages[0].throughput
    assert math.isclose(estimate.throughput, 1024 / ((12 * 1024 + 13) / 125e6))


def test_module_with_two_graphs_is_an_error() -> None:
    module = blenet()
    graph = next(o for o in module.ops if isinstance(o, GraphOp))
    module.body.block.add_op(graph.clone())
    with pytest.raises(EeccError, match="expected one 'ee.graph'"):
        estimate_network(module, ZC706)


def test_infinite_bound_formula() -> None:
    estimate = estimate_network(blenet(), ZC706)
    rates = [s.throughput for s in estimate.stages]
    assert estimate.throughput_infinite == combine_infinite(rates, [1.0, 0.25])


def test_buffer_slack_is_counted_from_the_ir() -> None:
    """B-LeNet unfolded: conv_0 limits stage 0, conv_3 stage 1 (eecc.cost.queue's slack)."""
    model = NetworkModel(blenet(), ZC706)
    (up, down), = model.slacks()
    # split, relu, pool rows of 5x16x16 maps, conv_0's row of 5x32x32, pool_0's k - 1 = 1 row
    assert up == pytest.approx(3 / 16 + 1 / 32 + 1 / 32)
    # the buffer's row (1/16), then conv_2's 4 of 24 padded rows; that is the floor too
    (fup, fdown), = model.slack_floor()
    assert (fup, fdown) == pytest.approx((1 / 16, 1 / 16 + 4 / 24))
    assert down > fdown and up > fup
