"""C simulation of an emitted HLS project and its comparison with the fixed-point reference.

`run_csim(project_dir, inputs)` compiles `hls/<model>_top.cpp` and `tb/testbench.cpp` with
g++ against the HLS library and the installed ap_types headers (`eecc.toolchain`), runs the
testbench on `inputs` and returns what the hardware delivered: the raw logits and the exit of
every sample. Builds are cached by a hash of every source and header they read, so running
the same project again costs no compilation. `compare(module, inputs, result)` runs the
reference interpreter on the project's IR (`model.mlir`) and counts every difference.

The testbench's file formats are described in `eecc/emit/_hls_testbench.py`.
"""

from __future__ import annotations

import hashlib
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from xdsl.dialects.builtin import ModuleOp

from eecc.dialects.ee import FixedType, GraphOp, RepackOp, StreamType
from eecc.errors import EeccError
from eecc.fixedpoint import FixedFormat
from eecc.reference import FixedConfig, run_graph
from eecc.toolchain import CXX_FLAGS, ToolchainError, compile_cpp, library_include

MAGIC = b"EECCIN01"


@dataclass(frozen=True)
class CsimResult:
    """Per sample, in sample order: raw logits, exit index; `ids` in delivery order."""

    logits_raw: np.ndarray
    exits: np.ndarray
    ids: np.ndarray
    build_seconds: float = 0.0
    run_seconds: float = 0.0
    cached: bool = False


def model_name(project_dir: Path) -> str:
    """`<model>` of the project's `hls/<model>_top.cpp`."""
    tops = sorted((project_dir / "hls").glob("*_top.cpp"))
    if len(tops) != 1:
        raise EeccError(f"{project_dir}: expected one hls/<model>_top.cpp, found {len(tops)}")
    return tops[0].name.removesuffix("_top.cpp")


def _sources_hash(project_dir: Path) -> str:
    digest = hashlib.sha256(" ".join(CXX_FLAGS).encode())
    files = sorted((project_dir / "hls").glob("*.*")) + [project_dir / "tb" / "testbench.cpp"]
    files += sorted((library_include() / "eecc").glob("*.h"))
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:20]


def build(project_dir: Path, build_dir: Path | None = None) -> tuple[Path, float, bool]:
    """The testbench executable (cached by content), the build time and whether it was cached."""
    key = _sources_hash(project_dir)
    folder = Path(build_dir) if build_dir else Path(tempfile.gettempdir()) / "eecc-csim" / key
    exe = folder / f"testbench-{key}"
    if exe.is_file():
        return exe, 0.0, True
    folder.mkdir(parents=True, exist_ok=True)
    sources = [project_dir / "hls" / f"{model_name(project_dir)}_top.cpp",
               project_dir / "tb" / "testbench.cpp"]
    start = time.perf_counter()
    tmp = folder / f".{exe.name}.tmp"
    try:
        compile_cpp(sources, tmp)
    except ToolchainError as err:
        raise EeccError(f"C simulation build failed: {str(err).splitlines()[0]}\n{err}") from None
    tmp.replace(exe)
    return exe, time.perf_counter() - start, False


def stream_order(raw: np.ndarray) -> np.ndarray:
    """Samples `[N, C, H, W]` (or `[N, C]`) to `[N, H*W*C]`, channels innermost."""
    if raw.ndim == 4:
        raw = raw.transpose(0, 2, 3, 1)
    return raw.reshape(len(raw), -1)


def write_inputs(path: Path, raw: np.ndarray) -> None:
    """The testbench's input file: magic, sample count, words per sample, int16 values."""
    words = stream_order(raw).astype("<i2")
    header = np.array([len(words), words.shape[1]], dtype="<u4")
    path.write_bytes(MAGIC + header.tobytes() + words.tobytes())


def read_outputs(path: Path, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ids in delivery order, exits, raw logits) of the testbench's output file."""
    rows = np.loadtxt(path, dtype=np.int64, comments="#", ndmin=2)
    if len(rows) != n:
        raise EeccError(f"C simulation delivered {len(rows)} results for {n} samples")
    return rows[:, 0], rows[:, 1], rows[:, 2:]


def run_csim(project_dir: Path, inputs: np.ndarray, *, build_dir: Path | None = None,
             data_format: FixedFormat | None = None) -> CsimResult:
    """Build (or reuse) and run the project's testbench on `inputs` (float `[N, ...]`
    quantised to `data_format`, default the project's, or raw integers)."""
    project_dir = Path(project_dir)
    inputs = np.asarray(inputs)
    if inputs.dtype.kind == "f":
        fmt = data_format or project_format(project_dir)[0]
        inputs = fmt.quantize(inputs)
    exe, build_seconds, cached = build(project_dir, build_dir)
    with tempfile.TemporaryDirectory(prefix="eecc-csim-") as tmp:
        in_path, out_path = Path(tmp) / "inputs.bin", Path(tmp) / "outputs.txt"
        write_inputs(in_path, inputs)
        start = time.perf_counter()
        proc = subprocess.run([str(exe), str(in_path), str(out_path)], capture_output=True,
                              text=True, check=False)
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            raise EeccError(f"C simulation failed (exit code {proc.returncode}): "
                            f"{proc.stderr.strip() or proc.stdout.strip()}")
        ids, exits, logits = read_outputs(out_path, len(inputs))
    order = np.argsort(ids, kind="stable")
    if not np.array_equal(ids[order], np.arange(len(inputs))):
        raise EeccError("C simulation did not deliver every sample exactly once")
    return CsimResult(logits[order], exits[order], ids, build_seconds, seconds, cached)


def _graph(module: ModuleOp) -> GraphOp:
    graphs = [op for op in module.walk() if isinstance(op, GraphOp)]
    if len(graphs) != 1:
        raise EeccError(f"expected one 'ee.graph', found {len(graphs)}")
    return graphs[0]


def formats(module: ModuleOp) -> tuple[FixedFormat, FixedFormat]:
    """(data, weight) formats of a legalised module (16, 8 where not given)."""
    graph = _graph(module)
    arg = graph.body.block.args[0].type
    element = arg.element_type if isinstance(arg, StreamType) else None
    weight = graph.attributes.get("weight_type")

    def fmt(t: object) -> FixedFormat:
        return FixedFormat(t.width.data, t.int_bits.data) if isinstance(t, FixedType) \
            else FixedFormat()

    return fmt(element), fmt(weight)


def project_format(project_dir: Path) -> tuple[FixedFormat, FixedFormat]:
    mlir = Path(project_dir) / "model.mlir"
    if not mlir.is_file():
        return FixedFormat(), FixedFormat()
    from eecc.reference.model import load_model

    return formats(load_model(mlir))


def without_repacks(module: ModuleOp) -> ModuleOp:
    """A copy of `module` without `ee.repack` (lane moves do not change values)."""
    copy = module.clone()
    for op in [op for op in copy.walk() if isinstance(op, RepackOp)]:
        op.results[0].replace_all_uses_with(op.input)
        op.detach()
        op.erase()
    return copy


def reference(module: ModuleOp, inputs: np.ndarray):
    """The fixed-point reference run of `module` in the formats it was legalised to."""
    data, weight = formats(module)
    return run_graph(without_repacks(module), inputs, FixedConfig(data, weight))
