"""C-simulation build cost with the weight tables compiled in vs read from files at start-up.

    .venv/bin/python bench/csim_build.py [--skip-vgg]

For each network: `eecc compile` (the shipped examples with their profile, budget 1.0), then
the untimed testbench build (`hls/<model>_top.cpp` + `tb/testbench.cpp`, the flags of
`eecc.toolchain`) under `/usr/bin/time -v`, twice: "before" without `EECC_WEIGHT_FILES`
(the header's initialisers, what every csim build compiled until now and what synthesis
sees) and "after" with it (plain arrays, `hls/<model>_weights.txt` read at start-up). Then
the "after" testbench runs on 4 samples (start-up load included) and both builds' outputs
are checked equal. The big network is an untrained VGG-11-like CNN (8 convs 64-512, three
linear layers, 3x32x32, no exits) exported from torch; `eecc compile` refuses it at the
fold, so it is imported, legalised unfolded and emitted (`compile_vgg`). Writes bench/results/csim_build.md.
"""

from __future__ import annotations

import argparse
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from eecc import registry
from eecc.compile import CompileOptions, compile_model, write_project
from eecc.csim import model_name, read_outputs, weight_defines, write_inputs
from eecc.errors import EeccError
from eecc.toolchain import CXX_FLAGS, ap_types_include

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ("blenet", "balexnet", "bresnet")
RESULT = ROOT / "bench" / "results" / "csim_build.md"


def compile_example(name: str, tmp: Path) -> Path:
    model = ROOT / "examples" / name / f"{name}.onnx"
    profile = model.parent / "profile.json"
    rates = {"profile": profile} if profile.is_file() else {"p": (0.25,)}
    return _compile(CompileOptions(model, tmp / name, **rates), tmp / name)  # type: ignore[arg-type]


def _compile(opts: CompileOptions, out: Path) -> Path:
    files, _ = compile_model(opts)
    write_project(files, out, force=True)
    return out


def vgg11_onnx(path: Path) -> Path:
    """An untrained VGG-11-like network on 3x32x32 (no exits), exported with torch."""
    import torch
    from torch import nn

    torch.manual_seed(0)
    layers: list[nn.Module] = []
    c = 3
    for v in (64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"):
        if v == "M":
            layers.append(nn.MaxPool2d(2))
        else:
            layers += [nn.Conv2d(c, int(v), 3, padding=1), nn.ReLU()]
            c = int(v)
    net = nn.Sequential(*layers, nn.Flatten(), nn.Linear(512, 512), nn.ReLU(),
                        nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10)).eval()
    torch.onnx.export(net, (torch.zeros(1, 3, 32, 32),), str(path), dynamo=False,
                      opset_version=13, input_names=["input"], output_names=["output"])
    return path


def compile_vgg(tmp: Path) -> Path:
    """`eecc compile` refuses it at the fold (9873 BRAM unfolded against the ZC706's 1090, and
    the budget is at most 1): import, `ee-legalize-hls` on the unfolded IR, then the HLS
    emitter and the library copy, as `eecc compile` writes them."""
    from eecc.compile import library_headers
    from eecc.emit.hls import emit_hls_project
    from eecc.onnx_import import import_model
    from eecc.reference.model import context

    module = import_model(vgg11_onnx(tmp / "vgg11.onnx"))
    for flag in ("convert-onnx-to-ee", "ee-legalize-hls"):
        registry.load_pass(flag)().apply(context(), module)
    files = emit_hls_project(module, model_name="vgg11") | library_headers()
    out = tmp / "vgg11"
    for rel, text in files.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(text)
    return out


def timed_build(folder: Path, exe: Path, defines: tuple[str, ...]) -> tuple[float, float]:
    """(wall seconds, peak resident MB) of one g++ build under /usr/bin/time -v."""
    library = folder / "hls" / "include"
    cmd = ["/usr/bin/time", "-v", "g++", *CXX_FLAGS, f"-I{library}", "-isystem",
           str(ap_types_include()), *[f"-D{d}" for d in defines],
           str(folder / "hls" / f"{model_name(folder)}_top.cpp"),
           str(folder / "tb" / "testbench.cpp"), "-o", str(exe)]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise EeccError(f"build failed: {result.stderr[-2000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time .*: (?:(\d+):)?(\d+):([\d.]+)", result.stderr)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
    assert wall and rss, result.stderr
    hours, minutes, seconds = (float(g or 0) for g in wall.groups())
    return hours * 3600 + minutes * 60 + seconds, int(rss.group(1)) / 1024


