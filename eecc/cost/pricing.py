"""The registry of op prices: what the cost model says each `ee` op class costs.

The dialect owns an op's structure (its fold space, lanes and shapes: `eecc.dialects.ee.
hardware`); the cost model owns its numbers. An `OpPrices` answers, for one op at one
legal fold, its latency (cycles per feature map), its pipeline depth (cycles to the first
output word) and its resources on a platform. `register(*op_classes)` files a prices class
under op classes; `prices_of(op)` finds the one of an op's class, or of its nearest
registered base. This module knows no op; the default model's registrations, and the entry
points callers use, are in `eecc.cost.ops`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from eecc.cost.platform import Platform, Resources
from eecc.dialects.interface import Fold

OpT = TypeVar("OpT")
PricesT = TypeVar("PricesT", bound="type[OpPrices[Any]]")


class OpPrices(Generic[OpT]):
    """The prices of one op class; a registered subclass overrides all three."""

    def latency(self, op: OpT, fold: Fold) -> float:
        """Cycles per feature map (the op's initiation interval per sample)."""
        raise NotImplementedError

    def depth(self, op: OpT, fold: Fold) -> float:
        """Cycles from the first word in to the first word out."""
        raise NotImplementedError

    def resources(self, op: OpT, fold: Fold, platform: Platform) -> Resources:
        """LUT / FF / DSP / BRAM18K."""
        raise NotImplementedError


class UnpricedOpError(LookupError):
    """An op the cost model has no prices for: a bug in eecc (every hardware op is priced)."""


_PRICES: dict[type, OpPrices[Any]] = {}


def register(*op_classes: type) -> Callable[[PricesT], PricesT]:
    """Class decorator: `@register(ConvOp)` prices every `ee.conv` with the class it decorates."""

    def file(prices: PricesT) -> PricesT:
        for op_class in op_classes:
            if op_class in _PRICES:
                raise ValueError(f"'{_name(op_class)}' is already priced by "
                                 f"{type(_PRICES[op_class]).__name__}")
            _PRICES[op_class] = prices()
        return prices

    return file


def prices_of(op: object) -> OpPrices[Any]:
    """The prices of `op`'s class (or of its nearest registered base)."""
    for op_class in type(op).__mro__:
        prices = _PRICES.get(op_class)
        if prices is not None:
            return prices
    raise UnpricedOpError(f"'{_name(type(op))}' has no prices in the cost model: register "
                          "its op class in eecc/cost/ops.py")


def priced_classes() -> tuple[type, ...]:
    """Every op class with registered prices, in registration order."""
    return tuple(_PRICES)


def _name(op_class: type) -> str:
    name = getattr(op_class, "name", None)
    return name if isinstance(name, str) else op_class.__name__
