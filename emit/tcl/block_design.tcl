# eecc: the Vivado block design, implementation and bitstream (static).
#
# Reads the data of tcl/project.tcl (loaded first when run directly) and builds:
#   ps7        processing_system7, board preset, FCLK0 at the design clock, GP0 master,
#              HP0/HP1 slaves, fabric interrupts
#   rst_ps7    proc_sys_reset on FCLK0
#   dma        axi_dma, simple mode (no scatter-gather), 32-bit streams, polled
#   lite_ic    axi_interconnect: PS7 GP0 -> DMA AXI-Lite registers
#   mem_ic0/1  axi_interconnect: DMA MM2S -> HP0, DMA S2MM -> HP1
#   <layers>   one IP per layer from the HLS exports (build/hls/*/solution1/impl/ip)
#   fifo_<i>   axis_data_fifo on every stream connection, depth from $eecc_fifo_depths,
#              memory (distributed / block) from $eecc_fifo_memories
#   irq_concat xlconcat of the DMA's two interrupts into IRQ_F2P
#   ready_high xlconstant 1 on the TREADY of outputs nobody reads ($eecc_discard)
# With several input (output) lanes, an axis_dwidth_converter + axis_broadcaster
# (axis_combiner + axis_dwidth_converter) puts beat k of the 32-bit DMA stream on lane
# k % lanes, as eecc::dma_unpack (dma_pack) does.

if {![info exists eecc_layers]} {
    set eecc_step none
    source [file join [file dirname [file normalize [info script]]] project.tcl]
}

set eecc_bd_dir [file join $eecc_root build vivado]
set eecc_bd $eecc_model

proc eecc_cell {vlnv name {config {}}} {
    set cell [create_bd_cell -type ip -vlnv $vlnv $name]
    if {[llength $config]} {
        set_property -dict $config $cell
    }
    return $cell
}

proc eecc_intf {from to} {
    connect_bd_intf_net [get_bd_intf_pins $from] [get_bd_intf_pins $to]
}

proc eecc_net {from to} {
    connect_bd_net [get_bd_pins $from] [get_bd_pins $to]
}

# Clock every listed pin from FCLK0; reset with the peripheral (or interconnect) reset.
proc eecc_clock {cell clocks resets {reset_net peripheral_aresetn}} {
    foreach pin $clocks { eecc_net ps7/FCLK_CLK0 $cell/$pin }
    foreach pin $resets { eecc_net rst_ps7/$reset_net $cell/$pin }
}

# --- project -------------------------------------------------------------------
create_project -force $eecc_bd $eecc_bd_dir -part $eecc_part
if {$eecc_board ne ""} {
    set_property board_part $eecc_board [current_project]
}
set eecc_repos {}
foreach eecc_layer $eecc_layers {
    lappend eecc_repos [file join $eecc_root build hls [lindex $eecc_layer 0] solution1 impl ip]
}
set_property ip_repo_paths $eecc_repos [current_project]
update_ip_catalog
create_bd_design $eecc_bd

# --- processing system, reset ----------------------------------------------------
set eecc_ps [eecc_cell xilinx.com:ip:processing_system7:5.5 ps7]
apply_bd_automation -rule xilinx.com:bd_rule:processing_system7 \
    -config {make_external "FIXED_IO, DDR" apply_board_preset "1" Master "Disable" Slave "Disable"} \
    $eecc_ps
set_property -dict [list \
    CONFIG.PCW_FPGA0_PERIPHERAL_FREQMHZ $eecc_clock_mhz \
    CONFIG.PCW_USE_M_AXI_GP0 1 \
    CONFIG.PCW_USE_S_AXI_HP0 1 \
    CONFIG.PCW_USE_S_AXI_HP1 1 \
    CONFIG.PCW_USE_FABRIC_INTERRUPT 1 \
    CONFIG.PCW_IRQ_F2P_INTR 1] $eecc_ps
