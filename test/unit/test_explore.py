"""`eecc explore`: memo-exact accuracy, fold-exact throughput, a non-dominated front, the
annealer against enumeration, identical results in process / pool / dask, the chosen design
compiling, byte-identical files and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from eecc.cli import main
from eecc.dse import ir
from eecc.dse.search import search
from eecc.explore.driver import Request, load
from eecc.explore.evaluate import Worker, memo_of
from eecc.explore.pool import run_tasks
from eecc.explore.search import Objective, anneal, best, pareto
from eecc.explore.space import Candidate, Space
from eecc.network import NetworkModel
from eecc.passes.ee_annotate_rates import EeAnnotateRatesPass
from eecc.passes.ee_partition import EePartitionPass
from eecc.passes.ee_select_exits import EeSelectExitsPass
from eecc.passes.ee_size_buffers import EeSizeBuffersPass
from eecc.profile import taken_exits
from eecc.reference import run_graph
from eecc.reference.model import context

ROOT = Path(__file__).resolve().parents[2]
NET = ROOT / "examples" / "blenet_over"
MODEL, PROFILE = NET / "blenet_over.onnx", NET / "profile.json"
DIGITS = np.load(ROOT / "examples" / "data" / "digits_test_28.npz")
BUDGET = 0.4
SPACE = Space((0, 2, 4), (0.5, 0.99))  # 27 candidates: small enough to enumerate in a test


@pytest.fixture(scope="module")
def loaded():
    return load(Request(MODEL, PROFILE, Path("unused"), budget=BUDGET, exits="0,2,4",
                        thresholds="0.5,0.99"))


@pytest.fixture(scope="module")
def points(loaded):
    cands = [c for s in SPACE.subsets() for c in SPACE.candidates(s)]
    return run_tasks([(loaded.setting, cands)])


def _selected(loaded, cand: Candidate):
    module = loaded.module.clone()
    EeSelectExitsPass(keep=cand.exits, thresholds=cand.thresholds).apply(context(), module)
    return module


def _objective(points, kind="min-accuracy", value=None) -> Objective:
    base = next(p for p in points if not p.candidate.exits)
    return Objective(kind, base.accuracy if value is None else value, base.accuracy,
                     base.throughput)


def test_space_counts_subsets_without_neighbours() -> None:
    space = Space(tuple(range(6)), tuple(range(8)))
    assert len(space.subsets()) == 21  # Fibonacci: no two kept exits side by side
    assert space.size() == 1 + 6 * 8 + 10 * 8**2 + 4 * 8**3
    assert Space(tuple(range(6)), (0.9,), adjacent=True).size() == 2**6


def test_shipped_memo_is_the_networks(loaded) -> None:
    """The profile's memo equals every head of the network on the data: the same answers,
    and confidences to float32 rounding (the float reference sums through the machine's
    BLAS, whose kernels and thread split may order a dot product differently)."""
    from eecc.profile import memoise
    from eecc.reference import Program

    fresh = memoise(Program.from_module(loaded.module), DIGITS["x"][:64], None)
    np.testing.assert_allclose(fresh.conf, loaded.setting.conf[:, :64], rtol=2e-6, atol=0)
    assert np.array_equal(fresh.pred, loaded.setting.pred[:, :64])


def test_front_is_non_dominated_and_accuracy_equals_run(loaded, points) -> None:
    front = pareto(points)
    assert len(front) >= 2
    for f in front:
        assert not any(p.fits and p.accuracy >= f.accuracy and p.throughput >= f.throughput
                       and (p.accuracy > f.accuracy or p.throughput > f.throughput)
                       for p in points)
    for p in points:  # every fitting point off the front is dominated by a front point
        if p.fits and p not in front:
            assert any(f.accuracy >= p.accuracy and f.throughput >= p.throughput for f in front)
    for f in front:  # the memo's exit choices are `eecc run`'s, sample for sample
        result = run_graph(_selected(loaded, f.candidate), DIGITS["x"])
        memo = memo_of(loaded.setting, f.candidate.exits)
        assert np.array_equal(result.exits, taken_exits(memo, f.candidate.thresholds))
        assert float((result.classes == DIGITS["y"]).mean()) == pytest.approx(f.accuracy, abs=1e-6)


def test_throughput_is_the_fold_pass(loaded, points) -> None:
    """A candidate's throughput is `--fold`'s on the selected network at the memo's rates."""
    point = next(p for p in points if p.candidate == Candidate((0, 2), (0.5, 0.99)))
    module = _selected(loaded, point.candidate)
    ctx = context()
    EePartitionPass().apply(ctx, module)
    EeAnnotateRatesPass(p=point.reach[1:]).apply(ctx, module)
    EeSizeBuffersPass().apply(ctx, module)
    from eecc.passes.fold import FoldPass

    FoldPass(budget=BUDGET).apply(ctx, module)
    from eecc.cost.platform import load_platform

    estimate = NetworkModel(module, load_platform("zc706")).evaluate()
    assert estimate.throughput == pytest.approx(point.throughput, rel=1e-9)
    worker = Worker(loaded.setting)  # and the search without memoised curves or a hint
    problem, _ = worker.subset(point.candidate.exits)
    rated = ir.with_rates(problem, point.reach)
    _, cold = ir.search_with_repacks(worker.mappings[point.candidate.exits],
                                     lambda p, taps: search(p, taps=taps), rated)
    # where --fold raises a condbuffer to the maps that wait at the chosen folds, explore
    # reports the raised design, as the estimate above does
    raised = worker._raised(point.candidate.exits, rated, cold, point.reach)
    assert (raised[0] if raised else cold.evaluation.throughput) == point.throughput


