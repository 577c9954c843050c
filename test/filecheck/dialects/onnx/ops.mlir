// RUN: eecc-opt %s --print-debuginfo | filecheck %s
// RUN: eecc-opt %s --print-debuginfo | eecc-opt --print-debuginfo | filecheck %s
// RUN: eecc-opt %s --print-op-generic --print-debuginfo | eecc-opt --print-debuginfo | filecheck %s

// Every onnx op in its custom form, with node names as locations; printing then re-parsing
// (custom and generic form) gives the same IR.

// CHECK:      onnx.initializer @w = dense<1.000000e-02> : tensor<5x1x3x3xf32>
// CHECK-NEXT: onnx.initializer @thr = dense<5.000000e-01> : tensor<f32>
// CHECK-LABEL: onnx.graph @net(%{{.*}}: tensor<1x1x8x8xf32> loc(unknown)) -> tensor<1x5xf32> attributes {input_names = ["input"], output_names = ["output"]} {
// CHECK-NEXT:   %[[W:.*]] = onnx.initializer_ref @w : tensor<5x1x3x3xf32> loc(unknown)
// CHECK-NEXT:   %[[N:.*]] = onnx.none loc(unknown)
// CHECK-NEXT:   %[[C:.*]] = onnx.node "Conv"(%{{.*}}, %[[W]], %[[N]]) {kernel_shape = array<i64: 3, 3>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x1x8x8xf32>, tensor<5x1x3x3xf32>, none) -> tensor<1x5x6x6xf32> loc("/conv/Conv")
// CHECK-NEXT:   %[[P:.*]] = onnx.node "GlobalAveragePool"(%[[C]]) : (tensor<1x5x6x6xf32>) -> tensor<1x5x1x1xf32> loc("/pool")
// CHECK-NEXT:   %[[F:.*]] = onnx.node "Flatten"(%[[P]]) {axis = 1 : i64} : (tensor<1x5x1x1xf32>) -> tensor<1x5xf32> loc("/flat")
// CHECK-NEXT:   %{{.*}} = onnx.node "Custom" domain "com.example"(%[[F]]) {names = ["a", "b"], scale = 2.500000e-01 : f32, scales = array<f32: 1.000000e+00>} : (tensor<1x5xf32>) -> tensor<1x5xf32> loc("/custom")
// CHECK:        %[[Y:.*]] = onnx.if %{{.*}} : tensor<i1> -> tensor<1x5xf32> {
// CHECK-NEXT:     onnx.yield %[[F]] : tensor<1x5xf32> loc(unknown)
// CHECK-NEXT:   } else {
// CHECK-NEXT:     %[[R:.*]] = onnx.node "Relu"(%[[F]]) : (tensor<1x5xf32>) -> tensor<1x5xf32> loc("/rest/Relu")
// CHECK-NEXT:     onnx.yield %[[R]] : tensor<1x5xf32> loc(unknown)
// CHECK-NEXT:   } loc("/If")
// CHECK-NEXT:   onnx.return %[[Y]] : tensor<1x5xf32> loc(unknown)
builtin.module {
  onnx.initializer @w = dense<0.01> : tensor<5x1x3x3xf32>
  onnx.initializer @thr = dense<0.5> : tensor<f32>
  onnx.graph @net(%x: tensor<1x1x8x8xf32>) -> tensor<1x5xf32> attributes {input_names = ["input"], output_names = ["output"]} {
    %w = onnx.initializer_ref @w : tensor<5x1x3x3xf32>
    %none = onnx.none
    %c = onnx.node "Conv"(%x, %w, %none) {kernel_shape = array<i64: 3, 3>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x1x8x8xf32>, tensor<5x1x3x3xf32>, none) -> tensor<1x5x6x6xf32> loc("/conv/Conv")
    %p = onnx.node "GlobalAveragePool"(%c) : (tensor<1x5x6x6xf32>) -> tensor<1x5x1x1xf32> loc("/pool")
    %f = onnx.node "Flatten"(%p) {axis = 1 : i64} : (tensor<1x5x1x1xf32>) -> tensor<1x5xf32> loc("/flat")
    %u = onnx.node "Custom" domain "com.example"(%f) {names = ["a", "b"], scale = 0.25 : f32, scales = array<f32: 1.0>} : (tensor<1x5xf32>) -> tensor<1x5xf32> loc("/custom")
    %s = onnx.node "Softmax"(%f) {axis = 1 : i64} : (tensor<1x5xf32>) -> tensor<1x5xf32> loc("/Softmax")
    %m = onnx.node "ReduceMax"(%s) {keepdims = 0 : i64} : (tensor<1x5xf32>) -> tensor<1xf32> loc("/ReduceMax")
    %t = onnx.initializer_ref @thr : tensor<f32>
    %g = onnx.node "Greater"(%m, %t) : (tensor<1xf32>, tensor<f32>) -> tensor<1xi1> loc("/Greater")
    %b = onnx.node "Squeeze"(%g) : (tensor<1xi1>) -> tensor<i1> loc("/Squeeze")
    %y = onnx.if %b : tensor<i1> -> tensor<1x5xf32> {
      onnx.yield %f : tensor<1x5xf32>
    } else {
      %r = onnx.node "Relu"(%f) : (tensor<1x5xf32>) -> tensor<1x5xf32> loc("/rest/Relu")
      onnx.yield %r : tensor<1x5xf32>
    } loc("/If")
    onnx.return %y : tensor<1x5xf32>
  }
}
