"""Train an example early-exit network on the digits data set (CPU, a few minutes).

    python examples/train.py blenet [--epochs 40] [--seed 0]

Joint loss over all exits (BranchyNet style): ``sum_k w_k * CE(exit_k)`` with
weight 1.0 on the final exit and 0.5 on every early exit; Adam, lr 1e-3,
batch 32. The overprovisioned networks (``blenet_over``, ``resnet_over``) train
in two phases as HAPI does: the backbone alone (the final exit's loss) for
``--epochs``, then only the exit heads (sum of their losses, backbone frozen) for
``--head-epochs``. The weights go to ``examples/NET/NET.pt`` (not committed; the ONNX
files written by ``export.py`` are the artefacts), the per-exit test accuracy to
``examples/NET/metrics.json``. B-AlexNet is not trained: ``export.py`` exports
its seeded random initialisation.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from data import load_split
from models import NETS, EarlyExitNet

HERE = Path(__file__).resolve().parent
FINAL_WEIGHT = 1.0
EARLY_WEIGHT = 0.5
LEARNING_RATE = 1e-3
BATCH_SIZE = 32


def make_deterministic(seed: int) -> None:
    """Seed torch and numpy and ask torch for deterministic kernels."""
    torch.manual_seed(seed)
    np.random.seed(seed)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)


def exit_weights(net: EarlyExitNet) -> list[float]:
    """Loss weight of every exit, early exits first."""
    return [EARLY_WEIGHT] * (net.num_exits - 1) + [FINAL_WEIGHT]


def joint_loss(outs: list[torch.Tensor], y: torch.Tensor, weights: list[float]) -> torch.Tensor:
    """Weighted sum of the exits' cross-entropy losses."""
    return sum(w * F.cross_entropy(o, y) for w, o in zip(weights, outs, strict=True))


@torch.no_grad()
def exit_accuracies(net: EarlyExitNet, x: torch.Tensor, y: torch.Tensor) -> list[float]:
    """Accuracy of every exit on its own (all samples through all exits)."""
    net.eval()
    outs = net(x)
    return [float((o.argmax(1) == y).float().mean()) for o in outs]


def train(net: EarlyExitNet, split: dict[str, np.ndarray], epochs: int, seed: int,
          weights: list[float] | None = None, params: list[torch.nn.Parameter] | None = None
          ) -> None:
    """Adam on the weighted loss over the exits (default: the joint loss) for `params`
    (default: all), shuffled mini-batches from a seeded generator."""
    x, y = torch.from_numpy(split["x_train"]), torch.from_numpy(split["y_train"])
    x_te, y_te = torch.from_numpy(split["x_test"]), torch.from_numpy(split["y_test"])
    opt = torch.optim.Adam(params if params is not None else net.parameters(), lr=LEARNING_RATE)
    weights = weights if weights is not None else exit_weights(net)
    gen = torch.Generator().manual_seed(seed)
    for epoch in range(epochs):
        net.train()
        for idx in torch.randperm(len(x), generator=gen).split(BATCH_SIZE):
            opt.zero_grad()
            loss = joint_loss(net(x[idx]), y[idx], weights)
            loss.backward()
            opt.step()
        if (epoch + 1) % 5 == 0 or epoch + 1 == epochs:
            accs = ", ".join(f"{a:.3f}" for a in exit_accuracies(net, x_te, y_te))
            print(f"epoch {epoch + 1:3d}  loss {loss.item():.4f}  test acc per exit [{accs}]")


def train_two_phase(net: EarlyExitNet, split: dict[str, np.ndarray], epochs: int,
                    head_epochs: int, seed: int) -> None:
    """HAPI's exit-only training: the backbone first, then the heads with it frozen."""
    early = net.num_exits - 1
    backbone = [p for b in net.blocks for p in b.parameters()]
    train(net, split, epochs, seed, [0.0] * early + [1.0], backbone)
    for p in backbone:
        p.requires_grad_(False)
    train(net, split, head_epochs, seed + 1, [1.0] * early + [0.0], list(net.exits.parameters()))
    for p in backbone:
        p.requires_grad_(True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("net", choices=[n for n, s in NETS.items() if s.trained])
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--head-epochs", type=int, default=15,
                        help="two-phase networks: epochs of exit-head training (15)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    make_deterministic(args.seed)
    spec = NETS[args.net]
    split = load_split(spec.input_shape)
    net = spec.build()
    start = time.perf_counter()
    if spec.two_phase:
        train_two_phase(net, split, args.epochs, args.head_epochs, args.seed)
    else:
        train(net, split, args.epochs, args.seed)
    seconds = time.perf_counter() - start

    accs = exit_accuracies(
        net, torch.from_numpy(split["x_test"]), torch.from_numpy(split["y_test"])
    )
    out_dir = HERE / args.net
    out_dir.mkdir(exist_ok=True)
    torch.save(net.state_dict(), out_dir / f"{args.net}.pt")
    metrics = {
        "epochs": args.epochs,
        "seed": args.seed,
        "loss_weights": "two-phase" if spec.two_phase else exit_weights(net),
        **({"head_epochs": args.head_epochs} if spec.two_phase else {}),
        "train_seconds": round(seconds, 1),
        "test_accuracy_per_exit": [round(a, 4) for a in accs],
    }
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    print(
        f"{args.net}: trained in {seconds:.1f} s; test accuracy per exit {metrics['test_accuracy_per_exit']}"
    )


if __name__ == "__main__":
    main()
