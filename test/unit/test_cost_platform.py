"""Platforms load by name or path, reject bad files with one-line errors; Resources add up."""

from __future__ import annotations

import json

import pytest

from eecc.cost.platform import (
    PLATFORM_DIR,
    PlatformError,
    Resources,
    known_platforms,
    load_platform,
)


@pytest.mark.parametrize(("name", "part", "dsp", "bram"), [
    ("zc706", "xc7z045ffg900-2", 900, 1090),
    ("zcu106", "xczu7ev-ffvc1156-2-e", 1728, 624),
    ("vu440", "xcvu440-flga2892-3-e", 2880, 5040),
])
def test_shipped_platforms(name, part, dsp, bram):
    p = load_platform(name)
    assert (p.name, p.part, p.dsp, p.bram) == (name, part, dsp, bram)
    assert p.source


def test_zc706_figures():
    p = load_platform("ZC706")
    assert (p.lut, p.ff, p.clock_mhz, p.port_width_bits, p.dsp_kind) == (
        218600, 437200, 125, 64, "DSP48E1")
    assert p.board == "xilinx.com:zc706:part0:1.4"
    assert p.streams(16) == 4 and p.clock_hz == 125e6


def test_unknown_name_lists_known_ones():
    with pytest.raises(PlatformError, match="unknown platform 'zc702'.*zc706") as err:
        load_platform("zc702")
    assert "\n" not in str(err.value)
    assert set(known_platforms()) >= {"zc706", "zcu106", "vu440"}


def _write(tmp_path, **changes):
    data = json.loads((PLATFORM_DIR / "zc706.json").read_text())
    data.update(changes)
    for key, value in changes.items():
        if value is None:
            del data[key]
    path = tmp_path / "board.json"
    path.write_text(json.dumps(data))
    return path


def test_user_file_loads(tmp_path):
    assert load_platform(_write(tmp_path, name="mine", clock_mhz=150)).clock_mhz == 150


@pytest.mark.parametrize(("changes", "message"), [
    ({"dsp": None}, "missing field 'dsp'"),
    ({"bram": -1}, "field 'bram' must be positive"),
    ({"lut": "many"}, "field 'lut' must be a number"),
    ({"clock_mhz": 0}, "field 'clock_mhz' must be positive"),
    ({"dsp_kind": "DSP58"}, "field 'dsp_kind'"),
])
def test_bad_fields_name_file_and_field(tmp_path, changes, message):
    path = _write(tmp_path, **changes)
    with pytest.raises(PlatformError, match=message) as err:
        load_platform(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


def test_not_json(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{lut: 1")
    with pytest.raises(PlatformError, match="not valid JSON"):
        load_platform(path)


def test_resources_arithmetic():
    a, b = Resources(1, 2, 3, 4), Resources(10, 20, 30, 40)
    assert a + b == Resources(11, 22, 33, 44)
    assert a * 2 == 2 * a == Resources(2, 4, 6, 8)
    assert sum([a, b]) == a + b
    assert a.as_dict() == {"lut": 1, "ff": 2, "dsp": 3, "bram": 4}


def test_fits_and_fraction():
    p = load_platform("zc706")
    half = Resources(p.lut / 2, p.ff / 2, p.dsp / 2, p.bram / 2)
    assert half.fraction(p) == {"lut": 0.5, "ff": 0.5, "dsp": 0.5, "bram": 0.5}
    assert half.fits(p) and half.fits(p, 0.5) and not half.fits(p, 0.4)
    assert half.fits(p, {"dsp": 0.5}) and not half.fits(p, {"bram": 0.3})
