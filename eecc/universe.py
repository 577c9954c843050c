"""Entry point for `xdsl.universe`: lets plain `xdsl-opt` see eecc's dialects and passes."""

from eecc.registry import EECC_UNIVERSE

__all__ = ["EECC_UNIVERSE"]