eecc_cell xilinx.com:ip:proc_sys_reset:5.0 rst_ps7
eecc_net ps7/FCLK_CLK0 rst_ps7/slowest_sync_clk
eecc_net ps7/FCLK_RESET0_N rst_ps7/ext_reset_in
eecc_clock ps7 {M_AXI_GP0_ACLK S_AXI_HP0_ACLK S_AXI_HP1_ACLK} {}

# --- DMA and its AXI interconnects --------------------------------------------------
eecc_cell xilinx.com:ip:axi_dma:7.1 dma [list \
    CONFIG.c_include_sg 0 \
    CONFIG.c_sg_length_width $eecc_dma_length_width \
    CONFIG.c_m_axis_mm2s_tdata_width 32 \
    CONFIG.c_s_axis_s2mm_tdata_width 32 \
    CONFIG.c_mm2s_burst_size 16 \
    CONFIG.c_s2mm_burst_size 16]
eecc_clock dma {s_axi_lite_aclk m_axi_mm2s_aclk m_axi_s2mm_aclk} {axi_resetn}

foreach {eecc_ic eecc_from eecc_to} {
    lite_ic ps7/M_AXI_GP0 dma/S_AXI_LITE
    mem_ic0 dma/M_AXI_MM2S ps7/S_AXI_HP0
    mem_ic1 dma/M_AXI_S2MM ps7/S_AXI_HP1
} {
    eecc_cell xilinx.com:ip:axi_interconnect:2.1 $eecc_ic [list CONFIG.NUM_SI 1 CONFIG.NUM_MI 1]
    eecc_intf $eecc_from $eecc_ic/S00_AXI
    eecc_intf $eecc_ic/M00_AXI $eecc_to
    eecc_clock $eecc_ic {ACLK} {ARESETN} interconnect_aresetn
    eecc_clock $eecc_ic {S00_ACLK M00_ACLK} {S00_ARESETN M00_ARESETN}
}

eecc_cell xilinx.com:ip:xlconcat:2.1 irq_concat [list CONFIG.NUM_PORTS 2]
eecc_net dma/mm2s_introut irq_concat/In0
eecc_net dma/s2mm_introut irq_concat/In1
eecc_net irq_concat/dout ps7/IRQ_F2P

# --- layer IPs and their stream connections ------------------------------------------
foreach eecc_layer $eecc_layers {
    lassign $eecc_layer eecc_name eecc_top
    eecc_cell $eecc_ip_vendor:$eecc_ip_library:$eecc_top:$eecc_ip_version $eecc_name
    eecc_clock $eecc_name {ap_clk} {ap_rst_n}
}

set eecc_i 0
foreach eecc_link $eecc_connections eecc_depth $eecc_fifo_depths eecc_memory $eecc_fifo_memories {
    lassign $eecc_link eecc_src eecc_src_port eecc_dst eecc_dst_port
    set eecc_fifo fifo_$eecc_i
    eecc_cell xilinx.com:ip:axis_data_fifo:2.0 $eecc_fifo \
        [list CONFIG.FIFO_DEPTH $eecc_depth CONFIG.FIFO_MEMORY_TYPE $eecc_memory]
    eecc_clock $eecc_fifo {s_axis_aclk} {s_axis_aresetn}
    eecc_intf $eecc_src/$eecc_src_port $eecc_fifo/S_AXIS
    eecc_intf $eecc_fifo/M_AXIS $eecc_dst/$eecc_dst_port
    incr eecc_i
}

# Output streams the design does not use (the merge's exit index): always ready
if {[llength $eecc_discard]} {
    eecc_cell xilinx.com:ip:xlconstant:1.1 ready_high [list CONFIG.CONST_VAL 1 CONFIG.CONST_WIDTH 1]
    foreach eecc_port $eecc_discard {
        eecc_net ready_high/dout [join $eecc_port /]_TREADY
    }
}

