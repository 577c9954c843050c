"""Exit policies: which exit answers a sample, from every head's confidence.

- `first-confident` (the hardware's, and the default): the first early exit whose
  confidence is strictly above its threshold, else the final classifier;
- `most-confident` (HAPI's fallback): as above, but a sample that no early exit is confident
  about gets the answer of the most confident head, the final classifier included (the
  first of equals).

`conf[i, n]` is head i's top-1 confidence (max softmax, float32) on sample n; the last row is
the final classifier's. The profile's memoised evaluation and `eecc run --policy` both call
`choose`, so they agree bit for bit.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from eecc.errors import EeccError

POLICIES = ("first-confident", "most-confident")
DEFAULT_POLICY = POLICIES[0]


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
