"""The HLS library under g++ C simulation, word for word against eecc.fixedpoint.

Two drivers are compiled once per session (in parallel): ``test/hls/layers_driver.cpp`` runs
one library layer per named case (configs and weight tables generated here into ``cases.h``),
``test/hls/pipeline_driver.cpp`` runs a small early-exit network end to end.  Streams travel
through text files in the format of ``test/hls/testio.h``.
"""

from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from eecc import fixedpoint as fp
from eecc.toolchain import ToolchainError, ap_types_include, compile_cpp

try:
    ap_types_include()
except ToolchainError as err:  # pragma: no cover - depends on the environment
    pytest.skip(f"C simulation needs the ap_types headers: {err}", allow_module_level=True)

HLS_DIR = Path(__file__).resolve().parents[1] / "hls"
END = (0xFFFF, 0, 1)
RNG = np.random.default_rng(2024)
INT16 = (-32768, 32768)

# ------------------------------------------------------------------------ C++ writing


def cpp_array(a: np.ndarray) -> str:
    """A nested brace initialiser of an integer array."""
    if a.ndim == 1:
        return "{" + ", ".join(str(int(v)) for v in a) + "}"
    return "{" + ", ".join(cpp_array(s) for s in a) + "}"


def cpp_table(name: str, a: np.ndarray, ctype: str = "short") -> str:
    dims = "".join(f"[{d}]" for d in a.shape)
    return f"static const {ctype} {name}{dims} = {cpp_array(a)};\n"


def cpp_config(name: str, base: str, fields: dict[str, object]) -> str:
    body = []
    for key, value in fields.items():
        if isinstance(value, bool):
            body.append(f"    static const bool {key} = {'true' if value else 'false'};")
        elif key == "mode":
            body.append(f"    static const eecc::condbuffer_mode mode = eecc::{value};")
        elif key == "threshold_q":
            body.append(f"    static const unsigned long long threshold_q = {value}ULL;")
        else:
            body.append(f"    static const unsigned {key} = {value};")
    return f"struct {name} : eecc::{base} {{\n" + "\n".join(body) + "\n};\n"


@dataclass
class CaseFile:
    """Collects the generated C++ (configs, tables) and the run_case dispatch."""

    decls: list[str] = field(default_factory=list)
    calls: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, call: str, *decls: str) -> None:
        self.decls.extend(decls)
        self.calls[name] = call

    def source(self) -> str:
        lines = ["#include <string>", "using namespace testio;", *self.decls]
        lines.append("bool run_case(const std::string &name) {")
        for name, call in self.calls.items():
            lines.append(f'    if (name == "{name}") {{ {call} return true; }}')
        lines += ["    return false;", "}"]
        return "\n".join(lines) + "\n"


# --------------------------------------------------------------------- stream coding


def lanes_of(fmap: np.ndarray, sid: int, lanes: int) -> list[list[tuple[int, int, int]]]:
    """A [C, H, W] fmap (or a vector) as words per lane, stream order H, W, C."""
    flat = fmap.transpose(1, 2, 0).reshape(-1) if fmap.ndim == 3 else fmap.reshape(-1)
    return [[(sid, int(v), 0) for v in flat[lane::lanes]] for lane in range(lanes)]


def batch(samples: list[tuple[int, np.ndarray]], lanes: int) -> list[list[tuple]]:
    """The words of a batch on each lane, each lane closed by its end token."""
    out: list[list[tuple]] = [[] for _ in range(lanes)]
    for sid, fmap in samples:
        for lane, words in enumerate(lanes_of(fmap, sid, lanes)):
            out[lane] += words
    return [words + [END] for words in out]


def word_lines(bank: int, lanes: list[list[tuple]]) -> list[str]:
    return [f"w {bank} {lane} {i} {d} {e}" for lane, ws in enumerate(lanes) for i, d, e in ws]


