// RUN: eecc-opt %s --ee-assign-precision=precision=%S/Inputs/precision-chain.json | filecheck %s
// RUN: eecc-opt %s --ee-assign-precision=precision=%S/Inputs/precision-chain.json --ee-assign-precision=precision=%S/Inputs/precision-chain.json | filecheck %s
// RUN: not eecc-opt %s --ee-assign-precision=precision=%S/Inputs/precision-unknown.json 2>&1 | filecheck %s --check-prefix=UNKNOWN

// The conv quantises to its own result format in its output stage (weights in the default
// format, its bias as given); the ReLU computes in its input's format; the pool given its own
// format is followed by an ee.cast; the linear reads the cast's format and produces the
// default. Running the pass twice gives the same IR (the old casts are replaced).

// CHECK-LABEL: ee.graph @chain(%{{.*}}: !ee.stream<1x4x4x!ee.fixed<16, 8>>) -> !ee.stream<3x!ee.fixed<16, 8>>
// CHECK-NEXT:    %[[C:.*]] = ee.conv {{.*}}weight_type = !ee.fixed<12, 4>, bias_type = !ee.fixed<16, 8>} : !ee.stream<1x4x4x!ee.fixed<16, 8>> -> !ee.stream<4x4x4x!ee.fixed<12, 6>>
// CHECK-NEXT:    %[[R:.*]] = ee.relu %[[C]] : !ee.stream<4x4x4x!ee.fixed<12, 6>>
// CHECK-NEXT:    %[[P:.*]] = ee.pool %[[R]] {{.*}} : !ee.stream<4x4x4x!ee.fixed<12, 6>> -> !ee.stream<4x2x2x!ee.fixed<12, 6>>
// CHECK-NEXT:    %[[K:.*]] = ee.cast %[[P]] : !ee.stream<4x2x2x!ee.fixed<12, 6>> -> !ee.stream<4x2x2x!ee.fixed<10, 5>>
// CHECK-NEXT:    %[[F:.*]] = ee.flatten %[[K]] : !ee.stream<4x2x2x!ee.fixed<10, 5>> -> !ee.stream<16x!ee.fixed<10, 5>>
// CHECK-NEXT:    %{{.*}} = ee.linear %[[F]] weight @fc.w {weight_type = !ee.fixed<12, 4>} : !ee.stream<16x!ee.fixed<10, 5>> -> !ee.stream<3x!ee.fixed<16, 8>>
// CHECK-NOT:     ee.cast

// UNKNOWN: precision-unknown.json: layers: 'conv2' is not a layer of the network (layers: conv, relu, pool, fc)
builtin.module {
  ee.weight @w = dense<0.1> : tensor<4x1x3x3xf32>
  ee.weight @b = dense<0.0> : tensor<4xf32>
  ee.weight @fc.w = dense<0.5> : tensor<3x16xf32>
  ee.graph @chain(%x: !ee.stream<1x4x4xf32>) -> !ee.stream<3xf32> {
    %c = ee.conv %x weight @w bias @b {kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : !ee.stream<1x4x4xf32> -> !ee.stream<4x4x4xf32> loc("conv")
    %r = ee.relu %c : !ee.stream<4x4x4xf32> loc("relu")
    %p = ee.pool %r {kernel = array<i64: 2, 2>, kind = "max", pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : !ee.stream<4x4x4xf32> -> !ee.stream<4x2x2xf32> loc("pool")
    %f = ee.flatten %p : !ee.stream<4x2x2xf32> -> !ee.stream<16xf32> loc("flatten")
    %y = ee.linear %f weight @fc.w : !ee.stream<16xf32> -> !ee.stream<3xf32> loc("fc")
    ee.output %y : !ee.stream<3xf32>
  }
}
