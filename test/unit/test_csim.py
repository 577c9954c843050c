"""C simulation of emitted projects equals the fixed-point reference bit for bit.

Every project is compiled once (g++, cached by content in the temp folder), run on held-out
digits or random inputs, and compared word for word and exit for exit with the reference
interpreter on the same final IR.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from eecc import registry
from eecc.csim import reference, run_csim
from eecc.data import digits_path, load_array
from eecc.emit.hls import emit_hls_project
from eecc.errors import EeccError
from eecc.reference.model import context, load_model

pytest.importorskip("hls4ml")

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def apply(module, flag: str, **options) -> None:
    if flag in registry.pass_names():
        registry.load_pass(flag)(**options).apply(context(), module)


def compile_network(path: Path, budget: float = 1.0):
    """The shipped flow up to legalisation (passes that are not there are skipped)."""
    module = load_model(path)
    drops = str(module).count("drop-on-exit")
    apply(module, "ee-partition")
    apply(module, "ee-annotate-rates", p=(0.25, 0.1)[: max(drops, 1)])
    apply(module, "ee-size-buffers")
    apply(module, "fold", budget=budget)
    apply(module, "ee-legalize-hls")
    return module


def write_project(module, folder: Path) -> Path:
    for rel, text in emit_hls_project(module, batch=256).items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text)
    (folder / "model.mlir").write_text(str(module))
    return folder


def check_bit_exact(module, folder: Path, x: np.ndarray):
    result = run_csim(write_project(module, folder), x)
    ref = reference(module, x)
    assert np.array_equal(result.logits_raw, ref.raw)
    assert np.array_equal(result.exits, ref.exits)
    return result


@pytest.mark.parametrize("net", ["blenet", "blenet3", "smallcnn"])
def test_trained_examples_bit_exact(net: str, tmp_path: Path) -> None:
    module = compile_network(EXAMPLES / net / f"{net}.onnx")
    assert "ee.repack" in str(module) or "fold" not in registry.pass_names()
    x = load_array(digits_path(load_model(EXAMPLES / net / f"{net}.onnx").body.block.ops.last
                               .body.block.args[0].type.get_shape()), "x")
    result = check_bit_exact(module, tmp_path, x)
    torch = np.load(EXAMPLES / net / "torch_predictions.npz")
    agree = (result.logits_raw.argmax(axis=1) == torch["pred"]).mean()
    assert agree >= 0.99
    if net == "blenet":
        assert 0 < (result.exits == 0).sum() < len(x)


SMALL = """
builtin.module {{
  ee.weight @c.w = dense<{cw}> : tensor<6x2x3x3xf32>
  ee.weight @c.b = dense<{cb}> : tensor<6xf32>
  ee.weight @e.w = dense<{ew}> : tensor<4x54xf32>
  ee.weight @f.w = dense<{fw}> : tensor<4x24xf32>
  ee.weight @f.b = dense<{fb}> : tensor<4xf32>
  ee.graph @small(%x: !ee.stream<2x6x6xf32>) -> !ee.stream<4xf32> {{
    %c = ee.conv %x weight @c.w bias @c.b {{kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>, fold = #ee.fold<coarse_in = 2, coarse_out = 3, fine = 3>}} : !ee.stream<2x6x6xf32> -> !ee.stream<6x6x6xf32>
    %r = ee.relu %c {{fold = #ee.fold<coarse = 2>}} : !ee.stream<6x6x6xf32>
    %a, %b = ee.split %r {{fold = #ee.fold<coarse = 6>}} : !ee.stream<6x6x6xf32> -> !ee.stream<6x6x6xf32>, !ee.stream<6x6x6xf32>
    %p = ee.pool %a {{kernel = array<i64: 3, 3>, kind = "avg", pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>, fold = #ee.fold<coarse = 3>}} : !ee.stream<6x6x6xf32> -> !ee.stream<6x3x3xf32>
    %fl = ee.flatten %p : !ee.stream<6x3x3xf32> -> !ee.stream<54xf32>
    %l = ee.linear %fl weight @e.w {{fold = #ee.fold<coarse_in = 6, coarse_out = 2>}} : !ee.stream<54xf32> -> !ee.stream<4xf32>
    %l1, %l2 = ee.split %l : !ee.stream<4xf32> -> !ee.stream<4xf32>, !ee.stream<4xf32>
    %d = ee.exit_decision %l1 {{threshold = {thr} : f64}} : !ee.stream<4xf32>
    %e = ee.condbuffer %l2, %d {{mode = "pass-on-exit"}} : !ee.stream<4xf32>
    %k = ee.condbuffer %b, %d {{mode = "drop-on-exit", depth = 3 : i64, fold = #ee.fold<coarse = 3>}} : !ee.stream<6x6x6xf32>
    %m = ee.pool %k {{kernel = array<i64: 3, 3>, kind = "max", pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 3, 3>, fold = #ee.fold<coarse = 6>}} : !ee.stream<6x6x6xf32> -> !ee.stream<6x2x2xf32>
    %f = ee.flatten %m : !ee.stream<6x2x2xf32> -> !ee.stream<24xf32>
    %o = ee.linear %f weight @f.w bias @f.b {{fold = #ee.fold<coarse_in = 4, coarse_out = 4>}} : !ee.stream<24xf32> -> !ee.stream<4xf32>
    %y = ee.exit_merge %e, %o : !ee.stream<4xf32>, !ee.stream<4xf32> -> !ee.stream<4xf32>
    ee.output %y : !ee.stream<4xf32>
  }}
}}
"""


def _dense(rng: np.random.Generator, *shape: int) -> str:
    values = rng.normal(0.0, 0.6, size=shape).round(3)
    return np.array2string(values, separator=", ", threshold=10**6).replace("\n", "")


def small_module(tmp_path: Path, threshold: float):
    rng = np.random.default_rng(7)
    text = SMALL.format(cw=_dense(rng, 6, 2, 3, 3), cb=_dense(rng, 6), ew=_dense(rng, 4, 54),
                        fw=_dense(rng, 4, 24), fb=_dense(rng, 4), thr=f"{threshold:e}")
    path = tmp_path / "small.mlir"
    path.write_text(text)
    module = load_model(path)
    apply(module, "ee-legalize-hls")
    return module


@pytest.mark.parametrize(("threshold", "early"), [(1e-6, "all"), (1.0, "none"), (0.6, "some")])
def test_hand_folded_network_every_exit_mix(threshold: float, early: str, tmp_path: Path) -> None:
    module = small_module(tmp_path, threshold)
    assert str(module).count("ee.repack") >= 4
    x = np.random.default_rng(3).uniform(-2.0, 2.0, size=(300, 2, 6, 6))
    result = check_bit_exact(module, tmp_path / "project", x)
    n_early = int((result.exits == 0).sum())
    expected = {"all": n_early == len(x), "none": n_early == 0, "some": 0 < n_early < len(x)}
    assert expected[early], np.bincount(result.exits)


def test_batches_split_and_ids(tmp_path: Path) -> None:
    """More samples than one batch (256): every sample comes back once, in order of IDs."""
    module = small_module(tmp_path, 0.6)
    x = np.random.default_rng(5).uniform(-2.0, 2.0, size=(600, 2, 6, 6))
    result = check_bit_exact(module, tmp_path / "project", x)
    assert sorted(result.ids.tolist()) == list(range(600))


def test_csim_failure_is_one_error(tmp_path: Path) -> None:
    module = small_module(tmp_path, 0.6)
    folder = write_project(module, tmp_path / "project")
    (folder / "tb" / "testbench.cpp").write_text("int main() { return 3; }\n")
    with pytest.raises(EeccError, match="C simulation"):
        run_csim(folder, np.zeros((2, 2, 6, 6)))


def test_eecc_csim_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from eecc.cli import main

    module = small_module(tmp_path, 0.6)
    folder = write_project(module, tmp_path / "project")
    np.save(tmp_path / "x.npy", np.random.default_rng(1).uniform(-2, 2, size=(40, 2, 6, 6)))
    assert main(["csim", str(folder), "--input", str(tmp_path / "x.npy")]) == 0
    out = capsys.readouterr().out
    assert "samples: 40" in out and "bit-exact" in out
    assert main(["csim", str(tmp_path / "missing")]) == 1


OPS = """
builtin.module {{
  ee.weight @c.w = dense<{cw}> : tensor<6x2x3x3xf32>
  ee.weight @d.w = dense<{dw}> : tensor<6x1x3x3xf32>
  ee.weight @d.b = dense<{db}> : tensor<6xf32>
  ee.weight @f.w = dense<{fw}> : tensor<4x54xf32>
  ee.graph @ops(%x: !ee.stream<2x6x6xf32>) -> !ee.stream<4xf32> {{
    %c = ee.conv %x weight @c.w {{kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>, fold = #ee.fold<coarse_in = 2, coarse_out = 2, fine = 3>}} : !ee.stream<2x6x6xf32> -> !ee.stream<6x6x6xf32>
    %r = ee.relu %c {{max = 1.5 : f64, fold = #ee.fold<coarse = 2>}} : !ee.stream<6x6x6xf32>
    %d = ee.conv %r weight @d.w bias @d.b {{groups = 6 : i64, kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>, fold = #ee.fold<coarse_in = {gi}, coarse_out = {go}, fine = {fine}>}} : !ee.stream<6x6x6xf32> -> !ee.stream<6x3x3xf32>
    %s = ee.relu %d {{max = 6.0 : f64}} : !ee.stream<6x3x3xf32>
    %fl = ee.flatten %s : !ee.stream<6x3x3xf32> -> !ee.stream<54xf32>
    %o = ee.linear %fl weight @f.w {{fold = #ee.fold<coarse_in = 6, coarse_out = 2>}} : !ee.stream<54xf32> -> !ee.stream<4xf32>
    ee.output %o : !ee.stream<4xf32>
  }}
}}
"""


@pytest.mark.parametrize(("gi", "go", "fine"), [(1, 1, 1), (3, 3, 9), (6, 6, 3)])
def test_relu6_and_depthwise_conv_bit_exact(tmp_path: Path, gi: int, go: int, fine: int) -> None:
    """A saturating ReLU (`max`, as ONNX Clip imports) and a depthwise conv (groups = C) at
    several folds: the C simulation equals the fixed-point reference."""
    rng = np.random.default_rng(11)
    text = OPS.format(cw=_dense(rng, 6, 2, 3, 3), dw=_dense(rng, 6, 1, 3, 3), db=_dense(rng, 6),
                      fw=_dense(rng, 4, 54), gi=gi, go=go, fine=fine)
    path = tmp_path / "ops.mlir"
    path.write_text(text)
    module = load_model(path)
    apply(module, "ee-legalize-hls")
    x = np.random.default_rng(4).uniform(-2.0, 2.0, size=(20, 2, 6, 6))
    check_bit_exact(module, tmp_path / "project", x)
    ref = reference(module, x)
    assert ref.raw.std() > 0