def ctrl_lines(bank: int, decisions: list[tuple[int, bool]]) -> list[str]:
    return [f"c {bank} {i} {int(x)} 0" for i, x in decisions] + [f"c {bank} 65535 0 1"]


@dataclass
class Dump:
    """The streams a driver left behind."""

    words: dict[tuple[int, int], list[tuple]]
    ctrl: dict[int, list[tuple]]
    axis: dict[tuple[int, int], list[tuple]]


def parse(text: str) -> Dump:
    dump = Dump({}, {}, {})
    for line in text.splitlines():
        kind, *v = line.split()
        n = [int(x) for x in v]
        if kind == "w":
            dump.words.setdefault((n[0], n[1]), []).append(tuple(n[2:]))
        elif kind == "c":
            dump.ctrl.setdefault(n[0], []).append((n[1], bool(n[2]), n[3]))
        else:
            dump.axis.setdefault((n[0], n[1]), []).append(tuple(n[2:]))
    return dump


def bank(dump: Dump, b: int) -> list[list[tuple]]:
    """The lanes of one data bank, in lane order."""
    lanes = sorted(lane for bb, lane in dump.words if bb == b)
    return [dump.words[(b, lane)] for lane in lanes]


# ------------------------------------------------------------------------- the cases

CASES = CaseFile()
IDS = [5, 6, 9]


def rand(shape, lo=-2000, hi=2000) -> np.ndarray:
    return RNG.integers(lo, hi, size=shape, dtype=np.int64)


@dataclass
class LayerCase:
    """One layer run: inputs per bank and the expected output banks."""

    name: str
    inputs: dict[int, list[list[tuple]]]
    expected: dict[int, list[list[tuple]]]
    ctrl_in: dict[int, list[tuple[int, bool]]] = field(default_factory=dict)
    ctrl_expected: dict[int, list[tuple]] = field(default_factory=dict)


LAYER_CASES: list[LayerCase] = []


