"""`-t vivado-tcl`: the project data, and the whole flow run under tclsh with Vivado stubs."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from xdsl.context import Context
from xdsl.dialects.builtin import Builtin, ModuleOp
from xdsl.parser import Parser
from xdsl.passes import PassPipeline

from eecc import registry
from eecc.cost.platform import load_platform
from eecc.dialects.ee import EE
from eecc.emit._tcl_graph import build_design
from eecc.emit.naming import layer_names
from eecc.emit.vivado_tcl import emit_tcl_project
from eecc.errors import EeccError
from eecc.network import find_graph

ROOT = Path(__file__).resolve().parents[2]
STUBS = ROOT / "test" / "tcl" / "vivado_stubs.tcl"
PIPELINE = ("ee-partition", "ee-annotate-rates{p=0.25}", "ee-size-buffers", "fold",
            "ee-estimate", "ee-legalize-hls")


def _module(passes: tuple[str, ...]) -> ModuleOp:
    ctx = Context()
    ctx.load_dialect(Builtin)
    ctx.load_dialect(EE)
    text = (ROOT / "examples" / "blenet" / "blenet.mlir").read_text()
    module = Parser(ctx, text, "blenet.mlir").parse_module()
    _apply(ctx, module, passes)
    return module


def _apply(ctx: Context, module: ModuleOp, passes: tuple[str, ...]) -> None:
    PassPipeline.parse_spec(registry.pass_factories(), ",".join(passes)).apply(ctx, module)


@pytest.fixture(scope="module")
def folded() -> ModuleOp:
    return _module(PIPELINE)


def _run_flow(tmp: Path, files: dict[str, str]) -> list[list[str]]:
    for path, text in files.items():
        (tmp / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp / path).write_text(text)
    log = tmp / "stub.log"
    script = (f"set ::env(EECC_STUB_LOG) {{{log}}}\nsource {{{STUBS}}}\n"
              f"set eecc_step all\nsource {{{tmp / 'tcl' / 'project.tcl'}}}\n")
    run = subprocess.run(["tclsh"], input=script, text=True, capture_output=True, cwd=tmp)
    assert run.returncode == 0, run.stderr
    return [line.split("\t") for line in log.read_text().splitlines()]


def _connected(calls: list[list[str]]) -> set[tuple[str, str]]:
    """Stream paths between layer ports, looking through the axis_data_fifos."""
    edges = [(c[1].strip("/"), c[2].strip("/")) for c in calls if c[0] == "connect_bd_intf_net"]
    into = {dst.split("/")[0]: src for src, dst in edges if dst.endswith("/S_AXIS")}
    paths = set()
    for src, dst in edges:
        cell = src.split("/")[0]
        if src.endswith("/M_AXIS") and cell.startswith("fifo_"):
            paths.add((into[cell], dst))
    return paths


needs_tclsh = pytest.mark.skipif(shutil.which("tclsh") is None, reason="tclsh not installed")


@needs_tclsh
def test_flow_under_tclsh(folded: ModuleOp, tmp_path: Path) -> None:
    platform = load_platform("zc706")
    calls = _run_flow(tmp_path, emit_tcl_project(folded, platform))
    design = build_design(find_graph(folded))
    names = set(layer_names(find_graph(folded)).values())
    cells = {c[-1] for c in calls if c[0] == "create_bd_cell"}
    assert names <= cells
    assert {"ps7", "dma", "rst_ps7", "irq_concat", "lite_ic", "mem_ic0", "mem_ic1"} <= cells
    tops = [c[1] for c in calls if c[0] == "set_top"]
    assert sorted(tops) == sorted(f"{n}_top" for n in names)
    assert all(c[c.index("-period") + 1] == "8.000" for c in calls if c[0] == "create_clock")
    assert [c[1] for c in calls if c[0] == "set_part"] == [platform.part] * len(names)
    paths = _connected(calls)
    for link in design.links:
        assert (f"{link.src_ip}/{link.src_port}", f"{link.dst_ip}/{link.dst_port}") in paths
    # every link FIFO is built in the memory the shell's cost prices it in
    from eecc.cost.shell import axis_fifo_memory

    memories = set()
    for i, link in enumerate(design.links):
        config = next(c for c in calls if c[0] == "set_property" and f"/fifo_{i}" in c)[2]
        memory = axis_fifo_memory(link.depth)
        assert f"CONFIG.FIFO_DEPTH {link.depth}" in config
        assert f"CONFIG.FIFO_MEMORY_TYPE {memory}" in config
        memories.add(memory)
    assert memories == {"block", "distributed"}  # B-LeNet's links need both
    intf = {(c[1], c[2]) for c in calls if c[0] == "connect_bd_intf_net"}
    (ip, port), = design.dma_in
    assert ("/dma/M_AXIS_MM2S", f"/{ip}/{port}") in intf
    (ip, port), = design.dma_out
    assert (f"/{ip}/{port}", "/dma/S_AXIS_S2MM") in intf
    nets = {(c[1], c[2]) for c in calls if c[0] == "connect_bd_net"}
    for ip, port in design.discard:
        assert ("/ready_high/dout", f"/{ip}/{port}_TREADY") in nets
    order = [c[0] for c in calls]
    for step in ("assign_bd_address", "validate_bd_design", "make_wrapper", "launch_runs"):
        assert step in order
    assert order.index("assign_bd_address") < order.index("validate_bd_design") \
        < order.index("make_wrapper") < order.index("launch_runs")
    launch = next(c for c in calls if c[0] == "launch_runs")
    assert launch[1:4] == ["impl_1", "-to_step", "write_bitstream"]


@needs_tclsh
def test_several_dma_lanes_use_width_converters(tmp_path: Path) -> None:
    from eecc.emit._tcl_data import STATIC_SCRIPTS, project_tcl, static_script
    from eecc.emit._tcl_graph import Design, Layer

    design = Design(layers=[Layer("ee_relu_4", "ee_relu_4_top", "hls/layers/ee_relu_4_top.cpp")],
                    dma_in=[("ee_relu_4", "in_0"), ("ee_relu_4", "in_1")],
                    dma_out=[("ee_relu_4", "out_0"), ("ee_relu_4", "out_1")])
    files = {"tcl/project.tcl": project_tcl("lanes", design, load_platform("zc706"))}
    files.update({f"tcl/{n}": static_script(n) for n in STATIC_SCRIPTS})
    calls = _run_flow(tmp_path, files)
    intf = {(c[1], c[2]) for c in calls if c[0] == "connect_bd_intf_net"}
    assert ("/dma/M_AXIS_MM2S", "/dma_in_width/S_AXIS") in intf
    assert ("/dma_in_split/M01_AXIS", "/ee_relu_4/in_1") in intf
    assert ("/ee_relu_4/out_1", "/dma_out_join/S01_AXIS") in intf
    assert ("/dma_out_width/M_AXIS", "/dma/S_AXIS_S2MM") in intf
    remap = next(c for c in calls if c[0] == "set_property" and "/dma_in_split" in c)
    assert "CONFIG.M01_TDATA_REMAP {tdata[63:32]}" in remap[2]


def test_project_data(folded: ModuleOp) -> None:
    files = emit_tcl_project(folded, load_platform("zc706"), batch=64)
    text = files["tcl/project.tcl"]
    assert "set eecc_part xc7z045ffg900-2\n" in text
    assert "set eecc_board xilinx.com:zc706:part0:1.4\n" in text
    assert "set eecc_clock_period 8.000\n" in text
    assert text.rstrip().endswith("source [file join $eecc_tcl_dir flow.tcl]")
    assert "#define EECC_BATCH 64u" in files["host/model_params.h"]
    assert sorted(files) == ["host/main.c", "host/model_params.h", "tcl/block_design.tcl",
                             "tcl/build_hls.tcl", "tcl/flow.tcl", "tcl/hls_layer.tcl",
                             "tcl/project.tcl"]


def test_clock_follows_the_platform(folded: ModuleOp) -> None:
    text = emit_tcl_project(folded, load_platform("zcu106"))["tcl/project.tcl"]
    assert "set eecc_clock_period 5.000\n" in text
    assert "set eecc_part xczu7ev-ffvc1156-2-e\n" in text


def test_unlegalised_lanes_are_an_error() -> None:
    module = _module(("ee-partition", "ee-annotate-rates{p=0.25}", "fold"))
    with pytest.raises(EeccError, match="run --ee-legalize-hls"):
        emit_tcl_project(module, load_platform("zc706"))


@pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc not installed")
def test_host_program_against_a_fake_dma(folded: ModuleOp, tmp_path: Path) -> None:
    files = emit_tcl_project(folded, load_platform("zc706"), batch=12)
    for name in ("main.c", "model_params.h"):
        (tmp_path / name).write_text(files[f"host/{name}"])
    stubs = ROOT / "test" / "host_stubs"
    flags = ["-std=c99", "-Wall", "-Wextra", "-Werror", f"-I{stubs}", f"-I{tmp_path}"]
    exe = tmp_path / "host"
    subprocess.run(["gcc", *flags, "-o", str(exe), str(tmp_path / "main.c"),
                    str(stubs / "fake_dma.c")], check=True, capture_output=True, text=True)
    run = subprocess.run([str(exe)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "eecc: blenet, batch of 12"
    assert [f"sample {s}: class {s % 10}" for s in range(12)] == lines[1:13]
    assert lines[13].startswith("eecc: 12 samples in ")
