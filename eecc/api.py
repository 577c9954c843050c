"""eecc from Python: `eecc.compile(model, ...) -> Project`, for notebooks and scripts.

    import eecc
    project = eecc.compile("examples/blenet/blenet.onnx", p=0.25, budget=0.5)
    project.report["throughput"]        # the cost model's estimate, as report.json holds it
    result = project.predict(x)         # the fixed-point reference: logits and exits
    project.write("out/blenet")         # the HLS/Vivado project folder
    project.csim(x)                     # g++ C simulation of the emitted design (needs hls4ml)

`model` is an ONNX path, an `onnx.ModelProto` or a `torch.nn.Module` (exported in process
with `example_input`, by the TorchScript exporter or, with `exporter="dynamo"`, the dynamo
one). Everything is checked as `eecc compile` checks it; errors are `EeccError`s.
"""

from __future__ import annotations

import json
import tempfile
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from xdsl.dialects.builtin import ModuleOp

from eecc.errors import EeccError

EXPORTERS = ("torchscript", "dynamo")


@dataclass
class Project:
    """A compiled design: its files, its IR and the reference model it was compiled from."""

    name: str
    files: dict[str, str]
    module: ModuleOp
    reference: ModuleOp = field(repr=False)
    options: Any = field(repr=False)
    utilisation: dict[str, float] = field(default_factory=dict)
    folder: Path | None = None

    @property
    def report(self) -> dict[str, Any]:
        """The cost model's report (`report.json`) as a dict."""
        return json.loads(self.files["report.json"])

    def predict(self, x: np.ndarray) -> Any:
        """The fixed-point reference on inputs `x` (`[N, C, H, W]`): `.logits`, `.exits`,
        `.raw`; bit for bit what the emitted hardware computes."""
        from eecc.fixedpoint import FixedFormat
        from eecc.reference import FixedConfig, Program, run_graph
        from eecc.reference.run import check_input

        data, weight = self.options.data_format, self.options.weight_format
        config = FixedConfig(FixedFormat(*data), FixedFormat(*weight))
        x = check_input(Program.from_module(self.reference), np.asarray(x))
        return run_graph(self.reference, x, config)

    def write(self, folder: str | Path, force: bool = False) -> Path:
        """Write the project folder (whole or not at all; `force` replaces an eecc project)."""
        from eecc.compile import write_project
        from eecc.paths import check_name, check_output_dir, check_replaceable

        check_name(str(folder), "folder")
        path = Path(folder)
        check_output_dir(path, "folder")
        if path.exists() and force:
            check_replaceable(path, [])
        write_project(self.files, path, force)
        self.folder = path
        return path

    def csim(self, x: np.ndarray, timed: bool = False) -> Any:
        """The g++ C simulation of the emitted design on `x` (written to a temporary folder
        first if `write` was not called); the result holds raw logits and exits."""
        import inspect

        from eecc.csim import run_csim

        if timed and "timed" not in inspect.signature(run_csim).parameters:
            raise EeccError("the timed C simulation is not available in this eecc")
        folder = self.folder or self.write(Path(tempfile.mkdtemp(prefix="eecc-")) / self.name)
        options: dict[str, Any] = {"timed": True} if timed else {}
        return run_csim(folder, np.asarray(x), **options)

    def __repr__(self) -> str:
        report = self.report
        share = ", ".join(f"{k.upper()} {100 * v:.1f}%" for k, v in self.utilisation.items())
        where = f"written to {self.folder}" if self.folder else "not written"
        return (f"Project({self.name} on {report['platform']}: "
                f"{report['throughput']:.1f} samples/s"
                + (f", {share}" if share else "") + f"; {len(self.files)} files, {where})")


def compile(model: Any, *, example_input: Any = None, p: float | Sequence[float] | None = None,
            profile: str | Path | None = None, budget: float = 1.0, platform: str = "zc706",
            data_format: tuple[int, int] = (16, 8), weight_format: tuple[int, int] = (16, 8),
            thresholds: float | Sequence[float] | None = None, out: str | Path | None = None,
            batch: int = 1024, exporter: str = "torchscript",
            precision: str | Path | dict[str, Any] | None = None) -> Project:
    """Compile an early-exit network; `out` also writes the project folder there.
    `precision` gives layers their own formats: a `.json` file or the same object as a dict."""
    with tempfile.TemporaryDirectory(prefix="eecc-model-") as tmp:
        path = model_path(model, example_input, exporter, Path(tmp))
        project = _compile(path, p, profile, budget, platform, data_format, weight_format,
                           thresholds, batch, precision)
    if out is not None:
        project.write(out)
    return project


def _floats(value: float | Sequence[float] | None) -> tuple[float, ...]:
    if value is None:
        return ()
    return (float(value),) if isinstance(value, int | float) else tuple(float(v) for v in value)


