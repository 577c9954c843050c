"""The hardware interface of `ee` ops and their prices: legal folds agree with the verifier,
the numbers registered per op class in eecc.cost.ops with the layer models, and the dialect
imports nothing from the cost model."""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import pytest
from xdsl.context import Context
from xdsl.dialects.builtin import Builtin, ModuleOp
from xdsl.parser import Parser
from xdsl.utils.exceptions import VerifyException

from eecc.cost import Fold, load_platform
from eecc.cost import layers as cost
from eecc.cost.ops import latency_cycles, pipeline_depth, resources
from eecc.cost.pricing import UnpricedOpError, priced_classes, prices_of
from eecc.dialects.ee import EE, GraphOp
from eecc.dialects.ee.attrs import FoldAttr
from eecc.dialects.ee.hardware import HardwareOp, hardware_ops, is_hardware, producers

ROOT = Path(__file__).resolve().parents[2]
ZC706 = load_platform("zc706")

# Every hardware op kind: conv (plain and grouped), pool, global pool, relu, softmax, add,
# flatten, linear, split, exit decision, condbuffers and the merge.
EVERY_OP = """
builtin.module {
  ee.weight @c.w = dense<1.000000e-01> : tensor<4x2x3x3xf32>
  ee.weight @c.b = dense<0.000000e+00> : tensor<4xf32>
  ee.weight @g.w = dense<1.000000e-01> : tensor<4x1x3x3xf32>
  ee.weight @fc.w = dense<1.000000e-01> : tensor<3x16xf32>
  ee.weight @fc2.w = dense<1.000000e-01> : tensor<3x4xf32>
  ee.graph @net(%x: !ee.stream<2x8x8xf32>) -> !ee.stream<3xf32> {
    %0 = ee.conv %x weight @c.w bias @c.b {kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : !ee.stream<2x8x8xf32> -> !ee.stream<4x8x8xf32>
    %1 = ee.conv %0 weight @g.w {groups = 4 : i64, kernel = array<i64: 3, 3>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : !ee.stream<4x8x8xf32> -> !ee.stream<4x3x3xf32>
    %2 = ee.relu %1 : !ee.stream<4x3x3xf32>
    %3 = ee.pool %2 {kernel = array<i64: 3, 3>, kind = "avg", pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : !ee.stream<4x3x3xf32> -> !ee.stream<4x3x3xf32>
    %4, %5 = ee.split %3 : !ee.stream<4x3x3xf32> -> !ee.stream<4x3x3xf32>, !ee.stream<4x3x3xf32>
    %6 = ee.pool %4 {kernel = array<i64: 2, 2>, kind = "max", pads = array<i64: 0, 0, 1, 1>, strides = array<i64: 2, 2>} : !ee.stream<4x3x3xf32> -> !ee.stream<4x2x2xf32>
    %7 = ee.flatten %6 : !ee.stream<4x2x2xf32> -> !ee.stream<16xf32>
    %8 = ee.linear %7 weight @fc.w : !ee.stream<16xf32> -> !ee.stream<3xf32>
    %9, %10 = ee.split %8 : !ee.stream<3xf32> -> !ee.stream<3xf32>, !ee.stream<3xf32>
    %11 = ee.exit_decision %9 {threshold = 9.000000e-01 : f64} : !ee.stream<3xf32>
    %12 = ee.condbuffer %10, %11 {mode = "pass-on-exit"} : !ee.stream<3xf32>
    %13 = ee.condbuffer %5, %11 {depth = 4 : i64, mode = "drop-on-exit"} : !ee.stream<4x3x3xf32>
    %14, %15 = ee.split %13 : !ee.stream<4x3x3xf32> -> !ee.stream<4x3x3xf32>, !ee.stream<4x3x3xf32>
    %16 = ee.add %14, %15 : !ee.stream<4x3x3xf32>
    %17 = ee.global_pool %16 {kind = "avg"} : !ee.stream<4x3x3xf32> -> !ee.stream<4x1x1xf32>
    %18 = ee.flatten %17 : !ee.stream<4x1x1xf32> -> !ee.stream<4xf32>
    %19 = ee.linear %18 weight @fc2.w : !ee.stream<4xf32> -> !ee.stream<3xf32>
    %20 = ee.softmax %19 : !ee.stream<3xf32>
    %21 = ee.exit_merge %12, %20 : !ee.stream<3xf32>, !ee.stream<3xf32> -> !ee.stream<3xf32>
    ee.output %21 : !ee.stream<3xf32>
  }
}
"""


