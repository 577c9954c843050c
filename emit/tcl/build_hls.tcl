# eecc: Vivado HLS synthesis of every layer IP (static; runnable as `vivado_hls -f`).
#
# Loads tcl/project.tcl's data when run directly, then runs hls_layer.tcl once per entry
# of $eecc_layers. Each layer gets its own HLS project under build/hls/<instance>/ and
# its IP catalog export under build/hls/<instance>/solution1/impl/ip.

if {![info exists eecc_layers]} {
    set eecc_step none
    source [file join [file dirname [file normalize [info script]]] project.tcl]
}

foreach eecc_layer $eecc_layers {
    lassign $eecc_layer eecc_layer_name eecc_layer_top eecc_layer_src
    puts "eecc: HLS $eecc_layer_name ($eecc_layer_top)"
    source [file join $eecc_tcl_dir hls_layer.tcl]
}
