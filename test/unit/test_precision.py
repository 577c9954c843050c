"""Per-layer precision: the configuration, its checks, the IR it gives, the reference, the
cost model and the C simulation of a mixed-precision B-LeNet."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import eecc
from eecc.cost.fold import Fold
from eecc.cost.ops import resources
from eecc.cost.platform import load_platform
from eecc.data import digits_path, load_array
from eecc.dialects.ee import CastOp, ConvOp, ExitDecisionOp, ExitMergeOp, FixedType, LinearOp
from eecc.errors import EeccError
from eecc.network import NetworkStructure, find_graph
from eecc.precision import load_precision

BLENET = Path(__file__).resolve().parents[2] / "examples" / "blenet" / "blenet.onnx"
CONV1, HEAD_CONV, HEAD_FC = "/trunk/0/0/Conv", "/head/0/Conv", "/head/4/Gemm"
MIXED = {"layers": {CONV1: {"result": [12, 6]},
                    HEAD_CONV: {"result": [10, 5], "weight": [10, 5]},
                    HEAD_FC: {"result": "ap_fixed<10,5>", "weight": [10, 5]}}}


@pytest.fixture(scope="module")
def mixed() -> eecc.Project:
    return eecc.compile(BLENET, p=0.25, budget=0.5, precision=MIXED)


@pytest.fixture(scope="module")
def uniform() -> eecc.Project:
    return eecc.compile(BLENET, p=0.25, budget=0.5)


def by_name(project: eecc.Project) -> dict[str, object]:
    structure = NetworkStructure(find_graph(project.module))
    return dict(zip(structure.names, structure.ops, strict=True))


def fixed(value_type: object) -> tuple[int, int]:
    element = value_type.element_type  # type: ignore[attr-defined]
    assert isinstance(element, FixedType)
    return element.width.data, element.int_bits.data


# -------------------------------------------------------------------- the configuration

BAD = [
    ({"layers": {"/nope/Conv": {"result": [12, 6]}}}, "'/nope/Conv' is not a layer of the network (layers: /trunk/0/0/Conv"),
    ({"layers": {CONV1: {"result": [33, 8]}}}, f"layers: '{CONV1}': result: width 33 is outside [2, 16]"),
    ({"layers": {CONV1: {"result": [20, 8]}}}, "width 20 is outside [2, 16]"),
    ({"layers": {CONV1: {"result": [8, 9]}}}, "integer bits 9 are outside [1, width=8]"),
    ({"layers": {CONV1: {"result": [12.5, 6]}}}, "[12.5, 6] is not a format [W, I] of two integers"),
    ({"layers": {CONV1: {"result": "ap_fixed<12>"}}}, "\"ap_fixed<12>\" is not a format"),
    ({"layers": {CONV1: {"accum": [32, 16]}}}, "unknown key 'accum' (the accumulator is exact, 64 bits) (supported: result, weight, bias)"),
    ({"layers": {CONV1: {"reuse": 2}}}, "unknown key 'reuse'"),
    ({"model": {}}, "unknown key 'model' (supported: default, layers)"),
    ({"default": {"result": [0, 0]}}, "default: result: width 0"),
    ({"layers": {"/trunk/0/1/MaxPool": {"weight": [8, 4]}}}, "'/trunk/0/1/MaxPool': 'weight' is not a format this layer has (it has: result)"),
    ({"layers": {"/If": {"result": [8, 4]}}}, "'/If' is not a layer of the network"),
    ({"layers": {CONV1: {"weight": [4, 4], "bias": [16, 2]}}}, "bias ap_fixed<16,2> has 14 fraction bits, more than the accumulator's 8"),
]


@pytest.mark.parametrize(("config", "message"), BAD, ids=[m[:30] for _, m in BAD])
def test_bad_configuration_is_one_line(config: dict, message: str) -> None:
    with pytest.raises(EeccError) as err:
        eecc.compile(BLENET, p=0.25, precision=config)
    text = str(err.value)
    assert "\n" not in text and text.startswith("precision: ")
    assert message in text


def test_file_errors_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "p.json"
    bad.write_text('{"layers": {"/trunk/0/0/Conv": {"result": [12, 6],}}}')
    with pytest.raises(EeccError, match=r"p\.json: not valid JSON: .* line 1"):
        eecc.compile(BLENET, p=0.25, precision=bad)
    with pytest.raises(EeccError, match=r"missing\.json: no such precision file"):
        eecc.compile(BLENET, p=0.25, precision=tmp_path / "missing.json")
    toml = tmp_path / "p.toml"
    toml.write_text("[default]\n")
    with pytest.raises(EeccError, match=r"a precision file is JSON \(\.json\)"):
        eecc.compile(BLENET, p=0.25, precision=toml)


def test_cli_precision_error_exits_non_zero_without_output(tmp_path: Path) -> None:
    config = tmp_path / "p.json"
    config.write_text(json.dumps({"layers": {"/trunk/0/0/Conv": {"result": [12, 17]}}}))
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-c", "import sys; from eecc.cli import main; "
                          "sys.exit(main())", "compile", str(BLENET), "--p", "0.25",
                          "--precision", str(config), "-o", str(out)],
                         capture_output=True, text=True)
    assert run.returncode != 0 and not out.exists()
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and f"{config}: layers: '/trunk/0/0/Conv': result:" in lines[0]
    assert "Traceback" not in run.stderr


def test_round_trip_of_the_configuration() -> None:
    loaded = load_precision(MIXED)
    assert loaded is not None and load_precision(loaded.to_json()) == loaded
    assert loaded.entry(HEAD_FC).result == (10, 5)


# ------------------------------------------------------------------------------ the IR

def test_ir_states_every_layer_format(mixed: eecc.Project) -> None:
    ops = by_name(mixed)
    conv1, head, fc = ops[CONV1], ops[HEAD_CONV], ops[HEAD_FC]
    assert isinstance(conv1, ConvOp) and isinstance(head, ConvOp) and isinstance(fc, LinearOp)
    assert fixed(conv1.input.type) == (16, 8) and fixed(conv1.output.type) == (12, 6)
    assert fixed(ops["/trunk/0/1/MaxPool"].output.type) == (12, 6)  # type: ignore[attr-defined]
    assert fixed(head.input.type) == (12, 6) and fixed(head.output.type) == (10, 5)
    assert (head.weight_type.width.data, head.weight_type.int_bits.data) == (10, 5)  # type: ignore[union-attr]
    assert fixed(fc.output.type) == (10, 5)
    assert fixed(ops["/rest/0/0/Conv"].output.type) == (16, 8)  # type: ignore[attr-defined]
    decision = next(op for op in ops.values() if isinstance(op, ExitDecisionOp))
    assert fixed(decision.logits.type) == (10, 5)
    casts = [op for op in ops.values() if isinstance(op, CastOp)]
    assert len(casts) == 1 and fixed(casts[0].output.type) == (16, 8)
    merge = next(op for op in ops.values() if isinstance(op, ExitMergeOp))
    assert casts[0].results[0] in [*merge.operands]
    mixed.module.verify()
    assert "ee.cast" in mixed.files["model.mlir"] and "!ee.fixed<10, 5>" in mixed.files["model.mlir"]


def test_generated_configuration_prints_each_layers_types(mixed: eecc.Project) -> None:
    config = mixed.files["hls/blenet_config.h"]
    assert ("in ap_fixed<16,8>, out ap_fixed<12,6>, weight ap_fixed<16,8>, bias "
            "ap_fixed<12,6>, accumulator exact") in config
    assert "in ap_fixed<12,6>, out ap_fixed<10,5>, weight ap_fixed<10,5>" in config
    assert "eecc::cast_config" in config and "static const int shift = -3;" in config
    assert "static const unsigned frac_bits = 5;" in config   # the exit decision's logits
    assert "eecc_exp_lut_f5" in mixed.files["hls/blenet_weights.h"]


# ------------------------------------------------------------------ reference, cost, csim

def digits(n: int = 360) -> np.ndarray:
    return load_array(digits_path((1, 28, 28)))[:n]


def test_reference_follows_the_layer_formats(mixed: eecc.Project, uniform: eecc.Project) -> None:
    x = digits(128)
    a, b = mixed.predict(x), uniform.predict(x)
    assert not np.array_equal(a.raw, b.raw)  # the formats change the arithmetic
    early = a.exits == 0
    assert early.any()
    # exit 0's logits were <10,5>, widened exactly to <16,8>: multiples of 8 within +-2^12
    assert (a.raw[early] % 8 == 0).all() and np.abs(a.raw[early]).max() <= 1 << 12
    assert (a.classes == b.classes).mean() > 0.95


def test_eecc_run_on_the_project_ir_equals_predict(mixed: eecc.Project, tmp_path: Path) -> None:
    from eecc.reference import FixedConfig, run_graph
    from eecc.reference.model import load_model

    (tmp_path / "model.mlir").write_text(mixed.files["model.mlir"])
    from eecc.csim import without_repacks

    x = digits(64)
    ran = run_graph(without_repacks(load_model(tmp_path / "model.mlir")), x, FixedConfig())
    assert np.array_equal(ran.raw, mixed.predict(x).raw)


def test_cost_model_prices_narrower_layers(mixed: eecc.Project, uniform: eecc.Project) -> None:
    zc706 = load_platform("zc706")
    narrow, wide = by_name(mixed), by_name(uniform)
    fold = Fold(coarse_in=5, coarse_out=2, fine=3)
    head_n, head_w = resources(narrow[HEAD_CONV], fold, zc706), resources(wide[HEAD_CONV], fold, zc706)
    assert head_n.lut < head_w.lut and head_n.ff < head_w.ff
    fc_fold = Fold(coarse_in=10, coarse_out=10)
    assert resources(narrow[HEAD_FC], fc_fold, zc706).lut < resources(wide[HEAD_FC], fc_fold, zc706).lut
    decide_n = resources(narrow["/If"], Fold(), zc706)
    decide_w = resources(wide["/If"], Fold(), zc706)
    # exp table 16*2^5+1 = 513 words of 32 bits (2 BRAM18 of 512) instead of 4097 (9);
    # the exp DSPs int(0.4375 * 10) instead of int(0.4375 * 16)
    assert (decide_n.bram, decide_w.bram) == (2, 9) and decide_n.dsp < decide_w.dsp
    ops = {o["name"]: o for o in mixed.report["ops"]}
    assert ops["/If"]["resources"]["bram"] == 2


def test_mixed_precision_blenet_csim_is_bit_exact(mixed: eecc.Project) -> None:
    pytest.importorskip("hls4ml")
    x = digits()
    hw = mixed.csim(x)
    ref = mixed.predict(x)
    assert np.array_equal(hw.exits, ref.exits)
    assert np.array_equal(hw.logits_raw, ref.raw)
    assert set(np.unique(hw.exits)) == {0, 1}
