"""The timed C simulation (`-DEECC_TIMED`, docs/timed-csim.md) measures what its rules say.

Hand-written kernels check one scheduling rule each; small `ee` designs check stream layers
exactly, deadlock detection, DMA stalls and determinism; every example checks that the timed
outputs equal the untimed ones word for word and that no layer beats the cost model's lower
bound (every input word on its lanes, every multiply on its multipliers).
"""

from __future__ import annotations

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from test_csim import EXAMPLES, apply, compile_network, small_module, write_project

from eecc.csim import DeadlockError, TimedOptions, build, run_csim
from eecc.data import digits_path, load_array
from eecc.reference.model import load_model
from eecc.reference.run import program_of
from eecc.timed import analyse, lower_bound_cycles
from eecc.toolchain import compile_cpp

pytest.importorskip("hls4ml")

HLS_DIR = Path(__file__).resolve().parents[1] / "hls"

# ----------------------------------------------------------------- scheduling rules


def pipelined(n: int, ii: int, depth: int) -> int:
    """A pipelined loop of n iterations: 1 to enter, (n - 1) * II, depth to drain."""
    return 1 + (n - 1) * ii + depth


def test_kernels_measure_the_documented_rules(tmp_path: Path) -> None:
    exe = compile_cpp([HLS_DIR / "timed_kernels.cpp"], tmp_path / "kernels",
                      defines={"EECC_TIMED": None})
    out = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout
    cycles = {name: int(value) for name, value in (line.split() for line in out.splitlines())}
    rows, cols = 4, 6
    n = rows * cols
    assert cycles["perfect_nest"] == pipelined(n, 1, 3)  # flattened: one pipeline
    # imperfect: per row a header, the reset, the inner pipeline, the write
    assert cycles["imperfect_nest"] == rows * (1 + 1 + pipelined(cols, 1, 3) + 1)
    assert cycles["two_phases"] == 2 * pipelined(n, 1, 2)  # phases add up
    assert cycles["port_limited"] == pipelined(n, 2, 4)  # 4 reads of one bank: II = 2


# ------------------------------------------------------------------- small designs

STREAM_ONLY = """
builtin.module {
  ee.graph @streams(%x: !ee.stream<6x5x4xf32>) -> !ee.stream<6x5x4xf32> {
    %r = ee.relu %x {fold = #ee.fold<coarse = 3>} : !ee.stream<6x5x4xf32>
    %a, %b = ee.split %r {fold = #ee.fold<coarse = 3>} : !ee.stream<6x5x4xf32> -> !ee.stream<6x5x4xf32>, !ee.stream<6x5x4xf32>
    %s = ee.add %a, %b {fold = #ee.fold<coarse = 3>} : !ee.stream<6x5x4xf32>
    ee.output %s : !ee.stream<6x5x4xf32>
  }
}
"""

RESIDUAL = """
builtin.module {
  ee.weight @c.w = dense<0.125> : tensor<4x4x3x3xf32>
  ee.weight @c.b = dense<0.5> : tensor<4xf32>
  ee.graph @residual(%x: !ee.stream<4x8x8xf32>) -> !ee.stream<4x8x8xf32> {
    %a, %b = ee.split %x {fold = #ee.fold<coarse = 2>} : !ee.stream<4x8x8xf32> -> !ee.stream<4x8x8xf32>, !ee.stream<4x8x8xf32>
    %c = ee.conv %a weight @c.w bias @c.b {kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>, fold = #ee.fold<coarse_in = 2, coarse_out = 2, fine = 3>} : !ee.stream<4x8x8xf32> -> !ee.stream<4x8x8xf32>
    %s = ee.add %c, %b {fold = #ee.fold<coarse = 2>} : !ee.stream<4x8x8xf32>
    ee.output %s : !ee.stream<4x8x8xf32>
  }
}
"""


def project(text: str, folder: Path):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "design.mlir"
    path.write_text(text)
    module = load_model(path)
    apply(module, "ee-legalize-hls")
    return module, write_project(module, folder / "project")


def test_stream_layers_are_exact(tmp_path: Path) -> None:
    """relu, split and add move H*W*C/coarse words per sample: exactly that many cycles."""
    module, folder = project(STREAM_ONLY, tmp_path)
    x = np.random.default_rng(0).uniform(-2, 2, size=(12, 6, 5, 4))
    result = run_csim(folder, x, timed=TimedOptions())
    report = analyse(result.timed, module, clock_mhz=125.0, throughput_model=None)
    layers = {row.op: row for row in report.layers}
    for op in ("ee.relu", "ee.split", "ee.add"):
        assert layers[op].cycles_per_sample == 6 * 5 * 4 / 3 == layers[op].model_cycles
        assert layers[op].samples == 12


