builtin.module {
  ee.weight @conv1.w = dense<1.000000e-02> : tensor<5x1x5x5xf32>
  ee.weight @conv1.b = dense<0.000000e+00> : tensor<5xf32>
  ee.weight @exit1.conv.w = dense<1.000000e-02> : tensor<10x5x3x3xf32>
  ee.weight @exit1.conv.b = dense<0.000000e+00> : tensor<10xf32>
  ee.weight @exit1.fc.w = dense<1.000000e-02> : tensor<10x640xf32>
  ee.weight @exit1.fc.b = dense<0.000000e+00> : tensor<10xf32>
  ee.weight @conv2.w = dense<1.000000e-02> : tensor<10x5x5x5xf32>
  ee.weight @conv2.b = dense<0.000000e+00> : tensor<10xf32>
  ee.weight @conv3.w = dense<1.000000e-02> : tensor<20x10x5x5xf32>
  ee.weight @conv3.b = dense<0.000000e+00> : tensor<20xf32>
  ee.weight @fc.w = dense<1.000000e-02> : tensor<10x720xf32>
  ee.weight @fc.b = dense<0.000000e+00> : tensor<10xf32>
  ee.graph @blenet(%x: !ee.stream<1x28x28xf32>) -> !ee.stream<10xf32> {
    %0 = ee.conv %x weight @conv1.w bias @conv1.b {kernel = array<i64: 5, 5>, pads = array<i64: 4, 4, 4, 4>, strides = array<i64: 1, 1>} : !ee.stream<1x28x28xf32> -> !ee.stream<5x32x32xf32>
    %1 = ee.pool %0 {kernel = array<i64: 2, 2>, kind = "max", pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : !ee.stream<5x32x32xf32> -> !ee.stream<5x16x16xf32>
    %2 = ee.relu %1 : !ee.stream<5x16x16xf32>
    %3, %4 = ee.split %2 : !ee.stream<5x16x16xf32> -> !ee.stream<5x16x16xf32>, !ee.stream<5x16x16xf32>
    %5 = ee.conv %3 weight @exit1.conv.w bias @exit1.conv.b {kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : !ee.stream<5x16x16xf32> -> !ee.stream<10x16x16xf32>
    %6 = ee.pool %5 {kernel = array<i64: 2, 2>, kind = "max", pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : !ee.stream<10x16x16xf32> -> !ee.stream<10x8x8xf32>
    %7 = ee.relu %6 : !ee.stream<10x8x8xf32>
    %8 = ee.flatten %7 : !ee.stream<10x8x8xf32> -> !ee.stream<640xf32>
    %9 = ee.linear %8 weight @exit1.fc.w bias @exit1.fc.b : !ee.stream<640xf32> -> !ee.stream<10xf32>
    %10, %11 = ee.split %9 : !ee.stream<10xf32> -> !ee.stream<10xf32>, !ee.stream<10xf32>
    %12 = ee.exit_decision %10 {threshold = 9.960000e-01 : f64} : !ee.stream<10xf32>
    %13 = ee.condbuffer %11, %12 {mode = "pass-on-exit"} : !ee.stream<10xf32>
    %14 = ee.condbuffer %4, %12 {mode = "drop-on-exit"} : !ee.stream<5x16x16xf32>
    %15 = ee.conv %14 weight @conv2.w bias @conv2.b {kernel = array<i64: 5, 5>, pads = array<i64: 4, 4, 4, 4>, strides = array<i64: 1, 1>} : !ee.stream<5x16x16xf32> -> !ee.stream<10x20x20xf32>
    %16 = ee.pool %15 {kernel = array<i64: 2, 2>, kind = "max", pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : !ee.stream<10x20x20xf32> -> !ee.stream<10x10x10xf32>
    %17 = ee.relu %16 : !ee.stream<10x10x10xf32>
    %18 = ee.conv %17 weight @conv3.w bias @conv3.b {kernel = array<i64: 5, 5>, pads = array<i64: 3, 3, 3, 3>, strides = array<i64: 1, 1>} : !ee.stream<10x10x10xf32> -> !ee.stream<20x12x12xf32>
    %19 = ee.pool %18 {kernel = array<i64: 2, 2>, kind = "max", pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : !ee.stream<20x12x12xf32> -> !ee.stream<20x6x6xf32>
    %20 = ee.relu %19 : !ee.stream<20x6x6xf32>
    %21 = ee.flatten %20 : !ee.stream<20x6x6xf32> -> !ee.stream<720xf32>
    %22 = ee.linear %21 weight @fc.w bias @fc.b : !ee.stream<720xf32> -> !ee.stream<10xf32>
    %23 = ee.exit_merge %13, %22 : !ee.stream<10xf32>, !ee.stream<10xf32> -> !ee.stream<10xf32>
    ee.output %23 : !ee.stream<10xf32>
  }
}

