"""Every `ee` op and attribute documents itself: summary, token semantics, an IR example."""

from __future__ import annotations

import pytest

from eecc.dialects.ee import EE

OPS = list(EE.operations)
ATTRS = list(EE.attributes)


@pytest.mark.parametrize("op", OPS, ids=lambda op: op.name)
def test_every_op_has_summary_token_semantics_and_example(op: type) -> None:
    doc = op.__doc__ or ""
    summary = doc.strip().splitlines()[0] if doc.strip() else ""
    assert summary.endswith("."), f"{op.name}: one-line summary"
    if op.name != "ee.weight":  # a constant, not an actor
        assert "Per sample" in doc, f"{op.name}: what it consumes and produces per sample"
    assert "```mlir" in doc and op.name in doc.split("```mlir", 1)[1], f"{op.name}: IR example"


@pytest.mark.parametrize("attr", ATTRS, ids=lambda a: a.name)
def test_every_attribute_has_summary_and_example(attr: type) -> None:
    doc = attr.__doc__ or ""
    assert doc.strip(), f"{attr.name}: docstring"
    assert "```mlir" in doc and attr.name.split(".")[1] in doc.split("```mlir", 1)[1]
