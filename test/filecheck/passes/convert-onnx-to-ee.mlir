// RUN: eecc-opt %s --split-input-file --convert-onnx-to-ee | filecheck %s

// A static network (no If) is a plain chain; Dropout and Identity vanish, Flatten and Gemm
// become ee.flatten and ee.linear with the [out, in] weight; the final Softmax vanishes (the
// network returns the logits: argmax unchanged).

// CHECK-LABEL: ee.graph @static(%{{.*}}: !ee.stream<1x4x4xf32>) -> !ee.stream<3xf32> {
// CHECK-NEXT:    %[[C:.*]] = ee.conv %{{.*}} weight @w bias @b {kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : !ee.stream<1x4x4xf32> -> !ee.stream<2x4x4xf32>
// CHECK-NEXT:    %[[R:.*]] = ee.relu %[[C]] : !ee.stream<2x4x4xf32>
// CHECK-NEXT:    %[[P:.*]] = ee.pool %[[R]] {count_include_pad, kernel = array<i64: 2, 2>, kind = "avg", pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : !ee.stream<2x4x4xf32> -> !ee.stream<2x2x2xf32>
// CHECK-NEXT:    %[[F:.*]] = ee.flatten %[[P]] : !ee.stream<2x2x2xf32> -> !ee.stream<8xf32>
// CHECK-NEXT:    %[[L:.*]] = ee.linear %[[F]] weight @fc.w bias @fc.b : !ee.stream<8xf32> -> !ee.stream<3xf32>
// CHECK-NEXT:    ee.output %[[L]] : !ee.stream<3xf32>
builtin.module {
  onnx.initializer @w = dense<0.1> : tensor<2x1x3x3xf32>
  onnx.initializer @b = dense<0.0> : tensor<2xf32>
  onnx.initializer @fc.w = dense<0.5> : tensor<3x8xf32>
  onnx.initializer @fc.b = dense<0.0> : tensor<3xf32>
  onnx.graph @static(%x: tensor<1x1x4x4xf32>) -> tensor<1x3xf32> {
    %w = onnx.initializer_ref @w : tensor<2x1x3x3xf32>
    %b = onnx.initializer_ref @b : tensor<2xf32>
    %fw = onnx.initializer_ref @fc.w : tensor<3x8xf32>
    %fb = onnx.initializer_ref @fc.b : tensor<3xf32>
    %c = onnx.node "Conv"(%x, %w, %b) {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x3x3xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
    %r = onnx.node "Relu"(%c) : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
    %d = onnx.node "Dropout"(%r) : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
    %p = onnx.node "AveragePool"(%d) {count_include_pad = 1 : i64, kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32>
    %i = onnx.node "Identity"(%p) : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
    %f = onnx.node "Flatten"(%i) {axis = 1 : i64} : (tensor<1x2x2x2xf32>) -> tensor<1x8xf32>
    %l = onnx.node "Gemm"(%f, %fw, %fb) {transB = 1 : i64} : (tensor<1x8xf32>, tensor<3x8xf32>, tensor<3xf32>) -> tensor<1x3xf32>
    %s = onnx.node "Softmax"(%l) {axis = 1 : i64} : (tensor<1x3xf32>) -> tensor<1x3xf32>
    onnx.return %s : tensor<1x3xf32>
  }
}

// -----
// BatchNormalization folds into the conv: s = gamma / sqrt(var + eps) = 4 / sqrt(3 + 1) = 2,
// w' = 0.5 * 2 = 1, b' = (0 - mean) * s + beta = (0 - 1) * 2 + 0.5 = -1.5 (new bias symbol).

// CHECK:       ee.weight @w = dense<1.000000e+00> : tensor<1x1x1x1xf32>
// CHECK-NEXT:  ee.weight @w.bias = dense<-1.500000e+00> : tensor<1xf32>
// CHECK-LABEL: ee.graph @bn(
// CHECK-NEXT:    %[[C:.*]] = ee.conv %{{.*}} weight @w bias @w.bias {kernel = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : !ee.stream<1x2x2xf32> -> !ee.stream<1x2x2xf32>
// CHECK-NEXT:    ee.output %[[C]] : !ee.stream<1x2x2xf32>
builtin.module {
  onnx.initializer @w = dense<0.5> : tensor<1x1x1x1xf32>
  onnx.initializer @gamma = dense<4.0> : tensor<1xf32>
  onnx.initializer @beta = dense<0.5> : tensor<1xf32>
  onnx.initializer @mean = dense<1.0> : tensor<1xf32>
  onnx.initializer @var = dense<3.0> : tensor<1xf32>
  onnx.graph @bn(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32> {
    %w = onnx.initializer_ref @w : tensor<1x1x1x1xf32>
    %g = onnx.initializer_ref @gamma : tensor<1xf32>
    %be = onnx.initializer_ref @beta : tensor<1xf32>
    %m = onnx.initializer_ref @mean : tensor<1xf32>
    %v = onnx.initializer_ref @var : tensor<1xf32>
    %c = onnx.node "Conv"(%x, %w) : (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32>
    %n = onnx.node "BatchNormalization"(%c, %g, %be, %m, %v) {epsilon = 1.0 : f32} : (tensor<1x1x2x2xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
    onnx.return %n : tensor<1x1x2x2xf32>
  }
}

// -----
// One exit (dynamo form: threshold initializer, no Cast): the exit logits and the trunk are
// split, the decision drives a pass-on-exit and a drop-on-exit condbuffer, the else branch
// continues from the drop-on-exit buffer, and both exits meet in one ee.exit_merge.

// CHECK-LABEL: ee.graph @one_exit(
// CHECK-NEXT:    %[[T:.*]] = ee.relu %{{.*}} : !ee.stream<4xf32>
// CHECK-NEXT:    %[[T0:.*]], %[[T1:.*]] = ee.split %[[T]] : !ee.stream<4xf32> -> !ee.stream<4xf32>, !ee.stream<4xf32>
// CHECK-NEXT:    %[[H:.*]] = ee.linear %[[T0]] weight @head : !ee.stream<4xf32> -> !ee.stream<2xf32>
// CHECK-NEXT:    %[[H0:.*]], %[[H1:.*]] = ee.split %[[H]] : !ee.stream<2xf32> -> !ee.stream<2xf32>, !ee.stream<2xf32>
// CHECK-NEXT:    %[[D:.*]] = ee.exit_decision %[[H0]] {threshold = 5.000000e-01 : f64} : !ee.stream<2xf32>
// CHECK-NEXT:    %[[E:.*]] = ee.condbuffer %[[H1]], %[[D]] {mode = "pass-on-exit"} : !ee.stream<2xf32>
// CHECK-NEXT:    %[[K:.*]] = ee.condbuffer %[[T1]], %[[D]] {mode = "drop-on-exit"} : !ee.stream<4xf32>
// CHECK-NEXT:    %[[R:.*]] = ee.linear %[[K]] weight @rest : !ee.stream<4xf32> -> !ee.stream<2xf32>
// CHECK-NEXT:    %[[M:.*]] = ee.exit_merge %[[E]], %[[R]] : !ee.stream<2xf32>, !ee.stream<2xf32> -> !ee.stream<2xf32>
// CHECK-NEXT:    ee.output %[[M]] : !ee.stream<2xf32>
builtin.module {
  onnx.initializer @head = dense<0.5> : tensor<2x4xf32>
  onnx.initializer @rest = dense<0.25> : tensor<2x4xf32>
  onnx.initializer @thr = dense<0.5> : tensor<f32>
  onnx.graph @one_exit(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
    %hw = onnx.initializer_ref @head : tensor<2x4xf32>
    %rw = onnx.initializer_ref @rest : tensor<2x4xf32>
    %thr = onnx.initializer_ref @thr : tensor<f32>
    %t = onnx.node "Relu"(%x) : (tensor<1x4xf32>) -> tensor<1x4xf32>
    %h = onnx.node "Gemm"(%t, %hw) {transB = 1 : i64} : (tensor<1x4xf32>, tensor<2x4xf32>) -> tensor<1x2xf32>
    %s = onnx.node "Softmax"(%h) {axis = 1 : i64} : (tensor<1x2xf32>) -> tensor<1x2xf32>
    %m = onnx.node "ReduceMax"(%s) {keepdims = 0 : i64} : (tensor<1x2xf32>) -> tensor<f32>
    %g = onnx.node "Greater"(%m, %thr) : (tensor<f32>, tensor<f32>) -> tensor<i1>
    %y = onnx.if %g : tensor<i1> -> tensor<1x2xf32> {
      %i = onnx.node "Identity"(%h) : (tensor<1x2xf32>) -> tensor<1x2xf32>
      onnx.yield %i : tensor<1x2xf32>
    } else {
      %r = onnx.node "Gemm"(%t, %rw) {transB = 1 : i64} : (tensor<1x4xf32>, tensor<2x4xf32>) -> tensor<1x2xf32>
      onnx.yield %r : tensor<1x2xf32>
    }
    onnx.return %y : tensor<1x2xf32>
  }
}

// -----
// Nested Ifs (TorchScript form: Constant threshold and Cast) are a chain of exits: two
// decisions with a pass/drop condbuffer pair each and one merge of three. MatMul + Add is a
// linear layer with the transposed weight and the Add constant as bias.

// CHECK:       ee.weight @m = dense<{{.*}}> : tensor<2x4xf32>
// CHECK-LABEL: ee.graph @nested(
// CHECK:         %[[D1:.*]] = ee.exit_decision %{{.*}} {threshold = 5.000000e-01 : f64}
// CHECK-NEXT:    %[[E1:.*]] = ee.condbuffer %{{.*}}, %[[D1]] {mode = "pass-on-exit"}
// CHECK-NEXT:    %[[K1:.*]] = ee.condbuffer %{{.*}}, %[[D1]] {mode = "drop-on-exit"} : !ee.stream<4xf32>
// CHECK:         %[[D2:.*]] = ee.exit_decision %{{.*}} {threshold = 2.500000e-01 : f64}
// CHECK-NEXT:    %[[E2:.*]] = ee.condbuffer %{{.*}}, %[[D2]] {mode = "pass-on-exit"}
// CHECK-NEXT:    %[[K2:.*]] = ee.condbuffer %{{.*}}, %[[D2]] {mode = "drop-on-exit"} : !ee.stream<4xf32>
// CHECK-NEXT:    %[[L:.*]] = ee.linear %[[K2]] weight @m bias @bias : !ee.stream<4xf32> -> !ee.stream<2xf32>
// CHECK-NEXT:    %[[M:.*]] = ee.exit_merge %[[E1]], %[[E2]], %[[L]] : !ee.stream<2xf32>, !ee.stream<2xf32>, !ee.stream<2xf32> -> !ee.stream<2xf32>
// CHECK-NEXT:    ee.output %[[M]]
builtin.module {
  onnx.initializer @head = dense<0.5> : tensor<2x4xf32>
  onnx.initializer @m = dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]]> : tensor<4x2xf32>
  onnx.initializer @bias = dense<0.1> : tensor<2xf32>
  onnx.graph @nested(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
    %hw = onnx.initializer_ref @head : tensor<2x4xf32>
    %mw = onnx.initializer_ref @m : tensor<4x2xf32>
    %bb = onnx.initializer_ref @bias : tensor<2xf32>
    %t = onnx.node "Relu"(%x) : (tensor<1x4xf32>) -> tensor<1x4xf32>
    %h = onnx.node "Gemm"(%t, %hw) {transB = 1 : i64} : (tensor<1x4xf32>, tensor<2x4xf32>) -> tensor<1x2xf32>
    %s = onnx.node "Softmax"(%h) {axis = 1 : i64} : (tensor<1x2xf32>) -> tensor<1x2xf32>
    %m = onnx.node "ReduceMax"(%s) {keepdims = 0 : i64} : (tensor<1x2xf32>) -> tensor<f32>
    %k = onnx.node "Constant"() {value = dense<0.5> : tensor<f32>} : () -> tensor<f32>
    %g = onnx.node "Greater"(%m, %k) : (tensor<f32>, tensor<f32>) -> tensor<i1>
    %c = onnx.node "Cast"(%g) {to = 9 : i64} : (tensor<i1>) -> tensor<i1>
    %y = onnx.if %c : tensor<i1> -> tensor<1x2xf32> {
      onnx.yield %h : tensor<1x2xf32>
    } else {
      %t2 = onnx.node "Relu"(%t) : (tensor<1x4xf32>) -> tensor<1x4xf32>
      %h2 = onnx.node "Gemm"(%t2, %hw) {transB = 1 : i64} : (tensor<1x4xf32>, tensor<2x4xf32>) -> tensor<1x2xf32>
      %s2 = onnx.node "Softmax"(%h2) {axis = 1 : i64} : (tensor<1x2xf32>) -> tensor<1x2xf32>
      %m2 = onnx.node "ReduceMax"(%s2) {keepdims = 0 : i64} : (tensor<1x2xf32>) -> tensor<f32>
      %k2 = onnx.node "Constant"() {value = dense<0.25> : tensor<f32>} : () -> tensor<f32>
      %g2 = onnx.node "Greater"(%m2, %k2) : (tensor<f32>, tensor<f32>) -> tensor<i1>
      %c2 = onnx.node "Cast"(%g2) {to = 9 : i64} : (tensor<i1>) -> tensor<i1>
      %y2 = onnx.if %c2 : tensor<i1> -> tensor<1x2xf32> {
        onnx.yield %h2 : tensor<1x2xf32>
      } else {
        %mm = onnx.node "MatMul"(%t2, %mw) : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
        %a = onnx.node "Add"(%mm, %bb) : (tensor<1x2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
        onnx.yield %a : tensor<1x2xf32>
      }
      onnx.yield %y2 : tensor<1x2xf32>
    }
    onnx.return %y : tensor<1x2xf32>
  }
}

// -----
// A zero Pad folds into the conv's pads (1+1 top, 0+1 left, ...); Clip(0, 6) is a saturating
// relu; Mul by a constant scales the conv's weights (0.5 * 2 = 1).

// CHECK:       ee.weight @w = dense<1.000000e+00> : tensor<1x1x3x3xf32>
// CHECK-LABEL: ee.graph @ops(
// CHECK-NEXT:    %[[C:.*]] = ee.conv %{{.*}} weight @w {kernel = array<i64: 3, 3>, pads = array<i64: 2, 1, 1, 2>, strides = array<i64: 1, 1>} : !ee.stream<1x4x4xf32> -> !ee.stream<1x5x5xf32>
// CHECK-NEXT:    %[[R:.*]] = ee.relu %[[C]] {max = 6.000000e+00 : f64} : !ee.stream<1x5x5xf32>
// CHECK-NEXT:    ee.output %[[R]] : !ee.stream<1x5x5xf32>
builtin.module {
  onnx.initializer @w = dense<0.5> : tensor<1x1x3x3xf32>
  onnx.initializer @pads = dense<[0, 0, 1, 0, 0, 0, 0, 1]> : tensor<8xi64>
  onnx.initializer @two = dense<2.0> : tensor<f32>
  onnx.initializer @lo = dense<0.0> : tensor<f32>
  onnx.initializer @hi = dense<6.0> : tensor<f32>
  onnx.graph @ops(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x5x5xf32> {
    %w = onnx.initializer_ref @w : tensor<1x1x3x3xf32>
    %pads = onnx.initializer_ref @pads : tensor<8xi64>
    %two = onnx.initializer_ref @two : tensor<f32>
    %lo = onnx.initializer_ref @lo : tensor<f32>
    %hi = onnx.initializer_ref @hi : tensor<f32>
    %p = onnx.node "Pad"(%x, %pads) : (tensor<1x1x4x4xf32>, tensor<8xi64>) -> tensor<1x1x5x5xf32>
    %c = onnx.node "Conv"(%p, %w) {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x1x5x5xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x5x5xf32>
    %m = onnx.node "Mul"(%c, %two) : (tensor<1x1x5x5xf32>, tensor<f32>) -> tensor<1x1x5x5xf32>
    %r = onnx.node "Clip"(%m, %lo, %hi) : (tensor<1x1x5x5xf32>, tensor<f32>, tensor<f32>) -> tensor<1x1x5x5xf32>
    onnx.return %r : tensor<1x1x5x5xf32>
  }
}
