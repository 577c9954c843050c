"""The values the `ee` hardware interface speaks in, with no dependencies (no xDSL).

`Fold` is what `ee` ops' `fold_space()` lists and `#ee.fold<...>` holds, and
`DEFAULT_BUFFER_DEPTH` is the depth of an `ee.condbuffer` whose `depth` is unset. The
cost model (`eecc.cost`) prices ops in these terms and re-exports them (`eecc.cost.Fold`,
`eecc.cost.exits.DEFAULT_BUFFER_DEPTH`); this module imports nothing, so the cost model
shares them without loading the dialect, and the dialect imports nothing from it.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Depth of an `ee.condbuffer` whose `depth` is unset, in feature maps (the anchor's
#: default queue depth q). The one definition: the cost model, `--fold` and
#: `--ee-legalize-hls` read it from here.
DEFAULT_BUFFER_DEPTH = 16


@dataclass(frozen=True)
class Fold:
    """How much hardware parallelism an op is given (all factors are counts, >= 1).

    ``coarse_in`` / ``coarse_out`` are the input / output streams of a conv or linear
    layer, ``fine`` the kernel positions multiplied per cycle in each conv lane, and
    ``coarse`` the streams of a single-coarse op (pool, relu, add, split, condbuffer).
    An op that is given no fold is unfolded: every factor is 1.
    """

    coarse_in: int = 1
    coarse_out: int = 1
    fine: int = 1
    coarse: int = 1

    def __post_init__(self) -> None:
        for name in ("coarse_in", "coarse_out", "fine", "coarse"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"fold {name}={value!r} must be a positive integer")
