// RUN: eecc-opt %s --split-input-file --verify-diagnostics --parsing-diagnostics | filecheck %s
// Rates outside [0, 1] and folds the op cannot have are rejected.

// rate above 1
builtin.module {
  func.func @f(%x: !ee.stream<4x8x8xf32>) {
    %0 = ee.relu %x {rate = 1.5 : f64} : !ee.stream<4x8x8xf32>
    func.return
  }
}
// CHECK: 'ee.relu' rate 1.5 is outside [0, 1]

// -----

// negative rate
builtin.module {
  func.func @f(%x: !ee.stream<4x8x8xf32>) {
    %0 = ee.relu %x {rate = -0.25 : f64} : !ee.stream<4x8x8xf32>
    func.return
  }
}
// CHECK: 'ee.relu' rate -0.25 is outside [0, 1]

// -----

// fold factor the op does not have
builtin.module {
  func.func @f(%x: !ee.stream<4x8x8xf32>) {
    %0 = ee.relu %x {fold = #ee.fold<fine = 9>} : !ee.stream<4x8x8xf32>
    func.return
  }
}
// CHECK: 'ee.relu' has no fold factor fine (it has: coarse); found fine=9

// -----

// coarse that does not divide channels
builtin.module {
  func.func @f(%x: !ee.stream<4x8x8xf32>) {
    %0 = ee.relu %x {fold = #ee.fold<coarse = 3>} : !ee.stream<4x8x8xf32>
    func.return
  }
}
// CHECK: 'ee.relu' fold coarse=3 does not divide 4 channels

// -----

// coarse_out that does not divide output channels
builtin.module {
  ee.weight @w = dense<1.000000e-01> : tensor<4x2x3x3xf32>
  ee.weight @b = dense<0.000000e+00> : tensor<4xf32>
  func.func @f(%x: !ee.stream<2x8x8xf32>) {
    %0 = ee.conv %x weight @w bias @b {fold = #ee.fold<coarse_out = 3>, kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : !ee.stream<2x8x8xf32> -> !ee.stream<4x8x8xf32>
    func.return
  }
}
// CHECK: 'ee.conv' fold coarse_out=3 does not divide 4 output channels

// -----

// coarse_in that does not divide input channels
builtin.module {
  ee.weight @w = dense<1.000000e-01> : tensor<4x2x3x3xf32>
  ee.weight @b = dense<0.000000e+00> : tensor<4xf32>
  func.func @f(%x: !ee.stream<2x8x8xf32>) {
    %0 = ee.conv %x weight @w bias @b {fold = #ee.fold<coarse_in = 4>, kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : !ee.stream<2x8x8xf32> -> !ee.stream<4x8x8xf32>
    func.return
  }
}
// CHECK: 'ee.conv' fold coarse_in=4 does not divide 2 input channels

// -----

// fine illegal for the kernel
builtin.module {
  ee.weight @w = dense<1.000000e-01> : tensor<4x2x3x3xf32>
  ee.weight @b = dense<0.000000e+00> : tensor<4xf32>
  func.func @f(%x: !ee.stream<2x8x8xf32>) {
    %0 = ee.conv %x weight @w bias @b {fold = #ee.fold<fine = 4>, kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : !ee.stream<2x8x8xf32> -> !ee.stream<4x8x8xf32>
    func.return
  }
}
// CHECK: 'ee.conv' fold fine=4 is not one of 1, 3, 9 (legal for a 3x3 kernel)

// -----

// linear coarse_in that does not divide features
builtin.module {
  ee.weight @w = dense<1.000000e-01> : tensor<3x16xf32>
  func.func @f(%x: !ee.stream<16xf32>) {
    %0 = ee.linear %x weight @w {fold = #ee.fold<coarse_in = 5>} : !ee.stream<16xf32> -> !ee.stream<3xf32>
    func.return
  }
}
// CHECK: 'ee.linear' fold coarse_in=5 does not divide 16 input features
