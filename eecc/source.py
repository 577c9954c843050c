"""Checks on IR text before xDSL parses it: things that would hang or exhaust the parser.

    check_source(text, "model.mlir")   # raises EeccError naming the line and column

- An unterminated string literal: xDSL 0.74's lexer matches strings with the regex
  `"(?:[^"\\\\\\n\\v\\f]+|\\\\(?:...))*"`, whose nested quantifier backtracks exponentially
  in the length of the line when the closing quote is missing (eecc-opt hung for minutes
  on a 40-character line). eecc finds such a string in linear time and refuses it.
- A tensor type with more elements than eecc supports (a `dense<0.0>` splat of
  100000x100000 is three lines of text but 40 GB once parsed).
"""

from __future__ import annotations

import re

from eecc.errors import EeccError

MAX_TENSOR_ELEMENTS = 1 << 24
_TENSOR = re.compile(r"tensor<((?:\d+x)+)")


def check_source(text: str, name: str, first_line: int = 1) -> None:
    """Refuse IR text that xDSL's parser would hang on or blow up with."""
    for number, line in enumerate(text.splitlines(), start=first_line):
        column = unterminated_string(line)
        if column is not None:
            raise EeccError(f"{name}:{number}:{column}: unterminated string literal "
                            "(a '\"' with no closing '\"' on the same line)")
        _check_tensors(line, name, number)


def unterminated_string(line: str) -> int | None:
    """The 1-based column of a string literal that the line does not close, else None."""
    i, n = 0, len(line)
    while i < n:
        char = line[i]
        if char == "/" and line.startswith("//", i):
            return None
        if char != '"':
            i += 1
            continue
        start, i = i, i + 1
        while i < n and line[i] != '"':
            i += 2 if line[i] == "\\" else 1
        if i >= n:
            return start + 1
        i += 1
    return None


def _check_tensors(line: str, name: str, number: int) -> None:
    for match in _TENSOR.finditer(line):
        dims = [int(d) for d in match.group(1).split("x") if d]
        count = 1
        for d in dims:
            count *= d
        if count > MAX_TENSOR_ELEMENTS:
            shape = "x".join(map(str, dims))
            raise EeccError(f"{name}:{number}:{match.start() + 1}: tensor<{shape}x...> has "
                            f"{count} elements; eecc supports tensors of at most "
                            f"{MAX_TENSOR_ELEMENTS} (2^24)")


def out_of_range(name: str, err: OverflowError) -> str:
    """The message for a literal xDSL cannot store in its type (it raises OverflowError)."""
    return f"{name}: a number does not fit its type ({err}); e.g. 1.0e+39 in an f32 tensor"
