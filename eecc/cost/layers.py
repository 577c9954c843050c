"""Layer-level cost functions of the default model, one family per ``ee`` op.

For each op kind: ``<op>_legal_folds(...)`` (dict of factor name -> legal values),
``<op>_latency(...)`` (cycles per feature map), ``<op>_pipeline_depth(...)`` (cycles
before the first output) and ``<op>_resources(...)`` (a ``Resources``).
"""

from eecc.cost.conv import (
    bias_resources,
    conv_latency,
    conv_legal_folds,
    conv_output_size,
    conv_pipeline_depth,
    conv_resources,
    lane_pair_work,
    useful_lane_pairs,
)
from eecc.cost.exits import (
    carry_resources,
    condbuffer_latency,
    condbuffer_legal_folds,
    condbuffer_pipeline_depth,
    condbuffer_resources,
    exit_decision_latency,
    exit_decision_legal_folds,
    exit_decision_pipeline_depth,
    exit_decision_resources,
    exit_merge_latency,
    exit_merge_legal_folds,
    exit_merge_pipeline_depth,
    exit_merge_resources,
    final_carry_resources,
)
from eecc.cost.fold import Fold, divisors, fine_options
from eecc.cost.linear import (
    linear_latency,
    linear_legal_folds,
    linear_pipeline_depth,
    linear_resources,
)
from eecc.cost.pool import (
    global_pool_latency,
    global_pool_legal_folds,
    global_pool_pipeline_depth,
    global_pool_resources,
    pool_latency,
    pool_legal_folds,
    pool_pipeline_depth,
    pool_resources,
)
from eecc.cost.stream import (
    add_latency,
    add_legal_folds,
    add_pipeline_depth,
    add_resources,
    relu_latency,
    relu_legal_folds,
    relu_pipeline_depth,
    relu_resources,
    split_latency,
    split_legal_folds,
    split_pipeline_depth,
    split_resources,
)

__all__ = [
    "Fold", "carry_resources", "final_carry_resources", "add_latency", "add_legal_folds", "add_pipeline_depth", "add_resources",
    "bias_resources", "condbuffer_latency", "condbuffer_legal_folds",
    "condbuffer_pipeline_depth", "condbuffer_resources", "conv_latency", "conv_legal_folds",
    "conv_output_size", "conv_pipeline_depth", "conv_resources", "divisors",
    "exit_decision_latency", "exit_decision_legal_folds", "exit_decision_pipeline_depth",
    "exit_decision_resources", "exit_merge_latency", "exit_merge_legal_folds",
    "exit_merge_pipeline_depth", "exit_merge_resources", "fine_options",
    "global_pool_latency", "global_pool_legal_folds", "global_pool_pipeline_depth",
    "global_pool_resources", "lane_pair_work", "linear_latency", "linear_legal_folds",
    "linear_pipeline_depth", "linear_resources", "pool_latency", "pool_legal_folds",
    "pool_pipeline_depth", "pool_resources", "relu_latency", "relu_legal_folds",
    "relu_pipeline_depth", "relu_resources", "split_latency", "split_legal_folds",
    "split_pipeline_depth", "split_resources", "useful_lane_pairs",
]
