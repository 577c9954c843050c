"""Property-based tests (hypothesis): mutated verified `ee` IR and random early-exit networks
through every pass and target. No mutant may crash (exit 0 or a one-line user error, never
an internal error or a traceback) and every random valid network compiles."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eecc.opt import main

BLENET = (Path(__file__).resolve().parents[2] / "examples" / "blenet" / "blenet.mlir").read_text()
LINES = BLENET.splitlines()
NUMBERS = [m.span() for m in re.finditer(r"(?<![%@\w.])\d+(?![\w.])", BLENET)]
PIPELINE = ["--ee-partition", "--ee-annotate-rates=p=0.25", "--ee-size-buffers", "--fold",
            "--ee-estimate", "--ee-legalize-hls"]
TARGETS = ["hls", "vivado-tcl", "report", "report-json", "mlir"]
def _settings(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def eecc_opt(tmp_path: Path, text: str, target: str, capsys) -> tuple[int, str]:
    """Run the whole pipeline into `-o`; a failure must leave no output file."""
    path, out = tmp_path / "m.mlir", tmp_path / "out.txt"
    path.write_text(text)
    try:
        main([str(path), *PIPELINE, "-t", target, "-o", str(out)])
        code = 0
    except SystemExit as done:
        code = int(done.code or 0)
    assert out.exists() == (code == 0)
    return code, capsys.readouterr().err


@st.composite
def mutants(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["number", "delete", "duplicate", "swap", "word"]))
    body = range(14, len(LINES) - 3)
    if kind == "number":
        a, b = draw(st.sampled_from(NUMBERS))
        value = draw(st.sampled_from([0, 1, 2, 3, 4, 7, 9, 64, 1000, 2**31, 2**40]))
        return BLENET[:a] + str(value) + BLENET[b:]
    lines = LINES[:]
    i, j = draw(st.sampled_from(body)), draw(st.sampled_from(body))
    if kind == "delete":
        del lines[i]
    elif kind == "duplicate":
        lines.insert(i, lines[i])
    elif kind == "swap":
        lines[i], lines[j] = lines[j], lines[i]
    else:
        old, new = draw(st.sampled_from([("pass-on-exit", "drop-on-exit"), ('"max"', '"avg"'),
                                         ("ee.relu", "ee.flatten"), ("9.960000e-01", "1.0e-300"),
                                         ("%13, %22", "%22, %13"), ("%4, %12", "%3, %12")]))
        return BLENET.replace(old, new, 1)
    return "\n".join(lines)


@_settings(40)
@given(text=mutants(), target=st.sampled_from(TARGETS))
def test_no_mutant_of_verified_ir_crashes(tmp_path_factory, capsys, text: str, target: str) -> None:
    code, err = eecc_opt(tmp_path_factory.mktemp("m"), text, target, capsys)
    assert code in (0, 1), err
    assert "internal error" not in err and "Traceback" not in err
    if code == 1:
        assert err.startswith("eecc-opt: error: ") or "error" in err.splitlines()[0].lower()


def _network(c0: int, size: int, k: int, c1: int, c2: int, thr: float) -> str:
    """A two-exit network: conv-relu trunk, a linear exit head, a conv-relu-linear rest."""
    pad = k // 2
    flat1, flat2 = c1 * size * size, c2 * size * size
    s0, s1, s2 = (f"!ee.stream<{c}x{size}x{size}xf32>" for c in (c0, c1, c2))
    v = "!ee.stream<10xf32>"
    window = f"kernel = array<i64: {k}, {k}>, pads = array<i64: {pad}, {pad}, {pad}, {pad}>, " \
             "strides = array<i64: 1, 1>"
    return f"""builtin.module {{
  ee.weight @c1.w = dense<1.000000e-02> : tensor<{c1}x{c0}x{k}x{k}xf32>
  ee.weight @h.w = dense<1.000000e-02> : tensor<10x{flat1}xf32>
  ee.weight @c2.w = dense<1.000000e-02> : tensor<{c2}x{c1}x{k}x{k}xf32>
  ee.weight @f.w = dense<1.000000e-02> : tensor<10x{flat2}xf32>
  ee.graph @net(%x: {s0}) -> {v} {{
    %0 = ee.conv %x weight @c1.w {{{window}}} : {s0} -> {s1}
    %1 = ee.relu %0 : {s1}
    %2, %3 = ee.split %1 : {s1} -> {s1}, {s1}
    %4 = ee.flatten %2 : {s1} -> !ee.stream<{flat1}xf32>
    %5 = ee.linear %4 weight @h.w : !ee.stream<{flat1}xf32> -> {v}
    %6, %7 = ee.split %5 : {v} -> {v}, {v}
    %8 = ee.exit_decision %6 {{threshold = {thr!r} : f64}} : {v}
    %9 = ee.condbuffer %7, %8 {{mode = "pass-on-exit"}} : {v}
    %10 = ee.condbuffer %3, %8 {{mode = "drop-on-exit"}} : {s1}
    %11 = ee.conv %10 weight @c2.w {{{window}}} : {s1} -> {s2}
    %12 = ee.relu %11 : {s2}
    %13 = ee.flatten %12 : {s2} -> !ee.stream<{flat2}xf32>
    %14 = ee.linear %13 weight @f.w : !ee.stream<{flat2}xf32> -> {v}
    %15 = ee.exit_merge %9, %14 : {v}, {v} -> {v}
    ee.output %15 : {v}
  }}
}}
"""


@_settings(20)
@given(c0=st.integers(1, 3), size=st.sampled_from([4, 6, 8]), k=st.sampled_from([1, 3]),
       c1=st.integers(1, 6), c2=st.integers(1, 6), thr=st.floats(0.05, 1.0),
       target=st.sampled_from(TARGETS))
def test_random_early_exit_networks_compile(tmp_path_factory, capsys, c0: int, size: int, k: int,
                                            c1: int, c2: int, thr: float, target: str) -> None:
    text = _network(c0, size, k, c1, c2, thr)
    code, err = eecc_opt(tmp_path_factory.mktemp("n"), text, target, capsys)
    assert code == 0, err


@pytest.mark.parametrize("target", TARGETS)
def test_the_generated_network_is_valid(tmp_path, capsys, target: str) -> None:
    assert eecc_opt(tmp_path, _network(2, 6, 3, 4, 3, 0.9), target, capsys)[0] == 0
