"""The `ee` dialect: early-exit CNNs as dataflow graphs of per-sample actors.

Types: `!ee.stream<CxHxWxT>` (one feature map per sample), `!ee.ctrl` (one exit token per
sample), `!ee.fixed<W, I>`. Attributes: `#ee.fold<...>`, `#ee.cost<...>`. Ops: layers
(`ee.conv`, `ee.pool`, `ee.global_pool`, `ee.relu`, `ee.softmax`, `ee.add`, `ee.flatten`,
`ee.linear`, `ee.cast`), control (`ee.split`, `ee.exit_decision`, `ee.condbuffer`, `ee.exit_merge`,
`ee.repack`),
structure (`ee.graph`, `ee.output`, `ee.stage`, `ee.yield`, `ee.weight`).
"""

from xdsl.ir import Dialect

from eecc.dialects.ee.attrs import CostAttr, FoldAttr
from eecc.dialects.ee.base import EEOp, FoldRule
from eecc.dialects.ee.control import (
    CondBufferOp,
    ExitDecisionOp,
    ExitMergeOp,
    RepackOp,
    SplitOp,
)
from eecc.dialects.ee.layers import (
    AddOp,
    CastOp,
    ConvOp,
    FlattenOp,
    GlobalPoolOp,
    LinearOp,
    PoolOp,
    ReluOp,
    SoftmaxOp,
)
from eecc.dialects.ee.structure import GraphOp, OutputOp, StageOp, YieldOp
from eecc.dialects.ee.types import ControlType, FixedType, StreamType
from eecc.dialects.ee.weights import WeightOp, lookup_weight

EE = Dialect(
    "ee",
    [
        GraphOp, OutputOp, StageOp, YieldOp, WeightOp,
        ConvOp, PoolOp, GlobalPoolOp, ReluOp, SoftmaxOp, AddOp, FlattenOp, LinearOp, CastOp,
        SplitOp, ExitDecisionOp, CondBufferOp, ExitMergeOp, RepackOp,
    ],
    [StreamType, ControlType, FixedType, FoldAttr, CostAttr],
)

__all__ = [
    "EE", "EEOp", "FoldRule", "CostAttr", "FoldAttr", "StreamType", "ControlType", "FixedType",
    "GraphOp", "OutputOp", "StageOp", "YieldOp", "WeightOp", "lookup_weight",
    "ConvOp", "PoolOp", "GlobalPoolOp", "ReluOp", "SoftmaxOp", "AddOp", "FlattenOp", "LinearOp",
    "CastOp",
    "SplitOp", "ExitDecisionOp", "CondBufferOp", "ExitMergeOp", "RepackOp",
]
