"""The human-readable files of an `eecc compile` project: `report.md` and `README.md`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from eecc.onnx_import.build import ascii_name

if TYPE_CHECKING:
    from eecc.compile import CompileOptions

FULL = 0.95  # a resource share above which routing is likely to fail

FOLDERS = {
    "hls": "HLS C++: the whole network's DATAFLOW top and one IP top per layer "
           "(`hls/layers/<layer>_top.cpp`), configs and weight tables",
    "tb": "C-simulation testbench (`eecc csim OUTDIR`)",
    "tcl": "Vivado flow: `project.tcl` holds this design's data (part, clock, layer IPs, "
           "stream connections, FIFO depths, DMA ports); the other scripts are eecc's static flow",
    "host": "bare-metal host program for the Xilinx SDK (standalone BSP): DMA, timing, results",
}


def _rates(opts: CompileOptions) -> str:
    if opts.profile is not None:
        return f"profile `{ascii_name(opts.profile.name)}`"
    return "p = " + ", ".join(f"{p:g}" for p in opts.p)


def _thresholds(opts: CompileOptions) -> str:
    if opts.threshold_set is not None:
        return f"of sweep entry {opts.threshold_set} of the profile"
    if opts.thresholds:
        return ", ".join(f"{t:g}" for t in opts.thresholds)
    return "the model's"


def _share(est: Any) -> str:
    """Each resource's share of the platform: the accelerator and its shell together."""
    share = est.total.fraction(est.platform)
    return ", ".join(f"{k.upper()} {100 * v:.1f}%" for k, v in share.items())


def _shell(est: Any) -> str:
    share = est.shell.total.fraction(est.platform) if est.shell else {}
    return ", ".join(f"{k.upper()} {100 * v:.1f}%" for k, v in share.items()) or "not priced"


def _layers(opts: CompileOptions) -> str:
    """` (default), per layer from P.json: ...`: the layers with their own formats."""
    from eecc.precision import load_precision

    config = load_precision(opts.precision)
    if config is None:
        return ""
    source = ascii_name(Path(config.source).name) if config.source != "precision" else "precision"
    entries = ", ".join(
        f"{ascii_name(name)} " + " ".join(f"{k} ap_fixed<{v[0]},{v[1]}>" for k in
                                          ("result", "weight", "bias")
                                          if (v := getattr(e, k)) is not None)
        for name, e in sorted(config.layers.items()))
    return f" (default); from {source}: {entries or 'the default only'}"


def summary(name: str, opts: CompileOptions, est: Any) -> list[str]:
    """A few lines: what was compiled, for what, and what the cost model expects."""
    p = est.platform
    return [
        f"- model: `{ascii_name(opts.model.name)}` (`{name}`), stage rates from {_rates(opts)}",
        f"- platform: {p.name} ({p.part}) at {est.clock_mhz:g} MHz, budget {opts.budget:g} "
        f"of each resource, batch {est.batch}",
        f"- precision: activations ap_fixed<{opts.data_format[0]},{opts.data_format[1]}>, "
        f"weights ap_fixed<{opts.weight_format[0]},{opts.weight_format[1]}>{_layers(opts)}; "
        f"exit thresholds {_thresholds(opts)}",
        f"- expected throughput: {est.throughput:.1f} samples/s "
        f"(infinite-buffer bound {est.throughput_infinite:.1f})",
        f"- resources: {_share(est)}",
        f"- of which the shell (PS7, DMA, interconnects, a FIFO per stream link, a wrapper "
        f"per IP port): {_shell(est)}",
    ]


def report_md(name: str, opts: CompileOptions, est: Any, table: str) -> str:
    """`report.md`: the summary and the `-t report` table."""
    return "\n".join([f"# {name}: cost-model report", "", *summary(name, opts, est), "",
                      "```", table.rstrip("\n"), "```", ""])


def readme(name: str, opts: CompileOptions, est: Any, paths: list[str]) -> str:
    """`README.md`: how to build the project with Vivado and what each folder holds."""
    folders = [f"- `{d}/`: {text}" for d, text in FOLDERS.items()
               if any(p.startswith(d + "/") for p in paths)]
    return "\n".join([
        f"# {name}: early-exit accelerator for {est.platform.name}",
        "",
        *summary(name, opts, est),
        "",
        "## Contents",
        "",
        *folders,
        "- `model.mlir`: the compiled IR (folds, rates, costs, locations)",
        "- `report.md`, `report.json`: the cost model's estimate per stage and op",
        "",
        "## Build (Vivado HLS / Vivado 2019.1)",
        "",
        "```sh",
        "vivado_hls -f tcl/project.tcl                 # one IP per layer -> build/hls/",
        "vivado -mode batch -source tcl/project.tcl    # block design, bitstream -> build/vivado/",
        "```",
        "",
        "`EECC_STEP=hls|bd|all` chooses the step when one tool runs both. The block design "
        "holds the Zynq PS (board preset), an AXI DMA in simple mode (32-bit streams) on "
        "HP0/HP1, the layer IPs joined by AXI-Stream FIFOs lane by lane, and the DMA's "
        "interrupts. Then, in the SDK, create a standalone application on the exported "
        "hardware (`build/vivado/<model>.hdf`) and add `host/main.c` and "
        "`host/model_params.h`: it sends one batch, times it and prints one class per sample.",
        "",
        "Check the C++ first, without Vivado: `eecc csim .` (g++ C simulation against "
        "eecc's fixed-point reference).",
        "",
    ])