def _pair(fmt: Sequence[int]) -> tuple[int, int]:
    if len(fmt) != 2:
        raise EeccError(f"format {tuple(fmt)} is not (width, int_bits), e.g. (16, 8)")
    return int(fmt[0]), int(fmt[1])


def _compile(path: Path, p: Any, profile: Any, budget: float, platform: str,
             data_format: tuple[int, int], weight_format: tuple[int, int], thresholds: Any,
             batch: int, precision: Any = None) -> Project:
    from eecc.compile import CompileOptions, check_options, emit_project, run_passes, verify_step
    from eecc.emit.report import estimate
    from eecc.network import find_graph
    from eecc.onnx_import import import_model

    opts = CompileOptions(model=path, output=path.parent / "project", p=_floats(p),
                          profile=Path(profile) if profile is not None else None,
                          platform=platform, budget=float(budget), batch=batch,
                          data_format=_pair(data_format), weight_format=_pair(weight_format),
                          thresholds=_floats(thresholds),
                          precision=Path(precision) if isinstance(precision, str) else precision)
    platform_spec = check_options(opts)
    module = import_model(path)
    verify_step(module, path, "import")
    reference = _reference(module, opts)
    run_passes(opts, module, {}, lambda step: None)
    files = emit_project(module, opts, platform_spec)
    est = estimate(module, opts.platform, opts.batch)
    share = {k: float(v) for k, v in est.resources.fraction(est.platform).items()}
    return Project(find_graph(module).sym_name.data, files, module, reference, opts, share)


def _reference(module: ModuleOp, opts: Any) -> ModuleOp:
    """The converted `ee` module with the compile's thresholds and formats: what `predict`
    runs."""
    from eecc.compile import _context, pipeline_passes
    from eecc.passes.convert_onnx_to_ee import ConvertOnnxToEEPass
    from eecc.thresholds import choose, set_thresholds

    reference = module.clone()
    ConvertOnnxToEEPass().apply(_context(), reference)
    precision = next(p for p in pipeline_passes(opts) if p.name == "ee-assign-precision")
    precision.apply(_context(), reference)
    set_thresholds(reference, choose(opts.profile, opts.thresholds, opts.threshold_set,
                                     opts.p)[0])
    reference.verify()
    return reference


def model_path(model: Any, example_input: Any, exporter: str, folder: Path) -> Path:
    """`model` as an ONNX file: a path as given, a `ModelProto` or a torch module saved."""
    if isinstance(model, str | Path):
        return Path(model)
    import onnx

    if isinstance(model, onnx.ModelProto):
        path = folder / f"{_file_name(model.graph.name)}.onnx"
        onnx.save(model, path)
        return path
    if _is_torch_module(model):
        name = _file_name(type(model).__name__.lower())
        return export_torch(model, example_input, exporter, folder / f"{name}.onnx")
    raise EeccError(f"model of type {type(model).__name__} is not an ONNX path, an "
                    "onnx.ModelProto or a torch.nn.Module")


def _file_name(name: str) -> str:
    return "".join(c if c.isascii() and (c.isalnum() or c == "_") else "_" for c in name) or "model"


def _is_torch_module(model: Any) -> bool:
    try:
        import torch
    except ImportError:
        return False
    return isinstance(model, torch.nn.Module | torch.jit.ScriptModule)


def export_torch(model: Any, example_input: Any, exporter: str, path: Path) -> Path:
    """Export a torch early-exit module in process (TorchScript: scripted, opset 13)."""
    import torch

    if exporter not in EXPORTERS:
        raise EeccError(f"exporter '{exporter}' is not one of {', '.join(EXPORTERS)}")
    if example_input is None:
        raise EeccError("a torch.nn.Module needs example_input (one sample, e.g. "
                        "torch.zeros(1, 1, 28, 28)) to be exported")
    model = model.eval()
    if exporter == "dynamo":
        warnings.filterwarnings("ignore", category=FutureWarning, module="copyreg")
        program = torch.onnx.export(model, (example_input,), dynamo=True, verbose=False,
                                    input_names=["input"], output_names=["output"])
        import onnx

        assert program is not None
        onnx.save_model(program.model_proto, str(path), save_as_external_data=False)
        return path
    with warnings.catch_warnings():  # the TorchScript exporter is deprecated, and chosen
        warnings.simplefilter("ignore", (DeprecationWarning, FutureWarning, UserWarning))
        scripted = model if isinstance(model, torch.jit.ScriptModule) else torch.jit.script(model)
        torch.onnx.export(scripted, (example_input,), str(path), dynamo=False, opset_version=13,
                          input_names=["input"], output_names=["output"])
    return path