def test_residual_deadlocks_at_depth_two_and_passes_deeper(tmp_path: Path) -> None:
    module, folder = project(RESIDUAL, tmp_path)
    x = np.random.default_rng(1).uniform(-2, 2, size=(6, 4, 8, 8))
    with pytest.raises(DeadlockError) as err:
        run_csim(folder, x, timed=TimedOptions(fifo_depth=2))
    message = str(err.value)
    assert "deadlock at cycle" in message
    assert "ee_split_4x8x8_n2 waits to write ee_split_4x8x8_n2_out[1][0] (2/2 words)" in message
    assert "ee_add_4x8x8 waits to read ee_conv_4x8x8_k3_out" in message
    assert err.value.raw["deadlock"] == message.removeprefix("timed C simulation: ")
    untimed = run_csim(folder, x)
    deep = run_csim(folder, x, timed=TimedOptions(fifo_depth=64))
    assert np.array_equal(deep.logits_raw, untimed.logits_raw)


def test_residual_deadlock_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from eecc.cli import main

    _, folder = project(RESIDUAL, tmp_path)
    np.save(tmp_path / "x.npy", np.zeros((4, 4, 8, 8)))
    code = main(["csim", str(folder), "--input", str(tmp_path / "x.npy"), "--timed",
                 "--fifo-depth", "2"])
    err = capsys.readouterr().err
    assert code == 3
    first = err.splitlines()[0]
    assert first.startswith("eecc csim: deadlock at cycle") and "wait for each other" in first
    assert "  ee_conv_4x8x8_k3.window waits to read ee_split_4x8x8_n2_out[0][0] (0/2 words)" in err
    timed = json.loads((folder / "timed.json").read_text())
    assert timed["deadlock"].startswith("deadlock at cycle")


def test_stall_slows_and_loses_nothing(tmp_path: Path) -> None:
    """A DMA-bound design (stream layers at 3 words per cycle) takes about 2x the cycles
    when the DMA misses half of them; a compute-bound one a little longer; none loses data."""
    _, streams = project(STREAM_ONLY, tmp_path / "streams")
    x = np.random.default_rng(2).uniform(-2, 2, size=(20, 6, 5, 4))
    plain = run_csim(streams, x, timed=TimedOptions())
    stalled = run_csim(streams, x, timed=TimedOptions(stall=0.5, seed=7))
    assert np.array_equal(plain.logits_raw, stalled.logits_raw)
    assert 1.8 * plain.timed["cycles"] < stalled.timed["cycles"] < 2.2 * plain.timed["cycles"]
    module = small_module(tmp_path, 0.6)
    folder = write_project(module, tmp_path / "project")
    x = np.random.default_rng(2).uniform(-2, 2, size=(40, 2, 6, 6))
    plain = run_csim(folder, x, timed=TimedOptions())
    stalled = run_csim(folder, x, timed=TimedOptions(stall=0.5, seed=7))
    assert np.array_equal(plain.logits_raw, stalled.logits_raw)
    assert np.array_equal(plain.exits, stalled.exits)
    assert stalled.timed["cycles"] > plain.timed["cycles"]
    again = run_csim(folder, x, timed=TimedOptions(stall=0.5, seed=7))
    assert again.timed == stalled.timed  # seeded: the same stalls, the same cycles
    other = run_csim(folder, x, timed=TimedOptions(stall=0.5, seed=8))
    assert other.timed["cycles"] != stalled.timed["cycles"]


