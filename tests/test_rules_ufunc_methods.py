"""Rules of adtrans/rules/ufunc_methods.py (np.add.reduce, np.multiply.outer, ...) against
central finite differences, in float64 and float32, along each axis and with keepdims."""

import numpy as np
import pytest
from helpers.rule_testing import check_rule, sample, table, vjp_ones

import adtrans
from adtrans import AdtransError


def reduce_case(method, axis, keepdims):
    if axis == "default":
        def f(x):
            return method(x)
    else:
        def f(x):
            return method(x, axis=axis, keepdims=keepdims)
    return f


REDUCTIONS = table([
    (name, method, axis, keepdims)
    for name, method in [("np.add.reduce", np.add.reduce),
                         ("np.multiply.reduce", np.multiply.reduce),
                         ("np.maximum.reduce", np.maximum.reduce),
                         ("np.minimum.reduce", np.minimum.reduce),
                         ("np.fmax.reduce", np.fmax.reduce),
                         ("np.fmin.reduce", np.fmin.reduce),
                         ("np.logaddexp.reduce", np.logaddexp.reduce)]
    for axis, keepdims in [("default", False), (0, False), (1, True), (-1, False),
                           (None, False), ((0, 2), True)]
    # logaddexp is not reorderable: NumPy reduces it along one axis only.
    if not (name == "np.logaddexp.reduce" and (axis is None or isinstance(axis, tuple)))
])


@pytest.mark.parametrize("name, method, axis, keepdims", REDUCTIONS)
def test_reduce(name, method, axis, keepdims):
    f = reduce_case(method, axis, keepdims)
    x = sample((2, 3, 4), ("signed", 0.3, 1.5), seed=1)
    g = check_rule(f, x)
    assert np.shape(g) == x.shape
    xi = np.round(x * 1.5).astype(np.int64) + 1      # small: a product of 24 stays exact
    if name not in ("np.maximum.reduce", "np.minimum.reduce", "np.fmax.reduce",
                    "np.fmin.reduce"):       # integer ties: checked with floats above
        np.testing.assert_allclose(vjp_ones(f, xi), vjp_ones(f, xi.astype(float)),
                                   rtol=1e-12)


def weighted_add_reduce(x):
    return np.add.reduce(x) @ np.array([1.0, 2.0])


def test_add_reduce_default_axis_is_zero():
    """np.add.reduce reduces axis 0 unless told (np.sum reduces everything)."""
    x = sample((3, 2), (-1, 1))
    gx = adtrans.grad(weighted_add_reduce)(x)
    np.testing.assert_allclose(gx, np.tile([[1.0, 2.0]], (3, 1)))


def accumulate_case(method, axis):
    def f(x):
        return method(x, axis=axis) * np.arange(1.0, 1.0 + x.shape[axis]).reshape(
            [-1 if a == axis % x.ndim else 1 for a in range(x.ndim)])
    return f


ACCUMULATIONS = table([
    (name, method, axis)
    for name, method in [("np.add.accumulate", np.add.accumulate),
                         ("np.multiply.accumulate", np.multiply.accumulate)]
    for axis in (0, 1, -1)
])


@pytest.mark.parametrize("name, method, axis", ACCUMULATIONS)
def test_accumulate(name, method, axis):
    x = sample((3, 4), ("signed", 0.5, 1.5), seed=2)
    g = check_rule(accumulate_case(method, axis), x)
    assert np.shape(g) == x.shape


def test_multiply_accumulate_through_a_zero():
    def f(x):
        return np.sum(np.multiply.accumulate(x) * np.array([1.0, 2.0, 3.0, 4.0]))
    x = np.array([0.5, 0.0, -1.5, 2.0])
    check_rule(f, x)


def outer_case(method):
    def f(a, b):
        return method(a, b) * np.arange(1.0, 1.0 + np.size(a) * np.size(b)).reshape(
            np.shape(a) + np.shape(b))
    return f


OUTERS = table([
    (name, method, shapes)
    for name, method in [("np.add.outer", np.add.outer),
                         ("np.subtract.outer", np.subtract.outer),
                         ("np.multiply.outer", np.multiply.outer)]
    for shapes in [((3,), (4,)), ((2, 3), (4,)), ((3,), (2, 2)), ((), (3,)), ((2,), ())]
])


@pytest.mark.parametrize("name, method, shapes", OUTERS)
def test_outer(name, method, shapes):
    a = sample(shapes[0], (-1, 1), seed=3) if shapes[0] else 0.7
    b = sample(shapes[1], (-1, 1), seed=4) if shapes[1] else -1.3
    ga, gb = check_rule(outer_case(method), a, b, wrt=(0, 1))
    assert np.shape(ga) == np.shape(a) and np.shape(gb) == np.shape(b)


def reduce_with_initial(x):
    return np.add.reduce(x, initial=1.0)


def reduce_with_where(x):
    return np.add.reduce(x, where=x > 0)


@pytest.mark.parametrize("f", [reduce_with_initial, reduce_with_where])
def test_options_the_rules_do_not_cover_are_refused(f):
    with pytest.raises(AdtransError, match="got the keyword .(initial|where)., which its"):
        adtrans.grad(f)(np.array([0.5, -1.0, 2.0]))
