// RUN: not eecc-opt %s -t hls 2>&1 | filecheck %s

// Legalised IR that still holds an op the library cannot build: the emitter names it.

// CHECK: -t hls: 'ee.softmax' at /out/Softmax is not supported by the HLS library (supported: ee.add, ee.cast, ee.condbuffer, ee.conv, ee.exit_decision, ee.exit_merge, ee.global_pool, ee.linear, ee.pool, ee.relu, ee.repack, ee.split)

builtin.module {
  ee.weight @w = dense<0.5> : tensor<3x4xf32>
  ee.graph @soft(%x: !ee.stream<4x!ee.fixed<16, 8>>) -> !ee.stream<3x!ee.fixed<16, 8>> attributes {weight_type = !ee.fixed<16, 8>} {
    %l = ee.linear %x weight @w : !ee.stream<4x!ee.fixed<16, 8>> -> !ee.stream<3x!ee.fixed<16, 8>>
    %s = ee.softmax %l : !ee.stream<3x!ee.fixed<16, 8>> loc("/out/Softmax")
    ee.output %s : !ee.stream<3x!ee.fixed<16, 8>>
  }
}
