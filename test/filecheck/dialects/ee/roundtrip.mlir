// RUN: eecc-opt %s | filecheck %s
// RUN: eecc-opt %s --print-op-generic | eecc-opt | filecheck %s
// Every `ee` op and attribute in custom form, printed back identically; the second RUN
// goes through the generic form and back.

builtin.module {
  ee.weight @c.w = dense<1.000000e-01> : tensor<4x2x3x3xf32>
  ee.weight @c.b = dense<0.000000e+00> : tensor<4xf32>
  ee.weight @g.w = dense<1.000000e-01> : tensor<4x1x3x3xf32>
  ee.weight @fc.w = dense<1.000000e-01> : tensor<3x16xf32>
  ee.weight @fc.b = dense<0.000000e+00> : tensor<3xf32>
  ee.weight @fc2.w = dense<1.000000e-01> : tensor<3x4xf32>
  ee.graph @net(%x: !ee.stream<2x8x8xf32>) -> !ee.stream<3xf32> {
    %0 = ee.conv %x weight @c.w bias @c.b {fold = #ee.fold<coarse_in = 2, coarse_out = 4, fine = 9>, kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, rate = 1.000000e+00 : f64, strides = array<i64: 1, 1>} : !ee.stream<2x8x8xf32> -> !ee.stream<4x8x8xf32>
    %1 = ee.conv %0 weight @g.w {groups = 4 : i64, kernel = array<i64: 3, 3>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : !ee.stream<4x8x8xf32> -> !ee.stream<4x3x3xf32>
    %2 = ee.relu %1 {fold = #ee.fold<coarse = 2>} : !ee.stream<4x3x3xf32>
    %3 = ee.pool %2 {count_include_pad, kernel = array<i64: 3, 3>, kind = "avg", pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : !ee.stream<4x3x3xf32> -> !ee.stream<4x3x3xf32>
    %4, %5 = ee.split %3 : !ee.stream<4x3x3xf32> -> !ee.stream<4x3x3xf32>, !ee.stream<4x3x3xf32>
    %6 = ee.pool %4 {kernel = array<i64: 2, 2>, kind = "max", pads = array<i64: 0, 0, 1, 1>, strides = array<i64: 2, 2>} : !ee.stream<4x3x3xf32> -> !ee.stream<4x2x2xf32>
    %7 = ee.flatten %6 : !ee.stream<4x2x2xf32> -> !ee.stream<16xf32>
    %8 = ee.linear %7 weight @fc.w bias @fc.b {cost = #ee.cost<latency = 16, depth = 2, lut = 100, ff = 120, dsp = 1, bram = 0>} : !ee.stream<16xf32> -> !ee.stream<3xf32>
    %9, %10 = ee.split %8 : !ee.stream<3xf32> -> !ee.stream<3xf32>, !ee.stream<3xf32>
    %11 = ee.exit_decision %9 {threshold = 9.000000e-01 : f64} : !ee.stream<3xf32>
    %12 = ee.condbuffer %10, %11 {mode = "pass-on-exit"} : !ee.stream<3xf32>
    %13 = ee.condbuffer %5, %11 {depth = 16 : i64, mode = "drop-on-exit"} : !ee.stream<4x3x3xf32>
    %14, %15 = ee.split %13 : !ee.stream<4x3x3xf32> -> !ee.stream<4x3x3xf32>, !ee.stream<4x3x3xf32>
    %16 = ee.add %14, %15 : !ee.stream<4x3x3xf32>
    %r = ee.repack %16 lanes 2 to 4 : !ee.stream<4x3x3xf32>
    %17 = ee.global_pool %r {kind = "avg"} : !ee.stream<4x3x3xf32> -> !ee.stream<4x1x1xf32>
    %18 = ee.flatten %17 : !ee.stream<4x1x1xf32> -> !ee.stream<4xf32>
    %19 = ee.linear %18 weight @fc2.w : !ee.stream<4xf32> -> !ee.stream<3xf32>
    %20 = ee.softmax %19 : !ee.stream<3xf32>
    %21 = ee.exit_merge %12, %20 : !ee.stream<3xf32>, !ee.stream<3xf32> -> !ee.stream<3xf32>
    ee.output %21 : !ee.stream<3xf32>
  }
}

// CHECK-LABEL: ee.graph @net(%x: !ee.stream<2x8x8xf32>) -> !ee.stream<3xf32> {
// CHECK-NEXT:    %0 = ee.conv %x weight @c.w bias @c.b {fold = #ee.fold<coarse_in = 2, coarse_out = 4, fine = 9>, kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, rate = 1.000000e+00 : f64, strides = array<i64: 1, 1>} : !ee.stream<2x8x8xf32> -> !ee.stream<4x8x8xf32>
// CHECK-NEXT:    %1 = ee.conv %0 weight @g.w {groups = 4 : i64, kernel = array<i64: 3, 3>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : !ee.stream<4x8x8xf32> -> !ee.stream<4x3x3xf32>
// CHECK-NEXT:    %2 = ee.relu %1 {fold = #ee.fold<coarse = 2>} : !ee.stream<4x3x3xf32>
// CHECK-NEXT:    %3 = ee.pool %2 {count_include_pad, kernel = array<i64: 3, 3>, kind = "avg", pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : !ee.stream<4x3x3xf32> -> !ee.stream<4x3x3xf32>
// CHECK-NEXT:    %4, %5 = ee.split %3 : !ee.stream<4x3x3xf32> -> !ee.stream<4x3x3xf32>, !ee.stream<4x3x3xf32>
// CHECK-NEXT:    %6 = ee.pool %4 {kernel = array<i64: 2, 2>, kind = "max", pads = array<i64: 0, 0, 1, 1>, strides = array<i64: 2, 2>} : !ee.stream<4x3x3xf32> -> !ee.stream<4x2x2xf32>
// CHECK-NEXT:    %7 = ee.flatten %6 : !ee.stream<4x2x2xf32> -> !ee.stream<16xf32>
// CHECK-NEXT:    %8 = ee.linear %7 weight @fc.w bias @fc.b {cost = #ee.cost<latency = 16, depth = 2, lut = 100, ff = 120, dsp = 1, bram = 0>} : !ee.stream<16xf32> -> !ee.stream<3xf32>
// CHECK-NEXT:    %9, %10 = ee.split %8 : !ee.stream<3xf32> -> !ee.stream<3xf32>, !ee.stream<3xf32>
// CHECK-NEXT:    %11 = ee.exit_decision %9 {threshold = 9.000000e-01 : f64} : !ee.stream<3xf32>
// CHECK-NEXT:    %12 = ee.condbuffer %10, %11 {mode = "pass-on-exit"} : !ee.stream<3xf32>
// CHECK-NEXT:    %13 = ee.condbuffer %5, %11 {depth = 16 : i64, mode = "drop-on-exit"} : !ee.stream<4x3x3xf32>
// CHECK-NEXT:    %14, %15 = ee.split %13 : !ee.stream<4x3x3xf32> -> !ee.stream<4x3x3xf32>, !ee.stream<4x3x3xf32>
// CHECK-NEXT:    %16 = ee.add %14, %15 : !ee.stream<4x3x3xf32>
// CHECK-NEXT:    %r = ee.repack %16 lanes 2 to 4 : !ee.stream<4x3x3xf32>
// CHECK-NEXT:    %17 = ee.global_pool %r {kind = "avg"} : !ee.stream<4x3x3xf32> -> !ee.stream<4x1x1xf32>
// CHECK-NEXT:    %18 = ee.flatten %17 : !ee.stream<4x1x1xf32> -> !ee.stream<4xf32>
// CHECK-NEXT:    %19 = ee.linear %18 weight @fc2.w : !ee.stream<4xf32> -> !ee.stream<3xf32>
// CHECK-NEXT:    %20 = ee.softmax %19 : !ee.stream<3xf32>
// CHECK-NEXT:    %21 = ee.exit_merge %12, %20 : !ee.stream<3xf32>, !ee.stream<3xf32> -> !ee.stream<3xf32>
// CHECK-NEXT:    ee.output %21 : !ee.stream<3xf32>
// CHECK-NEXT:  }

// A mixed-precision linear (its own weight and bias formats) and a cast.
// CHECK-LABEL: func.func @mixed
// CHECK-NEXT:    %0 = ee.linear %x weight @mw bias @mb {weight_type = !ee.fixed<10, 5>, bias_type = !ee.fixed<10, 5>} : !ee.stream<16x!ee.fixed<12, 6>> -> !ee.stream<3x!ee.fixed<10, 5>>
// CHECK-NEXT:    %1 = ee.cast %0 {fold = #ee.fold<coarse = 3>} : !ee.stream<3x!ee.fixed<10, 5>> -> !ee.stream<3x!ee.fixed<16, 8>>
builtin.module {
  ee.weight @mw = dense<5.000000e-01> : tensor<3x16xf32>
  ee.weight @mb = dense<0.000000e+00> : tensor<3xf32>
  func.func @mixed(%x: !ee.stream<16x!ee.fixed<12, 6>>) {
    %0 = ee.linear %x weight @mw bias @mb {weight_type = !ee.fixed<10, 5>, bias_type = !ee.fixed<10, 5>} : !ee.stream<16x!ee.fixed<12, 6>> -> !ee.stream<3x!ee.fixed<10, 5>>
    %1 = ee.cast %0 {fold = #ee.fold<coarse = 3>} : !ee.stream<3x!ee.fixed<10, 5>> -> !ee.stream<3x!ee.fixed<16, 8>>
    func.return
  }
}
