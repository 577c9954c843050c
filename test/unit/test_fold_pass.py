"""`--fold` on `ee` IR: folded designs verify, fit every resource, and are deterministic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from xdsl.context import Context
from xdsl.dialects.builtin import Builtin, ModuleOp
from xdsl.parser import Parser

from eecc.cost import load_platform
from eecc.dialects.ee import EE
from eecc.emit.report import fold_exact, json_report
from eecc.errors import EeccError
from eecc.network import estimate_network
from eecc.passes.ee_annotate_rates import EeAnnotateRatesPass
from eecc.passes.ee_partition import EePartitionPass
from eecc.passes.fold import FoldPass

ROOT = Path(__file__).resolve().parents[2]
BLENET = ROOT / "examples" / "blenet" / "blenet.mlir"
OPT = Path(sys.executable).parent / "eecc-opt"


def _context() -> Context:
    ctx = Context()
    ctx.load_dialect(Builtin)
    ctx.load_dialect(EE)
    return ctx


def folded(budget: float, p: float | None = 0.25, **options: object) -> ModuleOp:
    ctx = _context()
    module = Parser(ctx, BLENET.read_text()).parse_module()
    EePartitionPass().apply(ctx, module)
    if p is not None:
        EeAnnotateRatesPass(p=(p,)).apply(ctx, module)
    FoldPass(budget=budget, **options).apply(ctx, module)  # type: ignore[arg-type]
    return module


@pytest.mark.parametrize("budget", [0.25, 0.5, 0.75, 1.0])
def test_folded_blenet_verifies_and_fits(budget: float) -> None:
    module = folded(budget)
    module.verify()
    estimate = estimate_network(module, load_platform("zc706"))
    assert estimate.fits(budget)
    assert "ee.bottleneck" in str(module)


def test_more_budget_is_never_slower() -> None:
    platform = load_platform("zc706")
    speeds = [estimate_network(folded(b), platform).throughput for b in (0.3, 0.6, 1.0)]
    assert speeds == sorted(speeds)


def test_area_objective_reaches_target_with_less() -> None:
    platform = load_platform("zc706")
    fast = estimate_network(folded(1.0), platform)
    lean = estimate_network(folded(1.0, objective="area", target=fast.throughput / 2), platform)
    assert lean.throughput >= fast.throughput / 2
    share = lambda e: max(e.resources.fraction(platform).values())  # noqa: E731
    assert share(lean) < share(fast)


def test_no_rates_means_rate_one_and_a_note(capsys: pytest.CaptureFixture[str]) -> None:
    module = folded(0.5, p=None)
    assert "ee.note" in module.attributes
    assert "no rates annotated" in capsys.readouterr().err


@pytest.mark.parametrize(("options", "message"), [
    ({"budget": 0.0}, "budget=0.0 is outside (0, 1]"),
    ({"budget": 1.5}, "budget=1.5 is outside (0, 1]"),
    ({"budget": 0.5, "platform": "zc999"}, "unknown platform 'zc999'"),
    ({"budget": 0.5, "objective": "speed"}, "objective=\"speed\" is not one of"),
    ({"budget": 0.5, "objective": "area"}, "needs target="),
    ({"budget": 0.05}, "the unfolded design needs 27696 LUT, 34693 FF and 91 BRAM but budget 0.05 allows "
     "10930 LUT of 218600, 21860 FF of 437200 and 54.5 BRAM of 1090; raise the budget"),
])
def test_errors(options: dict, message: str) -> None:
    with pytest.raises(EeccError, match=message.replace("(", r"\(").replace(")", r"\)")):
        folded(**options)


def test_eecc_opt_as_typed_is_deterministic() -> None:
    cmd = [str(OPT), "--ee-partition", "--fold", str(BLENET)]
    first = subprocess.run(cmd, capture_output=True, check=True).stdout
    second = subprocess.run(cmd, capture_output=True, check=True).stdout
    assert first == second and b"#ee.fold<" in first
    again = subprocess.run([str(OPT)], input=first, capture_output=True, check=True)
    assert again.stdout == first


def test_a_capped_search_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    """With a point cap too small for B-LeNet's stage curves, the IR and stderr say the
    design is not proven optimal; at the default cap it is exact and nothing is said."""
    from eecc.reference.model import load_model

    module = load_model(ROOT / "examples" / "blenet" / "blenet.onnx")
    ctx = _context()
    EePartitionPass().apply(ctx, module)
    EeAnnotateRatesPass(p=(0.25,)).apply(ctx, module)
    FoldPass(budget=0.6, cap=2).apply(ctx, module)
    graph = next(op for op in module.walk() if op.name == "ee.graph")
    assert str(graph.attributes["ee.exact"]) == "false"
    assert "not proven optimal" in capsys.readouterr().err
    assert fold_exact(module) is False
    assert json_report(estimate_network(module, load_platform("zc706")), fold_exact(module))[
        "fold_exact"] is False
    blenet = folded(1.0)
    assert "ee.exact" not in str(blenet) and fold_exact(blenet) is True
    assert "not proven optimal" not in capsys.readouterr().err


def test_refolding_legalised_ir_leaves_no_stale_repack() -> None:
    """`--ee-legalize-hls`, `--fold` at another budget, `--ee-legalize-hls` again: every repack
    joins the lanes of its producer and consumer as they are now."""
    from eecc.dialects.ee import RepackOp
    from eecc.emit.naming import source
    from eecc.passes.ee_legalize_hls import EeLegalizeHlsPass, in_lanes, out_lanes

    module = folded(1.0)
    ctx = _context()
    EeLegalizeHlsPass().apply(ctx, module)
    FoldPass(budget=0.3).apply(ctx, module)
    EeLegalizeHlsPass().apply(ctx, module)
    module.verify()
    repacks = [op for op in module.walk() if isinstance(op, RepackOp)]
    assert repacks
    for op in repacks:
        producer = source(op.input)
        assert producer is not None and out_lanes(producer) == op.lanes_in.value.data
        for use in op.results[0].uses:
            assert in_lanes(use.operation) == op.lanes_out.value.data


@pytest.mark.parametrize("budget", [0.3, 0.6])
def test_lane_repacks_are_priced_the_same_before_and_after_legalisation(budget: float) -> None:
    """Where neighbouring folds differ in lanes the model prices one repack per stream, the
    very repacks `ee-legalize-hls` inserts; the folded design fits with them."""
    from eecc.dialects.ee import RepackOp
    from eecc.passes.ee_legalize_hls import EeLegalizeHlsPass

    module = folded(budget)
    platform = load_platform("zc706")
    before = estimate_network(module, platform)
    assert before.repacks and before.fits(budget)
    EeLegalizeHlsPass().apply(_context(), module)
    after = estimate_network(module, platform)
    inserted = [op for op in module.walk() if isinstance(op, RepackOp)]
    assert len(inserted) == len(before.repacks) == len(after.repacks)
    assert {(op.lanes_in.value.data, op.lanes_out.value.data) for op in inserted} == {
        r.lanes for r in after.repacks}
    assert after.resources == before.resources and after.throughput == before.throughput


def test_the_repack_rule() -> None:
    """Registers for the lcm(in, out)-word chunk and the input group, an NO:1 mux per
    output lane and bit; nothing when the lanes agree."""
    from eecc.cost.stream import repack_resources

    assert repack_resources(4, 4) == repack_resources(1, 1) == type(repack_resources(1, 1))()
    r = repack_resources(5, 1, data_width=16)  # chunk 5, NO = 5: ceil(4/3) = 2 LUTs a bit
    assert (r.lut, r.ff, r.dsp, r.bram) == (16 + 1 * 33 * 2, 16 + (5 + 5) * 33, 0, 0)
    r = repack_resources(2, 3, data_width=8)  # chunk 6, NO = 2: one LUT a bit
    assert (r.lut, r.ff) == (16 + 3 * 25 * 1, 16 + (6 + 2) * 25)
