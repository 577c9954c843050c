# eecc flow entry (static): runs the step chosen for the project data already loaded.
#
# The step is $eecc_step when a caller set it, else $::env(EECC_STEP), else the tool
# running this script: Vivado HLS (which has csynth_design) builds the layer IPs, Vivado
# builds the block design and the bitstream.
#   hls   one IP per layer (build_hls.tcl)
#   bd    block design, implementation, bitstream (block_design.tcl)
#   all   both, in that order (only where both tools' commands exist)
#   none  load the data only

if {![info exists eecc_step]} {
    if {[info exists ::env(EECC_STEP)]} {
        set eecc_step $::env(EECC_STEP)
    } elseif {[llength [info commands csynth_design]]} {
        set eecc_step hls
    } else {
        set eecc_step bd
    }
}

switch -- $eecc_step {
    hls  { source [file join $eecc_tcl_dir build_hls.tcl] }
    bd   { source [file join $eecc_tcl_dir block_design.tcl] }
    all  {
        source [file join $eecc_tcl_dir build_hls.tcl]
        source [file join $eecc_tcl_dir block_design.tcl]
    }
    none {}
    default { error "eecc: unknown step '$eecc_step' (expected hls, bd, all or none)" }
}
