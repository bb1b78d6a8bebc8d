"""Rules for products (einsum, tensordot, ...), signals and polynomials (convolve, diff,
gradient, interp, ...) and the elementwise extras (copysign, frexp, modf, ...), against
central differences in float64, then in float32 (check_rule), with integer inputs where
the function takes them."""

import numpy as np
import pytest
from helpers.rule_testing import (
    assert_gradient_type,
    check_rule,
    exercises,
    sample,
    vjp_ones,
)

import adtrans
from adtrans import AdtransError


# ===================================================================== elementwise extras
def copysign_of(x, y):
    return np.copysign(x, y) * x


def ldexp_of(x):
    return np.ldexp(x, np.array([-1, 0, 2, 3]))


def nextafter_of(x, y):
    return np.nextafter(x, y) * 2.0


def fmod_of(x, y):
    return np.fmod(x, y)


def np_divmod_of(x, y):
    q, r = np.divmod(x, y)
    return r * r + q


def divmod_of(x, y):
    q, r = divmod(x, y)
    return r * 3.0 + q


def divmod_quotient_only(x, y):
    q, r = np.divmod(x, y)
    return q * x


def frexp_of(x):
    m, e = np.frexp(x)
    return m * m + e


def frexp_exponent_only(x):
    m, e = np.frexp(x)
    return e * x


def modf_of(x):
    f, i = np.modf(x)
    return f * f + i * x


def modf_integral_only(x):
    f, i = np.modf(x)
    return i * x


def real_of(x):
    return np.real(x) * x


def imag_of(x):
    return np.imag(x) + x


def conjugate_of(x):
    return np.conjugate(x) * x


def real_attribute(x):
    return x.real * x + x.imag


def conj_method(x):
    return x.conj() * x + x.conjugate()


def nan_to_num_of(x):
    return np.nan_to_num(x) * 2.0


def nan_to_num_values(x, a):
    return np.nan_to_num(x, nan=a, posinf=a * 2.0, neginf=-a)


TWO = [((4,), (4,)), ((), (3, 4)), ((3, 4), ()), ((3, 1), (1, 4)), ("float", (2, 3)),
       ((2, 3), "float")]


@exercises("np.copysign")
@pytest.mark.parametrize("xshape, yshape", TWO, ids=str)
def test_copysign(xshape, yshape):
    x = sample(xshape, ("signed", 0.2, 2), seed=1)
    y = sample(yshape, ("signed", 0.2, 2), seed=2)
    gx, gy = check_rule(copysign_of, x, y, wrt=(0, 1))
    assert_gradient_type(gx, x)
    assert np.all(np.asarray(gy) == 0.0)
    ints = np.array([-2, 1, 3])
    assert_gradient_type(check_rule(copysign_of, ints, np.array([1.0, -1.0, -2.0]),
                                    float32=False), ints)


@exercises("np.ldexp")
@pytest.mark.parametrize("shape", [(4,), (2, 4)], ids=str)
def test_ldexp(shape):
    x = sample(shape, (-2, 2))
    check_rule(ldexp_of, x)
    np.testing.assert_array_equal(vjp_ones(ldexp_of, x),
                                  np.broadcast_to([0.5, 1.0, 4.0, 8.0], shape))
    assert_gradient_type(check_rule(ldexp_of, np.arange(4), float32=False), np.arange(4))


@exercises("np.nextafter")
def test_nextafter():
    x = sample((3, 4), (-2, 2))
    y = sample((4,), (-2, 2), seed=1)
    check_rule(nextafter_of, x, y, wrt=(0, 1))
    gx, gy = vjp_ones(nextafter_of, x, y, wrt=(0, 1))
    np.testing.assert_array_equal(gx, np.full((3, 4), 2.0))
    np.testing.assert_array_equal(gy, np.zeros(4))


@exercises("np.fmod")
@pytest.mark.parametrize("xshape, yshape", [((5,), (5,)), ((2, 5), (5,)), ((), (5,))],
                         ids=str)
