// RUN: eecc-opt %examples/blenet/blenet.mlir -p ee-legalize-hls -t vivado-tcl | filecheck %s

// B-LeNet unfolded (one lane everywhere) on the ZC706: one IP per layer (the flatten has
// none), the exit decision's token forked to its two condbuffers, both exits into the merge,
// the merge's exit index left unread.

// CHECK-LABEL: # ===== tcl/project.tcl =====
// CHECK: set eecc_model blenet
// CHECK: set eecc_part xc7z045ffg900-2
// CHECK: set eecc_board xilinx.com:zc706:part0:1.4
// CHECK: set eecc_clock_mhz 125
// CHECK: set eecc_clock_period 8.000
// CHECK:      set eecc_layers {
// CHECK-NEXT:     {ee_conv_5x32x32_k5 ee_conv_5x32x32_k5_top hls/layers/ee_conv_5x32x32_k5_top.cpp}
// CHECK:          {ee_exit_decision_10 ee_exit_decision_10_top hls/layers/ee_exit_decision_10_top.cpp}
// CHECK:          {ee_exit_merge_10_n2 ee_exit_merge_10_n2_top hls/layers/ee_exit_merge_10_n2_top.cpp}
// CHECK-NEXT: }
// CHECK:      set eecc_connections {
// CHECK-NEXT:     {ee_conv_5x32x32_k5 out_0 ee_maxpool_5x16x16_k2 in_0}
// CHECK:          {ee_relu_10x8x8 out_0 ee_linear_640_10 in_0}
// CHECK:          {ee_split_10_n2 out0_0 ee_exit_decision_10 in_0}
// CHECK-NEXT:     {ee_split_10_n2 out1_0 ee_condbuffer_10_d16 in_0}
// CHECK-NEXT:     {ee_exit_decision_10 ctrl0 ee_condbuffer_10_d16 ctrl}
// CHECK-NEXT:     {ee_split_5x16x16_n2 out1_0 ee_condbuffer_5x16x16_d16 in_0}
// CHECK-NEXT:     {ee_exit_decision_10 ctrl1 ee_condbuffer_5x16x16_d16 ctrl}
// CHECK:          {ee_condbuffer_10_d16 out_0 ee_exit_merge_10_n2 in0_0}
// CHECK-NEXT:     {ee_linear_720_10 out_0 ee_exit_merge_10_n2 in1_0}
// CHECK-NEXT: }
// The FIFOs are the IR's fifo_depths (ee-legalize-hls): conv1's 5x32x32 output on one lane
// needs a row of 160 words + 2, so 256; the pool's 5x16x16, 82, so 128.
// CHECK:      set eecc_fifo_depths {
// CHECK-NEXT:     256 128 128 128 256 128 128 16 16 16 32 128 32 128 256 128
// CHECK:      set eecc_dma_in {
// CHECK-NEXT:     {ee_conv_5x32x32_k5 in_0}
// CHECK:      set eecc_dma_out {
// CHECK-NEXT:     {ee_exit_merge_10_n2 out_0}
// CHECK:      set eecc_discard {
// CHECK-NEXT:     {ee_exit_merge_10_n2 exit_index}
