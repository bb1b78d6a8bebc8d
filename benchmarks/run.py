"""Time gradients against the plain function, side by side in one process, as ratios.

adtrans is always measured; HIPS autograd is measured when it is installed
(``pip install autograd``).  Run with ``make bench`` or ``python benchmarks/run.py``.
"""

import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from cases import inputs

import adtrans


def best(fn, repeat=5):
    number = 1
    while timeit.timeit(fn, number=number) < 0.05:
        number *= 2
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number


def main():
    try:
        import autograd
        import autograd.numpy as anp
    except ImportError:
        autograd = None
    print(f"{'case':32} {'f (us)':>10} {'adtrans':>9} {'autograd':>9}   (gradient time / f time)")
    for name, (function, args, wrt) in inputs().items():
        forward = best(lambda f=function, a=args: f(*a))
        gradient = adtrans.grad(function, wrt=wrt)
        gradient(*args)                                   # compile outside the timing
        ratio = best(lambda g=gradient, a=args: g(*a)) / forward
        peer = "-"
        if autograd is not None:
            module = function.__globals__
            saved = module["np"]
            module["np"] = anp                            # autograd traces through its numpy
            try:
                agrad = autograd.grad(lambda *a, f=function: f(*a), list(wrt))
                agrad(*args)
                peer = f"{best(lambda g=agrad, a=args: g(*a)) / forward:8.1f}x"
            finally:
                module["np"] = saved
        print(f"{name:32} {forward * 1e6:10.1f} {ratio:8.1f}x {peer:>9}")



if __name__ == "__main__":
    main()
