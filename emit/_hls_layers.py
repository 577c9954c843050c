"""Per-op printing of the HLS emitter: a config struct, weight tables and one library call.

`EMITTERS` maps each `ee` op class to a function that returns the op's `LayerCode`: its
config (derived from the library's base config, docs/hls-library.md), its ports (how many
lanes each stream has) and its call, given the C expression of every port. The same code
serves the top DATAFLOW function and the per-layer IP tops.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from xdsl.ir import Operation

from eecc import fixedpoint
from eecc.dialects.ee import (
    AddOp,
    CastOp,
    CondBufferOp,
    ConvOp,
    ExitDecisionOp,
    ExitMergeOp,
    GlobalPoolOp,
    LinearOp,
    PoolOp,
    ReluOp,
    RepackOp,
    SplitOp,
)
from eecc.dialects.ee.hardware import chw
from eecc.dialects.ee.types import FixedType
from eecc.emit._hls_tables import (
    Tables,
    c_type,
    flattened_from,
    stream_order_columns,
    weight_array,
)
from eecc.errors import EeccError
from eecc.fixedpoint import FixedFormat


@dataclass(frozen=True)
class Port:
    """A stream parameter of a call: `lanes` lanes (0: one stream by reference), `count`
    groups of them (split outputs, merge inputs), word or control tokens."""

    role: str
    output: bool
    lanes: int
    count: int = 1
    ctrl: bool = False
    conf: bool = False  # confidence tokens (eecc::conf_word), most-confident policy
    extra: bool = False  # not an IR operand: a carry stream the plan binds (_hls_streams.py)


@dataclass
class LayerCode:
    """What one op prints: config struct, ports and call (port role -> C expression)."""

    config: str | None
    ports: list[Port]
    call: Callable[[dict[str, str]], list[str]]
    fold: dict[str, int] = field(default_factory=dict)


@dataclass
class Env:
    """Project-wide facts the per-op printers need."""

    tables: Tables
    word_width: int
    ctrl_fanout: dict[Operation, int]
    exit_of: dict[Operation, int] = field(default_factory=dict)
    """most-confident policy only: each exit's pass-on-exit buffer (its carry unit) -> i."""


SIGNED = ("out_shift", "bias_shift", "shift", "max_q")


@dataclass(frozen=True)
class Typedef:
    """A type member of a config (`typedef signed char weight_t;`)."""

    ctype: str


def fmt_of(value_type: object) -> FixedFormat:
    """The `ap_fixed` format of a legalised stream (or of a fixed type)."""
    element = getattr(value_type, "element_type", value_type)
    if not isinstance(element, FixedType):
        raise EeccError(f"-t hls: {value_type} is not fixed point; run --ee-legalize-hls first")
    return FixedFormat(element.width.data, element.int_bits.data)


def ap(fmt: FixedFormat) -> str:
    return f"ap_fixed<{fmt.width},{fmt.int_bits}>"


def config(name: str, base: str, fields: list[tuple[str, object]],
           types: str | None = None) -> str:
    """`struct name_cfg : eecc::base { static const unsigned f = v; ... };`, after a comment
    with the layer's fixed-point formats."""
    lines = [f"// {name}: {types}"] if types else []
    lines.append(f"struct {name}_cfg : eecc::{base} {{")
    for key, value in fields:
        if isinstance(value, Typedef):
            lines.append(f"    typedef {value.ctype} {key};")
        elif key in SIGNED:
            lines.append(f"    static const int {key} = {value};")
        elif isinstance(value, bool):
            lines.append(f"    static const bool {key} = {'true' if value else 'false'};")
        elif isinstance(value, str):
            lines.append(f"    static const eecc::condbuffer_mode {key} = {value};")
        elif key == "threshold_q":
            lines.append(f"    static const unsigned long long {key} = {value}ULL;")
        else:
            lines.append(f"    static const unsigned {key} = {value};")
    return "\n".join(lines) + "\n};\n"


def _fold(op: Operation) -> dict[str, int]:
    return op.current_fold().as_dict()  # type: ignore[attr-defined]


def _window_fields(op: ConvOp | PoolOp) -> list[tuple[str, object]]:
    c, h, w = chw(op.input.type)
    (kh, kw), (sh, sw) = op.kernel_shape, op.stride_values
    top, left, bottom, right = op.pad_values
    return [("in_h", h), ("in_w", w), ("in_c", c), ("kernel_h", kh), ("kernel_w", kw),
            ("stride_h", sh), ("stride_w", sw), ("pad_top", top), ("pad_left", left),
            ("pad_bottom", bottom), ("pad_right", right)]


def _unary(lanes_in: int, lanes_out: int) -> list[Port]:
    return [Port("in", False, lanes_in), Port("out", True, lanes_out)]


