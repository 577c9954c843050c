"""`eecc run`: every example network, both ONNX forms, every held-out sample, against
onnxruntime and PyTorch; `.mlir` input, fixed mode, and every user error as one line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from eecc import registry
from eecc.cli import main

ort = pytest.importorskip("onnxruntime")

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
DATA = EXAMPLES / "data"
NETS = {"blenet": "digits_test_28.npz", "blenet3": "digits_test_28.npz",
        "smallcnn": "digits_test_28.npz", "balexnet": "digits_test_32x3.npz",
        "bresnet": "digits_test_28.npz"}
FORMS = ["onnx", "dynamo.onnx"]
HAVE_CONVERTER = "convert-onnx-to-ee" in registry.pass_names()


def ort_logits(path: Path, x: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    return np.concatenate([session.run(None, {name: x[i : i + 1]})[0] for i in range(len(x))])


def run_cli(*args: str) -> int:
    return main(["run", *map(str, args)])


@pytest.mark.skipif(not HAVE_CONVERTER, reason="convert-onnx-to-ee is not available yet")
@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("net", NETS)
def test_run_matches_onnxruntime_and_torch(net, form, tmp_path):
    model, data = EXAMPLES / net / f"{net}.{form}", DATA / NETS[net]
    assert run_cli(model, "--input", data, "-o", tmp_path / "out.npz") == 0
    out = np.load(tmp_path / "out.npz")
    want = ort_logits(model, np.load(data)["x"])
    floor = 1e-4 * np.abs(want).max(axis=1, keepdims=True)
    bad = np.abs(out["logits"] - want) > 1e-4 * np.abs(want) + floor
    assert not bad.any(), f"{bad.any(1).sum()} samples differ, first {bad.any(1).argmax()}"
    torch = np.load(EXAMPLES / net / "torch_predictions.npz")
    np.testing.assert_array_equal(out["exit"], torch["exit"])
    np.testing.assert_array_equal(out["logits"].argmax(1), torch["pred"])


def test_run_ee_mlir_float_and_fixed(tmp_path):
    model = EXAMPLES / "blenet" / "blenet.mlir"
    x = DATA / "digits_test_28.npy"
    assert run_cli(model, "--input", x, "-o", tmp_path / "f.npz") == 0
    assert run_cli(model, "--input", x, "--fixed", "--data-format", "16,8",
                   "--weight-format", "12,4", "-o", tmp_path / "q.npz") == 0
    f, q = np.load(tmp_path / "f.npz"), np.load(tmp_path / "q.npz")
    assert sorted(f.files) == ["exit", "logits"]
    assert sorted(q.files) == ["exit", "logits", "logits_raw"]
    assert f["logits"].shape == (360, 10) and f["exit"].shape == (360,)
    assert q["logits_raw"].dtype == np.int64
    np.testing.assert_array_equal(q["logits"], q["logits_raw"] / 256.0)


NOT_EE = "builtin.module {\n}\n"


@pytest.mark.parametrize(("case", "message"), [
    ("missing-model", "missing.onnx: no such file"),
    ("missing-input", "nope.npy: no such file"),
    ("wrong-shape", "input has shape 360x3x32x32, expected Nx1x28x28"),
    ("not-ee", "not an ee or onnx model"),
    ("bad-ir", "not valid ee/onnx IR"),
    ("bad-suffix", "expected an .onnx or .mlir model"),
    ("bad-format", "format '16' is not WIDTH,INT_BITS"),
])
def test_run_errors(case, message, tmp_path, capsys):
    model, x = EXAMPLES / "blenet" / "blenet.mlir", DATA / "digits_test_28.npy"
    extra: list[object] = []
    if case == "missing-model":
        model = tmp_path / "missing.onnx"
    elif case == "missing-input":
        x = tmp_path / "nope.npy"
    elif case == "wrong-shape":
        x = DATA / "digits_test_32x3.npz"
    elif case in ("not-ee", "bad-ir", "bad-suffix"):
        model = tmp_path / ("m.txt" if case == "bad-suffix" else "m.mlir")
        model.write_text(NOT_EE if case == "not-ee" else "ee.graph @g(")
    else:
        extra = ["--data-format", "16"]
    out = tmp_path / "out.npz"
    assert run_cli(model, "--input", x, *extra, "-o", out) == 1
    err = capsys.readouterr().err
    assert err.startswith("eecc run: error: ") and message in err
    assert err.count("\n") == 1
    assert not out.exists()


@pytest.mark.skipif(not HAVE_CONVERTER, reason="convert-onnx-to-ee is not available yet")
def test_run_fixed_blenet_onnx_agrees_with_float(tmp_path):
    model, data = EXAMPLES / "blenet" / "blenet.onnx", DATA / "digits_test_28.npz"
    assert run_cli(model, "--input", data, "-o", tmp_path / "f.npz") == 0
    assert run_cli(model, "--input", data, "--fixed", "-o", tmp_path / "q.npz") == 0
    f, q = np.load(tmp_path / "f.npz"), np.load(tmp_path / "q.npz")
    assert (f["logits"].argmax(1) == q["logits"].argmax(1)).mean() >= 0.99
    assert (f["exit"] == q["exit"]).mean() >= 0.97


@pytest.mark.skipif(not HAVE_CONVERTER, reason="convert-onnx-to-ee is not available yet")
def test_run_onnx_ir_mlir_equals_onnx(tmp_path):
    model, data = EXAMPLES / "blenet3" / "blenet3.onnx", DATA / "digits_test_28.npz"
    assert main(["import", str(model), "-o", str(tmp_path / "m.mlir")]) == 0
    assert run_cli(tmp_path / "m.mlir", "--input", data, "-o", tmp_path / "a.npz") == 0
    assert run_cli(model, "--input", data, "-o", tmp_path / "b.npz") == 0
    a, b = np.load(tmp_path / "a.npz"), np.load(tmp_path / "b.npz")
    np.testing.assert_array_equal(a["logits"], b["logits"])
    np.testing.assert_array_equal(a["exit"], b["exit"])


def test_run_and_profile_print_a_summary_and_need_no_output(tmp_path, capsys) -> None:
    model, x = EXAMPLES / "blenet" / "blenet.onnx", DATA / "digits_test_28.npz"
    assert main(["run", str(model), "--input", str(x)]) == 0
    assert capsys.readouterr().err.strip() == "eecc run: 360 samples; exit 0: 300, exit 1: 60"
    assert main(["profile", str(model), "--data", "digits"]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out)["samples"] == 360
    assert out.err.startswith("eecc profile: blenet.onnx on digits: 360 samples, accuracy 98.3%;")
    assert "exit 0: 83.3% (accuracy 99.3%), exit 1: 16.7% (accuracy 93.3%)" in out.err


def test_run_takes_a_projects_own_model_mlir(tmp_path, capsys) -> None:
    model, x = EXAMPLES / "blenet" / "blenet.onnx", DATA / "digits_test_28.npy"
    assert main(["compile", str(model), "--p", "0.25", "-o", str(tmp_path / "p")]) == 0
    assert main(["run", str(tmp_path / "p" / "model.mlir"), "--input", str(x), "--fixed",
                 "-o", str(tmp_path / "a.npz")]) == 0
    assert main(["run", str(model), "--input", str(x), "--fixed", "-o", str(tmp_path / "b.npz")]) == 0
    a, b = np.load(tmp_path / "a.npz"), np.load(tmp_path / "b.npz")
    np.testing.assert_array_equal(a["logits_raw"], b["logits_raw"])
    np.testing.assert_array_equal(a["exit"], b["exit"])


@pytest.mark.parametrize(("array", "message"), [
    (np.zeros((0, 1, 28, 28), np.float32), "input has no samples"),
    (np.full((2, 1, 28, 28), np.nan, np.float32), "input sample 0 holds NaN or infinite values"),
    (np.zeros((2, 1, 28, 28), bool), "input has element type bool; expected real numbers"),
])
def test_bad_input_arrays_are_one_line(tmp_path, capsys, array, message) -> None:
    np.save(tmp_path / "x.npy", array)
    model = EXAMPLES / "blenet" / "blenet.onnx"
    assert main(["run", str(model), "--input", str(tmp_path / "x.npy")]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err, err


def test_integer_inputs_are_values(tmp_path, capsys) -> None:
    x = np.load(DATA / "digits_test_28.npy")[:8]
    np.save(tmp_path / "f.npy", np.round(x * 4).astype(np.float32))
    np.save(tmp_path / "i.npy", np.round(x * 4).astype(np.int32))
    model = EXAMPLES / "blenet" / "blenet.onnx"
    for name in ("f", "i"):
        assert main(["run", str(model), "--input", str(tmp_path / f"{name}.npy"), "--fixed",
                     "-o", str(tmp_path / f"{name}.npz")]) == 0
    a, b = np.load(tmp_path / "f.npz"), np.load(tmp_path / "i.npz")
    np.testing.assert_array_equal(a["logits_raw"], b["logits_raw"])
