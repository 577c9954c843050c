"""The curves as files: CSV and JSON (byte-identical for the same input) and a PNG plot."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from eecc.dse.sweep import Curves, Point, roofline_fraction


def summary(c: Curves) -> dict[str, Any]:
    """Gain per budget, the baseline's best and the budget where early exit matches it."""
    gains = [_ratio(e, b) for e, b in zip(c.early_exit, c.baseline, strict=True)]
    best = max((p.throughput for p in c.baseline if p.throughput is not None), default=None)
    match = next((p.budget for p in c.early_exit
                  if best is not None and p.throughput is not None and p.throughput >= best), None)
    return {"gain": dict(zip([_key(b) for b in c.budgets], gains, strict=True)),
            "baseline_best": best, "match_budget": match}


def _ratio(a: Point, b: Point) -> float | None:
    if a.throughput is None or b.throughput is None:
        return None
    return a.throughput / b.throughput


def _key(budget: float) -> str:
    return f"{budget:g}"


COLUMNS = ("budget", "baseline", "baseline_share", "early_exit", "early_exit_share",
           "early_exit_p_minus", "early_exit_p_plus", "gain", "baseline_roofline", "early_exit_roofline",
           "baseline_bottleneck", "early_exit_bottleneck")


def rows(c: Curves, clock_mhz: float) -> list[dict[str, Any]]:
    out = []
    for i, budget in enumerate(c.budgets):
        base, ee = c.baseline[i], c.early_exit[i]
        out.append({
            "budget": budget, "baseline": base.throughput, "baseline_share": base.share,
            "early_exit": ee.throughput, "early_exit_share": ee.share,
            "early_exit_p_minus": c.low[i].throughput, "early_exit_p_plus": c.high[i].throughput,
            "gain": _ratio(ee, base),
            "baseline_roofline": roofline_fraction(base, c.macs_baseline, clock_mhz),
            "early_exit_roofline": roofline_fraction(ee, c.macs_early_exit, clock_mhz),
            "baseline_bottleneck": base.bottleneck, "early_exit_bottleneck": ee.bottleneck,
        })
    return out


def write_csv(path: Path, c: Curves, clock_mhz: float) -> None:
    text = io.StringIO()
    writer = csv.DictWriter(text, COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows(c, clock_mhz):
        writer.writerow({k: _cell(v) for k, v in row.items()})
    path.write_text(text.getvalue())


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return repr(value) if isinstance(value, float) else str(value)


def write_json(path: Path, c: Curves, meta: dict[str, Any], clock_mhz: float) -> None:
    data = {**meta, "rates": list(c.rates), "macs_per_sample": {
        "baseline": c.macs_baseline, "early_exit": c.macs_early_exit},
        "rows": rows(c, clock_mhz), **summary(c)}
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def plot(path: Path, c: Curves, network: str, platform: str, band: float) -> None:
    """Throughput against the resource budget: baseline, early exit and its rate band."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = [100 * b for b in c.budgets]
    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=150)
    _line(ax, x, c.baseline, "baseline (no exits)", "tab:gray", "s")
    p = ", ".join(f"{r:g}" for r in c.rates[1:]) or "-"
    _line(ax, x, c.early_exit, f"early exit (p = {p})", "tab:blue", "o")
    lo = [_y(pt) for pt in c.low]
    hi = [_y(pt) for pt in c.high]
    ax.fill_between(x, lo, hi, color="tab:blue", alpha=0.18, linewidth=0,
                    label=f"early exit, p \u00b1 {band:g}")
    ax.set_xlabel(f"resource budget (% of every {platform} resource)")
    ax.set_ylabel("throughput (samples/s)")
    ax.set_title(f"{network} on {platform}: throughput vs. resource budget")
    ax.grid(True, linestyle=":", linewidth=0.6)
    ax.set_xlim(0, 100)
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", frameon=False)
    fig.tight_layout()
    fig.savefig(path, format="png", metadata={"Software": None})
    plt.close(fig)


def _y(point: Point) -> float:
    return float("nan") if point.throughput is None else point.throughput


def _line(ax: Any, x: list[float], points: tuple[Point, ...], label: str, color: str,
          marker: str) -> None:
    ax.plot(x, [_y(p) for p in points], color=color, marker=marker, markersize=4,
            linewidth=1.5, label=label)
