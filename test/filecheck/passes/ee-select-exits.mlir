// RUN: eecc-opt %s --split-input-file -p 'ee-select-exits{keep=1}' | filecheck %s --check-prefix=KEEP1
// RUN: eecc-opt %s --split-input-file -p 'ee-select-exits{keep=0 thresholds=0.9}' | filecheck %s --check-prefix=KEEP0
// RUN: eecc-opt %s --split-input-file --ee-select-exits | filecheck %s --check-prefix=NONE
// RUN: eecc-opt %s --split-input-file -p 'ee-select-exits{keep=0,1 thresholds=0.25,0.75}' | filecheck %s --check-prefix=ALL
// RUN: eecc-opt %s --split-input-file -p 'ee-select-exits{keep=1},ee-partition' | filecheck %s --check-prefix=PART
// RUN: not eecc-opt %s --split-input-file -p 'ee-select-exits{keep=2}' 2>&1 | filecheck %s --check-prefix=RANGE
// RUN: not eecc-opt %s --split-input-file -p 'ee-select-exits{keep=1,0}' 2>&1 | filecheck %s --check-prefix=ORDER
// RUN: not eecc-opt %s --split-input-file -p 'ee-select-exits{keep=0,1 thresholds=0.9}' 2>&1 | filecheck %s --check-prefix=COUNT
// RUN: not eecc-opt %s --split-input-file -p 'ee-select-exits{keep=0 thresholds=1.5}' 2>&1 | filecheck %s --check-prefix=THRESHOLD
// RUN: not eecc-opt %s --split-input-file -p 'ee-partition,ee-select-exits{keep=0}' 2>&1 | filecheck %s --check-prefix=STAGED

// Three exits (two early, the final); the second case has a three-way fork (a residual).
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

// keep=1: exit 0's head, decision, buffers, fork and weight are gone; the backbone reads %x.
// KEEP1:      builtin.module {
// KEEP1-NEXT:   ee.weight @h2.w
// KEEP1-NEXT:   ee.weight @t.w
// KEEP1-LABEL:  ee.graph @three
// KEEP1-NEXT:     %[[A:.*]], %[[B:.*]] = ee.split %x
// KEEP1-NEXT:     ee.linear %[[A]] weight @h2.w
// KEEP1-NEXT:     ee.split
// KEEP1-NEXT:     ee.exit_decision {{.*}} {threshold = 5.000000e-01 : f64}
// KEEP1-NEXT:     %[[E:.*]] = ee.condbuffer {{.*}} {mode = "pass-on-exit"}
// KEEP1-NEXT:     %[[K:.*]] = ee.condbuffer %[[B]], {{.*}} {mode = "drop-on-exit"}
// KEEP1-NEXT:     %[[F:.*]] = ee.linear %[[K]] weight @t.w
// KEEP1-NEXT:     %[[M:.*]] = ee.exit_merge %[[E]], %[[F]] : !ee.stream<3xf32>, !ee.stream<3xf32> -> !ee.stream<3xf32>
// KEEP1-NEXT:     ee.output %[[M]]

// keep=0 with a new threshold: exit 1 is gone and the final linear reads exit 0's buffer.
// KEEP0-LABEL:  ee.graph @three
// KEEP0-NEXT:     %[[A:.*]], %[[B:.*]] = ee.split %x
// KEEP0-NEXT:     ee.linear %[[A]] weight @h1.w
// KEEP0-NEXT:     ee.split
// KEEP0-NEXT:     ee.exit_decision {{.*}} {threshold = 9.000000e-01 : f64}
// KEEP0-NEXT:     %[[E:.*]] = ee.condbuffer {{.*}} {mode = "pass-on-exit"}
// KEEP0-NEXT:     %[[K:.*]] = ee.condbuffer %[[B]], {{.*}} {mode = "drop-on-exit"}
// KEEP0-NEXT:     %[[F:.*]] = ee.linear %[[K]] weight @t.w
// KEEP0-NEXT:     %[[M:.*]] = ee.exit_merge %[[E]], %[[F]]
// KEEP0-NEXT:     ee.output %[[M]]

// No exit kept: the network without exits, no merge, only the backbone's weight.
// NONE:      builtin.module {
// NONE-NEXT:   ee.weight @t.w
// NONE-NEXT:   ee.graph @three
// NONE-NEXT:     %[[F:.*]] = ee.linear %x weight @t.w
// NONE-NEXT:     ee.output %[[F]] : !ee.stream<3xf32>
// NONE-NEXT:   }

// Both kept: only the thresholds change.
// ALL-LABEL: ee.graph @three
// ALL:         ee.exit_decision {{.*}} {threshold = 2.500000e-01 : f64}
// ALL:         ee.exit_decision {{.*}} {threshold = 7.500000e-01 : f64}
// ALL:         ee.exit_merge %{{.*}}, %{{.*}}, %{{.*}} : !ee.stream<3xf32>, !ee.stream<3xf32>, !ee.stream<3xf32>

