// RUN: eecc-opt %s | filecheck %s
// RUN: eecc-opt %s --print-op-generic | eecc-opt | filecheck %s
// Stages in a graph region: stage 0's exit merge consumes stage 1's result, defined later.

builtin.module {
  ee.weight @h.w = dense<1.000000e-01> : tensor<3x4xf32>
  ee.weight @t.w = dense<1.000000e-01> : tensor<3x4xf32>
  ee.graph @staged(%x: !ee.stream<4xf32>) -> !ee.stream<3xf32> {
    %s0, %s1 = ee.stage 0 rate 1.000000e+00 -> !ee.stream<3xf32>, !ee.stream<4xf32> {
      %0, %1 = ee.split %x : !ee.stream<4xf32> -> !ee.stream<4xf32>, !ee.stream<4xf32>
      %2 = ee.linear %0 weight @h.w : !ee.stream<4xf32> -> !ee.stream<3xf32>
      %3, %4 = ee.split %2 : !ee.stream<3xf32> -> !ee.stream<3xf32>, !ee.stream<3xf32>
      %5 = ee.exit_decision %3 {threshold = 5.000000e-01 : f64} : !ee.stream<3xf32>
      %6 = ee.condbuffer %4, %5 {mode = "pass-on-exit"} : !ee.stream<3xf32>
      %7 = ee.condbuffer %1, %5 {mode = "drop-on-exit"} : !ee.stream<4xf32>
      %8 = ee.exit_merge %6, %s2 : !ee.stream<3xf32>, !ee.stream<3xf32> -> !ee.stream<3xf32>
      ee.yield %8, %7 : !ee.stream<3xf32>, !ee.stream<4xf32>
    }
    %s2 = ee.stage 1 rate 2.500000e-01 -> !ee.stream<3xf32> {
      %9 = ee.linear %s1 weight @t.w : !ee.stream<4xf32> -> !ee.stream<3xf32>
      ee.yield %9 : !ee.stream<3xf32>
    }
    ee.output %s0 : !ee.stream<3xf32>
  }
}

// CHECK-LABEL: ee.graph @staged
// CHECK-NEXT:    %s0, %s1 = ee.stage 0 rate 1.000000e+00 -> !ee.stream<3xf32>, !ee.stream<4xf32> {
// CHECK:           %[[M:.*]] = ee.exit_merge %{{.*}}, %s2 : !ee.stream<3xf32>, !ee.stream<3xf32> -> !ee.stream<3xf32>
// CHECK-NEXT:      ee.yield %[[M]], %{{.*}} : !ee.stream<3xf32>, !ee.stream<4xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:    %s2 = ee.stage 1 rate 2.500000e-01 -> !ee.stream<3xf32> {
// CHECK-NEXT:      %{{.*}} = ee.linear %s1 weight @t.w : !ee.stream<4xf32> -> !ee.stream<3xf32>
// CHECK:         ee.output %s0 : !ee.stream<3xf32>
