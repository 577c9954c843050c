"""Design-space exploration: folding an early-exit network for a resource budget.

The search works on plain tables (``problem``): for every hardware layer, its legal folds
with their latency, pipeline depth and resources. ``tap`` builds each stage's
throughput/area Pareto curve, ``search`` combines the stages by their rates, ``anneal`` is
the simulated-annealing baseline it is compared against, ``exhaustive`` the reference for
small networks, ``ir`` reads and writes the tables from and to `ee` IR. See docs/fold.md.
"""

from eecc.dse.problem import Design, Evaluation, Layer, Option, Problem, Stage, evaluate
from eecc.dse.search import SearchResult, search

__all__ = [
    "Design", "Evaluation", "Layer", "Option", "Problem", "SearchResult", "Stage", "evaluate",
    "search",
]
