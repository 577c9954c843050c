"""`eecc drift`: rates parsed with one-line errors, batches that hit q, deterministic files,
and one short timed sweep of a small design (predicted and timed throughput at each q)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from test_csim import apply, small_module, write_project

from eecc.cli import main
from eecc.csim import reference
from eecc.drift import (
    DriftPoint,
    Sweep,
    batch_reach,
    draw,
    exit_counts,
    parse_q_range,
    sweep_rates,
)
from eecc.errors import EeccError

ONNX = Path(__file__).resolve().parents[2] / "examples" / "blenet" / "blenet.onnx"


def test_q_range_parsing() -> None:
    assert parse_q_range("0.05:0.6") == pytest.approx([0.05 * k for k in range(1, 13)])
    assert parse_q_range("0.2:0.3:0.05") == [0.2, 0.25, 0.3]
    assert parse_q_range("0.2,0.25,0.3") == [0.2, 0.25, 0.3]
    assert parse_q_range("0.4:0.4") == [0.4]


@pytest.mark.parametrize(("text", "message"), [
    ("0.6:0.05", "LO 0.6 is above HI 0.05"),
    ("0.1:0.5:0", "step 0 must be positive"),
    ("0.1:0.5:-0.1", "step -0.1 must be positive"),
    ("a:b", "is not LO:HI[:STEP] or a comma list of numbers"),
    ("0.1:1.5", "exit rates must lie in [0, 1]"),
    ("-0.1,0.2", "exit rates must lie in [0, 1]"),
    ("0:1:0.0001", "gives 10001 rates; at most 200 (use a larger step)"),
    ("0.1:0.2:0.3:0.4", "is not LO:HI[:STEP]"),
    ("nan:0.5", "not finite"),
])
def test_bad_q_range_is_one_line(text: str, message: str, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["drift", str(ONNX), "--p", "0.25", f"--q-range={text}", "-o", str(out)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err, err
    assert err.startswith("eecc drift: error:") and not out.exists()


def test_other_bad_options_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["drift", str(ONNX), "--p", "0.25", "--q-range", "0.2", "-o", str(tmp_path / "o")]
    assert main([*base, "--samples", "1"]) == 1
    assert main([*base, "--robust", "2"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert "--samples 1 is outside [2, 65535]" in err[0] and "--robust 2.0 is outside" in err[1]


@pytest.mark.parametrize(("reach", "n", "counts"), [
    ((1.0, 0.25), 200, (150, 50)),
    ((1.0, 0.6), 360, (144, 216)),
    ((1.0, 0.333), 10, (7, 3)),  # the nearest the batch allows
    ((1.0, 0.3, 0.1), 10, (7, 2, 1)),
    ((1.0, 0.0), 5, (5, 0)),
])
def test_exit_counts_come_closest(reach, n: int, counts) -> None:
    assert exit_counts(reach, n) == counts


def test_drawn_batches_hit_q_and_are_seeded() -> None:
    exits = np.array([0] * 300 + [1] * 60)
    for q in (0.05, 0.2, 0.25, 0.3, 0.6):  # q x 200 is whole: hit exactly
        idx = draw(exits, exit_counts((1.0, q), 200), 3)
        assert len(idx) == 200 and batch_reach(exits[idx], 2) == (pytest.approx(q, abs=0),)
    idx = draw(exits, exit_counts((1.0, 0.6), 200), 3)  # 120 from 60: each twice
    assert np.bincount(idx[exits[idx] == 1]).max() == 2
    assert np.array_equal(draw(exits, (150, 50), 3), draw(exits, (150, 50), 3))
    assert not np.array_equal(draw(exits, (150, 50), 3), draw(exits, (150, 50), 4))
    q = 0.333
    got = batch_reach(exits[draw(exits, exit_counts((1.0, q), 200), 1)], 2)[0]
    assert abs(got - q) <= 0.5 / 200


def test_a_missing_exit_class_is_an_error() -> None:
    with pytest.raises(EeccError, match="no held-out sample takes exit 1"):
        draw(np.zeros(10, dtype=np.int64), (5, 5), 1)


@pytest.fixture(scope="module")
def small_sweep(tmp_path_factory: pytest.TempPathFactory) -> Sweep:
    folder = tmp_path_factory.mktemp("drift")
    module = small_module(folder, 0.6)
    apply(module, "ee-partition")
    apply(module, "ee-annotate-rates", p=(0.3,))
    project = write_project(module, folder / "project")
    pool = np.random.default_rng(0).uniform(-2, 2, size=(40, 2, 6, 6))
    exits = reference(module, pool).exits
    assert 0 < exits.sum() < len(exits)
    return Sweep(project, module, pool, exits, (1.0, 0.3), "zc706", 125.0, 256)


def test_short_sweep_is_timed_and_deterministic(small_sweep: Sweep, tmp_path: Path) -> None:
    from eecc import drift_output as out

    points = sweep_rates(small_sweep, [0.25, 0.5], 16, 1)
    for point, q in zip(points, (0.25, 0.5), strict=True):
        assert point.reach == (q,) and point.reach_timed == (q,)  # timed exits = reference's
        assert point.predicted > 0 and point.timed is not None and point.timed > 0
    again = sweep_rates(small_sweep, [0.25, 0.5], 16, 1)
    assert again == points
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        out.write_json(tmp_path / folder / "drift.json", points, {"seed": 1})
        out.write_csv(tmp_path / folder / "drift.csv", points)
        out.plot(tmp_path / folder / "drift.png", points, "small", 0.3, (0.25, 0.35))
    for name in ("drift.json", "drift.csv", "drift.png"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert b"Software" not in (tmp_path / "a" / "drift.png").read_bytes()


def test_summary_flags_the_5_percent_band() -> None:
    from eecc.drift_output import summary

    ok = DriftPoint(0.2, (8, 2), (0.2,), 100.0, 104.0)
    off = DriftPoint(0.3, (7, 3), (0.3,), 100.0, 93.0)
    assert summary([ok]) == {"worst_ratio": 1.04, "all_within_5pct": True}
    assert summary([ok, off]) == {"worst_ratio": 0.93, "all_within_5pct": False}
