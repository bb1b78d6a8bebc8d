"""Calls into the user's own code: helpers, lambdas, nested defs, closures, methods.

adtrans inlines them (calls.py); each case is checked against finite differences
(``check_grads``, which also asserts the function's value bit for bit).
"""

import functools

import numpy as np
import pytest
from helpers import layers

import adtrans
from adtrans import AdtransError
from adtrans.testing import check_grads

X3 = np.array([0.5, -1.2, 0.8])
W23 = np.array([[0.3, -0.2, 0.5], [0.1, 0.4, -0.6]])
B2 = np.array([0.05, -0.1])


def square(x):
    return x * x


def affine(x, slope=2.0, *, offset=1.0):
    return slope * x + offset


def early_exit(x, limit):
    for i in range(5):
        if x > limit:
            return x * i
        x = x * 1.5
    return -x


def apply(f, x):
    return f(x)


def twice(f, x):
    return f(f(x))


def append_to(xs, v):
    xs.append(v * 2.0)


def total(*values, **weights):
    s = 0.0
    for v in values:
        s = s + v * weights.get("w", 1.0)
    return s


# ---------------------------------------------------------------- the callers
def calls_helper(x):
    return square(x) + square(2.0 * x)


def calls_with_defaults_and_keywords(x):
    return affine(x) + affine(x, 3.0) + affine(x, offset=-2.0, slope=0.5)


def calls_early_return_in_loop(x):
    s = 0.0
    for k in range(4):
        s = s + early_exit(x * k, 1.0)
    return s


def calls_other_module(x):
    return np.sum(layers.scaled_tanh(x)) + np.sum(layers.dense(W23, B2, x, np.tanh))


def calls_lambda(x):
    f = lambda t: t ** 3 + 1.0                            # noqa: E731
    return f(x) * f(2.0)


def calls_nested_def_with_closure(x, w):
    def step(h):
        return np.tanh(w * h + x)
    h = 0.5
    for _ in range(3):
        h = step(h)
    return h


def calls_higher_order(x):
    return apply(square, x) + apply(lambda t: np.sin(t) * x, x) + twice(np.exp, x)


def uses_map_filter_reduce(xs):
    squares = list(map(lambda v: v * v, xs))
    positive = list(filter(lambda v: v > 0, xs))
    product = functools.reduce(lambda a, b: a * b, xs, 1.0)
    return sum(squares) + sum(positive) + product


def mutates_through_helper(x):
    xs = []
    append_to(xs, x)
    append_to(xs, x * x)
    return np.sum(np.array(xs))


def calls_varargs(x, y):
    return total(x, y, x * y) + total(x, w=3.0)


def closure_from_factory(x):
    g = layers.make_affine(4.0)
    return g(x) * x


def closure_over_loop_value(x):
    s = 0.0
    for k in range(3):
        s = s + (lambda t: t * k)(x)
    return s


class Model:
    """A user's object: its attributes are constants, its methods are inlined."""

    def __init__(self, scale):
        self.scale = scale
        self.offsets = np.array([0.1, 0.2, 0.3])

    def predict(self, x):
        return np.tanh(self.scale * x + self.offsets)

    def loss(self, x):
        return np.sum(self.predict(x) ** 2)


MODEL = Model(1.5)


def uses_a_global_object(x):
    return MODEL.loss(x) + MODEL.scale


def uses_an_object_argument(model, x):
    return np.sum(model.predict(x)) * model.scale


@pytest.mark.parametrize("f, args, wrt", [
    (calls_helper, (0.7,), 0),
    (calls_with_defaults_and_keywords, (0.7,), 0),
    (calls_early_return_in_loop, (0.6,), 0),
    (calls_other_module, (X3,), 0),
    (calls_lambda, (0.7,), 0),
    (calls_nested_def_with_closure, (0.3, 0.8), (0, 1)),
    (calls_higher_order, (0.7,), 0),
    (uses_map_filter_reduce, (X3,), 0),
    (mutates_through_helper, (0.7,), 0),
    (calls_varargs, (0.7, 1.3), (0, 1)),
    (closure_from_factory, (0.7,), 0),
    (closure_over_loop_value, (0.7,), 0),
    (uses_a_global_object, (X3,), 0),
    (uses_an_object_argument, (MODEL, X3), 1),
], ids=lambda v: getattr(v, "__name__", None))
def test_calls_match_finite_differences(f, args, wrt):
    check_grads(f, *args, wrt=wrt)


def test_an_inlined_call_shows_the_callees_lines():
    text = adtrans.source(adtrans.grad(calls_other_module), X3)
    assert "# dense: h = W @ x + b" in text          # the callee and its own line
    assert "onp" not in text or "tanh" in text


def test_keyword_only_parameter_of_the_differentiated_function():
    check_grads(affine, 0.7, wrt=0)


def recursive(x, n):
    if n == 0:
        return x
    return recursive(x * 1.5, n - 1)


def calls_recursive(x):
    return recursive(x, 3)


def until_large(x):
    """Recursion whose depth depends on the data."""
    if x > 10.0:
        return np.sqrt(x)
    return until_large(x * 1.7) * 1.1 + x


def tree(x, depth):
    if depth == 0:
        return np.sin(x)
    return tree(x * 0.5, depth - 1) + tree(x * 1.5, depth - 1)


def is_even(x, n):
    return x if n == 0 else is_odd(x * 1.1, n - 1)


def is_odd(x, n):
    return -x if n == 0 else is_even(np.tanh(x), n - 1)


