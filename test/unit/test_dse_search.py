"""The fold search against exhaustive enumeration (small networks) and annealing (B-LeNet)."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest

from eecc.cost import layers as cost
from eecc.cost.fold import Fold
from eecc.dse.anneal import anneal
from eecc.dse.exhaustive import exhaustive
from eecc.dse.problem import Layer, Option, Problem, Stage, design_space_size, evaluate
from eecc.dse.search import Unfittable, search
from eecc.dse.tap import pareto_mask

BLENET = Path(__file__).resolve().parents[2] / "examples" / "blenet" / "blenet.mlir"


def _folds(legal: dict[str, tuple[int, ...]]) -> list[Fold]:
    out = [Fold()]
    for field, values in legal.items():
        out = [replace(f, **{field: v}) for f in out for v in values]
    return out


def conv_layer(name: str, h: int, c_in: int, c_out: int, k: int) -> Layer:
    pads = (k // 2,) * 4
    opts = []
    for f in _folds(cost.conv_legal_folds(c_in, c_out, k)):
        r = cost.conv_resources(h, h, c_in, c_out, k, 1, pads, fold=f)
        opts.append(Option(f, cost.conv_latency(h, h, c_in, c_out, k, 1, pads, fold=f),
                           cost.conv_pipeline_depth(h, h, c_in, c_out, k, pads, fold=f),
                           (r.lut, r.ff, r.dsp, r.bram)))
    return Layer(name, tuple(opts))


def relu_layer(name: str, h: int, c: int) -> Layer:
    opts = []
    for f in _folds(cost.relu_legal_folds(c)):
        r = cost.relu_resources(h, h, c, f)
        opts.append(Option(f, cost.relu_latency(h, h, c, f), 1.0, (r.lut, r.ff, r.dsp, r.bram)))
    return Layer(name, tuple(opts))


def random_stage(rng: random.Random, index: int, rate: float) -> Stage:
    h, c = rng.choice((4, 6, 8)), rng.choice((1, 2, 3, 4))
    layers = []
    for k in range(rng.choice((2, 3))):
        if k and rng.random() < 0.3:
            layers.append(relu_layer(f"relu{index}_{k}", h, c))
            continue
        c_out = rng.choice((1, 2, 3, 4))
        layers.append(conv_layer(f"conv{index}_{k}", h, c, c_out, rng.choice((1, 3))))
        c = c_out
    return Stage(tuple(layers), rate)


def queue_layer(name: str, rng: random.Random) -> Layer:
    """A drop-on-exit buffer whose depth (1..16 maps) is a choice, BRAM per map."""
    per_map, latency = rng.choice((1, 2, 4)), float(rng.choice((8, 16)))
    opts = tuple(Option(Fold(), latency, 1.0, (10.0, 10.0, 0.0, float(per_map * q)), q)
                 for q in (1, 2, 4, 8, 16))
    return Layer(name, opts)


def with_queue(stage: Stage, rng: random.Random, index: int) -> Stage:
    return replace(stage, layers=(*stage.layers, queue_layer(f"buffer{index}", rng)),
                   queue_layer=len(stage.layers))


def random_problem(seed: int, stages: int = 2, queues: bool = False) -> Problem:
    """A small chain of stages; each resource limit lands between the unfolded and full design.

    With `queues`, every stage but the last ends in a buffer whose depth is searched, and
    the buffers have random slack around them."""
    rng = random.Random(seed)
    while True:
        rates = sorted((rng.uniform(0.05, 0.9) for _ in range(stages - 1)), reverse=True)
        chain = tuple(random_stage(rng, i, r) for i, r in enumerate([1.0, *rates]))
        if queues:
            chain = tuple(with_queue(st, rng, i) if i < stages - 1 else st
                          for i, st in enumerate(chain))
        if design_space_size(Problem(chain, (1, 1, 1, 1))) <= 12_000:
            break
    lo = [sum(min(o.res[k] for o in la.options) for s in chain for la in s.layers) for k in range(4)]
    hi = [sum(max(o.res[k] for o in la.options) for s in chain for la in s.layers) for k in range(4)]
    cap = tuple(max(1.0, lo[k] + rng.uniform(0.05, 0.6) * (hi[k] - lo[k])) for k in range(4))
    slacks = tuple((rng.choice((0.0, 0.25)), rng.choice((0.0, 0.5))) for _ in range(stages - 1))
    return Problem(chain, cap, fill=False, slacks=slacks if queues else ())  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", range(8))
def test_equals_exhaustive_two_stages(seed: int) -> None:
    problem = random_problem(seed)
    best = exhaustive(problem)
    assert best is not None
    found = search(problem)
    assert found.exact and found.evaluation.fits
    assert found.evaluation.throughput == pytest.approx(best[1].throughput, rel=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_equals_exhaustive_three_stages(seed: int) -> None:
    problem = random_problem(100 + seed, stages=3)
    best = exhaustive(problem)
    assert best is not None
    found = search(problem)
    assert found.evaluation.fits
    assert found.evaluation.throughput == pytest.approx(best[1].throughput, rel=1e-12)


@pytest.mark.parametrize(("seed", "stages"), [(s, 2) for s in range(6)] + [(200, 3), (201, 3)])
def test_joint_depth_equals_exhaustive_over_folds_and_depths(seed: int, stages: int) -> None:
    """Buffer depths searched with the folds: BRAM for a deeper queue competes with BRAM for
    layers, and the search finds what enumerating every fold x depth finds."""
    problem = random_problem(300 + seed, stages, queues=True)
    best = exhaustive(problem)
    assert best is not None
    found = search(problem)
    assert found.exact and found.evaluation.fits
    assert found.evaluation.throughput == pytest.approx(best[1].throughput, rel=1e-12)
    assert found.evaluation.queue_depths == problem.design_queues(found.design)


def test_the_state_cap_is_reported_as_inexact() -> None:
    """The stage combination keeps at most `state_cap` partial designs: past it the result
    says it is not exact and is no better than the uncapped one; with room, the same."""
    problem = random_problem(201, stages=3, queues=True)
    full = search(problem)
    assert full.exact
    capped = search(problem, state_cap=1)
    assert capped.evaluation.throughput <= full.evaluation.throughput * (1 + 1e-12)
    if capped.exact:  # proven by the upper bound, then as good as the uncapped search
        assert capped.evaluation.throughput >= full.evaluation.throughput * (1 - 1e-9)
    else:
        assert capped.gap >= 1 - capped.evaluation.throughput / full.evaluation.throughput - 1e-9
    assert search(problem, state_cap=10**7).design == full.design


@pytest.mark.parametrize("seed", range(6))
def test_the_upper_bound_bounds_the_exhaustive_optimum(seed: int) -> None:
    """`upper_bound` is at least the best design's throughput (exhaustive), and a search
    that meets it is the optimum."""
    from eecc.dse.search import upper_bound
    from eecc.dse.tap import stage_tap

    problem = random_problem(300 + seed, stages=3, queues=True)
    found = exhaustive(problem)
    assert found is not None
    best = found[1].throughput
    taps = tuple(stage_tap(problem, i) for i in range(3))
    assert upper_bound(problem, taps) >= best * (1 - 1e-12)
    result = search(problem)
    assert result.exact and result.evaluation.throughput >= best * (1 - 1e-9)


def test_blockwise_pareto_mask_equals_the_pairwise_one() -> None:
    import numpy as np

    from eecc.dse.tap import BLOCK, _small_mask

    rng = np.random.default_rng(3)
    res = rng.integers(0, 6, size=(3 * BLOCK + 17, 5)).astype(float)  # many ties
    assert (pareto_mask(res) == _small_mask(res)).all()


@pytest.mark.parametrize("seed", range(4))
def test_pipeline_fill_costs_at_most_its_share(seed: int) -> None:
    """With the fill term, the search is within depth / (interval x batch) of the optimum."""
    problem = replace(random_problem(seed), fill=True)
    best = exhaustive(problem)
    assert best is not None
    found = search(problem).evaluation
    deepest = max(sum(max(o.depth for o in la.options) for la in s.layers) for s in problem.stages)
    fastest = min(max(min(o.latency for o in la.options) for la in s.layers) for s in problem.stages)
    share = deepest / (fastest * problem.batch)
    assert found.fits
    assert found.throughput >= best[1].throughput * (1 - share)
    assert found.throughput <= best[1].throughput * (1 + 1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_area_equals_exhaustive(seed: int) -> None:
    problem = random_problem(seed)
    fastest = exhaustive(problem)
    assert fastest is not None
    target = fastest[1].throughput * 0.6
    found = search(problem, "area", target).evaluation
    assert found.fits and found.throughput >= target * (1 - 1e-12)
    best = min(problem.cost(ev.resources) for ev in _all(problem)
               if ev.fits and ev.throughput >= target * (1 - 1e-12))
    assert problem.cost(found.resources) == pytest.approx(best, rel=1e-12)


def _all(problem: Problem):
    import itertools

    sizes = [[len(la.options) for la in s.layers] for s in problem.stages]
    for combo in itertools.product(*(itertools.product(*(range(n) for n in row)) for row in sizes)):
        yield evaluate(problem, combo)



def test_pareto_mask_keeps_first_of_equals() -> None:
    import numpy as np

    res = np.array([[1, 2, 0, 0], [2, 1, 0, 0], [1, 2, 0, 0], [2, 2, 0, 0]], dtype=float)
    assert pareto_mask(res).tolist() == [True, True, False, False]


@pytest.fixture(scope="module")
def blenet_problem() -> Problem:
    from xdsl.context import Context
    from xdsl.dialects.builtin import Builtin
    from xdsl.parser import Parser

    from eecc.cost import load_platform
    from eecc.dialects.ee import EE
    from eecc.dse import ir
    from eecc.network import NetworkModel

    ctx = Context()
    ctx.load_dialect(Builtin)
    ctx.load_dialect(EE)
    module = Parser(ctx, BLENET.read_text()).parse_module()
    mapping = ir.build(NetworkModel(module, load_platform("zc706")))
    return ir.with_rates(mapping.problem, [1.0, 0.25])


@pytest.mark.parametrize("budget", [0.3, 0.5, 0.8, 1.0])
def test_never_worse_than_annealing_on_blenet(blenet_problem: Problem, budget: float) -> None:
    problem = replace(blenet_problem, budget=budget)
    found = search(problem).evaluation
    assert found.fits
    for seed in range(3):
        annealed = anneal(problem, seed=seed).evaluation
        assert annealed.fits
        assert found.throughput >= annealed.throughput


def test_annealing_is_seeded(blenet_problem: Problem) -> None:
    a, b = anneal(blenet_problem, seed=7), anneal(blenet_problem, seed=7)
    assert a.design == b.design and a.moves == 880


def test_an_unfittable_design_names_every_overflowing_resource() -> None:
    """Below the unfolded design the error names each resource over its limit with the
    amounts; a budget below 1 suggests raising it, the full platform does not."""
    problem = random_problem(11)
    lo = [sum(min(o.res[k] for o in la.options) for s in problem.stages for la in s.layers)
          for k in range(4)]
    small = replace(problem, capacity=(lo[0] / 2, lo[1] / 2, lo[2] * 4 + 1, lo[3] * 4 + 1))
    with pytest.raises(Unfittable) as full:
        search(small)
    text = str(full.value)
    assert f"needs {lo[0]:.0f} LUT and {lo[1]:.0f} FF but the platform has" in text
    assert "does not fit at any folding" in text and "raise the budget" not in text
    with pytest.raises(Unfittable) as half:
        search(replace(small, budget=0.5))
    assert "but budget 0.5 allows" in str(half.value) and "raise the budget" in str(half.value)
