"""A corpus of malformed or unsupported ONNX models, made by mutating the shipped B-LeNet.

`corpus()` returns `(name, mutate)` pairs; `mutate(model)` edits a fresh copy of
`examples/blenet/blenet.onnx` in place. Every model of the corpus is one eecc must refuse
with a one-line error (it is either broken or outside what eecc supports).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

Mutation = Callable[[onnx.ModelProto], None]


def nodes(model: onnx.ModelProto) -> Iterator[onnx.NodeProto]:
    """Every node, the `If` branches' too."""
    def walk(graph: onnx.GraphProto) -> Iterator[onnx.NodeProto]:
        for node in graph.node:
            yield node
            for attr in node.attribute:
                if attr.type == onnx.AttributeProto.GRAPH:
                    yield from walk(attr.g)
    return walk(model.graph)


def node(model: onnx.ModelProto, name: str) -> onnx.NodeProto:
    return next(n for n in nodes(model) if n.name == name)


def set_attr(name: str, attr: str, value: object) -> Mutation:
    def mutate(model: onnx.ModelProto) -> None:
        target = node(model, name)
        kept = [a for a in target.attribute if a.name != attr]
        del target.attribute[:]
        target.attribute.extend([*kept, helper.make_attribute(attr, value)])
    return mutate


def drop_attr(name: str, attr: str) -> Mutation:
    def mutate(model: onnx.ModelProto) -> None:
        target = node(model, name)
        kept = [a for a in target.attribute if a.name != attr]
        del target.attribute[:]
        target.attribute.extend(kept)
    return mutate


def set_op(name: str, op_type: str) -> Mutation:
    def mutate(model: onnx.ModelProto) -> None:
        target = node(model, name)
        target.op_type = op_type
        del target.attribute[:]
    return mutate


def set_threshold(value: float) -> Mutation:
    def mutate(model: onnx.ModelProto) -> None:
        const = node(model, "/Constant")
        const.attribute[0].t.CopyFrom(numpy_helper.from_array(np.array(value, np.float32)))
    return mutate


def edit_initializer(name: str, edit: Callable[[np.ndarray], np.ndarray]) -> Mutation:
    def mutate(model: onnx.ModelProto) -> None:
        init = next(t for t in model.graph.initializer if t.name == name)
        init.CopyFrom(numpy_helper.from_array(edit(numpy_helper.to_array(init).copy()), name))
    return mutate


def poke(value: float) -> Callable[[np.ndarray], np.ndarray]:
    def edit(array: np.ndarray) -> np.ndarray:
        array.reshape(-1)[0] = value
        return array
    return edit


def input_shape(shape: list[int]) -> Mutation:
    def mutate(model: onnx.ModelProto) -> None:
        dims = model.graph.input[0].type.tensor_type.shape.dim
        del dims[:]
        for d in shape:
            dims.add().dim_value = d
    return mutate


def input_type(elem: int) -> Mutation:
    def mutate(model: onnx.ModelProto) -> None:
        model.graph.input[0].type.tensor_type.elem_type = elem
    return mutate


def opset(version: int) -> Mutation:
    def mutate(model: onnx.ModelProto) -> None:
        model.opset_import[0].version = version
    return mutate


def rename(name: str, new: str) -> Mutation:
    def mutate(model: onnx.ModelProto) -> None:
        node(model, name).name = new
    return mutate


def no_layers(model: onnx.ModelProto) -> None:
    graph = model.graph
    del graph.node[:]
    del graph.initializer[:]
    graph.node.append(helper.make_node("Identity", ["input"], ["output"], name="id"))
    graph.output[0].type.CopyFrom(graph.input[0].type)


def external_data_missing(model: onnx.ModelProto) -> None:
    init = model.graph.initializer[0]
    init.ClearField("raw_data")
    init.ClearField("float_data")
    init.data_location = TensorProto.EXTERNAL
    entry = init.external_data.add()
    entry.key, entry.value = "location", "missing.onnx.data"


def drop_initializer(name: str) -> Mutation:
    def mutate(model: onnx.ModelProto) -> None:
        kept = [t for t in model.graph.initializer if t.name != name]
        del model.graph.initializer[:]
        model.graph.initializer.extend(kept)
    return mutate


def swap_branches(model: onnx.ModelProto) -> None:
    target = node(model, "/If")
    then, other = (helper.get_attribute_value(a) for a in target.attribute)
    del target.attribute[:]
    target.attribute.extend([helper.make_attribute("then_branch", other),
                             helper.make_attribute("else_branch", then)])


def retype_initializer(name: str, dtype: type) -> Mutation:
    return edit_initializer(name, lambda a: a.astype(dtype))


