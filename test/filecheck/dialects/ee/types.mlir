// RUN: eecc-opt %s | filecheck %s
// RUN: eecc-opt %s --print-op-generic | eecc-opt | filecheck %s
// Stream element types: float and fixed point; the control type.

builtin.module {
  func.func @types(%a: !ee.stream<5x16x16x!ee.fixed<16, 8>>, %b: !ee.stream<10xf64>, %c: !ee.ctrl) {
    func.return
  }
}

// CHECK: func.func @types(%a: !ee.stream<5x16x16x!ee.fixed<16, 8>>, %b: !ee.stream<10xf64>, %c: !ee.ctrl)
