"""C simulation of an emitted HLS project and its comparison with the fixed-point reference.

`run_csim(project_dir, inputs)` compiles `hls/<model>_top.cpp` and `tb/testbench.cpp` with
g++ against the HLS library and the installed ap_types headers (`eecc.toolchain`), runs the
testbench on `inputs` and returns what the hardware delivered: the raw logits and the exit of
every sample. Builds are cached by a hash of every source and header they read, in a folder private to the
user (`cache_dir`), so running the same project again costs no compilation. `compare(module, inputs, result)` runs the
reference interpreter on the project's IR (`model.mlir`) and counts every difference.

The testbench's file formats are described in `eecc/emit/_hls_testbench.py`.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
import time
from collections.abc import Callable
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
    """Per sample, in sample order: raw logits, exit index; `ids` in delivery order.
    `timed` is the timed simulation's raw report (None for the untimed one)."""

    logits_raw: np.ndarray
    exits: np.ndarray
    ids: np.ndarray
    build_seconds: float = 0.0
    run_seconds: float = 0.0
    cached: bool = False
    timed: dict | None = None


@dataclass(frozen=True)
class TimedOptions:
    """`eecc csim --timed` settings: every FIFO `fifo_depth` deep (None: as emitted), the DMA
    streams unavailable a share `stall` of the cycles, drawn with `seed`."""

    fifo_depth: int | None = None
    stall: float = 0.0
    seed: int = 1

    def argv(self) -> list[str]:
        args = ["--stall", repr(self.stall), "--seed", str(self.seed)]
        if self.fifo_depth is not None:
            args += ["--fifo-depth", str(self.fifo_depth)]
        return args


def model_name(project_dir: Path) -> str:
    """`<model>` of the project's `hls/<model>_top.cpp`."""
    tops = sorted((project_dir / "hls").glob("*_top.cpp"))
    if len(tops) != 1:
        raise EeccError(f"{project_dir}: expected one hls/<model>_top.cpp, found {len(tops)}")
    return tops[0].name.removesuffix("_top.cpp")


def project_library(project_dir: Path) -> Path:
    """The HLS library the project was emitted with (`hls/include/`, what Vivado is given);
    the installed one for a folder without its own copy."""
    own = Path(project_dir) / "hls" / "include"
    return own if (own / "eecc" / "eecc.h").is_file() else library_include()


def cache_dir() -> Path:
    """The build cache: `$XDG_CACHE_HOME/eecc/csim` (`~/.cache/eecc/csim`), private to the user
    (mode 0700), so no other user can plant a binary that `eecc csim` would run."""
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = root / "eecc" / "csim"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder.chmod(0o700)
    return folder


def _sources_hash(project_dir: Path, defines: tuple[str, ...]) -> str:
    digest = hashlib.sha256(" ".join(CXX_FLAGS + defines).encode())
    files = [p for p in sorted((project_dir / "hls").glob("*.*")) if p.suffix != ".txt"]
    files += sorted((project_dir / "tb").glob("*.cpp"))  # (weights: read at run time)
    files += sorted((project_dir / "hls" / "layers").glob("*.cpp"))
    files += sorted((project_library(project_dir) / "eecc").glob("*.h"))
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:20]


def weight_defines(project_dir: Path) -> tuple[str, ...]:
    """Tables read at start-up from `hls/<model>_weights.txt` (emit/_hls_tables.py) instead
    of compiled-in initialisers, when the project's header has the loader (a project of an
    older eecc has not); the project folder is compiled into the testbench (and so into the
    cache key) to find the file, whose absence or damage the testbench reports."""
    header = project_dir / "hls" / f"{model_name(project_dir)}_weights.h"
    if not header.is_file() or "EECC_WEIGHT_FILES" not in header.read_text():
        return ()
    folder = str(project_dir.resolve()).replace("\\", "\\\\").replace('"', '\\"')
    return ("EECC_WEIGHT_FILES", f'EECC_PROJECT_DIR="{folder}"')


