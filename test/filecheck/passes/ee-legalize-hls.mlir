// RUN: eecc-opt %s --split-input-file --ee-legalize-hls | filecheck %s
// RUN: eecc-opt %s --split-input-file --ee-legalize-hls --ee-legalize-hls | filecheck %s
// RUN: eecc-opt %s --split-input-file -p "ee-legalize-hls{data_width=12 data_int=4 weight_width=8 weight_int=2}" | filecheck %s --check-prefix=FMT

// Folds become explicit, lane changes get a repack (after the flatten, on the vector), every
// stream becomes fixed point and gets its FIFO depth (a row per lane + 2, rounded up to an
// AXI-Stream FIFO's power of two >= 16: the 16-word vector on one lane needs 18, so 32), and
// the graph records the weight format. Running twice changes nothing.

// CHECK-LABEL: ee.graph @chain(%{{.*}}: !ee.stream<1x4x4x!ee.fixed<16, 8>>) -> !ee.stream<3x!ee.fixed<16, 8>> attributes {weight_type = !ee.fixed<16, 8>} {
// CHECK-NEXT:    %[[C:.*]] = ee.conv {{.*}}fold = #ee.fold<coarse_out = 4, fine = 9>, weight_type = !ee.fixed<16, 8>, bias_type = !ee.fixed<16, 8>} : !ee.stream<1x4x4x!ee.fixed<16, 8>> -> !ee.stream<4x4x4x!ee.fixed<16, 8>>
// CHECK-NEXT:    %[[R1:.*]] = ee.repack %[[C]] lanes 4 to 2 {fifo_depths = array<i64: 16>} : !ee.stream<4x4x4x!ee.fixed<16, 8>>
// CHECK-NEXT:    %[[R:.*]] = ee.relu %[[R1]] {fifo_depths = array<i64: 16>, fold = #ee.fold<coarse = 2>} : !ee.stream<4x4x4x!ee.fixed<16, 8>>
// CHECK-NEXT:    %[[P:.*]] = ee.pool %[[R]] {{.*}}fold = #ee.fold<coarse = 2>}
// CHECK-NEXT:    %[[F:.*]] = ee.flatten %[[P]] {fold = #ee.fold<>} : !ee.stream<4x2x2x!ee.fixed<16, 8>> -> !ee.stream<16x!ee.fixed<16, 8>>
// CHECK-NEXT:    %[[R2:.*]] = ee.repack %[[F]] lanes 2 to 1 {fifo_depths = array<i64: 32>} : !ee.stream<16x!ee.fixed<16, 8>>
// CHECK-NEXT:    %{{.*}} = ee.linear %[[R2]] weight @fc.w {fifo_depths = array<i64: 16>, fold = #ee.fold<>, weight_type = !ee.fixed<16, 8>} : !ee.stream<16x!ee.fixed<16, 8>> -> !ee.stream<3x!ee.fixed<16, 8>>
// CHECK-NOT:     ee.repack
// CHECK:         ee.output

