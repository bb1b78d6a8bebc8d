"""Every rule of the rule table against central finite differences, in float64.

Each table below names, for every case, the entry of ``adtrans.supported()`` it
exercises; ``test_every_supported_rule_is_tested`` checks that the tables cover the
whole rule table, so a rule added without a test fails the suite.

Functions handed to adtrans are module-level ``def``s, or closures made by the small
factories below (``unary(np.exp)`` is ``def f(x): return np.exp(x)`` with ``np.exp``
read from a closure cell).  Points are kept away from kinks (``abs`` at 0, ties of
``maximum``); the documented tie behaviour is tested separately with exact values.
"""

import inspect
import math
import operator
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from helpers.rule_testing import (  # noqa: E402  (shared by the rule test files)
    assert_gradient_type,
    binary,
    check_rule,
    exercises,
    rng,
    sample,
    table,
    unary,
    vjp_ones,
)

import adtrans
from adtrans import AdtransError

# ===================================================================== elementwise, unary
UNARY = table([
    ("np.exp", np.exp, (-2, 2)),
    ("np.exp2", np.exp2, (-2, 2)),
    ("np.expm1", np.expm1, (-2, 2)),
    ("np.log", np.log, (0.2, 3)),
    ("np.log2", np.log2, (0.2, 3)),
    ("np.log10", np.log10, (0.2, 3)),
    ("np.log1p", np.log1p, (-0.5, 2)),
    ("np.sin", np.sin, (-3, 3)),
    ("np.cos", np.cos, (-3, 3)),
    ("np.tan", np.tan, (-1.2, 1.2)),
    ("np.arcsin", np.arcsin, (-0.9, 0.9)),
    ("np.arccos", np.arccos, (-0.9, 0.9)),
    ("np.arctan", np.arctan, (-3, 3)),
    ("np.sinh", np.sinh, (-2, 2)),
    ("np.cosh", np.cosh, (-2, 2)),
    ("np.tanh", np.tanh, (-2, 2)),
    ("np.arcsinh", np.arcsinh, (-3, 3)),
    ("np.arccosh", np.arccosh, (1.1, 3)),
    ("np.arctanh", np.arctanh, (-0.9, 0.9)),
    ("np.sqrt", np.sqrt, (0.1, 3)),
    ("np.cbrt", np.cbrt, ("signed", 0.1, 3)),
    ("np.square", np.square, (-3, 3)),
    ("np.reciprocal", np.reciprocal, ("signed", 0.2, 3)),
    ("np.absolute", np.abs, ("signed", 0.1, 3)),
    ("np.absolute", np.absolute, ("signed", 0.1, 3)),
    ("np.fabs", np.fabs, ("signed", 0.1, 3)),
    ("abs", abs, ("signed", 0.1, 3)),
    ("np.negative", np.negative, (-3, 3)),
    ("np.positive", np.positive, (-3, 3)),
    ("operator.neg", operator.neg, (-3, 3)),
    ("operator.pos", operator.pos, (-3, 3)),
    ("np.deg2rad", np.deg2rad, (-90, 90)),
    ("np.radians", np.radians, (-90, 90)),
    ("np.rad2deg", np.rad2deg, (-3, 3)),
    ("np.degrees", np.degrees, (-3, 3)),
    ("np.sinc", np.sinc, ("signed", 0.05, 2.5)),
])


@pytest.mark.parametrize("shape", [(), (5,), (3, 4), (2, 3, 4)], ids=str)
@pytest.mark.parametrize("name, fn, domain", UNARY, ids=[c[0] for c in UNARY])
def test_unary_elementwise(name, fn, domain, shape):
    x = sample(shape, domain, seed=len(shape))
    g = check_rule(unary(fn), x)
    assert np.shape(g) == np.shape(x)


@pytest.mark.parametrize("name, fn, domain", UNARY, ids=[c[0] for c in UNARY])
def test_unary_elementwise_of_python_float(name, fn, domain):
    x = sample("float", domain, seed=3)
    g = check_rule(unary(fn), x)
    assert type(g) is float


def spelled_exp(x):
    return np.sum(np.exp(x) * np.sin(x) + np.tanh(x) / np.sqrt(x))


def test_rules_apply_to_directly_spelled_numpy_calls():
    x = np.array([0.3, 0.9, 2.0])
    expected = (np.exp(x) * np.sin(x) + np.exp(x) * np.cos(x) + (1 - np.tanh(x) ** 2)
                / np.sqrt(x) - 0.5 * np.tanh(x) * x ** -1.5)
    np.testing.assert_allclose(adtrans.grad(spelled_exp)(x), expected, rtol=1e-12)


@exercises("np.sinc")
def test_sinc_at_zero_has_derivative_zero():
    g = adtrans.grad(lambda_free_sinc)(np.array([0.0, 0.5, 1.0]))
    np.testing.assert_allclose(g, [0.0, -4 / np.pi, -1.0], atol=1e-12)


def lambda_free_sinc(x):
    return np.sum(np.sinc(x))


MATH_UNARY = table([
    ("math.exp", math.exp, (-2, 2)),
    ("math.expm1", math.expm1, (-2, 2)),
    ("math.log2", math.log2, (0.2, 3)),
    ("math.log10", math.log10, (0.2, 3)),
    ("math.log1p", math.log1p, (-0.5, 2)),
    ("math.sin", math.sin, (-3, 3)),
    ("math.cos", math.cos, (-3, 3)),
    ("math.tan", math.tan, (-1.2, 1.2)),
    ("math.asin", math.asin, (-0.9, 0.9)),
    ("math.acos", math.acos, (-0.9, 0.9)),
    ("math.atan", math.atan, (-3, 3)),
    ("math.sinh", math.sinh, (-2, 2)),
    ("math.cosh", math.cosh, (-2, 2)),
    ("math.tanh", math.tanh, (-2, 2)),
    ("math.asinh", math.asinh, (-3, 3)),
    ("math.acosh", math.acosh, (1.1, 3)),
    ("math.atanh", math.atanh, (-0.9, 0.9)),
    ("math.sqrt", math.sqrt, (0.1, 3)),
    ("math.fabs", math.fabs, ("signed", 0.1, 3)),
    ("math.degrees", math.degrees, (-3, 3)),
    ("math.radians", math.radians, (-90, 90)),
    ("math.erf", math.erf, (-2, 2)),
    ("float", float, (-3, 3)),
    ("np.float64", np.float64, (-3, 3)),
])


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("name, fn, domain", MATH_UNARY, ids=[c[0] for c in MATH_UNARY])
def test_scalar_functions(name, fn, domain, seed):
    x = sample("float", domain, seed)
    g = check_rule(unary(fn), x)
    assert type(g) is float
    g0 = check_rule(unary(fn), np.float64(x))        # a NumPy scalar gets a NumPy scalar
    assert isinstance(g0, np.float64) and g0 == pytest.approx(g, rel=1e-12)


def math_erf_chain(x):
    return math.erf(x) * math.exp(x)


@exercises("math.erf", "math.exp")
def test_math_erf_exact():
    x = 0.4
    expected = 2 / math.sqrt(math.pi) * math.exp(-x * x) * math.exp(x) + math.erf(x) * math.exp(x)
    assert adtrans.grad(math_erf_chain)(x) == pytest.approx(expected, rel=1e-14)


def to_float32(x):
    return np.float32(x) * 2.0


@exercises("np.float32")
def test_float32_constructor():
    g = adtrans.grad(to_float32)(1.5)
    assert type(g) is float and g == 2.0
    g = adtrans.grad(to_float32)(np.float64(1.5))
    assert isinstance(g, np.float64) and g == 2.0


def float_of_array(x):
    return float(np.sum(x)) ** 2


@exercises("float")
def test_float_of_a_reduction():
    np.testing.assert_allclose(adtrans.grad(float_of_array)(np.array([1.0, 2.0])), [6.0, 6.0])


# ===================================================================== elementwise, binary
BROADCASTS = [
    ((3, 4), (3, 4)),
    ((), (3, 4)),
    ((3, 4), ()),
    ((3, 1), (1, 4)),
    ((4,), (3, 4)),
    ((3, 4), (4,)),
    ((2, 1, 4), (3, 1)),
    ("float", (3, 4)),
    ((3, 4), "float"),
    ("float", "float"),
]

BINARY = table([
    ("np.add", np.add, (-2, 2), (-2, 2)),
    ("operator.add", operator.add, (-2, 2), (-2, 2)),
    ("np.subtract", np.subtract, (-2, 2), (-2, 2)),
    ("operator.sub", operator.sub, (-2, 2), (-2, 2)),
    ("np.multiply", np.multiply, (-2, 2), (-2, 2)),
    ("operator.mul", operator.mul, (-2, 2), (-2, 2)),
    ("np.divide", np.divide, (-2, 2), ("signed", 0.3, 2)),
    ("operator.truediv", operator.truediv, (-2, 2), ("signed", 0.3, 2)),
    ("np.power", np.power, (0.3, 2), (-1.5, 2.5)),
    ("np.float_power", np.float_power, (0.3, 2), (-1.5, 2.5)),
    ("operator.pow", operator.pow, (0.3, 2), (-1.5, 2.5)),
    ("pow", pow, (0.3, 2), (-1.5, 2.5)),
    # x / y stays in (1.1, 1.9): away from the jumps of x mod y.
    ("np.remainder", np.mod, (2.2, 2.8), (1.45, 2.0)),
    ("np.remainder", np.remainder, (2.2, 2.8), (1.45, 2.0)),
    ("operator.mod", operator.mod, (2.2, 2.8), (1.45, 2.0)),
    ("np.maximum", np.maximum, (-2, 2), (-2, 2)),
    ("np.minimum", np.minimum, (-2, 2), (-2, 2)),
    ("np.fmax", np.fmax, (-2, 2), (-2, 2)),
    ("np.fmin", np.fmin, (-2, 2), (-2, 2)),
    ("np.arctan2", np.arctan2, (-2, 2), ("signed", 0.3, 2)),
    ("np.hypot", np.hypot, ("signed", 0.3, 2), ("signed", 0.3, 2)),
    ("np.logaddexp", np.logaddexp, (-3, 3), (-3, 3)),
    ("np.logaddexp2", np.logaddexp2, (-3, 3), (-3, 3)),
])


