"""Early-exit CNNs used as eecc's reference networks.

A network is a backbone (a list of blocks run in order; the last block ends in
the final classifier) plus exit heads attached after given backbone blocks.
Any number of exits works:

* :class:`EarlyExitNet` is the training form: ``forward`` returns the logits of
  every exit, in depth order, for the joint loss.
* :func:`inference_chain` builds the inference form (batch 1) that shares the
  weights: after each exit head it applies the exit test
  ``max(softmax(logits)) > threshold`` and returns that exit's logits, else it
  continues with the rest of the backbone. Exported to ONNX, every exit test is
  ``Softmax -> ReduceMax -> Greater -> If`` with the rest of the backbone in the
  ``else`` branch; deeper exits nest another ``If``.

The shapes follow ``reference/networks.md`` (B-LeNet, Triple Wins SmallCNN,
B-AlexNet) plus ``blenet3``, a B-LeNet with a second exit, ``bresnet``, a small
residual network (BatchNorm, a 1x1 projection shortcut, an identity shortcut), and two
overprovisioned networks (HAPI) with a candidate exit after every backbone block:
``blenet_over`` and ``resnet_over``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn


class EarlyExitNet(nn.Module):
    """A backbone of blocks with exit heads attached after some of them.

    ``exit_after[i]`` is the index of the backbone block whose output feeds
    ``exits[i]``; indices are strictly increasing and exclude the last block
    (the final exit is the end of the backbone). ``thresholds[i]`` is the exit
    test threshold of ``exits[i]``.
    """

    def __init__(
        self,
        blocks: list[nn.Module],
        exits: list[nn.Module],
        exit_after: list[int],
        thresholds: list[float],
    ) -> None:
        super().__init__()
        if not (len(exits) == len(exit_after) == len(thresholds)):
            raise ValueError("exits, exit_after and thresholds must have the same length")
        if sorted(set(exit_after)) != list(exit_after) or (
            exit_after and not 0 <= exit_after[-1] < len(blocks) - 1
        ):
            raise ValueError(f"exit_after {exit_after} must increase within 0..{len(blocks) - 2}")
        self.blocks = nn.ModuleList(blocks)
        self.exits = nn.ModuleList(exits)
        self.exit_after = list(exit_after)
        self.thresholds = list(thresholds)

    @property
    def num_exits(self) -> int:
        """Number of exits including the final classifier."""
        return len(self.exits) + 1

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Logits of every exit (early exits first, the backbone's last)."""
        outs = []
        heads = dict(zip(self.exit_after, self.exits, strict=True))
        for i, block in enumerate(self.blocks):
            x = block(x)
            if i in heads:
                outs.append(heads[i](x))
        outs.append(x)
        return outs

    @torch.no_grad()
    def predict(self, x: torch.Tensor) -> tuple[torch.Tensor, int]:
        """Eager inference of one sample: (logits of the exit taken, exit index)."""
        outs = self(x)
        for k, (logits, thr) in enumerate(zip(outs, self.thresholds, strict=False)):
            if confidence(logits) > thr:
                return logits, k
        return outs[-1], len(outs) - 1


def confidence(logits: torch.Tensor) -> torch.Tensor:
    """The exit criterion: ``max(softmax(logits, dim=1))`` over the (batch-1) tensor."""
    return torch.max(F.softmax(logits, dim=1))


class ExitStage(nn.Module):
    """One exit test with a Python ``if`` (TorchScript form).

    Runs ``trunk``, then ``head``; returns the head's logits if the exit test
    passes, else ``rest`` applied to the trunk's output.
    """

    def __init__(self, trunk: nn.Module, head: nn.Module, threshold: float, rest: nn.Module):
        super().__init__()
        self.trunk = trunk
        self.head = head
        self.threshold = threshold
        self.rest = rest

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.trunk(x)
        y = self.head(x)
        if torch.max(F.softmax(y, dim=1)) > self.threshold:
            return y
        return self.rest(x)


