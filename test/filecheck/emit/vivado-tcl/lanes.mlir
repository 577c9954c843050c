// RUN: eecc-opt %s -p ee-legalize-hls -t 'vivado-tcl{platform="zcu106" batch=64}' | filecheck %s

// Two ReLUs on 2 and 4 lanes: the legaliser puts a repack between them, the project data
// lists each IP and connects every lane; the DMA feeds all lanes of the first layer.
builtin.module {
  ee.graph @lanes(%x: !ee.stream<4x2x2xf32>) -> !ee.stream<4x2x2xf32> {
    %0 = ee.relu %x {fold = #ee.fold<coarse = 2>} : !ee.stream<4x2x2xf32>
    %1 = ee.relu %0 {fold = #ee.fold<coarse = 4>} : !ee.stream<4x2x2xf32>
    ee.output %1 : !ee.stream<4x2x2xf32>
  }
}

// CHECK-LABEL: # ===== host/model_params.h =====
// CHECK: #define EECC_BATCH 64u
// CHECK: #define EECC_IN_LANES 2u
// CHECK: #define EECC_OUT_LANES 4u
// CHECK-LABEL: # ===== tcl/project.tcl =====
// CHECK: set eecc_part xczu7ev-ffvc1156-2-e
// CHECK: set eecc_board xilinx.com:zcu106:part0:2.6
// CHECK: set eecc_clock_period 5.000
// CHECK:      set eecc_layers {
// CHECK-NEXT:     {ee_relu_4x2x2 ee_relu_4x2x2_top hls/layers/ee_relu_4x2x2_top.cpp}
// CHECK-NEXT:     {ee_repack_4x2x2_l2to4 ee_repack_4x2x2_l2to4_top hls/layers/ee_repack_4x2x2_l2to4_top.cpp}
// CHECK-NEXT:     {ee_relu_4x2x2_1 ee_relu_4x2x2_1_top hls/layers/ee_relu_4x2x2_1_top.cpp}
// CHECK-NEXT: }
// CHECK:      set eecc_connections {
// CHECK-NEXT:     {ee_relu_4x2x2 out_0 ee_repack_4x2x2_l2to4 in_0}
// CHECK-NEXT:     {ee_relu_4x2x2 out_1 ee_repack_4x2x2_l2to4 in_1}
// CHECK-NEXT:     {ee_repack_4x2x2_l2to4 out_0 ee_relu_4x2x2_1 in_0}
// CHECK-NEXT:     {ee_repack_4x2x2_l2to4 out_1 ee_relu_4x2x2_1 in_1}
// CHECK-NEXT:     {ee_repack_4x2x2_l2to4 out_2 ee_relu_4x2x2_1 in_2}
// CHECK-NEXT:     {ee_repack_4x2x2_l2to4 out_3 ee_relu_4x2x2_1 in_3}
// CHECK-NEXT: }
// CHECK:      set eecc_dma_in {
// CHECK-NEXT:     {ee_relu_4x2x2 in_0}
// CHECK-NEXT:     {ee_relu_4x2x2 in_1}
// CHECK-NEXT: }
// CHECK:      set eecc_dma_out {
// CHECK-NEXT:     {ee_relu_4x2x2_1 out_0}
// CHECK:      source [file join $eecc_tcl_dir flow.tcl]