@pytest.mark.parametrize("xshape, yshape", BROADCASTS, ids=str)
@pytest.mark.parametrize("name, fn, xdomain, ydomain", BINARY, ids=[c[0] for c in BINARY])
def test_binary_elementwise_with_broadcasting(name, fn, xdomain, ydomain, xshape, yshape):
    x = sample(xshape, xdomain, seed=1)
    y = sample(yshape, ydomain, seed=2)
    if name in ("np.maximum", "np.minimum", "np.fmax", "np.fmin"):
        assert np.min(np.abs(np.subtract(*np.broadcast_arrays(x, y)))) > 1e-3  # no ties
    gx, gy = check_rule(binary(fn), x, y, wrt=(0, 1))
    assert_gradient_type(gx, x)
    assert_gradient_type(gy, y)


def op_add(x, y):
    return x + y


def op_sub(x, y):
    return x - y


def op_mul(x, y):
    return x * y


def op_div(x, y):
    return x / y


def op_pow(x, y):
    return x ** y


def op_mod(x, y):
    return x % y


OPERATORS = table([
    ("operator Add", op_add, (-2, 2), (-2, 2)),
    ("operator Sub", op_sub, (-2, 2), (-2, 2)),
    ("operator Mult", op_mul, (-2, 2), (-2, 2)),
    ("operator Div", op_div, (-2, 2), ("signed", 0.3, 2)),
    ("operator Pow", op_pow, (0.3, 2), (-1.5, 2.5)),
    ("operator Mod", op_mod, (2.2, 2.8), (1.45, 2.0)),
])


@pytest.mark.parametrize("xshape, yshape", BROADCASTS, ids=str)
@pytest.mark.parametrize("name, f, xdomain, ydomain", OPERATORS, ids=[c[0] for c in OPERATORS])
def test_operators_with_broadcasting(name, f, xdomain, ydomain, xshape, yshape):
    x = sample(xshape, xdomain, seed=3)
    y = sample(yshape, ydomain, seed=4)
    gx, gy = check_rule(f, x, y, wrt=(0, 1))
    assert_gradient_type(gx, x)
    assert_gradient_type(gy, y)


def op_neg(x):
    return -x


def op_pos(x):
    return +x


def op_neg_pos_chain(x):
    return np.sum(-(+x) * x)


@exercises("operator USub", "operator UAdd")
@pytest.mark.parametrize("shape", [(), (4,), (2, 3)], ids=str)
def test_unary_operators(shape):
    x = sample(shape, (-2, 2))
    check_rule(op_neg, x)
    check_rule(op_pos, x)
    np.testing.assert_array_equal(vjp_ones(op_neg, x), -np.ones(shape))
    np.testing.assert_array_equal(vjp_ones(op_pos, x), np.ones(shape))
    np.testing.assert_allclose(check_rule(op_neg_pos_chain, x), -2 * x)


def with_constants(x):
    return np.sum(2.0 * x + x / 4.0 - 3 ** x + x ** 2 - 1 / x + 5.0 % x)


def test_operators_with_literal_constants():
    x = np.array([2.2, 3.5, 4.5])
    expected = 2.0 + 0.25 - 3 ** x * np.log(3) + 2 * x + 1 / x ** 2 - np.floor(5.0 / x)
    np.testing.assert_allclose(check_rule(with_constants, x), expected, rtol=1e-12)


MOD_CASES = [
    (np.array([5.3, -2.7, 7.1, -7.1]), np.array([2.0, 2.0, -3.0, -3.0])),
    (np.array([5.3, -2.7]), 1.5),
    (4.3, np.array([1.5, -2.5])),
]


@exercises("operator Mod", "np.remainder")
@pytest.mark.parametrize("x, y", MOD_CASES, ids=range(len(MOD_CASES)))
def test_mod_with_negative_operands(x, y):
    check_rule(op_mod, x, y, wrt=(0, 1))
    gx, gy = vjp_ones(op_mod, x, y, wrt=(0, 1))
    np.testing.assert_allclose(gx, np.broadcast_to(1.0, np.shape(x)) if np.ndim(x)
                               else np.size(np.broadcast_arrays(x, y)[0]))
    np.testing.assert_allclose(gy, -np.floor_divide(x, y) if np.ndim(y) else
                               -np.sum(np.floor_divide(x, y)))
    check_rule(binary(np.mod), x, y, wrt=(0, 1))


def power_fn(x, y):
    return np.sum(x ** y)


def test_power_at_zero_base():
    # d/dy 0 ** y is 0 (not nan from log 0); d/dx 0 ** 2 is 0.
    gx, gy = adtrans.grad(power_fn, wrt=(0, 1))(np.array([0.0, 2.0]), np.array([2.0, 3.0]))
    np.testing.assert_allclose(gx, [0.0, 12.0])
    np.testing.assert_allclose(gy, [0.0, 8.0 * np.log(2.0)])


def polynomial(x, c):
    s = 0.0
    for k in range(3):
        s = s + c[k] * x ** k
    return np.sum(s)


def power_of_array_exponent(x, k):
    return np.sum(x ** k)