def conv_case(name, c, h, w, f, k, stride, pads, groups, folds, lo=-2000, hi=2000, wfrac=8):
    """A conv layer at several folds; every fold must give the same words."""
    kh, kw = (k, k) if isinstance(k, int) else k
    q_w = rand((f, c // groups, kh, kw), lo, hi)
    q_b = rand(f, lo, hi)
    xs = [(i, rand((c, h, w), lo, hi)) for i in IDS]
    taps = q_w.reshape(f, c // groups, kh * kw)  # the library's layout: taps flattened
    CASES.decls.append(cpp_table(f"{name}_w", taps) + cpp_table(f"{name}_b", q_b))
    ys = [(i, fp.conv2d(x, q_w, q_b, stride, pads, groups, weight_frac=wfrac)) for i, x in xs]
    for cin, cout, fine in folds:
        case = f"{name}_{cin}_{cout}_{fine}"
        cfg = dict(in_h=h, in_w=w, in_c=c, out_c=f, kernel_h=kh, kernel_w=kw, stride_h=stride,
                   stride_w=stride, pad_top=pads[0], pad_left=pads[1], pad_bottom=pads[2],
                   pad_right=pads[3], groups=groups, coarse_in=cin, coarse_out=cout, fine=fine,
                   weight_frac=wfrac, out_shift=wfrac, bias_shift=wfrac)
        call = f"eecc::conv<{case}_cfg>(W[0], W[1], {name}_w, {name}_b);"
        CASES.add(case, call, cpp_config(f"{case}_cfg", "conv_config", cfg))
        LAYER_CASES.append(LayerCase(case, {0: batch(xs, cin)}, {1: batch(ys, cout)}))


conv_case("conv", 4, 7, 6, 6, 3, 1, (1, 1, 1, 1), 1, [(1, 1, 1), (2, 3, 3), (4, 6, 9), (4, 2, 1)])
conv_case("conv_s2g2", 4, 7, 6, 6, 3, 2, (0, 1, 2, 0), 2, [(2, 3, 3), (4, 2, 9), (1, 6, 1)])
conv_case("conv_s2", 4, 7, 6, 6, 3, 2, (0, 1, 2, 0), 1, [(2, 3, 3), (4, 2, 9), (1, 6, 1)])
conv_case("conv_rect", 2, 5, 6, 4, (3, 2), 1, (1, 0, 1, 1), 1, [(2, 4, 2), (1, 2, 3), (2, 1, 6)])
conv_case("conv_1x1", 6, 3, 4, 4, 1, 1, (0, 0, 0, 0), 1, [(3, 2, 1), (6, 4, 1)])
conv_case("conv_dw", 4, 5, 6, 8, (3, 2), 1, (1, 0, 1, 1), 4, [(2, 4, 2), (1, 1, 6)])
conv_case("conv_sat", 2, 4, 4, 3, 2, 1, (0, 0, 0, 0), 1, [(1, 3, 4)], *INT16)
conv_case("conv_fw0", 2, 3, 3, 2, 1, 1, (0, 0, 0, 0), 1, [(2, 2, 1)], -50, 50, wfrac=0)


def linear_case(name, n_in, n_out, folds):
    q_w = rand((n_out, n_in), -3000, 3000)
    q_b = rand(n_out, -3000, 3000)
    xs = [(i, rand(n_in, *INT16)) for i in IDS]
    ys = [(i, fp.linear(x, q_w, q_b)) for i, x in xs]
    CASES.decls.append(cpp_table(f"{name}_w", q_w) + cpp_table(f"{name}_b", q_b))
    for cin, cout in folds:
        case = f"{name}_{cin}_{cout}"
        cfg = dict(in_features=n_in, out_features=n_out, coarse_in=cin, coarse_out=cout)
        call = f"eecc::linear<{case}_cfg>(W[0], W[1], {name}_w, {name}_b);"
        CASES.add(case, call, cpp_config(f"{case}_cfg", "linear_config", cfg))
        LAYER_CASES.append(LayerCase(case, {0: batch(xs, cin)}, {1: batch(ys, cout)}))


linear_case("linear", 24, 10, [(1, 1), (4, 5), (3, 2)])


def pool_case(name, kind, c, h, w, k, stride, pads, coarse, include_pad=False, lo=-2000, hi=2000):
    xs = [(i, rand((c, h, w), lo, hi)) for i in IDS]
    if kind == "maxpool":
        ys = [(i, fp.maxpool(x, k, stride, pads)) for i, x in xs]
    else:
        ys = [(i, fp.avgpool(x, k, stride, pads, include_pad)) for i, x in xs]
    cfg = dict(in_h=h, in_w=w, in_c=c, kernel_h=k, kernel_w=k, stride_h=stride, stride_w=stride,
               pad_top=pads[0], pad_left=pads[1], pad_bottom=pads[2], pad_right=pads[3],
               coarse=coarse, count_include_pad=include_pad)
    CASES.add(name, f"eecc::{kind}<{name}_cfg>(W[0], W[1]);",
              cpp_config(f"{name}_cfg", "pool_config", cfg))
    LAYER_CASES.append(LayerCase(name, {0: batch(xs, coarse)}, {1: batch(ys, coarse)}))


pool_case("maxpool_pad", "maxpool", 4, 7, 6, 3, 2, (1, 1, 1, 1), 2, lo=-30000, hi=-100)
pool_case("maxpool_2", "maxpool", 4, 6, 6, 2, 2, (0, 0, 0, 0), 4, lo=-32768, hi=32768)
pool_case("avgpool_excl", "avgpool", 4, 7, 6, 3, 2, (1, 1, 1, 1), 2, False, *INT16)
pool_case("avgpool_incl", "avgpool", 4, 7, 6, 3, 2, (1, 0, 1, 2), 2, True, *INT16)
pool_case("avgpool_2", "avgpool", 2, 4, 4, 2, 2, (0, 0, 0, 0), 1, False, -5, 5)


def simple_cases():
    xs = [(i, rand((4, 3, 5), *INT16)) for i in IDS]
    zs = [(i, rand((4, 3, 5), *INT16)) for i in IDS]
    ew = dict(height=3, width=5, channels=4, coarse=2)
    CASES.add("gap", "eecc::global_avgpool<gap_cfg>(W[0], W[1]);",
              cpp_config("gap_cfg", "global_pool_config", dict(in_h=3, in_w=5, in_c=4, coarse=2)))
    LAYER_CASES.append(LayerCase("gap", {0: batch(xs, 2)},
                                 {1: batch([(i, fp.global_avgpool(x)) for i, x in xs], 2)}))
    CASES.add("relu", "eecc::relu<relu_cfg>(W[0], W[1]);", cpp_config("relu_cfg", "relu_config", ew))
    LAYER_CASES.append(LayerCase("relu", {0: batch(xs, 2)},
                                 {1: batch([(i, fp.relu(x)) for i, x in xs], 2)}))
    CASES.add("add", "eecc::add<add_cfg>(W[0], W[1], W[2]);",
              cpp_config("add_cfg", "add_config", dict(ew, coarse=4)))
    sums = [(i, fp.add(x, z)) for (i, x), (_, z) in zip(xs, zs, strict=True)]
    LAYER_CASES.append(LayerCase("add", {0: batch(xs, 4), 1: batch(zs, 4)}, {2: batch(sums, 4)}))
    split = ("hls::stream<eecc::word> o[3][2]; eecc::split<split_cfg>(W[0], o);"
             " for (int i = 0; i < 3; i++) move(o[i], W[i + 1], 2);")
    CASES.add("split", split, cpp_config("split_cfg", "split_config", dict(ew, n_outputs=3)))
    LAYER_CASES.append(LayerCase("split", {0: batch(xs, 2)}, {b: batch(xs, 2) for b in (1, 2, 3)}))


def repack_cases():
    for a, b, c in [(2, 3, 6), (4, 1, 4), (1, 4, 4), (3, 2, 6)]:
        xs = [(i, rand((c, 2, 3))) for i in IDS]
        name = f"repack_{a}_{b}"
        CASES.add(name, f"eecc::repack<{a}, {b}>(W[0], W[1]);")
        LAYER_CASES.append(LayerCase(name, {0: batch(xs, a)}, {1: batch(xs, b)}))


simple_cases()
repack_cases()


def exit_cases():
    table = fp.exp_lut(8)
    CASES.decls.append(cpp_table("exp_lut_f8", table, "unsigned"))
    for thr in (0.6, 0.996, 1.0):
        name = f"exit_{int(thr * 1000)}"
        # max softmax = e^a / (e^a + 9) crosses thr at a = ln(9 thr / (1 - thr)): sweep a across it
        centre = round(np.log(9 * min(thr, 0.996) / (1 - min(thr, 0.996))) * 256)
        logits = []
        for sid, top in enumerate(range(centre - 20, centre + 20)):
            q = rand(10, -2, 3)
            q[sid % 10] = top
            logits.append((sid, q))
        logits.append((40, np.array([32767] + [-32768] * 9)))
        logits.append((41, np.zeros(10, dtype=np.int64)))
        decisions = [(i, fp.exit_decision(q, thr), 0) for i, q in logits] + [(0xFFFF, False, 1)]
        cfg = dict(n_classes=10, coarse=2, frac_bits=8, threshold_q=fp.threshold_q(thr))
        call = f"eecc::exit_decision<{name}_cfg>(W[0], C[1], exp_lut_f8, W[1]);"
        CASES.add(name, call, cpp_config(f"{name}_cfg", "exit_config", cfg))
        LAYER_CASES.append(LayerCase(name, {0: batch(logits, 2)}, {1: batch(logits, 2)},
                                     ctrl_expected={1: decisions}))
        if thr < 1:  # the sweep straddles the threshold
            assert 5 < sum(d for _, d, _ in decisions) < len(decisions) - 5
    CASES.add("exit_nofwd", "eecc::exit_decision<exit_600_cfg>(W[0], C[1], exp_lut_f8);")


exit_cases()


def condbuffer_cases():
    xs = [(i, rand((4, 2, 2))) for i in range(10, 17)]
    patterns = {"mixed": [1, 0, 0, 1, 1, 0, 1], "all": [1] * 7, "none": [0] * 7}
    for mode, depth in [("PASS_ON_EXIT", 2), ("DROP_ON_EXIT", 4), ("DROP_ON_EXIT", 1)]:
        name = f"cb_{mode.lower()}_{depth}"
        cfg = dict(height=2, width=2, channels=4, coarse=2, depth=depth, mode=mode)
        CASES.add(name, f"eecc::condbuffer<{name}_cfg>(W[0], C[0], W[1]);",
                  cpp_config(f"{name}_cfg", "condbuffer_config", cfg))
        for label, bits in patterns.items():
            keep = [x for x, b in zip(xs, bits, strict=True) if bool(b) == (mode == "PASS_ON_EXIT")]
            ctrl = [(i, bool(b)) for (i, _), b in zip(xs, bits, strict=True)]
            LAYER_CASES.append(LayerCase(name, {0: batch(xs, 2)}, {1: batch(keep, 2)},
                                         ctrl_in={0: ctrl}))
            LAYER_CASES[-1].label = label  # type: ignore[attr-defined]


condbuffer_cases()


def axis_cases():
    xs = [(i, rand((4, 2, 2), *INT16)) for i in IDS]
    CASES.add("axis_roundtrip", "eecc::to_axis<2>(W[0], A[1]); eecc::from_axis<2>(A[1], W[1]);")
    LAYER_CASES.append(LayerCase("axis_roundtrip", {0: batch(xs, 2)}, {1: batch(xs, 2)}))
    CASES.add("dma_roundtrip", "eecc::dma_pack<2>(W[0], A[1][0]); eecc::dma_unpack<2>(A[1][0], W[1]);")
    LAYER_CASES.append(LayerCase("dma_roundtrip", {0: batch(xs, 2)}, {1: batch(xs, 2)}))
    CASES.add("dma_pack", "eecc::dma_pack<2>(W[0], A[1][0]);")


axis_cases()
MERGE_CFG = cpp_config("merge2_cfg", "exit_merge_config", dict(n_inputs=2, words=10, coarse=1))
MERGE_CFG += cpp_config("merge3_cfg", "exit_merge_config", dict(n_inputs=3, words=4, coarse=2))
CASES.add("merge2", "hls::stream<eecc::word> m[2][1]; move(W[0], m[0], 1); move(W[1], m[1], 1);"
          " eecc::exit_merge<merge2_cfg>(m, W[4]);", MERGE_CFG)
CASES.add("merge3", "hls::stream<eecc::word> m[3][2]; for (int i = 0; i < 3; i++) move(W[i], m[i], 2);"
          " eecc::exit_merge<merge3_cfg>(m, W[4], W[5][0]);")
CASES.add("ctrl_split", "eecc::ctrl_split<2>(C[0], &C[1]);")


# ------------------------------------------------------------------------ the drivers


@pytest.fixture(scope="session")
def drivers(tmp_path_factory) -> dict[str, Path]:
    """Compiles both drivers (in parallel: each takes a few seconds)."""
    out = tmp_path_factory.mktemp("hls")
    (out / "cases.h").write_text(CASES.source())
    (out / "pipeline_weights.h").write_text(PIPELINE.source())
    jobs = {
        "layers": ([HLS_DIR / "layers_driver.cpp"], out / "layers"),
        "pipeline": ([HLS_DIR / "pipeline_driver.cpp"], out / "pipeline"),
    }
    with ThreadPoolExecutor(2) as pool:
        futures = {k: pool.submit(compile_cpp, src, exe, [HLS_DIR, out]) for k, (src, exe) in jobs.items()}
        return {k: f.result() for k, f in futures.items()}


def run(exe: Path, case: str, lines: list[str]) -> Dump:
    src, dst = exe.with_suffix(f".{case}.in"), exe.with_suffix(f".{case}.out")
    src.write_text("\n".join(lines) + "\n")
    result = subprocess.run([exe, case, src, dst], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "read while empty" not in result.stdout, result.stdout
    return parse(dst.read_text())


def run_layer_case(exe: Path, lc: LayerCase) -> Dump:
    lines = [ln for b, lanes in lc.inputs.items() for ln in word_lines(b, lanes)]
    lines += [ln for b, ctrl in lc.ctrl_in.items() for ln in ctrl_lines(b, ctrl)]
    return run(exe, lc.name, lines)


@pytest.mark.parametrize(
    "lc", LAYER_CASES, ids=[f"{c.name}-{getattr(c, 'label', '')}".rstrip("-") for c in LAYER_CASES]
)
def test_layer_matches_reference(drivers, lc):
    dump = run_layer_case(drivers["layers"], lc)
    for b, lanes in lc.expected.items():
        assert bank(dump, b) == lanes, f"bank {b}"
    # Every input consumed, nothing else produced.
    assert {b for b, _ in dump.words} == set(lc.expected)
    assert dump.ctrl == lc.ctrl_expected
    assert not dump.axis


def test_exit_decision_without_forwarding(drivers):
    lc = next(c for c in LAYER_CASES if c.name == "exit_600")
    dump = run(drivers["layers"], "exit_nofwd", word_lines(0, lc.inputs[0]))
    assert dump.ctrl == lc.ctrl_expected and not dump.words


def test_dma_pack_bit_layout(drivers):
    xs = [(7, np.array([[[-1]], [[2]]])), (8, np.array([[[-32768]], [[32767]]]))]
    dump = run(drivers["layers"], "dma_pack", word_lines(0, batch(xs, 2)))
    beats = dump.axis[(1, 0)]
    assert beats == [
        ((7 << 16) | 0xFFFF, 0), ((7 << 16) | 2, 0), ((8 << 16) | 0x8000, 0), ((8 << 16) | 0x7FFF, 0),
        (0xFFFF0000, 1),
    ]


def merged_fmaps(lanes: list[list[tuple]]) -> dict[int, list[tuple]]:
    """Output words grouped by sample ID (each lane's words of one sample)."""
    got: dict[int, list] = {}
    for lane, words in enumerate(lanes):
        assert words[-1] == END
        for w in words[:-1]:
            got.setdefault(w[0], []).append((lane, w[1]))
    return got


@pytest.mark.parametrize(("case", "n", "lanes", "shape"), [("merge2", 2, 1, (10, 1, 1)), ("merge3", 3, 2, (4, 1, 1))])
def test_exit_merge(drivers, case, n, lanes, shape):
    ids = RNG.permutation(12)
    sizes = [5, 7] if n == 2 else [6, 0, 6]  # one input of merge3 carries nothing
    inputs, want, source = [], {}, {}
    start = 0
    for k, size in enumerate(sizes):
        xs = [(int(i), rand(shape)) for i in ids[start:start + size]]
        start += size
        inputs += word_lines(k, batch(xs, lanes))
        for i, x in xs:
            want[i] = merged_fmaps(batch([(i, x)], lanes))[i]
            source[i] = k
    dump = run(drivers["layers"], case, inputs)
    out = bank(dump, 4)
    assert merged_fmaps(out) == want
    # Whole fmaps move at once: on lane 0, the words of one sample are contiguous.
    order = [w[0] for w in out[0][:-1]]
    runs = [i for k, i in enumerate(order) if k == 0 or order[k - 1] != i]
    assert sorted(runs) == sorted(want)
    if case == "merge3":
        index = dump.words[(5, 0)]
        assert index[-1] == END
        assert {i: d for i, d, _ in index[:-1]} == source


def test_ctrl_split(drivers):
    dump = run(drivers["layers"], "ctrl_split", ctrl_lines(0, [(3, True), (4, False)]))
    want = [(3, True, 0), (4, False, 0), (0xFFFF, False, 1)]
    assert dump.ctrl == {1: want, 2: want}


# --------------------------------------------------------------------- the pipeline
#
# conv1 (3->4, k3, pad 1) -> relu -> maxpool 2 -> split -+-> linear 64->10 (exit head)
#                                                       |     -> exit_decision -> ctrl_split
#                                                       |        -> condbuffer PASS_ON_EXIT -> merge[0]
#                                                       +-> condbuffer DROP_ON_EXIT -> conv2 (4->8, k3,
#                                                           s2, pad 1) -> global avgpool -> repack 4->2
#                                                           -> linear 8->10 -> merge[1]


@dataclass
class Pipeline:
    inputs: list[tuple[int, np.ndarray]]
    tables: dict[str, np.ndarray]
    thresholds: dict[str, float]

    def source(self) -> str:
        # conv weights in the library's layout: [out_c][in_c / groups][kernel_h * kernel_w]
        text = "".join(cpp_table(k, v.reshape(*v.shape[:2], -1) if v.ndim == 4 else v)
                       for k, v in self.tables.items())
        text += cpp_table("exp_lut_f8", fp.exp_lut(8), "unsigned")
        text += PIPELINE_CONFIGS
        for name, thr in self.thresholds.items():
            cfg = dict(n_classes=10, coarse=1, frac_bits=8, threshold_q=fp.threshold_q(thr))
            text += cpp_config(f"exit_{name}_cfg", "exit_config", cfg)
        return text


def _conv_cfg(c, h, w, f, stride, cin, cout, fine):
    return dict(in_h=h, in_w=w, in_c=c, out_c=f, kernel_h=3, kernel_w=3, stride_h=stride,
                stride_w=stride, pad_top=1, pad_left=1, pad_bottom=1, pad_right=1,
                coarse_in=cin, coarse_out=cout, fine=fine)


PIPELINE_CONFIGS = "".join([
    cpp_config("conv1_cfg", "conv_config", _conv_cfg(3, 8, 8, 4, 1, 1, 2, 3)),
    cpp_config("relu1_cfg", "relu_config", dict(height=8, width=8, channels=4, coarse=2)),
    cpp_config("pool1_cfg", "pool_config", dict(in_h=8, in_w=8, in_c=4, kernel_h=2, kernel_w=2,
                                                stride_h=2, stride_w=2, coarse=2)),
    cpp_config("split1_cfg", "split_config", dict(height=4, width=4, channels=4, coarse=2)),
    cpp_config("exit_lin_cfg", "linear_config", dict(in_features=64, out_features=10, coarse_in=2)),
    cpp_config("cb_exit_cfg", "condbuffer_config",
               dict(height=1, width=1, channels=10, coarse=1, depth=4, mode="PASS_ON_EXIT")),
    cpp_config("cb_back_cfg", "condbuffer_config",
               dict(height=4, width=4, channels=4, coarse=2, depth=2, mode="DROP_ON_EXIT")),
    cpp_config("conv2_cfg", "conv_config", _conv_cfg(4, 4, 4, 8, 2, 2, 4, 9)),
    cpp_config("gap2_cfg", "global_pool_config", dict(in_h=2, in_w=2, in_c=8, coarse=4)),
    cpp_config("lin2_cfg", "linear_config", dict(in_features=8, out_features=10, coarse_in=2)),
    cpp_config("merge_cfg", "exit_merge_config", dict(n_inputs=2, words=10, coarse=1)),
])


def _hwc(x: np.ndarray) -> np.ndarray:
    return x.transpose(1, 2, 0).reshape(-1)


def _pipeline_stages(t: dict[str, np.ndarray], x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(exit logits, final logits) of one sample."""
    a = fp.maxpool(fp.relu(fp.conv2d(x, t["conv1_w"], t["conv1_b"], 1, (1, 1, 1, 1))), 2, 2)
    exit_logits = fp.linear(_hwc(a), t["exit_lin_w"], t["exit_lin_b"])
    b = fp.global_avgpool(fp.conv2d(a, t["conv2_w"], t["conv2_b"], 2, (1, 1, 1, 1)))
    return exit_logits, fp.linear(b.reshape(-1), t["lin2_w"], t["lin2_b"])


def _make_pipeline() -> Pipeline:
    tables = {
        "conv1_w": rand((4, 3, 3, 3), -128, 128), "conv1_b": rand(4, -64, 64),
        "exit_lin_w": rand((10, 64), -64, 64), "exit_lin_b": rand(10, -256, 256),
        "conv2_w": rand((8, 4, 3, 3), -96, 96), "conv2_b": rand(8, -64, 64),
        "lin2_w": rand((10, 8), -256, 256), "lin2_b": rand(10, -256, 256),
    }
    inputs = [(i, rand((3, 8, 8), -256, 256)) for i in range(12)]
    lut = fp.exp_lut(8)
    pmax = []
    for _, x in inputs:
        q = _pipeline_stages(tables, x)[0]
        pmax.append((1 << 16) / lut[np.minimum(q.max() - q, 4096)].sum())
    thresholds = {"all": 0.0, "none": 1.0, "some": float(np.median(pmax))}
    return Pipeline(inputs, tables, thresholds)


PIPELINE = _make_pipeline()


def pipeline_reference(scenario: str) -> tuple[dict[int, np.ndarray], dict[int, int]]:
    """Per sample ID: the logits that leave the network and the exit taken."""
    logits, exits = {}, {}
    for i, x in PIPELINE.inputs:
        early, final = _pipeline_stages(PIPELINE.tables, x)
        taken = fp.exit_decision(early, PIPELINE.thresholds[scenario])
        logits[i], exits[i] = (early, 0) if taken else (final, 1)
    return logits, exits


@pytest.mark.parametrize("scenario", ["all", "none", "some"])
def test_pipeline_end_to_end(drivers, scenario):
    xs = PIPELINE.inputs
    dump = run(drivers["pipeline"], scenario, word_lines(0, batch(xs, 1)))
    want_logits, want_exit = pipeline_reference(scenario)
    got = merged_fmaps(bank(dump, 1))
    assert set(got) == {i for i, _ in xs}
    for i, words in got.items():
        assert [d for _, d in words] == want_logits[i].tolist(), f"sample {i}"
    index = dump.words[(2, 0)]
    assert index[-1] == END
    assert {i: d for i, d, _ in index[:-1]} == want_exit
    assert set(dump.words) == {(1, 0), (2, 0)} and not dump.ctrl
    exits = sum(1 for e in want_exit.values() if e == 0)
    assert exits == {"all": len(xs), "none": 0, "some": exits}[scenario]
    if scenario == "some":
        assert 0 < exits < len(xs)


# ------------------------------------------------------------------------ tool chain


def test_toolchain_paths():
    from eecc.toolchain import library_include

    assert (ap_types_include() / "hls_stream.h").is_file()
    assert (library_include() / "eecc" / "eecc.h").is_file()


def test_compile_error_carries_compiler_messages(tmp_path):
    bad = tmp_path / "bad.cpp"
    bad.write_text('#include "eecc/eecc.h"\nint main() { return undefined_name; }\n')
    with pytest.raises(ToolchainError, match="undefined_name"):
        compile_cpp([bad], tmp_path / "bad", defines={"EXAMPLE": 1})