// Errors are one line naming the option, the bad value and what is supported.
// RANGE: eecc-opt: error: 'ee-select-exits' keep=2 is not an early exit of @three: it has 2 (indices 0..1)
// RANGE-NOT: Traceback
// ORDER: eecc-opt: error: 'ee-select-exits' keep=1,0 must be strictly increasing
// COUNT: eecc-opt: error: 'ee-select-exits' thresholds gives 1 value(s) for 2 kept exit(s)
// THRESHOLD: eecc-opt: error: 'ee-select-exits' threshold 1.5 is outside (0, 1]
// STAGED: eecc-opt: error: 'ee-select-exits' @three is partitioned; run it before --ee-partition

// The result partitions into two stages.
// PART-LABEL: ee.graph @three
// PART:         ee.stage 0
// PART:         ee.stage 1
// PART-NOT:     ee.stage 2

// -----
// A three-way fork (exit head, residual skip, backbone) shrinks to two when the head goes.
builtin.module {
  ee.weight @h1.w = dense<1.000000e-01> : tensor<3x4xf32>
  ee.weight @h2.w = dense<1.000000e-01> : tensor<3x4xf32>
  ee.weight @t.w = dense<1.000000e-01> : tensor<3x4xf32>
  ee.graph @residual(%x: !ee.stream<4xf32>) -> !ee.stream<3xf32> {
    %0, %1, %2 = ee.split %x : !ee.stream<4xf32> -> !ee.stream<4xf32>, !ee.stream<4xf32>, !ee.stream<4xf32>
    %3 = ee.linear %0 weight @h1.w : !ee.stream<4xf32> -> !ee.stream<3xf32>
    %4, %5 = ee.split %3 : !ee.stream<3xf32> -> !ee.stream<3xf32>, !ee.stream<3xf32>
    %6 = ee.exit_decision %4 {threshold = 5.000000e-01 : f64} : !ee.stream<3xf32>
    %7 = ee.condbuffer %5, %6 {mode = "pass-on-exit"} : !ee.stream<3xf32>
    %8 = ee.condbuffer %1, %6 {mode = "drop-on-exit"} : !ee.stream<4xf32>
    %9 = ee.condbuffer %2, %6 {mode = "drop-on-exit"} : !ee.stream<4xf32>
    %10 = ee.relu %8 : !ee.stream<4xf32>
    %11 = ee.add %10, %9 : !ee.stream<4xf32>
    %12, %13 = ee.split %11 : !ee.stream<4xf32> -> !ee.stream<4xf32>, !ee.stream<4xf32>
    %14 = ee.linear %12 weight @h2.w : !ee.stream<4xf32> -> !ee.stream<3xf32>
    %15, %16 = ee.split %14 : !ee.stream<3xf32> -> !ee.stream<3xf32>, !ee.stream<3xf32>
    %17 = ee.exit_decision %15 {threshold = 5.000000e-01 : f64} : !ee.stream<3xf32>
    %18 = ee.condbuffer %16, %17 {mode = "pass-on-exit"} : !ee.stream<3xf32>
    %19 = ee.condbuffer %13, %17 {mode = "drop-on-exit"} : !ee.stream<4xf32>
    %20 = ee.linear %19 weight @t.w : !ee.stream<4xf32> -> !ee.stream<3xf32>
    %21 = ee.exit_merge %7, %18, %20 : !ee.stream<3xf32>, !ee.stream<3xf32>, !ee.stream<3xf32> -> !ee.stream<3xf32>
    ee.output %21 : !ee.stream<3xf32>
  }
}

// KEEP1-LABEL: ee.graph @residual
// KEEP1-NEXT:    %[[A:.*]], %[[B:.*]] = ee.split %x : !ee.stream<4xf32> -> !ee.stream<4xf32>, !ee.stream<4xf32>
// KEEP1-NEXT:    %[[R:.*]] = ee.relu %[[A]]
// KEEP1-NEXT:    ee.add %[[R]], %[[B]]

// KEEP0-LABEL: ee.graph @residual
// KEEP0:         %[[S:.*]] = ee.add
// KEEP0-NEXT:    %[[F:.*]] = ee.linear %[[S]] weight @t.w
// KEEP0-NEXT:    ee.exit_merge %{{.*}}, %[[F]] : !ee.stream<3xf32>, !ee.stream<3xf32>

// NONE-LABEL: ee.graph @residual
// NONE-NEXT:    %[[A:.*]], %[[B:.*]] = ee.split %x : !ee.stream<4xf32> -> !ee.stream<4xf32>, !ee.stream<4xf32>
// NONE-NEXT:    %[[R:.*]] = ee.relu %[[A]]
// NONE-NEXT:    %[[S:.*]] = ee.add %[[R]], %[[B]]
// NONE-NEXT:    %[[F:.*]] = ee.linear %[[S]] weight @t.w
// NONE-NEXT:    ee.output %[[F]]

// ALL-LABEL: ee.graph @residual
// PART-LABEL: ee.graph @residual
