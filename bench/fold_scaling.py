"""How `--fold` scales with the number of exits: fold time, exactness and throughput.

    python bench/fold_scaling.py [--budgets 0.5,1.0] [--out bench/results/fold_scaling]

Networks (ZC706, the shipped flow up to `--fold`, rates from the profile or a geometric
reach):

- `blenet` (2 exits), `blenet3` (3), `blenet_over` (7: a candidate exit after every block,
  all kept) from `examples/`, at their profiled rates;
- `chain5`, `chain8`: B-LeNet-style chains of 5 and 8 exits (conv 3x3 + ReLU blocks with a
  small exit head after each), untrained, each stage reached by half the samples of the one
  before;
- `bresnet20_5`: a CIFAR-10-shaped (3x32x32) ResNet-20 (16/32/64 channels, 3 x 3 basic
  blocks, BatchNorm, 1x1 projection shortcuts) with exits after blocks 2, 4, 6 and 8 (5
  exits), untrained, reach halving per stage;
- `bresnet32_3`: the same with 3 x 5 blocks (ResNet-32), exits after blocks 5 and 10.

Untrained weights: accuracy is not claimed; `--fold` only sees shapes and rates. The time is
the fold pass alone (wall clock on this machine, named in the output), with its TAP curves
and the queue tables it builds; `exact` is whether the search stayed below its caps.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
import warnings
from pathlib import Path

import torch
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "examples"))

from export import export_torchscript  # noqa: E402
from models import EarlyExitNet, _conv_bn, _head, _residual, _seq  # noqa: E402

from eecc.compile import CompileOptions, _context, check_options, pipeline_passes  # noqa: E402
from eecc.emit.report import fold_exact  # noqa: E402
from eecc.network import NetworkModel, find_graph  # noqa: E402
from eecc.onnx_import import import_model  # noqa: E402
from eecc.thresholds import choose, set_thresholds  # noqa: E402

warnings.filterwarnings("ignore")
BUDGETS = (0.5, 1.0)


def chain(exits: int) -> EarlyExitNet:
    """`exits - 1` conv blocks of 8 channels on 1x16x16 (a pool every other block), an exit
    head after each, and a final linear classifier."""
    blocks, shapes, size, c = [], [], 16, 1
    for i in range(exits - 1):
        layers: list[nn.Module] = [nn.Conv2d(c, 8, 3, padding=1), nn.ReLU()]
        if i % 2 == 1 and size > 4:
            layers.append(nn.MaxPool2d(2))
            size //= 2
        blocks.append(_seq(*layers))
        shapes.append((8, size))
        c = 8
    blocks.append(_seq(nn.Flatten(), nn.Linear(8 * size * size, 10)))
    return EarlyExitNet(blocks, [_head(ch, s) for ch, s in shapes], list(range(exits - 1)),
                        [0.9] * (exits - 1))


def resnet(per_stage: int, exit_after: tuple[int, ...]) -> EarlyExitNet:
    """ResNet-(6n+2) for 3x32x32: stem, 3 x n basic blocks, global average pool, linear."""
    blocks: list[nn.Module] = [_seq(*_conv_bn(3, 16, 3), nn.ReLU())]
    shapes, c, size = [], 16, 32
    for stage, width in enumerate((16, 32, 64)):
        for b in range(per_stage):
            if stage > 0 and b == 0:
                block = _seq(nn.MaxPool2d(2), _residual(c, width))
                size //= 2
            else:
                block = _residual(c, width)
            c = width
            blocks.append(block)
            shapes.append((c, size))
    blocks[-1] = _seq(blocks[-1], nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))
    # block k of the list is blocks[k]; the stem is block 0, so "after block j" is index j
    return EarlyExitNet(blocks, [_head(*shapes[j - 1]) for j in exit_after], list(exit_after),
                        [0.9] * len(exit_after))


def synthetic(name: str, tmp: Path) -> tuple[Path, list[float]]:
    torch.manual_seed(0)
    net, shape = {"chain5": (chain(5), (1, 1, 16, 16)), "chain8": (chain(8), (1, 1, 16, 16)),
                  "bresnet20_5": (resnet(3, (2, 4, 6, 8)), (1, 3, 32, 32)),
                  "bresnet32_3": (resnet(5, (5, 10)), (1, 3, 32, 32))}[name]
    path = tmp / f"{name}.onnx"
    export_torchscript(net.eval(), torch.zeros(shape), path)
    return path, [0.5 ** k for k in range(1, net.num_exits)]


def fold_once(model: Path, budget: float, profile: Path | None, reach: list[float]) -> dict:
    opts = CompileOptions(model, Path(tempfile.mkdtemp()) / "out", profile=profile,
                          p=() if profile else tuple(reach), budget=budget, force=True)
    platform_ = check_options(opts)
    module = import_model(model)
    thresholds = choose(opts.profile, opts.thresholds, opts.threshold_set, opts.p)[0]
    ctx = _context()
    seconds = 0.0
    for step in pipeline_passes(opts):
        if step.name == "fold":
            start = time.perf_counter()
            step.apply(ctx, module)
            seconds = time.perf_counter() - start
            break
        step.apply(ctx, module)
        if step.name == "convert-onnx-to-ee":
            set_thresholds(module, thresholds)
    est = NetworkModel(find_graph(module), platform_).evaluate()
    return {"seconds": round(seconds, 2), "exact": fold_exact(module), "ops": len(est.ops),
            "throughput": round(est.throughput, 1),
            "bound": round(est.throughput_infinite, 1), "depths": list(est.queue_depths),
            "share": round(max(getattr(est.resources, k) / getattr(platform_, k)
                               for k in ("lut", "ff", "dsp", "bram")), 4)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budgets", default=",".join(map(str, BUDGETS)))
    parser.add_argument("--nets", default="blenet,blenet3,blenet_over,chain5,chain8,bresnet20_5,bresnet32_3")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "fold_scaling"))
    args = parser.parse_args()
    budgets = [float(b) for b in args.budgets.split(",")]
    tmp = Path(tempfile.mkdtemp(prefix="eecc-bench-scaling-"))
    rows = []
    for name in args.nets.split(","):
        shipped = ROOT / "examples" / name / f"{name}.onnx"
        if shipped.exists():
            model, profile, reach = shipped, shipped.parent / "profile.json", []
        else:
            (model, reach), profile = synthetic(name, tmp), None
        for budget in budgets:
            try:
                row = fold_once(model, budget, profile, reach)
            except Exception as err:  # a refused budget is a row, not the end of the bench
                row = {"error": str(err).splitlines()[0]}
            row.update(network=name, budget=budget)
            rows.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    Path(args.out + ".json").write_text(json.dumps(rows, indent=1, sort_keys=True) + "\n")
    lines = ["# `--fold` against the number of exits (ZC706)", "",
             f"Generated by `python bench/fold_scaling.py {' '.join(sys.argv[1:])}` on {machine}. "
             "Fold: the `--fold` pass alone, wall clock. Untrained networks: rates halve per stage.",
             "", "| network | exits | hardware ops | budget | fold (s) | exact | throughput (samples/s) | "
             "infinite-buffer bound | depths | largest share |", "|---|---|---|---|---|---|---|---|---|---|"]
    exits = {"blenet": 2, "blenet3": 3, "blenet_over": 7, "chain5": 5, "chain8": 8, "bresnet20_5": 5,
             "bresnet32_3": 3}
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['network']} | {exits.get(r['network'], '')} | | {r['budget']:g} | "
                         f"{r['error']} | | | | | |")
            continue
        lines.append(f"| {r['network']} | {exits.get(r['network'], '')} | {r['ops']} | {r['budget']:g} | "
                     f"{r['seconds']:.1f} | {'yes' if r['exact'] else 'no (cap)'} | "
                     f"{r['throughput']:,.0f} | {r['bound']:,.0f} | "
                     f"{', '.join(map(str, r['depths']))} | {r['share']:.1%} |")
    Path(args.out + ".md").write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
