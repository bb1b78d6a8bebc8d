"""Straight-line constructs the normaliser must rewrite faithfully."""

import numpy as np
import pytest

import adtrans
from adtrans.testing import check_grads


def masked(x):
    return np.sum(x[x > 0] ** 2)


def sliced(x, i):
    return np.sum(x[1:3] * x[i, :].sum()) + x[-1, 0]


def nested_unpacking(x):
    a, (b, c) = x * 2, (x + 1, np.sin(x))
    return a * b * c


def swap(x, y):
    x, y = y, x * 3.0
    return x * y


def with_default(x, scale=2.0):
    return scale * x ** 3


def chained(x):
    a = b = x * 2
    return a * b


def continued_lines(x):
    y = (x +
         2 * x) \
        * x
    return y


def test_index_reads():
    np.testing.assert_array_equal(check_grads(masked, np.array([1.0, -2.0, 3.0])),
                                  [2.0, 0.0, 6.0])
    g = check_grads(sliced, np.arange(12.0).reshape(4, 3) / 7, 2)
    assert g[3, 0] == 1.0 and g[0].tolist() == [0.0, 0.0, 0.0]


def test_unpacking_and_swaps():
    check_grads(nested_unpacking, 0.4)
    # x, y = y, 3x  ->  f = 3xy
    assert adtrans.grad(swap, wrt=(0, 1))(2.0, 5.0) == (15.0, 6.0)


def test_defaults_keywords_and_chained_assignment():
    d = adtrans.grad(with_default)
    assert d(1.0) == 6.0 and d(1.0, 4.0) == 12.0 and d(x=1.0, scale=1.0) == 3.0
    assert adtrans.grad(with_default, wrt="scale")(2.0, 1.0) == 8.0
    assert adtrans.grad(chained)(1.5) == pytest.approx(8 * 1.5)


def test_line_continuations_are_irrelevant():
    assert adtrans.grad(continued_lines)(2.0) == pytest.approx(12.0)
