"""Exit thresholds and stage rates chosen at compile time (`--thresholds`, `--threshold-set`).

    thresholds, p = choose(profile_path, thresholds=(0.9,), threshold_set=None)
    set_thresholds(module, thresholds)   # after convert-onnx-to-ee, first exit first

A profile's top-level `reach` holds at the model's own thresholds; its `sweep` entries hold
at others. `--threshold-set K` takes entry K (thresholds and reach); `--thresholds` with a
profile takes the entry measured at those thresholds, so rates always match thresholds.
"""

from __future__ import annotations

import json
from pathlib import Path

from xdsl.dialects.builtin import FloatAttr, ModuleOp, f64

from eecc.dialects.ee import ExitDecisionOp
from eecc.dialects.ee.exit_structure import exit_order
from eecc.errors import EeccError

TOLERANCE = 1e-9


def check_thresholds(values: tuple[float, ...]) -> None:
    for value in values:
        if not 0.0 < value <= 1.0:
            raise EeccError(f"--thresholds {value} is outside (0, 1]: an exit is taken when "
                            "its max softmax exceeds the threshold")


def _sweep(profile: Path) -> list[dict]:
    try:
        doc = json.loads(profile.read_text())
    except (OSError, ValueError) as err:
        raise EeccError(f"{profile}: not a readable profile ({err})") from None
    sweep = doc.get("sweep") if isinstance(doc, dict) else None
    if not isinstance(sweep, list) or not sweep:
        raise EeccError(f"{profile}: has no threshold sweep (write it with eecc profile)")
    return sweep


def _entry(profile: Path, index: int) -> dict:
    sweep = _sweep(profile)
    if not 0 <= index < len(sweep):
        raise EeccError(f"--threshold-set {index} is outside [0, {len(sweep) - 1}]: "
                        f"{profile} has {len(sweep)} sweep entries")
    return sweep[index]


def _matching(profile: Path, thresholds: tuple[float, ...]) -> dict:
    for entry in _sweep(profile):
        got = tuple(entry.get("thresholds", ()))
        if len(got) == len(thresholds) and all(
                abs(a - b) <= TOLERANCE for a, b in zip(got, thresholds, strict=True)):
            return entry
    have = "; ".join(",".join(f"{t:g}" for t in e.get("thresholds", ())) for e in _sweep(profile))
    raise EeccError(f"{profile}: no sweep entry at thresholds {','.join(map(str, thresholds))} "
                    f"(have: {have}); profile with --thresholds, or give --p")


def choose(profile: Path | None, thresholds: tuple[float, ...], threshold_set: int | None,
           p: tuple[float, ...]) -> tuple[tuple[float, ...], tuple[float, ...] | None]:
    """The thresholds to set (empty: the model's own) and the stage rates `p` to use instead
    of the profile's top level (None: the profile's or `p` as given)."""
    check_thresholds(thresholds)
    if threshold_set is not None:
        if profile is None:
            raise EeccError("--threshold-set needs --profile (it picks an entry of its sweep)")
        if thresholds:
            raise EeccError("give one of --thresholds and --threshold-set, not both")
        entry = _entry(profile, threshold_set)
        return tuple(entry["thresholds"]), tuple(entry["reach"][1:])
    if thresholds and profile is not None:
        return thresholds, tuple(_matching(profile, thresholds)["reach"][1:])
    return thresholds, None


def set_thresholds(module: ModuleOp, values: tuple[float, ...]) -> None:
    """Give the exit decisions `values` (first exit first; one value means every exit)."""
    if not values:
        return
    decisions = exit_order([op for op in module.walk() if isinstance(op, ExitDecisionOp)])
    if len(values) == 1:
        values = values * len(decisions)
    if len(values) != len(decisions):
        raise EeccError(f"--thresholds gives {len(values)} values; the network has "
                        f"{len(decisions)} early exit(s)")
    for decision, value in zip(decisions, values, strict=True):
        decision.threshold = FloatAttr(value, f64)