def run(exe: Path, folder: Path, words: int) -> tuple[float, np.ndarray]:
    x = np.random.default_rng(0).integers(-256, 256, size=(4, words))
    with tempfile.TemporaryDirectory() as tmp:
        write_inputs(Path(tmp) / "in.bin", x)
        start = time.perf_counter()
        subprocess.run([str(exe), f"{tmp}/in.bin", f"{tmp}/out.txt"], check=True,
                       capture_output=True)
        seconds = time.perf_counter() - start
        ids, exits, logits = read_outputs(Path(tmp) / "out.txt", len(x))
    return seconds, np.column_stack([ids, exits, logits])


def measure(name: str, folder: Path) -> dict:
    model = model_name(folder)
    header = folder / "hls" / f"{model}_weights.h"
    weights = folder / "hls" / f"{model}_weights.txt"
    words = int(re.search(rf"{model}_in_words = (\d+)",
                          (folder / "hls" / f"{model}_top.h").read_text()).group(1))  # type: ignore[union-attr]
    row: dict = {"name": name, "header_mb": header.stat().st_size / 1e6,
                 "file_mb": weights.stat().st_size / 1e6,
                 "values": sum(int(line.split()[2]) for line in weights.read_text().splitlines()
                               if line.startswith("table "))}
    before, after = folder / "tb" / "before", folder / "tb" / "after"
    row["before"] = timed_build(folder, before, ())
    row["after"] = timed_build(folder, after, weight_defines(folder))
    row["run_before"], out_before = run(before, folder, words)
    row["run_after"], out_after = run(after, folder, words)
    row["equal"] = bool(np.array_equal(out_before, out_after))
    print(name, row, file=sys.stderr)
    return row


def table(rows: list[dict]) -> str:
    head = ("| network | tables (values) | header MB | weights file MB | build before: s / peak MB"
            " | build after: s / peak MB | run 4 samples before / after: s | outputs equal |\n"
            "|---|---:|---:|---:|---:|---:|---:|---|\n")
    lines = [f"| {r['name']} | {r['values']:,} | {r['header_mb']:.2f} | {r['file_mb']:.2f} | "
             f"{r['before'][0]:.1f} / {r['before'][1]:.0f} | {r['after'][0]:.1f} / "
             f"{r['after'][1]:.0f} | {r['run_before']:.2f} / {r['run_after']:.2f} | "
             f"{'yes' if r['equal'] else 'NO'} |" for r in rows]
    return head + "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-vgg", action="store_true")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="eecc-csim-build-") as tmp:
        for name in EXAMPLES:
            rows.append(measure(name, compile_example(name, Path(tmp))))
        if not args.skip_vgg:
            rows.append(measure("vgg11 (untrained, 3x32x32)", compile_vgg(Path(tmp))))
    machine = (f"{platform.machine()}, {platform.processor() or 'cpu'}, 2 cores shared with "
               f"other users; g++ {subprocess.run(['g++', '-dumpversion'], capture_output=True, text=True).stdout.strip()}; "
               f"flags {' '.join(CXX_FLAGS)}")
    RESULT.write_text(
        "# C-simulation build: weight tables compiled in (before) vs read at start-up (after)\n\n"
        "Produced by `bench/csim_build.py`. One g++ run per cell (`/usr/bin/time -v`: wall "
        "clock and maximum resident set size), the untimed testbench (`hls/<model>_top.cpp` "
        "+ `tb/testbench.cpp`). Before: the header's ROM initialisers (what synthesis sees); "
        "after: `-DEECC_WEIGHT_FILES`, the tables read from `hls/<model>_weights.txt` when the "
        "testbench starts (the run column includes that load). Outputs equal: the two "
        "testbenches give the same lines on 4 random inputs.\n\n"
        f"Machine: {machine}. Timings on a shared machine are indicative.\n\n" + table(rows))


if __name__ == "__main__":
    main()
