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
from eecc.emit._hls_tables import Tables, flattened_from, stream_order_columns, weight_array
from eecc.errors import EeccError


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
    frac_bits: int
    ctrl_fanout: dict[Operation, int]
    exit_of: dict[Operation, int] = field(default_factory=dict)
    """most-confident policy only: each exit's pass-on-exit buffer (its carry unit) -> i."""


def config(name: str, base: str, fields: list[tuple[str, object]]) -> str:
    """`struct name_cfg : eecc::base { static const unsigned f = v; ... };`"""
    lines = [f"struct {name}_cfg : eecc::{base} {{"]
    for key, value in fields:
        if isinstance(value, bool):
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


def conv(op: ConvOp, name: str, env: Env) -> LayerCode:
    f = _fold(op)
    fields = _window_fields(op) + [
        ("out_c", chw(op.output.type)[0]), ("groups", op.groups.value.data),
        ("coarse_in", f["coarse_in"]), ("coarse_out", f["coarse_out"]), ("fine", f["fine"]),
        ("weight_width", env.tables.weight.width), ("weight_frac", env.tables.weight.frac)]
    values = weight_array(op, op.weight)  # [out_c][in_c / groups][kh][kw]
    w = env.tables.weights(f"{name}_w", values.reshape(*values.shape[:2], -1))
    b = env.tables.biases(f"{name}_b", op, op.bias, chw(op.output.type)[0])
    return LayerCode(
        config(name, "conv_config", fields), _unary(f["coarse_in"], f["coarse_out"]),
        lambda p: [f"eecc::conv<{name}_cfg>({p['in']}, {p['out']}, {w}, {b});"],
        {k: f[k] for k in ("coarse_in", "coarse_out", "fine")})


def linear(op: LinearOp, name: str, env: Env) -> LayerCode:
    f = _fold(op)
    n_in, n_out = op.features
    fields = [("in_features", n_in), ("out_features", n_out), ("coarse_in", f["coarse_in"]),
              ("coarse_out", f["coarse_out"]), ("weight_width", env.tables.weight.width),
              ("weight_frac", env.tables.weight.frac)]
    values = stream_order_columns(weight_array(op, op.weight), flattened_from(op.input))
    w = env.tables.weights(f"{name}_w", values)
    b = env.tables.biases(f"{name}_b", op, op.bias, n_out)
    return LayerCode(
        config(name, "linear_config", fields), _unary(f["coarse_in"], f["coarse_out"]),
        lambda p: [f"eecc::linear<{name}_cfg>({p['in']}, {p['out']}, {w}, {b});"],
        {k: f[k] for k in ("coarse_in", "coarse_out")})


def pool(op: PoolOp, name: str, env: Env) -> LayerCode:
    coarse = _fold(op)["coarse"]
    fields = _window_fields(op) + [("coarse", coarse)]
    if op.kind.data == "avg":
        fields.append(("count_include_pad", op.count_include_pad is not None))
    fn = f"eecc::{op.kind.data}pool"
    return LayerCode(config(name, "pool_config", fields), _unary(coarse, coarse),
                     lambda p: [f"{fn}<{name}_cfg>({p['in']}, {p['out']});"], {"coarse": coarse})


def global_pool(op: GlobalPoolOp, name: str, env: Env) -> LayerCode:
    if op.kind.data != "avg":
        raise EeccError(f"-t hls: '{op.name}' of kind \"{op.kind.data}\" is not supported "
                        "by the HLS library (only global average pooling)")
    coarse = _fold(op)["coarse"]
    c, h, w = chw(op.input.type)
    fields = [("in_h", h), ("in_w", w), ("in_c", c), ("coarse", coarse)]
    return LayerCode(config(name, "global_pool_config", fields), _unary(coarse, coarse),
                     lambda p: [f"eecc::global_avgpool<{name}_cfg>({p['in']}, {p['out']});"],
                     {"coarse": coarse})


def _elementwise(op: Operation, coarse: int) -> list[tuple[str, object]]:
    c, h, w = chw(op.operands[0].type)
    return [("height", h), ("width", w), ("channels", c), ("coarse", coarse)]


def relu(op: ReluOp, name: str, env: Env) -> LayerCode:
    coarse = _fold(op)["coarse"]
    return LayerCode(config(name, "relu_config", _elementwise(op, coarse)),
                     _unary(coarse, coarse),
                     lambda p: [f"eecc::relu<{name}_cfg>({p['in']}, {p['out']});"],
                     {"coarse": coarse})


def add(op: AddOp, name: str, env: Env) -> LayerCode:
    coarse = _fold(op)["coarse"]
    ports = [Port("in", False, coarse), Port("in_b", False, coarse), Port("out", True, coarse)]
    return LayerCode(config(name, "add_config", _elementwise(op, coarse)), ports,
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
    fields = [("n_classes", chw(op.logits.type)[0]), ("coarse", coarse),
              ("frac_bits", env.frac_bits), ("threshold_q", thr)]
    lut = env.tables.exp_lut(env.frac_bits)
    ports = [Port("in", False, coarse), Port("ctrl", True, 0 if fanout == 1 else fanout,
                                             ctrl=True)]

    def call(p: dict[str, str]) -> list[str]:
        if fanout == 1:
            return [f"eecc::exit_decision<{name}_cfg>({p['in']}, {p['ctrl']}, {lut});"]
        return [f"eecc::exit_decision<{name}_cfg>({p['in']}, {p['decision']}, {lut});",
                f"eecc::ctrl_split<{fanout}>({p['decision']}, {p['ctrl']});"]

    return LayerCode(config(name, "exit_config", fields), ports, call, {"coarse": coarse})


def condbuffer(op: CondBufferOp, name: str, env: Env) -> LayerCode:
    coarse = _fold(op)["coarse"]
    if op.depth is None:
        raise EeccError(f"-t hls: '{op.name}' ({name}) has no depth: run --ee-legalize-hls first")
    depth = op.depth.value.data
    mode = "eecc::DROP_ON_EXIT" if op.drops_on_exit else "eecc::PASS_ON_EXIT"
    fields = _elementwise(op, coarse) + [("depth", depth), ("mode", mode)]
    ports = [Port("in", False, coarse), Port("ctrl", False, 0, ctrl=True),
             Port("out", True, coarse)]
    return LayerCode(config(name, "condbuffer_config", fields), ports,
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
    AddOp: add,
    SplitOp: split,
    ExitDecisionOp: exit_decision,
    CondBufferOp: condbuffer,
    ExitMergeOp: exit_merge,
    RepackOp: repack,
}
