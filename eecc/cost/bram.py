"""On-chip memory estimates: BRAM18K blocks for memories and FIFOs, LUTs for LUTRAM.

A BRAM18K block holds one of the (width: depth) configurations below; a memory of
``depth`` words of ``width`` bits takes the narrowest configuration at least ``width``
wide. FIFOs and line buffers small enough for LUTRAM cost LUTs instead of BRAM.
"""

from __future__ import annotations

import math

#: BRAM18K configurations, width (bits) -> depth (words), as in the anchor's model.
BRAM18K_CONFIGS = {1: 16000, 2: 8000, 4: 4000, 9: 2000, 18: 1000, 36: 512}
#: LUTRAM configurations, depth (words) -> width (bits) per LUT.
LUTRAM_CONFIGS = {32: 16, 64: 8}
#: A FIFO at most this many bits, or at most LUTRAM_MAX_DEPTH deep, lives in LUTRAM.
LUTRAM_MAX_BITS = 1024
LUTRAM_MAX_DEPTH = 32


def config_depth(width: int) -> int:
    """Words per BRAM18K block at ``width`` bits (widths over 36 bits use the 36-bit mode)."""
    if width < 1:
        raise ValueError(f"memory width {width} bits must be positive")
    fitting = [w for w in BRAM18K_CONFIGS if w >= width]
    return BRAM18K_CONFIGS[min(fitting)] if fitting else BRAM18K_CONFIGS[36]


def mem_bram(depth: float, width: int) -> int:
    """BRAM18K blocks of a memory of ``depth`` words x ``width`` bits (0 if empty).

    Widths over 36 bits are split into 36-bit slices. Units: blocks.
    """
    if depth <= 0:
        return 0
    slices = math.ceil(width / 36)
    return slices * math.ceil(depth / config_depth(min(width, 36)))


def fifo_in_lutram(depth: float, width: int) -> bool:
    """True when a FIFO / line buffer is small enough for LUTRAM (bits <= 1024 or depth <= 32)."""
    return depth * width <= LUTRAM_MAX_BITS or depth <= LUTRAM_MAX_DEPTH


def fifo_bram(depth: float, width: int) -> int:
    """BRAM18K blocks of a FIFO / line buffer: 0 when it goes to LUTRAM, else ``mem_bram``."""
    if depth <= 0 or fifo_in_lutram(depth, width):
        return 0
    return mem_bram(depth, width)


def lutram_luts(depth: float, width: int) -> int:
    """LUTs of a LUTRAM FIFO: ceil((width+1)/cfg_width) * ceil(depth/cfg_depth).

    The configuration is the shallowest of ``LUTRAM_CONFIGS`` at least ``depth`` deep
    (the deepest one beyond that); the extra bit is the FIFO's valid flag. Units: LUTs.
    """
    if depth <= 0 or width <= 0:
        return 0
    deep_enough = [d for d in LUTRAM_CONFIGS if d >= depth]
    cfg_depth = min(deep_enough) if deep_enough else max(LUTRAM_CONFIGS)
    return math.ceil((width + 1) / LUTRAM_CONFIGS[cfg_depth]) * math.ceil(depth / cfg_depth)


def fifo_luts(depth: float, width: int) -> int:
    """LUTs a FIFO costs: its LUTRAM when it fits there, else 0 (it is in BRAM)."""
    if depth <= 0 or not fifo_in_lutram(depth, width):
        return 0
    return lutram_luts(depth, width)


def pow2_blocks(blocks: int) -> int:
    """Round a block count up to a power of two (7-series FIFO depth padding); 0 stays 0."""
    if blocks <= 0:
        return 0
    return 1 << math.ceil(math.log2(blocks))
