// RUN: not eecc-opt %s --ee-partition 2>&1 | filecheck %s
// A graph with some ops in stages and some outside cannot be partitioned again.

builtin.module {
  ee.weight @w = dense<1.000000e-01> : tensor<3x4xf32>
  ee.graph @half(%x: !ee.stream<4xf32>) -> !ee.stream<3xf32> {
    %s = ee.stage 0 -> !ee.stream<4xf32> {
      ee.yield %x : !ee.stream<4xf32>
    }
    %0 = ee.linear %s weight @w : !ee.stream<4xf32> -> !ee.stream<3xf32>
    ee.output %0 : !ee.stream<3xf32>
  }
}

// CHECK: eecc-opt: error: 'ee.graph' @half is partly partitioned: 'ee.linear' is outside every 'ee.stage'; partition a graph without stages
// CHECK-NOT: Traceback
