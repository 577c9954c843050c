"""Export an example early-exit network to ONNX in both torch exporter forms.

    python examples/export.py blenet [--seed 0]

Writes, under ``examples/NET/``:

* ``NET.onnx``: ``torch.jit.script`` + ``torch.onnx.export(dynamo=False,
  opset_version=13)``; each exit test is ``Softmax -> ReduceMax -> Greater ->
  Cast -> If``.
* ``NET.dynamo.onnx``: ``torch.onnx.export(dynamo=True)`` of the ``torch.cond``
  form; all tensors inline (no ``.onnx.data`` file).
* ``torch_predictions.npz``: for every held-out sample, the float PyTorch
  inference result: ``logits`` (of the exit taken), ``exit`` (its index, 0 =
  first early exit), ``pred`` (the class), ``confidence`` (N x early exits:
  ``max(softmax)`` of every early exit, evaluated or not); plus ``y`` (the label).
* ``metrics.json`` gains the exit fractions and the early-exit accuracy at the
  shipped thresholds, and the exit fractions over a sweep of thresholds.

The held-out split goes to ``examples/data/``. Trained networks read the
weights written by ``train.py``; untrained ones (B-AlexNet) use the seeded
random initialisation. Both files have one input ``input`` (batch 1, static)
and one output ``output`` (the logits of the exit taken).
"""

from __future__ import annotations

import argparse
import json
import warnings
from pathlib import Path

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from data import save_held_out
from models import NETS, EarlyExitNet, confidence, inference_chain
from train import make_deterministic

HERE = Path(__file__).resolve().parent
# both export paths are deliberate: keep their deprecation notices out of the log
warnings.filterwarnings("ignore", message=".*legacy TorchScript-based ONNX export")
warnings.filterwarnings("ignore", message="`torch.jit.script` is deprecated")


def load_net(name: str) -> EarlyExitNet:
    """The network with its trained weights, or its seeded initialisation if untrained."""
    spec = NETS[name]
    net = spec.build()
    if spec.trained:
        weights = HERE / name / f"{name}.pt"
        if not weights.exists():
            raise SystemExit(f"{weights} not found; run `python examples/train.py {name}` first")
        net.load_state_dict(torch.load(weights, weights_only=True))
    return net.eval()


def torch_predictions(net: EarlyExitNet, x: np.ndarray) -> dict[str, np.ndarray]:
    """Eager batch-1 inference of every sample: logits of the exit taken, exit, class,
    and the exit-test confidence of every early exit."""
    logits, exits, conf = [], [], []
    for sample in torch.from_numpy(x).split(1):
        out, k = net.predict(sample)
        logits.append(out[0].numpy())
        exits.append(k)
        with torch.no_grad():
            conf.append([float(confidence(o)) for o in net(sample)[:-1]])
    logits_arr = np.stack(logits).astype(np.float32)
    return {
        "logits": logits_arr,
        "exit": np.array(exits, dtype=np.int64),
        "pred": logits_arr.argmax(1).astype(np.int64),
        "confidence": np.array(conf, dtype=np.float32),
    }


def export_torchscript(net: EarlyExitNet, example: torch.Tensor, path: Path) -> None:
    """TorchScript form: Python ``if`` per exit, opset 13."""
    scripted = torch.jit.script(inference_chain(net))
    torch.onnx.export(
        scripted, (example,), str(path), dynamo=False, opset_version=13,
        input_names=["input"], output_names=["output"],
    )  # fmt: skip


def export_dynamo(net: EarlyExitNet, example: torch.Tensor, path: Path,
                  compact: bool = False) -> None:
    """Dynamo form: ``torch.cond`` per exit, saved with every tensor inline; `compact`
    drops the nodes' metadata (source stack traces, which grow with the If nesting)."""
    program = torch.onnx.export(
        inference_chain(net, use_cond=True), (example,), dynamo=True,
        input_names=["input"], output_names=["output"],
    )  # fmt: skip
    model = program.model_proto
    if compact:
        _drop_node_metadata(model.graph)
    onnx.save_model(model, str(path), save_as_external_data=False)


def _drop_node_metadata(graph: onnx.GraphProto) -> None:
    for node in graph.node:
        del node.metadata_props[:]
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.GRAPH:
                _drop_node_metadata(attr.g)


SWEEP_THRESHOLDS = (0.5, 0.6, 0.8, 0.9, 0.95, 0.99, 0.996, 0.999)


@torch.no_grad()
def threshold_sweep(net: EarlyExitNet, x: np.ndarray) -> dict[str, list[float]]:
    """Fraction of samples taking each exit when every early exit uses the same threshold."""
    outs = net(torch.from_numpy(x))
    conf = torch.stack([F.softmax(o, dim=1).max(1).values for o in outs[:-1]])
    sweep = {}
    for thr in SWEEP_THRESHOLDS:
        passed = torch.cat([conf > thr, torch.ones(1, len(x), dtype=torch.bool)])
        taken = passed.int().argmax(0)
        counts = torch.bincount(taken, minlength=net.num_exits)
        sweep[str(thr)] = [round(float(c) / len(x), 4) for c in counts]
    return sweep


def update_metrics(
    out_dir: Path, net: EarlyExitNet, preds: dict[str, np.ndarray], held_out: dict
) -> dict:
    """Add exit fractions, early-exit accuracy and a threshold sweep to ``metrics.json``."""
    path = out_dir / "metrics.json"
    metrics = json.loads(path.read_text()) if path.exists() else {"trained": False}
    y = held_out["y"]
    counts = np.bincount(preds["exit"], minlength=net.num_exits)
    metrics["thresholds"] = net.thresholds
    metrics["exit_fraction"] = [round(float(c) / len(y), 4) for c in counts]
    metrics["early_exit_accuracy"] = round(float((preds["pred"] == y).mean()), 4)
    metrics["exit_fraction_by_threshold"] = threshold_sweep(net, held_out["x"])
    path.write_text(json.dumps(metrics, indent=2) + "\n")
    return metrics


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("net", choices=sorted(NETS))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    make_deterministic(args.seed)
    spec = NETS[args.net]
    net = load_net(args.net)
    held_out = np.load(save_held_out(spec.input_shape))
    out_dir = HERE / args.net
    out_dir.mkdir(exist_ok=True)

    example = torch.from_numpy(held_out["x"][:1])
    export_torchscript(net, example, out_dir / f"{args.net}.onnx")
    export_dynamo(net, example, out_dir / f"{args.net}.dynamo.onnx", spec.compact)

    preds = torch_predictions(net, held_out["x"])
    np.savez_compressed(out_dir / "torch_predictions.npz", y=held_out["y"], **preds)
    metrics = update_metrics(out_dir, net, preds, held_out)
    print(f"{args.net}: exit fractions {metrics['exit_fraction']}, "
          f"early-exit accuracy {metrics['early_exit_accuracy']}")  # fmt: skip


if __name__ == "__main__":
    main()
