// RUN: eecc-opt %s | filecheck %s
// RUN: eecc-opt %s --print-op-generic | eecc-opt | filecheck %s
// A saturating relu (`max`, ONNX Clip(0, m), ReLU6) round-trips in custom and generic form;
// a plain relu prints no `max`.

builtin.module {
  func.func @f(%x: !ee.stream<2x8x8xf32>) {
    %0 = ee.relu %x {max = 6.000000e+00 : f64} : !ee.stream<2x8x8xf32>
    %1 = ee.relu %0 : !ee.stream<2x8x8xf32>
    func.return
  }
}

// CHECK-LABEL: func.func @f
// CHECK-NEXT:    %0 = ee.relu %x {max = 6.000000e+00 : f64} : !ee.stream<2x8x8xf32>
// CHECK-NEXT:    %1 = ee.relu %0 : !ee.stream<2x8x8xf32>