def parse(text: str) -> ModuleOp:
    ctx = Context()
    ctx.load_dialect(Builtin)
    ctx.load_dialect(EE)
    module = Parser(ctx, text).parse_module()
    module.verify()
    return module


def graph_of(module: ModuleOp) -> GraphOp:
    return next(op for op in module.ops if isinstance(op, GraphOp))


def ops_of(text: str) -> list:
    return hardware_ops(graph_of(parse(text)))


def blenet() -> list:
    return ops_of((ROOT / "examples/blenet/blenet.mlir").read_text())


def by_kind(ops: list, name: str) -> list:
    return [op for op in ops if op.name == name]


def verifier_folds(op) -> set[Fold]:
    """Every fold the verifier's fold_rules allow (factors not listed stay 1)."""
    rules = op.fold_rules()
    combos = itertools.product(*(rule.legal for rule in rules))
    return {Fold(**{rule.field: v for rule, v in zip(rules, combo, strict=True)}) for combo in combos}


@pytest.mark.parametrize("source", ["every-op", "blenet"])
def test_fold_space_agrees_with_fold_rules(source: str) -> None:
    ops = ops_of(EVERY_OP) if source == "every-op" else blenet()
    for op in ops:
        space = op.fold_space()
        assert len(space) == len(set(space)), op.name
        assert set(space) == verifier_folds(op), op.name


