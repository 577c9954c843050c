"""The reference interpreter of `ee` networks: float32 (as onnxruntime) or the fixed-point
contract of docs/numerics.md, one result and one exit index per sample.

    result = run_graph(module, x)                        # float32
    result = run_graph(module, x, fixed=FixedConfig())   # ap_fixed<16,8>
    result.logits, result.exits, result.raw
"""

from eecc.reference.backends import FixedConfig
from eecc.reference.graph import Exit, Program
from eecc.reference.run import Result, exit_heads, run_graph

__all__ = ["Exit", "FixedConfig", "Program", "Result", "exit_heads", "run_graph"]