# --- DMA streams: one 32-bit stream <-> the first layer's / the merge's lanes ------------
set eecc_in_lanes [llength $eecc_dma_in]
if {$eecc_in_lanes == 1} {
    eecc_intf dma/M_AXIS_MM2S [join [lindex $eecc_dma_in 0] /]
} else {
    eecc_cell xilinx.com:ip:axis_dwidth_converter:1.1 dma_in_width [list \
        CONFIG.S_TDATA_NUM_BYTES 4 CONFIG.M_TDATA_NUM_BYTES [expr {4 * $eecc_in_lanes}] \
        CONFIG.HAS_TLAST 1 CONFIG.HAS_TKEEP 1]
    set eecc_remap [list CONFIG.NUM_MI $eecc_in_lanes CONFIG.S_TDATA_NUM_BYTES \
        [expr {4 * $eecc_in_lanes}] CONFIG.M_TDATA_NUM_BYTES 4 CONFIG.HAS_TLAST 1]
    for {set eecc_l 0} {$eecc_l < $eecc_in_lanes} {incr eecc_l} {
        set eecc_lo [expr {32 * $eecc_l}]
        lappend eecc_remap [format CONFIG.M%02d_TDATA_REMAP $eecc_l] \
            "tdata\[[expr {$eecc_lo + 31}]:$eecc_lo\]"
    }
    eecc_cell xilinx.com:ip:axis_broadcaster:1.1 dma_in_split $eecc_remap
    eecc_clock dma_in_width {aclk} {aresetn}
    eecc_clock dma_in_split {aclk} {aresetn}
    eecc_intf dma/M_AXIS_MM2S dma_in_width/S_AXIS
    eecc_intf dma_in_width/M_AXIS dma_in_split/S_AXIS
    set eecc_l 0
    foreach eecc_port $eecc_dma_in {
        eecc_intf [format dma_in_split/M%02d_AXIS $eecc_l] [join $eecc_port /]
        incr eecc_l
    }
}

set eecc_out_lanes [llength $eecc_dma_out]
if {$eecc_out_lanes == 1} {
    eecc_intf [join [lindex $eecc_dma_out 0] /] dma/S_AXIS_S2MM
} else {
    eecc_cell xilinx.com:ip:axis_combiner:1.1 dma_out_join [list \
        CONFIG.NUM_SI $eecc_out_lanes CONFIG.TDATA_NUM_BYTES 4 CONFIG.HAS_TLAST 1]
    eecc_cell xilinx.com:ip:axis_dwidth_converter:1.1 dma_out_width [list \
        CONFIG.S_TDATA_NUM_BYTES [expr {4 * $eecc_out_lanes}] CONFIG.M_TDATA_NUM_BYTES 4 \
        CONFIG.HAS_TLAST 1 CONFIG.HAS_TKEEP 1]
    eecc_clock dma_out_join {aclk} {aresetn}
    eecc_clock dma_out_width {aclk} {aresetn}
    set eecc_l 0
    foreach eecc_port $eecc_dma_out {
        eecc_intf [join $eecc_port /] [format dma_out_join/S%02d_AXIS $eecc_l]
        incr eecc_l
    }
    eecc_intf dma_out_join/M_AXIS dma_out_width/S_AXIS
    eecc_intf dma_out_width/M_AXIS dma/S_AXIS_S2MM
}

# --- addresses, checks, wrapper, bitstream -------------------------------------------
assign_bd_address
validate_bd_design
save_bd_design
set eecc_bd_file [get_files $eecc_bd.bd]
make_wrapper -files $eecc_bd_file -top
add_files -norecurse [file join $eecc_bd_dir $eecc_bd.srcs sources_1 bd $eecc_bd hdl \
    ${eecc_bd}_wrapper.v]
set_property top ${eecc_bd}_wrapper [current_fileset]
update_compile_order -fileset sources_1
launch_runs impl_1 -to_step write_bitstream -jobs 2
wait_on_run impl_1

# Hardware description for the SDK (bare-metal host code in host/)
set eecc_sysdef [file join $eecc_bd_dir $eecc_bd.runs impl_1 ${eecc_bd}_wrapper.sysdef]
if {[file exists $eecc_sysdef]} {
    file copy -force $eecc_sysdef [file join $eecc_bd_dir $eecc_bd.hdf]
}
puts "eecc: bitstream in [file join $eecc_bd_dir $eecc_bd.runs impl_1]"