def test_timed_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from eecc.cli import main

    module = small_module(tmp_path, 0.6)
    folder = write_project(module, tmp_path / "project")
    np.save(tmp_path / "x.npy", np.random.default_rng(1).uniform(-2, 2, size=(30, 2, 6, 6)))
    assert main(["csim", str(folder), "--input", str(tmp_path / "x.npy"), "--timed"]) == 0
    out = capsys.readouterr().out
    assert "timed: throughput" in out and "bit-identical with the untimed" in out
    timed = json.loads((folder / "timed.json").read_text())
    for key in ("throughput", "throughput_model", "latency_cycles", "deadlock", "layers"):
        assert key in timed
    assert timed["deadlock"] is None and timed["throughput"] > 0
    assert {"name", "op", "cycles_per_sample", "model_cycles"} <= set(timed["layers"][0])
    assert main(["csim", str(folder), "--stall", "0.5"]) == 1  # needs --timed
    assert main(["csim", str(folder), "--timed", "--stall", "1.5"]) == 1
    assert main(["csim", str(folder), "--timed", "--fifo-depth", "0"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == ["eecc csim: error: --fifo-depth, --stall, --seed and --board need --timed",
                   "eecc csim: error: --stall 1.5 is outside [0, 1): the share of cycles the "
                   "DMA streams are unavailable",
                   "eecc csim: error: --fifo-depth 0: a FIFO holds at least 1 word"]


# ---------------------------------------------------------------------- the examples

NETWORKS = ("blenet", "blenet3", "smallcnn", "balexnet")
SAMPLES = {"blenet": 24, "blenet3": 24, "smallcnn": 12, "balexnet": 5}  # B-AlexNet: 50M MACs


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple]:
    """Each example folded at the full budget, emitted, built (timed and untimed)."""
    root = tmp_path_factory.mktemp("timed-examples")
    projects = {}
    for net in NETWORKS:
        onnx = EXAMPLES / net / f"{net}.onnx"
        module = compile_network(onnx)
        shape = program_of(load_model(onnx)).input_shape
        x = load_array(digits_path(shape), "x")[:SAMPLES[net]]
        projects[net] = (module, write_project(module, root / net), x)
    with ThreadPoolExecutor(max_workers=2) as pool:
        jobs = [pool.submit(build, folder, timed=timed) for _, folder, _ in projects.values()
                for timed in (False, True)]
        for job in jobs:
            job.result()
    return projects


@pytest.mark.parametrize("net", NETWORKS)
def test_examples_timed_equals_untimed_and_respects_bounds(net: str, examples) -> None:
    module, folder, x = examples[net]
    untimed = run_csim(folder, x)
    timed = run_csim(folder, x, timed=TimedOptions())
    assert np.array_equal(timed.logits_raw, untimed.logits_raw)
    assert np.array_equal(timed.exits, untimed.exits)
    report = analyse(timed.timed, module, clock_mhz=125.0, throughput_model=None)
    assert report.deadlock is None and report.throughput
    from eecc.emit.naming import layer_names

    ops = {name: op for op, name in layer_names(next(
        o for o in module.walk() if o.name == "ee.graph")).items()}
    measured = 0
    for row in report.layers:
        bound = lower_bound_cycles(ops[row.name])
        if row.cycles_per_sample is None or bound is None:
            continue
        measured += 1
        assert row.cycles_per_sample >= bound - 1e-9, (row.name, row.cycles_per_sample, bound)
    assert measured >= 5


def test_cycle_counts_are_deterministic(examples) -> None:
    _, folder, x = examples["blenet"]
    first = run_csim(folder, x, timed=TimedOptions())
    second = run_csim(folder, x, timed=TimedOptions())
    assert first.timed == second.timed


def test_board_chain_equals_the_top(examples) -> None:
    """The per-layer IP tops chained on the block design's FIFOs (`tb/board.cpp`) give the
    whole-network top's outputs and, within the AXI-Stream converters' few cycles, its
    throughput."""
    module, folder, x = examples["blenet"]
    top = run_csim(folder, x, timed=TimedOptions())
    board = run_csim(folder, x, timed=TimedOptions(), board=True)
    assert np.array_equal(board.logits_raw, top.logits_raw)
    assert np.array_equal(board.exits, top.exits)
    a = analyse(top.timed, module, clock_mhz=125.0, throughput_model=None)
    b = analyse(board.timed, module, clock_mhz=125.0, throughput_model=None)
    assert abs(b.throughput / a.throughput - 1) < 0.03
    assert [r.cycles_per_sample for r in a.layers] == [r.cycles_per_sample for r in b.layers]


@pytest.mark.parametrize(("array", "message"), [
    (np.zeros((0, 2, 6, 6)), "no samples (the array is empty)"),
    (np.zeros((3, 2, 5, 5)), "samples of shape (2, 5, 5), the model takes (2, 6, 6)"),
    (np.full((2, 2, 6, 6), np.nan), "144 values are not finite"),
    (np.array(["a", "b"]), "holds <U1 values; the C simulation takes numbers"),
])
def test_csim_inputs_are_checked(array, message, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    from eecc.cli import main

    folder = write_project(small_module(tmp_path, 0.6), tmp_path / "project")
    np.save(tmp_path / "x.npy", array)
    assert main(["csim", str(folder), "--input", str(tmp_path / "x.npy")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("eecc csim: error: ") and message in err[0]


def test_integer_inputs_are_values(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An integer array holds values (1 = 1.0), not raw fixed-point bits: no false mismatch."""
    from eecc.cli import main

    folder = write_project(small_module(tmp_path, 0.6), tmp_path / "project")
    np.save(tmp_path / "x.npy", np.random.default_rng(4).integers(-2, 3, size=(10, 2, 6, 6)))
    assert main(["csim", str(folder), "--input", str(tmp_path / "x.npy")]) == 0
    assert "0 output words, 0 exits" in capsys.readouterr().out


def test_build_cache_is_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from eecc.csim import cache_dir

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = cache_dir()
    assert folder == tmp_path / "cache" / "eecc" / "csim"
    assert folder.stat().st_mode & 0o777 == 0o700
