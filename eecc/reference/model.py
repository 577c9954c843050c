"""Loading a network for the interpreter: `ee` IR, `onnx` IR, or an ONNX file.

`.mlir` holds `ee` IR (or `onnx` IR, converted with `convert-onnx-to-ee`); `.onnx` is
imported and converted in process. Every failure is one `EeccError` line.
"""

from __future__ import annotations

from pathlib import Path

from xdsl.context import Context
from xdsl.dialects.builtin import Builtin, ModuleOp
from xdsl.dialects.func import Func
from xdsl.parser import Parser
from xdsl.utils.exceptions import DiagnosticException, ParseError, VerifyException

from eecc import registry
from eecc.dialects.ee import GraphOp
from eecc.errors import EeccError
from eecc.source import check_source, out_of_range

CONVERT = "convert-onnx-to-ee"


def context() -> Context:
    """A context with builtin, func and eecc's dialects."""
    ctx = Context()
    ctx.load_dialect(Builtin)
    ctx.load_dialect(Func)
    for name, factory in registry.dialect_factories().items():
        ctx.register_dialect(name, factory)
    return ctx


def load_model(path: str | Path) -> ModuleOp:
    """The `ee` module of the network in `path` (.mlir or .onnx), verified."""
    path = Path(path)
    if not path.is_file():
        raise EeccError(f"{path}: no such file")
    ctx = context()
    if path.suffix == ".onnx":
        module = _import_onnx(ctx, path)
    elif path.suffix == ".mlir":
        module = _parse(ctx, path)
    else:
        raise EeccError(f"{path}: expected an .onnx or .mlir model")
    if not _has_graph(module):
        module = _convert(ctx, module, path)
    _verify(module, path)
    return module


def _parse(ctx: Context, path: Path) -> ModuleOp:
    text = _read(path)
    check_source(text, str(path))
    try:
        return Parser(ctx, text, str(path)).parse_module()
    except (ParseError, VerifyException) as err:
        raise EeccError(f"{path}: not valid ee/onnx IR: {_first_line(err)}") from None
    except OverflowError as err:
        raise EeccError(out_of_range(str(path), err)) from None


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise EeccError(f"{path}: not UTF-8 text (byte {err.start}); expected MLIR text") from None


def _import_onnx(ctx: Context, path: Path) -> ModuleOp:
    try:
        from eecc.onnx_import import import_model
    except ImportError:
        raise EeccError(f"{path}: the ONNX importer is not available") from None
    return import_model(path)


def _has_graph(module: ModuleOp) -> bool:
    return any(isinstance(op, GraphOp) for op in module.ops)


def _convert(ctx: Context, module: ModuleOp, path: Path) -> ModuleOp:
    if not any(op.name.startswith("onnx.") for op in module.walk()):
        raise EeccError(f"{path}: not an ee or onnx model (no 'ee.graph' and no onnx ops)")
    try:
        convert = registry.load_pass(CONVERT)
    except (ImportError, LookupError):
        raise EeccError(f"{path}: the '{CONVERT}' pass is not available") from None
    try:
        convert().apply(ctx, module)
    except DiagnosticException as err:
        raise EeccError(f"{path}: {_first_line(err)}") from None
    if not _has_graph(module):
        raise EeccError(f"{path}: '{CONVERT}' produced no 'ee.graph'")
    return module


def _first_line(err: Exception) -> str:
    lines = [line for line in str(err).strip().splitlines() if line.strip()]
    return lines[0] if lines else type(err).__name__


def _verify(module: ModuleOp, path: Path) -> None:
    try:
        module.verify()
    except VerifyException as err:
        raise EeccError(f"{path}: {_first_line(err)}") from None
