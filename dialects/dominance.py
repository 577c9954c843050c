"""Values are defined before they are used: a check xDSL's verifier leaves to dialects.

A graph's ops run in textual order and branch regions (`onnx.if`) see the values defined
before the op that holds them, never that op's own results. `check_defined_before_use`
walks a block once and names the first op that reads a value not yet defined.
"""

from __future__ import annotations

from xdsl.ir import Block, SSAValue
from xdsl.utils.exceptions import VerifyException


def check_defined_before_use(block: Block, visible: frozenset[SSAValue] = frozenset()) -> None:
    seen = set(visible) | set(block.args)
    for op in block.ops:
        for value in op.operands:
            if value not in seen:
                raise VerifyException(f"'{op.name}' reads a value that is not defined before it "
                                      "(its own result, or one defined later)")
        for region in op.regions:
            for inner in region.blocks:
                check_defined_before_use(inner, frozenset(seen))
        seen.update(op.results)