@pytest.mark.parametrize("f, args", [
    (calls_recursive, (0.5,)), (until_large, (0.7,)), (until_large, (4.0,)),
    (until_large, (12.0,)), (tree, (0.7, 3)), (is_even, (0.4, 5)),
    (recursive, (np.array([0.5, -1.0]), 2))], ids=lambda v: getattr(v, "__name__", None))
def test_recursion(f, args):
    check_grads(f, *args)


def test_a_recursive_call_reads_as_a_call_of_its_vjp():
    text = adtrans.source(adtrans.grad(recursive), 0.5, 3)
    assert "recursive_call(recursive" in text and "recursive_vjp(" in text


def uses_a_function_as_a_value(x):
    f = lambda t: t * 2.0                                  # noqa: E731
    fs = [f]
    return fs[0](x)


def test_a_function_used_as_a_value_is_refused():
    with pytest.raises(AdtransError, match="used as a value"):
        adtrans.grad(uses_a_function_as_a_value)(0.5)


def test_object_parameters_are_not_differentiated():
    with pytest.raises(AdtransError, match="model"):
        adtrans.grad(uses_an_object_argument, wrt=0)(MODEL, X3)


def orders_by_key(x, w):
    values = [x, x * 2.0, w, -x]
    ranked = sorted(values, key=lambda v: abs(v - 0.3))
    best = max(values, key=lambda v: -abs(v))
    worst = min(values, key=abs)
    return ranked[0] * 2.0 + ranked[-1] + best * worst + sum(sorted(values, reverse=True)[:2])


def test_sorted_max_min_with_keys():
    check_grads(orders_by_key, 0.7, -0.4, wrt=(0, 1))
    check_grads(orders_by_key, -0.2, 1.9, wrt=(0, 1))


def optional_activation(W, x, activation=None):
    z = x @ W
    if activation is None:
        return z
    return activation(z)


SCALE_BRANCH = True


def scaled_by_global(x):
    if SCALE_BRANCH:
        return 2.0 * x
    return x ** 3


def test_a_branch_fixed_by_an_argument_is_compiled_alone():
    """`if activation is None` with the default None: the other branch (which calls None)
    is not compiled; with np.tanh passed, only the other one is."""
    W, x = np.array([[1.0, -0.5], [0.3, 0.8]]), np.array([[0.2, 0.4]])

    def plain(W):
        return np.sum(optional_activation(W, x))

    def squashed(W):
        return np.sum(optional_activation(W, x, np.tanh))

    np.testing.assert_allclose(adtrans.grad(plain)(W), np.repeat(x.T, 2, axis=1))
    check_grads(plain, W)
    check_grads(squashed, W)
    assert "tanh" not in adtrans.source(adtrans.grad(plain), W)


def test_a_branch_on_a_data_global_is_decided_when_run():
    """A module-level flag may change after the gradient is made: it is not folded."""
    global SCALE_BRANCH
    d = adtrans.grad(scaled_by_global)
    assert d(2.0) == 2.0
    SCALE_BRANCH = False
    try:
        assert d(2.0) == 12.0
    finally:
        SCALE_BRANCH = True


class Config:
    def __init__(self, lr, weights, inner=None):
        self.lr = lr
        self.weights = weights
        self.inner = inner


def reads_config_attributes(cfg, x):
    total = cfg.lr + x                         # a float attribute: arithmetic, not concat
    for w in cfg.weights:
        total = total * w + x
    return total + cfg.inner.lr * x


def test_attributes_of_an_object_argument_are_compiled_for_their_kinds():
    cfg = Config(0.5, [1.0, 2.0], inner=Config(3.0, []))
    check_grads(reads_config_attributes, cfg, 0.7, wrt=1)
    d = adtrans.grad(reads_config_attributes, wrt=1)
    assert d(cfg, 0.7) == pytest.approx(8.0)    # d/dx of ((lr + x) + x) * 2 + x + 3x
    # A list where a float was: concatenation, which a number cannot join; the kinds
    # differ, so the gradient is compiled again and refuses instead of adding.
    with pytest.raises((AdtransError, TypeError)):
        d(Config([0.5], [1.0], inner=Config(3.0, [])), 0.7)


def scale_in_place(p, c):
    p *= c
    return 0.0


def extend_in_place(items, v):
    items += [v, v * v]


def changes_the_callers_array(x, a):
    v = a * 1.0
    scale_in_place(v, x)
    s = np.sum(v)                      # Python: v was scaled in place
    w = np.sum(a) * 1.0                # a NumPy scalar: `p *= c` rebinds p only
    scale_in_place(w, x)
    y = 2.0
    scale_in_place(y, x)
    xs = [x]
    extend_in_place(xs, a[0])
    return s + w + y + xs[1] * xs[2] + len(xs)


def shares_the_changed_array(x, a):
    v = a * 1.0
    row = v[1:]
    scale_in_place(v, x)
    return np.sum(row)


def test_a_callee_changing_its_argument_in_place_changes_the_callers_value():
    a = np.array([0.3, -0.5, 1.2])
    assert adtrans.value_and_grad(changes_the_callers_array)(0.7, a)[0] == \
        changes_the_callers_array(0.7, a.copy())
    check_grads(changes_the_callers_array, 0.7, a, wrt=(0, 1))
    check_grads(changes_the_callers_array, -1.3, a, wrt=(0, 1))
    np.testing.assert_array_equal(a, [0.3, -0.5, 1.2])


def test_a_callee_changing_an_array_another_name_shares_is_refused():
    with pytest.raises(AdtransError, match="row"):
        adtrans.grad(shares_the_changed_array)(0.7, np.array([0.3, -0.5, 1.2]))