def test_zero_to_the_power_zero_has_derivative_zero():
    # Regression: the base cotangent y * x ** (y - 1) was 0 * 0 ** -1: nan for arrays and
    # ZeroDivisionError for Python floats, e.g. in a polynomial evaluated at 0.
    c = np.array([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(adtrans.grad(polynomial)(np.array([0.0, 1.0]), c), [2.0, 8.0])
    g = adtrans.grad(polynomial)(0.0, c)
    assert type(g) is float and g == 2.0
    g = adtrans.grad(polynomial)(np.float32(0.0), c)
    assert isinstance(g, np.float32) and g == 2.0
    np.testing.assert_array_equal(adtrans.grad(polynomial)(np.array([0, 1]), c), [2.0, 8.0])
    g = adtrans.grad(power_of_array_exponent, wrt=(0, 1))(np.array([0.0, 0.0, 2.0]),
                                                          np.array([0.0, 1.0, 0.0]))
    np.testing.assert_array_equal(g[0], [0.0, 1.0, 0.0])
    np.testing.assert_array_equal(g[1], [0.0, 0.0, np.log(2.0)])
    assert adtrans.grad(power_of_array_exponent)(2, -1) == -0.25
    check_rule(polynomial, np.array([0.5, -1.5]), c, wrt=(0, 1))


def cube(x):
    return x ** 3


@exercises("operator Pow")
def test_power_of_negative_base_with_integer_exponent():
    assert adtrans.grad(cube)(-2.0) == 12.0
    assert adtrans.grad(cube)(0.0) == 0.0
    check_rule(cube, np.array([-2.0, -0.5, 1.5]))
    np.testing.assert_allclose(vjp_ones(cube, np.array([-2.0, -0.5, 1.5])),
                               3 * np.array([-2.0, -0.5, 1.5]) ** 2)


def builtin_pow_int(x):
    return pow(x, 2) + operator.pow(x, 3)


@exercises("pow", "operator.pow")
def test_builtin_and_operator_pow_with_constant_exponents():
    assert adtrans.grad(builtin_pow_int)(1.5) == pytest.approx(2 * 1.5 + 3 * 1.5 ** 2)


MATH_BINARY = table([
    ("math.pow", math.pow, (0.3, 2), (-1.5, 2.5)),
    ("math.atan2", math.atan2, (-2, 2), ("signed", 0.3, 2)),
])


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("name, fn, xdomain, ydomain", MATH_BINARY,
                         ids=[c[0] for c in MATH_BINARY])
def test_math_binary(name, fn, xdomain, ydomain, seed):
    x, y = sample("float", xdomain, seed), sample("float", ydomain, seed + 10)
    gx, gy = check_rule(binary(fn), x, y, wrt=(0, 1))
    assert type(gx) is float and type(gy) is float


# ===================================================================== ties and kinks
def maximum_sum(x, y):
    return np.sum(np.maximum(x, y))


def minimum_sum(x, y):
    return np.sum(np.minimum(x, y))


def fmax_sum(x, y):
    return np.sum(np.fmax(x, y))


def fmin_sum(x, y):
    return np.sum(np.fmin(x, y))


@exercises("np.maximum", "np.fmax", "np.minimum", "np.fmin")
@pytest.mark.parametrize("f, is_max", [(maximum_sum, True), (fmax_sum, True),
                                       (minimum_sum, False), (fmin_sum, False)],
                         ids=["maximum", "fmax", "minimum", "fmin"])
def test_maximum_minimum_split_ties_equally(f, is_max):
    x = np.array([1.0, 2.0, 3.0])
    y = np.array([1.0, 3.0, 2.0])
    gx, gy = adtrans.grad(f, wrt=(0, 1))(x, y)
    if is_max:
        np.testing.assert_array_equal(gx, [0.5, 0.0, 1.0])
        np.testing.assert_array_equal(gy, [0.5, 1.0, 0.0])
    else:
        np.testing.assert_array_equal(gx, [0.5, 1.0, 0.0])
        np.testing.assert_array_equal(gy, [0.5, 0.0, 1.0])


def test_maximum_tie_with_broadcast_python_float():
    gx, gy = adtrans.grad(maximum_sum, wrt=(0, 1))(np.array([1.0, 2.0, 3.0]), 2.0)
    np.testing.assert_array_equal(gx, [0.0, 0.5, 1.0])
    assert type(gy) is float and gy == 1.5
    gx, gy = adtrans.grad(maximum_sum, wrt=(0, 1))(np.array([[1.0], [2.0]]),
                                                     np.array([[2.0, 1.0, 2.0]]))
    np.testing.assert_array_equal(gx, [[0.5], [2.0]])
    np.testing.assert_array_equal(gy, [[1.5, 0.5, 1.5]])


def relu_sum(x):
    return np.sum(np.maximum(x, 0.0))


def test_relu_at_zero_is_one_half():
    np.testing.assert_array_equal(adtrans.grad(relu_sum)(np.array([-1.0, 0.0, 2.0])),
                                  [0.0, 0.5, 1.0])


def max_all(x):
    return np.max(x)


def min_all(x):
    return np.min(x)


def max_axis0(x):
    return np.max(x, axis=0)


def max_axis1_method(x):
    return x.max(axis=1)


def max_axis1_keepdims(x):
    return np.amax(x, axis=1, keepdims=True)


def min_axis0_method(x):
    return x.min(0)


def min_axis_m1(x):
    return np.amin(x, axis=-1)


TIES = np.array([[1.0, 3.0, 3.0],
                 [3.0, 0.0, 3.0]])


@exercises("np.max", "np.min", "np.amax", "np.amin", "ndarray.max()", "ndarray.min()")
@pytest.mark.parametrize("f, x, cotangent, expected", [
    (max_all, TIES, 1.0, [[0, 0.25, 0.25], [0.25, 0, 0.25]]),
    (max_all, np.full((2, 2), 5.0), 1.0, np.full((2, 2), 0.25)),
    (min_all, TIES, 1.0, [[0, 0, 0], [0, 1, 0]]),
    (min_all, -TIES, 2.0, [[0, 0.5, 0.5], [0.5, 0, 0.5]]),
    (max_all, np.array([[1.0, 3.0, 3.0], [2.0, 0.0, 3.0]]), 3.0, [[0, 1, 1], [0, 0, 1]]),
    (max_axis0, TIES, np.array([1.0, 2.0, 4.0]), [[0, 2, 2], [1, 0, 2]]),
    (max_axis1_method, TIES, np.array([1.0, 2.0]), [[0, 0.5, 0.5], [1, 0, 1]]),
    (max_axis1_keepdims, TIES, np.array([[1.0], [2.0]]), [[0, 0.5, 0.5], [1, 0, 1]]),
    (min_axis0_method, -TIES, np.array([1.0, 2.0, 4.0]), [[0, 2, 2], [1, 0, 2]]),
    (min_axis_m1, np.array([[2.0, 2.0, 2.0], [1.0, 5.0, 1.0]]), np.array([3.0, 1.0]),
     [[1, 1, 1], [0.5, 0, 0.5]]),
], ids=["max", "max-all-equal", "min", "min-3-ties", "max-3-ties", "max-axis0", "max-method-axis1",
        "amax-keepdims", "min-method-axis0", "amin-axis-1"])
def test_max_min_reductions_split_among_ties(f, x, cotangent, expected):
    _, pullback = adtrans.vjp(f, x)
    np.testing.assert_allclose(pullback(cotangent), expected, rtol=1e-15)


def abs_sum(x):
    return np.sum(np.abs(x))


def test_abs_at_zero_is_zero():
    np.testing.assert_array_equal(adtrans.grad(abs_sum)(np.array([-1.0, 0.0, 2.0])),
                                  [-1.0, 0.0, 1.0])


# ===================================================================== where, clip
def where_fn(c, x, y):
    return np.where(c, x, y)


def where_scalar_branch(x, c):
    return np.sum(np.where(c, x, 0.0) ** 2)


def where_scalar_first(y, c):
    return np.sum(np.where(c, 1.0, y) * y)


def where_broadcast_intermediate(x, c):
    h = np.dot(np.arange(20.0).reshape(4, 5), x)     # shape (4,), broadcast by c (3, 4)
    return np.sum(np.where(c, h, 0.0))


def where_on_data(x):
    return np.sum(np.where(x > 0, x, 0.1 * x) ** 2)


COND = np.array([[True, False, True, False], [False, False, True, True],
                 [True, True, False, False]])


@exercises("np.where")
@pytest.mark.parametrize("xshape, yshape", [((3, 4), (3, 4)), ((4,), (3, 1)), ((), (3, 4)),
                                            ((1, 4), ()), ("float", (4,))], ids=str)
def test_where_with_broadcasting(xshape, yshape):
    x, y = sample(xshape, (-2, 2), 1), sample(yshape, (-2, 2), 2)
    gx, gy = check_rule(lambda_free_where(COND), x, y, wrt=(0, 1))
    assert_gradient_type(gx, x)
    assert_gradient_type(gy, y)


def lambda_free_where(c):
    def f(x, y):
        return np.where(c, x, y)
    return f


def test_where_exact_values():
    _, pullback = adtrans.vjp(where_fn, COND, np.ones(4), np.ones((3, 1)), wrt=(1, 2))
    gx, gy = pullback(np.arange(12.0).reshape(3, 4))
    g = np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(gx, np.sum(np.where(COND, g, 0), axis=0))
    np.testing.assert_array_equal(gy, np.sum(np.where(COND, 0, g), axis=1, keepdims=True))


def test_where_with_python_number_branch():
    x = np.array([1.0, 2.0, 3.0, 4.0])
    np.testing.assert_array_equal(adtrans.grad(where_scalar_branch)(x, COND),
                                  2 * x * COND.sum(axis=0))
    check_rule(where_scalar_first, np.array([0.5, -1.0, 2.0, 3.0]), COND)


def test_where_python_number_branch_with_broadcast_condition():
    # The condition broadcasts h from (4,) to (3, 4); the cotangent must be summed back.
    x = np.linspace(-1, 1, 5)
    g = check_rule(where_broadcast_intermediate, x, COND)
    np.testing.assert_allclose(g, COND.sum(axis=0) @ np.arange(20.0).reshape(4, 5))


def test_where_condition_on_the_input():
    x = np.array([-2.0, -0.5, 0.5, 2.0])
    np.testing.assert_allclose(check_rule(where_on_data, x),
                               np.where(x > 0, 2 * x, 0.02 * x))


def clip_scalars(x):
    return np.clip(x, -0.5, 0.5) ** 2


def clip_none(x):
    return np.clip(x, None, 0.5) * x


def clip_arrays(x, lo, hi):
    return np.clip(x, lo, hi) ** 2


def clip_method(x):
    return x.clip(-0.5, 0.5) * 3.0


def clip_method_keyword(x):
    return x.clip(max=0.25) * 3.0


def clip_number_and_array(x, hi):
    return np.clip(x, 0.0, hi)


CLIP_X = np.array([-1.3, -0.7, -0.2, 0.1, 0.4, 0.9, 1.6])


@exercises("np.clip")
def test_clip_with_scalar_bounds():
    check_rule(clip_scalars, CLIP_X)
    np.testing.assert_allclose(vjp_ones(clip_scalars, CLIP_X),
                               np.where(np.abs(CLIP_X) < 0.5, 2 * CLIP_X, 0.0))
    check_rule(clip_none, CLIP_X)
    np.testing.assert_allclose(vjp_ones(clip_none, CLIP_X),
                               np.where(CLIP_X < 0.5, 2 * CLIP_X, 0.5))


@exercises("ndarray.clip()")
def test_clip_method():
    check_rule(clip_method, CLIP_X)
    check_rule(clip_method_keyword, CLIP_X)
    np.testing.assert_array_equal(vjp_ones(clip_method, CLIP_X),
                                  np.where(np.abs(CLIP_X) < 0.5, 3.0, 0.0))
    np.testing.assert_array_equal(vjp_ones(clip_method_keyword, CLIP_X),
                                  np.where(CLIP_X < 0.25, 3.0, 0.0))


@exercises("np.clip")
def test_clip_with_array_bounds_is_differentiable_in_every_argument():
    x = np.array([-1.3, -0.2, 0.4, 1.6])
    lo = np.array([[-0.5], [0.0], [-2.0]])                 # broadcasts against x
    hi = 0.3
    gx, glo, ghi = check_rule(clip_arrays, x, lo, hi, wrt=(0, 1, 2))
    assert gx.shape == (4,) and glo.shape == (3, 1) and type(ghi) is float
    gx, glo, ghi = vjp_ones(clip_arrays, x, lo, hi, wrt=(0, 1, 2))
    ans = np.clip(x, lo, hi)
    np.testing.assert_allclose(glo, np.sum(np.where(x < lo, 2 * ans, 0), axis=1,
                                           keepdims=True))


def test_clip_with_a_number_and_a_broadcasting_array_bound():
    x = np.array([-0.5, 0.2, 0.8])
    hi = np.array([[0.5], [0.1]])
    check_rule(clip_number_and_array, x, hi, wrt=(0, 1))
    gx, ghi = vjp_ones(clip_number_and_array, x, hi, wrt=(0, 1))
    np.testing.assert_array_equal(gx, [0.0, 1.0, 0.0])
    np.testing.assert_array_equal(ghi, [[1.0], [2.0]])


def clip_sum_for_ties(x):
    return np.sum(np.clip(x, -0.5, 0.5))


def clip_bounds_for_ties(x, lo, hi):
    return np.sum(np.clip(x, lo, hi))


def clip_to_own_max(x):
    return np.sum(np.clip(x, x - 1.0, np.max(x)))


def test_clip_exactly_at_a_bound_splits_like_maximum():
    # clip(x, lo, hi) = minimum(maximum(x, lo), hi), each tie shared equally.
    g = adtrans.grad(clip_sum_for_ties)(np.array([-0.5, 0.0, 0.5, 0.7]))
    np.testing.assert_array_equal(g, [0.5, 1.0, 0.5, 0.0])
    gx, glo, ghi = adtrans.grad(clip_bounds_for_ties, wrt=(0, 1, 2))(
        np.array([-0.5, 0.0, 0.5, 0.7, -1.0]), -0.5, 0.5)
    np.testing.assert_array_equal(gx, [0.5, 1.0, 0.5, 0.0, 0.0])
    assert (glo, ghi) == (1.5, 1.5)
    gx, glo, ghi = adtrans.grad(clip_bounds_for_ties, wrt=(0, 1, 2))(0.5, 0.5, 0.5)
    assert (gx, glo, ghi) == (0.25, 0.25, 0.5)
    gx, glo, ghi = adtrans.grad(clip_bounds_for_ties, wrt=(0, 1, 2))(0.0, 1.0, -1.0)
    assert (gx, glo, ghi) == (0.0, 0.0, 1.0)          # a_min > a_max: the result is a_max


def test_clip_to_a_bound_that_moves_with_x():
    # Regression: x[2] equals its own bound max(x); with no share for either the
    # gradient lost the path through the bound.
    x = np.array([0.3, 0.9, 1.7])
    np.testing.assert_allclose(check_rule(clip_to_own_max, x), [1.0, 1.0, 1.0])


# ===================================================================== reductions
def reduction(fn, axis, keepdims):
    def f(x):
        return fn(x, axis=axis, keepdims=keepdims)
    return f


REDUCTIONS = table([
    ("np.sum", np.sum),
    ("np.mean", np.mean),
    ("np.max", np.max),
    ("np.amax", np.amax),
    ("np.min", np.min),
    ("np.amin", np.amin),
    ("np.prod", np.prod),
    ("np.var", np.var),
    ("np.std", np.std),
    ("np.linalg.norm", np.linalg.norm),
])
AXES = [None, 0, 1, -1, (0, 1), (0, -1), (-1, 0)]


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 4)], ids=str)
@pytest.mark.parametrize("name, fn", REDUCTIONS, ids=[c[0] for c in REDUCTIONS])
def test_reductions_axis_and_keepdims(name, fn, shape, axis, keepdims):
    x = sample(shape, ("signed", 0.5, 1.5), seed=len(shape))   # no ties, no zeros
    g = check_rule(reduction(fn, axis, keepdims), x)
    assert g.shape == shape