@pytest.mark.parametrize("goal", [("min-accuracy", None), ("min-throughput", 60000.0),
                                  ("weight", 0.5), ("weight", 0.05)])
@pytest.mark.parametrize("seed", [0, 1])
def test_annealer_finds_the_exhaustive_optimum(points, goal, seed) -> None:
    table = {p.candidate: p for p in points}
    objective = _objective(points, *goal)
    exhaustive = best(points, objective)
    seen = anneal(SPACE, lambda cs: [table[c] for c in cs], objective, seed)
    annealed = best(list(seen.values()), objective)
    assert objective.score(annealed) == objective.score(exhaustive)
    assert len(seen) <= len(points)


def test_pool_and_dask_give_identical_points(loaded) -> None:
    distributed = pytest.importorskip("distributed")
    cands = [c for s in SPACE.subsets()[:4] for c in SPACE.candidates(s)]
    tasks = [(loaded.setting, cands[i:i + 5]) for i in range(0, len(cands), 5)]
    inline = run_tasks(tasks)
    assert run_tasks(tasks, jobs=2) == inline
    with distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster:
        assert run_tasks(tasks, scheduler=cluster.scheduler_address) == inline


def _explore(out: Path, *extra: str) -> int:
    return main(["explore", str(MODEL), "--profile", str(PROFILE), "--budget", str(BUDGET),
                 "--exits", "0,2", "--thresholds", "0.9,0.99", *extra, "-o", str(out)])


def test_explore_files_are_deterministic_and_the_chosen_design_compiles(tmp_path, loaded) -> None:
    assert _explore(tmp_path / "a", "--jobs", "1") == 0
    assert _explore(tmp_path / "b", "--jobs", "2") == 0
    names = ("explore.json", "explore.csv", "pareto.png", "chosen.onnx", "profile.json")
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    doc = json.loads((tmp_path / "a" / "explore.json").read_text())
    assert doc["space"]["size"] == 9 and doc["space"]["search"] == "exhaustive"
    chosen = doc["chosen"]
    assert chosen["accuracy"] >= doc["baseline"]["accuracy"]
    assert chosen["throughput"] == max(p["throughput"] for p in doc["points"]
                                       if p["accuracy"] >= doc["baseline"]["accuracy"])
    # the chosen ONNX is the selected network, and its profile is `eecc profile`'s
    a = tmp_path / "a"
    cand = Candidate(tuple(chosen["exits"]), tuple(chosen["thresholds"]))
    result = run_graph(_selected(loaded, cand), DIGITS["x"])
    from eecc.reference.model import load_model

    assert np.array_equal(run_graph(load_model(a / "chosen.onnx"), DIGITS["x"]).exits, result.exits)
    assert main(["profile", str(a / "chosen.onnx"), "--data", "digits", "-o", str(a / "p.json")]) == 0
    assert (a / "p.json").read_text() == (a / "profile.json").read_text()
    assert main(["compile", str(a / "chosen.onnx"), "--profile", str(a / "profile.json"),
                 "--budget", str(BUDGET), "-o", str(tmp_path / "project")]) == 0
    assert (tmp_path / "project" / "hls").is_dir()
    assert _explore(tmp_path / "c", "--jobs", "1", "--search", "anneal", "--seed", "3") == 0
    annealed = json.loads((tmp_path / "c" / "explore.json").read_text())
    assert annealed["space"]["search"] == "anneal" and annealed["chosen"] == chosen


