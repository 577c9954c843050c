// RUN: eecc-opt %s --split-input-file --ee-partition | filecheck %s
// RUN: eecc-opt %s --split-input-file --ee-partition --ee-partition | filecheck %s

// Two exits: stage 0 holds the prefix, exit 1, both condbuffers and the merge; stage 1 the rest.
builtin.module {
  ee.weight @h.w = dense<1.000000e-01> : tensor<3x4xf32>
  ee.weight @t.w = dense<1.000000e-01> : tensor<3x4xf32>
  ee.graph @two(%x: !ee.stream<4xf32>) -> !ee.stream<3xf32> {
    %0, %1 = ee.split %x : !ee.stream<4xf32> -> !ee.stream<4xf32>, !ee.stream<4xf32>
    %2 = ee.linear %0 weight @h.w : !ee.stream<4xf32> -> !ee.stream<3xf32>
    %3, %4 = ee.split %2 : !ee.stream<3xf32> -> !ee.stream<3xf32>, !ee.stream<3xf32>
    %5 = ee.exit_decision %3 {threshold = 5.000000e-01 : f64} : !ee.stream<3xf32>
    %6 = ee.condbuffer %4, %5 {mode = "pass-on-exit"} : !ee.stream<3xf32>
    %7 = ee.condbuffer %1, %5 {mode = "drop-on-exit"} : !ee.stream<4xf32>
    %8 = ee.linear %7 weight @t.w : !ee.stream<4xf32> -> !ee.stream<3xf32>
    %9 = ee.exit_merge %6, %8 : !ee.stream<3xf32>, !ee.stream<3xf32> -> !ee.stream<3xf32>
    ee.output %9 : !ee.stream<3xf32>
  }
}

// CHECK-LABEL: ee.graph @two
// CHECK-NEXT:    %[[S0:.*]], %[[K:.*]] = ee.stage 0 -> !ee.stream<3xf32>, !ee.stream<4xf32> {
// CHECK-NEXT:      ee.split %x
// CHECK-NEXT:      ee.linear
// CHECK-NEXT:      ee.split
// CHECK-NEXT:      ee.exit_decision
// CHECK-NEXT:      ee.condbuffer {{.*}} {mode = "pass-on-exit"}
// CHECK-NEXT:      %[[D:.*]] = ee.condbuffer {{.*}} {mode = "drop-on-exit"}
// CHECK-NEXT:      %[[M:.*]] = ee.exit_merge %{{.*}}, %[[S1:.*]] : !ee.stream<3xf32>, !ee.stream<3xf32> -> !ee.stream<3xf32>
// CHECK-NEXT:      ee.yield %[[M]], %[[D]] : !ee.stream<3xf32>, !ee.stream<4xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:    %[[S1]] = ee.stage 1 -> !ee.stream<3xf32> {
// CHECK-NEXT:      %[[T:.*]] = ee.linear %[[K]] weight @t.w
// CHECK-NEXT:      ee.yield %[[T]] : !ee.stream<3xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:    ee.output %[[S0]] : !ee.stream<3xf32>

// -----
// Three exits: stage 1 holds the backbone after the first drop-on-exit buffer up to and
// including the second, with exit 2's branch and decision.
builtin.module {
  ee.weight @h1.w = dense<1.000000e-01> : tensor<3x4xf32>
  ee.weight @h2.w = dense<1.000000e-01> : tensor<3x4xf32>
  ee.weight @t.w = dense<1.000000e-01> : tensor<3x4xf32>
  ee.graph @three(%x: !ee.stream<4xf32>) -> !ee.stream<3xf32> {
    %0, %1 = ee.split %x : !ee.stream<4xf32> -> !ee.stream<4xf32>, !ee.stream<4xf32>
    %2 = ee.linear %0 weight @h1.w : !ee.stream<4xf32> -> !ee.stream<3xf32>
    %3, %4 = ee.split %2 : !ee.stream<3xf32> -> !ee.stream<3xf32>, !ee.stream<3xf32>
    %5 = ee.exit_decision %3 {threshold = 5.000000e-01 : f64} : !ee.stream<3xf32>
    %6 = ee.condbuffer %4, %5 {mode = "pass-on-exit"} : !ee.stream<3xf32>
    %7 = ee.condbuffer %1, %5 {mode = "drop-on-exit"} : !ee.stream<4xf32>
    %8, %9 = ee.split %7 : !ee.stream<4xf32> -> !ee.stream<4xf32>, !ee.stream<4xf32>
    %10 = ee.linear %8 weight @h2.w : !ee.stream<4xf32> -> !ee.stream<3xf32>
    %11, %12 = ee.split %10 : !ee.stream<3xf32> -> !ee.stream<3xf32>, !ee.stream<3xf32>
    %13 = ee.exit_decision %11 {threshold = 5.000000e-01 : f64} : !ee.stream<3xf32>
    %14 = ee.condbuffer %12, %13 {mode = "pass-on-exit"} : !ee.stream<3xf32>
    %15 = ee.condbuffer %9, %13 {mode = "drop-on-exit"} : !ee.stream<4xf32>
    %16 = ee.linear %15 weight @t.w : !ee.stream<4xf32> -> !ee.stream<3xf32>
    %17 = ee.exit_merge %6, %14, %16 : !ee.stream<3xf32>, !ee.stream<3xf32>, !ee.stream<3xf32> -> !ee.stream<3xf32>
    ee.output %17 : !ee.stream<3xf32>
  }
}

// CHECK-LABEL: ee.graph @three
// CHECK-NEXT:    %[[S0:.*]], %[[K1:.*]] = ee.stage 0 -> !ee.stream<3xf32>, !ee.stream<4xf32> {
// CHECK:           ee.exit_merge %{{.*}}, %[[E2:.*]], %[[F:.*]] : !ee.stream<3xf32>, !ee.stream<3xf32>, !ee.stream<3xf32> -> !ee.stream<3xf32>
// CHECK:         %[[E2]], %[[K2:.*]] = ee.stage 1 -> !ee.stream<3xf32>, !ee.stream<4xf32> {
// CHECK-NEXT:      ee.split %[[K1]]
// CHECK-NEXT:      ee.linear {{.*}} weight @h2.w
// CHECK-NEXT:      ee.split
// CHECK-NEXT:      ee.exit_decision
// CHECK-NEXT:      ee.condbuffer {{.*}} {mode = "pass-on-exit"}
// CHECK-NEXT:      ee.condbuffer {{.*}} {mode = "drop-on-exit"}
// CHECK-NEXT:      ee.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    %[[F]] = ee.stage 2 -> !ee.stream<3xf32> {
// CHECK-NEXT:      ee.linear %[[K2]] weight @t.w
// CHECK-NEXT:      ee.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    ee.output %[[S0]] : !ee.stream<3xf32>

// -----
// A network without exits becomes one stage.
builtin.module {
  ee.weight @w = dense<1.000000e-01> : tensor<3x4xf32>
  ee.graph @plain(%x: !ee.stream<4xf32>) -> !ee.stream<3xf32> {
    %0 = ee.linear %x weight @w : !ee.stream<4xf32> -> !ee.stream<3xf32>
    ee.output %0 : !ee.stream<3xf32>
  }
}

// CHECK-LABEL: ee.graph @plain
// CHECK-NEXT:    %[[S:.*]] = ee.stage 0 -> !ee.stream<3xf32> {
// CHECK-NEXT:      %[[L:.*]] = ee.linear %x weight @w
// CHECK-NEXT:      ee.yield %[[L]] : !ee.stream<3xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:    ee.output %[[S]] : !ee.stream<3xf32>
