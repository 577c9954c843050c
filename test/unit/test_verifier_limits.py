"""Verifier limits that IR text cannot reach (eecc refuses such text before parsing):
non-finite weights built in Python, and weights above 2^24 values held as a splat."""

from __future__ import annotations

import math

import numpy as np
import pytest
from xdsl.dialects.builtin import DenseIntOrFPElementsAttr, ModuleOp, TensorType, f32
from xdsl.utils.exceptions import VerifyException

from eecc.dialects.ee import WeightOp
from eecc.onnx_import.types import dense


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_a_non_finite_weight_is_refused(value: float) -> None:
    array = np.array([[1.0, value]], np.float32)
    module = ModuleOp([WeightOp("w", dense(array, f32))])
    with pytest.raises(VerifyException, match=f"'ee.weight' @w holds {value} at index 1; "
                       "weights must be finite"):
        module.verify()


def test_a_weight_over_the_size_limit_is_refused() -> None:
    splat = DenseIntOrFPElementsAttr.from_list(TensorType(f32, [5000, 5000]), [0.5])
    module = ModuleOp([WeightOp("w", splat)])
    with pytest.raises(VerifyException, match="has 25000000 values; eecc supports weights of at "
                       r"most 16777216 \(2\^24\)"):
        module.verify()
