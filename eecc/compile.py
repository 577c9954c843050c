"""`eecc compile`: an ONNX early-exit network to a complete HLS + Vivado project folder.

    files, timings = compile_model(CompileOptions(Path("blenet.onnx"), Path("out"), p=(0.25,)))
    write_project(files, Path("out"), force=False)

Steps (each timed): import (ONNX to the `onnx` dialect), then one xDSL `PassPipeline` of
convert-onnx-to-ee, ee-partition, ee-annotate-rates, ee-size-buffers, fold, ee-estimate and
ee-legalize-hls, then emit (`model.mlir` with locations, `hls/`, `tb/`, `tcl/`, `host/`,
`report.json`, `report.md`, `README.md`). The verifier runs after every step; what it
refuses is an `EeccError` naming the model and the step. The same inputs give
byte-identical files.

The project folder is written into a temporary folder beside OUTDIR and renamed into place
at the end, so a failure leaves no half-written OUTDIR. An existing OUTDIR is refused
unless `force`; then the old folder is moved aside, the new one renamed in, the old removed.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
import types
from collections.abc import Callable
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

from xdsl.context import Context
from xdsl.dialects.builtin import Builtin, ModuleOp
from xdsl.passes import ModulePass, PassPipeline
from xdsl.printer import Printer
from xdsl.utils.exceptions import DiagnosticException, VerifyException

from eecc import registry
from eecc.compile_docs import readme, report_md
from eecc.cost.platform import Platform, PlatformError, load_platform
from eecc.dialects.ee.types import MAX_FIXED_WIDTH
from eecc.errors import EeccError, first_line
from eecc.paths import PROJECT_MARKER, check_output_dir, check_replaceable
from eecc.thresholds import choose, set_thresholds

STEPS = ("import", "convert", "precision", "partition", "rates", "buffers", "fold", "estimate",
         "legalise", "annotate", "emit")
# "annotate" estimates the legalised IR again: model.mlir then states what report.md says
PASS_OF_STEP = {"convert": "convert-onnx-to-ee", "precision": "ee-assign-precision",
                "partition": "ee-partition",
                "rates": "ee-annotate-rates", "buffers": "ee-size-buffers", "fold": "fold",
                "estimate": "ee-estimate", "legalise": "ee-legalize-hls", "annotate": "ee-estimate"}
MAX_BATCH = 65535  # 16-bit sample IDs, 0xFFFF is the end token

Progress = Callable[[str], None]


@dataclass(frozen=True)
class CompileOptions:
    """What `eecc compile` was asked for."""

    model: Path
    output: Path
    profile: Path | None = None
    p: tuple[float, ...] = ()
    platform: str = "zc706"
    budget: float = 1.0
    batch: int = 1024
    force: bool = False
    data_format: tuple[int, int] = (16, 8)
    weight_format: tuple[int, int] = (16, 8)
    thresholds: tuple[float, ...] = ()
    threshold_set: int | None = None
    robust: float = 0.0  # `fold` robust=: the exit-rate drift to fold for (eecc.dse.robust)
    policy: str | None = None  # None: the profile's `policy`, else first-confident
    precision: Any = None  # a precision .json path, or the same object as a dict


def check_options(opts: CompileOptions) -> Platform:
    """Fail fast, before any work, on every option error; the platform named."""
    if not opts.model.is_file():
        raise EeccError(f"{opts.model}: no such model file")
    if opts.profile is not None and opts.p:
        raise EeccError("give the stage rates with one of --profile P.json or --p 0.25, not both")
    if opts.profile is not None and not opts.profile.is_file():
        raise EeccError(f"{opts.profile}: no such profile file")
    if not 0.0 < opts.budget <= 1.0:
        raise EeccError(f"--budget {opts.budget} is outside (0, 1]: the share of each "
                        "platform resource the design may use")
    if not 0.0 <= opts.robust <= 1.0:
        raise EeccError(f"--robust {opts.robust} is outside [0, 1]: the drift of the exit rate "
                        "to fold for (e.g. 0.05)")
    if not 1 <= opts.batch <= MAX_BATCH:
        raise EeccError(f"--batch {opts.batch} is outside [1, {MAX_BATCH}] (16-bit sample IDs)")
    for flag, fmt in (("--data-format", opts.data_format), ("--weight-format", opts.weight_format)):
        check_format(flag, fmt)
    precision_option(opts)
    choose(opts.profile, opts.thresholds, opts.threshold_set, opts.p)
    exit_policy(opts)
    check_output(opts)
    try:
        return load_platform(opts.platform)
    except PlatformError as err:
        raise EeccError(str(err)) from None


def inputs(opts: CompileOptions) -> list[Path]:
    """The files a compile reads (a replaced OUTDIR must hold none of them)."""
    files = [opts.model, *([opts.profile] if opts.profile is not None else [])]
    if isinstance(opts.precision, str | Path):
        files.append(Path(opts.precision))
    platform = Path(opts.platform)
    return files + ([platform] if platform.suffix == ".json" and platform.is_file() else [])


def check_output(opts: CompileOptions) -> None:
    """OUTDIR can be created, or replaced (with --force) because it is an eecc project."""
    check_output_dir(opts.output)
    if not opts.output.exists():
        return
    if not opts.force:
        raise EeccError(f"{opts.output}: already exists (use --force to replace it)")
    check_replaceable(opts.output, inputs(opts))


def check_format(flag: str, fmt: tuple[int, int]) -> None:
    """A fixed-point format `(width, int_bits)` the HLS library supports."""
    width, int_bits = fmt
    if not (2 <= width <= MAX_FIXED_WIDTH and 1 <= int_bits <= width):
        raise EeccError(f"{flag} {width},{int_bits} needs 2 <= width <= {MAX_FIXED_WIDTH} and "
                        "1 <= int bits <= width")


def precision_option(opts: CompileOptions) -> str:
    """The `ee-assign-precision` option: the checked configuration as JSON ("" for none)."""
    from eecc.precision import load_precision

    spec = opts.precision
    if isinstance(spec, Path | str) and not Path(spec).is_file():
        raise EeccError(f"{spec}: no such precision file")
    loaded = load_precision(spec)
    return "" if loaded is None else loaded.to_json()


def rate_options(opts: CompileOptions) -> dict[str, object]:
    """`ee-annotate-rates` options: the profile, or the reach at the chosen thresholds."""
    _, p = choose(opts.profile, opts.thresholds, opts.threshold_set, opts.p)
    if p is not None:
        return {"p": p}
    return {"profile": str(opts.profile)} if opts.profile is not None else {"p": opts.p}


def pipeline_passes(opts: CompileOptions) -> list[ModulePass]:
    """The configured pass instances, in `STEPS` order."""
    (dw, di), (ww, wi) = opts.data_format, opts.weight_format
    options: dict[str, dict[str, object]] = {
        "precision": {"data_width": dw, "data_int": di, "weight_width": ww,
                      "weight_int": wi, "precision": precision_option(opts)},
        "rates": rate_options(opts),
        "legalise": {"data_width": dw, "data_int": di, "weight_width": ww, "weight_int": wi},
        "buffers": {"platform": opts.platform},
        "fold": {"budget": opts.budget, "platform": opts.platform, "batch": opts.batch,
                 "robust": opts.robust},
        "estimate": {"platform": opts.platform, "batch": opts.batch},
        "annotate": {"platform": opts.platform, "batch": opts.batch},
    }
    return [registry.load_pass(PASS_OF_STEP[s])(**options.get(s, {}))
            for s in STEPS if s in PASS_OF_STEP]


def exit_policy(opts: CompileOptions) -> str:
    """The policy asked for, else the profile's, else first-confident (checked)."""
    from eecc.reference.policy import DEFAULT_POLICY, check_policy

    if opts.policy is not None:
        return check_policy(opts.policy)
    if opts.profile is None:
        return DEFAULT_POLICY
    try:
        doc = json.loads(opts.profile.read_text())
    except (OSError, ValueError):
        return DEFAULT_POLICY  # the rates step reports an unreadable profile
    policy = doc.get("policy", DEFAULT_POLICY) if isinstance(doc, dict) else DEFAULT_POLICY
    try:
        return check_policy(str(policy))
    except EeccError as err:
        raise EeccError(f"{opts.profile}: {err}") from None


