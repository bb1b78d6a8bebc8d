"""Benchmark entry point: ``make bench`` or ``python benchmarks/run.py [--quick] [--only NAME]``.

Measures gradient time divided by plain-NumPy function time for adtrans and
each installed peer (HIPS autograd, PyTorch, JAX) in one single-threaded
process, plus adtrans's transform and import times and tape memory; prints a
table and, on a full run, writes docs/performance.md and docs/performance.png.
``--help`` lists the options.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.threads import single_thread  # imports nothing heavy

PINNED_CPU = single_thread()      # before NumPy, PyTorch or JAX is imported


def main() -> int:
    """Run the harness with this process's arguments."""
    from benchmarks.harness import run

    return run(sys.argv[1:], PINNED_CPU)


if __name__ == "__main__":
    sys.exit(main())
