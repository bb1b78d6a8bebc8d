"""The straight-line examples of d2l.ai's "Automatic Differentiation" section.

Seed: ``shared/seeds/002_f14d7714a7be9d1c.txt`` (Vietnamese translation, with MXNet,
PyTorch and TensorFlow tabs).  With ``x = arange(4.)``:

* ``y = 2 * dot(x, x)`` is ``28`` and its gradient is ``4x = [0, 4, 8, 12]``;
* ``y = x.sum()`` has gradient ``[1, 1, 1, 1]``;
* ``y = x * x`` (a vector) back-propagated with a vector of ones: ``[0, 2, 4, 6]``;
* detaching ``u = x * x`` and differentiating ``sum(u * x)`` gives ``u``, while
  ``sum(x * x)`` itself still has gradient ``2x``;
* exercise 5: the derivative of ``sin`` computed without using ``cos``.

The control-flow example of the same section is in ``control_flow_d2l.py``.
"""

import numpy as np

import adtrans


def two_x_dot_x(x):
    return 2 * np.dot(x, x)


def two_x_dot_x_method(x):
    return 2 * x.dot(x)


def plain_sum(x):
    return x.sum()


def elementwise_square(x):
    return x * x


def sum_of_squares(x):
    y = x * x
    return y.sum()


def detached_product(x):
    y = x * x
    u = adtrans.stop_gradient(y)
    z = u * x
    return z.sum()


def cube_sum(x):
    z = x * x * x
    return z.sum()


def sine(x):
    return np.sin(x)


def show(label, value):
    print(f"  {label:<30} {value}")


def main():
    x = np.arange(4.0)
    print(f"x = {x}")

    print("y = 2 * dot(x, x)")
    y, g = adtrans.value_and_grad(two_x_dot_x)(x)
    show("y =", y)
    show("dy/dx =", g)
    np.testing.assert_allclose(y, 28.0)
    np.testing.assert_allclose(g, [0.0, 4.0, 8.0, 12.0])
    np.testing.assert_allclose(g, 4 * x)
    np.testing.assert_allclose(adtrans.grad(two_x_dot_x_method)(x), 4 * x)
    # Exercise 2 (run backward again): a gradient function is pure, so a second call
    # gives the same answer instead of an error or an accumulated value.
    np.testing.assert_allclose(adtrans.grad(two_x_dot_x)(x), g)

    print("y = x.sum()")
    g = adtrans.grad(plain_sum)(x)
    show("dy/dx =", g)
    np.testing.assert_allclose(g, [1.0, 1.0, 1.0, 1.0])

    print("y = x * x, back-propagated from a vector of ones (= gradient of sum(x * x))")
    y, pullback = adtrans.vjp(elementwise_square, x)
    g_vjp = pullback(np.ones_like(y))
    g_sum = adtrans.grad(sum_of_squares)(x)
    show("vjp(ones) =", g_vjp)
    show("grad of sum(x * x) =", g_sum)
    np.testing.assert_allclose(g_vjp, [0.0, 2.0, 4.0, 6.0])
    np.testing.assert_allclose(g_sum, [0.0, 2.0, 4.0, 6.0])

    print("Detaching: u = stop_gradient(x * x), z = sum(u * x)")
    u = x * x
    g = adtrans.grad(detached_product)(x)
    show("dz/dx =", g)
    show("u =", u)
    np.testing.assert_allclose(g, u)
    # Without the detach the same expression is sum(x^3), whose gradient is 3 x^2.
    np.testing.assert_allclose(adtrans.grad(cube_sum)(x), 3 * x * x)
    # ... and the gradient of y = x * x itself is still 2x.
    np.testing.assert_allclose(adtrans.grad(sum_of_squares)(x), 2 * x)

    print("Exercise 5: d/dx sin(x) on a grid, without using cos")
    grid = np.linspace(-np.pi, np.pi, 9)
    _, pullback = adtrans.vjp(sine, grid)
    d_sin = pullback(np.ones_like(grid))
    show("x =", np.round(grid, 4))
    show("d/dx sin(x) =", np.round(d_sin, 4))
    np.testing.assert_allclose(d_sin, np.cos(grid), atol=1e-12)
    print("d2l_autograd: all published values reproduced")


if __name__ == "__main__":
    main()
