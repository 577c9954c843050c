"""Shape arithmetic shared by the `ee` verifiers, the ONNX importer and the cost model."""

from __future__ import annotations


def window_out(size: int, kernel: int, stride: int, pad_begin: int, pad_end: int) -> int:
    """Output extent of a sliding window: `floor((size - k + pb + pe) / s) + 1`."""
    return (size + pad_begin + pad_end - kernel) // stride + 1


def window_shape(
    chw: tuple[int, ...],
    channels_out: int,
    kernel: tuple[int, ...],
    strides: tuple[int, ...],
    pads: tuple[int, ...],
) -> tuple[int, int, int]:
    """C x H x W after a 2-D window op; `pads` is (top, left, bottom, right) as in ONNX."""
    _, h, w = chw
    top, left, bottom, right = pads
    return (
        channels_out,
        window_out(h, kernel[0], strides[0], top, bottom),
        window_out(w, kernel[1], strides[1], left, right),
    )


def divisors(n: int) -> tuple[int, ...]:
    """The positive divisors of `n`, ascending."""
    return tuple(d for d in range(1, n + 1) if n % d == 0)


def fine_values(kernel: tuple[int, ...]) -> tuple[int, ...]:
    """Legal `fine` factors for a k0 x k1 kernel: 1, k0, k1 and k0*k1."""
    k0, k1 = kernel
    return tuple(sorted({1, k0, k1, k0 * k1}))