@pytest.mark.parametrize("name, fn", REDUCTIONS, ids=[c[0] for c in REDUCTIONS])
def test_reductions_of_vectors_and_0d(name, fn):
    check_rule(unary(fn), sample((5,), ("signed", 0.5, 1.5)))
    if name != "np.linalg.norm":
        g = check_rule(unary(fn), np.array(0.7))
        assert g.shape == ()


def sum_axis0(x):
    return np.sum(x, axis=0)


def sum_positional_axis(x):
    return np.sum(x, 1)


def sum_negative_axis_keepdims(x):
    return np.sum(x, axis=-1, keepdims=True)


def sum_tuple_axes(x):
    return np.sum(x, axis=(0, 2))


def mean_tuple_keepdims(x):
    return np.mean(x, axis=(0, 2), keepdims=True)


def mean_positional(x):
    return np.mean(x, 0)


def method_sum_axis0(x):
    return x.sum(axis=0)


def method_sum_positional(x):
    return x.sum(1)


def method_sum_all(x):
    return x.sum()


def method_mean(x):
    return x.mean()


def method_mean_tuple_keepdims(x):
    return x.mean(axis=(0, 1), keepdims=True)


def method_max(x):
    return x.max()


def method_min_axis(x):
    return x.min(axis=-1)


def method_prod(x):
    return x.prod(axis=1)


def method_var_ddof(x):
    return x.var(ddof=1)


def method_std_axis(x):
    return x.std(axis=-1, keepdims=True)


def var_ddof_axis(x):
    return np.var(x, axis=1, ddof=1)


def std_ddof(x):
    return np.std(x, ddof=1)


def chained_methods(x):
    return x.sum(axis=0).mean()


def norm_axis(x):
    return np.linalg.norm(x, axis=1)


def norm_ord2_vector(x):
    return np.linalg.norm(x[0, 0], 2)


def norm_fro(x):
    return np.linalg.norm(x[0], "fro")


def norm_keywords(x):
    return np.linalg.norm(x, ord=None, axis=(1, 2), keepdims=True)


REDUCTION_SPELLINGS = table([
    ("np.sum", sum_axis0), ("np.sum", sum_positional_axis),
    ("np.sum", sum_negative_axis_keepdims), ("np.sum", sum_tuple_axes),
    ("np.mean", mean_tuple_keepdims), ("np.mean", mean_positional),
    ("ndarray.sum()", method_sum_axis0), ("ndarray.sum()", method_sum_positional),
    ("ndarray.sum()", method_sum_all), ("ndarray.mean()", method_mean),
    ("ndarray.mean()", method_mean_tuple_keepdims), ("ndarray.max()", method_max),
    ("ndarray.min()", method_min_axis), ("ndarray.prod()", method_prod),
    ("ndarray.var()", method_var_ddof), ("ndarray.std()", method_std_axis),
    ("np.var", var_ddof_axis), ("np.std", std_ddof), ("ndarray.sum()", chained_methods),
    ("np.linalg.norm", norm_axis), ("np.linalg.norm", norm_ord2_vector),
    ("np.linalg.norm", norm_fro), ("np.linalg.norm", norm_keywords),
])


@pytest.mark.parametrize("name, f", REDUCTION_SPELLINGS,
                         ids=[f.__name__ for _, f in REDUCTION_SPELLINGS])
def test_reduction_spellings(name, f):
    x = sample((2, 3, 4), ("signed", 0.5, 1.5), seed=7)
    assert check_rule(f, x).shape == (2, 3, 4)


def prod_all(x):
    return np.prod(x)


def prod_axis1(x):
    return np.prod(x, axis=1)


@exercises("np.prod")
def test_prod_with_zeros_is_exact():
    np.testing.assert_array_equal(adtrans.grad(prod_all)(np.array([2.0, 0.0, 3.0])),
                                  [0.0, 6.0, 0.0])
    np.testing.assert_array_equal(adtrans.grad(prod_all)(np.array([2.0, 0.0, 0.0])),
                                  [0.0, 0.0, 0.0])
    x = np.array([[2.0, 0.0, 5.0], [1.0, 3.0, 4.0]])
    _, pullback = adtrans.vjp(prod_axis1, x)
    np.testing.assert_array_equal(pullback(np.array([1.0, 10.0])),
                                  [[0.0, 10.0, 0.0], [120.0, 40.0, 30.0]])


def std_all(x):
    return np.std(x)


def norm_all(x):
    return np.linalg.norm(x)


def test_std_and_norm_at_zero_give_zero():
    np.testing.assert_array_equal(adtrans.grad(std_all)(np.full(4, 2.5)), np.zeros(4))
    np.testing.assert_array_equal(adtrans.grad(norm_all)(np.zeros(3)), np.zeros(3))
    np.testing.assert_allclose(vjp_ones(norm_axis, np.array([[[0.0, 3.0], [0.0, 4.0]]])),
                               [[[0.0, 0.6], [0.0, 0.8]]])


def norm_ord1(x):
    return np.linalg.norm(x, 1)


def spectral_norm(x):
    return np.linalg.norm(x, 2, axis=(0, 1))


def spectral_norm_default_axes(x):
    return np.linalg.norm(x, ord=2)


def vector_2_norms(x):
    return np.linalg.norm(x, 2, axis=1)


def test_norm_orders_that_were_once_wrong():
    # These orders have rules now (tests/test_rules_linalg.py).  Regression: the matrix
    # 2-norm (the largest singular value) once got the Frobenius norm's gradient.
    check_rule(norm_ord1, np.array([0.5, -1.0, 2.0]))
    for f in (spectral_norm, spectral_norm_default_axes):
        check_rule(f, sample((3, 4), (-1, 1)))
    x = sample((3, 4), (-1, 1))
    check_rule(vector_2_norms, x)
    np.testing.assert_allclose(vjp_ones(vector_2_norms, x),
                               x / np.linalg.norm(x, axis=1, keepdims=True), rtol=1e-14)


def cumsum_closure(axis):
    def f(x):
        return np.cumsum(x, axis=axis)
    return f


def cumsum_method(x):
    return x.cumsum(axis=1)


def cumsum_all(x):
    return np.cumsum(x)


@exercises("np.cumsum")
@pytest.mark.parametrize("shape, axis", [
    (shape, axis) for shape in [(5,), (3, 4), (2, 3, 4)] for axis in [None, 0, 1, -1]
    if axis is None or axis < len(shape)])
def test_cumsum(shape, axis):
    check_rule(cumsum_closure(axis), sample(shape, (-1, 1)))


@exercises("ndarray.cumsum()")
def test_cumsum_method_and_exact_values():
    check_rule(cumsum_method, sample((3, 4), (-1, 1)))
    _, pullback = adtrans.vjp(cumsum_all, np.ones((2, 2)))
    np.testing.assert_array_equal(pullback(np.array([1.0, 2.0, 3.0, 4.0])),
                                  [[10.0, 9.0], [7.0, 4.0]])


def trace_default(x):
    return np.trace(x)


def trace_offset(x):
    return np.trace(x, 1)


def trace_negative_offset(x):
    return np.trace(x, offset=-1)


def trace_axes(x):
    return np.trace(x, axis1=1, axis2=2)


def trace_method(x):
    return x.trace()


@exercises("np.trace", "ndarray.trace()")
@pytest.mark.parametrize("f", [trace_default, trace_offset, trace_negative_offset, trace_method])
@pytest.mark.parametrize("shape", [(3, 3), (3, 5), (4, 2), (3, 4, 2)], ids=str)
def test_trace(f, shape):
    assert check_rule(f, sample(shape, (-1, 1))).shape == shape


def test_trace_exact_and_over_other_axes():
    np.testing.assert_array_equal(adtrans.grad(trace_default)(np.ones((2, 3))),
                                  [[1, 0, 0], [0, 1, 0]])
    check_rule(trace_axes, sample((2, 3, 3), (-1, 1)))


# ===================================================================== linear algebra
def matmul_fn(x, y):
    return np.matmul(x, y)


def matmul_op(x, y):
    return x @ y


def matmul_operator(x, y):
    return operator.matmul(x, y)


def dot_fn(x, y):
    return np.dot(x, y)


def dot_method(x, y):
    return x.dot(y)


MATMUL_SHAPES = [
    ((3, 4), (4, 5)),
    ((3,), (3, 4)),      # 1-D @ 2-D
    ((3, 4), (4,)),      # 2-D @ 1-D
    ((3,), (3,)),        # 1-D @ 1-D
    ((2, 3, 4), (4, 5)),  # batched 3-D @ 2-D
    ((4, 5), (2, 5, 3)),
    ((2, 3, 4), (2, 4, 5)),
    ((1, 3, 4), (2, 4, 5)),
    ((2, 3, 4), (4,)),
    ((4,), (2, 4, 3)),
]


@pytest.mark.parametrize("xshape, yshape", MATMUL_SHAPES, ids=str)
@pytest.mark.parametrize("name, f", table([("np.matmul", matmul_fn),
                                           ("operator MatMult", matmul_op),
                                           ("operator.matmul", matmul_operator)]),
                         ids=["np.matmul", "@", "operator.matmul"])
def test_matmul(name, f, xshape, yshape):
    x, y = sample(xshape, (-1, 1), 1), sample(yshape, (-1, 1), 2)
    gx, gy = check_rule(f, x, y, wrt=(0, 1))
    assert gx.shape == xshape and gy.shape == yshape


