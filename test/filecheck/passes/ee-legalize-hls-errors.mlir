// RUN: eecc-opt %s --split-input-file --verify-diagnostics --ee-legalize-hls | filecheck %s
// RUN: not eecc-opt %s -p "ee-legalize-hls{data_width=24}" 2>&1 | filecheck %s --check-prefix=WIDTH

// WIDTH: ee-legalize-hls: data format <24, 8> needs 2 <= width <= 16 and 1 <= int bits <= width

// A softmax has no library layer: one error naming the op and its location.
// CHECK: ee-legalize-hls: 'ee.softmax' at /out/Softmax is not supported by the HLS library: the library has no softmax layer; remove it from the network (the exit decision needs none and argmax is unchanged)
builtin.module {
  ee.weight @w = dense<0.5> : tensor<3x4xf32>
  ee.graph @soft(%x: !ee.stream<4xf32>) -> !ee.stream<3xf32> {
    %l = ee.linear %x weight @w : !ee.stream<4xf32> -> !ee.stream<3xf32>
    %s = ee.softmax %l : !ee.stream<3xf32> loc("/out/Softmax")
    ee.output %s : !ee.stream<3xf32>
  }
}

// -----

// Global max pooling is not in the library (global average pooling is).
// CHECK: ee-legalize-hls: 'ee.global_pool' at /gmp is not supported by the HLS library: the library has only global average pooling
builtin.module {
  ee.graph @gmp(%x: !ee.stream<2x4x4xf32>) -> !ee.stream<2x1x1xf32> {
    %g = ee.global_pool %x {kind = "max"} : !ee.stream<2x4x4xf32> -> !ee.stream<2x1x1xf32> loc("/gmp")
    ee.output %g : !ee.stream<2x1x1xf32>
  }
}
