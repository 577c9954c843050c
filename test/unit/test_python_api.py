"""The Python API: `eecc.compile(model, ...) -> Project` from an ONNX path, a ModelProto or a
torch module (both exporters); its report, reference prediction, folder and C simulation."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest

import eecc
from eecc.cli import main
from eecc.errors import EeccError

ROOT = Path(__file__).resolve().parents[2]
BLENET = ROOT / "examples" / "blenet"
X = np.load(ROOT / "examples" / "data" / "digits_test_28.npz")["x"][:24]


@pytest.fixture(scope="module")
def project() -> eecc.Project:
    return eecc.compile(BLENET / "blenet.onnx", p=0.25, budget=0.5)


def test_repr_and_report(project) -> None:
    assert repr(project).startswith("Project(blenet on zc706: ")
    assert "samples/s, LUT " in repr(project) and repr(project).endswith("not written)")
    assert project.report["platform"] == "zc706" and project.report["throughput"] > 0
    assert 0 < project.utilisation["lut"] <= 0.5


def test_predict_is_the_fixed_point_reference(project, tmp_path) -> None:
    np.save(tmp_path / "x.npy", X)
    assert main(["run", str(BLENET / "blenet.onnx"), "--input", str(tmp_path / "x.npy"),
                 "--fixed", "-o", str(tmp_path / "ref.npz")]) == 0
    ref = np.load(tmp_path / "ref.npz")
    result = project.predict(X)
    np.testing.assert_array_equal(result.raw, ref["logits_raw"])
    np.testing.assert_array_equal(result.exits, ref["exit"])


def test_write_gives_the_cli_project(project, tmp_path) -> None:
    folder = project.write(tmp_path / "api")
    assert main(["compile", str(BLENET / "blenet.onnx"), "--p", "0.25", "--budget", "0.5",
                 "-o", str(tmp_path / "cli")]) == 0
    for name in ("model.mlir", "report.json", "hls/blenet_top.cpp"):
        assert (folder / name).read_text() == (tmp_path / "cli" / name).read_text()
    assert "written to" in repr(project)
    with pytest.raises(EeccError, match="already exists"):
        project.write(folder)
    assert project.write(folder, force=True) == folder


def test_a_model_proto_with_options(tmp_path) -> None:
    model = onnx.load(BLENET / "blenet.onnx")
    project = eecc.compile(model, profile=BLENET / "profile.json", thresholds=0.9,
                           data_format=(12, 6), out=tmp_path / "out")
    assert "threshold = 9.000000e-01" in project.files["model.mlir"]
    assert "!ee.fixed<12, 6>" in project.files["model.mlir"]
    assert (tmp_path / "out" / ".eecc-project").is_file()


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"model": 42}, "model of type int is not an ONNX path"),
    ({"model": "missing.onnx"}, "missing.onnx: no such model file"),
    ({"model": BLENET / "blenet.onnx", "p": 0.25, "budget": 2}, "--budget 2.0 is outside"),
    ({"model": BLENET / "blenet.onnx", "p": 0.25, "thresholds": [0.9, 0.8]}, "gives 2 values"),
])
def test_errors_are_eecc_errors(kwargs, message) -> None:
    with pytest.raises(EeccError, match=message):
        eecc.compile(kwargs.pop("model"), **kwargs)


@pytest.fixture(scope="module")
def models():  # noqa: ANN201
    torch = pytest.importorskip("torch")
    sys.path.insert(0, str(ROOT / "examples"))
    import models

    return torch, models


@pytest.mark.parametrize("exporter", ["torchscript", "dynamo"])
def test_a_torch_module_is_exported_in_process(models, exporter: str) -> None:
    torch, nets = models
    net = nets.blenet().eval()
    chain = nets.inference_chain(net, use_cond=exporter == "dynamo")
    project = eecc.compile(chain, example_input=torch.zeros(1, 1, 28, 28), p=0.25,
                           exporter=exporter)
    assert project.report["throughput"] > 0
    exits = project.predict(X).exits
    assert set(exits.tolist()) <= {0, 1}


def test_a_torch_module_needs_an_example_input(models) -> None:
    _, nets = models
    with pytest.raises(EeccError, match="needs example_input"):
        eecc.compile(nets.inference_chain(nets.blenet()), p=0.25)


@pytest.mark.skipif(shutil.which("g++") is None, reason="g++ not installed")
def test_csim_is_bit_exact_with_predict(project) -> None:
    pytest.importorskip("hls4ml")
    result = project.csim(X[:8])
    reference = project.predict(X[:8])
    np.testing.assert_array_equal(result.logits_raw, reference.raw)
    np.testing.assert_array_equal(result.exits, reference.exits)


def test_the_documented_example_runs(tmp_path, monkeypatch, capsys) -> None:
    text = (ROOT / "docs" / "python-api.md").read_text()
    example = text.split("```python\n")[1].split("```")[0]
    for name in ("examples",):
        (tmp_path / name).symlink_to(ROOT / name)
    monkeypatch.chdir(tmp_path)
    exec(compile(example, "python-api.md", "exec"), {})  # noqa: S102
    assert (tmp_path / "out" / "blenet-api" / "model.mlir").is_file()
    assert capsys.readouterr().out.startswith("Project(blenet on zc706: ")
