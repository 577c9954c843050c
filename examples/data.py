"""The digits data set used to train and evaluate the example networks.

scikit-learn ships the UCI handwritten digits (1,797 grey 8x8 images, values
0..16, 10 classes) inside its wheel, so no download is needed. Images are
scaled to [0, 1] and upsampled bilinearly to the input size of the networks:
1x28x28 (MNIST-shaped nets) or 3x32x32 (B-AlexNet, the grey channel repeated).
The split is fixed: 80 % train / 20 % test, stratified, seed 0.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

DATA_DIR = Path(__file__).resolve().parent / "data"
SPLIT_SEED = 0
TEST_FRACTION = 0.2


def _resize(images: np.ndarray, shape: tuple[int, int, int]) -> np.ndarray:
    """N x 8 x 8 images in [0, 1] -> N x C x H x W float32 (bilinear, channel repeat)."""
    channels, height, width = shape
    x = torch.from_numpy(images.astype(np.float32)).unsqueeze(1)
    x = F.interpolate(x, size=(height, width), mode="bilinear", align_corners=False)
    return x.repeat(1, channels, 1, 1).contiguous().numpy()


def load_split(shape: tuple[int, int, int]) -> dict[str, np.ndarray]:
    """The fixed train/test split resized to ``shape``: x_train, y_train, x_test, y_test."""
    digits = load_digits()
    images = digits.images / 16.0
    labels = digits.target.astype(np.int64)
    img_tr, img_te, y_tr, y_te = train_test_split(
        images, labels, test_size=TEST_FRACTION, random_state=SPLIT_SEED, stratify=labels
    )
    return {
        "x_train": _resize(img_tr, shape),
        "y_train": y_tr,
        "x_test": _resize(img_te, shape),
        "y_test": y_te,
    }


def held_out_path(shape: tuple[int, int, int]) -> Path:
    """Where the held-out split of this input shape is stored."""
    channels, height, _ = shape
    suffix = f"{height}" if channels == 1 else f"{height}x{channels}"
    return DATA_DIR / f"digits_test_{suffix}.npz"


def save_held_out(shape: tuple[int, int, int]) -> Path:
    """Write the held-out split (``x``: float32 NxCxHxW, ``y``: int64) and, for 1x28x28,
    the plain ``.npy`` of ``x`` for command-line use. Returns the ``.npz`` path."""
    split = load_split(shape)
    path = held_out_path(shape)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, x=split["x_test"], y=split["y_test"])
    if shape[0] == 1:
        np.save(path.with_suffix(".npy"), split["x_test"])
    return path
