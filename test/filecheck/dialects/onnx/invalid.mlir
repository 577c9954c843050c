// RUN: eecc-opt %s --split-input-file --verify-diagnostics | filecheck %s
// The onnx dialect's graph reads every value after it is defined.

// an If whose branch reads the If's own result
builtin.module {
  onnx.graph @net(%x: tensor<1x5xf32>) -> tensor<1x5xf32> {
    %b = onnx.node "Cast"(%x) : (tensor<1x5xf32>) -> tensor<i1>
    %y = onnx.if %b : tensor<i1> -> tensor<1x5xf32> {
      onnx.yield %y : tensor<1x5xf32>
    } else {
      onnx.yield %x : tensor<1x5xf32>
    }
    onnx.return %y : tensor<1x5xf32>
  }
}
// CHECK: 'onnx.yield' reads a value that is not defined before it (its own result, or one defined later)

// -----

// a node reading a value defined after it
builtin.module {
  onnx.graph @net(%x: tensor<1x5xf32>) -> tensor<1x5xf32> {
    %a = onnx.node "Relu"(%b) : (tensor<1x5xf32>) -> tensor<1x5xf32>
    %b = onnx.node "Relu"(%x) : (tensor<1x5xf32>) -> tensor<1x5xf32>
    onnx.return %a : tensor<1x5xf32>
  }
}
// CHECK: 'onnx.node' reads a value that is not defined before it (its own result, or one defined later)
