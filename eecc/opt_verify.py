"""MLIR's `--verify-diagnostics` contract for eecc-opt: a chunk that holds
`// expected-error {{text}}` must fail with a diagnostic containing each text."""

from __future__ import annotations

import dataclasses
import re
from io import BytesIO
from typing import IO

from xdsl.utils.exceptions import DiagnosticException, ParseError
from xdsl.xdsl_opt_main import xDSLOptMain

from eecc.errors import EeccError

EXPECTED_ERROR = re.compile(r"//\s*expected-error\s*\{\{(.*?)\}\}")


class VerifyingOptMain(xDSLOptMain):
    """`xDSLOptMain` whose `run` checks expected-error annotations."""

    def run(self) -> None:
        """xDSL's run; with `--verify-diagnostics`, chunks that hold `// expected-error {{...}}`
        must fail with each expected text, or eecc-opt exits 1 (MLIR's contract)."""
        if not self.args.verify_diagnostics:
            return super().run()
        chunks, extension = self.prepare_input()
        output = self.prepare_output()
        missed = [miss for i, (chunk, offset) in enumerate(chunks)
                  for miss in self._verify_chunk(i, chunk, offset, extension, output)]
        if missed:
            raise EeccError(f"--verify-diagnostics: {missed[0]}"
                            + (f" (and {len(missed) - 1} more)" if len(missed) > 1 else ""))
        return None

    def _verify_chunk(self, index: int, chunk: IO[bytes], offset: int, extension: str,
                      output: IO[str]) -> list[str]:
        data = chunk.read()
        chunk.close()
        expected = EXPECTED_ERROR.findall(data.decode("utf-8", errors="replace"))
        if index > 0:
            output.write("// -----\n")
        message = self._diagnostic(BytesIO(data), extension, offset, output)
        if message is not None:
            print(message)
        where = f"chunk {index + 1} (line {offset + 1})"
        if expected and message is None:
            return [f"{where}: expected error '{expected[0]}' but the chunk passed"]
        got = message.strip().splitlines()[0] if message and message.strip() else ""
        return [f"{where}: expected error '{text}' not in '{got}'"
                for text in expected if message is not None and text not in message]

    def _diagnostic(self, chunk: IO[bytes], extension: str, offset: int,
                    output: IO[str]) -> str | None:
        try:
            module = self.parse_chunk(chunk, extension, offset)
            if module is not None:
                self.apply_passes(module)
                output.write(self.output_resulting_program(module))
        except ParseError as err:
            err.span = dataclasses.replace(err.span, line_offset=offset)
            if not self.args.parsing_diagnostics:
                raise
            return str(err)
        except DiagnosticException as err:
            return "\n".join([str(err), *getattr(err, "__notes__", [])])
        return None
