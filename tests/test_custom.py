"""The user's own rules (register_vjp) and gradient surgery (grad_of)."""

import colorsys

import numpy as np
import pytest
import scipy.special

import adtrans
from adtrans import AdtransError
from adtrans.testing import check_grads

X3 = np.array([0.5, -1.0, 2.0])


# ----------------------------------------------------------------- register_vjp
def naive_logsumexp(x):
    return np.log(np.sum(np.exp(x)))


CALLS = []


@adtrans.register_vjp(naive_logsumexp)
def logsumexp_vjp(g, ans, x):
    CALLS.append("logsumexp_vjp")
    return (g * np.exp(x - ans),)


def uses_logsumexp(x):
    return naive_logsumexp(x * 2.0) ** 2 + naive_logsumexp(x)


def test_a_registered_rule_wins_over_inlining():
    CALLS.clear()
    check_grads(uses_logsumexp, X3)
    assert CALLS, "the registered rule was not called"
    text = adtrans.source(adtrans.grad(uses_logsumexp), X3)
    assert "logsumexp_vjp(" in text and "naive_logsumexp(" in text


@adtrans.register_vjp(scipy.special.zeta)
def zeta_vjp(g, ans, s, q):
    # d/dq of the Hurwitz zeta function, by a central difference of zeta itself.
    h = 1e-5
    return None, g * (scipy.special.zeta(s, q + h) - scipy.special.zeta(s, q - h)) / (2 * h)


def uses_zeta(x):
    return scipy.special.zeta(2.0, x * x + 1.0)


def test_a_rule_for_a_function_without_source():
    check_grads(uses_zeta, 1.3, rtol=1e-4)


def weighted(a, b, mode="sum"):
    return a * 2.0 + b * 3.0 if mode == "sum" else a * b


@adtrans.register_vjp(weighted)
def weighted_vjp(g, ans, a, b, mode="sum"):
    if mode == "sum":
        return g * 2.0, g * 3.0
    return g * b, None            # a rule may leave an argument without a cotangent


def uses_weighted(x, y):
    return weighted(x, y) + weighted(x, y, mode="product")


def test_a_rule_with_keywords_and_none():
    gx, gy = adtrans.grad(uses_weighted, wrt=(0, 1))(0.7, 1.3)
    assert gx == pytest.approx(2.0 + 1.3) and gy == pytest.approx(3.0)


def cubed(x):
    return x * x * x


# A rule may be a lambda: generated code calls it under a name of its own.
adtrans.register_vjp(cubed)(lambda g, ans, x: (3.0 * g * x * x,))


def uses_cubed(x):
    return np.sum(cubed(x) + x)


def test_a_rule_registered_as_a_lambda():
    np.testing.assert_allclose(adtrans.grad(uses_cubed)(X3), 3.0 * X3 * X3 + 1.0)
    text = adtrans.source(adtrans.grad(uses_cubed), X3)
    assert "lambda_rule(" in text and "<lambda>" not in text


def not_a_function_rule():
    return adtrans.register_vjp(3)


def test_register_vjp_needs_a_function():
    with pytest.raises(AdtransError, match="register_vjp expects"):
        not_a_function_rule()


def hue(x):
    return colorsys.rgb_to_hsv(x, 0.5, 0.2)[0]


def test_a_function_without_a_rule_points_to_register_vjp():
    with pytest.raises(AdtransError, match=r"test_custom.py:\d+: .*colorsys.rgb_to_hsv.*"
                                           r"register_vjp\(colorsys.rgb_to_hsv\)"):
        adtrans.grad(hue)(0.3)


RNG = np.random.default_rng(0)


def draws_around(x):
    return np.sum(RNG.normal(x, 1.0, size=3))


def test_a_library_method_without_a_rule_points_to_a_wrapper_with_a_rule():
    with pytest.raises(AdtransError, match=r"test_custom.py:\d+: .*Generator.normal.*"
                                           r"function of your own .*register_vjp"):
        adtrans.grad(draws_around)(0.3)


# ----------------------------------------------------------------- grad_of
def clipped(x, w):
    h = np.tanh(w * x)
    with adtrans.grad_of(h) as dh:
        dh = np.clip(dh, -0.1, 0.1)
    return np.sum(h * 3.0)


def scaled_in_a_loop(x):
    s = x
    for k in range(3):
        s = np.sin(s) * 1.5
        with adtrans.grad_of(s) as ds:
            ds = ds * 0.5
    return s


def untouched(x):
    h = x * 2.0
    with adtrans.grad_of(h) as dh:
        dh = dh + 1.0          # h reaches the output only through this block
    return x * 3.0


def test_grad_of_replaces_the_adjoint():
    w = 0.7
    got = adtrans.grad(clipped)(X3, w)
    h = np.tanh(w * X3)
    np.testing.assert_allclose(got, np.clip(3.0 * np.ones(3), -0.1, 0.1) * (1 - h * h) * w)


def test_grad_of_in_a_loop_runs_at_every_iteration():
    s, gradient = 0.4, 1.0
    values = []
    for _ in range(3):
        values.append(s)
        s = np.sin(s) * 1.5
    for value in reversed(values):
        gradient = gradient * 0.5 * np.cos(value) * 1.5
    assert adtrans.grad(scaled_in_a_loop)(0.4) == pytest.approx(gradient)


def test_grad_of_without_a_cotangent_yet_sees_zeros():
    assert adtrans.grad(untouched)(0.5) == pytest.approx(3.0)


def test_run_as_plain_python_grad_of_changes_nothing():
    assert clipped(X3, 0.7) == np.sum(np.tanh(0.7 * X3) * 3.0)
    value, _ = adtrans.value_and_grad(clipped)(X3, 0.7)
    assert value == clipped(X3, 0.7)


def other_with(x):
    with open("/dev/null") as handle:
        handle.read()
    return x


def test_other_with_statements_are_refused():
    with pytest.raises(AdtransError, match="with statement"):
        adtrans.grad(other_with)(0.5)
