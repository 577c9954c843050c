"""`eecc import`: every shipped example (both export forms) imports, verifies, keeps node
names as locations, types the If branches, re-parses and prints deterministically."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from xdsl.context import Context
from xdsl.dialects.builtin import Builtin, NameLoc
from xdsl.parser import Parser
from xdsl.printer import Printer

from eecc.cli import main
from eecc.dialects.onnx import ONNX, IfOp, NodeOp
from eecc.onnx_import import import_model

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CASES = [(net, form) for net in ("blenet", "blenet3", "smallcnn", "balexnet", "bresnet")
         for form in ("onnx", "dynamo.onnx")]
IFS = {"blenet": 1, "blenet3": 2, "smallcnn": 1, "balexnet": 1, "bresnet": 1}


def _text(module) -> str:
    out = StringIO()
    Printer(stream=out, print_debuginfo=True).print_op(module)
    return out.getvalue()


@pytest.mark.parametrize(("net", "form"), CASES)
def test_example_imports(net: str, form: str) -> None:
    module = import_model(EXAMPLES / net / f"{net}.{form}")
    ops = list(module.walk())
    assert sum(isinstance(op, IfOp) for op in ops) == IFS[net]
    nodes = [op for op in ops if isinstance(op, NodeOp)]
    assert all(isinstance(op.location, NameLoc) for op in nodes)
    assert {op.op_type.data for op in nodes} >= {"Conv", "Relu", "Softmax", "ReduceMax", "Greater"}


@pytest.mark.parametrize(("net", "form"), CASES[:4])
def test_round_trip_and_determinism(net: str, form: str) -> None:
    path = EXAMPLES / net / f"{net}.{form}"
    first, second = _text(import_model(path)), _text(import_model(path))
    assert first == second
    ctx = Context()
    ctx.load_dialect(Builtin)
    ctx.load_dialect(ONNX)
    reparsed = Parser(ctx, first).parse_module()
    reparsed.verify()
    assert _text(reparsed) == first


def test_cli_writes_output(tmp_path: Path) -> None:
    out = tmp_path / "blenet.mlir"
    assert main(["import", str(EXAMPLES / "blenet" / "blenet.onnx"), "-o", str(out)]) == 0
    text = out.read_text()
    assert 'onnx.graph @blenet(' in text
    assert 'loc("/trunk/0/0/Conv")' in text
    assert "onnx.if" in text
