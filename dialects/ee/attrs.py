"""Annotation attributes of the `ee` dialect: folding and cost.

Passes write these onto hardware ops (`fold` by `--fold`, `cost` by `--ee-estimate`); the
verifier checks folds against the op they sit on (factors divide channels, `fine` is legal
for the kernel). An op without a fold is unfolded: every factor is 1.

```mlir
%1 = ee.conv %0 weight @conv1.w {fold = #ee.fold<coarse_out = 5, fine = 25>, ...}
%2 = ee.relu %1 {cost = #ee.cost<latency = 1280, depth = 1, lut = 94, ff = 100, dsp = 0, bram = 0>}
```
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import IntAttr
from xdsl.ir import Attribute, ParametrizedAttribute
from xdsl.irdl import irdl_attr_definition
from xdsl.parser import AttrParser
from xdsl.printer import Printer
from xdsl.utils.exceptions import VerifyException


def _parse_fields(parser: AttrParser, keys: tuple[str, ...], what: str) -> dict[str, int]:
    """Parse `<k = v, ...>` (possibly `<>`) with keys from `keys`, each at most once."""
    values: dict[str, int] = {}

    def parse_one() -> None:
        pos = parser.pos
        key = parser.parse_identifier()
        if key not in keys:
            parser.raise_error(f"'{what}' has no field '{key}' (fields: {', '.join(keys)})", pos)
        if key in values:
            parser.raise_error(f"'{what}' field '{key}' given twice", pos)
        parser.parse_punctuation("=")
        values[key] = parser.parse_integer(allow_boolean=False)

    parser.parse_comma_separated_list(parser.Delimiter.ANGLE, parse_one)
    return values


FOLD_FIELDS = ("coarse_in", "coarse_out", "fine", "coarse")


@irdl_attr_definition
class FoldAttr(ParametrizedAttribute):
    """How much of a layer is built in parallel (fpgaConvNet's folding factors).

    - `coarse_in`: input channels processed in parallel (lanes in), divides C_in;
    - `coarse_out`: output channels (filters) computed in parallel, divides C_out;
    - `fine`: multipliers per kernel window: 1, k, or k*k (fully unrolled window);
    - `coarse`: lanes of a channel-wise op (pool, relu, split, condbuffer, ...), divides C.

    Fields equal to 1 are not printed; `#ee.fold<>` is the unfolded design.

    ```mlir
    #ee.fold<coarse_in = 2, coarse_out = 5, fine = 25>
    ```
    """

    name = "ee.fold"

    coarse_in: IntAttr
    coarse_out: IntAttr
    fine: IntAttr
    coarse: IntAttr

    def __init__(self, coarse_in: int = 1, coarse_out: int = 1, fine: int = 1, coarse: int = 1):
        super().__init__(IntAttr(coarse_in), IntAttr(coarse_out), IntAttr(fine), IntAttr(coarse))

    def as_dict(self) -> dict[str, int]:
        return {k: getattr(self, k).data for k in FOLD_FIELDS}

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        values = _parse_fields(parser, FOLD_FIELDS, "ee.fold")
        return tuple(IntAttr(values.get(k, 1)) for k in FOLD_FIELDS)

    def print_parameters(self, printer: Printer) -> None:
        items = [f"{k} = {v}" for k, v in self.as_dict().items() if v != 1]
        printer.print_string("<" + ", ".join(items) + ">")

    def verify(self) -> None:
        for key, value in self.as_dict().items():
            if value < 1:
                raise VerifyException(f"'ee.fold' {key}={value} must be at least 1")


COST_FIELDS = ("latency", "depth", "lut", "ff", "dsp", "bram")


@irdl_attr_definition
class CostAttr(ParametrizedAttribute):
    """The cost model's estimate for one op (or one stage) at its current fold.

    - `latency`: cycles between two feature maps (the initiation interval per sample);
    - `depth`: pipeline depth, cycles from the first word in to the first word out;
    - `lut`, `ff`, `dsp`, `bram` (18K blocks): resources on the platform.

    ```mlir
    #ee.cost<latency = 5120, depth = 537, lut = 4441, ff = 5148, dsp = 25, bram = 26>
    ```
    """

    name = "ee.cost"

    latency: IntAttr
    depth: IntAttr
    lut: IntAttr
    ff: IntAttr
    dsp: IntAttr
    bram: IntAttr

    def __init__(self, latency: int, depth: int, lut: int, ff: int, dsp: int, bram: int):
        super().__init__(*(IntAttr(v) for v in (latency, depth, lut, ff, dsp, bram)))

    def as_dict(self) -> dict[str, int]:
        return {k: getattr(self, k).data for k in COST_FIELDS}

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        pos = parser.pos
        values = _parse_fields(parser, COST_FIELDS, "ee.cost")
        missing = [k for k in COST_FIELDS if k not in values]
        if missing:
            parser.raise_error(f"'ee.cost' is missing field(s) {', '.join(missing)}", pos)
        return tuple(IntAttr(values[k]) for k in COST_FIELDS)

    def print_parameters(self, printer: Printer) -> None:
        printer.print_string("<" + ", ".join(f"{k} = {v}" for k, v in self.as_dict().items()) + ">")

    def verify(self) -> None:
        for key, value in self.as_dict().items():
            if value < 0:
                raise VerifyException(f"'ee.cost' {key}={value} must not be negative")
