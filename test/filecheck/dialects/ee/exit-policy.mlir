// RUN: eecc-opt %s | filecheck %s
// RUN: eecc-opt %s --print-op-generic | eecc-opt | filecheck %s
// The exit merge's policy: absent (first-confident) or stated, printed back identically.

builtin.module {
  func.func @f(%x: !ee.stream<3xf32>, %y: !ee.stream<3xf32>, %u: !ee.stream<3xf32>, %v: !ee.stream<3xf32>) {
    %0 = ee.exit_merge %x, %y : !ee.stream<3xf32>, !ee.stream<3xf32> -> !ee.stream<3xf32>
    %1 = ee.exit_merge %u, %v {policy = "most-confident"} : !ee.stream<3xf32>, !ee.stream<3xf32> -> !ee.stream<3xf32>
    func.return
  }
}
// CHECK-LABEL: func.func @f
// CHECK-NEXT:    %0 = ee.exit_merge %x, %y : !ee.stream<3xf32>, !ee.stream<3xf32> -> !ee.stream<3xf32>
// CHECK-NEXT:    %1 = ee.exit_merge %u, %v {policy = "most-confident"} : !ee.stream<3xf32>, !ee.stream<3xf32> -> !ee.stream<3xf32>
