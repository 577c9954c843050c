"""`eecc explore`: choose a network's exits and thresholds with the FPGA cost in the loop (HAPI).

An overprovisioned network has a candidate exit after every block. A candidate design keeps
some of them (`space`), each with a threshold. Its accuracy and exit rates come from the
profile's per-sample memo, with no network run (`accuracy`); its throughput and resources
from the exact `--fold` of the network with only those exits (`cost`), with every stage's
throughput/area curve memoised, since the curves do not depend on the thresholds. Small
spaces are enumerated, larger ones annealed (`search`); candidates are evaluated in a local
process pool or on a dask.distributed cluster (`pool`). See docs/explore.md.
"""