DOT_SHAPES = [
    ((3, 4), (4, 5)),
    ((3,), (3, 4)),
    ((3, 4), (4,)),
    ((3,), (3,)),
    ((2, 3, 4), (4, 5)),
    ((3, 4), (2, 4, 5)),
    ((2, 3, 4), (5, 4, 2)),
    ((2, 3, 4), (4,)),
    ((4,), (2, 4, 3)),
    ((), (3, 4)),
    ((3, 4), ()),
    ((), ()),
]


@exercises("np.dot")
@pytest.mark.parametrize("xshape, yshape", DOT_SHAPES, ids=str)
def test_dot(xshape, yshape):
    x, y = sample(xshape, (-1, 1), 3), sample(yshape, (-1, 1), 4)
    gx, gy = check_rule(dot_fn, x, y, wrt=(0, 1))
    assert np.shape(gx) == xshape and np.shape(gy) == yshape


@exercises("ndarray.dot()")
@pytest.mark.parametrize("xshape, yshape", [s for s in DOT_SHAPES if s[0] != ()], ids=str)
def test_dot_method(xshape, yshape):
    x, y = sample(xshape, (-1, 1), 5), sample(yshape, (-1, 1), 6)
    gx, gy = check_rule(dot_method, x, y, wrt=(0, 1))
    assert np.shape(gx) == xshape and np.shape(gy) == yshape


def dot_with_python_float(x, s):
    return np.sum(np.dot(x, s))


def test_dot_with_python_float():
    gx, gs = check_rule(dot_with_python_float, np.array([1.0, 2.0]), 3.0, wrt=(0, 1))
    np.testing.assert_array_equal(gx, [3.0, 3.0])
    assert type(gs) is float and gs == 3.0


def outer_fn(x, y):
    return np.outer(x, y)


@exercises("np.outer")
@pytest.mark.parametrize("xshape, yshape", [((3,), (4,)), ((2, 3), (4,)), ((3,), (2, 2)),
                                            ((), (3,)), ((2,), ()), ((1,), (1,))], ids=str)
def test_outer(xshape, yshape):
    x, y = sample(xshape, (-1, 1), 7), sample(yshape, (-1, 1), 8)
    gx, gy = check_rule(outer_fn, x, y, wrt=(0, 1))
    assert np.shape(gx) == xshape and np.shape(gy) == yshape


def test_outer_exact():
    _, pullback = adtrans.vjp(outer_fn, np.array([1.0, 2.0]), np.array([3.0, 4.0, 5.0]),
                                wrt=(0, 1))
    gx, gy = pullback(np.ones((2, 3)))
    np.testing.assert_array_equal(gx, [12.0, 12.0])
    np.testing.assert_array_equal(gy, [3.0, 3.0, 3.0])


def well_conditioned(shape, seed=0):
    n = shape[-1]
    return np.eye(n) * 2.0 + 0.3 * rng(seed).standard_normal(shape)


def inv_fn(x):
    return np.linalg.inv(x)


def det_fn(x):
    return np.linalg.det(x)


@exercises("np.linalg.inv", "np.linalg.det")
@pytest.mark.parametrize("shape", [(1, 1), (3, 3), (2, 3, 3)], ids=str)
def test_inv_and_det(shape):
    x = well_conditioned(shape)
    check_rule(inv_fn, x)
    check_rule(det_fn, x)


def test_det_exact():
    x = np.array([[2.0, 1.0], [0.5, 3.0]])
    np.testing.assert_allclose(adtrans.grad(det_fn)(x), [[3.0, -0.5], [-1.0, 2.0]],
                               rtol=1e-14)


# ===================================================================== shape functions
def method_T(x):
    return x.T


def method_reshape_args(x):
    return x.reshape(4, 6)


def method_reshape_tuple(x):
    return x.reshape((6, 4))


def method_reshape_minus_one(x):
    return x.reshape(-1)


def method_reshape_2d(x):
    return x.reshape(2, 12)


def method_transpose(x):
    return x.transpose()


def method_transpose_args(x):
    return x.transpose(2, 0, 1)


def method_transpose_tuple(x):
    return x.transpose((1, 2, 0))


def np_transpose(x):
    return np.transpose(x)


def np_transpose_axes_keyword(x):
    return np.transpose(x, axes=(2, 0, 1))


def method_transpose_negative_axes(x):
    return x.transpose(-1, 0, 1)


def np_transpose_negative_axes(x):
    return np.transpose(x, axes=(0, -1, -2))


def np_reshape_keyword(x):
    return np.reshape(x, shape=(3, 8))


def method_ravel(x):
    return x.ravel()


def method_flatten(x):
    return x.flatten()


def np_ravel(x):
    return np.ravel(x)


def np_squeeze(x):
    return np.squeeze(np.expand_dims(x, 0))


def np_squeeze_axis(x):
    return np.squeeze(np.expand_dims(x, 0), axis=0)


def method_squeeze(x):
    return np.expand_dims(x, 0).squeeze()


def method_squeeze_axis(x):
    return np.expand_dims(x, 0).squeeze(0)


def np_expand_dims(x):
    return np.expand_dims(x, 1)


def np_expand_dims_keyword(x):
    return np.expand_dims(x, axis=-1)


def method_copy(x):
    return x.copy() * x


def method_astype(x):
    return x.astype(np.float64) * x


def np_array(x):
    return np.array(x) * 2.0


def np_array_dtype(x):
    return np.array(x, dtype=float) * x


def np_asarray(x):
    return np.asarray(x) * 2.0


def np_swapaxes(x):
    return np.swapaxes(x, 0, 2)


def method_swapaxes(x):
    return x.swapaxes(1, -1)


def np_moveaxis(x):
    return np.moveaxis(x, 0, -1)


def np_moveaxis_tuples(x):
    return np.moveaxis(x, (0, 1), (2, 0))


def np_flip(x):
    return np.flip(x)


def np_flip_axis(x):
    return np.flip(x, axis=1)


def np_flip_axes(x):
    return np.flip(x, (0, 2))


def np_fliplr(x):
    return np.fliplr(x)


def np_flipud(x):
    return np.flipud(x)


def np_roll(x):
    return np.roll(x, 2)


def np_roll_axis(x):
    return np.roll(x, -1, axis=1)


def np_roll_axes(x):
    return np.roll(x, (1, 2), axis=(0, 2))


def np_broadcast_to(x):
    return np.broadcast_to(x[0], (5, 3, 4))


def np_broadcast_to_ones(x):
    return np.broadcast_to(x[:, :1, :], (2, 3, 4))


def np_atleast_1d(x):
    return np.atleast_1d(x)


def np_atleast_2d(x):
    return np.atleast_2d(x[0, 0])


def np_atleast_3d(x):
    return np.atleast_3d(x[0])


def np_tril(x):
    return np.tril(x)


def np_triu(x):
    return np.triu(x, 1)


def np_tril_negative(x):
    return np.tril(x, k=-1)


def np_diagonal(x):
    return np.diagonal(x)


def np_diagonal_offset_axes(x):
    return np.diagonal(x, 1, 1, 2)


def method_diagonal(x):
    return x.diagonal(-1, axis1=0, axis2=2)


def np_diag_of_matrix(x):
    return np.diag(x[0])


def np_diag_of_matrix_offset(x):
    return np.diag(x[1], k=1)


def np_diag_of_vector(x):
    return np.diag(x[0, 0])


def np_diag_of_vector_offset(x):
    return np.diag(x[1, 2], -2)


SHAPE_FUNCTIONS = table([
    ("ndarray.T", method_T), ("ndarray.reshape()", method_reshape_args),
    ("ndarray.reshape()", method_reshape_tuple), ("ndarray.reshape()", method_reshape_minus_one),
    ("ndarray.reshape()", method_reshape_2d),
    ("ndarray.transpose()", method_transpose), ("ndarray.transpose()", method_transpose_args),
    ("ndarray.transpose()", method_transpose_tuple), ("np.transpose", np_transpose),
    ("np.transpose", np_transpose_axes_keyword), ("np.reshape", np_reshape_keyword),
    ("ndarray.transpose()", method_transpose_negative_axes),
    ("np.transpose", np_transpose_negative_axes),
    ("ndarray.ravel()", method_ravel), ("ndarray.flatten()", method_flatten),
    ("np.ravel", np_ravel), ("np.squeeze", np_squeeze), ("np.squeeze", np_squeeze_axis),
    ("ndarray.squeeze()", method_squeeze), ("ndarray.squeeze()", method_squeeze_axis),
    ("np.expand_dims", np_expand_dims), ("np.expand_dims", np_expand_dims_keyword),
    ("ndarray.copy()", method_copy), ("ndarray.astype()", method_astype),
    ("np.array", np_array), ("np.array", np_array_dtype), ("np.asarray", np_asarray),
    ("np.swapaxes", np_swapaxes), ("ndarray.swapaxes()", method_swapaxes),
    ("np.moveaxis", np_moveaxis), ("np.moveaxis", np_moveaxis_tuples),
    ("np.flip", np_flip), ("np.flip", np_flip_axis), ("np.flip", np_flip_axes),
    ("np.fliplr", np_fliplr), ("np.flipud", np_flipud),
    ("np.roll", np_roll), ("np.roll", np_roll_axis), ("np.roll", np_roll_axes),
    ("np.broadcast_to", np_broadcast_to), ("np.broadcast_to", np_broadcast_to_ones),
    ("np.atleast_1d", np_atleast_1d), ("np.atleast_2d", np_atleast_2d),
    ("np.atleast_3d", np_atleast_3d),
    ("np.tril", np_tril), ("np.triu", np_triu), ("np.tril", np_tril_negative),
    ("np.diagonal", np_diagonal), ("np.diagonal", np_diagonal_offset_axes),
    ("ndarray.diagonal()", method_diagonal),
    ("np.diag", np_diag_of_matrix), ("np.diag", np_diag_of_matrix_offset),
    ("np.diag", np_diag_of_vector), ("np.diag", np_diag_of_vector_offset),
])


@pytest.mark.parametrize("name, f", SHAPE_FUNCTIONS, ids=[f.__name__ for _, f in SHAPE_FUNCTIONS])
def test_shape_functions(name, f):
    x = sample((2, 3, 4), (-1, 1), seed=11)
    assert check_rule(f, x).shape == (2, 3, 4)


