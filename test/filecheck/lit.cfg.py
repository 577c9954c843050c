"""lit configuration for eecc's FileCheck tests; run as `lit -v test/filecheck`."""

import os
import sys

import lit.formats

config.name = "eecc"  # noqa: F821
config.test_format = lit.formats.ShTest(execute_external=False)  # noqa: F821
config.suffixes = [".mlir", ".test"]  # noqa: F821
config.excludes = ["Inputs", "lit.cfg.py"]  # noqa: F821
config.test_source_root = os.path.dirname(__file__)  # noqa: F821
root = os.path.dirname(os.path.dirname(config.test_source_root))  # noqa: F821
config.substitutions.append(("%python", sys.executable))  # noqa: F821
config.substitutions.append(("%examples", os.path.join(root, "examples")))  # noqa: F821
bin_dir = os.path.dirname(sys.executable)
config.environment["PATH"] = bin_dir + os.pathsep + config.environment.get("PATH", "")  # noqa: F821
if "PYTHONPATH" in os.environ:  # a worktree's tests run the worktree's code
    config.environment["PYTHONPATH"] = os.environ["PYTHONPATH"]  # noqa: F821
