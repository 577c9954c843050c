"""Exit policies: which exit answers a sample, from every head's confidence.

- `first-confident` (the hardware's, and the default): the first early exit whose
  confidence is strictly above its threshold, else the final classifier;
- `most-confident` (HAPI's fallback): as above, but a sample that no early exit is confident
  about gets the answer of the most confident head, the final classifier included (the
  first of equals).

`conf[i, n]` is head i's top-1 confidence (max softmax, float32) on sample n; the last row is
the final classifier's. The profile's memoised evaluation and `eecc run --policy` both call
`choose`, so they agree bit for bit. In fixed point (`choose_fixed`) a head's confidence
is the exit decision's own value `S` (docs/numerics.md), the smaller the more confident, as
the hardware compares it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from eecc import fixedpoint
from eecc.dialects.ee.control import POLICIES
from eecc.errors import EeccError

DEFAULT_POLICY = POLICIES[0]
__all__ = ["DEFAULT_POLICY", "POLICIES", "check_policy", "choose", "choose_fixed"]


def check_policy(policy: str) -> str:
    if policy not in POLICIES:
        raise EeccError(f"exit policy '{policy}' is not supported (supported: {', '.join(POLICIES)})")
    return policy


def choose(conf: np.ndarray, thresholds: Sequence[float], policy: str = DEFAULT_POLICY
           ) -> np.ndarray:
    """The exit each sample takes under `policy` (`thresholds`: one per early exit)."""
    check_policy(policy)
    exits, samples = conf.shape
    taken = np.full(samples, exits - 1, dtype=np.int64)
    decided = np.zeros(samples, dtype=bool)
    for i, thr in enumerate(thresholds):
        leaves = ~decided & (conf[i] > np.float32(thr))
        taken[leaves] = i
        decided |= leaves
    if policy == "most-confident":
        fallback = np.argmax(conf, axis=0)
        taken[~decided] = fallback[~decided]
    return taken


def choose_fixed(sums: np.ndarray, thresholds: Sequence[float],
                 policy: str = DEFAULT_POLICY) -> np.ndarray:
    """`choose` in fixed point: `sums[i, n]` is head i's `fixedpoint.exp_sum` on sample n;
    a sample leaves at exit i iff `2**32 > thr_q * S`; the most confident head has the
    smallest S (the first of equals)."""
    check_policy(policy)
    exits, samples = sums.shape
    taken = np.full(samples, exits - 1, dtype=np.int64)
    decided = np.zeros(samples, dtype=bool)
    for i, thr in enumerate(thresholds):
        leaves = ~decided & (fixedpoint.threshold_q(thr) * sums[i] < (1 << 32))
        taken[leaves] = i
        decided |= leaves
    if policy == "most-confident":
        fallback = np.argmin(sums, axis=0)
        taken[~decided] = fallback[~decided]
    return taken
