// RUN: eecc-opt %s --split-input-file --verify-diagnostics --parsing-diagnostics | filecheck %s
// Layer ops check their shapes, window parameters and weights.

// conv result shape that is not the computed one
builtin.module {
  ee.weight @w = dense<1.000000e-01> : tensor<4x2x3x3xf32>
  ee.weight @b = dense<0.000000e+00> : tensor<4xf32>
  func.func @f(%x: !ee.stream<2x8x8xf32>) {
    %0 = ee.conv %x weight @w bias @b {kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : !ee.stream<2x8x8xf32> -> !ee.stream<4x6x6xf32>
    func.return
  }
}
// CHECK: 'ee.conv' result shape 4x6x6 does not match 4x8x8 computed from input 2x8x8, kernel 3x3, strides 1x1, pads [1, 1, 1, 1]

// -----

// conv on a vector
builtin.module {
  ee.weight @w = dense<1.000000e-01> : tensor<4x2x3x3xf32>
  ee.weight @b = dense<0.000000e+00> : tensor<4xf32>
  func.func @f(%x: !ee.stream<16xf32>) {
    %0 = ee.conv %x weight @w bias @b {kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : !ee.stream<16xf32> -> !ee.stream<4x8x8xf32>
    func.return
  }
}
// CHECK: 'ee.conv' input shape 16 must be C x H x W (rank 3)

// -----

// conv changing element type
builtin.module {
  ee.weight @w = dense<1.000000e-01> : tensor<4x2x3x3xf32>
  ee.weight @b = dense<0.000000e+00> : tensor<4xf32>
  func.func @f(%x: !ee.stream<2x8x8xf32>) {
    %0 = ee.conv %x weight @w bias @b {kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : !ee.stream<2x8x8xf32> -> !ee.stream<4x8x8xf64>
    func.return
  }
}
// CHECK: 'ee.conv' result element type f64 differs from input's f32

// -----

// kernel with one value
builtin.module {
  ee.weight @w = dense<1.000000e-01> : tensor<4x2x3x3xf32>
  ee.weight @b = dense<0.000000e+00> : tensor<4xf32>
  func.func @f(%x: !ee.stream<2x8x8xf32>) {
    %0 = ee.conv %x weight @w bias @b {kernel = array<i64: 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : !ee.stream<2x8x8xf32> -> !ee.stream<4x8x8xf32>
    func.return
  }
}
// CHECK: 'ee.conv' kernel [3] must be 2 integers >= 1

// -----

// zero stride
builtin.module {
  ee.weight @w = dense<1.000000e-01> : tensor<4x2x3x3xf32>
  ee.weight @b = dense<0.000000e+00> : tensor<4xf32>
  func.func @f(%x: !ee.stream<2x8x8xf32>) {
    %0 = ee.conv %x weight @w bias @b {kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 0, 1>} : !ee.stream<2x8x8xf32> -> !ee.stream<4x8x8xf32>
    func.return
  }
}
// CHECK: 'ee.conv' strides [0, 1] must be 2 integers >= 1

// -----

// negative pad
builtin.module {
  ee.weight @w = dense<1.000000e-01> : tensor<4x2x3x3xf32>
  ee.weight @b = dense<0.000000e+00> : tensor<4xf32>
  func.func @f(%x: !ee.stream<2x8x8xf32>) {
    %0 = ee.conv %x weight @w bias @b {kernel = array<i64: 3, 3>, pads = array<i64: -1, 1, 1, 1>, strides = array<i64: 1, 1>} : !ee.stream<2x8x8xf32> -> !ee.stream<4x8x8xf32>
    func.return
  }
}
// CHECK: 'ee.conv' pads [-1, 1, 1, 1] must be 4 integers >= 0

// -----

// groups that do not divide channels
builtin.module {
  ee.weight @w = dense<1.000000e-01> : tensor<4x2x3x3xf32>
  ee.weight @b = dense<0.000000e+00> : tensor<4xf32>
  func.func @f(%x: !ee.stream<2x8x8xf32>) {
    %0 = ee.conv %x weight @w bias @b {groups = 3 : i64, kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : !ee.stream<2x8x8xf32> -> !ee.stream<4x8x8xf32>
    func.return
  }
}
// CHECK: 'ee.conv' groups=3 does not divide 2 input and 4 output channels

// -----

// weight symbol that does not exist
builtin.module {
  ee.weight @w = dense<1.000000e-01> : tensor<4x2x3x3xf32>
  ee.weight @b = dense<0.000000e+00> : tensor<4xf32>
  func.func @f(%x: !ee.stream<2x8x8xf32>) {
    %0 = ee.conv %x weight @nope bias @b {kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : !ee.stream<2x8x8xf32> -> !ee.stream<4x8x8xf32>
    func.return
  }
}
// CHECK: 'ee.conv' weight @nope does not name an 'ee.weight' in the enclosing module

// -----

// weight of the wrong shape
builtin.module {
  ee.weight @w = dense<1.000000e-01> : tensor<4x2x3x3xf32>
  ee.weight @b = dense<0.000000e+00> : tensor<4xf32>
  func.func @f(%x: !ee.stream<2x8x8xf32>) {
    %0 = ee.conv %x weight @w bias @w {kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : !ee.stream<2x8x8xf32> -> !ee.stream<4x8x8xf32>
    func.return
  }
}
// CHECK: 'ee.conv' bias @w has shape 4x2x3x3, expected 4

// -----

// pool of unknown kind
builtin.module {
  func.func @f(%x: !ee.stream<2x8x8xf32>) {
    %0 = ee.pool %x {kernel = array<i64: 2, 2>, kind = "min", pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : !ee.stream<2x8x8xf32> -> !ee.stream<2x4x4xf32>
    func.return
  }
}
// CHECK: 'ee.pool' kind "min" is not "max" or "avg"

// -----

// pool result shape that is not the computed one
builtin.module {
  func.func @f(%x: !ee.stream<2x8x8xf32>) {
    %0 = ee.pool %x {kernel = array<i64: 2, 2>, kind = "max", pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : !ee.stream<2x8x8xf32> -> !ee.stream<2x8x8xf32>
    func.return
  }
}
// CHECK: 'ee.pool' result shape 2x8x8 does not match 2x4x4 computed from input 2x8x8, kernel 2x2, strides 2x2, pads [0, 0, 0, 0]

// -----

// global pool of unknown kind
builtin.module {
  func.func @f(%x: !ee.stream<2x8x8xf32>) {
    %0 = ee.global_pool %x {kind = "sum"} : !ee.stream<2x8x8xf32> -> !ee.stream<2x1x1xf32>
    func.return
  }
}
// CHECK: 'ee.global_pool' kind "sum" is not "max" or "avg"

// -----

// global pool keeping H and W
builtin.module {
  func.func @f(%x: !ee.stream<2x8x8xf32>) {
    %0 = ee.global_pool %x {kind = "avg"} : !ee.stream<2x8x8xf32> -> !ee.stream<2x2x2xf32>
    func.return
  }
}
// CHECK: 'ee.global_pool' result shape 2x2x2 must be 2x1x1

// -----

// flatten losing elements
builtin.module {
  func.func @f(%x: !ee.stream<2x8x8xf32>) {
    %0 = ee.flatten %x : !ee.stream<2x8x8xf32> -> !ee.stream<100xf32>
    func.return
  }
}
// CHECK: 'ee.flatten' result has 100 elements, input 2x8x8 has 128

// -----

// flatten to a map
builtin.module {
  func.func @f(%x: !ee.stream<2x8x8xf32>) {
    %0 = ee.flatten %x : !ee.stream<2x8x8xf32> -> !ee.stream<2x8x8xf32>
    func.return
  }
}
// CHECK: 'ee.flatten' result shape 2x8x8 must be N (rank 1)

// -----

// linear weight of the wrong shape
builtin.module {
  ee.weight @w = dense<1.000000e-01> : tensor<16x3xf32>
  func.func @f(%x: !ee.stream<16xf32>) {
    %0 = ee.linear %x weight @w : !ee.stream<16xf32> -> !ee.stream<3xf32>
    func.return
  }
}
// CHECK: 'ee.linear' weight @w has shape 16x3, expected 3x16

// -----

// softmax over a map
builtin.module {
  func.func @f(%x: !ee.stream<2x8x8xf32>) {
    %0 = ee.softmax %x : !ee.stream<2x8x8xf32>
    func.return
  }
}
// CHECK: 'ee.softmax' input shape 2x8x8 must be N (rank 1)

// -----

// conv from float to fixed point: only fixed-point formats may differ (the output stage)
builtin.module {
  ee.weight @w = dense<1.000000e-01> : tensor<4x2x3x3xf32>
  func.func @f(%x: !ee.stream<2x8x8xf32>) {
    %0 = ee.conv %x weight @w {kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : !ee.stream<2x8x8xf32> -> !ee.stream<4x8x8x!ee.fixed<16, 8>>
    func.return
  }
}
// CHECK: 'ee.conv' result element type !ee.fixed<16, 8> differs from input's f32 (only fixed-point formats may differ: the output stage converts)

// -----

// a bias with more fraction bits than the accumulator (input 4 + weight 4)
builtin.module {
  ee.weight @w = dense<5.000000e-01> : tensor<3x16xf32>
  ee.weight @b = dense<0.000000e+00> : tensor<3xf32>
  func.func @f(%x: !ee.stream<16x!ee.fixed<8, 4>>) {
    %0 = ee.linear %x weight @w bias @b {weight_type = !ee.fixed<8, 4>, bias_type = !ee.fixed<16, 4>} : !ee.stream<16x!ee.fixed<8, 4>> -> !ee.stream<3x!ee.fixed<16, 8>>
    func.return
  }
}
// CHECK: 'ee.linear' bias_type !ee.fixed<16, 4> has 12 fraction bits, more than the accumulator's 8 (input 4 + weight 4); use at most 8

// -----

// a weight format on float streams
builtin.module {
  ee.weight @w = dense<5.000000e-01> : tensor<3x16xf32>
  func.func @f(%x: !ee.stream<16xf32>) {
    %0 = ee.linear %x weight @w {weight_type = !ee.fixed<8, 4>} : !ee.stream<16xf32> -> !ee.stream<3xf32>
    func.return
  }
}
// CHECK: 'ee.linear' has a weight_type but its streams are f32, not fixed point

// -----

// a cast of a float stream
builtin.module {
  func.func @f(%x: !ee.stream<16xf32>) {
    %0 = ee.cast %x : !ee.stream<16xf32> -> !ee.stream<16x!ee.fixed<8, 4>>
    func.return
  }
}
// CHECK: 'ee.cast' input element type f32 is not !ee.fixed<W, I>

// -----

// a cast that changes the shape
builtin.module {
  func.func @f(%x: !ee.stream<16x!ee.fixed<16, 8>>) {
    %0 = ee.cast %x : !ee.stream<16x!ee.fixed<16, 8>> -> !ee.stream<8x!ee.fixed<8, 4>>
    func.return
  }
}
// CHECK: 'ee.cast' result shape 8 differs from input's 16

// -----

// a saturating relu whose bound is not positive
builtin.module {
  func.func @f(%x: !ee.stream<2x8x8xf32>) {
    %0 = ee.relu %x {max = 0.000000e+00 : f64} : !ee.stream<2x8x8xf32>
    func.return
  }
}
// CHECK: 'ee.relu' max 0.0 must be a finite number > 0