def test_fold_space_is_ordered_and_every_fold_verifies() -> None:
    for op in blenet():
        space = op.fold_space()
        assert space == sorted(space, key=lambda f: (f.coarse_in, f.coarse_out, f.fine, f.coarse))
        assert space[0] == Fold()
        for fold in space[:: max(1, len(space) // 5)] + [space[-1]]:
            op.set_fold(fold)
            op.verify()


def test_every_op_kind_is_hardware_and_priced() -> None:
    ops = ops_of(EVERY_OP)
    kinds = {op.name for op in ops}
    assert kinds == {
        "ee.conv", "ee.relu", "ee.pool", "ee.split", "ee.flatten", "ee.linear",
        "ee.exit_decision", "ee.condbuffer", "ee.add", "ee.global_pool", "ee.softmax",
        "ee.exit_merge",
    }
    for op in ops:
        fold = op.current_fold_value()
        assert latency_cycles(op, fold) >= 0
        assert isinstance(pipeline_depth(op, fold), int)
        assert resources(op, fold, ZC706).lut >= 0


def test_conv_numbers_equal_the_cost_model() -> None:
    conv1 = by_kind(blenet(), "ee.conv")[0]
    for fold in (Fold(), Fold(coarse_out=5), Fold(coarse_out=5, fine=25)):
        args = dict(h=28, w=28, c_in=1, c_out=5, kernel=(5, 5), pads=(4, 4, 4, 4), fold=fold)
        assert latency_cycles(conv1, fold) == cost.conv_latency(**args, stride=(1, 1))
        assert pipeline_depth(conv1, fold) == -(-cost.conv_pipeline_depth(**args) // 1)
        assert resources(conv1, fold, ZC706) == cost.conv_resources(
            **args, stride=(1, 1), has_bias=True, platform=ZC706)
    # The anchor's unit checks: L = 5120 at fine 25; 1296 with c_out 5 as well.
    assert latency_cycles(conv1, Fold(fine=25)) == 5120
    assert latency_cycles(conv1, Fold(coarse_out=5, fine=25)) == 1296
    assert latency_cycles(conv1, Fold()) == max(36 * 36 * 1, 32 * 32 * 1 * 5 * 25) == 128000


def test_linear_pool_and_control_numbers() -> None:
    ops = blenet()
    fc = by_kind(ops, "ee.linear")[1]
    assert latency_cycles(fc, Fold(coarse_in=10)) == 720 == cost.linear_latency(720, 10, Fold(coarse_in=10))
    assert resources(fc, Fold(coarse_in=10), ZC706) == cost.linear_resources(
        720, 10, True, Fold(coarse_in=10), ZC706)
    pool = by_kind(ops, "ee.pool")[0]
    assert resources(pool, Fold(), ZC706) == cost.pool_resources(32, 32, 5, (2, 2))
    assert latency_cycles(pool, Fold()) == 32 * 32 * 5
    decision = by_kind(ops, "ee.exit_decision")[0]
    assert latency_cycles(decision, Fold()) == 10
    assert pipeline_depth(decision, Fold()) == 180
    assert resources(decision, Fold(), ZC706) == cost.exit_decision_resources(10)
    merge = by_kind(ops, "ee.exit_merge")[0]
    assert latency_cycles(merge, Fold()) == 10


def test_condbuffer_resources_follow_depth() -> None:
    drop, passed = (by_kind(blenet(), "ee.condbuffer")[i] for i in (1, 0))
    assert drop.buffer_depth() == 16  # unset: the default queue depth
    assert resources(drop, Fold(), ZC706).bram == 32  # anchor: condbuffer 16x16x5
    assert resources(passed, Fold(), ZC706).bram == 1  # anchor: condbuffer 1x1x10
    ops = ops_of(EVERY_OP)
    deep = by_kind(ops, "ee.condbuffer")[1]
    assert deep.buffer_depth() == 4
    assert resources(deep, Fold(), ZC706) == cost.condbuffer_resources(3, 3, 4, depth=4)


def test_softmax_and_flatten_pricing() -> None:
    ops = ops_of(EVERY_OP)
    softmax = by_kind(ops, "ee.softmax")[0]
    assert latency_cycles(softmax, Fold()) == cost.relu_latency(1, 1, 3)
    assert resources(softmax, Fold(), ZC706) == cost.relu_resources(1, 1, 3)
    for flatten in by_kind(ops, "ee.flatten"):
        assert flatten.fold_space() == [Fold()]
        assert latency_cycles(flatten, Fold()) == 0 and pipeline_depth(flatten, Fold()) == 0
        assert resources(flatten, Fold(), ZC706).as_dict() == {"lut": 0, "ff": 0, "dsp": 0, "bram": 0}


def test_set_fold_round_trips_and_omits_ones() -> None:
    conv1 = by_kind(blenet(), "ee.conv")[0]
    assert conv1.current_fold_value() == Fold()
    conv1.set_fold(Fold(coarse_out=5, fine=25))
    assert conv1.current_fold_value() == Fold(coarse_out=5, fine=25)
    assert conv1.fold == FoldAttr(coarse_out=5, fine=25)
    assert "#ee.fold<coarse_out = 5, fine = 25>" in str(conv1)
    conv1.set_fold(Fold(coarse_out=3))
    with pytest.raises(VerifyException, match="coarse_out=3 does not divide 5"):
        conv1.verify()


def test_hardware_ops_is_topological_and_deterministic() -> None:
    ops = blenet()
    position = {id(op): i for i, op in enumerate(ops)}
    for op in ops:
        assert all(position[id(p)] < position[id(op)] for p in producers(op))
    assert [op.name for op in ops] == [op.name for op in blenet()]
    assert ops[-1].name == "ee.exit_merge"  # it consumes the final classifier


def test_is_hardware() -> None:
    module = parse(EVERY_OP)
    graph = graph_of(module)
    assert not is_hardware(graph)
    assert not any(is_hardware(op) for op in module.ops)
    assert not is_hardware(graph.body.block.last_op)
    assert all(is_hardware(op) for op in hardware_ops(graph))


def test_every_hardware_op_class_is_priced_and_only_those() -> None:
    hardware = {cls for cls in EE.operations if issubclass(cls, HardwareOp)}
    assert len(hardware) == 13
    priced = set(priced_classes())
    assert hardware == priced
    for op in ops_of(EVERY_OP):
        assert prices_of(op) is prices_of(op)  # one registered instance per class


class MysteryOp(HardwareOp):
    """A hardware op nobody priced."""

    name = "ee.mystery"


def test_an_unpriced_op_is_an_error_naming_it() -> None:
    for ask in (lambda op: latency_cycles(op, Fold()), lambda op: pipeline_depth(op, Fold()),
                lambda op: resources(op, Fold(), ZC706)):
        with pytest.raises(UnpricedOpError, match="'ee.mystery' has no prices in the cost model"):
            ask(MysteryOp())


def cost_imports(source: str) -> list[str]:
    """The `eecc.cost` modules a Python source imports (statements or `import_module`)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append(node.module)
            found += [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append(node.value)
    return [m for m in found if m == "eecc.cost" or m.startswith("eecc.cost.")]


def test_the_dialect_imports_nothing_from_the_cost_model() -> None:
    assert cost_imports("from eecc import cost\nimport eecc.cost.ops\n") == [
        "eecc.cost", "eecc.cost.ops"]
    assert cost_imports("from eecc.cost.fold import Fold\nf('eecc.cost.layers')\n") == [
        "eecc.cost.fold", "eecc.cost.fold.Fold", "eecc.cost.layers"]
    sources = sorted((ROOT / "dialects").rglob("*.py"))
    assert ROOT / "dialects" / "ee" / "hardware.py" in sources
    offenders = {str(p.relative_to(ROOT)): cost_imports(p.read_text()) for p in sources}
    assert {p: m for p, m in offenders.items() if m} == {}
