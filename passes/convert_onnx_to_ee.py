"""Lower an imported ONNX model (`onnx` dialect) to one `ee.graph` with `ee.weight` symbols."""

from __future__ import annotations

from dataclasses import dataclass

from xdsl import passes
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp

from eecc.dialects.onnx import GraphOp
from eecc.passes._onnx_convert import Converter
from eecc.passes._onnx_values import ConversionError


@dataclass(frozen=True)
class ConvertOnnxToEEPass(passes.ModulePass):
    """Lower an imported ONNX model (`onnx` dialect) to one `ee.graph` with `ee.weight` symbols.

    Recognises the early-exit test of both PyTorch exports, `Softmax(axis=1) -> ReduceMax
    (keepdims=0) -> Greater(x, thr) [-> Cast(to=BOOL)] -> If` with `thr` a `Constant` node
    (TorchScript) or an initializer (dynamo, `torch.cond`), and builds for each exit: an
    `ee.split` of the exit logits, `ee.exit_decision {threshold}`, `ee.condbuffer
    {mode = "pass-on-exit"}` on the logits, `ee.condbuffer {mode = "drop-on-exit"}` on the
    backbone stream the else branch continues from (split when the exit head also reads it),
    then the else branch inlined as the rest of the backbone. A nested `If` is the next exit;
    one `ee.exit_merge` of all exits feeds `ee.output`. A network without `If` converts to a
    plain chain. BatchNormalization is folded into the preceding Conv; Dropout and Identity
    vanish; the batch dimension (1) is dropped from every shape. ONNX node names stay as op
    locations.

    Input:

        onnx.graph @net(%x: tensor<1x1x28x28xf32>) -> tensor<1x10xf32> {
          ... %l = onnx.node "Gemm"(...) ... %s = onnx.node "Softmax"(%l) ...
          %y = onnx.if %c : tensor<i1> -> tensor<1x10xf32> { onnx.yield %l ... } else { ... }
          onnx.return %y : tensor<1x10xf32>
        }

    Output:

        ee.graph @net(%x: !ee.stream<1x28x28xf32>) -> !ee.stream<10xf32> {
          ... %a, %b = ee.split %l ...
          %d = ee.exit_decision %a {threshold = 0.996 : f64} : !ee.stream<10xf32>
          %e = ee.condbuffer %b, %d {mode = "pass-on-exit"} : !ee.stream<10xf32>
          %k = ee.condbuffer %trunk, %d {mode = "drop-on-exit"} : !ee.stream<5x16x16xf32>
          ... %y = ee.exit_merge %e, %final ...
          ee.output %y : !ee.stream<10xf32>
        }

    Options: none.

    Supported ops:

    - Conv (pads, strides, group: grouped and depthwise, bias), MaxPool, AveragePool
      (count_include_pad), GlobalAveragePool, GlobalMaxPool, ReduceMean over (H, W), Relu,
      Gemm (transB; alpha = beta = 1), MatMul, Flatten/Reshape to a vector, Add of two maps,
      Sum of maps (a chain of `ee.add`), Identity, Softmax on a logits vector;
    - a final Softmax (every model-zoo classifier ends with one: its result is only returned,
      by the graph or by an exit's branch) is removed, so the network returns the logits:
      the argmax is the same and the exit decisions, which take their own softmax, too;
      elsewhere a Softmax is an `ee.softmax`;
    - Clip(min=0, max=m) as `ee.relu {max = m}` (ReLU6; bounds as opset-6 attributes or
      opset-11 constant inputs; Clip(min=0) alone is a Relu; any other range is an error);
    - a constant zero Pad of H and W (opset 2 attributes or 11+ inputs), folded into the pads
      of the Conv or pool that reads it (an AveragePool then counts the zeros; a MaxPool only
      after a Relu, with pads smaller than its kernel);
    - Add/Sub/Mul by a scalar or per-channel constant, folded into the weights and bias of the
      Conv, Gemm or MatMul before it (whose only user it is);
    - BatchNormalization after a Conv (folded); Dropout (vanishes; an old opset's unused
      mask output, which shape inference leaves untyped, is imported as `none`);
    - the constant plumbing of Reshape (Constant, ConstantOfShape, Shape, Gather, Unsqueeze,
      Squeeze, Concat of constants, Cast).

    Limits: f32 only, batch 1, 2-D windows without dilation, auto_pad or ceil_mode;
    the exit threshold must be a constant; an `If` must be an exit test with one output.
    Anything else is an error naming the node, its op type and the supported list.
    """

    name = "convert-onnx-to-ee"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        graphs = [g for g in op.ops if isinstance(g, GraphOp)]
        if len(graphs) != 1:
            raise ConversionError(
                f"convert-onnx-to-ee expects one 'onnx.graph' in the module, found {len(graphs)}"
            )
        converted = Converter(op).convert(graphs[0])
        for old in list(op.ops):
            old.detach()
            old.erase()
        for new in list(converted.ops):
            new.detach()
            op.body.block.add_op(new)