def transpose_2d(x):
    return x.T @ np.arange(6.0).reshape(3, 2)


@exercises("ndarray.T")
def test_transpose_with_negative_axes_on_a_cube():
    # Regression: the inverse permutation of (-1, 0, 1) was taken as argsort((-1, 0, 1)), the
    # identity, which on equal axis lengths gives a wrong gradient of the right shape.
    x = sample((3, 3, 3), (-1, 1))
    g = np.arange(27.0).reshape(3, 3, 3)
    _, pullback = adtrans.vjp(method_transpose_negative_axes, x)
    np.testing.assert_array_equal(pullback(g), np.transpose(g, (1, 2, 0)))
    check_rule(method_transpose_negative_axes, x)


def test_T_of_1d_and_2d():
    check_rule(method_T, np.arange(3.0))
    np.testing.assert_array_equal(vjp_ones(method_T, np.arange(3.0)), np.ones(3))
    check_rule(transpose_2d, sample((3, 4), (-1, 1)))


def np_reshape_positional(x):
    return np.reshape(x, (3, 8))


def np_transpose_positional_axes(x):
    return np.transpose(x, (1, 2, 0))


@exercises("np.reshape", "np.transpose")
@pytest.mark.parametrize("f", [np_reshape_positional, np_transpose_positional_axes])
def test_np_reshape_and_transpose_with_positional_shape(f):
    # Regression: normalize.py once packed these like x.reshape(3, 8).
    assert check_rule(f, sample((2, 3, 4), (-1, 1))).shape == (2, 3, 4)


def astype_int_times_x(x):
    return np.sum(x.astype(int) * x)


def array_int_times_x(x):
    return np.sum(np.array(x, dtype=np.int64) * x)


def astype_bool_times_x(x):
    return np.sum(x.astype(bool) * x)


@exercises("ndarray.astype()", "np.array")
def test_cast_to_integers_passes_no_gradient():
    x = np.array([1.5, 2.5, -0.5])
    np.testing.assert_array_equal(adtrans.grad(astype_int_times_x)(x), [1.0, 2.0, 0.0])
    np.testing.assert_array_equal(adtrans.grad(array_int_times_x)(x), [1.0, 2.0, 0.0])
    np.testing.assert_array_equal(adtrans.grad(astype_bool_times_x)(x), [1.0, 1.0, 1.0])


def copies_of_an_integer_input(x):
    y = np.asarray(x)
    return np.sum(np.array(y) * x.copy() + x.astype(float))


def test_copies_of_integer_inputs_pass_the_gradient():
    g = adtrans.grad(copies_of_an_integer_input)(np.array([1, 2, 3]))
    assert g.dtype == np.float64
    np.testing.assert_array_equal(g, [3.0, 5.0, 7.0])


def astype_float32(x):
    return np.sum(x.astype(np.float32) * 3.0)


def test_cast_between_floats_passes_the_gradient():
    g = adtrans.grad(astype_float32)(np.array([1.0, 2.0]))
    assert g.dtype == np.float64
    np.testing.assert_array_equal(g, [3.0, 3.0])


def list_into_array(x, y):
    return np.sum(np.array([x, y * 2.0, 3.0]) ** 2)


def named_list_into_array(x, y):
    v = [x, y * 2.0]
    return np.sum(np.array(v) ** 2)


def test_named_list_into_array():
    gx, gy = check_rule(named_list_into_array, 1.5, 2.5, wrt=(0, 1))
    assert (gx, gy) == (pytest.approx(3.0), pytest.approx(20.0))


def tuple_into_asarray(x, y):
    return np.sum(np.asarray((x, np.sin(y))) * np.array([1.0, 2.0]))


def test_list_literal_into_array():
    # Regression: a list written inside the call once got a silently zero gradient.
    gx, gy = check_rule(list_into_array, 1.5, 2.5, wrt=(0, 1))
    assert (gx, gy) == (pytest.approx(3.0), pytest.approx(20.0))
    gx, gy = check_rule(named_list_into_array, np.array([1.0, 2.0]), np.array([0.5, 0.5]),
                         wrt=(0, 1))
    np.testing.assert_allclose(gx, [2.0, 4.0])
    np.testing.assert_allclose(gy, [4.0, 4.0])


def test_tuple_literal_into_asarray_is_never_silently_wrong():
    try:
        gx, gy = adtrans.grad(tuple_into_asarray, wrt=(0, 1))(1.5, 2.5)
    except AdtransError as exc:               # refusing is acceptable, a wrong value is not
        assert "tuple or list" in str(exc)
        return
    assert (gx, gy) == (1.0, pytest.approx(2 * np.cos(2.5)))


# ===================================================================== dtypes and scalars
def sum_of_squares(x):
    return np.sum(x * x)


def mixed_elementwise(x):
    return np.sum(np.sin(x) * np.exp(-x) + np.abs(x) + x ** 2 / (1.0 + x * x))


def mean_max(x):
    return np.mean(x) + np.max(x) + np.sum(x)


def matmul_self(x):
    return np.sum(np.atleast_2d(x) @ np.atleast_2d(x).T)


INT_INPUTS = [np.array([1, 2, 3]), np.arange(6).reshape(2, 3), np.array([1, -2], np.int32),
              np.array([3, 4], np.int8), np.array(5), np.int64(3), 3, -2]


@pytest.mark.parametrize("f, x", [
    (f, x) for f in [sum_of_squares, mixed_elementwise, mean_max, matmul_self]
    for x in INT_INPUTS if not (f is matmul_self and isinstance(x, int))])  # ints have no .T
def test_integer_inputs_get_float_gradients_of_their_shape(f, x):
    g = adtrans.grad(f)(x)
    assert_gradient_type(g, x)
    expected = check_rule(f, np.asarray(x, dtype=float))
    np.testing.assert_allclose(g, expected, rtol=1e-2 if np.asarray(x).dtype == np.int8
                               else 1e-12)


def test_boolean_inputs_get_float_gradients():
    g = adtrans.grad(sum_of_squares)(np.array([True, False]))
    assert g.dtype == np.float64
    np.testing.assert_array_equal(g, [2.0, 0.0])
    g = adtrans.grad(sum_of_squares)(True)
    assert type(g) is float and g == 2.0


FLOAT32_CASES = [
    (sum_of_squares, lambda x: 2 * x),
    (mixed_elementwise, lambda x: np.cos(x) * np.exp(-x) - np.sin(x) * np.exp(-x)
     + np.sign(x) + 2 * x / (1 + x * x) ** 2),
    (mean_max, None),
    (matmul_self, None),
]


@pytest.mark.parametrize("shape", [(3,), (2, 3), ()], ids=str)
@pytest.mark.parametrize("f, derivative", FLOAT32_CASES, ids=lambda c: getattr(c, "__name__", ""))
def test_float32_inputs_keep_float32_gradients(f, derivative, shape):
    x64 = sample(shape, ("signed", 0.3, 1.5), seed=5)
    x32 = np.asarray(x64, dtype=np.float32)
    g = adtrans.grad(f)(x32)
    assert isinstance(g, np.ndarray) and g.dtype == np.float32 and g.shape == shape
    expected = derivative(x64) if derivative else check_rule(f, x64)
    np.testing.assert_allclose(g, expected, rtol=1e-5, atol=1e-6)


def test_float32_numpy_scalar_keeps_its_type():
    g = adtrans.grad(sum_of_squares)(np.float32(1.5))
    assert isinstance(g, np.float32) and g == 3.0


def scalar_function(x, y):
    return math.sin(x) * y + np.exp(x) / y + abs(x) ** y + float(x * y)


@pytest.mark.parametrize("x, y", [(0.5, 2.0), (-1.5, 3.0), (2, 3), (1.25, -2)], ids=str)
def test_python_scalar_inputs_get_python_floats(x, y):
    gx, gy = adtrans.grad(scalar_function, wrt=(0, 1))(x, y)
    assert type(gx) is float and type(gy) is float
    ex, ey = check_rule(scalar_function, float(x), float(y), wrt=(0, 1))
    assert gx == pytest.approx(ex, rel=1e-12) and gy == pytest.approx(ey, rel=1e-12)


def scalar_with_array(s, x):
    return np.sum(s * x + x / s - s ** 2 * np.tanh(x))


@pytest.mark.parametrize("s", [1.5, 2, np.float64(1.5)], ids=repr)
def test_python_scalar_combined_with_an_array(s):
    x = np.array([[0.5, -1.0], [2.0, 0.25]])
    gs, gx = check_rule(scalar_with_array, float(s), x, wrt=(0, 1))
    got_s, got_x = adtrans.grad(scalar_with_array, wrt=(0, 1))(s, x)
    assert_gradient_type(got_s, s)
    assert got_s == pytest.approx(gs, rel=1e-12)
    np.testing.assert_allclose(got_x, gx, rtol=1e-12)


# ===================================================================== stop_gradient
def stopped_product(x):
    return np.sum(x * adtrans.stop_gradient(x))


def fully_stopped(x):
    return np.sum(adtrans.stop_gradient(x) ** 2)


def stopped_scale(x):
    return np.sum(x / adtrans.stop_gradient(np.linalg.norm(x)))


def test_stop_gradient_blocks_the_gradient():
    x = np.array([1.0, 2.0, -3.0])
    np.testing.assert_array_equal(adtrans.grad(stopped_product)(x), x)
    np.testing.assert_array_equal(adtrans.grad(fully_stopped)(x), np.zeros(3))
    np.testing.assert_allclose(adtrans.grad(stopped_scale)(x), np.ones(3) / np.linalg.norm(x))
    assert adtrans.stop_gradient(x) is x


# ===================================================================== wrt, errors, API
def three_params(x, y, z):
    return np.sum(x * y ** 2 + np.sin(z))


X3 = np.array([1.0, 2.0])
Y3 = np.array([3.0, 4.0])
Z3 = np.array([0.5, -0.5])
DX3, DY3, DZ3 = Y3 ** 2, 2 * X3 * Y3, np.cos(Z3)


