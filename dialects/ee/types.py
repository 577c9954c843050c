"""Types of the `ee` dialect: streams of feature maps, control tokens, fixed-point numbers.

A value of stream type carries **one feature map per sample**; each word on the wire is tagged
with the sample's ID. A value of control type carries **one boolean per sample** (did the
sample exit here?).

```mlir
!ee.stream<5x32x32xf32>              // C x H x W feature map of f32, one per sample
!ee.stream<10x!ee.fixed<16, 8>>      // 10 logits in ap_fixed<16,8>
!ee.ctrl                             // one exit/continue token per sample
```
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import ArrayAttr, Float32Type, Float64Type, IntAttr
from xdsl.ir import Attribute, ParametrizedAttribute, TypeAttribute
from xdsl.irdl import irdl_attr_definition
from xdsl.parser import AttrParser
from xdsl.printer import Printer
from xdsl.utils.exceptions import VerifyException

MAX_FIXED_WIDTH = 32
# One feature map must fit the on-chip buffers of any supported FPGA (words per sample)
MAX_MAP_ELEMENTS = 1 << 24


@irdl_attr_definition
class FixedType(ParametrizedAttribute, TypeAttribute):
    """A signed fixed-point number, Vivado's `ap_fixed<width, int_bits>`.

    `width` bits in all, `int_bits` of them (sign included) before the binary point; the
    value `v` is held as the integer `v * 2^(width - int_bits)`. Rounding and saturation are
    eecc's fixed-point contract (docs/numerics.md).

    ```mlir
    !ee.fixed<16, 8>
    ```
    """

    name = "ee.fixed"

    width: IntAttr
    int_bits: IntAttr

    def __init__(self, width: int, int_bits: int):
        super().__init__(IntAttr(width), IntAttr(int_bits))

    @property
    def frac_bits(self) -> int:
        return self.width.data - self.int_bits.data

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        with parser.in_angle_brackets():
            width = parser.parse_integer(allow_boolean=False, allow_negative=False)
            parser.parse_punctuation(",")
            int_bits = parser.parse_integer(allow_boolean=False)
        return (IntAttr(width), IntAttr(int_bits))

    def print_parameters(self, printer: Printer) -> None:
        printer.print_string(f"<{self.width.data}, {self.int_bits.data}>")

    def verify(self) -> None:
        width, int_bits = self.width.data, self.int_bits.data
        if not 2 <= width <= MAX_FIXED_WIDTH:
            raise VerifyException(f"'ee.fixed' width {width} is outside [2, {MAX_FIXED_WIDTH}] "
                                  "(the HLS library's arithmetic is 32-bit)")
        if not 1 <= int_bits <= width:
            raise VerifyException(
                f"'ee.fixed' int_bits {int_bits} is outside [1, width={width}]"
            )


ELEMENT_TYPES = (Float32Type, Float64Type, FixedType)


@irdl_attr_definition
class StreamType(ParametrizedAttribute, TypeAttribute):
    """A stream of feature maps, one per sample.

    `shape` is the per-sample feature map: `C x H x W` for images, `N` for vectors (logits,
    flattened maps). The element type is `f32`/`f64` (float reference) or `!ee.fixed<W, I>`.
    On hardware the map streams row-major over H and W with channels innermost, each word
    tagged with its sample ID.

    ```mlir
    !ee.stream<5x32x32xf32>
    ```
    """

    name = "ee.stream"

    shape: ArrayAttr[IntAttr]
    element_type: Attribute

    def __init__(self, shape: Sequence[int], element_type: Attribute):
        super().__init__(ArrayAttr([IntAttr(d) for d in shape]), element_type)

    def get_shape(self) -> tuple[int, ...]:
        return tuple(d.data for d in self.shape)

    @property
    def channels(self) -> int:
        """Channels of a C x H x W map; the length of a vector."""
        return self.get_shape()[0]

    @property
    def num_elements(self) -> int:
        n = 1
        for d in self.get_shape():
            n *= d
        return n

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        with parser.in_angle_brackets():
            dims, element_type = parser.parse_ranked_shape()
        return (ArrayAttr([IntAttr(d) for d in dims]), element_type)

    def print_parameters(self, printer: Printer) -> None:
        printer.print_string("<")
        for d in self.get_shape():
            printer.print_string(f"{d}x")
        printer.print_attribute(self.element_type)
        printer.print_string(">")

    def verify(self) -> None:
        shape = self.get_shape()
        if len(shape) not in (1, 3):
            raise VerifyException(
                f"'ee.stream' shape {list(shape)} must have rank 1 (N) or 3 (C x H x W)"
            )
        if any(d <= 0 for d in shape):
            raise VerifyException(f"'ee.stream' shape {list(shape)} must be static and positive")
        if self.num_elements > MAX_MAP_ELEMENTS:
            raise VerifyException(
                f"'ee.stream' shape {'x'.join(map(str, shape))} has {self.num_elements} words per "
                f"sample; eecc supports feature maps of at most {MAX_MAP_ELEMENTS} (2^24)")
        if not isinstance(self.element_type, ELEMENT_TYPES):
            raise VerifyException(
                f"'ee.stream' element type {self.element_type} is not f32, f64 or !ee.fixed<W, I>"
            )


@irdl_attr_definition
class ControlType(ParametrizedAttribute, TypeAttribute):
    """A stream of control tokens: one boolean per sample, `true` when the sample exits.

    ```mlir
    !ee.ctrl
    ```
    """

    name = "ee.ctrl"