@pytest.fixture(scope="module")
def no_memo(tmp_path_factory) -> Path:
    doc = json.loads(PROFILE.read_text())
    del doc["memo"]
    path = tmp_path_factory.mktemp("p") / "plain.json"
    path.write_text(json.dumps(doc))
    return path


ERRORS = [
    (["--budget", "1.5"], "--budget 1.5 is outside (0, 1]"),
    (["--exits", "0,9"], "--exits 9 is not an early exit: the model has 6 (indices 0..5)"),
    (["--thresholds", "0.9,1.2"], "threshold 1.2 is outside (0, 1]"),
    (["--thresholds", "high"], "threshold 'high' is not a comma-separated list of numbers"),
    (["--policy", "random"], "exit policy 'random' is not supported (supported: first-confident, most-confident)"),
    (["--hand", "0"], "--hand '0' is not EXITS:THRESHOLDS"),
    (["--min-accuracy", "0.999"], "no candidate meets the goal (max throughput with accuracy >= 0.999)"),
    (["--jobs", "0"], "--jobs 0 must be at least 1"),
    (["--platform", "nope"], "nope"),
    (["--exits", "a,b"], "--exits 'a,b' is not a comma-separated list of exit indices"),
    (["--hand", "0:2"], "--hand '0:2' needs one threshold in (0, 1] per exit (1), or one for all"),
    (["--batch", "0"], "--batch 0 must be at least 1"),
    (["--min-accuracy", "2"], "--min-accuracy 2 is outside [0, 1]"),
    (["--min-throughput", "-5"], "--min-throughput -5 must be positive (samples/s)"),
    (["--weight", "-1"], "--weight -1 must be at least 0"),
    (["--budget", "0.05"], "the network without exits fits no design at budget 0.05; raise --budget"),
    (["--scheduler", "tcp://127.0.0.1:9"], "--scheduler tcp://127.0.0.1:9: cannot connect to a dask scheduler"),
]


@pytest.mark.parametrize(("extra", "message"), ERRORS)
def test_explore_errors_are_one_line(tmp_path, capsys, extra, message) -> None:
    jobs = [] if "--scheduler" in extra else ["--jobs", "1"]
    assert _explore(tmp_path / "o", *jobs, *extra) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("eecc explore: error: ") and message in err[0]


def test_explore_needs_the_memo(tmp_path, capsys, no_memo) -> None:
    assert main(["explore", str(MODEL), "--profile", str(no_memo), "-o", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "has no per-sample memo; write it with `eecc profile --memo`" in err


def test_explore_profile_of_another_network(tmp_path, capsys) -> None:
    doc = json.loads(PROFILE.read_text())
    for key in ("confidence", "prediction"):
        doc["memo"][key] = doc["memo"][key][:3]
    other = tmp_path / "three.json"
    other.write_text(json.dumps(doc))
    assert main(["explore", str(MODEL), "--profile", str(other), "-o", str(tmp_path)]) == 1
    assert "profile three.json has 3 exits, the model has 7" in capsys.readouterr().err


def test_explore_malformed_memo(tmp_path, capsys) -> None:
    doc = json.loads(PROFILE.read_text())
    doc["memo"] = {"confidence": [[0.5]]}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    assert main(["explore", str(MODEL), "--profile", str(bad), "-o", str(tmp_path)]) == 1
    assert ("profile bad.json memo needs 'confidence' and 'prediction' as exits x samples arrays"
            in capsys.readouterr().err)
