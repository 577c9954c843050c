// RUN: not eecc-opt %s -t hls 2>&1 | filecheck %s --check-prefix=FLOAT
// RUN: not eecc-opt %s --ee-legalize-hls -t hls 2>&1 | filecheck %s --check-prefix=SOFTMAX

// Float IR is not printed: the emitter asks for the legalisation pass. A softmax (which the
// library lacks) is an error naming the op and its location.

// FLOAT: -t hls: 'ee.graph' @soft is not legalised for HLS (float streams or no weight_type); run --ee-legalize-hls first
// SOFTMAX: ee-legalize-hls: 'ee.softmax' at /out/Softmax is not supported by the HLS library: the library has no softmax layer

builtin.module {
  ee.weight @w = dense<0.5> : tensor<3x4xf32>
  ee.graph @soft(%x: !ee.stream<4xf32>) -> !ee.stream<3xf32> {
    %l = ee.linear %x weight @w : !ee.stream<4xf32> -> !ee.stream<3xf32>
    %s = ee.softmax %l : !ee.stream<3xf32> loc("/out/Softmax")
    ee.output %s : !ee.stream<3xf32>
  }
}