def set_policy(module: ModuleOp, policy: str) -> None:
    """State the exit policy on the network's `ee.exit_merge` (absent = first-confident)."""
    from xdsl.dialects.builtin import StringAttr

    from eecc.dialects.ee import ExitMergeOp

    for merge in [op for op in module.walk() if isinstance(op, ExitMergeOp)]:
        if policy == "first-confident":
            merge.properties.pop("policy", None)
        else:
            merge.properties["policy"] = StringAttr(policy)


def _context() -> Context:
    ctx = Context()
    ctx.load_dialect(Builtin)
    for factory in registry.dialect_factories().values():
        ctx.load_dialect(factory())
    return ctx


def verify_step(module: ModuleOp, model: Path, step: str) -> None:
    """The `ee` verifier after a step: what the verifier refuses is the model's error."""
    try:
        module.verify()
    except VerifyException as err:
        raise EeccError(f"{model}: after {step}: {first_line(err)}") from None


def run_passes(opts: CompileOptions, module: ModuleOp, timings: dict[str, float],
               progress: Progress) -> None:
    """The pass pipeline in process, timing each pass through the pipeline's callback."""
    steps = iter([s for s in STEPS if s in PASS_OF_STEP])
    current = [""]
    thresholds = choose(opts.profile, opts.thresholds, opts.threshold_set, opts.p)[0]
    clock = [time.perf_counter()]

    def between(done: ModulePass | None, _: ModuleOp, following: ModulePass | None) -> None:
        now = time.perf_counter()
        if done is not None:
            timings[current[0]] = now - clock[0]
            if current[0] == "convert":
                set_thresholds(module, thresholds)
                set_policy(module, exit_policy(opts))
            verify_step(module, opts.model, done.name)
        clock[0] = now
        if following is not None:
            current[0] = next(steps)
            progress(current[0])

    try:
        PassPipeline(tuple(pipeline_passes(opts)), between).apply(_context(), module)
    except DiagnosticException as err:  # a pass's error about the model: name the model
        raise EeccError(f"{opts.model}: {first_line(err)}") from None


