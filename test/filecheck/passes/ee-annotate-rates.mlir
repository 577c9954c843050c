// RUN: eecc-opt %s --ee-partition --ee-annotate-rates=p=0.25 | filecheck %s
// RUN: eecc-opt %s --ee-annotate-rates=p=0.25 | filecheck %s --check-prefix=FLAT
// RUN: echo '{"exits": 2, "reach": [1.0, 0.25], "exit_fraction": [0.75, 0.25]}' > %t.json
// RUN: eecc-opt %s --ee-partition --ee-annotate-rates='profile="%t.json"' | filecheck %s
// Stage 0 (prefix, exit 1, both condbuffers, the merge) runs at 1; stage 1 at p.

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
// CHECK-NEXT:    ee.stage 0 rate 1.000000e+00 -> !ee.stream<3xf32>, !ee.stream<4xf32> {
// CHECK-NEXT:      ee.split %x {rate = 1.000000e+00 : f64}
// CHECK-NEXT:      ee.linear {{.*}} {rate = 1.000000e+00 : f64}
// CHECK-NEXT:      ee.split {{.*}} {rate = 1.000000e+00 : f64}
// CHECK-NEXT:      ee.exit_decision {{.*}} rate = 1.000000e+00 : f64
// CHECK-NEXT:      ee.condbuffer {{.*}} rate = 1.000000e+00 : f64
// CHECK-NEXT:      ee.condbuffer {{.*}} rate = 1.000000e+00 : f64
// CHECK-NEXT:      ee.exit_merge {{.*}} {rate = 1.000000e+00 : f64}
// CHECK:         ee.stage 1 rate 2.500000e-01 -> !ee.stream<3xf32> {
// CHECK-NEXT:      ee.linear {{.*}} {rate = 2.500000e-01 : f64}

// FLAT-LABEL: ee.graph @two
// FLAT:         ee.condbuffer {{.*}} {mode = "drop-on-exit", rate = 1.000000e+00 : f64}
// FLAT-NEXT:    ee.linear {{.*}} {rate = 2.500000e-01 : f64}
// FLAT-NEXT:    ee.exit_merge {{.*}} {rate = 1.000000e+00 : f64}
