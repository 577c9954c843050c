"""Per-op printing of the most-confident exit policy (`ee.exit_merge {policy = ...}`).

The IR is the first-confident network's; the policy changes what three ops are in
hardware (emit/include/eecc/exit.h, docs/hls-library.md):

- `ee.exit_decision` also writes each sample's confidence token `<op>_conf` {id, S, exit};
- exit i's pass-on-exit `ee.condbuffer` is its carry unit (`eecc::exit_carry_first` /
  `exit_carry_next`): the exit's result to merge input i when the sample exits, else the
  better of its head's and the carried result to `<op>_carry` / `<op>_carry_conf`, at the
  depths `carry_depths` that `ee-legalize-hls` wrote (passes/_carry_depths.py);
- `ee.exit_merge` gets the final classifier's result on `<merge>_final`, and
  `eecc::exit_final` answers each sample with the better of it and the last carry (merge
  input N-1), writing the answering head to `<merge>_final_index`, which the merge reports
  as the sample's exit.
"""

from __future__ import annotations

from collections.abc import Callable

from xdsl.ir import Operation

from eecc import fixedpoint
from eecc.dialects.ee import CondBufferOp, ExitDecisionOp, ExitMergeOp
from eecc.dialects.ee.hardware import chw
from eecc.emit._hls_layers import Env, LayerCode, Port, _fold, config, fmt_of


def exit_decision(op: ExitDecisionOp, name: str, env: Env) -> LayerCode:
    coarse = _fold(op)["coarse"]
    fanout = env.ctrl_fanout.get(op, 1)
    thr = fixedpoint.threshold_q(op.threshold.value.data)
    frac = fmt_of(op.logits.type).frac
    fields = [("n_classes", chw(op.logits.type)[0]), ("coarse", coarse),
              ("frac_bits", frac), ("threshold_q", thr)]
    lut = env.tables.exp_lut(frac)
    ports = [Port("in", False, coarse),
             Port("ctrl", True, 0 if fanout == 1 else fanout, ctrl=True),
             Port("conf", True, 0, conf=True, extra=True)]

    def call(p: dict[str, str]) -> list[str]:
        if fanout == 1:
            return [f"eecc::exit_decision<{name}_cfg>({p['in']}, {p['ctrl']}, {lut}, "
                    f"{p['conf']});"]
        return [f"eecc::exit_decision<{name}_cfg>({p['in']}, {p['decision']}, {lut}, "
                f"{p['conf']});",
                f"eecc::ctrl_split<{fanout}>({p['decision']}, {p['ctrl']});"]

    return LayerCode(config(name, "exit_config", fields), ports, call, {"coarse": coarse})


def carry(op: CondBufferOp, name: str, env: Env) -> LayerCode:
    coarse = _fold(op)["coarse"]
    index = env.exit_of[op]
    fields = [("n_classes", chw(op.input.type)[0]), ("coarse", coarse), ("index", index)]
    ports = [Port("in", False, coarse), Port("conf", False, 0, conf=True, extra=True)]
    if index > 0:
        ports += [Port("prev", False, coarse, extra=True),
                  Port("prev_conf", False, 0, conf=True, extra=True)]
    ports += [Port("out", True, coarse), Port("next", True, coarse, extra=True),
              Port("next_conf", True, 0, conf=True, extra=True)]

    def call(p: dict[str, str]) -> list[str]:
        if index == 0:
            return [f"eecc::exit_carry_first<{name}_cfg>({p['in']}, {p['conf']}, {p['out']}, "
                    f"{p['next']}, {p['next_conf']});"]
        return [f"eecc::exit_carry_next<{name}_cfg>({p['in']}, {p['conf']}, {p['prev']}, "
                f"{p['prev_conf']}, {p['out']}, {p['next']}, {p['next_conf']});"]

    return LayerCode(config(name, "carry_config", fields), ports, call, {"coarse": coarse})


def condbuffer(op: CondBufferOp, name: str, env: Env) -> LayerCode:
    if op.drops_on_exit:
        from eecc.emit._hls_layers import condbuffer as plain

        return plain(op, name, env)
    return carry(op, name, env)


def exit_merge(op: ExitMergeOp, name: str, env: Env) -> LayerCode:
    coarse, n = _fold(op)["coarse"], len(op.inputs)
    c, h, w = chw(op.output.type)
    frac = fmt_of(op.output.type).frac
    lut = env.tables.exp_lut(frac)
    merge_cfg = config(name, "exit_merge_config",
                       [("n_inputs", n), ("words", c * h * w), ("coarse", coarse)])
    final_cfg = config(f"{name}_final", "exit_config",
                       [("n_classes", c * h * w), ("coarse", coarse),
                        ("frac_bits", frac), ("index", n - 1)])
    ports = [Port("in", False, coarse, n), Port("out", True, coarse),
             Port("exit_index", True, 0), Port("final", False, coarse, extra=True),
             Port("prev", False, coarse, extra=True),
             Port("prev_conf", False, 0, conf=True, extra=True),
             Port("final_index", True, 0, conf=True, extra=True)]

    def call(p: dict[str, str]) -> list[str]:
        return [f"eecc::exit_final<{name}_final_cfg>({p['final']}, {p['prev']}, "
                f"{p['prev_conf']}, {p['in']}[{n - 1}], {p['final_index']}, {lut});",
                f"eecc::exit_merge<{name}_cfg>({p['in']}, {p['out']}, {p['exit_index']}, "
                f"{p['final_index']});"]

    return LayerCode(merge_cfg + final_cfg, ports, call, {"coarse": coarse})


EMITTERS: dict[type[Operation], Callable[..., LayerCode]] = {
    ExitDecisionOp: exit_decision,
    CondBufferOp: condbuffer,
    ExitMergeOp: exit_merge,
}