def mac_formats(op: ConvOp | LinearOp, env: Env) -> tuple[list[tuple[str, object]], str,
                                                          FixedFormat, FixedFormat]:
    """The format fields of a conv / linear config, its types comment, weight and bias formats."""
    x, y = fmt_of(op.input.type), fmt_of(op.output.type)
    w = fmt_of(op.weight_type) if op.weight_type is not None else env.tables.weight
    b = fmt_of(op.bias_type) if op.bias_type is not None else y
    scale = x.frac + w.frac
    fields: list[tuple[str, object]] = [
        ("weight_width", w.width), ("weight_frac", w.frac), ("in_width", x.width),
        ("out_width", y.width), ("out_shift", scale - y.frac), ("bias_shift", scale - b.frac),
        ("weight_t", Typedef(c_type(w.width))), ("bias_t", Typedef(c_type(b.width)))]
    types = f"in {ap(x)}, out {ap(y)}, weight {ap(w)}, bias {ap(b)}, accumulator exact"
    return fields, types, w, b


def conv(op: ConvOp, name: str, env: Env) -> LayerCode:
    f = _fold(op)
    formats, types, wf, bf = mac_formats(op, env)
    fields = _window_fields(op) + [
        ("out_c", chw(op.output.type)[0]), ("groups", op.groups.value.data),
        ("coarse_in", f["coarse_in"]), ("coarse_out", f["coarse_out"]), ("fine", f["fine"]),
        *formats]
    values = weight_array(op, op.weight)  # [out_c][in_c / groups][kh][kw]
    w = env.tables.weights(f"{name}_w", values.reshape(*values.shape[:2], -1), wf)
    b = env.tables.biases(f"{name}_b", op, op.bias, chw(op.output.type)[0], bf)
    return LayerCode(
        config(name, "conv_config", fields, types), _unary(f["coarse_in"], f["coarse_out"]),
        lambda p: [f"eecc::conv<{name}_cfg>({p['in']}, {p['out']}, {w}, {b});"],
        {k: f[k] for k in ("coarse_in", "coarse_out", "fine")})


def linear(op: LinearOp, name: str, env: Env) -> LayerCode:
    f = _fold(op)
    n_in, n_out = op.features
    formats, types, wf, bf = mac_formats(op, env)
    fields = [("in_features", n_in), ("out_features", n_out), ("coarse_in", f["coarse_in"]),
              ("coarse_out", f["coarse_out"]), *formats]
    values = stream_order_columns(weight_array(op, op.weight), flattened_from(op.input))
    w = env.tables.weights(f"{name}_w", values, wf)
    b = env.tables.biases(f"{name}_b", op, op.bias, n_out, bf)
    return LayerCode(
        config(name, "linear_config", fields, types), _unary(f["coarse_in"], f["coarse_out"]),
        lambda p: [f"eecc::linear<{name}_cfg>({p['in']}, {p['out']}, {w}, {b});"],
        {k: f[k] for k in ("coarse_in", "coarse_out")})


def pool(op: PoolOp, name: str, env: Env) -> LayerCode:
    coarse = _fold(op)["coarse"]
    fields = _window_fields(op) + [("coarse", coarse), ("in_width", fmt_of(op.input.type).width)]
    if op.kind.data == "avg":
        fields.append(("count_include_pad", op.count_include_pad is not None))
    fn = f"eecc::{op.kind.data}pool"
    return LayerCode(config(name, "pool_config", fields, _same(op)), _unary(coarse, coarse),
                     lambda p: [f"{fn}<{name}_cfg>({p['in']}, {p['out']});"], {"coarse": coarse})


def global_pool(op: GlobalPoolOp, name: str, env: Env) -> LayerCode:
    if op.kind.data != "avg":
        raise EeccError(f"-t hls: '{op.name}' of kind \"{op.kind.data}\" is not supported "
                        "by the HLS library (only global average pooling)")
    coarse = _fold(op)["coarse"]
    c, h, w = chw(op.input.type)
    fields = [("in_h", h), ("in_w", w), ("in_c", c), ("coarse", coarse)]
    return LayerCode(config(name, "global_pool_config", fields, _same(op)),
                     _unary(coarse, coarse),
                     lambda p: [f"eecc::global_avgpool<{name}_cfg>({p['in']}, {p['out']});"],
                     {"coarse": coarse})


def _same(op: Operation) -> str:
    """The types comment of a layer that computes in its input's format."""
    return f"in and out {ap(fmt_of(op.results[0].type))}"


def cast(op: CastOp, name: str, env: Env) -> LayerCode:
    coarse = _fold(op)["coarse"]
    x, y = fmt_of(op.input.type), fmt_of(op.output.type)
    fields = _elementwise(op, coarse) + [("shift", x.frac - y.frac), ("out_width", y.width)]
    return LayerCode(config(name, "cast_config", fields, f"in {ap(x)}, out {ap(y)}"),
                     _unary(coarse, coarse),
                     lambda p: [f"eecc::cast<{name}_cfg>({p['in']}, {p['out']});"],
                     {"coarse": coarse})


def _elementwise(op: Operation, coarse: int) -> list[tuple[str, object]]:
    c, h, w = chw(op.operands[0].type)
    return [("height", h), ("width", w), ("channels", c), ("coarse", coarse)]


