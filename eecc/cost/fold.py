"""Folding factors and the small integer helpers every layer model uses."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Fold:
    """How much hardware parallelism an op is given (all factors are counts, >= 1).

    ``coarse_in`` / ``coarse_out`` are the input / output streams of a conv or linear
    layer, ``fine`` the kernel positions multiplied per cycle in each conv lane, and
    ``coarse`` the streams of a single-coarse op (pool, relu, add, split, condbuffer).
    An op that is given no fold is unfolded: every factor is 1.
    """

    coarse_in: int = 1
    coarse_out: int = 1
    fine: int = 1
    coarse: int = 1

    def __post_init__(self) -> None:
        for name in ("coarse_in", "coarse_out", "fine", "coarse"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"fold {name}={value!r} must be a positive integer")


@cache
def divisors(n: int) -> tuple[int, ...]:
    """All positive divisors of ``n``, ascending (``n`` >= 1)."""
    if n < 1:
        raise ValueError(f"cannot fold {n} channels: expected a positive count")
    small = [d for d in range(1, int(n**0.5) + 1) if n % d == 0]
    large = [n // d for d in reversed(small) if d * d != n]
    return tuple(small + large)


def pair(value: int | tuple[int, int] | list[int]) -> tuple[int, int]:
    """A square value ``k`` as ``(k, k)``; a pair is returned as a tuple."""
    if isinstance(value, int):
        return (value, value)
    if len(value) != 2:
        raise ValueError(f"expected an int or a pair, got {value!r}")
    return (int(value[0]), int(value[1]))


def fine_options(kernel: tuple[int, int]) -> tuple[int, ...]:
    """Legal ``fine`` values of a conv kernel: {1, k0, k1, k0*k1}, deduplicated, ascending."""
    k0, k1 = kernel
    return tuple(sorted({1, k0, k1, k0 * k1}))


#: The fold of an op that is given none: every factor 1.
UNFOLDED = Fold()
