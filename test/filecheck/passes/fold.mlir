// RUN: eecc-opt %s --ee-partition --fold='budget=1.0 platform="%S/Inputs/fold-tiny.json"' | filecheck %s --check-prefix=FULL
// RUN: eecc-opt %s --ee-partition --fold='budget=0.5 platform="%S/Inputs/fold-tiny.json"' | filecheck %s --check-prefix=HALF
// RUN: eecc-opt %s --ee-partition --fold='budget=0.3 platform="%S/Inputs/fold-tiny.json"' | filecheck %s --check-prefix=THIRD

// A conv on a platform with 10 DSPs (fold-tiny.json); its DSPs are fine x coarse_in x coarse_out.
// The whole platform: fine = 9 (9 DSPs) gives the shortest interval, 128 cycles.
// FULL-LABEL: ee.graph @tiny
// FULL-SAME:    ee.bottleneck = "conv_0"
// FULL:         ee.stage 0 {{.*}} attributes {ee.bottleneck = "conv_0"}
// FULL-NEXT:      ee.conv {{.*}} fold = #ee.fold<fine = 9>
// FULL-NEXT:      ee.relu {{.*}}{fold = #ee.fold<>}

// Half of it (5 DSPs): 2 x 2 lanes (4 DSPs, 288 cycles) beat fine = 3 (3 DSPs, 384).
// HALF:           ee.conv {{.*}} fold = #ee.fold<coarse_in = 2, coarse_out = 2>

// 30 % (3 DSPs): fine = 3.
// THIRD:          ee.conv {{.*}} fold = #ee.fold<fine = 3>

builtin.module {
  ee.weight @w = dense<1.000000e-02> : tensor<4x2x3x3xf32>
  ee.graph @tiny(%x: !ee.stream<2x4x4xf32>) -> !ee.stream<4x4x4xf32> {
    %0 = ee.conv %x weight @w {kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : !ee.stream<2x4x4xf32> -> !ee.stream<4x4x4xf32>
    %1 = ee.relu %0 : !ee.stream<4x4x4xf32>
    ee.output %1 : !ee.stream<4x4x4xf32>
  }
}
