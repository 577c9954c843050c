"""The shell around the accelerator: what the block design adds to the layer IPs, priced.

`emit/tcl/block_design.tcl` builds, besides one IP per layer: processing_system7 (`ps7`),
proc_sys_reset (`rst_ps7`), an axi_dma 7.1 in simple mode (`dma`: 32-bit memory map and
streams, bursts of 16, a 26-bit length register, no scatter-gather, no re-alignment),
three axi_interconnect 2.1 of one slave and one master port each (`lite_ic`: PS7 GP0 to the
DMA's AXI-Lite registers; `mem_ic0`, `mem_ic1`: the DMA's MM2S / S2MM masters to HP0 / HP1),
an xlconcat and an xlconstant (wires), an axis_data_fifo 2.0 on every stream connection
(`emit/_tcl_graph.py` `Design.links`, one per lane), and with several DMA lanes an
axis_dwidth_converter + axis_broadcaster (input) or axis_combiner + axis_dwidth_converter
(output). Each layer IP has, per AXI-Stream port, the wrapper its top (`emit/_hls_ip.py`)
puts around the library call.

None of these figures is measured, and none is copied from a table: the resource tables
of PG021 (AXI DMA), PG059 (AXI Interconnect) and PG085 (AXI4-Stream Infrastructure) are
published on AMD's web pages, which eecc's sources could not reach. Every figure below is
derived from the structure the product guides describe, with the explicit primitive rules
of this module (registers, counters, multiplexers, FIFOs through `eecc.cost.bram`), and
each assumption is stated where it is made; replace them by a Vivado utilisation report
of an emitted design when one exists. Units: LUT, FF, DSP, BRAM18K blocks.

Primitive rules (7-series):
- a register of n bits: n FF (a clock enable needs no LUT);
- a counter of n bits: n FF and n LUT (one LUT per bit in front of the carry chain);
- a k:1 multiplexer per bit: ceil((k - 1) / 3) LUT (a LUT6 selects among 4, each further
  LUT adds 3 inputs; as `eecc.cost.stream.repack_resources`);
- a FIFO of depth D and width W: its storage by `eecc.cost.bram` (LUTRAM when it holds at
  most 1,024 bits or is at most 32 deep, else BRAM18K), plus a write and a read pointer of
  ceil(log2 D) + 1 bits each (counters) and four flag registers (full, empty, valid, ready).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from eecc.cost.bram import fifo_bram, fifo_in_lutram, fifo_luts
from eecc.cost.platform import Resources

AXIS_WORD_BITS = 32 + 4 + 1
"""Bits an axis_data_fifo stores per beat: TDATA 32, TKEEP 4, TLAST 1 (`eecc::axis_word`,
emit/include/eecc/axis.h; TVALID and TREADY are the handshake, not stored)."""
WORD_BITS = 16 + 16 + 1  # eecc::word inside an IP: sample ID, data, end flag
CTRL_WORD_BITS = 16 + 1 + 1  # eecc::ctrl_word: sample ID, exit flag, end flag
IP_STREAM_DEPTH = 16  # the IP tops' local streams (emit/_hls_ip.py, IP_FIFO_DEPTH)
AXIS_FIFO_DEPTHS = (16, 32768)  # axis_data_fifo 2.0: FIFO_DEPTH a power of two in this range
DMA_DATA_BITS = 32  # the DMA's memory-map and stream width (block_design.tcl)
DMA_LENGTH_BITS = 26  # emit/_tcl_data.py DMA_LENGTH_WIDTH
DMA_BURST = 16  # c_mm2s_burst_size = c_s2mm_burst_size
ADDRESS_BITS = 32
HP_DATA_BITS = 64  # PS7 S_AXI_HP0/1 default width
GP_ID_BITS = 12  # PS7 M_AXI_GP0 ID width


def register(bits: int) -> Resources:
    """A register of `bits` bits: that many FF."""
    return Resources(ff=bits)


def counter(bits: int) -> Resources:
    """A counter of `bits` bits: one FF and one LUT per bit."""
    return Resources(lut=bits, ff=bits)


def mux_luts(inputs: int) -> int:
    """LUTs per bit of an `inputs`:1 multiplexer (0 for a wire)."""
    return 0 if inputs <= 1 else math.ceil((inputs - 1) / 3)


def mux_register(bits: int, inputs: int) -> Resources:
    """A register of `bits` bits loaded through an `inputs`:1 multiplexer."""
    return Resources(lut=bits * mux_luts(inputs), ff=bits)


def fifo(depth: int, width: int) -> Resources:
    """A FIFO of `depth` words x `width` bits: storage (`eecc.cost.bram`) and control."""
    pointer = math.ceil(math.log2(max(depth, 2))) + 1
    storage = Resources(lut=fifo_luts(depth, width), bram=fifo_bram(depth, width))
    return storage + counter(2 * pointer) + register(4)


def register_slice(width: int) -> Resources:
    """A fully registered AXI-Stream slice (PG085 axis_register_slice, "full" mode; the
    `regslice_both` HLS puts on an axis port): a main and a skid register, a 2:1 multiplexer
    per bit, two handshake flags and their logic."""
    return mux_register(width, 2) + register(width) + Resources(lut=2, ff=2)


def axis_fifo_memory(depth: int, width: int = AXIS_WORD_BITS) -> str:
    """The axis_data_fifo's FIFO_MEMORY_TYPE the block design sets on a link of `depth`
    words: the memory `axis_data_fifo` prices it in (`eecc.cost.bram.fifo_in_lutram`), so
    Vivado builds the FIFO the cost model counts instead of choosing one itself ("auto")."""
    return "distributed" if fifo_in_lutram(depth, width) else "block"


def axis_data_fifo(depth: int, width: int = AXIS_WORD_BITS) -> Resources:
    """One axis_data_fifo 2.0 of FIFO_DEPTH `depth` on a stream link (PG085): a FIFO of
    `width` bits per beat. The depth must be one the IP can build (a power of two, 16 to
    32,768), as `passes/_fifo_depths.py` rounds every link's depth."""
    low, high = AXIS_FIFO_DEPTHS
    if not low <= depth <= high or depth & (depth - 1):
        raise ValueError(f"axis_data_fifo depth {depth} is not a power of two in [{low}, {high}]")
    return fifo(depth, width)


