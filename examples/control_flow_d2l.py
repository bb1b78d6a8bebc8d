"""Gradient through Python control flow: the ``f(a)`` example of d2l.ai's autograd section.

Seed: ``shared/seeds/002_f14d7714a7be9d1c.txt``.  The number of ``while`` iterations and
the ``if`` branch both depend on the input ``a``, yet ``f`` is piecewise linear:
``f(a) = k * a`` for a ``k`` that depends on ``a``.  So the gradient at ``a`` is
``f(a) / a``, which the notebook checks with ``a.grad == d / a`` (printed ``True``).

Exercise 3 of the section asks what happens for a vector ``a``: ``f(a)`` is then a vector,
``f(a) = k * a`` still holds, and the vector-Jacobian product with ``v`` is ``k * v``.
"""

import numpy as np

import adtrans


def f(a):
    b = a * 2
    while np.linalg.norm(b) < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c


def main():
    rng = np.random.default_rng(2)
    df = adtrans.grad(f)
    # Several random scalars, of both signs, so both branches of the `if` are taken.
    samples = [np.float64(rng.normal()) for _ in range(6)] + [np.float64(0.3), np.float64(-0.3)]
    for a in samples:
        d = f(a)
        g = df(a)
        print(f"  a = {a: .6f}   f(a) = {d: .4f}   df/da = {g: .4f}   f(a)/a = {d / a: .4f}")
        np.testing.assert_allclose(g, d / a, rtol=1e-12)

    print("Exercise 3: a vector a; vjp with v = ones gives k * ones, where f(a) = k * a")
    a = rng.normal(size=4)
    d, pullback = adtrans.vjp(f, a)
    k = d[0] / a[0]
    np.testing.assert_allclose(d, k * a, rtol=1e-12)
    g = pullback(np.ones_like(d))
    print(f"  a = {np.round(a, 4)}   k = {k:g}   vjp(ones) = {g}")
    np.testing.assert_allclose(g, k * np.ones_like(a), rtol=1e-12)
    v = rng.normal(size=4)
    np.testing.assert_allclose(pullback(v), k * v, rtol=1e-12)
    print("control_flow_d2l: gradient equals f(a) / a at every sample")


if __name__ == "__main__":
    main()
