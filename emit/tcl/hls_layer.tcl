# eecc: one layer IP through Vivado HLS (static).
#
# Inputs (set by build_hls.tcl): eecc_layer_name, eecc_layer_top, eecc_layer_src, and the
# project data (eecc_root, eecc_part, eecc_clock_period, eecc_hls_includes, eecc_ip_*).

set eecc_hls_dir [file join $eecc_root build hls]
file mkdir $eecc_hls_dir
set eecc_cwd [pwd]
cd $eecc_hls_dir

set eecc_cflags {}
foreach eecc_dir $eecc_hls_includes {
    lappend eecc_cflags "-I[file join $eecc_root $eecc_dir]"
}

open_project -reset $eecc_layer_name
set_top $eecc_layer_top
add_files [file join $eecc_root $eecc_layer_src] -cflags [join $eecc_cflags " "]
open_solution -reset solution1
set_part $eecc_part
create_clock -period $eecc_clock_period -name default
config_dataflow -default_channel fifo -fifo_depth 16
csynth_design
export_design -format ip_catalog -vendor $eecc_ip_vendor -library $eecc_ip_library \
    -version $eecc_ip_version -display_name $eecc_layer_name
close_project

cd $eecc_cwd