def port_wrapper(ctrl: bool = False) -> Resources:
    """One AXI-Stream port (one lane) of a layer IP, as its top is emitted (emit/_hls_ip.py):
    a register slice on the port (the conservative rule: HLS versions from 2020.1 insert
    one; with Vivado HLS 2019.1 this over-counts it), the conversion loop's word register
    (`eecc::from_axis` / `to_axis`, or the `ctrl_` forms) and its local stream of
    `IP_STREAM_DEPTH` words (`config_dataflow -fifo_depth 16`)."""
    inner = CTRL_WORD_BITS if ctrl else WORD_BITS
    return register_slice(AXIS_WORD_BITS) + register(inner) + fifo(IP_STREAM_DEPTH, inner)


@dataclass(frozen=True)
class ShellIp:
    """One fixed IP of the block design: its instance, VLNV, resources and the rule."""

    name: str
    vlnv: str
    resources: Resources
    rule: str


def _reset() -> Resources:
    # PG164: external and auxiliary reset inputs, each a 2-FF synchroniser and a 4-cycle
    # low-pass filter; a 6-bit sequence counter with a 3-bit state; 5 registered outputs
    return register(2 * (2 + 4)) + counter(6) + register(3) + register(5) + Resources(lut=8)


def _dma_channel() -> Resources:
    # PG021 direct register mode, per channel: DMACR (8 used bits), DMASR (16), address,
    # length registers; the DataMover (PG022): a command register (address, length, 8 tag
    # and flag bits), address and bytes-left counters, an 8-bit beat counter, a status
    # register (8), a register slice on the stream and a data FIFO of two bursts
    # (assumed: one burst in flight while the other drains)
    regs = register(8 + 16 + ADDRESS_BITS + DMA_LENGTH_BITS)
    command = register(ADDRESS_BITS + DMA_LENGTH_BITS + 8)
    movers = counter(ADDRESS_BITS) + counter(DMA_LENGTH_BITS) + counter(8) + register(8)
    return (regs + command + movers + register_slice(AXIS_WORD_BITS)
            + fifo(2 * DMA_BURST, AXIS_WORD_BITS))


def _dma() -> Resources:
    # the AXI4-Lite slave: address (8) and write data registers, a read-data register
    # through a 10:1 multiplexer (5 registers per channel), 6 handshake flags; 2 interrupts
    lite = register(8 + DMA_DATA_BITS) + mux_register(DMA_DATA_BITS, 10) + register(6)
    return lite + _dma_channel() * 2 + register(2)


def _command(len_bits: int, id_bits: int = 0) -> Resources:
    # one AXI address channel held in a converter: address, length, size 3, burst 2,
    # cache 4, prot 3, ID; and a beat counter of the length's width
    return register(ADDRESS_BITS + len_bits + 3 + 2 + 4 + 3 + id_bits) + counter(len_bits)


def _lite_ic() -> Resources:
    # PG059, one SI and one MI: no crossbar; GP0 (AXI3, 12-bit ID) to AXI4-Lite: a protocol
    # converter that splits bursts into single beats, on the write and the read address
    # channel, holding the ID for the response, and 16 LUT of handshake logic
    return _command(4, GP_ID_BITS) * 2 + Resources(lut=16, ff=4)


def _mem_ic(write: bool) -> Resources:
    # PG059, one SI and one MI: no crossbar; the DMA's AXI4 master (32 bit, one direction)
    # to an AXI3 HP port (64 bit): an AXI4-to-AXI3 protocol converter (burst split: one
    # address channel) and a 32-to-64 upsizer (one wide data register and a 2:1 lane
    # multiplexer of the narrow data, a command queue of 32 x 16 bits), 16 LUT of control
    strobe = HP_DATA_BITS // 8 if write else 2  # write strobes, or the read response
    upsizer = (register(HP_DATA_BITS + strobe + 1) + mux_register(DMA_DATA_BITS + 1, 2)
               + fifo(32, 16))
    return _command(8) + upsizer + Resources(lut=16, ff=4)


