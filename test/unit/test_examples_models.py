"""The PyTorch example networks have the reference shapes and a faithful inference form.

Needs the optional ``examples`` extra (torch); skipped without it.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.filterwarnings(
    "ignore:`torch.jit.script` is deprecated:DeprecationWarning"
)
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _load_models():
    spec = importlib.util.spec_from_file_location("eecc_examples_models", EXAMPLES / "models.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


models = _load_models()

# Output shape (C, H, W) or (features,) of every backbone block, then of every exit.
SHAPES = {
    "blenet": ([(5, 16, 16), (10,)], [(10,)]),
    "blenet3": ([(5, 16, 16), (10, 10, 10), (10,)], [(10,), (10,)]),
    "smallcnn": ([(32, 26, 26), (10,)], [(10,)]),
    "balexnet": ([(32, 15, 15), (10,)], [(10,)]),
    "bresnet": ([(8, 14, 14), (16, 14, 14), (10,)], [(10,)]),
    "blenet_over": ([(5, 16, 16), (8, 16, 16), (10, 8, 8), (16, 8, 8), (20, 4, 4), (20, 4, 4),
                     (10,)], [(10,)] * 6),
    "resnet_over": ([(8, 14, 14)] * 3 + [(16, 7, 7)] * 3 + [(10,)], [(10,)] * 6),
}


def _macs(net, shape) -> list[int]:
    """Multiply-accumulates of every Conv2d / Linear, in execution order."""
    macs: list[int] = []

    def hook(module, _inputs, output):
        per_out = module.weight[0].numel()
        macs.append(per_out * output[0].numel())

    handles = [
        m.register_forward_hook(hook)
        for m in net.modules()
        if isinstance(m, torch.nn.Conv2d | torch.nn.Linear)
    ]
    net(torch.zeros(1, *shape))
    for h in handles:
        h.remove()
    return macs


@pytest.mark.parametrize("name", list(models.NETS))
def test_block_and_exit_shapes(name: str) -> None:
    spec = models.NETS[name]
    net = spec.build().eval()
    block_shapes, exit_shapes = SHAPES[name]
    x = torch.zeros(1, *spec.input_shape)
    for block, expected in zip(net.blocks, block_shapes, strict=True):
        x = block(x)
        assert tuple(x.shape[1:]) == expected
    outs = net(torch.zeros(1, *spec.input_shape))
    assert len(outs) == net.num_exits == len(exit_shapes) + 1
    assert [tuple(o.shape[1:]) for o in outs[:-1]] == exit_shapes


def test_blenet_macs_match_reference() -> None:
    # conv1, exit conv, exit linear, conv2, conv3, final linear (networks.md)
    macs = _macs(models.blenet().eval(), (1, 28, 28))
    assert macs == [128_000, 115_200, 6_400, 500_000, 720_000, 7_200]


def test_bresnet_macs() -> None:
    # stem; block 1: body conv 3x3, conv 3x3, 1x1 projection; exit linear; block 2: two
    # conv 3x3 (identity shortcut); final linear. README.md lists the same numbers.
    macs = _macs(models.bresnet().eval(), (1, 28, 28))
    assert macs == [56_448, 225_792, 451_584, 25_088, 7_840, 112_896, 112_896, 160]
    assert sum(macs) == 992_704


def test_bresnet_shortcuts() -> None:
    net = models.bresnet()
    block1, block2 = net.blocks[1], net.blocks[2][1]
    assert isinstance(block1, models.Residual) and isinstance(block2, models.Residual)
    (proj, _bn) = block1.shortcut
    assert proj.kernel_size == (1, 1) and (proj.in_channels, proj.out_channels) == (8, 16)
    assert isinstance(block2.shortcut, torch.nn.Identity)


@pytest.mark.parametrize("name", list(models.NETS))
@pytest.mark.parametrize("use_cond", [False, True])
def test_inference_chain_matches_predict(name: str, use_cond: bool) -> None:
    torch.manual_seed(0)
    spec = models.NETS[name]
    net = spec.build().eval()
    chain = models.inference_chain(net, use_cond=use_cond)
    for k in range(4):
        x = torch.rand(1, *spec.input_shape) * (k + 1)
        expected, _ = net.predict(x)
        with torch.no_grad():
            torch.testing.assert_close(chain(x), expected)


def test_scripted_chain_matches_eager() -> None:
    torch.manual_seed(0)
    net = models.blenet3().eval()
    net.thresholds = [0.0, 0.0]  # every sample takes exit 0
    chain = models.inference_chain(net)
    scripted = torch.jit.script(chain)
    x = torch.rand(1, 1, 28, 28)
    with torch.no_grad():
        torch.testing.assert_close(scripted(x), net(x)[0])


def test_exit_after_must_increase() -> None:
    block = torch.nn.Identity()
    with pytest.raises(ValueError, match="must increase"):
        models.EarlyExitNet([block, block, block], [block, block], [1, 0], [0.5, 0.5])
    with pytest.raises(ValueError, match="same length"):
        models.EarlyExitNet([block, block], [block], [0], [])