@pytest.mark.parametrize("wrt, expected", [
    (0, DX3), ("x", DX3), (1, DY3), ("y", DY3), (-1, DZ3), ("z", DZ3),
    ((0,), (DX3,)), (("y",), (DY3,)), ((2, "x"), (DZ3, DX3)), (("y", 0, "z"), (DY3, DX3, DZ3)),
    ([1, 0], (DY3, DX3)),
], ids=repr)
def test_wrt_by_name_position_and_tuple(wrt, expected):
    got = adtrans.grad(three_params, wrt=wrt)(X3, Y3, Z3)
    if isinstance(expected, tuple):
        assert isinstance(got, tuple) and len(got) == len(expected)
        for g, e in zip(got, expected):
            np.testing.assert_allclose(g, e, rtol=1e-15)
    else:
        assert isinstance(got, np.ndarray)
        np.testing.assert_allclose(got, expected, rtol=1e-15)


def test_gradient_accepts_keyword_arguments():
    got = adtrans.grad(three_params, wrt="y")(X3, z=Z3, y=Y3)
    np.testing.assert_allclose(got, DY3)


@pytest.mark.parametrize("wrt, fragment", [
    ("w", "'w'"), (3, "wrt=3"), (-4, "wrt=-4"), (("x", "q"), "'q'"), ((0, 7), "wrt=7"),
], ids=repr)
def test_bad_wrt_raises_at_grad_time_naming_the_parameters(wrt, fragment):
    for transformation in (adtrans.grad, adtrans.value_and_grad):
        with pytest.raises(AdtransError) as info:
            transformation(three_params, wrt=wrt)
        message = str(info.value)
        assert fragment in message and "x, y, z" in message
    with pytest.raises(AdtransError, match="x, y, z"):
        adtrans.vjp(three_params, X3, Y3, Z3, wrt=wrt)


def vector_output(x):
    return np.sin(x) * 2.0


def test_grad_of_non_scalar_output_points_to_vjp():
    with pytest.raises(AdtransError, match="vjp") as info:
        adtrans.grad(vector_output)(np.ones(3))
    assert "(3,)" in str(info.value)


def loop_output(x, n):
    y = x
    for _ in range(n):
        y = np.sin(y) * x
    return y


@pytest.mark.parametrize("f, args", [(vector_output, (np.array([0.0, 1.0, 2.0]),)),
                                     (loop_output, (np.array([0.3, 0.6, 0.9]), 3))],
                         ids=["straight", "loop-with-tape"])
def test_vjp_pullback_can_be_called_twice(f, args):
    out, pullback = adtrans.vjp(f, *args)
    np.testing.assert_allclose(out, f(*args))
    v1, v2 = np.array([1.0, 0.0, 0.0]), np.array([0.0, 2.0, -1.0])
    first, second = pullback(v1), pullback(v2)
    again = pullback(v1)
    from adtrans.testing import numerical_vjp
    np.testing.assert_allclose(first, numerical_vjp(f, args, 0, v1), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(second, numerical_vjp(f, args, 0, v2), rtol=1e-6, atol=1e-8)
    np.testing.assert_array_equal(again, first)


@pytest.mark.parametrize("cotangent", [np.ones(2), np.ones((3, 1)), 1.0], ids=repr)
def test_vjp_cotangent_of_wrong_shape_names_both_shapes(cotangent):
    _, pullback = adtrans.vjp(vector_output, np.ones(3))
    with pytest.raises(AdtransError) as info:
        pullback(cotangent)
    message = str(info.value)
    assert str(np.shape(cotangent)) in message and "(3,)" in message


def test_vjp_with_tuple_wrt():
    out, pullback = adtrans.vjp(three_params, X3, Y3, Z3, wrt=("z", "x"))
    assert out == three_params(X3, Y3, Z3)
    dz, dx = pullback(2.0)
    np.testing.assert_allclose(dz, 2 * DZ3)
    np.testing.assert_allclose(dx, 2 * DX3)


def test_value_and_grad_returns_value_and_gradient():
    value, g = adtrans.value_and_grad(three_params)(X3, Y3, Z3)
    assert value == pytest.approx(three_params(X3, Y3, Z3), rel=1e-15)
    np.testing.assert_allclose(g, DX3)
    value, grads = adtrans.value_and_grad(three_params, wrt=("y", "z"))(X3, Y3, Z3)
    assert value == pytest.approx(three_params(X3, Y3, Z3), rel=1e-15)
    assert isinstance(grads, tuple) and len(grads) == 2
    np.testing.assert_allclose(grads[0], DY3)
    np.testing.assert_allclose(grads[1], DZ3)
    value, grads = adtrans.value_and_grad(three_params, wrt=(0,))(X3, Y3, Z3)
    assert isinstance(grads, tuple) and len(grads) == 1


@adtrans.value_and_grad(wrt=(0, 1))
def decorated(x, y):
    return x * y + np.sin(x)


def test_value_and_grad_as_decorator():
    value, (dx, dy) = decorated(2.0, 3.0)
    assert value == pytest.approx(6.0 + np.sin(2.0))
    assert dx == pytest.approx(3.0 + np.cos(2.0)) and dy == 2.0


def reassigns_and_loops(x, W, n):
    h = x
    for _ in range(n):
        h = np.tanh(h @ W)
        x = x * 0.5
    return np.sum(h * x) + np.sum(W ** 2)


def test_inputs_are_not_mutated():
    x = rng(1).standard_normal(3)
    W = rng(2).standard_normal((3, 3))
    x0, W0 = x.copy(), W.copy()
    d = adtrans.grad(reassigns_and_loops, wrt=(0, 1))
    first = d(x, W, 3)
    adtrans.value_and_grad(reassigns_and_loops, wrt=(0, 1))(x, W, 3)
    _, pullback = adtrans.vjp(reassigns_and_loops, x, W, 3, wrt=(0, 1))
    pullback(1.0)
    pullback(2.0)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(W, W0)
    second = d(x, W, 3)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    check_rule(reassigns_and_loops, x, W, 3, wrt=(0, 1))


def test_gradient_is_thread_safe():
    d = adtrans.grad(reassigns_and_loops, wrt=(0, 1))
    inputs = [(rng(s).standard_normal(3), rng(s + 100).standard_normal((3, 3)), s % 4 + 1)
              for s in range(8)]
    expected = [d(*args) for args in inputs]
    barrier = threading.Barrier(4)

    def work(worker):
        barrier.wait()
        return [[d(*args) for args in inputs] for _ in range(25)]

    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(work, w) for w in range(4)]
        outcomes = [f.result(timeout=120) for f in futures]     # re-raises a worker's error
    for rounds in outcomes:
        assert len(rounds) == 25
        for results in rounds:
            for (gx, gW), (ex, eW) in zip(results, expected, strict=True):
                np.testing.assert_array_equal(gx, ex)
                np.testing.assert_array_equal(gW, eW)


def documented(x, y):
    z = x * np.exp(-y) + y
    return np.sum(z ** 2)


def test_source_shows_the_derivative_and_quotes_the_user_code():
    d = adtrans.grad(documented, wrt=(0, 1))
    text = adtrans.source(d)
    assert "def d_" in text
    comments = [line.strip() for line in text.splitlines() if line.strip().startswith("#")]
    assert "# z = x * np.exp(-y) + y" in comments
    assert "# return np.sum(z ** 2)" in comments
    compile(text, "<generated>", "exec")
    assert adtrans.source(adtrans.value_and_grad(documented)).count("def ") == 1


def helper_function(z):
    return z * 2.0


def calls_fft(x):
    y = x * 2.0
    return np.sum(np.fft.fft(y).real)


_NAMESPACE: dict = {}
exec("def sourceless_helper(y):\n    return y * 2.0\n", _NAMESPACE)   # no file to read
sourceless_helper = _NAMESPACE["sourceless_helper"]


def calls_user_function(x):
    y = np.sin(x)
    return np.sum(sourceless_helper(y))


def calls_fft_on_constant(x):
    c = np.fft.fft(np.ones(3)).real
    return np.sum(c * x)


def line_of(f, text):
    lines, start = inspect.getsourcelines(f)
    return start + next(i for i, line in enumerate(lines) if text in line)


@pytest.mark.parametrize("f, text, name", [(calls_fft, "np.fft.fft", "np.fft.fft"),
                                           (calls_user_function, "sourceless_helper(y)",
                                            "sourceless_helper")])
def test_unsupported_call_names_file_and_line(f, text, name):
    with pytest.raises(AdtransError) as info:
        adtrans.grad(f)(np.ones(3))
    message = str(info.value)
    assert os.path.basename(__file__) in message
    assert f":{line_of(f, text)}:" in message
    assert name in message
    assert info.value.lineno == line_of(f, text)


def test_unsupported_call_on_a_constant_is_fine():
    np.testing.assert_allclose(adtrans.grad(calls_fft_on_constant)(np.ones(3)),
                               np.fft.fft(np.ones(3)).real)


def index_assignment(x):
    y = np.zeros(3)
    y[0] = x
    return np.sum(y)


def index_assignment_of_copy(x):
    y = x * 1.0
    y[1] = 2.0
    return np.sum(y)


def writes_into_the_argument(x):
    x[1] = 2.0
    return np.sum(x)


@pytest.mark.parametrize("f, x", [(index_assignment, 0.7),
                                  (index_assignment_of_copy, np.array([0.5, -1.0, 2.0]))])
def test_index_assignment_matches_finite_differences(f, x):
    check_rule(f, x)


def test_index_assignment_into_an_argument_is_refused():
    x = np.ones(3)
    with pytest.raises(AdtransError) as info:
        adtrans.grad(writes_into_the_argument)(x)
    text = "x[1] = 2.0"
    assert f":{line_of(writes_into_the_argument, text)}:" in str(info.value)
    assert "caller's data" in str(info.value) and text in str(info.value)
    np.testing.assert_array_equal(x, np.ones(3))


# ===================================================================== array construction
def linspace_sum(a, b):
    return np.sum(np.linspace(a, b, 5) ** 2)


def linspace_open(a, b):
    return np.sum(np.linspace(a, b, 4, endpoint=False) * np.arange(4.0))


def linspace_arrays(a, b):
    return np.sum(np.sin(np.linspace(a, b, 3, axis=1)))


def linspace_last_axis(a, b):
    return np.sum(np.linspace(a, b, 3, axis=-1) ** 2)