FIXED_IPS: tuple[ShellIp, ...] = (
    ShellIp("ps7", "xilinx.com:ip:processing_system7:5.5", Resources(),
            "the processing system is hard silicon (UG585): no fabric"),
    ShellIp("rst_ps7", "xilinx.com:ip:proc_sys_reset:5.0", _reset(),
            "PG164 structure: synchronisers, filters, sequencer, outputs"),
    ShellIp("dma", "xilinx.com:ip:axi_dma:7.1", _dma(),
            "PG021 direct register mode: AXI-Lite registers + two DataMover channels"),
    ShellIp("lite_ic", "xilinx.com:ip:axi_interconnect:2.1", _lite_ic(),
            "PG059 1x1: AXI3-to-AXI4-Lite protocol converter"),
    ShellIp("mem_ic0", "xilinx.com:ip:axi_interconnect:2.1", _mem_ic(write=False),
            "PG059 1x1: AXI4-to-AXI3 converter + 32-to-64 upsizer, read only"),
    ShellIp("mem_ic1", "xilinx.com:ip:axi_interconnect:2.1", _mem_ic(write=True),
            "PG059 1x1: AXI4-to-AXI3 converter + 32-to-64 upsizer, write only"),
    ShellIp("irq_concat", "xilinx.com:ip:xlconcat:2.1", Resources(), "wires"),
    ShellIp("ready_high", "xilinx.com:ip:xlconstant:1.1", Resources(), "a constant"),
)


def fixed_resources() -> Resources:
    """The fixed IPs together: what every design's shell costs whatever its folds."""
    return sum((ip.resources for ip in FIXED_IPS), Resources())


def dma_adapters(lanes_in: int, lanes_out: int) -> Resources:
    """The DMA's lane adapters (PG085), present only with more than one lane:

    - input (L lanes): an axis_dwidth_converter 4 -> 4L bytes (L slots of TDATA + TKEEP and
      TLAST, loaded by a ceil(log2 L)-bit slot counter, one enable LUT per slot) and an
      axis_broadcaster to L outputs (the data are wires; one accepted flag and one LUT per
      output, one more LUT);
    - output (L lanes): an axis_combiner of L inputs (wires; L + 1 LUT of handshake) and an
      axis_dwidth_converter 4L -> 4 bytes (the wide beat in a register, an L:1 multiplexer
      of the narrow beat, a slot counter)."""
    out = Resources()
    narrow = DMA_DATA_BITS + 4
    if lanes_in > 1:
        slots = math.ceil(math.log2(lanes_in))
        out += register(narrow * lanes_in + 1) + counter(slots) + Resources(lut=lanes_in)
        out += register(lanes_in) + Resources(lut=lanes_in + 1)
    if lanes_out > 1:
        slots = math.ceil(math.log2(lanes_out))
        out += Resources(lut=lanes_out + 1)
        out += (register(narrow * lanes_out + 1) + counter(slots)
                + Resources(lut=narrow * mux_luts(lanes_out)))
    return out


@dataclass(frozen=True)
class ShellEstimate:
    """The shell of one block design: fixed IPs, link FIFOs, port wrappers, DMA adapters."""

    fixed: Resources
    fifos: Resources
    wrappers: Resources
    adapters: Resources
    links: int = 0
    ports: int = 0
    note: str = ""  # why the design-dependent parts are missing, when they are

    @property
    def variable(self) -> Resources:
        """What depends on the folds: the FIFOs, the port wrappers and the DMA adapters."""
        return self.fifos + self.wrappers + self.adapters

    @property
    def total(self) -> Resources:
        return self.fixed + self.variable


def shell_estimate(depths: Sequence[int], data_ports: int, ctrl_ports: int,
                   lanes_in: int = 1, lanes_out: int = 1) -> ShellEstimate:
    """The shell of a block design with one stream link per entry of `depths` (its
    axis_data_fifo depth), `data_ports` + `ctrl_ports` AXI-Stream ports on its layer IPs
    and `lanes_in` / `lanes_out` DMA lanes."""
    fifos = sum((axis_data_fifo(d) for d in depths), Resources())
    wrappers = port_wrapper() * data_ports + port_wrapper(ctrl=True) * ctrl_ports
    return ShellEstimate(fixed_resources(), fifos, wrappers, dma_adapters(lanes_in, lanes_out),
                         len(depths), data_ports + ctrl_ports)


def fixed_only(note: str) -> ShellEstimate:
    """The shell of a network whose block design cannot be built: the fixed IPs only."""
    return ShellEstimate(fixed_resources(), Resources(), Resources(), Resources(), note=note)
