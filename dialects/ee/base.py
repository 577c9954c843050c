"""The base of every `ee` op: execution-rate, fold and cost annotations and their checks.

Every `ee` op that becomes hardware may carry three optional annotations, written by passes
and printed in the attribute dictionary:

- `rate`: the probability that a sample reaches the op (HAPI's execution rate), in [0, 1];
- `fold`: an `#ee.fold<...>` whose factors the op's `fold_rules` allow;
- `cost`: an `#ee.cost<...>` written by `--ee-estimate`.

Subclasses declare which fold factors they have by overriding `fold_rules`; a factor not
listed must stay 1.
"""

from __future__ import annotations

from typing import NamedTuple

from xdsl.dialects.builtin import Float64Type, FloatAttr
from xdsl.irdl import IRDLOperation, ParsePropInAttrDict, opt_prop_def
from xdsl.utils.exceptions import VerifyException

from eecc.dialects.ee.attrs import CostAttr, FoldAttr
from eecc.dialects.ee.shapes import divisors


class FoldRule(NamedTuple):
    """One fold factor of an op: its legal values and what they must divide or match."""

    field: str
    legal: tuple[int, ...]
    problem: str  # said of an illegal value, e.g. "does not divide 64 output channels"


def divides(field: str, n: int, what: str) -> FoldRule:
    return FoldRule(field, divisors(n), f"does not divide {n} {what}")


class EEOp(IRDLOperation):
    """Common annotations and verification of `ee` ops."""

    rate = opt_prop_def(FloatAttr[Float64Type])
    fold = opt_prop_def(FoldAttr)
    cost = opt_prop_def(CostAttr)

    irdl_options = (ParsePropInAttrDict(),)

    def fold_rules(self) -> tuple[FoldRule, ...]:
        """The fold factors this op has; every other factor must be 1."""
        return ()

    def current_fold(self) -> FoldAttr:
        """The op's fold, or the unfolded design when it has none."""
        return self.fold if self.fold is not None else FoldAttr()

    def verify_(self) -> None:
        self.verify_annotations()
        self.verify_op()

    def verify_op(self) -> None:
        """Op-specific invariants (shapes, operands); overridden by ops."""

    def verify_annotations(self) -> None:
        if self.rate is not None and not 0.0 <= self.rate.value.data <= 1.0:
            raise VerifyException(
                f"'{self.name}' rate {self.rate.value.data} is outside [0, 1]"
            )
        if self.fold is None:
            return
        values = self.fold.as_dict()
        rules = {rule.field: rule for rule in self.fold_rules()}
        for field, value in values.items():
            rule = rules.get(field)
            if rule is None and value != 1:
                have = ", ".join(rules) or "none"
                raise VerifyException(
                    f"'{self.name}' has no fold factor {field} (it has: {have}); "
                    f"found {field}={value}"
                )
            if rule is not None and value not in rule.legal:
                raise VerifyException(
                    f"'{self.name}' fold {field}={value} {rule.problem}"
                )
