"""Folding factors and the small integer helpers every layer model uses.

`Fold` is the dialect's (`eecc.dialects.interface`, dependency-free); it is re-exported here.
"""

from __future__ import annotations

from functools import cache

from eecc.dialects.interface import Fold

__all__ = ["UNFOLDED", "Fold", "divisors", "fine_options", "pair"]


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
