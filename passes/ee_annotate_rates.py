"""Annotate every op and stage with the probability that a sample reaches it.

A stage behind the i-th drop-on-exit condbuffer only sees the samples that did not take the
first i exits, so it can be built smaller for the same network throughput (HAPI's execution
rates, ATHEENA's p). This pass writes that probability as `rate` on every hardware op and
every `ee.stage`: 1 for stage 0 (the shared prefix, the first exit and the merge, which
every sample leaves through) and p_i for the ops of stage i. The stages are found as
`--ee-partition` draws them, so the pass works on partitioned and unpartitioned IR.

Input:

    %k = ee.condbuffer %b, %d {mode = "drop-on-exit"} : !ee.stream<5x16x16xf32>
    %t = ee.conv %k weight @conv2.w ... : !ee.stream<5x16x16xf32> -> !ee.stream<10x20x20xf32>

Output (`p=0.25`):

    %k = ee.condbuffer %b, %d {mode = "drop-on-exit", rate = 1.000000e+00 : f64} : ...
    %t = ee.conv %k weight @conv2.w {..., rate = 2.500000e-01 : f64} : ...

Options:
- `profile`: path of a profile JSON written by `eecc profile`; its `reach` list
  (p_0 = 1, p_1, ...) gives the rates, and its `exits` must equal the network's exits;
- `p`: the reach of each stage after the first, e.g. `p=0.25` (two exits) or `p=0.5,0.2`
  (three exits), each in [0, 1] and not increasing.

Give exactly one of `profile` and `p`; a network without exits needs neither (all rates 1).
Limits: rates are per stage (from the profile at the model's own thresholds); a profile's
threshold sweep is not read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from xdsl import passes
from xdsl.context import Context
from xdsl.dialects.builtin import FloatAttr, ModuleOp, f64

from eecc.dialects.ee.structure import GraphOp, StageOp
from eecc.errors import EeccError
from eecc.network import NetworkStructure

PASS = "ee-annotate-rates"


@dataclass(frozen=True)
class EeAnnotateRatesPass(passes.ModulePass):
    """Annotate every op and stage with the probability that a sample reaches it."""

    name = "ee-annotate-rates"

    profile: str | None = None
    p: tuple[float, ...] = ()

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for graph in [g for g in op.ops if isinstance(g, GraphOp)]:
            structure = NetworkStructure(graph)
            annotate(structure, self.reach(structure.num_stages, structure.exits))

    def reach(self, stages: int, exits: int) -> list[float]:
        """p_0 = 1, p_1, ... for `stages` stages, from the profile or the `p` option."""
        if self.profile is not None and self.p:
            raise EeccError(f"'{PASS}' takes profile or p, not both")
        if self.profile is not None:
            return check_reach(read_profile(Path(self.profile), exits), stages, "profile")
        if not self.p and stages > 1:
            raise EeccError(
                f"'{PASS}' needs the rates of {stages - 1} stage(s) after the first: "
                "give p=... (e.g. p=0.25) or profile=PATH"
            )
        return check_reach([1.0, *self.p], stages, "p")


def read_profile(path: Path, exits: int) -> list[float]:
    try:
        data = json.loads(path.read_text())
    except OSError as err:
        raise EeccError(f"'{PASS}' cannot read profile {path}: {err.strerror}") from None
    except json.JSONDecodeError as err:
        raise EeccError(f"'{PASS}' profile {path} is not valid JSON (line {err.lineno}: {err.msg})") from None
    if not isinstance(data, dict) or not isinstance(data.get("reach"), list):
        raise EeccError(f"'{PASS}' profile {path} has no 'reach' list; write it with 'eecc profile'")
    if data.get("exits") != exits:
        raise EeccError(
            f"'{PASS}' profile {path} has {data.get('exits')} exits, the network has {exits}"
        )
    reach = data["reach"]
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in reach):
        raise EeccError(f"'{PASS}' profile {path} 'reach' must be a list of numbers")
    return [float(v) for v in reach]


def check_reach(reach: list[float], stages: int, source: str) -> list[float]:
    if len(reach) != stages:
        raise EeccError(
            f"'{PASS}' {source} gives {len(reach) - 1} rate(s) after the first stage, "
            f"the network has {stages - 1}"
        )
    for value in reach:
        if not 0.0 <= value <= 1.0:
            raise EeccError(f"'{PASS}' rate {value} is outside [0, 1]")
    if reach[0] != 1.0:
        raise EeccError(f"'{PASS}' {source} reach of stage 0 is {reach[0]}, expected 1")
    for before, after in zip(reach, reach[1:], strict=False):
        if after > before:
            raise EeccError(
                f"'{PASS}' rate {after} exceeds the rate {before} of the stage before it; "
                "a later stage cannot see more samples"
            )
    return reach


def annotate(structure: NetworkStructure, reach: list[float]) -> None:
    for op in structure.ops:
        op.properties["rate"] = FloatAttr(reach[structure.stage(op)], f64)  # type: ignore[attr-defined]
    for stage in structure.graph.body.block.ops:
        if isinstance(stage, StageOp):
            stage.properties["rate"] = FloatAttr(reach[stage.index.value.data], f64)
