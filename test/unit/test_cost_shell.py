"""The shell around the accelerator (eecc.cost.shell): its rules, its count of the emitted
block design, and the fold's reserve: accelerator + shell within budget x the part."""

from __future__ import annotations

import pytest
from test_fold_pass import folded

from eecc.block_design import design_shell, network_design
from eecc.cost import load_platform
from eecc.cost.bram import fifo_bram, fifo_luts
from eecc.cost.platform import Resources
from eecc.cost.shell import (
    AXIS_WORD_BITS,
    FIXED_IPS,
    IP_STREAM_DEPTH,
    axis_data_fifo,
    counter,
    dma_adapters,
    fifo,
    fixed_resources,
    mux_luts,
    port_wrapper,
    register,
    shell_estimate,
)
from eecc.emit._hls_ip import IP_FIFO_DEPTH
from eecc.emit._tcl_data import DMA_LENGTH_WIDTH
from eecc.emit.report import json_report, text_report
from eecc.network import NetworkModel, estimate_network, find_graph

ZC706 = load_platform("zc706")


def test_primitives_follow_their_rules() -> None:
    assert register(7) == Resources(ff=7)
    assert counter(5) == Resources(lut=5, ff=5)
    assert [mux_luts(k) for k in (1, 2, 4, 5, 7, 8)] == [0, 1, 1, 2, 2, 3]
    # a FIFO: bram.py's storage + two pointers of log2(D) + 1 bits + 4 flags
    assert fifo(64, 37) == Resources(lut=2 * 7, ff=2 * 7 + 4, bram=fifo_bram(64, 37))
    assert fifo(16, 33) == Resources(lut=fifo_luts(16, 33) + 2 * 5, ff=2 * 5 + 4)


def test_axis_data_fifo_uses_bram_rules_and_legal_depths() -> None:
    assert AXIS_WORD_BITS == 37  # TDATA 32 + TKEEP 4 + TLAST 1
    assert axis_data_fifo(32).bram == 0 and axis_data_fifo(32).lut > 0  # LUTRAM: <= 32 deep
    assert axis_data_fifo(64).bram == 2  # 37 bits: two 36-bit BRAM18K slices
    for depth in (8, 48, 65536):
        with pytest.raises(ValueError, match="not a power of two"):
            axis_data_fifo(depth)


def test_constants_agree_with_the_emitters() -> None:
    assert IP_STREAM_DEPTH == IP_FIFO_DEPTH
    from eecc.cost import shell

    assert shell.DMA_LENGTH_BITS == DMA_LENGTH_WIDTH


def test_fixed_ips_the_block_design_emits() -> None:
    names = {ip.name for ip in FIXED_IPS}
    assert names == {"ps7", "rst_ps7", "dma", "lite_ic", "mem_ic0", "mem_ic1", "irq_concat",
                     "ready_high"}
    by_name = {ip.name: ip.resources for ip in FIXED_IPS}
    assert by_name["ps7"] == Resources()  # hard silicon
    assert fixed_resources() == sum(by_name.values(), Resources())
    assert fixed_resources().dsp == 0


def test_shell_estimate_adds_its_parts() -> None:
    est = shell_estimate([16, 64], data_ports=3, ctrl_ports=1, lanes_in=2)
    assert est.links == 2 and est.ports == 4
    assert est.fifos == axis_data_fifo(16) + axis_data_fifo(64)
    assert est.wrappers == port_wrapper() * 3 + port_wrapper(ctrl=True)
    assert est.adapters == dma_adapters(2, 1) and dma_adapters(1, 1) == Resources()
    assert est.total == est.fixed + est.fifos + est.wrappers + est.adapters


def test_fifo_count_is_the_emitted_links() -> None:
    module = folded(1.0)
    graph = find_graph(module)
    design = network_design(graph)
    shell = estimate_network(module, ZC706).shell
    assert shell is not None and not shell.note
    assert shell.links == len(design.links) > 0
    assert shell.fifos == sum((axis_data_fifo(k.depth) for k in design.links), Resources())
    assert shell.ports == 2 * len(design.links) + len(design.dma_in) + len(design.dma_out) \
        + len(design.discard)
    assert design_shell(design) == shell


def test_shell_follows_the_folds() -> None:
    model = NetworkModel(find_graph(folded(1.0)), ZC706)
    unfolded = model.shell([type(f)() for f in model.current_folds()])
    assert unfolded.links < model.shell().links  # one link per lane


def test_shell_is_the_same_after_legalize() -> None:
    from xdsl.context import Context

    from eecc.passes.ee_legalize_hls import EeLegalizeHlsPass

    module = folded(0.5)
    before = estimate_network(module, ZC706)
    EeLegalizeHlsPass().apply(Context(), module)
    after = estimate_network(module, ZC706)
    assert before.shell == after.shell and before.total == after.total


@pytest.mark.parametrize("budget", [0.3, 1.0])
def test_folded_design_and_shell_fit_the_budget(budget: float) -> None:
    est = estimate_network(folded(budget), ZC706)
    assert est.shell is not None and est.shell.variable.lut > 0
    assert est.total == est.resources + est.shell.total
    assert est.total.fits(ZC706, budget)


def test_report_shows_the_shell() -> None:
    est = estimate_network(folded(1.0), ZC706)
    text = text_report(est)
    assert "shell (block design around the accelerator" in text
    assert f"{est.shell.links} axis_data_fifo" in text  # type: ignore[union-attr]
    assert "accelerator  shell  total" in text
    data = json_report(est)
    assert data["shell"]["fifos"]["count"] == est.shell.links  # type: ignore[union-attr]
    assert data["total_resources"]["lut"] == pytest.approx(est.total.lut, abs=1e-3)
    assert max(data["total_share"].values()) <= 1.0
