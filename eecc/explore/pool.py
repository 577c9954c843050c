"""Where candidates are evaluated: in process, a local process pool, or a dask cluster.

Tasks are (setting, candidates) pairs; results come back in task order, so the same space
gives the same points on one core, a pool or a cluster. The pool is the standard library's
`ProcessPoolExecutor`; `--scheduler ADDRESS` hands the tasks to a running
`dask.distributed` scheduler instead (no scheduler of eecc's own).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor

from eecc.errors import EeccError
from eecc.explore.evaluate import Point, Setting, evaluate_many
from eecc.explore.space import Candidate

Task = tuple[Setting, Sequence[Candidate]]


def run_tasks(tasks: Sequence[Task], jobs: int = 1, scheduler: str | None = None,
              tick: Callable[[int], None] = lambda n: None) -> list[Point]:
    """Every task's points, concatenated in task order; `tick(n)` after each task of n."""
    if scheduler is not None:
        return _dask(tasks, scheduler, tick)
    if jobs <= 1:
        out: list[Point] = []
        for setting, cands in tasks:
            out += evaluate_many(setting, cands)
            tick(len(cands))
        return out
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(evaluate_many, s, c) for s, c in tasks]
        return _collect(futures, [len(c) for _, c in tasks], tick)


def _collect(futures: list, sizes: list[int], tick: Callable[[int], None]) -> list[Point]:
    from concurrent.futures import as_completed

    index = {id(f): k for k, f in enumerate(futures)}
    results: list[list[Point] | None] = [None] * len(futures)
    for fut in as_completed(futures):
        k = index[id(fut)]
        results[k] = fut.result()
        tick(sizes[k])
    return [p for r in results for p in (r or [])]


def _dask(tasks: Sequence[Task], address: str, tick: Callable[[int], None]) -> list[Point]:
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise EeccError("--scheduler needs dask.distributed: pip install 'eecc[distributed]'"
                        ) from None
    try:
        client = Client(address, timeout="5s")
    except (OSError, TimeoutError, ValueError) as err:
        raise EeccError(f"--scheduler {address}: cannot connect to a dask scheduler ({err})"
                        ) from None
    with client:
        setting = client.scatter(tasks[0][0], broadcast=True) if tasks else None
        futures = [client.submit(evaluate_many, setting, list(c), pure=False) for _, c in tasks]
        index = {f.key: k for k, f in enumerate(futures)}
        results: list[list[Point] | None] = [None] * len(futures)
        for fut in as_completed(futures):
            k = index[fut.key]
            results[k] = fut.result()
            tick(len(tasks[k][1]))
    return [p for r in results for p in (r or [])]
