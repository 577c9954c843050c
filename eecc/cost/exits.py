"""Early-exit layers: conditional buffer, exit decision, exit merge.

Latency in cycles per feature map (per sample), resources in LUT / FF / DSP / BRAM18K.
"""

from __future__ import annotations

from collections.abc import Sequence

from eecc.cost import modules as m
from eecc.cost.bram import mem_bram
from eecc.cost.fold import UNFOLDED, Fold, divisors
from eecc.cost.platform import Resources
from eecc.dialects.interface import DEFAULT_BUFFER_DEPTH

#: Fixed part of the exit decision's pipeline depth (exp + compare), in cycles. With one
#: cycle per class it gives the anchor's hard-coded 180 cycles at 10 classes.
DECISION_FIXED_DEPTH = 170


def condbuffer_legal_folds(c: int) -> dict[str, tuple[int, ...]]:
    """coarse in divisors(C)."""
    return {"coarse": divisors(c)}


def condbuffer_latency(h: int, w: int, c: int, fold: Fold = UNFOLDED) -> float:
    """Cycles per feature map: H*W*C/coarse."""
    return h * w * c / fold.coarse


def condbuffer_pipeline_depth() -> float:
    """One register stage (the buffer's fill time is a queueing effect, not depth)."""
    return 1.0


def condbuffer_resources(h: int, w: int, c: int, depth: int = DEFAULT_BUFFER_DEPTH,
                         fold: Fold = UNFOLDED, data_width: int = 16) -> Resources:
    """A conditional buffer per lane holding ``depth`` feature maps of H x W x C/coarse words."""
    return m.condbuffer(h, w, c // fold.coarse, depth, data_width) * fold.coarse


def exit_decision_legal_folds(n_classes: int) -> dict[str, tuple[int, ...]]:
    """The decision is not folded: coarse = 1."""
    del n_classes
    return {"coarse": (1,)}


def exit_decision_latency(n_classes: int) -> float:
    """Cycles per sample: one logit per cycle, ``n_classes`` cycles (anchor: always 10)."""
    return float(n_classes)


def exit_decision_pipeline_depth(n_classes: int) -> float:
    """170 cycles of exp / compare pipeline plus one per class of the reduce (anchor: 180)."""
    return float(DECISION_FIXED_DEPTH + n_classes)


def exp_table_entries(frac_bits: int = 8) -> int:
    """Entries of the exit decision's exp table: D + 1 = 16 * 2^frac_bits + 1 (numerics.md)."""
    return (16 << frac_bits) + 1


def exit_decision_resources(n_classes: int, data_width: int = 16,
                            frac_bits: int = 8) -> Resources:
    """exp + input fork + softmax sum + reduce max + compare + output fork + the exp table.

    Hardware form ``max exp(x) > thr * sum exp(x)`` (strict ``>``); the forks are sized
    by the class count, so N exits and any number of classes are priced. The exp table is
    a ROM of ``exp_table_entries(frac_bits)`` 32-bit words (4097 at 8 fraction bits: 9
    BRAM18), which the anchor did not price.
    """
    words = n_classes
    table = Resources(bram=mem_bram(exp_table_entries(frac_bits), 32))
    return (m.exponential(1, 1, n_classes, data_width) + m.fork(words)
            + m.softmax_sum(data_width) + m.reduce_max(data_width)
            + m.compare(data_width) + m.fork(words) + table)


def exit_merge_legal_folds(input_words: Sequence[int]) -> dict[str, tuple[int, ...]]:
    """The merge is not folded: coarse = 1."""
    del input_words
    return {"coarse": (1,)}


def exit_merge_latency(input_words: Sequence[int]) -> float:
    """Cycles per sample: the words of one result (2 inputs of 10 -> 10).

    Every sample leaves through exactly one input, and the merge moves a result at one word
    per cycle. The anchor summed the words of every input (20), as if each sample came on
    all of them; eecc's merge (and its timed simulation) moves one result per sample.
    """
    return float(max(input_words))


def exit_merge_pipeline_depth(input_words: Sequence[int]) -> float:
    """One arbitration cycle."""
    del input_words
    return 1.0


def exit_merge_resources(input_words: Sequence[int]) -> Resources:
    """An N-input arbiter: one fork-sized port per input (util [ceil log2 words_i]).

    The anchor priced the whole merge as a single fork; eecc prices one port per input.
    """
    return sum((m.fork(words) for words in input_words), Resources())


# ----------------------------------------------------------- most-confident exit policy
#: Bits of a confidence token (emit/include/eecc/exit.h `conf_word`): sample ID 16, S 64,
#: head index 8, exit and end flags.
CONF_TOKEN_BITS = 16 + 64 + 8 + 2
#: Samples a carry FIFO holds before `ee-legalize-hls` sized it (`carry_depths`): twice the
#: default condbuffer depth.
DEFAULT_CARRY_SAMPLES = 2 * DEFAULT_BUFFER_DEPTH


def _fifo(words: int, width: int) -> Resources:
    """A FIFO of ``words`` x ``width`` bits: BRAM18s, or none when it fits LUTRAM."""
    from eecc.cost.bram import fifo_in_lutram

    return Resources() if fifo_in_lutram(words, width) else Resources(bram=mem_bram(words, width))


def carry_resources(n_classes: int, coarse: int = 1, logits_words: int | None = None,
                    tokens: int | None = None, data_width: int = 16) -> Resources:
    """Exit i's carry unit under the most-confident policy, in place of its pass-on-exit
    condbuffer: a comparator of the two 64-bit sums, a 2:1 mux and a fork per lane, and the
    FIFOs to exit i+1 (``logits_words`` per lane and ``tokens`` confidence tokens, the
    `carry_depths` of ee-legalize-hls; unset: ``DEFAULT_CARRY_SAMPLES`` samples)."""
    groups = n_classes // coarse
    if logits_words is None or tokens is None:
        logits_words, tokens = DEFAULT_CARRY_SAMPLES * groups + 2, DEFAULT_CARRY_SAMPLES + 2
    logic = m.compare(64) + (m.fork(groups) + m.relu(groups, data_width)) * coarse
    return logic + _fifo(logits_words, data_width) * coarse + _fifo(tokens, CONF_TOKEN_BITS)


def final_carry_resources(n_classes: int, coarse: int = 1, data_width: int = 16,
                          frac_bits: int = 8) -> Resources:
    """The merge's final unit under the most-confident policy: the final classifier's sum
    (an exit decision's datapath and exp table), a carry unit without outgoing carry, and
    the answering head's token stream."""
    own = 2 * (n_classes // coarse) + 2
    return (exit_decision_resources(n_classes, data_width, frac_bits)
            + m.compare(64) + (m.fork(own) + m.relu(own, data_width)) * coarse
            + _fifo(own, data_width) * coarse)
