"""Reverse-mode autodiff basics, after the Vietnamese ``torch.autograd`` intro notebook.

Seed: ``shared/seeds/001_83ba2ce3e0cb6836.txt``.  The notebook walks through five small
examples by hand (computational graph, chain rule) and then checks them with PyTorch.
Here the same functions are plain NumPy and the derivatives come from adtrans:

1. ``y = (x - 1)**2 + (x + 1)**2`` at ``x = 4.5``: ``y = 42.5``, ``dy/dx = 18``.
2. ``sigmoid(x) = 1 / (1 + exp(-x))`` at ``x = 1``: ``y = 0.7310586``, ``dy/dx = 0.19661194``.
3. ``y = (x + t) * (x - t)`` at ``(4.5, 2.5)``: ``y = 14``, ``dy/dx = 9``, ``dy/dt = -5``.
4. ``z = sum(x**2)`` at ``x = [1, 2, 3]``: ``z = 14``, ``dz/dx = [2, 4, 6]``.
5. vector-Jacobian product of ``x**2`` at ``[1, 2, 3]`` with ``v = [-1, 1, 2]``:
   ``[-2, 4, 12]``.

The notebook printed float32 values; they are compared here with a relative tolerance
that float32 rounding needs (about 1e-7) and no more.
"""

import numpy as np

import adtrans

F32 = 1e-6  # relative tolerance for values the notebook printed from float32 tensors


def two_squares(x):
    a = x - 1
    b = x + 1
    c = a**2
    d = b**2
    y = c + d
    return y


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def difference_of_squares(x, t):
    a = x + t
    b = x - t
    y = a * b
    return y


def sum_of_squares(x):
    y = x**2
    z = np.sum(y)
    return z


def square(x):
    return x**2


def show(label, value):
    print(f"  {label:<28} {value}")


def main():
    print("Example 1: y = (x - 1)^2 + (x + 1)^2 at x = 4.5")
    x = 4.5
    a, b = x - 1, x + 1
    c, d = a**2, b**2
    np.testing.assert_allclose([a, b, c, d, c + d], [3.5, 5.5, 12.25, 30.25, 42.5])
    y, dy_dx = adtrans.value_and_grad(two_squares)(x)
    show("y =", y)
    show("dy/dx =", dy_dx)
    np.testing.assert_allclose(y, 42.5)
    np.testing.assert_allclose(dy_dx, 18.0)
    np.testing.assert_allclose(dy_dx, 4 * x)  # the notebook's hand derivation: 2a + 2b = 4x

    print("Example 2: sigmoid(x) = 1 / (1 + exp(-x)) at x = 1")
    y, dy_dx = adtrans.value_and_grad(sigmoid)(1.0)
    show("y = sigmoid(1) =", y)
    show("dy/dx =", dy_dx)
    show("y * (1 - y) =", y * (1 - y))
    np.testing.assert_allclose(y, 0.7310585975646973, rtol=F32)
    np.testing.assert_allclose(dy_dx, 0.1966119408607483, rtol=F32)
    np.testing.assert_allclose(dy_dx, 0.19661193, rtol=F32)
    np.testing.assert_allclose(dy_dx, y * (1 - y), rtol=1e-12)

    print("Example 3: y = (x + t) * (x - t) at x = 4.5, t = 2.5")
    x, t = 4.5, 2.5
    np.testing.assert_allclose([x + t, x - t], [7.0, 2.0])
    y = difference_of_squares(x, t)
    dy_dx, dy_dt = adtrans.grad(difference_of_squares, wrt=(0, 1))(x, t)
    show("y =", y)
    show("dy/dx =", dy_dx)
    show("dy/dt =", dy_dt)
    np.testing.assert_allclose(y, 14.0)
    np.testing.assert_allclose([dy_dx, dy_dt], [9.0, -5.0])
    # The same, asking for the inputs by name.
    by_name = adtrans.grad(difference_of_squares, wrt=("x", "t"))(x, t)
    np.testing.assert_allclose(by_name, [9.0, -5.0])

    print("Example 4: z = sum(x^2) at x = [1, 2, 3]")
    x = np.array([1.0, 2.0, 3.0])
    z, dz_dx = adtrans.value_and_grad(sum_of_squares)(x)
    show("y = x^2 =", x**2)
    show("z = sum(y) =", z)
    show("dz/dx =", dz_dx)
    np.testing.assert_allclose(x**2, [1.0, 4.0, 9.0])
    np.testing.assert_allclose(z, 14.0)
    np.testing.assert_allclose(dz_dx, [2.0, 4.0, 6.0])

    print("Example 5: vector-Jacobian product of y = x^2 at x = [1, 2, 3], v = [-1, 1, 2]")
    v = np.array([-1.0, 1.0, 2.0])
    y, pullback = adtrans.vjp(square, x)
    vjp_v = pullback(v)
    show("y = x^2 =", y)
    show("v =", v)
    show("vjp(v) =", vjp_v)
    np.testing.assert_allclose(y, [1.0, 4.0, 9.0])
    np.testing.assert_allclose(vjp_v, [-2.0, 4.0, 12.0])
    np.testing.assert_allclose(vjp_v, 2 * v * x)  # the notebook's closed form 2 v (.) x
    print("autodiff_basics: all published values reproduced")


if __name__ == "__main__":
    main()
