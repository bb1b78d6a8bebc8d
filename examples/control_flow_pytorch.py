"""A branch that changes the differentiated operation from call to call.

Seed: ``shared/seeds/000_ea7d0742b561e03b.txt`` (Vietnamese PyTorch autograd notes).  The
notebook shows that PyTorch's graph is rebuilt on every ``backward``::

    for i in range(3):
        if i % 2 == 0: y = x * 2
        else:          y = x ** 2

with ``x = 2`` printing ``x.grad`` = 2, 4, 2.  adtrans differentiates the ``if`` ahead of
time, once; the branch taken is decided at run time from ``i``.
"""

import numpy as np

import adtrans


def step(x, i):
    if i % 2 == 0:
        y = x * 2
    else:
        y = x**2
    return y


def main():
    x = 2.0
    dstep = adtrans.grad(step)  # with respect to x only; i just picks the branch
    grads = []
    for i in range(3):
        used = "x * 2" if i % 2 == 0 else "x ** 2"
        g = dstep(x, i)
        grads.append(g)
        print(f"--- Call {i + 1} ---  function used: {used}   dy/dx = {g}")
    np.testing.assert_allclose(grads, [2.0, 4.0, 2.0])
    print("control_flow_pytorch: published values 2, 4, 2 reproduced")


if __name__ == "__main__":
    main()
