"""Idioms users write: adtrans must get each one right or refuse it.

One small function per idiom, drawn from what people write in scientific Python, tutorial
notebooks and autograd / JAX / PyTorch user code (not from what adtrans supports), grouped
by theme.  The contract is the soundness rule: adtrans never returns a silently wrong
number.  For each case (``f``, its arguments, ``wrt``) adtrans must either

* refuse: raise ``adtrans.AdtransError``, when transforming or when the gradient runs.  A
  refusal about a construct in the user's code must point at it: ``exc.filename`` (with
  ``exc.lineno``) or the message names this file.  Cases marked ``located=False`` (the
  function handed to adtrans is itself one of adtrans' gradient functions) accept any
  AdtransError; or
* be right: (1) the value from ``adtrans.value_and_grad`` (scalar outputs) or
  ``adtrans.vjp`` (other outputs) equals ``f(*args)`` bit for bit, with the same dtype for
  arrays (``f`` runs on deep copies, since it may mutate its arguments); (2) the gradient
  (from ``value_and_grad`` and from ``grad`` for scalar outputs, from the pullback with a
  random cotangent otherwise) matches central finite differences in float64, leaf by leaf
  for list / tuple / dict parameters (a list or tuple may also get one stacked array);
  (3) the caller's arguments are unchanged afterwards.

Anything else fails: a wrong value or gradient, a NaN where ``f`` and its finite
differences are finite, any other exception (TypeError, IndexError, ... from adtrans).

``expect`` pins what adtrans does with each case today: "works" (must be right) or
"refused" (must raise; a case moves to "works" when adtrans learns the construct), so a
regression either way fails ("either" accepts both).  Points are chosen away from kinks
and branch switches.
``-s`` prints a table of what adtrans does with each idiom.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import inspect
import io
import logging
import math
import operator
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

import adtrans
from adtrans import AdtransError

THIS_FILE = os.path.abspath(__file__)
EPS = 1e-6
RTOL = 1e-5
ATOL = 1e-6


# ============================================================================ the idioms
# ---------------------------------------------------------------- numbers and operators
def negative_constant_squared(x):
    return x * (-1.3) ** 2


def alternating_series_sin(x):
    total = 0.0
    fact = 1.0
    for k in range(6):
        if k > 0:
            fact = fact * (2 * k) * (2 * k + 1)
        total = total + (-1) ** k * x ** (2 * k + 1) / fact
    return total


def negative_literal_coefficients(x):
    return -2.0 * x ** 3 + -0.5 * x


def negative_constant_cubed(x):
    return (-2.0) ** 3 * x + (-0.5) ** 2 / x


def unary_minus_precedence(x):
    return -x ** 2 + (-x) ** 3


def geometric_series_negative_ratio(x):
    total = 0.0
    for k in range(5):
        total = total + (-0.5) ** k * x ** k
    return total


def gaussian_density(x, mu, sigma):
    return np.exp(-(x - mu) ** 2 / (2 * sigma ** 2)) / np.sqrt(2 * np.pi * sigma ** 2)


def negative_exponent(x):
    return 1.0 / x ** 2 + x ** -0.5


def integer_power_of_array(a):
    return np.sum(a ** 3 - 2 * a ** 2)


def power_of_negative_base(x):
    return x ** 3 + x ** 2


def power_by_int_parameter(x, n):
    return x ** n


def modulo_wrap_angle(theta):
    return np.sin(theta % (2 * np.pi)) * theta


def floor_division_bins(x):
    k = x // 0.5
    return (x - k * 0.5) ** 2 + k


def divmod_split(x):
    whole, frac = divmod(x, 1.0)
    return whole * 2.0 + frac ** 2


# ---------------------------------------------------------------- builtins
def builtin_abs(x):
    return abs(x - 2.0) * x


def builtin_max_as_relu(x):
    return max(x, 0.0) ** 2 + x


def builtin_min_of_list(x, y):
    return min([x, y, 2.0]) * y


def builtin_sum_of_array(a):
    return sum(a * a)


def builtin_sum_of_list(x):
    return sum([x, x * x, 3.0])


def builtin_abs_of_array(a):
    return np.sum(abs(a) ** 3)


def builtin_pow(x):
    return pow(x, 3) + pow(2.0, x)


def builtin_round(x):
    return round(x, 1) + x * x


def builtin_float(x):
    return float(x) * x


def builtin_int(x):
    return int(x) * x + x


def builtin_len(a):
    return np.sum(a) / len(a)


def builtin_sorted(xs):
    s = sorted(xs)
    return s[0] * 2.0 + s[-1] ** 2


def builtin_reversed(a):
    acc = 0.0
    for v in reversed(a):
        acc = acc * 0.5 + v
    return acc


def builtin_map(a):
    return sum(map(np.sin, a))


def functools_reduce_product(xs):
    return functools.reduce(operator.mul, xs)


# ---------------------------------------------------------------- and / or, conditionals
def or_default_value(x):
    y = x or 1.0
    return y * y


def and_or_select(x):
    y = x > 0 and x * 2.0 or -x
    return y * x


def conditional_expression(x):
    y = x * x if x > 0 else -x
    return y + x


def none_default_parameter(x, scale=None):
    if scale is None:
        scale = 2.0
    return x * scale


def chained_comparison_branch(x):
    if 0.0 < x < 1.0:
        return x ** 2
    return x


def string_mode_parameter(w, mode="l2"):
    if mode == "l2":
        return np.sum(w ** 2)
    return np.sum(np.abs(w))


# ---------------------------------------------------------------- lists
def list_append_then_np_array(x):
    xs = []
    for i in range(3):
        xs.append(x * i)
    return np.sum(np.array(xs) ** 2)


def list_append_then_sum(x):
    terms = []
    for k in range(1, 4):
        terms.append(x ** k / k)
    return sum(terms)


def list_append_then_index(x):
    history = []
    h = x
    for _ in range(3):
        h = np.sin(h)
        history.append(h)
    return history[-1] + history[0]


def list_append_then_unpack(x):
    parts = []
    parts.append(x * 2.0)
    parts.append(x * x)
    a, b = parts
    return a * b


def list_append_then_np_stack(a):
    rows = []
    for k in range(3):
        rows.append(a * k)
    return np.sum(np.stack(rows) ** 2)


def list_append_then_pop(x):
    stack = []
    stack.append(x * 3.0)
    b = stack.pop()
    return b * x


def list_extend(x):
    xs = [x]
    xs.extend([2.0 * x, x * x])
    return xs[1] * xs[2] + xs[0]


def list_insert_front(x):
    xs = [x]
    xs.insert(0, 3.0 * x)
    return xs[0] * 2.0 + xs[1] ** 2


def list_reverse_in_place(x):
    xs = [x, x * x]
    xs.reverse()
    return xs[0] * 3.0 + xs[1]


def list_concatenation(x):
    xs = [x] + [x * x]
    return xs[0] * xs[1] + xs[1]


def list_repetition(x):
    xs = [x] * 3
    return xs[0] + xs[1] * xs[2]


def list_plus_equals(x):
    xs = []
    for k in range(3):
        xs += [x * k]
    return sum(xs)


def list_slice_read(x):
    xs = [x, 2.0 * x, x * x]
    a, b = xs[1:]
    return a * b


def list_literal_index(x):
    v = [x, x * x, 3.0]
    return v[1] * v[0] + v[2]


def tuple_literal_unpack(x):
    pair = (x, 2.0 * x)
    a, b = pair
    return a * b


def list_item_assignment(x):
    xs = [x, x]
    xs[1] = x * x
    return xs[0] + xs[1]


def del_list_item(x):
    xs = [x, 2.0 * x, x * x]
    del xs[0]
    return xs[0] * xs[1]


def del_name(x):
    t = x * 2.0
    y = t + 1.0
    del t
    return y * y


def np_array_from_scalars(x):
    v = np.array([x, x ** 2, 1.0])
    return np.sum(v * v)


def np_array_from_list_of_arrays(a):
    rows = [a, 2.0 * a]
    return np.sum(np.array(rows) ** 2)


# ---------------------------------------------------------------- comprehensions
def list_comprehension(a):
    return sum([v ** 2 for v in a])


def generator_in_sum(xs):
    return sum(x ** 2 for x in xs)


def comprehension_to_np_array(x):
    powers = np.array([x ** k for k in range(4)])
    return np.sum(powers)


def dict_comprehension(params):
    scaled = {k: v * 2.0 for k, v in params.items()}
    return np.sum(scaled["W"] ** 2) + np.sum(scaled["b"])


# ---------------------------------------------------------------- dicts
def dict_literal_read(x):
    d = {"a": x, "b": x * x}
    return d["a"] * d["b"]


def dict_item_assignment(x):
    cache = {}
    cache["h"] = np.tanh(x)
    return cache["h"] * 2.0


def dict_update_keyword(x):
    d = {"k": 1.0}
    d.update(k=x)
    return d["k"] * 2.0


def dict_get_default(x, opts):
    return x * opts.get("scale", 1.0) + x * x * opts.get("shift", 0.5)


def dict_param_mlp(params, x):
    h = np.tanh(params["W"] @ x + params["b"])
    return np.sum(h ** 2)


def dict_iterate_keys(d):
    total = 0.0
    for k in d:
        total = total + np.sum(d[k] ** 2)
    return total


def dict_items_l2_penalty(params):
    penalty = 0.0
    for name, w in params.items():
        penalty = penalty + np.sum(w ** 2)
    return penalty


def dict_keys_method(params):
    total = 0.0
    for k in params.keys():  # noqa: SIM118  (the idiom under test)
        total = total + np.sum(np.sin(params[k]))
    return total


def dict_values_loop(params):
    total = 0.0
    for w in params.values():
        total = total + np.sum(w) ** 2
    return total


# ---------------------------------------------------------------- list / tuple parameters
def list_param_of_floats(ws):
    return ws[0] * ws[1] + ws[2] ** 2


def list_param_loop(ws, x):
    total = 0.0
    for w in ws:
        total = total + w * x ** 2
    return total


def tuple_param_of_floats(p):
    a, b = p
    return a * b ** 2


def nested_dict_param(params, x):
    h = np.tanh(params["hidden"]["W"] @ x)
    return np.sum(params["out"]["w"] * h)


def list_param_to_np_array(ws):
    v = np.array(ws)
    return np.sum(v ** 3)


def tuple_param_unpack(params, x):
    W, b = params
    return np.sum(np.tanh(W @ x + b))


def tuple_of_shapes_loop(W1, W2, x):
    h = x
    for W in (W1, W2):
        h = np.tanh(W @ h)
    return np.sum(h)


def list_of_layers_param(layers, x):
    for W, b in layers:
        x = np.tanh(W @ x + b)
    return np.sum(x ** 2)


def varargs_parameters(*xs):
    total = 0.0
    for x in xs:
        total = total + x * x
    return total


def keyword_only_parameter(x, *, scale=2.0):
    return x * x * scale


# ---------------------------------------------------------------- loops, enumerate, zip
def enumerate_loop(a):
    total = 0.0
    for i, v in enumerate(a):
        total = total + i * v ** 2
    return total


def zip_squared_error(w, xs, ys):
    loss = 0.0
    for xi, yi in zip(xs, ys):
        loss = loss + (w * xi - yi) ** 2
    return loss


def zip_three_arrays(a, b, c):
    s = 0.0
    for u, v, w in zip(a, b, c):
        s = s + u * v * w
    return s


def enumerate_zip(xs, ws):
    total = 0.0
    for i, (x, w) in enumerate(zip(xs, ws)):
        total = total + (i + 1) * x * w
    return total


def enumerate_start_one(a):
    total = 0.0
    for k, v in enumerate(a, 1):
        total = total + v / k
    return total


def zip_star_transpose(x):
    pairs = [(x, 1.0), (2.0 * x, 3.0)]
    xs, ys = zip(*pairs)
    return sum(xs) * ys[1]


def range_len_index(a, w):
    s = 0.0
    for i in range(len(a)):
        s = s + a[i] * w ** i
    return s


def nested_loops_over_rows(W, x):
    total = 0.0
    for row in W:
        for j in range(len(row)):
            total = total + row[j] * x[j] ** 2
    return total


def rnn_over_sequence(W, U, xs):
    h = np.zeros(2)
    for x in xs:
        h = np.tanh(W @ h + U @ x)
    return np.sum(h)


def fixed_point_newton_sqrt(a):
    x = a
    for _ in range(8):
        x = 0.5 * (x + a / x)
    return x


def while_loop_counter(x):
    n = 0
    while n < 4:
        x = x * 1.5 - 0.1
        n += 1
    return x


def early_return_in_loop(a):
    for v in a:
        if v > 1.0:
            return v * 2.0
    return 0.0


def break_and_continue(a):
    total = 0.0
    for v in a:
        if v < 0:
            continue
        if total > 3.0:
            break
        total = total + v ** 2
    return total


def for_else_clause(a):
    for v in a:
        if v > 10.0:
            break
    else:
        return np.sum(a ** 2)
    return 0.0


def swap_tuple_assignment(x, y):
    a, b = x, y
    for _ in range(3):
        a, b = b, a * b
    return a + b


def augmented_assignment_accumulate(x):
    total = 0.0
    for k in range(1, 4):
        total += x ** k
        total *= 0.5
    return total


def annotated_assignment(x):
    y: float = x * 2.0
    return y ** 2


def piecewise_huber(r, delta=1.0):
    if abs(r) <= delta:
        return 0.5 * r ** 2
    elif r > 0:
        return delta * (r - 0.5 * delta)
    else:
        return -delta * (r + 0.5 * delta)


# ---------------------------------------------------------------- index reads
def negative_index(a):
    return a[-1] * a[0]


def slice_read(a):
    return np.sum(a[1:3] ** 2)


def fancy_index_read(a):
    return np.sum(a[[0, 2, 2]] ** 2)


def newaxis_outer_product(a):
    return np.sum(a[:, None] * a[None, :])


def matrix_row_and_column(W):
    return np.sum(W[:, 0] ** 2) + np.sum(W[1, :] ** 3)


def ellipsis_index(X):
    return np.sum(X[..., 0] ** 2)


def reversed_slice(a):
    return np.sum(a[::-1] * np.arange(3.0)) + a[::2] @ a[::2]


def boolean_mask_index(x):
    return np.sum(x[x > 0] ** 2)


def where_one_argument_indices(x):
    positive = np.where(x > 0)[0]        # np.where(c) is np.nonzero(c)
    return np.sum(x[positive] ** 2) + len(positive) * x[0]


def ufunc_methods(x):
    pairwise = np.multiply.outer(x, x)
    return np.add.reduce(pairwise, axis=1) @ x + np.logaddexp.reduce(x)


def item_of_an_element(x):
    return x[0].item() * 2.0 + x[1]


# ---------------------------------------------------------------- index writes, in place
def index_write(x, w):
    y = np.zeros(3)
    y[1] = x
    return np.sum(y * w)


def index_write_loop(a):
    out = np.zeros(3)
    for i in range(3):
        out[i] = np.sin(a[i]) * a[i]
    return np.sum(out)


def slice_augmented_write(a, x):
    y = a.copy()
    y[1:] += x
    return np.sum(y ** 2)


def mask_write_relu(a):
    y = a.copy()
    y[y < 0] = 0.0
    return np.sum(y ** 2)


def augmented_assign_on_parameter(a):
    a *= 2.0
    return np.sum(a ** 2)


def view_slice_then_in_place(a):
    y = a.copy()
    v = y[:2]
    v *= 3.0
    return np.sum(y ** 2)


def transpose_view_then_in_place(W):
    M = W.copy()
    t = M.T
    t *= 2.0
    return np.sum(M ** 3)


def reshape_view_then_in_place(W):
    M = W.copy()
    flat = M.reshape(-1)
    flat *= 0.5
    return np.sum(M ** 3)


# ---------------------------------------------------------------- mutating methods, out=
# (ndarray.itemset, the other classic, was removed in NumPy 2.0; put covers it.)
def sort_method_in_place(a):
    y = a.copy()
    y.sort()
    return y[0] * 2.0 + y[-1] ** 2


def fill_method(a, w):
    y = np.empty(3)
    y.fill(a)
    return np.sum(y * w)


def put_method(x):
    y = np.zeros(4)
    y.put([0, 2], x)
    return np.sum(y ** 2 * np.arange(1.0, 5.0))


def np_put(a):
    y = np.zeros(4)
    np.put(y, [1, 3], a)
    return np.sum(y ** 2 * np.arange(4))


def np_place(a, v):
    y = a.copy()
    np.place(y, y < 0, v)
    return np.sum(y ** 2)


def out_argument_multiply(a):
    y = np.empty_like(a)
    np.multiply(a, a, out=y)
    return np.sum(y)


def out_argument_assigned(a):
    y = np.zeros(3)
    y = np.add(a, 1.0, out=y)
    return np.sum(y ** 2)


def out_argument_same_array(a):
    y = a * 2.0
    np.exp(y, out=y)
    return np.sum(y)


def np_copyto(a):
    y = np.zeros(3)
    np.copyto(y, a * 2.0)
    return np.sum(y * a)


def np_add_at_scatter(x):
    y = np.zeros(3)
    np.add.at(y, [0, 0, 2], x)
    return np.sum(y ** 2)


# ---------------------------------------------------------------- implicit reads and writes
class State:
    """A plain attribute holder, as users write for model state."""


def eval_expression(x):
    return eval("x * x")


def exec_statement(x):
    scope = locals()
    exec("y = x * 3.0", globals(), scope)
    return scope["y"] * x


def locals_read(x):
    y = x * 2.0
    return locals()["y"] + x


def vars_read(x):
    y = x * x
    return vars()["y"] * 3.0


_STASH = 0.0


def globals_write(x):
    globals()["_STASH"] = x * 2.0
    return _STASH * x


def globals_read_constant(x):
    return globals()["SCALE"] * x ** 2


def getattr_activation(x, name="tanh"):
    act = getattr(np, name)
    return np.sum(act(x))


def setattr_state(x, name="h"):
    state = State()
    setattr(state, name, x * x)
    return state.h + x


def attribute_assignment(x):
    state = State()
    state.h = np.tanh(x)
    return state.h * 2.0


# ---------------------------------------------------------------- arrays made from parameters
def linspace_endpoints(a, b):
    t = np.linspace(a, b, 5)
    return np.sum(t ** 2)


def full_of_parameter(a):
    return np.sum(np.full(3, a) * np.array([1.0, 2.0, 3.0]))


def full_like_parameter(x, a):
    return np.sum(np.full_like(x, a) * x)


def arange_from_parameter(a):
    return np.sum(np.arange(a, a + 2.5) ** 2)


def ones_like_times(x):
    return np.sum(np.ones_like(x) * x ** 2)


def zeros_like_accumulate(x):
    acc = np.zeros_like(x)
    for k in range(3):
        acc = acc + x ** k
    return np.sum(acc)


def eye_scaled(a):
    return np.sum(np.eye(3) * a + a ** 2)


def r_concatenate(x):
    return np.r_[x, 2.0 * x]


def c_columns(x):
    return np.c_[x, x * x]


# ---------------------------------------------------------------- NumPy functions
def softmax(x):
    z = x - np.max(x)
    e = np.exp(z)
    return e / np.sum(e)


def logsumexp(x):
    m = np.max(x)
    return m + np.log(np.sum(np.exp(x - m)))


def standardize_columns(X):
    Z = (X - X.mean(axis=0, keepdims=True)) / X.std(axis=0, keepdims=True)
    return np.sum(Z ** 3)


def mlp_matmul_loss(W, b, x):
    return np.mean(np.maximum(W @ x + b, 0.0) ** 2)


def leaky_relu_where(x):
    return np.sum(np.where(x > 0, x, 0.01 * x) ** 2)


def norm_and_cumsum(x):
    return np.linalg.norm(np.cumsum(x)) + np.dot(x, x)


def method_chain_sum_dot(x):
    return (x ** 2).sum() + x.dot(x) * x.mean()


def np_power_square(x):
    return np.sum(np.power(x, 3) + np.square(x))


def np_stack(x):
    return np.stack([x, x ** 2])


def np_concatenate(x):
    return np.concatenate([x, np.sin(x)])


def np_hstack(x):
    return np.sum(np.hstack([x, x ** 2]) ** 2)


def np_vstack(x):
    return np.vstack([x, np.cos(x)])


def np_einsum(W, x):
    return np.einsum("ij,j->i", W, x)


def np_percentile(x):
    return np.percentile(x, 50.0) * 2.0


def np_median(x):
    return np.median(x ** 2)


def np_sort(x):
    return np.sort(x) * np.arange(1.0, 5.0)


def np_linalg_solve(A, b):
    return np.sum(np.linalg.solve(A, b) ** 2)


# ---------------------------------------------------------------- math module
def math_log(x):
    return math.log(x) * x


def math_log_base(x):
    return math.log(x, 2) + x


def math_pow(x):
    return math.pow(x, 2.5)


def math_hypot(x, y):
    return math.hypot(x, y)


def math_fsum(x):
    return math.fsum([x, x * x, 0.1])


def math_exp_sqrt(x):
    return math.exp(x) * math.sqrt(x)


def math_pi_constant(r):
    return math.pi * r ** 2


# ---------------------------------------------------------------- conversions and masks
def item_method(a):
    s = np.sum(a ** 2)
    return s.item() * 2.0


def tolist_then_sum(a):
    return sum(a.tolist()) * a[0]


def float_of_element(a):
    return float(a[0]) * a[1]


def np_float64_wrap(x):
    return np.float64(x) * x


def astype_float64(a):
    return np.sum(a.astype(np.float64) ** 2)


def mask_comparison_times(x):
    return np.sum((x > 0) * x ** 2)


def mask_astype_float(x):
    return np.sum((x > 0).astype(float) * x)


def float_of_comparison(x):
    return float(x > 0) * x


# ---------------------------------------------------------------- stop_gradient
def stop_gradient_detach(x):
    return adtrans.stop_gradient(x) * x


def straight_through_round(x):
    return x + adtrans.stop_gradient(np.round(x) - x)


# ---------------------------------------------------------------- printing and strings
def print_fstring(x):
    y = x * x
    print(f"y = {y:.3f}")
    return y + x


def print_active_value(x):
    loss = np.sum(x ** 2)
    print("loss", loss)
    return loss


def percent_format(x):
    label = "%.2f" % x  # noqa: UP031  (the idiom under test)
    return x * len(label)


def str_format_method(x):
    label = "{:.3f}".format(x)  # noqa: UP032  (the idiom under test)
    return x * len(label)


def logging_call(x):
    loss = x ** 2
    logging.getLogger("idioms").debug("loss %.4f", loss)
    return loss


_HISTORY: list[float] = []


def append_to_global_history(x):
    loss = x ** 2
    _HISTORY.append(loss)
    return loss


# ---------------------------------------------------------------- asserts and type checks
def assert_positive(x):
    assert x > 0, "x must be positive"
    return np.log(x)


def assert_shapes(W, x):
    assert W.shape[1] == x.shape[0], f"shapes {W.shape} and {x.shape} do not match"
    return np.sum(np.tanh(W @ x))


def isinstance_promote(x):
    if not isinstance(x, np.ndarray):
        x = np.asarray(x)
    return np.sum(x ** 2)


def type_dispatch(x):
    if type(x) is float:
        return x * 3.0
    return np.sum(x) * 3.0


def raise_on_bad_input(x):
    if x < 0:
        raise ValueError("negative input")
    return np.sqrt(x)


# ---------------------------------------------------------------- functions, lambdas, closures
def _square(v):
    return v * v


def _affine(v, w=2.0, b=0.5):
    return w * v + b


def helper_function_call(x):
    return _square(x) + x


def helper_keyword_arguments(x):
    return _square(_affine(x, b=1.0))


def lambda_in_map(a):
    return sum(map(lambda v: v * v, a))


def lambda_sort_key(xs):
    ordered = sorted(xs, key=lambda v: abs(v))
    return ordered[0] * 3.0 + ordered[-1]


def nested_def_helper(x):
    def inner(t):
        return t * t + 1.0

    return inner(x) * x


def nested_def_closure(x):
    def scaled(t):
        return t * x

    return scaled(3.0) + scaled(x)


def recursive_power(x, n=3):
    if n == 0:
        return 1.0
    return x * recursive_power(x, n - 1)


def _doubled(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return 2.0 * fn(*args, **kwargs)

    return wrapper


@_doubled
def decorated_with_wraps(x):
    return x * x


def _doubled_without_wraps(fn):
    def wrapper(*args, **kwargs):
        return 2.0 * fn(*args, **kwargs)

    return wrapper


@_doubled_without_wraps
def decorated_without_wraps(x):
    return x * x


@functools.lru_cache(maxsize=128)
def lru_cached(x):
    return x ** 3


# ---------------------------------------------------------------- higher-order derivatives
def _cube(x):
    return x ** 3


def _sum_of_cubes(a):
    return np.sum(a ** 3)


def _quadratic_loss(w):
    return (w - 3.0) ** 2


_D_SQUARE = adtrans.grad(_square)
_D_QUADRATIC_LOSS = adtrans.grad(_quadratic_loss)
_VALUE_AND_D_CUBE = adtrans.value_and_grad(_cube)


def gradient_called_inside(x):
    slope = _D_SQUARE(x)
    return slope * x


def value_and_grad_called_inside(x):
    value, slope = _VALUE_AND_D_CUBE(x)
    return value + slope * x


def differentiate_through_sgd_step(lr, w):
    w_next = w - lr * _D_QUADRATIC_LOSS(w)
    return _quadratic_loss(w_next)


# ---------------------------------------------------------------- globals and module constants
SCALE = 2.5
WEIGHTS = np.array([0.5, -1.0, 2.0])
CONFIG = {"l2": 0.1}
_TOTAL = 0.0


def module_constant(x):
    return SCALE * x ** 2


def module_array_constant(a):
    return np.dot(WEIGHTS, a) ** 2


def module_config_dict(w):
    return np.sum(w ** 2) * CONFIG["l2"] + np.sum(w)


def global_statement_write(x):
    global _TOTAL
    _TOTAL = 0.0
    for k in range(3):
        _TOTAL = _TOTAL + x * k
    return _TOTAL * x


# ---------------------------------------------------------------- random numbers
def random_normal_seeded(mu):
    np.random.seed(0)
    z = np.random.normal(mu, 1.0, size=3)
    return np.sum(z ** 2)


def additive_noise_seeded(x):
    np.random.seed(0)
    noise = np.random.randn(3)
    return np.sum((x + noise) ** 2)


def reparameterization_default_rng(mu, log_sigma):
    rng = np.random.default_rng(0)
    eps = rng.standard_normal(3)
    z = mu + np.exp(log_sigma) * eps
    return np.sum(z ** 2)


def rng_normal_with_active_mean(mu, sigma):
    rng = np.random.default_rng(1)
    z = rng.normal(mu, sigma, size=4)
    return np.mean(z ** 2)


# ---------------------------------------------------------------- with, try, walrus
def with_errstate(x):
    with np.errstate(divide="ignore"):
        y = np.log(x)
    return np.sum(y)


def try_except_fallback(x):
    try:
        y = math.sqrt(x)
    except ValueError:
        y = 0.0
    return y * x


def try_finally_cleanup(x):
    try:
        y = np.tanh(x)
    finally:
        pass
    return y * x


def walrus_in_condition(x):
    if (y := x * x) > 0.5:
        return y * 2.0
    return y


def walrus_in_while(x):
    n = 0
    while (x := x * 0.5) > 0.1:
        n += 1
    return x * n


# ============================================================================ the table
@dataclass
class Case:
    """One idiom: adtrans differentiates ``f`` at ``args`` with respect to ``wrt``."""

    f: Callable[..., Any]
    args: tuple[Any, ...]
    wrt: Any = 0
    expect: str = "either"          # works | refused | either
    name: str | None = None         # defaults to f's name
    located: bool = True            # a refusal must point at this file
    reference: Callable[..., Any] | None = None   # differentiated by finite differences
                                                  # instead of f (for stop_gradient)

    @property
    def id(self) -> str:
        return self.name or self.f.__name__


A3 = np.array([0.4, -1.3, 0.9])
B3 = np.array([1.1, 0.6, -0.7])
C3 = np.array([0.3, 0.8, -1.2])
A4 = np.array([0.3, 1.2, -0.5, 2.0])
W23 = np.array([[0.5, -0.3, 0.8], [0.1, 0.7, -0.6]])
W43 = np.array([[0.2, -0.4, 0.1], [0.5, 0.3, -0.2], [-0.6, 0.1, 0.4], [0.3, 0.3, -0.1]])
W24 = np.array([[0.1, -0.2, 0.4, 0.3], [-0.5, 0.2, 0.1, 0.6]])
M33 = np.array([[2.0, 0.3, -0.1], [0.4, 1.5, 0.2], [-0.3, 0.1, 1.8]])
X42 = np.array([[0.5, 1.2], [-0.3, 0.8], [1.1, -0.4], [0.2, 0.9]])
PARAMS = {"W": W23, "b": np.array([0.1, -0.2])}
SEQUENCE = [np.array([0.5, -0.2]), np.array([0.1, 0.4]), np.array([-0.3, 0.7])]
LAYERS = [(W43, np.array([0.1, 0.0, -0.1, 0.2])), (W24, np.array([0.05, -0.05]))]
W22 = np.array([[0.5, -0.4], [0.3, 0.2]])
U22 = np.array([[0.7, 0.1], [-0.2, 0.6]])

W, R, E = "works", "refused", "either"

CASES = [
    # numbers and operators
    Case(negative_constant_squared, (0.7,), expect=W),
    Case(alternating_series_sin, (0.8,), expect=W),
    Case(negative_literal_coefficients, (0.7,), expect=W),
    Case(negative_constant_cubed, (0.7,), expect=W),
    Case(unary_minus_precedence, (0.7,), expect=W),
    Case(geometric_series_negative_ratio, (0.7,), expect=W),
    Case(gaussian_density, (0.7, 0.2, 1.3), wrt=(0, 1, 2), expect=W),
    Case(negative_exponent, (1.3,), expect=W),
    Case(integer_power_of_array, (A3,), expect=W),
    Case(power_of_negative_base, (-0.8,), expect=W),
    Case(power_by_int_parameter, (-0.8, 3), expect=W),
    Case(modulo_wrap_angle, (7.0,), expect=W),
    Case(floor_division_bins, (1.3,), expect=W),
    Case(divmod_split, (2.3,), expect=W),
    # builtins
    Case(builtin_abs, (0.5,), expect=W),
    Case(builtin_max_as_relu, (0.7,), expect=W),
    Case(builtin_min_of_list, (0.4, 1.3), wrt=(0, 1), expect=W),
    Case(builtin_sum_of_array, (A3,), expect=W),
    Case(builtin_sum_of_list, (0.7,), expect=W),
    Case(builtin_abs_of_array, (A3,), expect=W),
    Case(builtin_pow, (0.7,), expect=W),
    Case(builtin_round, (0.73,), expect=W),
    Case(builtin_float, (0.7,), expect=W),
    Case(builtin_int, (2.3,), expect=W),
    Case(builtin_len, (A3,), expect=W),
    Case(builtin_sorted, ([0.3, -0.5, 1.2],), expect=W),
    Case(builtin_reversed, (A3,), expect=W),
    Case(builtin_map, (A3,), expect=W),
    Case(functools_reduce_product, ([0.5, 1.5, -2.0],), expect=W),
    # and / or, conditionals
    Case(or_default_value, (0.7,), expect=W),
    Case(and_or_select, (0.7,), expect=W),
    Case(conditional_expression, (0.7,), expect=W),
    Case(none_default_parameter, (0.7,), expect=W),
    Case(chained_comparison_branch, (0.7,), expect=W),
    Case(string_mode_parameter, (A3,), expect=W),
    # lists
    Case(list_append_then_np_array, (0.7,), expect=W),
    Case(list_append_then_sum, (0.7,), expect=W),
    Case(list_append_then_index, (0.7,), expect=W),
    Case(list_append_then_unpack, (0.7,), expect=W),
    Case(list_append_then_np_stack, (A3,), expect=W),
    Case(list_append_then_pop, (0.7,), expect=W),
    Case(list_extend, (0.7,), expect=W),
    Case(list_insert_front, (0.7,), expect=W),
    Case(list_reverse_in_place, (0.7,), expect=W),
    Case(list_concatenation, (0.7,), expect=W),
    Case(list_repetition, (0.7,), expect=W),
    Case(list_plus_equals, (0.7,), expect=W),
    Case(list_slice_read, (0.7,), expect=W),
    Case(list_literal_index, (0.7,), expect=W),
    Case(tuple_literal_unpack, (0.7,), expect=W),
    Case(list_item_assignment, (0.7,), expect=W),
    Case(del_list_item, (0.7,), expect=W),
    Case(del_name, (0.7,), expect=R),
    Case(np_array_from_scalars, (0.7,), expect=W),
    Case(np_array_from_list_of_arrays, (A3,), expect=W),
    # comprehensions
    Case(list_comprehension, (A3,), expect=W),
    Case(generator_in_sum, ([0.5, -1.5, 2.0],), expect=W),
    Case(comprehension_to_np_array, (0.7,), expect=W),
    Case(dict_comprehension, (PARAMS,), expect=W),
    # dicts
    Case(dict_literal_read, (0.7,), expect=W),
    Case(dict_item_assignment, (0.7,), expect=W),
    Case(dict_update_keyword, (0.7,), expect=W),
    Case(dict_get_default, (0.7, {"scale": 3.0}), expect=W),
    Case(dict_param_mlp, (PARAMS, A3), wrt="params", name="dict_param_wrt_dict", expect=W),
    Case(dict_param_mlp, (PARAMS, A3), wrt="x", name="dict_param_wrt_other", expect=W),
    Case(dict_iterate_keys, ({"a": A3, "b": 0.5},), expect=W),
    Case(dict_items_l2_penalty, (PARAMS,), expect=W),
    Case(dict_keys_method, (PARAMS,), expect=W),
    Case(dict_values_loop, (PARAMS,), expect=W),
    # list / tuple parameters
    Case(list_param_of_floats, ([0.5, -1.5, 2.0],), expect=W),
    Case(list_param_loop, ([0.5, -1.5, 2.0], 0.7), wrt="ws", name="list_param_wrt_list", expect=W),
    Case(list_param_loop, ([0.5, -1.5, 2.0], 0.7), wrt="x", name="list_param_wrt_other", expect=W),
    Case(list_param_to_np_array, ([0.5, -1.5, 2.0],), expect=W),
    Case(tuple_param_of_floats, ((0.5, 1.5),), expect=W),
    Case(nested_dict_param, ({"hidden": {"W": W23}, "out": {"w": np.array([0.3, -0.8])}}, A3),
         wrt=(0, 1), expect=W),
    Case(tuple_param_unpack, ((W23, np.array([0.1, -0.2])), A3), wrt="params",
         name="tuple_param_wrt_tuple", expect=W),
    Case(tuple_param_unpack, ((W23, np.array([0.1, -0.2])), A3), wrt="x",
         name="tuple_param_wrt_other", expect=W),
    Case(tuple_of_shapes_loop, (W43, W24, A3), wrt=(0, 1, 2), expect=W),
    Case(list_of_layers_param, (LAYERS, A3), wrt=(0, 1), expect=W),
    Case(varargs_parameters, (0.5, 1.5), expect=R),
    Case(keyword_only_parameter, (0.7,), expect=W),
    # loops, enumerate, zip
    Case(enumerate_loop, (A3,), expect=W),
    Case(zip_squared_error, (0.7, A3, B3), expect=W),
    Case(zip_three_arrays, (A3, B3, C3), wrt=(0, 1, 2), expect=W),
    Case(enumerate_zip, (A3, B3), wrt=(0, 1), expect=W),
    Case(enumerate_start_one, (A3,), expect=W),
    Case(zip_star_transpose, (0.7,), expect=R),
    Case(range_len_index, (A3, 0.7), wrt=(0, 1), expect=W),
    Case(nested_loops_over_rows, (W23, A3), wrt=(0, 1), expect=W),
    Case(rnn_over_sequence, (W22, U22, SEQUENCE), wrt=(0, 1), expect=W),
    Case(fixed_point_newton_sqrt, (2.0,), expect=W),
    Case(while_loop_counter, (0.7,), expect=W),
    Case(early_return_in_loop, (A4,), expect=W),
    Case(break_and_continue, (A4,), expect=W),
    Case(for_else_clause, (A3,), expect=W),
    Case(swap_tuple_assignment, (0.7, 1.3), wrt=(0, 1), expect=W),
    Case(augmented_assignment_accumulate, (0.7,), expect=W),
    Case(annotated_assignment, (0.7,), expect=W),
    Case(piecewise_huber, (1.7,), expect=W),
    # index reads
    Case(negative_index, (A3,), expect=W),
    Case(slice_read, (A4,), expect=W),
    Case(fancy_index_read, (A3,), expect=W),
    Case(newaxis_outer_product, (A3,), expect=W),
    Case(matrix_row_and_column, (W23,), expect=W),
    Case(ellipsis_index, (X42,), expect=W),
    Case(reversed_slice, (A3,), expect=W),
    Case(boolean_mask_index, (A4,), expect=W),
    Case(where_one_argument_indices, (A4,), expect=W),
    Case(item_of_an_element, (A3,), expect=R),
    Case(ufunc_methods, (A3,), expect=W),
    # index writes, in place
    Case(index_write, (0.7, B3), expect=W),
    Case(index_write_loop, (A3,), expect=W),
    Case(slice_augmented_write, (A3, 0.7), wrt=(0, 1), expect=W),
    Case(mask_write_relu, (A4,), expect=W),
    Case(augmented_assign_on_parameter, (A3,), expect=W),
    Case(view_slice_then_in_place, (A3,), expect=R),
    Case(transpose_view_then_in_place, (W23,), expect=R),
    Case(reshape_view_then_in_place, (W23,), expect=R),
    # mutating methods, out=
    Case(sort_method_in_place, (A3,), expect=R),
    Case(fill_method, (0.7, B3), expect=R),
    Case(put_method, (0.7,), expect=R),
    Case(np_put, (np.array([0.5, -1.5]),), expect=R),
    Case(np_place, (A4, np.array([0.7])), wrt=(0, 1), expect=R),
    Case(out_argument_multiply, (A3,), expect=R),
    Case(out_argument_assigned, (A3,), expect=R),
    Case(out_argument_same_array, (A3,), expect=R),
    Case(np_copyto, (A3,), expect=R),
    Case(np_add_at_scatter, (A3,), expect=R),
    # implicit reads and writes
    Case(eval_expression, (0.7,), expect=R),
    Case(exec_statement, (0.7,), expect=R),
    Case(locals_read, (0.7,), expect=R),
    Case(vars_read, (0.7,), expect=R),
    Case(globals_write, (0.7,), expect=R),
    Case(globals_read_constant, (0.7,), expect=R),
    Case(getattr_activation, (A3,), expect=R),
    Case(setattr_state, (0.7,), expect=R),
    Case(attribute_assignment, (0.7,), expect=R),
    # arrays made from parameters
    Case(linspace_endpoints, (0.3, 1.7), wrt=(0, 1), expect=W),
    Case(full_of_parameter, (0.7,), expect=W),
    Case(full_like_parameter, (B3, 0.7), wrt=(0, 1), expect=W),
    Case(arange_from_parameter, (0.5,), expect=W),
    Case(ones_like_times, (A3,), expect=W),
    Case(zeros_like_accumulate, (A3,), expect=W),
    Case(eye_scaled, (0.7,), expect=W),
    Case(r_concatenate, (A3,), expect=W),
    Case(c_columns, (A3,), expect=W),
    # NumPy functions
    Case(softmax, (A3,), expect=W),
    Case(logsumexp, (A3,), expect=W),
    Case(standardize_columns, (X42,), expect=W),
    Case(mlp_matmul_loss, (W23, np.array([0.1, -0.2]), A3), wrt=(0, 1, 2), expect=W),
    Case(leaky_relu_where, (A3,), expect=W),
    Case(norm_and_cumsum, (A3,), expect=W),
    Case(method_chain_sum_dot, (A3,), expect=W),
    Case(np_power_square, (A3,), expect=W),
    Case(np_stack, (A3,), expect=W),
    Case(np_concatenate, (A3,), expect=W),
    Case(np_hstack, (A3,), expect=W),
    Case(np_vstack, (A3,), expect=W),
    Case(np_einsum, (W23, A3), wrt=(0, 1), expect=W),
    Case(np_percentile, (A4,), expect=W),
    Case(np_median, (A3,), expect=W),
    Case(np_sort, (A4,), expect=W),
    Case(np_linalg_solve, (M33, A3), wrt=(0, 1), expect=W),
    # math module
    Case(math_log, (0.7,), expect=W),
    Case(math_log_base, (0.7,), expect=W),
    Case(math_pow, (0.7,), expect=W),
    Case(math_hypot, (0.7, 1.3), wrt=(0, 1), expect=W),
    Case(math_fsum, (0.7,), expect=W),
    Case(math_exp_sqrt, (0.7,), expect=W),
    Case(math_pi_constant, (0.7,), expect=W),
    # conversions and masks
    Case(item_method, (A3,), expect=R),
    Case(tolist_then_sum, (A3,), expect=R),
    Case(float_of_element, (A3,), expect=W),
    Case(np_float64_wrap, (0.7,), expect=W),
    Case(astype_float64, (A3,), expect=W),
    Case(mask_comparison_times, (A3,), expect=W),
    Case(mask_astype_float, (A3,), expect=W),
    Case(float_of_comparison, (0.7,), expect=W),
    # stop_gradient: finite differences of f with the stopped value held constant
    Case(stop_gradient_detach, (0.7,), expect=W, reference=lambda x: 0.7 * x),
    Case(straight_through_round, (0.7,), expect=W, reference=lambda x: x + (1.0 - 0.7)),
    # printing and strings
    Case(print_fstring, (0.7,), expect=W),
    Case(print_active_value, (A3,), expect=W),
    Case(percent_format, (0.7,), expect=W),
    Case(str_format_method, (0.7,), expect=W),
    Case(logging_call, (0.7,), expect=W),
    Case(append_to_global_history, (0.7,), expect=W),
    # asserts and type checks
    Case(assert_positive, (0.7,), expect=W),
    Case(assert_shapes, (W23, A3), wrt=(0, 1), expect=W),
    Case(isinstance_promote, (A3,), expect=W),
    Case(type_dispatch, (0.7,), expect=W),
    Case(raise_on_bad_input, (0.7,), expect=W),
    # functions, lambdas, closures
    Case(helper_function_call, (0.7,), expect=W),
    Case(helper_keyword_arguments, (0.7,), expect=W),
    Case(lambda x: x ** 2 + 3.0 * x, (0.7,), name="lambda_differentiated", expect=W),
    Case(lambda_in_map, (A3,), expect=W),
    Case(lambda_sort_key, ([0.3, -0.5, 1.2],), expect=W),
    Case(nested_def_helper, (0.7,), expect=W),
    Case(nested_def_closure, (0.7,), expect=W),
    Case(recursive_power, (0.7,), expect=W),
    Case(decorated_with_wraps, (0.7,), expect=R),
    Case(decorated_without_wraps, (0.7,), name="decorated_without_wraps", expect=R),
    Case(lru_cached, (0.7,), expect=R),
    # higher-order derivatives (the harness also calls adtrans.grad(f): grad of grad)
    Case(adtrans.grad(_cube), (0.7,), name="grad_of_grad", located=False, expect=R),
    Case(adtrans.grad(_sum_of_cubes), (A3,), name="vjp_of_grad", located=False, expect=R),
    Case(value_and_grad_called_inside, (0.7,), expect=R),
    Case(gradient_called_inside, (0.7,), expect=R),
    Case(differentiate_through_sgd_step, (0.1, 0.5), wrt=(0, 1), expect=R),
    # globals and module constants
    Case(module_constant, (0.7,), expect=W),
    Case(module_array_constant, (A3,), expect=W),
    Case(module_config_dict, (A3,), expect=W),
    Case(global_statement_write, (0.7,), expect=R),
    # random numbers
    Case(random_normal_seeded, (0.7,), expect=R),
    Case(additive_noise_seeded, (A3,), expect=W),
    Case(reparameterization_default_rng, (0.7, -0.3), wrt=(0, 1), expect=W),
    Case(rng_normal_with_active_mean, (0.7, 1.3), wrt=(0, 1), expect=R),
    # with, try, walrus
    Case(with_errstate, (A3 ** 2,), expect=R),
    Case(try_except_fallback, (0.7,), expect=R),
    Case(try_finally_cleanup, (0.7,), expect=R),
    Case(walrus_in_condition, (0.9,), expect=R),
    Case(walrus_in_while, (1.7,), expect=R),
]


# ============================================================================ the checks
class Refused(Exception):
    """adtrans raised AdtransError; carries it and any wrong numbers seen before."""


def _first_line(text: object) -> str:
    lines = str(text).strip().splitlines()
    return lines[0] if lines else ""


def _short(value: Any) -> str:
    try:
        return np.array2string(np.asarray(value, dtype=float), precision=6, threshold=8,
                               separator=", ").replace("\n", "")
    except (TypeError, ValueError):
        return f"{type(value).__name__} {value!r}"[:80]


def _is_leaf(value: Any) -> bool:
    """A differentiable leaf: a float, a NumPy float scalar or a float array."""
    if isinstance(value, (bool, int, np.integer, np.bool_)):
        return False
    if isinstance(value, (float, np.floating)):
        return True
    return isinstance(value, np.ndarray) and value.dtype.kind == "f"


def _with_leaf(obj: Any, path: tuple[Any, ...], leaf: Any) -> Any:
    """``obj`` with the leaf at ``path`` replaced (containers rebuilt, not mutated)."""
    if not path:
        return leaf
    head, rest = path[0], path[1:]
    if isinstance(obj, dict):
        new = dict(obj)
        new[head] = _with_leaf(obj[head], rest, leaf)
        return new
    items = list(obj)
    items[head] = _with_leaf(obj[head], rest, leaf)
    return tuple(items) if isinstance(obj, tuple) else items


def _numerical(f: Callable[..., Any], args: tuple[Any, ...], position: int, cotangent: Any,
               obj: Any, path: tuple[Any, ...] = ()) -> Any:
    """Central differences of sum(cotangent * f(*args)), shaped like args[position]."""
    if isinstance(obj, dict):
        return {k: _numerical(f, args, position, cotangent, v, path + (k,))
                for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        parts = [_numerical(f, args, position, cotangent, v, path + (i,))
                 for i, v in enumerate(obj)]
        return tuple(parts) if isinstance(obj, tuple) else parts
    if not _is_leaf(obj):
        return None
    base = np.array(obj, dtype=float)
    grad = np.zeros(base.shape)
    for index in np.ndindex(base.shape):
        values = []
        for step in (EPS, -EPS):
            moved = base.copy()
            moved[index] += step
            if isinstance(obj, np.ndarray):
                leaf: Any = moved.astype(obj.dtype)
            elif isinstance(obj, np.generic):
                leaf = type(obj)(moved[()])
            else:
                leaf = float(moved[()])
            shifted = list(copy.deepcopy(args))
            shifted[position] = _with_leaf(shifted[position], path, leaf)
            out = f(*shifted)
            values.append(np.sum(np.asarray(cotangent) * np.asarray(out, dtype=float)))
        grad[index] = (values[0] - values[1]) / (2 * EPS)
    return grad


def _magnitude(fd: Any) -> float:
    if isinstance(fd, dict):
        return max([_magnitude(v) for v in fd.values()], default=0.0)
    if isinstance(fd, (list, tuple)):
        return max([_magnitude(v) for v in fd], default=0.0)
    if fd is None:
        return 0.0
    return float(np.max(np.abs(fd), initial=0.0))


def _compare_gradient(got: Any, fd: Any, arg: Any, label: str, atol: float,
                      problems: list[str]) -> None:
    """Append a line to ``problems`` for each leaf where ``got`` differs from ``fd``."""
    if isinstance(arg, dict):
        if not isinstance(got, dict) or set(got) != set(arg):
            problems.append(f"gradient wrt {label}: the parameter is a dict with keys "
                            f"{sorted(arg)}, the gradient is {_short(got)}")
            return
        for key in arg:
            _compare_gradient(got[key], fd[key], arg[key], f"{label}[{key!r}]", atol, problems)
        return
    if isinstance(arg, (list, tuple)):
        if isinstance(got, (list, tuple)) and len(got) == len(arg):
            for i, item in enumerate(arg):
                _compare_gradient(got[i], fd[i], item, f"{label}[{i}]", atol, problems)
            return
        shapes = {np.shape(item) for item in arg}
        if (isinstance(got, np.ndarray) and len(shapes) == 1 and all(map(_is_leaf, arg))
                and got.shape == np.shape(arg)):
            _compare_gradient(got, np.array(fd), np.array(arg, dtype=float), label, atol,
                              problems)
            return
        problems.append(f"gradient wrt {label}: the parameter is a {type(arg).__name__} of "
                        f"{len(arg)}, the gradient is {_short(got)}")
        return
    if fd is None:
        return
    if got is None or np.shape(got) != np.shape(arg):
        problems.append(f"gradient wrt {label}: shape {np.shape(got)} (got {_short(got)}), "
                        f"expected {np.shape(arg)}")
        return
    try:
        values = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        problems.append(f"gradient wrt {label} is not numeric: {_short(got)}")
        return
    if not np.allclose(values, fd, rtol=RTOL, atol=atol):
        problems.append(f"gradient wrt {label}: expected {_short(fd)}, got {_short(values)}")


def _same_value(got: Any, expected: Any) -> bool:
    if isinstance(expected, (np.ndarray, np.generic)) and (
            np.asarray(got).dtype != expected.dtype
            or isinstance(expected, np.ndarray) != isinstance(got, np.ndarray)):
        return False
    try:
        return bool(np.array_equal(np.asarray(got), np.asarray(expected)))
    except (TypeError, ValueError):
        return False


def _identical(a: Any, b: Any) -> bool:
    """Same structure, same types, same bits (arguments before and after adtrans)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_identical(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(map(_identical, a, b))
    if isinstance(a, (np.ndarray, np.generic)):
        return a.dtype == b.dtype and bool(np.array_equal(a, b, equal_nan=True))
    return a == b or (a != a and b != b)


def _check(case: Case) -> list[str]:
    """Run adtrans on the case; return the wrong numbers found (raise Refused if refused)."""
    f = case.f
    params = list(inspect.signature(f).parameters)
    wrt_items = list(case.wrt) if isinstance(case.wrt, tuple) else [case.wrt]
    positions = [w if isinstance(w, int) else params.index(w) for w in wrt_items]
    labels = [params[p] for p in positions]

    # What Python computes, on copies (f may mutate its arguments).
    expected = f(*copy.deepcopy(case.args))
    scalar = np.ndim(expected) == 0
    cotangent = 1.0 if scalar else np.random.default_rng(0).standard_normal(np.shape(expected))
    reference = case.reference or f
    fds = [_numerical(reference, case.args, p, cotangent, case.args[p]) for p in positions]

    problems: list[str] = []

    def compare(got: Any, how: str) -> None:
        if isinstance(case.wrt, tuple):
            if not isinstance(got, tuple) or len(got) != len(positions):
                problems.append(f"{how}: wrt={case.wrt!r} gave {_short(got)}, not a tuple of "
                                f"{len(positions)}")
                return
            gots = list(got)
        else:
            gots = [got]
        for got_one, fd, p, label in zip(gots, fds, positions, labels):
            atol = ATOL * max(1.0, _magnitude(fd))
            _compare_gradient(got_one, fd, case.args[p], f"{label} ({how})", atol, problems)

    def check_value(got: Any, how: str) -> None:
        if not _same_value(got, expected):
            problems.append(f"value ({how}): expected {expected!r}, got {got!r}")

    args = copy.deepcopy(case.args)
    try:
        if scalar:
            value, grads = adtrans.value_and_grad(f, wrt=case.wrt)(*args)
            check_value(value, "value_and_grad")
            compare(grads, "value_and_grad")
            compare(adtrans.grad(f, wrt=case.wrt)(*args), "grad")
        else:
            output, pullback = adtrans.vjp(f, *args, wrt=case.wrt)
            check_value(output, "vjp")
            compare(pullback(cotangent), "vjp")
    except AdtransError as exc:
        raise Refused(exc, problems) from exc
    if not _identical(args, case.args):
        problems.append(f"adtrans changed the caller's arguments: {_short(args)}")
    return problems


def _names_this_file(exc: AdtransError) -> bool:
    if exc.filename is not None and os.path.abspath(exc.filename) == THIS_FILE:
        return exc.lineno is not None
    return os.path.basename(THIS_FILE) in str(exc)


def run_case(case: Case) -> tuple[str, str]:
    """('correct' | 'refused' | 'failed', what happened)."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            problems = _check(case)
    except Refused as refused:
        exc, problems = refused.args
        if problems:
            return "failed", f"{problems[0]} (then refused: {_first_line(exc)})"
        if case.located and not _names_this_file(exc):
            return "failed", f"refused without pointing at this file: {_first_line(exc)}"
        return "refused", _first_line(exc)
    except Exception as exc:  # anything but AdtransError from inside adtrans
        return "failed", f"{type(exc).__name__}: {_first_line(exc)}"
    if problems:
        return "failed", problems[0] + (f" (+{len(problems) - 1} more)" if problems[1:] else "")
    return "correct", ""


# ============================================================================ the test
OUTCOMES: dict[str, tuple[str, str, str]] = {}


@pytest.fixture(scope="module", autouse=True)
def summary():
    """After the module, print what adtrans did with each idiom (visible with -s)."""
    yield
    if not OUTCOMES:
        return
    width = max(map(len, OUTCOMES))
    print(f"\n\n{'idiom':<{width}}  expect   outcome  what happened")
    for name, (expect, outcome, detail) in OUTCOMES.items():
        print(f"{name:<{width}}  {expect:<7}  {outcome:<7}  {detail}"[:240])
    counts = {k: sum(o == k for _, o, _ in OUTCOMES.values())
              for k in ("correct", "refused", "failed")}
    print(f"\n{len(OUTCOMES)} idioms: " + ", ".join(f"{n} {k}" for k, n in counts.items()))


def test_case_ids_are_unique():
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert all(case.expect in ("works", "refused", "either") for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_idiom(case: Case) -> None:
    outcome, detail = run_case(case)
    OUTCOMES[case.id] = (case.expect, outcome, detail)
    assert outcome != "failed", detail
    if case.expect == "works":
        assert outcome == "correct", f"expected to work, refused: {detail}"
    elif case.expect == "refused":
        assert outcome == "refused", "expected a refusal, got a correct result"
