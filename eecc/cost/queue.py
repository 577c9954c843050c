"""The drop-on-exit condbuffer as a queue: the event model of the emitted hardware.

A stage produces one feature map every t1 cycles into a condbuffer of K map slots (the
ring of `condbuffer` in `emit/include/eecc/exit.h`); each map's exit decision keeps
it (share c, i.i.d.) or drops it; a kept map needs t2 cycles of the next stage. The
hardware buffers more than the ring: between the producer's slowest layer and the ring,
one row of every stream and (k - 1) rows of every window let the producer finish `up`
maps of the next map while it is stalled; between the ring and the next stage's slowest
layer, the same storage lets a kept map leave the ring while that layer still has `down`
maps of work queued (it holds kept maps only). `eecc.network.buffer_slack` counts both
from the IR. Per map k (times in cycles, `free[k]` when map k has left the ring):

    start = max(start_prev + t1, free[k-K] - up * t1)   the producer works ahead
    adm   = max(start + t1, free[k-K])                  map k is in the ring
    ready = max(ring_prev, adm)                         the ring is in order
    kept:    busy = max(busy, ready) + t2;  ring = max(ready, busy - down * t2)
    dropped: ring = ready                               a dropped map leaves at once

The admitted rate, as a share g of the producer's 1/t1, depends only on the next stage's
utilisation rho = c * t2 / t1 (the times scale), c, K, up and down. It is simulated once
per (c, up, down) for every depth asked for on a fixed grid of rho (2^-8 .. 2^8, eight
points an octave), over `MAPS` maps with one seeded keep sequence (common random numbers:
one path for every grid point and depth). On one path every admission time grows with
t1, t2 and falls with K, up and down, so g is exactly monotone on the grid; log g is
interpolated linearly in log rho, which keeps g non-increasing in rho and rho * g
non-decreasing (a faster producer never admits less), and never above min(1, 1/rho).
`bench/queue_model.py` checks the model against `eecc csim --timed` (docs/fold.md).

Limits: a buffer deeper than `UNBOUNDED` maps is taken as unbounded; the path starts
empty, which flatters deep buffers near rho = 1 by at most K / `MAPS`; the keep pattern is i.i.d. (a real data stream may be burstier); for a chain of
buffers each one is fed at the rate the one before admits, as if deterministic.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import numpy as np

MAPS = 16384  # maps simulated per path; the admitted rate is maps / time of the last
SEED = 0
STEP = 0.125  # grid spacing in log2(rho)
LO, HI = -8.0, 8.0
GRID = np.arange(LO, HI + STEP / 2, STEP)  # log2 rho
UNBOUNDED = 1024  # deeper buffers are taken as unbounded: g = min(1, 1/rho)


WIDTH = 8192  # columns (depth x grid point x key) simulated together


def _simulate(cols: list[tuple[float, int, float, float]]) -> np.ndarray:
    """Admitted share g on the grid, (len(cols), len(GRID)), for each (cond, depth, up, down).

    One seeded uniform sequence serves every column (a map is kept where its draw is below
    the column's cond), so each column is the path it would be alone: the result does not
    depend on which columns are simulated together."""
    spec = np.array(cols, dtype=float).reshape(-1, 4)
    rep = lambda a: np.repeat(a, len(GRID))  # noqa: E731
    cond, k_col, up, down = rep(spec[:, 0]), rep(spec[:, 1]).astype(np.int64), rep(spec[:, 2]), rep(spec[:, 3])
    m = np.tile(np.exp2(GRID), len(spec)) / cond  # t2 / t1, with t1 = 1
    width, kmax = len(k_col), int(k_col.max())
    cols_ = np.arange(width)
    draws = np.random.default_rng(SEED).random(MAPS)
    hist = np.full((kmax, width), -np.inf)  # free[k] of the last kmax maps
    start, ring, busy = np.full(width, -1.0), np.zeros(width), np.zeros(width)
    adm = np.zeros(width)
    back = down * m
    for k in range(MAPS):
        slot = hist[(k - k_col) % kmax, cols_]
        start = np.maximum(start + 1.0, slot - up)
        adm = np.maximum(start + 1.0, slot)
        ready = np.maximum(ring, adm)
        kept = draws[k] < cond
        served = np.maximum(busy, ready) + m
        busy = np.where(kept, served, busy)
        ring = np.where(kept, np.maximum(ready, served - back), ready)
        hist[k % kmax] = ring
    return (MAPS / adm).reshape(len(spec), len(GRID))


def _monotone(log_g: np.ndarray) -> np.ndarray:
    """log2 g with slopes in [-1, 0] along the grid, and below min(0, -log2 rho)."""
    x = GRID * np.ones_like(log_g)
    lg = np.minimum.accumulate(log_g, axis=-1)
    lg = np.maximum.accumulate(lg + x, axis=-1) - x
    return np.minimum(lg, np.minimum(0.0, -x))


_TABLE: dict[tuple[float, int, float, float], np.ndarray] = {}


def prepare(cond: float, depths: Iterable[int], up: float = 0.0, down: float = 0.0) -> None:
    """Simulate every depth not yet known for (cond, up, down)."""
    prepare_many([(cond, depths, up, down)])


def prepare_many(specs: Iterable[tuple[float, Iterable[int], float, float]]) -> None:
    """Simulate, in as few paths as the width allows, every (cond, depth, up, down) not yet
    tabulated: one path costs about the same for one column as for thousands."""
    missing = sorted({(*_key(c, u, d)[:1], int(k), *_key(c, u, d)[1:])
                      for c, ks, u, d in specs for k in ks
                      if 1 <= int(k) <= UNBOUNDED and c > 0}
                     - set(_TABLE))
    per = max(1, WIDTH // len(GRID))
    for lo in range(0, len(missing), per):
        chunk = missing[lo:lo + per]
        rows = _monotone(np.log2(_simulate(chunk)))
        for key, row in zip(chunk, rows, strict=True):
            _TABLE[key] = row


def _key(cond: float, up: float, down: float) -> tuple[float, float, float]:
    # rounded so that equal figures reached by different float paths share one table
    return round(float(cond), 9), round(float(up), 9), round(float(down), 9)


def admitted_share(rho: np.ndarray | float, cond: float, depth: int, up: float = 0.0,
                   down: float = 0.0) -> np.ndarray:
    """g: the producer's rate share the buffer admits at next-stage utilisation `rho`."""
    rho = np.asarray(rho, dtype=float)
    if cond <= 0:
        return np.ones_like(rho)
    if depth < 1:
        raise ValueError(f"a condbuffer holds at least 1 map, got depth {depth}")
    if depth > UNBOUNDED:
        return np.minimum(1.0, 1.0 / np.maximum(rho, 1e-300))
    c, u, d = _key(cond, up, down)
    key = (c, int(depth), u, d)
    if key not in _TABLE:
        prepare(cond, (depth,), up, down)
    row = _TABLE[key]
    x = np.log2(np.maximum(rho, 2.0 ** (LO - 60)))
    lg = np.interp(x, GRID, row)
    lg = np.where(x > HI, row[-1] - (x - HI), lg)  # server-bound beyond the grid: g ~ 1/rho
    return np.exp2(lg)


@lru_cache(maxsize=4096)
def _scalar(rho: float, cond: float, depth: int, up: float, down: float) -> float:
    return float(admitted_share(rho, cond, depth, up, down))


def step(rate: float, reach: float, reach_next: float, t_next: float, depth: int,
         up: float = 0.0, down: float = 0.0) -> float:
    """Network samples/s after the buffer: `rate` admitted so far, `reach` of them arrive,
    `reach_next` are kept, the next stage serves `t_next` samples/s."""
    if reach <= 0 or reach_next <= 0:
        return rate
    return rate * _scalar(rate * reach_next / t_next, reach_next / reach, int(depth), up, down)


def step_array(rate: np.ndarray, reach: float, reach_next: float, t_next: np.ndarray,
               depth: np.ndarray, up: float = 0.0, down: float = 0.0) -> np.ndarray:
    """`step` over arrays of states (rate), next-stage throughputs and depths."""
    rate = np.asarray(rate, dtype=float)
    if reach <= 0 or reach_next <= 0:
        return rate * np.ones(np.broadcast(rate, t_next, depth).shape)
    rho = rate * reach_next / np.asarray(t_next, dtype=float)
    depth = np.asarray(depth, dtype=np.int64)
    rho, depth = np.broadcast_arrays(rho, depth)
    out = np.empty(rho.shape)
    cond = reach_next / reach
    for d in np.unique(depth):
        sel = depth == d
        out[sel] = admitted_share(rho[sel], cond, int(d), up, down)
    return np.broadcast_to(rate, out.shape) * out
