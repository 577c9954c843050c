"""`eecc-opt`: run eecc passes over `ee`/`onnx` IR, MLIR style.

    eecc-opt --ee-partition --fold model.mlir
    eecc-opt --fold=budget=0.5 model.mlir
    eecc-opt --fold="budget=0.5 platform=zc706" model.mlir
    eecc-opt -p ee-partition,fold{budget=0.5} model.mlir -t report
    eecc-opt --pass-pipeline='builtin.module(ee-partition,fold)' - -o -

Each `--<pass>[=<options>]` flag (and `-p`, `--pass-pipeline`) is turned into one `-p`
pipeline, in command-line order. `-` reads stdin, `-o -` writes stdout. A float option
takes `1`, `-0.5` and `1e-3` as well as `1.0`. User errors (bad IR, a verifier diagnostic,
a pass's error, an unwritable `-o`) print one line and exit 1; anything else is an
internal error (exit 70).
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import sys
from collections.abc import Callable, Sequence
from io import BytesIO, StringIO
from pathlib import Path
from typing import IO, NoReturn

from xdsl.dialects.builtin import Builtin, ModuleOp
from xdsl.dialects.func import Func
from xdsl.passes import ModulePass, PassPipeline
from xdsl.printer import Printer
from xdsl.utils.arg_spec import ArgSpec, parse_pipeline
from xdsl.utils.exceptions import ArgSpecParseError, ParseError

from eecc import __version__, registry
from eecc.errors import EeccError, internal_error, user_message
from eecc.opt_args import coerce_floats, quote_options, rewrite_pass_flags
from eecc.opt_verify import VerifyingOptMain
from eecc.paths import STDIO, check_output_file
from eecc.source import check_source, out_of_range

__all__ = ["EeccOptMain", "main", "quote_options", "rewrite_pass_flags"]


class _Buffer(StringIO):
    """Collects the output; xDSL closes its output stream, the text must survive that."""

    def close(self) -> None:
        pass


class EeccOptMain(VerifyingOptMain):
    """xDSL's optimiser driver with eecc's dialects, passes and targets."""

    version_format = f"eecc-opt {__version__} (xdsl {{xdsl_version}})"

    def register_all_dialects(self) -> None:
        self.ctx.load_dialect(Builtin)
        self.ctx.load_dialect(Func)
        for name, factory in registry.dialect_factories().items():
            self.ctx.register_dialect(name, factory)

    def register_all_passes(self) -> None:
        for flag, factory in registry.pass_factories().items():
            self.register_pass(flag, factory)

    def register_all_targets(self) -> None:
        self.available_targets["mlir"] = _mlir_target
        for name in registry.available_targets():
            self.available_targets[name] = _target_factory(name)

    def register_all_arguments(self, arg_parser: argparse.ArgumentParser) -> None:
        super().register_all_arguments(arg_parser)
        arg_parser.allow_abbrev = False
        arg_parser.prog = "eecc-opt"
        arg_parser.formatter_class = argparse.RawDescriptionHelpFormatter
        if "-h" in sys.argv or "--help" in sys.argv:
            arg_parser.epilog = _pass_help(self.available_passes)
        arg_parser.add_argument("--print-ir-after-all", action="store_true",
                                help="print the IR after each pass (to stderr)")
        for action in arg_parser._actions:
            if "--target" in action.option_strings:
                action.help = f"output target: {', '.join(self.available_targets)} (mlir)"
            if "--passes" in action.option_strings:
                action.help = "pass pipeline, e.g. 'ee-partition,fold{budget=0.5}' " \
                    "(also --pass-pipeline, or one --<pass> flag per pass)"
        known = [s for a in arg_parser._actions for s in a.option_strings]
        passes = list(self.available_passes)
        arg_parser.error = lambda message: _argument_error(message, known, passes)  # type: ignore[method-assign]

    def setup_pipeline(self) -> None:
        try:
            specs = list(parse_pipeline(self.args.passes))
        except ArgSpecParseError as err:
            raise EeccError(f"pass pipeline '{self.args.passes}': {err}") from None
        passes = [self._instantiate(spec) for spec in specs]
        self.pipeline = PassPipeline(tuple(passes), self._between)

    def _instantiate(self, spec: ArgSpec) -> ModulePass:
        if spec.name not in self.available_passes:
            close = difflib.get_close_matches(spec.name, list(self.available_passes), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else "; see 'eecc-opt --help'"
            raise EeccError(f"unknown pass '{spec.name}'{hint}")
        cls = self.available_passes[spec.name]()
        try:
            return cls.from_pass_spec(coerce_floats(spec, cls))
        except (ValueError, TypeError) as err:
            raise EeccError(f"pass '{spec.name}' options: {err}") from None

    def _between(self, done: ModulePass | None, module: ModuleOp,
                 following: ModulePass | None) -> None:
        if not self.args.disable_verify:
            module.verify()
        if done is None:
            return
        if self.args.print_ir_after_all or (following and self.args.print_between_passes):
            print(f"// -----// IR after {done.name} //----- //", file=sys.stderr)
            Printer(stream=sys.stderr).print_op(module)
            print(file=sys.stderr)

    def get_input_stream(self) -> tuple[IO[bytes], str]:
        if self.args.input_file in (None, STDIO):
            return sys.stdin.buffer, "mlir"
        return super().get_input_stream()

    def get_input_name(self) -> str:
        return "<stdin>" if self.args.input_file in (None, STDIO) else self.args.input_file

    def prepare_input(self) -> tuple[list[tuple[IO[bytes], int]], str]:
        name = self.args.input_file
        if name not in (None, STDIO):
            if not Path(name).is_file():
                raise EeccError(f"{name}: no such file")
            ext = Path(name).suffix.lstrip(".")
            if (self.args.frontend or ext) not in self.available_frontends:
                raise EeccError(f"{name}: unknown file extension '.{ext}' (expected .mlir)")
        return super().prepare_input()

    def parse_chunk(self, chunk: IO[bytes], file_extension: str,
                    start_offset: int = 0) -> ModuleOp | None:
        data = chunk.read()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as err:
            raise EeccError(f"{self.get_input_name()}: not UTF-8 text (byte {err.start})") from None
        check_source(text, self.get_input_name(), start_offset + 1)
        try:
            return super().parse_chunk(BytesIO(data), file_extension, start_offset)
        except OverflowError as err:
            raise EeccError(out_of_range(self.get_input_name(), err)) from None

    def prepare_output(self) -> IO[str]:
        self._buffer = _Buffer()  # written to -o FILE only when everything succeeded
        return self._buffer if self.writes_file() else sys.stdout

    def writes_file(self) -> bool:
        return self.args.output_file not in (None, STDIO)

    def check_output(self) -> None:
        if self.writes_file():
            check_output_file(self.args.output_file)


def _mlir_target() -> type:
    from xdsl.targets.mlir import MLIRTarget

    return MLIRTarget


def _target_factory(name: str) -> Callable[[], type]:
    return lambda: registry.load_target(name)


def _pass_help(passes: dict[str, Callable[[], type[ModulePass]]]) -> str:
    lines = ["passes (each also works as -p NAME{opt=value ...}):"]
    for flag in passes:
        lines.append(f"  --{flag:<22} {registry.pass_summary(flag)}")
        options = pass_options(registry.load_pass(flag))
        if options:
            lines.append(f"  {'':<24} options: {options}")
    return "\n".join(lines)


def pass_options(cls: type[ModulePass]) -> str:
    """`budget=1.0 platform=zc706 ...`: a pass's options with their defaults."""
    shown = []
    for field in dataclasses.fields(cls):
        default = field.default
        if default is dataclasses.MISSING:
            default = field.default_factory() if field.default_factory is not dataclasses.MISSING \
                else "(required)"
        if isinstance(default, tuple):
            default = ",".join(map(str, default))
        shown.append(f"{field.name.replace('_', '-')}={'' if default is None else default}")
    return " ".join(shown)


