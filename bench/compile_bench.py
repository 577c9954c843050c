"""Benchmark of `eecc compile` and of the C simulation's g++ build, per example network.

    python bench/compile_bench.py            # writes bench/results/compile.md

For each example: wall time of `eecc compile` (in process, `eecc.compile.compile_model` +
`write_project`) with the share of each step, its peak Python heap (tracemalloc), then the
wall time of the C-simulation build (`eecc.csim.build`, g++, uncached) and the peak resident
memory of the g++ processes (getrusage RUSAGE_CHILDREN ru_maxrss). Each compile runs
`REPEATS` times after one traced run (imports warm); the table shows the fastest run (its
step shares) and the traced run's peak heap. Examples without a profile.json use p = 0.25 per later stage.
"""

from __future__ import annotations

import os
import platform
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from eecc.compile import STEPS, CompileOptions, compile_model, write_project

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ("blenet", "blenet3", "smallcnn", "balexnet", "bresnet")
P_FALLBACK = {"smallcnn": (0.25,), "balexnet": (0.25,)}
REPEATS = 3


def options(name: str, out: Path) -> CompileOptions:
    model = ROOT / "examples" / name / f"{name}.onnx"
    profile = model.parent / "profile.json"
    if profile.is_file():
        return CompileOptions(model, out, profile=profile)
    return CompileOptions(model, out, p=P_FALLBACK.get(name, (0.25,)))


def bench_compile(name: str, tmp: Path) -> tuple[float, dict[str, float], float, Path]:
    best: tuple[float, dict[str, float]] | None = None
    peak = 0.0
    for i in range(REPEATS + 1):  # run 0 is traced (and warms the imports' caches up)
        out = tmp / f"{name}-{i}"
        opts = options(name, out)
        if i == 0:
            compile_model(opts)
            tracemalloc.start()
        start = time.perf_counter()
        files, timings = compile_model(opts)
        write_project(files, out, force=False)
        wall = time.perf_counter() - start
        timings["emit"] += wall - sum(timings.values())  # writing the folder counts as emit
        if i == 0:
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
        if i > 0 and (best is None or wall < best[0]):
            best = (wall, timings)
    assert best is not None
    return best[0], best[1], peak, tmp / f"{name}-0"


def bench_csim_build(project: Path, tmp: Path, timed: bool = False) -> tuple[float, float]:
    from eecc.csim import build

    folder = tmp / f"build-{project.name}{'-timed' if timed else ''}"
    _, seconds, cached = build(project, build_dir=folder, timed=timed)
    assert not cached
    return seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> int:
    rows, shares = [], []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        for name in EXAMPLES:
            try:
                wall, timings, peak, project = bench_compile(name, tmp)
            except Exception as err:  # noqa: BLE001 - report and go on with the others
                rows.append(f"| {name} | failed: {str(err).splitlines()[0]} | | | | |")
                continue
            build_s, gxx_mb = bench_csim_build(project, tmp)
            timed_s, gxx_mb = bench_csim_build(project, tmp, timed=True)
            rows.append(f"| {name} | {wall:.2f} | {peak:.1f} | {build_s:.1f} | {timed_s:.1f} "
                        f"| {gxx_mb:.0f} |")
            shares.append(f"| {name} | " + " | ".join(
                f"{100 * timings.get(s, 0.0) / wall:.0f}%" for s in STEPS) + " |")
    machine = (f"{os.cpu_count()} cores ({platform.processor() or platform.machine()}), "
               f"Python {sys.version.split()[0]}, {platform.system()} {platform.release()}")
    text = "\n".join([
        "# `eecc compile` and C-simulation build times", "",
        f"Machine: {machine}. Produced by `python bench/compile_bench.py`.", "",
        f"Compile: `eecc.compile.compile_model` + `write_project` in process, fastest of "
        f"{REPEATS} runs; peak memory = peak Python heap of one more run, after a warm-up "
        "(tracemalloc; imports already loaded). C-simulation build: `eecc.csim.build` (g++ -O2 of the project's "
        "top + testbench, uncached), and the same with `-DEECC_TIMED` (the timed simulation); g++ memory = largest resident set of the g++ "
        "processes so far (getrusage RUSAGE_CHILDREN ru_maxrss, so it is a running maximum).",
        "",
        "| example | compile wall (s) | compile peak heap (MiB) | csim build wall (s) "
        "| timed csim build wall (s) | g++ max RSS (MiB) |",
        "|---|---|---|---|---|---|", *rows, "",
        "Share of the compile wall time per step:", "",
        "| example | " + " | ".join(STEPS) + " |",
        "|---|" + "---|" * len(STEPS), *shares, "",
    ])
    out = ROOT / "bench" / "results" / "compile.md"
    out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