CONVS = ["/trunk/0/0/Conv", "/head/0/Conv", "/rest/0/0/Conv", "/rest/0/3/Conv"]
POOLS = ["/trunk/0/1/MaxPool", "/head/1/MaxPool", "/rest/0/1/MaxPool", "/rest/0/4/MaxPool"]
RELUS = ["/trunk/0/2/Relu", "/head/2/Relu", "/rest/0/2/Relu", "/rest/0/5/Relu"]
GEMMS = ["/head/4/Gemm", "/rest/0/7/Gemm"]
WEIGHTS = ["trunk.0.0.weight", "head.0.weight", "rest.0.3.weight", "rest.0.7.weight"]
BIASES = ["trunk.0.0.bias", "head.4.bias", "rest.0.7.bias"]


def _layer_cases() -> Iterator[tuple[str, Mutation]]:
    for conv in CONVS:
        yield f"{conv}:dilations", set_attr(conv, "dilations", [2, 2])
        yield f"{conv}:auto_pad", set_attr(conv, "auto_pad", "SAME_UPPER")
        yield f"{conv}:group", set_attr(conv, "group", 5)
        yield f"{conv}:strides0", set_attr(conv, "strides", [0, 0])
        yield f"{conv}:kernel_shape", set_attr(conv, "kernel_shape", [3, 1])
    for pool in POOLS:
        yield f"{pool}:ceil_mode", set_attr(pool, "ceil_mode", 1)
        yield f"{pool}:dilations", set_attr(pool, "dilations", [2, 2])
        yield f"{pool}:auto_pad", set_attr(pool, "auto_pad", "SAME_UPPER")
        yield f"{pool}:no_kernel", drop_attr(pool, "kernel_shape")
    for relu in RELUS:
        for op in ("Sigmoid", "Tanh", "Erf"):
            yield f"{relu}:{op}", set_op(relu, op)
    for gemm in GEMMS:
        yield f"{gemm}:alpha", set_attr(gemm, "alpha", 2.0)
        yield f"{gemm}:beta", set_attr(gemm, "beta", 0.5)
        yield f"{gemm}:transA", set_attr(gemm, "transA", 1)
        yield f"{gemm}:transB0", set_attr(gemm, "transB", 0)


def _value_cases() -> Iterator[tuple[str, Mutation]]:
    for value in (1.5, -0.2, 0.0, -1.0, math.nan, math.inf):
        yield f"threshold={value}", set_threshold(value)
    for weight in WEIGHTS:
        yield f"{weight}:nan", edit_initializer(weight, poke(math.nan))
        yield f"{weight}:inf", edit_initializer(weight, poke(math.inf))
        yield f"{weight}:float16", retype_initializer(weight, np.float16)
        yield f"{weight}:float64", retype_initializer(weight, np.float64)
    for bias in BIASES:
        yield f"{bias}:+inf", edit_initializer(bias, poke(math.inf))
        yield f"{bias}:nan", edit_initializer(bias, poke(math.nan))
        yield f"{bias}:missing", drop_initializer(bias)


def _graph_cases() -> Iterator[tuple[str, Mutation]]:
    yield "input:float16", input_type(TensorProto.FLOAT16)
    yield "input:int8", input_type(TensorProto.INT8)
    yield "input:rank2", input_shape([1, 784])
    yield "input:huge", input_shape([1, 1, 100000, 100000])
    yield "input:zero", input_shape([1, 1, 0, 28])
    yield "opset:99", opset(99)
    yield "opset:5", opset(5)
    yield "no-layers", no_layers
    yield "external-data-missing", external_data_missing
    yield "if:branches-swapped", swap_branches
    yield "softmax:axis0", set_attr("/Softmax", "axis", 0)
    yield "reducemax:axes0", set_attr("/ReduceMax", "axes", [0])
    yield "greater:less", set_op("/Greater", "Less")
    yield "flatten:axis0", set_attr("/head/3/Flatten", "axis", 0)
    yield "flatten:axis2", set_attr("/head/3/Flatten", "axis", 2)
    yield "conv:negative-pads", set_attr(CONVS[0], "pads", [-1, -1, -1, -1])
    yield "cast:float", set_attr("/Cast", "to", TensorProto.FLOAT)


def corpus() -> list[tuple[str, Mutation]]:
    """Every case: a name saying what is wrong and the mutation that makes it so."""
    return [*_layer_cases(), *_value_cases(), *_graph_cases()]


def build(base: onnx.ModelProto, mutate: Mutation) -> onnx.ModelProto:
    model = onnx.ModelProto()
    model.CopyFrom(base)
    mutate(model)
    return model
