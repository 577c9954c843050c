"""`eecc drift`'s files: `drift.json`, `drift.csv` (the same input gives the same bytes) and
`drift.png` (no timestamp, no `Software` tag), and the table on stdout."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from eecc.drift import DriftPoint

TOLERANCE = 0.05  # the agreement the sweep reports: |timed / predicted - 1| <= 5 %
COLUMNS = ("q", "reach", "exit_counts", "predicted", "timed", "ratio", "within_5pct",
           "reach_timed", "deadlock")


def row(p: DriftPoint) -> dict[str, Any]:
    ratio = p.ratio
    return {"q": p.q, "reach": list(p.reach), "exit_counts": list(p.counts),
            "predicted": p.predicted, "timed": p.timed, "ratio": ratio,
            "within_5pct": None if ratio is None else abs(ratio - 1) <= TOLERANCE,
            "reach_timed": list(p.reach_timed), "deadlock": p.deadlock}


def summary(points: Sequence[DriftPoint]) -> dict[str, Any]:
    ratios = [p.ratio for p in points if p.ratio is not None]
    worst = max(ratios, key=lambda r: abs(r - 1), default=None)
    return {"worst_ratio": worst, "all_within_5pct": bool(ratios) and len(ratios) == len(points)
            and all(abs(r - 1) <= TOLERANCE for r in ratios)}


def write_json(path: Path, points: Sequence[DriftPoint], meta: dict[str, Any]) -> None:
    data = {**meta, "rows": [row(p) for p in points], **summary(points)}
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(_cell(v) for v in value)
    return repr(value) if isinstance(value, float) else str(value)


def write_csv(path: Path, points: Sequence[DriftPoint]) -> None:
    text = io.StringIO()
    writer = csv.DictWriter(text, COLUMNS, lineterminator="\n")
    writer.writeheader()
    for p in points:
        writer.writerow({k: _cell(v) for k, v in row(p).items()})
    path.write_text(text.getvalue())


def plot(path: Path, points: Sequence[DriftPoint], title: str, p: float,
         band: tuple[float, float] | None) -> None:
    """Throughput against the drawn rate: predicted line, timed markers, the profiled p."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = [pt.reach[0] if pt.reach else pt.q for pt in points]
    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=150)
    ax.plot(x, [pt.predicted for pt in points], color="tab:blue", marker="o", markersize=4,
            linewidth=1.5, label="predicted (cost model)")
    ax.plot(x, [float("nan") if pt.timed is None else pt.timed for pt in points],
            color="tab:orange", marker="s", markersize=5, linestyle="none",
            label="timed C simulation")
    ax.axvline(p, color="tab:gray", linestyle="--", linewidth=1, label=f"profiled p = {p:g}")
    if band is not None:
        ax.axvspan(band[0], band[1], color="tab:green", alpha=0.12, linewidth=0,
                   label=f"robust interval [{band[0]:g}, {band[1]:g}]")
    ax.set_xlabel("share of samples continuing past the first exit, q")
    ax.set_ylabel("throughput (samples/s)")
    ax.set_title(title)
    ax.grid(True, linestyle=":", linewidth=0.6)
    ax.set_ylim(bottom=0)
    ax.legend(loc="lower left", frameon=False)
    fig.tight_layout()
    fig.savefig(path, format="png", metadata={"Software": None})
    plt.close(fig)


def print_table(points: Sequence[DriftPoint], title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for name in ("q", "drawn", "exits", "predicted (samples/s)", "timed (samples/s)",
                 "timed / predicted"):
        table.add_column(name, justify="right")
    for p in points:
        drawn = ", ".join(f"{r:.4f}" for r in p.reach)
        timed = "deadlock" if p.timed is None else f"{p.timed:,.0f}"
        ratio = "" if p.ratio is None else f"{p.ratio:.3f}"
        table.add_row(f"{p.q:g}", drawn, "/".join(map(str, p.counts)), f"{p.predicted:,.0f}",
                      timed, ratio)
    Console(soft_wrap=True).print(table)