def _argument_error(message: str, known: list[str], passes: list[str]) -> NoReturn:
    hints = []
    for word in message.replace(",", " ").split():
        if word.startswith("--"):
            name = word.split("=")[0]
            candidates = [k for k in known if k.startswith("--")] + [f"--{p}" for p in passes]
            close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.5)
            if close:
                hints.append(f"did you mean '{close[0]}'?")
            else:
                hints.append(f"'{name}' is neither a pass nor an option; see 'eecc-opt --help'")
    _fail(message + ("; " + " ".join(hints) if hints else ""), code=2)


def _fail(message: str, code: int = 1) -> NoReturn:
    print(f"eecc-opt: error: {message}", file=sys.stderr)
    sys.exit(code)


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        tool = _run(args)
        if tool.writes_file():
            with open(tool.args.output_file, "w") as out:
                out.write(tool._buffer.getvalue())
    except KeyboardInterrupt:
        _fail("interrupted", code=130)
    except ParseError as err:  # the message shows the line and a caret under the column
        _fail(str(err).strip())
    except ArgSpecParseError as err:
        _fail(f"pass pipeline: {err}")
    except Exception as err:
        message = user_message(err)
        if message is None:  # a bug in eecc: say so, keep the traceback for developers
            internal_error("eecc-opt", err)
        _fail(message)


def _run(args: list[str]) -> EeccOptMain:
    args = rewrite_pass_flags(args, registry.pass_names())
    tool = EeccOptMain(description="eecc's MLIR-style optimiser for early-exit networks",
                       args=args)
    tool.check_output()
    tool.run()
    return tool


if __name__ == "__main__":
    main()
