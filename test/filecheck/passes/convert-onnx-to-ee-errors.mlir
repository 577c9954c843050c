// RUN: eecc-opt %s --split-input-file --verify-diagnostics --convert-onnx-to-ee | filecheck %s
// RUN: not eecc-opt %s --split-input-file --convert-onnx-to-ee 2>&1 | filecheck %s --check-prefix=DRIVER

// An op without a lowering names the node, its op type and the supported list; the driver
// prints one line and exits non-zero.

// CHECK: node '/lstm' (LSTM) is not supported by convert-onnx-to-ee (supported: Add, AveragePool, BatchNormalization, Cast, Clip, Concat, Constant, ConstantOfShape, Conv, Dropout, Flatten, Gather, Gemm, GlobalAveragePool, GlobalMaxPool, Greater, Identity, MatMul, MaxPool, Mul, Pad, ReduceMax, ReduceMean, Relu, Reshape, Shape, Softmax, Squeeze, Sub, Sum, Unsqueeze)
// DRIVER: eecc-opt: error: node '/lstm' (LSTM) is not supported by convert-onnx-to-ee
// DRIVER-NOT: Traceback
builtin.module {
  onnx.graph @g(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
    %y = onnx.node "LSTM"(%x) : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("/lstm")
    onnx.return %y : tensor<1x4xf32>
  }
}

// -----
// The exit threshold must be a constant.

// CHECK: node '/Greater' (Greater) compares the exit confidence with a non-constant threshold; the threshold must be a scalar Constant or initializer
builtin.module {
  onnx.graph @g(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
    %t = onnx.node "Relu"(%x) : (tensor<1x4xf32>) -> tensor<1x4xf32>
    %s = onnx.node "Softmax"(%x) {axis = 1 : i64} : (tensor<1x4xf32>) -> tensor<1x4xf32>
    %m = onnx.node "ReduceMax"(%s) {keepdims = 0 : i64} : (tensor<1x4xf32>) -> tensor<f32>
    %g = onnx.node "Greater"(%m, %t) : (tensor<f32>, tensor<1x4xf32>) -> tensor<i1> loc("/Greater")
    %y = onnx.if %g : tensor<i1> -> tensor<1x4xf32> {
      onnx.yield %x : tensor<1x4xf32>
    } else {
      onnx.yield %x : tensor<1x4xf32>
    }
    onnx.return %y : tensor<1x4xf32>
  }
}

// -----
// An If whose condition is not the exit test is rejected.

// CHECK: node '/If' (onnx.if) is not an exit test: its condition must be Greater(ReduceMax(Softmax(logits)), threshold) [-> Cast(to=BOOL)]
builtin.module {
  onnx.initializer @c = dense<true> : tensor<i1>
  onnx.graph @g(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
    %c = onnx.initializer_ref @c : tensor<i1>
    %y = onnx.if %c : tensor<i1> -> tensor<1x4xf32> {
      onnx.yield %x : tensor<1x4xf32>
    } else {
      onnx.yield %x : tensor<1x4xf32>
    } loc("/If")
    onnx.return %y : tensor<1x4xf32>
  }
}

// -----
// BatchNormalization folds only into a Conv.

// CHECK: node '/bn' (BatchNormalization) does not follow a Conv whose only user it is (only folding into a Conv is supported)
builtin.module {
  onnx.initializer @p = dense<1.0> : tensor<2xf32>
  onnx.graph @g(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> {
    %p = onnx.initializer_ref @p : tensor<2xf32>
    %r = onnx.node "Relu"(%x) : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
    %n = onnx.node "BatchNormalization"(%r, %p, %p, %p, %p) : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32> loc("/bn")
    onnx.return %n : tensor<1x2x2x2xf32>
  }
}

// -----
// Dilated convolutions are not supported.

// CHECK: node '/conv' (Conv) uses dilations != 1 (unsupported)
builtin.module {
  onnx.initializer @w = dense<1.0> : tensor<1x1x3x3xf32>
  onnx.graph @g(%x: tensor<1x1x8x8xf32>) -> tensor<1x1x4x4xf32> {
    %w = onnx.initializer_ref @w : tensor<1x1x3x3xf32>
    %c = onnx.node "Conv"(%x, %w) {dilations = array<i64: 2, 2>} : (tensor<1x1x8x8xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x4x4xf32> loc("/conv")
    onnx.return %c : tensor<1x1x4x4xf32>
  }
}

// -----
// Clip is a saturating ReLU only from 0 up.

// CHECK: node '/clip' (Clip) clips to [-1, 1]; only Clip(min=0, max=m > 0) (a saturating ReLU, ReLU6) is supported
builtin.module {
  onnx.graph @g(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> {
    %c = onnx.node "Clip"(%x) {max = 1.0 : f32, min = -1.0 : f32} : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> loc("/clip")
    onnx.return %c : tensor<1x2x2x2xf32>
  }
}

// -----
// An explicit Pad folds only into the conv or pool that reads it.

// CHECK: node '/pad' (Pad) feeds node '/relu' (Relu); an explicit zero Pad folds only into the Conv, AveragePool or MaxPool (after a Relu) that reads it
builtin.module {
  onnx.initializer @pads = dense<[0, 0, 1, 1, 0, 0, 1, 1]> : tensor<8xi64>
  onnx.graph @g(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x4x4xf32> {
    %pads = onnx.initializer_ref @pads : tensor<8xi64>
    %p = onnx.node "Pad"(%x, %pads) : (tensor<1x2x2x2xf32>, tensor<8xi64>) -> tensor<1x2x4x4xf32> loc("/pad")
    %r = onnx.node "Relu"(%p) : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("/relu")
    onnx.return %r : tensor<1x2x4x4xf32>
  }
}

// -----
// A constant Mul folds only into a conv or linear layer before it.

// CHECK: node '/mul' (Mul) multiplies by a constant after something other than a Conv, Gemm or MatMul whose only user it is (a constant Add/Sub/Mul folds only into such a layer)
builtin.module {
  onnx.initializer @s = dense<2.0> : tensor<f32>
  onnx.graph @g(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> {
    %s = onnx.initializer_ref @s : tensor<f32>
    %m = onnx.node "Mul"(%x, %s) : (tensor<1x2x2x2xf32>, tensor<f32>) -> tensor<1x2x2x2xf32> loc("/mul")
    onnx.return %m : tensor<1x2x2x2xf32>
  }
}
