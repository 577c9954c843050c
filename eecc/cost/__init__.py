"""eecc's default cost model: the fpgaConvNet / ATHEENA model over plain parameters.

Platforms and resource vectors live in ``platform``, folding factors in ``fold``,
layer-level latency / depth / resources in ``layers``, stage throughput and the
combination of early-exit stages in ``throughput``. ``ops`` prices `ee` ops, registered
per op class (``pricing`` is the registry); it loads the dialect, so it is not imported
here. See docs/cost-model.md.
"""

from eecc.cost.fold import Fold, divisors
from eecc.cost.platform import Platform, PlatformError, Resources, known_platforms, load_platform
from eecc.cost.throughput import (
    DEFAULT_BATCH,
    combine_finite,
    combine_infinite,
    stage_interval,
    stage_latency_s,
    stage_throughput,
)

__all__ = [
    "DEFAULT_BATCH", "Fold", "Platform", "PlatformError", "Resources", "combine_finite",
    "combine_infinite", "divisors", "known_platforms", "load_platform", "stage_interval",
    "stage_latency_s", "stage_throughput",
]
