"""Rank analysis (adtrans/ranks.py): unbroadcast is dropped only where it is surely a no-op.

The generated code of a scalar loop must not call unbroadcast nor keep values for their
shape; and wherever a value could be an array, the sum over broadcast axes must stay.
"""

import numpy as np
import pytest

import adtrans
from adtrans.testing import check_grads


def euler(x0, a, steps):
    x = x0
    for _ in range(steps):
        x = x + 0.01 * (np.sin(x) * a - 0.1 * x * x)
    return x


def euler_total(x0, a, steps):
    x = x0
    for _ in range(steps):
        x = x + 0.01 * (np.sin(x) * a - 0.1 * x * x)
    return np.sum(x)


def test_scalar_loop_has_no_unbroadcast_and_no_self_assignment():
    text = adtrans.source(adtrans.grad(euler, wrt=(0, 1)), 0.5, 1.2, 10)
    assert "unbroadcast" not in text
    assert "d_x = d_x\n" not in text
    assert text.count("push(") == 3          # sin(x), 0.1 * x and x: nothing kept for shape
    check_grads(euler, 0.5, 1.2, 10, wrt=(0, 1))


def test_the_same_function_with_array_arguments_still_sums():
    # Compiled per signature: ndim is part of it, so arrays get their own code.
    d = adtrans.grad(euler_total, wrt=(0, 1))
    assert np.shape(d(0.5, 1.2, 5)[1]) == ()
    x0 = np.array([0.1, 0.5, 0.9])
    got = d(x0, 1.2, 5)
    assert np.shape(got[0]) == (3,) and np.shape(got[1]) == ()
    check_grads(euler_total, x0, 1.2, 5, wrt=(0, 1))
    check_grads(euler_total, 0.5, np.array([1.0, 2.0]), 5, wrt=(0, 1))


def tuple_bound(x, M):
    a, y = 2.0, M
    b = a * y
    return np.sum(x * b)


def tuple_result(x, M):
    w, v = np.linalg.eigh(M.T @ M)
    b = w * 1.0
    return np.sum(x * b)


def loop_over_rows(x, M):
    s = 0.0
    for row in M:
        s = s + np.sum(x * row)
    return s


def where_broadcasts(x, c):
    return np.sum(np.where(c > 0, x, 0.0))


def rebound_to_array(x, M):
    y = 1.0
    for i in range(2):
        y = y * M[i]
    return np.sum(x * y)


def scalar_times_local_array(x, n):
    y = np.ones(n) * 2.0
    return np.sum(y * x)


@pytest.mark.parametrize("f", [tuple_bound, tuple_result, loop_over_rows, where_broadcasts,
                               rebound_to_array, scalar_times_local_array])
def test_a_scalar_meeting_an_array_gets_the_summed_cotangent(f):
    M = np.arange(1.0, 7.0).reshape(2, 3)
    second = {where_broadcasts: np.array([[1.0, -1.0, 3.0]] * 2),
              scalar_times_local_array: 4}.get(f, M)
    for x in (0.7, np.array(0.7), np.array([0.7])):
        got = adtrans.grad(f)(x, second)
        assert np.shape(got) == np.shape(x)
        check_grads(f, x, second)


def product(x, y):
    return np.sum(np.tanh(x @ y))


@pytest.mark.parametrize("shapes", [((3, 4), (4, 2)), ((4,), (4, 2)), ((3, 4), (4,)),
                                    ((4,), (4,)), ((2, 3, 4), (4, 2)), ((3, 4), (2, 4, 5))])
def test_matrix_products_of_known_ranks_are_written_out(shapes):
    rng = np.random.default_rng(0)
    x, y = (rng.standard_normal(s) for s in shapes)
    text = adtrans.source(adtrans.grad(product, wrt=(0, 1)), x, y)
    written_out = len(shapes[0]) <= 2 and len(shapes[1]) <= 2
    assert ("matmul_grad" not in text) == written_out
    check_grads(product, x, y, wrt=(0, 1))
    # float32 stays float32
    x32, y32 = x.astype(np.float32), y.astype(np.float32)
    gx, gy = adtrans.grad(product, wrt=(0, 1))(x32, y32)
    assert gx.dtype == np.float32 and gy.dtype == np.float32


def rnn_like(Wh, xs):
    h = np.zeros((xs.shape[1], Wh.shape[0]))
    for t in range(xs.shape[0]):
        h = np.tanh(xs[t] + h @ Wh)
    return np.sum(h * h)


def test_shape_constructors_give_ranks():
    rng = np.random.default_rng(1)
    Wh, xs = 0.5 * rng.standard_normal((3, 3)), rng.standard_normal((4, 2, 3))
    text = adtrans.source(adtrans.grad(rnn_like), Wh, xs)
    assert "d_t" in text and "Wh.T" in text and "matmul_grad" not in text
    check_grads(rnn_like, Wh, xs)


def dict_model(params, x):
    return np.sum(np.tanh(x @ params["W"] + params["b"]))


def dict_changed(params, x):
    params = params.copy()
    params["W"] = params["W"][0]          # now a vector: the signature's rank no longer holds
    return np.sum(np.tanh(x @ params["W"])) + np.sum(params["b"])


def test_items_of_dict_parameters_have_the_ranks_of_the_arguments():
    rng = np.random.default_rng(2)
    params = {"W": rng.standard_normal((3, 2)), "b": rng.standard_normal(2)}
    x = rng.standard_normal((4, 3))
    text = adtrans.source(adtrans.grad(dict_model), params, x)
    assert "matmul_grad" not in text and ".T @" in text
    check_grads(dict_model, params, x)
    text = adtrans.source(adtrans.grad(dict_changed), params, rng.standard_normal((4, 2)))
    assert "matmul_grad" in text
    check_grads(dict_changed, params, rng.standard_normal((4, 2)))


def det_times(x, S):
    return np.sum(x * np.linalg.det(S)) + np.sum(x * np.trace(S)) + np.sum(x * S.trace())


def test_det_and_trace_of_a_stack_are_not_numbers():
    rng = np.random.default_rng(3)
    S = rng.standard_normal((2, 3, 3))
    assert "unbroadcast" in adtrans.source(adtrans.grad(det_times), 0.5, S)
    check_grads(det_times, 0.5, S)
    check_grads(det_times, np.array([0.5, 1.5, 2.0]), S[0])


def growing(x, w):
    s = 0.0
    for i in range(1, 4):
        t = x[:i] * 2.0             # a new shape at every step, read back only for it
        u = t + w                   # w of shape (1,) broadcasts: unbroadcast(d_u, t)
        s = s + np.sum(u * u)
    return s


def test_values_read_only_for_their_shape_keep_only_the_shape():
    x, w = np.array([0.3, -1.2, 0.8, 2.0]), np.array([0.5])
    text = adtrans.source(adtrans.grad(growing, wrt=(0, 1)), x, w)
    assert "push(shape_of(t" in text
    check_grads(growing, x, w, wrt=(0, 1))
    _, pullback = adtrans.vjp(growing, x, w, wrt=(0, 1))
    first, second = pullback(1.0), pullback(1.0)        # the tape is read twice alike
    np.testing.assert_array_equal(first[0], second[0])
