"""One thread for every tool, set before NumPy, PyTorch or JAX is imported.

The BLAS libraries read their thread counts from the environment when they
load; XLA reads ``XLA_FLAGS`` when JAX starts its CPU client.  Current XLA
releases still start a multi-threaded pool despite those flags, so the process
is also pinned to one CPU (Linux), which children such as the import-time
subprocesses inherit.  This module imports nothing heavy.
"""

from __future__ import annotations

import os

THREAD_ENV = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "VECLIB_MAXIMUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
    "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1",
}


def single_thread() -> int | None:
    """Set the environment and pin the process to one CPU; return that CPU (None if not pinned)."""
    os.environ.update(THREAD_ENV)
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpu = max(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return cpu