// FMT-LABEL: ee.graph @chain(%{{.*}}: !ee.stream<1x4x4x!ee.fixed<12, 4>>) -> !ee.stream<3x!ee.fixed<12, 4>> attributes {weight_type = !ee.fixed<8, 2>} {
builtin.module {
  ee.weight @w = dense<0.1> : tensor<4x1x3x3xf32>
  ee.weight @b = dense<0.0> : tensor<4xf32>
  ee.weight @fc.w = dense<0.5> : tensor<3x16xf32>
  ee.graph @chain(%x: !ee.stream<1x4x4xf32>) -> !ee.stream<3xf32> {
    %c = ee.conv %x weight @w bias @b {kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>, fold = #ee.fold<coarse_out = 4, fine = 9>} : !ee.stream<1x4x4xf32> -> !ee.stream<4x4x4xf32>
    %r = ee.relu %c {fold = #ee.fold<coarse = 2>} : !ee.stream<4x4x4xf32>
    %p = ee.pool %r {kernel = array<i64: 2, 2>, kind = "max", pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>, fold = #ee.fold<coarse = 2>} : !ee.stream<4x4x4xf32> -> !ee.stream<4x2x2xf32>
    %f = ee.flatten %p : !ee.stream<4x2x2xf32> -> !ee.stream<16xf32>
    %l = ee.linear %f weight @fc.w : !ee.stream<16xf32> -> !ee.stream<3xf32>
    ee.output %l : !ee.stream<3xf32>
  }
}

// -----

// An exit: condbuffers get a depth (the cost model's default of 16 when none was sized, a
// sized one is kept), the decision's tokens a FIFO of the deepest buffer + 2 (18, so 32), and
// a producer in another stage is looked through (the stage-1 relu reads 2 lanes, the
// condbuffer writes 2: no repack; the linear reads 1).

// CHECK-LABEL: ee.graph @exit(
// CHECK:         ee.exit_decision %{{.*}} {fifo_depths = array<i64: 32>,
// CHECK:         ee.condbuffer %{{.*}}, %{{.*}} {fifo_depths = array<i64: 16>, mode = "pass-on-exit", {{.*}}depth = 16 : i64{{.*}}}
// CHECK:         ee.condbuffer %{{.*}}, %{{.*}} {fifo_depths = array<i64: 16>, mode = "drop-on-exit", depth = 8 : i64, fold = #ee.fold<coarse = 2>}
// CHECK:         ee.stage 1
// CHECK-NEXT:      %[[R:.*]] = ee.relu %{{.*}} {fifo_depths = array<i64: 16>, fold = #ee.fold<coarse = 2>}
// CHECK-NEXT:      %[[F:.*]] = ee.flatten %[[R]]
// CHECK-NEXT:      %[[P:.*]] = ee.repack %[[F]] lanes 2 to 1 {fifo_depths = array<i64: 128>} : !ee.stream<64x!ee.fixed<16, 8>>
// CHECK-NEXT:      ee.linear %[[P]]
builtin.module {
  ee.weight @e.w = dense<0.5> : tensor<2x64xf32>
  ee.weight @f.w = dense<0.5> : tensor<2x64xf32>
  ee.graph @exit(%x: !ee.stream<4x4x4xf32>) -> !ee.stream<2xf32> {
    %s0:2 = ee.stage 0 -> !ee.stream<2xf32>, !ee.stream<4x4x4xf32> {
      %a, %b = ee.split %x : !ee.stream<4x4x4xf32> -> !ee.stream<4x4x4xf32>, !ee.stream<4x4x4xf32>
      %fl = ee.flatten %a : !ee.stream<4x4x4xf32> -> !ee.stream<64xf32>
      %l = ee.linear %fl weight @e.w : !ee.stream<64xf32> -> !ee.stream<2xf32>
      %l1, %l2 = ee.split %l : !ee.stream<2xf32> -> !ee.stream<2xf32>, !ee.stream<2xf32>
      %d = ee.exit_decision %l1 {threshold = 0.9 : f64} : !ee.stream<2xf32>
      %e = ee.condbuffer %l2, %d {mode = "pass-on-exit"} : !ee.stream<2xf32>
      %k = ee.condbuffer %b, %d {mode = "drop-on-exit", depth = 8 : i64, fold = #ee.fold<coarse = 2>} : !ee.stream<4x4x4xf32>
      %y = ee.exit_merge %e, %s1 : !ee.stream<2xf32>, !ee.stream<2xf32> -> !ee.stream<2xf32>
      ee.yield %y, %k : !ee.stream<2xf32>, !ee.stream<4x4x4xf32>
    }
    %s1 = ee.stage 1 -> !ee.stream<2xf32> {
      %r = ee.relu %s0#1 {fold = #ee.fold<coarse = 2>} : !ee.stream<4x4x4xf32>
      %f = ee.flatten %r : !ee.stream<4x4x4xf32> -> !ee.stream<64xf32>
      %o = ee.linear %f weight @f.w : !ee.stream<64xf32> -> !ee.stream<2xf32>
      ee.yield %o : !ee.stream<2xf32>
    }
    ee.output %s0#0 : !ee.stream<2xf32>
  }
}
