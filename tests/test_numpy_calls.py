"""How values reach NumPy functions: lists and tuples of varied values as arguments,
and complex numbers, which are refused wherever they meet a rule."""

import numpy as np
import pytest

import adtrans
from adtrans import AdtransError
from adtrans.testing import check_grads


def nested_list_to_array(x):
    return np.sum(np.array([[x, 2.0 * x], [3.0, x ** 2]]) ** 2)


def tuple_to_mean(x):
    return np.mean((x, x + 2.0)) * np.max([x, 3.0 * x, -x])


def lists_to_binary_functions(x, v):
    return np.sum(np.multiply([x, 1.0, x * x], v)) + np.dot((x, 2.0), [v[0], v[1] * x])


def list_of_arrays_to_a_reduction(v):
    return np.sum(np.mean([v, 2.0 * v, v * v], axis=0) ** 2)


@pytest.mark.parametrize("f, args, wrt", [
    (nested_list_to_array, (0.7,), 0),
    (tuple_to_mean, (0.7,), 0),
    (lists_to_binary_functions, (0.7, np.array([1.0, 2.0, 3.0])), (0, 1)),
    (list_of_arrays_to_a_reduction, (np.array([0.5, -1.0, 2.0]),), 0),
], ids=lambda v: getattr(v, "__name__", None))
def test_lists_and_tuples_of_varied_values_as_arguments(f, args, wrt):
    check_grads(f, *args, wrt=wrt)


def complex_constant(x):
    return np.abs(np.sqrt(x + 0j))


def imaginary_unit(x):
    return np.real(np.exp(1j * x))


def negative_base_to_a_fraction(x):
    return np.abs(x ** 0.5)


@pytest.mark.parametrize("f", [complex_constant, imaginary_unit])
def test_a_complex_value_meeting_a_rule_is_refused_where_it_is(f):
    with pytest.raises(AdtransError, match=r"test_numpy_calls.py:\d+: .*complex number"):
        adtrans.grad(f)(-2.0)


def test_a_complex_value_made_at_run_time_is_refused():
    # x ** 0.5 of a negative NumPy float is nan (with a warning), of a Python float complex:
    # adtrans cannot see that coming, and refuses when the complex cotangent arrives.
    with pytest.raises(AdtransError, match="complex number"):
        adtrans.grad(negative_base_to_a_fraction)(-2.0)


# ---------------------------------------------------------------- lists into any rule
def binary_on_lists(fn):
    def f(x):
        return np.sum(fn([x, 0.7], [0.4, x * 1.5]))
    return f


def unary_on_list(fn):
    def f(x):
        return np.sum(fn([x, 0.7, x * 1.5]))
    return f


BINARY = [np.add, np.subtract, np.multiply, np.divide, np.power, np.maximum, np.minimum,
          np.arctan2, np.hypot, np.logaddexp, np.logaddexp2, np.float_power, np.fmax, np.fmin,
          np.dot, np.inner, np.outer, np.kron, np.convolve, np.polyval, np.matmul]
UNARY = [np.tanh, np.exp, np.log, np.sqrt, np.abs, np.square, np.sum, np.mean, np.prod,
         np.max, np.cumsum, np.linalg.norm, np.std, np.var, np.sort, np.diff, np.cumprod,
         np.reciprocal, np.log1p, np.sinc, np.cbrt, np.median, np.ptp, np.trapezoid,
         np.atleast_2d, np.transpose]


@pytest.mark.parametrize("fn", BINARY, ids=lambda fn: fn.__name__)
def test_lists_as_both_operands_of_a_rule(fn):
    check_grads(binary_on_lists(fn), 0.6)


@pytest.mark.parametrize("fn", UNARY, ids=lambda fn: fn.__name__)
def test_a_list_as_the_operand_of_a_rule(fn):
    check_grads(unary_on_list(fn), 0.6)


@pytest.mark.parametrize("name", ["xlog1py", "rel_entr", "kl_div", "beta", "xlogy"])
def test_lists_given_to_scipy_special(name):
    import scipy.special  # a test dependency: its rules are always tested

    check_grads(binary_on_lists(getattr(scipy.special, name)), 0.6)
