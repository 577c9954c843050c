"""eecc: the early-exit CNN compiler."""

__version__ = "0.1.0"