def relu(op: ReluOp, name: str, env: Env) -> LayerCode:
    coarse = _fold(op)["coarse"]
    fields = _elementwise(op, coarse)
    if op.bound is not None:  # the same quantised bound as the fixed-point reference
        fields += [("bounded", True), ("max_q", int(fmt_of(op.input.type).quantize(op.bound)))]
    return LayerCode(config(name, "relu_config", fields, _same(op)),
                     _unary(coarse, coarse),
                     lambda p: [f"eecc::relu<{name}_cfg>({p['in']}, {p['out']});"],
                     {"coarse": coarse})


def add(op: AddOp, name: str, env: Env) -> LayerCode:
    coarse = _fold(op)["coarse"]
    ports = [Port("in", False, coarse), Port("in_b", False, coarse), Port("out", True, coarse)]
    fields = _elementwise(op, coarse) + [("data_width", fmt_of(op.output.type).width)]
    return LayerCode(config(name, "add_config", fields, _same(op)), ports,
                     lambda p: [f"eecc::add<{name}_cfg>({p['in']}, {p['in_b']}, {p['out']});"],
                     {"coarse": coarse})


def split(op: SplitOp, name: str, env: Env) -> LayerCode:
    coarse, n = _fold(op)["coarse"], len(op.outputs)
    fields = _elementwise(op, coarse) + [("n_outputs", n)]
    ports = [Port("in", False, coarse), Port("out", True, coarse, n)]
    return LayerCode(config(name, "split_config", fields), ports,
                     lambda p: [f"eecc::split<{name}_cfg>({p['in']}, {p['out']});"],
                     {"coarse": coarse})


def exit_decision(op: ExitDecisionOp, name: str, env: Env) -> LayerCode:
    coarse = _fold(op)["coarse"]
    fanout = env.ctrl_fanout.get(op, 1)
    thr = fixedpoint.threshold_q(op.threshold.value.data)
    frac = fmt_of(op.logits.type).frac
    fields = [("n_classes", chw(op.logits.type)[0]), ("coarse", coarse),
              ("frac_bits", frac), ("threshold_q", thr)]
    lut = env.tables.exp_lut(frac)
    ports = [Port("in", False, coarse), Port("ctrl", True, 0 if fanout == 1 else fanout,
                                             ctrl=True)]

    def call(p: dict[str, str]) -> list[str]:
        if fanout == 1:
            return [f"eecc::exit_decision<{name}_cfg>({p['in']}, {p['ctrl']}, {lut});"]
        return [f"eecc::exit_decision<{name}_cfg>({p['in']}, {p['decision']}, {lut});",
                f"eecc::ctrl_split<{fanout}>({p['decision']}, {p['ctrl']});"]

    return LayerCode(config(name, "exit_config", fields, f"logits {ap(fmt_of(op.logits.type))}"),
                     ports, call, {"coarse": coarse})


def condbuffer(op: CondBufferOp, name: str, env: Env) -> LayerCode:
    coarse = _fold(op)["coarse"]
    if op.depth is None:
        raise EeccError(f"-t hls: '{op.name}' ({name}) has no depth: run --ee-legalize-hls first")
    depth = op.depth.value.data
    mode = "eecc::DROP_ON_EXIT" if op.drops_on_exit else "eecc::PASS_ON_EXIT"
    fields = _elementwise(op, coarse) + [("depth", depth), ("mode", mode),
                                         ("data_width", fmt_of(op.input.type).width)]
    ports = [Port("in", False, coarse), Port("ctrl", False, 0, ctrl=True),
             Port("out", True, coarse)]
    return LayerCode(config(name, "condbuffer_config", fields, _same(op)), ports,
                     lambda p: [f"eecc::condbuffer<{name}_cfg>({p['in']}, {p['ctrl']}, "
                                f"{p['out']});"], {"coarse": coarse})


def exit_merge(op: ExitMergeOp, name: str, env: Env) -> LayerCode:
    coarse, n = _fold(op)["coarse"], len(op.inputs)
    c, h, w = chw(op.output.type)
    fields = [("n_inputs", n), ("words", c * h * w), ("coarse", coarse)]
    ports = [Port("in", False, coarse, n), Port("out", True, coarse),
             Port("exit_index", True, 0)]
    return LayerCode(config(name, "exit_merge_config", fields), ports,
                     lambda p: [f"eecc::exit_merge<{name}_cfg>({p['in']}, {p['out']}, "
                                f"{p['exit_index']});"], {"coarse": coarse})


def repack(op: RepackOp, name: str, env: Env) -> LayerCode:
    a, b = op.lanes_in.value.data, op.lanes_out.value.data
    return LayerCode(None, _unary(a, b),
                     lambda p: [f"eecc::repack<{a}, {b}>({p['in']}, {p['out']});"],
                     {"lanes_in": a, "lanes_out": b})


EMITTERS: dict[type[Operation], Callable[..., LayerCode]] = {
    ConvOp: conv,
    LinearOp: linear,
    PoolOp: pool,
    GlobalPoolOp: global_pool,
    ReluOp: relu,
    CastOp: cast,
    AddOp: add,
    SplitOp: split,
    ExitDecisionOp: exit_decision,
    CondBufferOp: condbuffer,
    ExitMergeOp: exit_merge,
    RepackOp: repack,
}