def build(project_dir: Path, build_dir: Path | None = None, *, timed: bool = False,
          board: bool = False) -> tuple[Path, float, bool]:
    """The testbench executable (cached by content), the build time and whether it was cached.
    `timed` builds the timed C simulation (`-DEECC_TIMED`, docs/timed-csim.md); `board` runs
    the per-layer IP tops chained as the block design chains them (`tb/board.cpp`)."""
    defines = (("EECC_TIMED",) if timed else ()) + (("EECC_BOARD",) if board else ())
    kind = "".join(f"-{d.removeprefix('EECC_').lower()}" for d in defines)
    defines += weight_defines(project_dir)
    key = _sources_hash(project_dir, defines)
    folder = Path(build_dir) if build_dir else cache_dir() / key
    exe = folder / f"testbench{kind}-{key}"
    if exe.is_file():
        return exe, 0.0, True
    folder.mkdir(parents=True, exist_ok=True)
    sources = [project_dir / "tb" / "testbench.cpp"]
    if not board:
        sources.insert(0, project_dir / "hls" / f"{model_name(project_dir)}_top.cpp")
    start = time.perf_counter()
    tmp = folder / f".{exe.name}.{os.getpid()}.tmp"  # concurrent builds of one key: own files
    try:
        compile_cpp(sources, tmp, defines=defines, library=project_library(project_dir))
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


def _run(argv: list[str], progress: Callable[[int, int], None] | None) -> tuple[int, str]:
    """Runs the testbench; its `eecc-progress K N` lines go to `progress`, the rest is kept."""
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    kept = []
    for line in proc.stderr:
        if line.startswith("eecc-progress "):
            if progress is not None:
                done, total = line.split()[1:3]
                progress(int(done), int(total))
        else:
            kept.append(line)
    return proc.wait(), "".join(kept)


DEADLOCK_EXIT = 3
"""The timed testbench's exit code for a deadlock (it still writes its report)."""


class DeadlockError(EeccError):
    """The timed simulation stopped in a deadlock; `raw` is its report."""

    def __init__(self, message: str, raw: dict):
        super().__init__(message)
        self.raw = raw


def run_csim(project_dir: Path, inputs: np.ndarray, *, build_dir: Path | None = None,
             data_format: FixedFormat | None = None,
             timed: TimedOptions | None = None, board: bool = False,
             progress: Callable[[int, int], None] | None = None) -> CsimResult:
    """Build (or reuse) and run the project's testbench on `inputs` (float `[N, ...]`
    quantised to `data_format`, default the project's, or raw integers); with `timed`, the
    timed simulation (a deadlock raises `DeadlockError`); `progress(done, total)` is called
    as the timed simulation delivers results."""
    project_dir = Path(project_dir)
    inputs = np.asarray(inputs)
    if inputs.dtype.kind == "f":
        fmt = data_format or project_format(project_dir)[0]
        inputs = fmt.quantize(inputs)
    exe, build_seconds, cached = build(project_dir, build_dir, timed=timed is not None,
                                       board=board)
    raw = None
    with tempfile.TemporaryDirectory(prefix="eecc-csim-") as tmp:
        in_path, out_path = Path(tmp) / "inputs.bin", Path(tmp) / "outputs.txt"
        timed_path = Path(tmp) / "timed.raw.json"
        write_inputs(in_path, inputs)
        argv = [str(exe), str(in_path), str(out_path)]
        if timed is not None:
            argv += [str(timed_path), *timed.argv()]
        start = time.perf_counter()
        returncode, stderr = _run(argv, progress)
        seconds = time.perf_counter() - start
        if timed is not None and returncode == DEADLOCK_EXIT:
            from eecc.timed import read_raw

            raw = read_raw(timed_path)
            raise DeadlockError(f"timed C simulation: {raw['deadlock']}", raw)
        if returncode != 0:
            raise EeccError(f"C simulation failed (exit code {returncode}): {stderr.strip()}")
        if timed is not None:
            from eecc.timed import read_raw

            raw = read_raw(timed_path)
        ids, exits, logits = read_outputs(out_path, len(inputs))
    order = np.argsort(ids, kind="stable")
    if not np.array_equal(ids[order], np.arange(len(inputs))):
        raise EeccError("C simulation did not deliver every sample exactly once")
    return CsimResult(logits[order], exits[order], ids, build_seconds, seconds, cached, raw)


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
