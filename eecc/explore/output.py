"""`eecc explore`'s files: explore.json, explore.csv, pareto.png; the same input gives the same
bytes. The chosen design's `chosen.mlir` and `profile.json` are written by `chosen`."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from eecc.explore.evaluate import KINDS, Point
from eecc.explore.search import Objective

VERSION = 1


def _r(value: float | None, digits: int = 6) -> float | None:
    return None if value is None else round(float(value), digits)


def point_doc(p: Point, objective: Objective) -> dict[str, Any]:
    """One point as JSON: exits, thresholds, accuracy, rates, throughput, resources, score."""
    doc: dict[str, Any] = {
        "exits": list(p.candidate.exits),
        "thresholds": [_r(t) for t in p.candidate.thresholds],
        "accuracy": _r(p.accuracy),
        "exit_fraction": [_r(f) for f in p.exit_fraction],
        "reach": [_r(r) for r in p.reach],
        "throughput": _r(p.throughput, 3),
        "share": _r(p.share),
        "latency_us": _r(p.latency_us, 3),
        "exact": p.exact,
        "score": _r(objective.score(p)),
    }
    for kind, value in zip(KINDS, p.resources or (None,) * 4, strict=True):
        doc[kind] = _r(value, 3)
    return doc


def write_json(path: Path, meta: dict[str, Any], points: Sequence[Point], front: Sequence[Point],
               named: dict[str, Point], objective: Objective) -> None:
    doc = {
        "version": VERSION, **meta,
        **{name: point_doc(p, objective) for name, p in named.items()},
        "front": [point_doc(p, objective) for p in front],
        "points": [point_doc(p, objective) for p in sorted(points, key=lambda p: p.candidate)],
    }
    path.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n")


COLUMNS = ("exits", "thresholds", "accuracy", "throughput", *KINDS, "share", "latency_us",
           "score", "front")


def write_csv(path: Path, points: Sequence[Point], front: Sequence[Point],
              objective: Objective) -> None:
    on_front = {p.candidate for p in front}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for p in sorted(points, key=lambda p: p.candidate):
        d = point_doc(p, objective)
        writer.writerow([" ".join(map(str, d["exits"])), " ".join(f"{t:g}" for t in d["thresholds"]),
                         *(_cell(d[k]) for k in COLUMNS[2:-1]), int(p.candidate in on_front)])
    path.write_text(out.getvalue())


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def plot(path: Path, points: Sequence[Point], front: Sequence[Point], named: dict[str, Point],
         title: str) -> None:
    """Accuracy against throughput: every point, the front, baseline, hand-placed, chosen."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.4), dpi=150)
    fits = [p for p in points if p.fits and p.accuracy is not None]
    ax.scatter([_x(p) for p in fits], [_y(p) for p in fits],
               s=6, color="0.75", label=f"candidates ({len(fits)})", zorder=1)
    rising = sorted(front, key=_x)  # the boundary of what the front dominates
    ax.step([_x(p) for p in rising], [_y(p) for p in rising], where="pre", color="tab:blue", marker="o", markersize=3, linewidth=1.2,
            label="Pareto front", zorder=2)
    styles = {"baseline": ("s", "tab:gray", "no exit"), "hand": ("D", "tab:orange", "hand-placed"),
              "chosen": ("*", "tab:red", "chosen")}
    for name, p in named.items():
        marker, color, label = styles[name]
        if p.fits and p.accuracy is not None:
            ax.scatter([_x(p)], [_y(p)], marker=marker, s=70, color=color,
                       label=f"{label}: {p.candidate.label()}", zorder=3)
    ax.set_xlabel("throughput (samples/s)")
    ax.set_ylabel("accuracy (%)")
    ax.set_title(title)
    ax.grid(True, linestyle=":", linewidth=0.6)
    ax.legend(loc="lower left", frameon=False, fontsize=7)
    fig.tight_layout()
    fig.savefig(path, format="png", metadata={"Software": None})
    plt.close(fig)


def _x(p: Point) -> float:
    return float("nan") if p.throughput is None else p.throughput


def _y(p: Point) -> float:
    return float("nan") if p.accuracy is None else 100 * p.accuracy
