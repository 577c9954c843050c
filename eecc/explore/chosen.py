"""The chosen design as files `eecc compile` takes: the network with only its exits (ONNX, or
`ee` IR for an `.mlir` model) and its profile, evaluated from the memo."""

from __future__ import annotations

from pathlib import Path

from xdsl.dialects.builtin import ModuleOp

from eecc.explore.evaluate import Setting, memo_of
from eecc.explore.space import Candidate
from eecc.profile import DEFAULT_SWEEP, dumps, profile
from eecc.reference import Program


def selected_module(module: ModuleOp, cand: Candidate) -> ModuleOp:
    """A copy of the `ee` module with only the candidate's exits, at its thresholds."""
    from eecc.passes.ee_select_exits import EeSelectExitsPass
    from eecc.reference.model import context

    out = module.clone()
    EeSelectExitsPass(keep=cand.exits, thresholds=cand.thresholds).apply(context(), out)
    out.verify()
    return out


def write_chosen(folder: Path, model: Path, module: ModuleOp, setting: Setting,
                 cand: Candidate, data: str) -> list[Path]:
    """`chosen.onnx` (or `chosen.mlir`) and `profile.json` of the chosen design."""
    selected = selected_module(module, cand)
    if model.suffix == ".onnx":
        import onnx

        from eecc.explore.onnx_select import select

        net = folder / "chosen.onnx"
        chosen = select(onnx.load(str(model)), cand.exits, cand.thresholds)
        onnx.save_model(chosen, str(net), save_as_external_data=False)
    else:
        net = folder / "chosen.mlir"
        net.write_text(str(selected) + "\n")
    doc = profile(Program.from_module(selected), memo_of(setting, cand.exits),
                  [[t] for t in DEFAULT_SWEEP], net.name, data, setting.policy)
    prof = folder / "profile.json"
    prof.write_text(dumps(doc))
    return [net, prof]