def linspace_single(a, b):
    return np.sum(np.linspace(a, b, 1) * 3.0)


def linspace_integers(a, b):
    return np.sum(np.linspace(a, b, 4, dtype=int) * a)


@exercises("np.linspace")
@pytest.mark.parametrize("f, a, b", [
    (linspace_sum, 0.3, 1.7), (linspace_open, -0.4, 2.2), (linspace_single, 0.5, 2.0),
    (linspace_arrays, np.array([0.1, -0.3]), np.array([1.2, 0.4])),
    (linspace_last_axis, np.array([[0.1], [0.6]]), np.array([1.5, -0.2])),
    (linspace_integers, 0.3, 5.6)])
def test_linspace_moves_with_its_endpoints(f, a, b):
    check_rule(f, a, b, wrt=(0, 1))


def test_linspace_with_retstep_is_refused():
    with pytest.raises(AdtransError, match="retstep"):
        adtrans.grad(linspace_retstep)(0.5, 1.0)


def linspace_retstep(a, b):
    samples = np.linspace(a, b, 3, retstep=True)
    return samples[1]


def full_fill(a):
    return np.sum(np.full(4, a) * np.arange(4.0))


def full_broadcast_fill(a):
    return np.sum(np.full((2, 3), a) ** 2)


def full_like_fill(x, a):
    return np.sum(np.full_like(x, a) * x)


def full_like_integer(n, a):
    return np.sum(np.full_like(n, a) * a)


@exercises("np.full", "np.full_like")
@pytest.mark.parametrize("f, args, wrt", [
    (full_fill, (0.7,), 0), (full_broadcast_fill, (np.array([0.2, -0.5, 1.1]),), 0),
    (full_like_fill, (np.array([0.5, -1.0, 2.0]), 0.3), (0, 1)),
    (full_like_integer, (np.array([1, 2, 3]), 0.6), 1)])
def test_full_is_differentiable_in_its_fill_value(f, args, wrt):
    check_rule(f, *args, wrt=wrt)


def test_full_like_of_an_integer_array_rounds_the_fill():
    # np.full_like(int array, 0.6) is all zeros: no gradient reaches 0.6 through it.
    assert adtrans.grad(full_like_integer, wrt=1)(np.array([1, 2, 3]), 0.6) == \
        pytest.approx(np.sum(np.full_like(np.array([1, 2, 3]), 0.6)))


def arange_shifted(a):
    return np.sum(np.arange(a, a + 3.0) ** 2)


def arange_step(a, step):
    return np.sum(np.sin(np.arange(a, 2.0, step)))


def arange_stop_only(n):
    return np.sum(np.arange(n) * 2.0)


@exercises("np.arange")
@pytest.mark.parametrize("f, args, wrt", [
    (arange_shifted, (0.3,), 0), (arange_step, (0.25, 0.4), (0, 1)),
    (arange_stop_only, (3.5,), 0)])
def test_arange_moves_with_start_and_step(f, args, wrt):
    check_rule(f, *args, wrt=wrt)


def heaviside_of(x, h):
    return np.sum(np.heaviside(x, h) * 3.0)


@exercises("np.heaviside")
def test_heaviside_takes_its_second_argument_where_x_is_zero():
    x = np.array([-1.0, 0.0, 2.0, 0.0])
    h = np.array([0.5, 0.25, 0.75, 1.0])
    gx, gh = adtrans.grad(heaviside_of, wrt=(0, 1))(x, h)
    np.testing.assert_array_equal(gx, np.zeros(4))
    np.testing.assert_array_equal(gh, [0.0, 3.0, 0.0, 3.0])
    check_rule(heaviside_of, np.array([-1.0, 2.0]), 0.5, wrt=1)


# ===================================================================== lists, tuples, dicts
def builtin_sum_list(x, y):
    return sum([x, y * y, x * y]) * 2.0


def builtin_sum_start(x, v):
    return np.sum(sum([v, x * v], x))


def builtin_sum_rows(m):
    return np.sum(sum(m) ** 2)


def builtin_max_min(x, y):
    return max(x, y, 0.5) * min(x * 2.0, y) + max([x, y * 3.0]) - min((x, y))


def builtin_max_rows(m):
    return np.sum(max(list(np.sum(m, axis=1))) * m)


def sequences(x, v):
    items = list((x, x * 2.0, v[0]))
    pair = tuple([x, v])
    return items[1] * items[2] + np.sum(pair[1]) * pair[0]


def copies(x, v):
    xs = [x, v]
    d = {"a": x, "b": v}
    return xs.copy()[0] * np.sum(d.copy()["b"])


def dict_reads(x, v):
    d = {"x": x, "v": v, "name": "layer"}
    s = d.get("x") * d.get("missing", x * 3.0)
    for key, value in d.items():
        if key != "name":
            s = s + np.sum(value ** 2)
    for value in list(d.values())[:2]:
        s = s + np.sum(value)
    return s + len(d.keys())


def concat_repeat(x, v):
    xs = [x] + [v, x * x]
    ys = (x, v) * 2
    return np.sum(xs[1] * xs[2]) + ys[2] * np.sum(ys[3])


def dict_builders(x, v):
    d = dict(a=x, b=v)
    e = dict(d, c=x * x)
    f = {**e, "a": x * 3.0, **{"z": v}}
    pairs = dict([("p", x), ("q", v), ("p", 2.0 * x)])      # the last "p" wins
    zipped = dict(zip(["u", "w"], [x, v * v]))
    numbered = dict(enumerate([x, x ** 3]))
    return (e["a"] * e["c"] + np.sum(f["a"] * f["b"] * f["z"]) + pairs["p"] * np.sum(pairs["q"])
            + np.sum(zipped["w"]) * zipped["u"] + numbered[1])


def iterator_builders(x, v):
    pairs = list(zip([x, x * 2.0, 5.0], v))
    order = list(reversed(v))
    numbered = list(enumerate(v, 1))
    rows = list(zip(np.array([v, v * x]), [x, x]))
    return (pairs[1][0] * pairs[1][1] + order[0] * x + numbered[1][1] * numbered[1][0]
            + np.sum(rows[1][0]) * rows[0][1])


@exercises("sum", "max", "min", "list", "tuple", "list.copy()", "dict.copy()", "dict.get()",
           "dict.items()", "dict.values()", "dict.keys()", "dict", "zip", "enumerate",
           "reversed")
@pytest.mark.parametrize("f, args, wrt", [
    (builtin_sum_list, (0.7, 1.3), (0, 1)),
    (builtin_sum_start, (0.7, np.array([0.5, -1.0])), (0, 1)),
    (builtin_sum_rows, (sample((3, 2), (-1, 1)),), 0),
    (builtin_max_min, (0.7, 1.3), (0, 1)), (builtin_max_min, (1.4, 0.2), (0, 1)),
    (builtin_max_rows, (sample((3, 2), (-1, 1)),), 0),
    (sequences, (0.7, np.array([0.5, -1.0])), (0, 1)),
    (copies, (0.7, np.array([0.5, -1.0])), (0, 1)),
    (dict_reads, (0.7, np.array([0.5, -1.0])), (0, 1)),
    (concat_repeat, (0.7, np.array([0.5, -1.0])), (0, 1)),
    (dict_builders, (0.7, np.array([0.5, -1.0])), (0, 1)),
    (iterator_builders, (0.7, np.array([0.5, -1.0, 2.0])), (0, 1)),
])
def test_container_builtins_and_methods(f, args, wrt):
    check_rule(f, *args, wrt=wrt)


def max_of_equal(x, y):
    return max(x, y)


def test_builtin_max_gives_the_cotangent_to_the_value_it_returns():
    # Python's max returns its first argument of tied ones; np.maximum would split.
    assert adtrans.grad(max_of_equal, wrt=(0, 1))(1.0, 1.0) == (1.0, 0.0)


def sum_of_lists(x):
    return sum([[x], [x * 2.0]], [])[1]


def test_sum_of_lists_is_refused():
    with pytest.raises(AdtransError, match="concatenates"):
        adtrans.grad(sum_of_lists)(0.5)


# ===================================================================== joining and splitting
def joins(A, B, v, x):
    weights = np.arange(1.0, 19.0)
    S = np.stack([A, B, A * x], axis=1)
    T = np.stack((v, v * 2), axis=-1)
    C = np.concatenate([A, B * x], axis=-1)
    D = np.concatenate((A, B), axis=None)
    E = np.vstack([A, v, B])
    H = np.hstack([v, v * x])
    H2 = np.hstack([A, B])
    K = np.column_stack([v, A.T])
    L = np.dstack([A, B])
    P = np.append(v, [x, 2.0])
    Q = np.append(A, B, axis=0)
    z = np.stack([x, x * x, 1.0])
    return (np.sum(S ** 2 * weights.reshape(S.shape)) + np.sum(T ** 3) + np.sum(C * C[::-1])
            + np.sum(D ** 2 * weights[:12]) + np.sum(E ** 3) + np.sum(H ** 2) + np.sum(H2 ** 3)
            + np.sum(K ** 3) + np.sum(L ** 3) + np.sum(P ** 3) + np.sum(Q ** 3) + np.sum(z ** 3))


def splits(A, x):
    a, b, c = np.split(A * x, 3, axis=1)
    p, q = np.array_split(np.ravel(A), 2)
    r, s = np.hsplit(A, [1])
    t, u = np.vsplit(A, 2)
    (w,) = np.dsplit(A.reshape(2, 3, 1) * x, 1)
    return np.sum(a * c) + np.sum(p ** 2) + np.sum(r ** 3) + np.sum(u ** 2) + np.sum(s) \
        + np.sum(w ** 3)


@exercises("np.stack", "np.concatenate", "np.vstack", "np.hstack", "np.column_stack",
           "np.dstack", "np.append", "np.split", "np.array_split", "np.hsplit", "np.vsplit",
           "np.dsplit")
def test_joining_and_splitting():
    A, B = sample((2, 3), (-1, 1)), sample((2, 3), (-1, 1), seed=1)
    v = sample((3,), (-1, 1), seed=2)
    check_rule(joins, A, B, v, 0.7, wrt=(0, 1, 2, 3))
    check_rule(splits, A, 0.7, wrt=(0, 1))
