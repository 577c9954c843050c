"""The design space: which candidate exits a design keeps, and each one's threshold.

A `Candidate` keeps early exits `exits` (model indices, increasing) with `thresholds` (one
each). HAPI's prior "no adjacent exits" (two kept exits are never at neighbouring
positions) prunes the subsets unless `adjacent` is allowed. The space is
subsets x thresholds^|subset|, the empty subset (no early exit) included.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from eecc.errors import EeccError


@dataclass(frozen=True, order=True)
class Candidate:
    exits: tuple[int, ...]
    thresholds: tuple[float, ...]

    def label(self) -> str:
        if not self.exits:
            return "no exit"
        return " ".join(f"{e}@{t:g}" for e, t in zip(self.exits, self.thresholds, strict=True))


@dataclass(frozen=True)
class Space:
    """Candidate exit positions, the threshold values, and HAPI's adjacency prior."""

    positions: tuple[int, ...]
    thresholds: tuple[float, ...]
    adjacent: bool = False

    def allows(self, exits: Sequence[int]) -> bool:
        """`exits` is a subset the space holds (increasing, no neighbours unless allowed)."""
        if any(e not in self.positions for e in exits) or list(exits) != sorted(set(exits)):
            return False
        return self.adjacent or all(b - a > 1 for a, b in itertools.pairwise(exits))

    def subsets(self) -> list[tuple[int, ...]]:
        """Every allowed subset of the positions, smallest first, then in order."""
        out = []
        for size in range(len(self.positions) + 1):
            out += [c for c in itertools.combinations(self.positions, size) if self.allows(c)]
        return out

    def size(self) -> int:
        return sum(len(self.thresholds) ** len(s) for s in self.subsets())

    def candidates(self, exits: tuple[int, ...]) -> Iterator[Candidate]:
        """Every threshold assignment of one subset."""
        for thr in itertools.product(self.thresholds, repeat=len(exits)):
            yield Candidate(exits, tuple(thr))


def parse_floats(text: str, what: str) -> tuple[float, ...]:
    """`0.9,0.99` as numbers in (0, 1]."""
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        raise EeccError(f"{what} '{text}' is not a comma-separated list of numbers") from None
    bad = [v for v in values if not 0.0 < v <= 1.0 or math.isnan(v)]
    if bad:
        raise EeccError(f"{what} {bad[0]:g} is outside (0, 1]")
    return tuple(sorted(set(values)))


def parse_exits(text: str, early: int) -> tuple[int, ...]:
    """`0,2,4`: candidate positions among the model's `early` early exits."""
    try:
        values = sorted({int(v) for v in text.split(",")})
    except ValueError:
        raise EeccError(f"--exits '{text}' is not a comma-separated list of exit indices") from None
    bad = [v for v in values if not 0 <= v < early]
    if bad:
        raise EeccError(f"--exits {bad[0]} is not an early exit: the model has {early} "
                        f"(indices 0..{early - 1})")
    return tuple(values)


def parse_design(text: str, early: int) -> Candidate:
    """`0,3:0.99,0.9` (exits:thresholds, one threshold per exit or one for all) or `none`."""
    if text == "none":
        return Candidate((), ())
    exits_text, _, thr_text = text.partition(":")
    if not thr_text:
        raise EeccError(f"--hand '{text}' is not EXITS:THRESHOLDS (e.g. 0:0.99 or 0,3:0.99,0.9)")
    exits = parse_exits(exits_text, early)
    try:
        thr = tuple(float(v) for v in thr_text.split(","))
    except ValueError:
        raise EeccError(f"--hand '{text}': thresholds '{thr_text}' are not numbers") from None
    if len(thr) == 1:
        thr = thr * len(exits)
    if len(thr) != len(exits) or not all(0.0 < t <= 1.0 for t in thr):
        raise EeccError(f"--hand '{text}' needs one threshold in (0, 1] per exit "
                        f"({len(exits)}), or one for all")
    return Candidate(exits, thr)
