"""Element-wise streaming layers: ReLU, add, split (fork).

Each moves H*W*C words per feature map over ``coarse`` streams. Latency in cycles per
feature map, resources in LUT / FF / DSP / BRAM18K.
"""

from __future__ import annotations

import math

from eecc.cost import modules as m
from eecc.cost.fold import UNFOLDED, Fold, divisors
from eecc.cost.platform import Resources


def channel_folds(c: int) -> dict[str, tuple[int, ...]]:
    """coarse in divisors(C): the legal folds of every single-coarse layer."""
    return {"coarse": divisors(c)}


def stream_latency(h: int, w: int, c: int, fold: Fold = UNFOLDED) -> float:
    """Cycles per feature map: H*W*C/coarse."""
    return h * w * c / fold.coarse


relu_legal_folds = add_legal_folds = split_legal_folds = channel_folds
relu_latency = add_latency = split_latency = stream_latency


def relu_pipeline_depth() -> float:
    """One register stage."""
    return 1.0


add_pipeline_depth = split_pipeline_depth = relu_pipeline_depth


def relu_resources(h: int, w: int, c: int, fold: Fold = UNFOLDED, data_width: int = 16,
                   bounded: bool = False) -> Resources:
    """A ReLU unit per lane: util [dw, ceil log2(H*W*C/coarse)] (the anchor counted 0).

    A saturating ReLU (`max`, ReLU6) compares twice per word: two units per lane.
    """
    units = 2 if bounded else 1
    return m.relu(h * w * c // fold.coarse, data_width) * (fold.coarse * units)


def add_resources(h: int, w: int, c: int, n_inputs: int = 2, fold: Fold = UNFOLDED,
                  data_width: int = 16) -> Resources:
    """n_inputs-1 dw-bit adders per lane, each priced with the ReLU regression.

    Like ReLU, an adder is one dw-bit operation per word; eecc has no fitted adder model.
    """
    return m.relu(h * w * c // fold.coarse, data_width) * ((n_inputs - 1) * fold.coarse)


def split_resources(h: int, w: int, c: int, n_outputs: int = 2, fold: Fold = UNFOLDED) -> Resources:
    """A fork per lane: util [ceil log2(H*W*C/coarse)] (independent of n_outputs)."""
    del n_outputs  # the fitted fork regression does not depend on the fan-out
    return m.fork(h * w * c // fold.coarse) * fold.coarse


def repack_latency(elements: int, lanes_in: int, lanes_out: int) -> float:
    """Cycles per feature map of `repack<IN, OUT>`: one word per cycle on the narrower side."""
    return elements / min(lanes_in, lanes_out)


WORD_BITS_EXTRA = 16 + 1  # a stream word carries the 16-bit sample ID and the end flag


def repack_resources(lanes_in: int, lanes_out: int, data_width: int = 16) -> Resources:
    """An `ee.repack` (`eecc::repack<IN, OUT>`, emit/include/eecc/elementwise.h), priced from
    explicit rules (no fitted regression exists for it): the chunk of lcm(IN, OUT) words and
    the IN-word input group in registers (FF = word bits each), an NO:1 multiplexer per
    output lane and word bit (NO = chunk / OUT; a LUT6 selects among 4, each further LUT
    adds 3 inputs) and a 16-bit chunk counter (16 LUT, 16 FF). No DSP, no BRAM."""
    if lanes_in == lanes_out:
        return Resources()
    chunk = math.lcm(lanes_in, lanes_out)
    bits = data_width + WORD_BITS_EXTRA
    positions = chunk // lanes_out
    mux = 0 if positions <= 1 else math.ceil((positions - 1) / 3)
    return Resources(lut=16 + lanes_out * bits * mux, ff=16 + (chunk + lanes_in) * bits)