class CondExitStage(ExitStage):
    """One exit test with ``torch.cond`` (form for the dynamo exporter)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.trunk(x)
        y = self.head(x)
        pred = torch.max(F.softmax(y, dim=1)) > self.threshold
        return torch.cond(pred, self._take_exit, self.rest, (y, x))

    @staticmethod
    def _take_exit(y: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        return y.clone()


class _Rest(nn.Module):
    """Adapter so ``rest`` can be a ``torch.cond`` branch taking ``(y, x)``."""

    def __init__(self, body: nn.Module):
        super().__init__()
        self.body = body

    def forward(self, y: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)


def inference_chain(net: EarlyExitNet, use_cond: bool = False) -> nn.Module:
    """The batch-1 inference form of ``net`` (shares its parameters), in eval mode.

    With ``use_cond`` the exit tests use ``torch.cond`` (for
    ``torch.onnx.export(..., dynamo=True)``), else a Python ``if`` (for
    ``torch.jit.script``).
    """
    bounds = [-1, *net.exit_after]
    rest: nn.Module = nn.Sequential(*net.blocks[bounds[-1] + 1 :])
    for k in reversed(range(len(net.exits))):
        trunk = nn.Sequential(*net.blocks[bounds[k] + 1 : bounds[k + 1] + 1])
        if use_cond:
            rest = CondExitStage(trunk, net.exits[k], net.thresholds[k], _Rest(rest))
        else:
            rest = ExitStage(trunk, net.exits[k], net.thresholds[k], rest)
    return rest.eval()


class Residual(nn.Module):
    """A residual block: ``relu(body(x) + shortcut(x))``.

    ``shortcut`` is ``nn.Identity()`` for an identity shortcut or a 1x1 conv (+ BatchNorm)
    projection when the channels change.
    """

    def __init__(self, body: nn.Module, shortcut: nn.Module):
        super().__init__()
        self.body = body
        self.shortcut = shortcut

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.body(x) + self.shortcut(x))


# --- the reference networks -------------------------------------------------------


def _seq(*layers: nn.Module) -> nn.Sequential:
    return nn.Sequential(*layers)


def blenet() -> EarlyExitNet:
    """B-LeNet: 1x28x28 in, one early exit after the first conv block."""
    prefix = _seq(nn.Conv2d(1, 5, 5, padding=4), nn.MaxPool2d(2), nn.ReLU())
    rest = _seq(
        nn.Conv2d(5, 10, 5, padding=4), nn.MaxPool2d(2), nn.ReLU(),
        nn.Conv2d(10, 20, 5, padding=3), nn.MaxPool2d(2), nn.ReLU(),
        nn.Flatten(), nn.Linear(720, 10),
    )  # fmt: skip
    exit1 = _seq(
        nn.Conv2d(5, 10, 3, padding=1), nn.MaxPool2d(2), nn.ReLU(),
        nn.Flatten(), nn.Linear(640, 10),
    )  # fmt: skip
    return EarlyExitNet([prefix, rest], [exit1], [0], [0.996])


def blenet3() -> EarlyExitNet:
    """B-LeNet with a second exit after the second backbone conv block (3 exits)."""
    prefix = _seq(nn.Conv2d(1, 5, 5, padding=4), nn.MaxPool2d(2), nn.ReLU())
    block2 = _seq(nn.Conv2d(5, 10, 5, padding=4), nn.MaxPool2d(2), nn.ReLU())
    block3 = _seq(
        nn.Conv2d(10, 20, 5, padding=3), nn.MaxPool2d(2), nn.ReLU(),
        nn.Flatten(), nn.Linear(720, 10),
    )  # fmt: skip
    exit1 = _seq(
        nn.Conv2d(5, 10, 3, padding=1), nn.MaxPool2d(2), nn.ReLU(),
        nn.Flatten(), nn.Linear(640, 10),
    )  # fmt: skip
    exit2 = _seq(
        nn.Conv2d(10, 10, 3, padding=1), nn.MaxPool2d(2), nn.ReLU(),
        nn.Flatten(), nn.Linear(250, 10),
    )  # fmt: skip
    return EarlyExitNet([prefix, block2, block3], [exit1, exit2], [0, 1], [0.996, 0.99])


def smallcnn() -> EarlyExitNet:
    """Triple Wins SmallCNN: 1x28x28 in, one early exit after the first conv."""
    prefix = _seq(nn.Conv2d(1, 32, 3), nn.ReLU())
    rest = _seq(
        nn.Conv2d(32, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(),
        nn.Conv2d(64, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(1024, 200), nn.ReLU(),
        nn.Linear(200, 200), nn.ReLU(),
        nn.Linear(200, 10),
    )  # fmt: skip
    exit1 = _seq(
        nn.Conv2d(32, 16, 3, stride=2), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(576, 200), nn.Linear(200, 200), nn.Linear(200, 10),
    )  # fmt: skip
    return EarlyExitNet([prefix, rest], [exit1], [0], [0.6])


def balexnet() -> EarlyExitNet:
    """B-AlexNet: 3x32x32 in, one early exit after the first conv block."""
    prefix = _seq(nn.Conv2d(3, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2))
    rest = _seq(
        nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.Conv2d(64, 96, 3, padding=1), nn.ReLU(),
        nn.Conv2d(96, 96, 3, padding=1), nn.ReLU(),
        nn.Conv2d(96, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.Flatten(),
        nn.Linear(576, 256), nn.ReLU(),
        nn.Linear(256, 128), nn.ReLU(),
        nn.Linear(128, 10),
    )  # fmt: skip
    exit1 = _seq(
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.Conv2d(64, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.Flatten(), nn.Linear(288, 10),
    )  # fmt: skip
    return EarlyExitNet([prefix, rest], [exit1], [0], [0.6])


def _conv_bn(c_in: int, c_out: int, kernel: int) -> list[nn.Module]:
    """Conv (no bias, "same" padding) + BatchNorm, as residual networks build them."""
    return [nn.Conv2d(c_in, c_out, kernel, padding=kernel // 2, bias=False), nn.BatchNorm2d(c_out)]


def _residual(c_in: int, c_out: int) -> Residual:
    """Two 3x3 conv + BN; a 1x1 conv + BN projection shortcut when ``c_in != c_out``."""
    body = _seq(*_conv_bn(c_in, c_out, 3), nn.ReLU(), *_conv_bn(c_out, c_out, 3))
    shortcut = _seq(*_conv_bn(c_in, c_out, 1)) if c_in != c_out else nn.Identity()
    return Residual(body, shortcut)


def bresnet() -> EarlyExitNet:
    """A small early-exit residual network: 1x28x28 in, one early exit after block 1.

    Stem Conv 1->8 + BN + ReLU + MaxPool (8x14x14); block 1 with a 1x1 projection
    shortcut (16x14x14); exit head MaxPool + Linear 784->10; block 2 (MaxPool, identity
    shortcut, 16x7x7), global average pool, Linear 16->10.
    """
    stem = _seq(*_conv_bn(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2))
    block1 = _residual(8, 16)
    block2 = _seq(
        nn.MaxPool2d(2), _residual(16, 16),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 10),
    )  # fmt: skip
    exit1 = _seq(nn.MaxPool2d(2), nn.Flatten(), nn.Linear(784, 10))
    return EarlyExitNet([stem, block1, block2], [exit1], [1], [0.99])


# --- overprovisioned networks (HAPI): a candidate exit after every backbone block ----------


class PlainResidual(nn.Module):
    """A ResNet basic block without downsampling: ``relu(x + conv(relu(conv(x))))``."""

    def __init__(self, channels: int):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(x + self.conv2(F.relu(self.conv1(x))))


def _head(channels: int, size: int) -> nn.Sequential:
    """A candidate exit head: Conv c->8 k3 p1, ReLU, MaxPool 2 (if the map is > 4), Linear."""
    pool = size > 4
    out = 8 * (size // 2 if pool else size) ** 2
    layers: list[nn.Module] = [nn.Conv2d(channels, 8, 3, padding=1), nn.ReLU()]
    if pool:
        layers.append(nn.MaxPool2d(2))
    return _seq(*layers, nn.Flatten(), nn.Linear(out, 10))


OVER_THRESHOLD = 0.99
"""Threshold of every candidate exit in the exported overprovisioned networks."""


def blenet_over() -> EarlyExitNet:
    """B-LeNet-style backbone of 7 blocks, a candidate exit after each of the first 6."""
    blocks = [
        _seq(nn.Conv2d(1, 5, 5, padding=4), nn.MaxPool2d(2), nn.ReLU()),  # 5x16x16
        _seq(nn.Conv2d(5, 8, 3, padding=1), nn.ReLU()),  # 8x16x16
        _seq(nn.Conv2d(8, 10, 3, padding=1), nn.MaxPool2d(2), nn.ReLU()),  # 10x8x8
        _seq(nn.Conv2d(10, 16, 3, padding=1), nn.ReLU()),  # 16x8x8
        _seq(nn.Conv2d(16, 20, 3, padding=1), nn.MaxPool2d(2), nn.ReLU()),  # 20x4x4
        _seq(nn.Conv2d(20, 20, 3, padding=1), nn.ReLU()),  # 20x4x4
        _seq(nn.Flatten(), nn.Linear(320, 10)),
    ]
    shapes = [(5, 16), (8, 16), (10, 8), (16, 8), (20, 4), (20, 4)]
    exits = [_head(c, s) for c, s in shapes]
    return EarlyExitNet(blocks, exits, list(range(6)), [OVER_THRESHOLD] * 6)


def resnet_over() -> EarlyExitNet:
    """Small ResNet-style backbone: a stem, 4 residual blocks and a transition, 6 exits."""
    blocks = [
        _seq(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)),  # 8x14x14
        PlainResidual(8),
        PlainResidual(8),
        _seq(nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)),  # 16x7x7
        PlainResidual(16),
        PlainResidual(16),
        _seq(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 10)),
    ]
    shapes = [(8, 14), (8, 14), (8, 14), (16, 7), (16, 7), (16, 7)]
    exits = [_head(c, s) for c, s in shapes]
    return EarlyExitNet(blocks, exits, list(range(6)), [OVER_THRESHOLD] * 6)


@dataclass(frozen=True)
class NetSpec:
    """A reference network: constructor, input shape (CxHxW), whether it is trained, and
    whether in two phases (HAPI: the backbone first, then the exit heads, backbone frozen)."""

    build: Callable[[], EarlyExitNet]
    input_shape: tuple[int, int, int]
    trained: bool = True
    two_phase: bool = False
    compact: bool = False  # dynamo export without per-node metadata (deeply nested Ifs)


NETS: dict[str, NetSpec] = {
    "blenet": NetSpec(blenet, (1, 28, 28)),
    "blenet3": NetSpec(blenet3, (1, 28, 28)),
    "smallcnn": NetSpec(smallcnn, (1, 28, 28)),
    "balexnet": NetSpec(balexnet, (3, 32, 32), trained=False),
    "bresnet": NetSpec(bresnet, (1, 28, 28)),
    "blenet_over": NetSpec(blenet_over, (1, 28, 28), two_phase=True, compact=True),
    "resnet_over": NetSpec(resnet_over, (1, 28, 28), two_phase=True, compact=True),
}
