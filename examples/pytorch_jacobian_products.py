"""Vector-Jacobian products, after the "Tensor gradients and Jacobian products" cells.

Seeds: ``shared/seeds/000_ea7d0742b561e03b.txt`` (Vietnamese) and
``004_017f9cada7c27743.txt`` (Russian) of the PyTorch autograd tutorial.  They compute
``out = (inp + 1) ** 2`` (transposed in seed 000) for ``inp = eye(4, 5)`` / ``eye(5)``
and call ``out.backward(ones_like(out))``, which gives ``v^T J = 2 * (inp + 1)``:
4 on the diagonal and 2 elsewhere.  A second ``backward`` call adds into ``inp.grad``
(8 and 4); after ``inp.grad.zero_()`` the result is 4 and 2 again.

adtrans has no ``.grad`` buffer: ``vjp`` returns a pullback that can be called as often
as wanted and always returns a fresh result.  PyTorch's accumulation is the sum of the
results of two calls.
"""

import numpy as np

import adtrans


def shifted_square_transposed(inp):
    return ((inp + 1) ** 2).T


def shifted_square(inp):
    return (inp + 1) ** 2


def expected(shape, diagonal, off_diagonal):
    return np.where(np.eye(*shape, dtype=bool), diagonal, off_diagonal).astype(float)


def show(label, value):
    text = np.array2string(np.asarray(value), precision=4)
    print(f"  {label}\n    " + text.replace("\n", "\n    "))


def run(f, inp):
    out, pullback = adtrans.vjp(f, inp)
    v = np.ones_like(out)
    first = pullback(v)
    show("First call", first)
    np.testing.assert_allclose(first, expected(inp.shape, 4.0, 2.0))
    np.testing.assert_allclose(first, 2 * (inp + 1))

    accumulated = first + pullback(v)
    show("Second call (accumulated like inp.grad)", accumulated)
    np.testing.assert_allclose(accumulated, expected(inp.shape, 8.0, 4.0))

    again = pullback(v)
    show("Call after zeroing gradients", again)
    np.testing.assert_allclose(again, expected(inp.shape, 4.0, 2.0))
    # The first result was not changed by the later calls.
    np.testing.assert_allclose(first, expected(inp.shape, 4.0, 2.0))


def main():
    print("Seed 000: out = ((eye(4, 5) + 1) ** 2).T, cotangent ones(5, 4)")
    run(shifted_square_transposed, np.eye(4, 5))
    print("Seed 004: out = (eye(5) + 1) ** 2, cotangent ones(5, 5)")
    run(shifted_square, np.eye(5))
    print("pytorch_jacobian_products: all published values reproduced")


if __name__ == "__main__":
    main()