def compile_model(opts: CompileOptions, progress: Progress = lambda step: None
                  ) -> tuple[dict[str, str], dict[str, float]]:
    """Every file of the project (OUTDIR-relative path -> text) and each step's seconds."""
    platform = check_options(opts)
    from eecc.onnx_import import import_model

    timings: dict[str, float] = {}
    progress("import")
    start = time.perf_counter()
    module = import_model(opts.model)
    verify_step(module, opts.model, "import")
    timings["import"] = time.perf_counter() - start
    run_passes(opts, module, timings, progress)
    progress("emit")
    start = time.perf_counter()
    files = emit_project(module, opts, platform)
    timings["emit"] = time.perf_counter() - start
    return files, timings


def emit_project(module: ModuleOp, opts: CompileOptions, platform: Platform) -> dict[str, str]:
    """All emitters' files of a compiled module."""
    from eecc.emit.hls import emit_hls_project
    from eecc.emit.report import estimate, fold_exact, json_report, text_report
    from eecc.emit.vivado_tcl import emit_tcl_project, model_identifier
    from eecc.network import find_graph

    name = model_identifier(find_graph(module).sym_name.data)
    files = dict(emit_hls_project(module, model_name=name, batch=opts.batch))
    if exit_policy(opts) == "first-confident":  # the block design chains per-layer IPs,
        files.update(emit_tcl_project(module, platform, batch=opts.batch))  # docs/explore.md
    est = estimate(module, opts.platform, opts.batch)
    files["report.json"] = json.dumps(json_report(est, fold_exact(module)), indent=2, sort_keys=True) + "\n"
    files["report.md"] = report_md(name, opts, est, text_report(est))
    files.update(library_headers())
    files["model.mlir"] = print_module(module)
    files["README.md"] = readme(name, opts, est, sorted(files))
    return files


def library_headers() -> dict[str, str]:
    """eecc's HLS library as `hls/include/eecc/*.h`, so the project builds on its own."""
    from eecc.toolchain import library_include

    root = library_include() / "eecc"
    return {f"hls/include/eecc/{p.name}": p.read_text() for p in sorted(root.glob("*.h"))}


def print_module(module: ModuleOp) -> str:
    """The IR in custom form with locations."""
    out = StringIO()
    Printer(stream=out, print_debuginfo=True).print_op(module)
    return out.getvalue() + "\n"


def write_project(files: dict[str, str], outdir: Path, force: bool,
                  inputs: list[Path] | None = None) -> None:
    """Write `files` into a temporary folder beside `outdir`, then rename it into place.

    The folder gets `PROJECT_MARKER`, which lets a later `--force` replace it, and the
    permissions of a folder made by `mkdir` (the user's umask), not those of a temp folder.
    """
    outdir = outdir.absolute()
    outdir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.", dir=outdir.parent))
    try:
        tmp.chmod(0o777 & ~_umask())
        for rel in sorted(files):
            path = tmp / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(files[rel])
        (tmp / PROJECT_MARKER).write_text("eecc compile project folder\n")
        _replace(tmp, outdir, force, inputs or [])
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _replace(new: Path, outdir: Path, force: bool, inputs: list[Path]) -> None:
    if not outdir.exists():
        new.rename(outdir)
        return
    if not force:
        raise EeccError(f"{outdir}: already exists (use --force to replace it)")
    check_replaceable(outdir, inputs)
    old = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.old.", dir=outdir.parent))
    outdir.rename(old / outdir.name)
    new.rename(outdir)
    shutil.rmtree(old, ignore_errors=True)


class _CallableModule(types.ModuleType):
    """`eecc.compile(...)` is the Python API (`eecc.api.compile`); `eecc.compile` is also
    this module, so `from eecc.compile import CompileOptions` keeps working."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from eecc.api import compile as compile_api

        return compile_api(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
