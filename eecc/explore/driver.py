"""The whole of `eecc explore`: load, evaluate the space, choose, write.

    summary = explore(Request(model=Path("net.onnx"), profile=Path("profile.json"),
                              output=Path("out")))
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from eecc.errors import EeccError
from eecc.explore import output
from eecc.explore.evaluate import Point, Setting, worker
from eecc.explore.pool import run_tasks
from eecc.explore.search import Objective, Schedule, anneal, best, pareto
from eecc.explore.space import Candidate, Space, parse_design, parse_exits, parse_floats
from eecc.profile import DEFAULT_SWEEP, load_memo
from eecc.reference.policy import check_policy

EXHAUSTIVE_LIMIT = 20_000
CHUNK = 128


@dataclass(frozen=True)
class Request:
    model: Path
    profile: Path
    output: Path
    platform: str = "zc706"
    budget: float = 1.0
    batch: int = 1024
    goal: tuple[str, float | None] = ("min-accuracy", None)
    thresholds: str | None = None
    exits: str | None = None
    adjacent: bool = False
    policy: str = "first-confident"
    search: str = "auto"
    seed: int = 0
    hand: str | None = None
    jobs: int = 1
    scheduler: str | None = None
    progress: bool = True

    @staticmethod
    def from_args(args: argparse.Namespace) -> Request:
        goal: tuple[str, float | None] = ("min-accuracy", args.min_accuracy)
        if args.min_throughput is not None:
            goal = ("min-throughput", args.min_throughput)
        elif args.weight is not None:
            goal = ("weight", args.weight)
        return Request(args.model, args.profile, args.output, args.platform, args.budget,
                       args.batch, goal, args.thresholds, args.exits, args.allow_adjacent,
                       args.policy, args.search, args.seed, args.hand, args.jobs,
                       args.scheduler)


@dataclass(frozen=True)
class Loaded:
    module: object
    setting: Setting
    space: Space
    data: str


def load(req: Request) -> Loaded:
    """The network, its memo and the space, all checked."""
    from eecc.cost.platform import PlatformError, load_platform
    from eecc.reference.model import load_model

    check_policy(req.policy)
    try:
        load_platform(req.platform)
    except PlatformError as err:
        raise EeccError(str(err)) from None
    module = load_model(req.model)
    doc = _read_profile(req.profile)
    memo = load_memo(doc, req.profile.name)
    from eecc.reference import Program

    exits = len(Program.from_module(module).exits)  # type: ignore[arg-type]
    if memo.exits != exits:
        raise EeccError(f"profile {req.profile.name} has {memo.exits} exits, the model has {exits}")
    if memo.labels is None:
        raise EeccError(f"profile {req.profile.name} has no labels: accuracy needs them "
                        "(profile with labelled data)")
    positions = (parse_exits(req.exits, exits - 1) if req.exits else tuple(range(exits - 1)))
    thresholds = (parse_floats(req.thresholds, "threshold") if req.thresholds
                  else tuple(DEFAULT_SWEEP))
    setting = Setting(str(module), memo.conf, memo.pred, memo.labels, req.platform,
                      req.budget, req.batch, req.policy)
    return Loaded(module, setting, Space(positions, thresholds, req.adjacent),
                  str(doc.get("data", "")))


def _read_profile(path: Path) -> dict:
    try:
        doc = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as err:
        raise EeccError(f"profile {path.name} cannot be read as JSON ({err})") from None
    if not isinstance(doc, dict):
        raise EeccError(f"profile {path.name} is not a JSON object")
    return doc


def hand_design(req: Request, loaded: Loaded) -> Candidate:
    early = loaded.setting.early
    if req.hand:
        return parse_design(req.hand, early)
    if not early:
        return Candidate((), ())
    from eecc.reference import Program

    thr = Program.from_module(loaded.module).exits[0].threshold  # type: ignore[arg-type]
    return Candidate((0,), (float(thr or 0.99),))


def objective_for(req: Request, baseline: Point) -> Objective:
    if baseline.throughput is None or baseline.accuracy is None:
        raise EeccError(f"the network without exits fits no design at budget {req.budget:g}; "
                        "raise --budget")
    kind, value = req.goal
    if value is None:
        value = baseline.accuracy
    return Objective(kind, value, baseline.accuracy, baseline.throughput)


def search_mode(req: Request, space: Space) -> str:
    """`exhaustive` or `anneal`: as asked, or by the size of the space."""
    if req.search != "auto":
        return req.search
    return "exhaustive" if space.size() <= EXHAUSTIVE_LIMIT else "anneal"


def evaluate_space(req: Request, loaded: Loaded, objective: Objective, mode: str,
                   tick: Callable[[int], None]) -> list[Point]:
    """Every evaluated point."""
    space = loaded.space
    if mode == "exhaustive":
        tasks = []
        for subset in space.subsets():
            cands = list(space.candidates(subset))
            tasks += [(loaded.setting, cands[i:i + CHUNK]) for i in range(0, len(cands), CHUNK)]
        return run_tasks(tasks, req.jobs, req.scheduler, tick)
    local = worker(loaded.setting)
    seen = anneal(space, lambda cs: [local.point(c) for c in cs], objective, req.seed,
                  Schedule(), tick=lambda: tick(1))
    return list(seen.values())


def explore(req: Request) -> str:
    """Run the exploration and write DIR; a short summary for the terminal."""
    loaded = load(req)
    local = worker(loaded.setting)
    baseline = local.point(Candidate((), ()))
    hand = local.point(hand_design(req, loaded))
    objective = objective_for(req, baseline)
    mode = search_mode(req, loaded.space)
    total = loaded.space.size() if mode == "exhaustive" else None
    with _progress(total, req.progress) as tick:
        points = evaluate_space(req, loaded, objective, mode, tick)
    by_cand = {p.candidate: p for p in points}
    for extra in (baseline, hand):
        by_cand.setdefault(extra.candidate, extra)
    everything = list(by_cand.values())
    front = pareto(everything)
    chosen = best(everything, objective)
    if objective.score(chosen) <= -1e5:
        raise EeccError(f"no candidate meets the goal ({objective.describe()}); relax it")
    write(req, loaded, everything, front, {"baseline": baseline, "hand": hand, "chosen": chosen},
          objective, mode)
    return summary(chosen, baseline, hand, front, objective, mode, len(everything))


def write(req: Request, loaded: Loaded, points: list[Point], front: list[Point],
          named: dict[str, Point], objective: Objective, mode: str) -> None:
    from eecc.explore.chosen import write_chosen

    folder = req.output
    folder.mkdir(parents=True, exist_ok=True)
    space = loaded.space
    meta = {
        "model": req.model.name, "profile": req.profile.name, "platform": req.platform,
        "budget": req.budget, "batch": req.batch, "policy": req.policy,
        "objective": {"kind": objective.kind, "value": objective.value,
                      "description": objective.describe()},
        "space": {"positions": list(space.positions), "thresholds": list(space.thresholds),
                  "adjacent": space.adjacent, "size": space.size(), "search": mode,
                  "seed": req.seed, "evaluated": len(points)},
    }
    output.write_json(folder / "explore.json", meta, points, front, named, objective)
    output.write_csv(folder / "explore.csv", points, front, objective)
    title = f"{req.model.stem} on {req.platform.upper()}, budget {req.budget:g}"
    output.plot(folder / "pareto.png", points, front, named, title)
    write_chosen(folder, req.model, loaded.module, loaded.setting,  # type: ignore[arg-type]
                 named["chosen"].candidate, loaded.data)


def summary(chosen: Point, baseline: Point, hand: Point, front: list[Point],
            objective: Objective, mode: str, count: int) -> str:
    def line(name: str, p: Point) -> str:
        tput = "does not fit" if p.throughput is None else f"{p.throughput:,.0f} samples/s"
        acc = "-" if p.accuracy is None else f"{100 * p.accuracy:.2f} %"
        return f"  {name:9s} {p.candidate.label():28s} accuracy {acc:>8s}  {tput}"

    return "\n".join([
        f"eecc explore: {count} candidates ({mode}); Pareto front {len(front)} points; "
        f"goal: {objective.describe()}",
        line("chosen", chosen), line("hand", hand), line("no exit", baseline)])


def _progress(total: int | None, show: bool):  # noqa: ANN202
    from contextlib import contextmanager

    @contextmanager
    def bar():  # noqa: ANN202
        if not show:
            yield lambda n: None
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn())
        with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
            task = progress.add_task("exploring", total=total)
            yield lambda n: progress.advance(task, n)

    return bar()