def test_fmod(xshape, yshape):
    # |x / y| in (1.1, 1.9) with mixed signs: fmod truncates towards 0 (unlike mod).
    y = sample(yshape, ("signed", 1.45, 2.0), seed=1)
    x = sample(xshape, ("signed", 2.2, 2.7), seed=2)
    gx, gy = check_rule(fmod_of, x, y, wrt=(0, 1))
    assert_gradient_type(gx, x)
    assert_gradient_type(gy, y)


@exercises("np.divmod", "divmod")
def test_divmod():
    x = sample((2, 5), (2.2, 2.8), seed=1)
    y = sample((5,), (1.45, 2.0), seed=2)
    check_rule(np_divmod_of, x, y, wrt=(0, 1))
    check_rule(divmod_of, x, y, wrt=(0, 1))
    check_rule(divmod_of, 2.5, 1.5, wrt=(0, 1), float32=False)
    check_rule(divmod_quotient_only, x, y, wrt=(0, 1))
    gx, gy = vjp_ones(divmod_quotient_only, x, y, wrt=(0, 1))
    np.testing.assert_array_equal(gy, np.zeros(5))
    np.testing.assert_array_equal(gx, np.floor_divide(x, y))


@exercises("np.frexp")
@pytest.mark.parametrize("shape", [(), (5,), (2, 3)], ids=str)
def test_frexp(shape):
    x = sample(shape, ("signed", 0.3, 7.0))
    m, e = np.frexp(x)
    assert np.all(np.abs(np.abs(m) - 0.75) < 0.24)       # away from the exponent's jumps
    check_rule(frexp_of, x)
    np.testing.assert_allclose(vjp_ones(frexp_of, x), 2 * m / 2.0 ** e)
    check_rule(frexp_exponent_only, x)
    np.testing.assert_array_equal(vjp_ones(frexp_exponent_only, x), e)


@exercises("np.modf")
@pytest.mark.parametrize("shape", [(), (5,), (2, 3)], ids=str)
def test_modf(shape):
    x = sample(shape, ("signed", 0.1, 3.0)) + 0.0
    x = np.where(np.abs(x % 1.0 - 0.5) > 0.45, x + 0.2, x)   # away from whole numbers
    check_rule(modf_of, x)
    check_rule(modf_integral_only, x)
    np.testing.assert_array_equal(vjp_ones(modf_integral_only, x), np.trunc(x))


@exercises("np.real", "np.imag", "np.conjugate", "ndarray.real", "ndarray.imag",
           "ndarray.conj()", "ndarray.conjugate()")
def test_real_parts_of_real_arrays():
    x = sample((2, 3), (-2, 2))
    for f in (real_of, imag_of, conjugate_of, real_attribute, conj_method):
        check_rule(f, x)
    np.testing.assert_allclose(vjp_ones(real_of, x), 2 * x)
    np.testing.assert_array_equal(vjp_ones(imag_of, x), np.ones((2, 3)))
    np.testing.assert_allclose(vjp_ones(conj_method, x), 2 * x + 1.0)
    ints = np.arange(3)
    assert_gradient_type(check_rule(real_of, ints, float32=False), ints)
    np.testing.assert_allclose(vjp_ones(real_of, ints), 2 * ints)
    with pytest.raises(AdtransError, match="complex"):
        adtrans.grad(lambda_free_real_sum)(np.array([1.0 + 2.0j]))


def lambda_free_real_sum(x):
    return np.sum(np.real(x))


@exercises("np.nan_to_num")
def test_nan_to_num():
    x = sample((2, 3), (-2, 2))
    check_rule(nan_to_num_of, x)
    np.testing.assert_array_equal(vjp_ones(nan_to_num_of, x), np.full((2, 3), 2.0))
    y = np.array([1.0, np.nan, np.inf, -np.inf, -2.0])
    gx, ga = vjp_ones(nan_to_num_values, y, 1.5, wrt=(0, 1))
    np.testing.assert_array_equal(gx, [1.0, 0.0, 0.0, 0.0, 1.0])
    assert ga == 1.0 + 2.0 - 1.0
    check_rule(nan_to_num_values, x, 1.5, wrt=(0, 1))
