"""Exit profiling: how often each exit is taken, and how accurately, at any thresholds.

The data set is run once, in float32, with every exit decision overridden ("continue"), so
every exit head sees every sample; each head's top-1 confidence (max softmax, float32) and
prediction are memoised. Any threshold set is then evaluated without re-running the
network: a sample takes the first early exit whose confidence is strictly above its
threshold, else the final exit, exactly as `ee.exit_decision` decides in float mode; or
under HAPI's `most-confident` policy (eecc.reference.policy). With `memo` the document keeps
every head's confidence and prediction per sample, so `eecc explore` can evaluate any
subset of exits and thresholds without the network. The JSON schema is in docs/profiling.md.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from eecc.errors import EeccError
from eecc.reference import Program, exit_heads
from eecc.reference import float_ops as fo
from eecc.reference.policy import DEFAULT_POLICY, choose

SCHEMA_VERSION = 1
DEFAULT_SWEEP = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999)
HISTOGRAM_BINS = 20
DIGITS = 6


@dataclass(frozen=True)
class ExitMemo:
    """Per exit `i` and sample `n`: confidence `conf[i, n]`, prediction `pred[i, n]`."""

    conf: np.ndarray
    pred: np.ndarray
    labels: np.ndarray | None

    @property
    def exits(self) -> int:
        return self.conf.shape[0]

    @property
    def samples(self) -> int:
        return self.conf.shape[1]


def memoise(program: Program, x: np.ndarray, labels: np.ndarray | None) -> ExitMemo:
    """Run `x` once through every exit head (float32)."""
    heads = exit_heads(program, x)
    conf = np.stack([fo.confidence(h) for h in heads])
    pred = np.stack([h.argmax(axis=1) for h in heads])
    return ExitMemo(conf, pred, labels)


def taken_exits(memo: ExitMemo, thresholds: Sequence[float],
                policy: str = DEFAULT_POLICY) -> np.ndarray:
    """The exit each sample takes: the first early exit with `conf > thr`, else the last
    (or, under `most-confident`, the most confident head)."""
    return choose(memo.conf, thresholds, policy)


def _ratio(num: int, den: int) -> float | None:
    return None if den == 0 else round(num / den, DIGITS)


def evaluate(memo: ExitMemo, thresholds: Sequence[float],
             policy: str = DEFAULT_POLICY) -> dict[str, object]:
    """Exit counts, fractions, per-exit and overall accuracy, and reach at `thresholds`.

    Under `most-confident` a sample answered by a head it did not exit at still passes
    the earlier stages: `reach` counts the samples that left at each decision.
    """
    taken = taken_exits(memo, thresholds, policy)
    left = taken_exits(memo, thresholds)  # where each sample leaves the pipeline
    counts = np.bincount(taken, minlength=memo.exits)
    n = memo.samples
    fractions = [_ratio(int(c), n) for c in counts]
    departed = np.bincount(left, minlength=memo.exits)
    reach = [round(1.0 - float(departed[:i].sum()) / n, DIGITS) for i in range(memo.exits)]
    result: dict[str, object] = {
        "thresholds": [round(float(t), DIGITS) for t in thresholds],
        "exit_count": [int(c) for c in counts],
        "exit_fraction": fractions,
        "reach": reach,
        "exit_accuracy": [None] * memo.exits,
        "accuracy": None,
    }
    if memo.labels is not None:
        correct = memo.pred[taken, np.arange(n)] == memo.labels
        result["exit_accuracy"] = [_ratio(int(correct[taken == i].sum()), int(counts[i]))
                                   for i in range(memo.exits)]
        result["accuracy"] = _ratio(int(correct.sum()), n)
    return result


def histogram(memo: ExitMemo) -> dict[str, object]:
    """Counts of each exit's confidence over `HISTOGRAM_BINS` equal bins of [0, 1]."""
    edges = np.linspace(0.0, 1.0, HISTOGRAM_BINS + 1)
    counts = [np.histogram(c, bins=edges)[0].tolist() for c in memo.conf]
    return {"bins": [round(float(e), DIGITS) for e in edges], "counts": counts}


def threshold_sets(values: Sequence[Sequence[float]], exits: int) -> list[list[float]]:
    """Each requested set for the `exits - 1` early exits; one value applies to all."""
    early = exits - 1
    sets = []
    for value in values:
        if len(value) not in (1, early):
            raise EeccError(f"threshold set {':'.join(map(str, value))} has {len(value)} "
                            f"values, the model has {early} early exit(s)")
        sets.append(list(value) * early if len(value) == 1 else list(value))
    return sets


def profile(program: Program, memo: ExitMemo, sweep: Sequence[Sequence[float]],
            model: str, data: str, policy: str = DEFAULT_POLICY,
            keep_memo: bool = False) -> dict[str, object]:
    """The profile document: the model's own thresholds, the sweep and the histograms
    (and, with `keep_memo`, every head's confidence and prediction per sample)."""
    own = [ex.threshold for ex in program.exits if ex.threshold is not None]
    head_acc = (None if memo.labels is None else
                [round(float((p == memo.labels).mean()), DIGITS) for p in memo.pred])
    doc: dict[str, object] = {
        "version": SCHEMA_VERSION,
        "model": model,
        "data": data,
        "samples": memo.samples,
        "exits": memo.exits,
        "head_accuracy": head_acc,
        **evaluate(memo, own, policy),
        "sweep": [evaluate(memo, t, policy) for t in threshold_sets(sweep, memo.exits)],
        "per_exit_confidence_histogram": histogram(memo),
    }
    if policy != DEFAULT_POLICY:
        doc["policy"] = policy
    if keep_memo:
        doc["memo"] = memo_doc(memo)
    return doc


def _shortest(value: np.float32) -> float:
    """The shortest decimal that reads back as the same float32."""
    return float(np.format_float_positional(value, unique=True))


def memo_doc(memo: ExitMemo) -> dict[str, object]:
    """The memo as JSON: `confidence` [E][N] (float32, exact), `prediction` [E][N], `labels`."""
    return {
        "confidence": [[_shortest(c) for c in row] for row in memo.conf.astype(np.float32)],
        "prediction": memo.pred.astype(int).tolist(),
        "labels": None if memo.labels is None else memo.labels.astype(int).tolist(),
    }


def load_memo(doc: dict[str, object], source: str) -> ExitMemo:
    """The memo of a profile document written with `--memo`."""
    memo = doc.get("memo")
    if not isinstance(memo, dict):
        raise EeccError(f"profile {source} has no per-sample memo; "
                        "write it with `eecc profile --memo`")
    try:
        conf = np.array(memo["confidence"], dtype=np.float32)
        pred = np.array(memo["prediction"], dtype=np.int64)
    except (KeyError, ValueError, TypeError) as err:
        raise EeccError(f"profile {source} memo needs 'confidence' and 'prediction' as "
                        f"exits x samples arrays ({type(err).__name__}: {err})") from None
    labels = memo.get("labels")
    if conf.ndim != 2 or conf.shape != pred.shape:
        raise EeccError(f"profile {source} memo: confidence {conf.shape} and prediction "
                        f"{pred.shape} must both be exits x samples")
    return ExitMemo(conf, pred, None if labels is None else np.array(labels, dtype=np.int64))


def dumps(doc: dict[str, object]) -> str:
    """Deterministic JSON: sorted keys, floats rounded to 6 digits, two-space indent."""
    return json.dumps(doc, sort_keys=True, indent=2) + "\n"
