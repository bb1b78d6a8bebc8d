"""The closed world's tables are checked, not trusted.

* Every function and method adtrans treats as piecewise constant is run
  against finite differences at random points: its derivative with respect to
  every float argument must be zero there.  (np.linspace, once wrongly in that
  table, fails the same check: see ``test_the_check_catches_a_differentiable_function``.)
* Every function adtrans treats as non-numeric returns no number.
* Functions without effect on the result return None; functions that reach
  variables implicitly, and in-place writers, are refused where they could
  touch a value that carries a gradient.

Each table entry needs an example call below; ``test_every_entry_has_an_example``
fails when one is added without.
"""

from __future__ import annotations

import copy
import logging
import math
import operator
import re
import warnings

import numpy as np
import pytest

import adtrans
from adtrans import AdtransError
from adtrans.closed_world import callable_name
from adtrans.rules import registry
from adtrans.runtime import along_axis_index, changes_in_place, first_extremum, stable_order

RNG = np.random.default_rng(7)


def vector(n=5, lo=-3.0, hi=3.0):
    return RNG.uniform(lo, hi, n)


def scalar(lo=-3.0, hi=3.0):
    return float(RNG.uniform(lo, hi))


# function -> (call, arguments); the call receives the arguments and may fix others.
PIECEWISE_EXAMPLES = {
    np.nanargmax: (lambda v: np.nanargmax(np.where(v > 2, np.nan, v)), lambda: (vector(),)),
    np.nanargmin: (lambda v: np.nanargmin(np.where(v > 2, np.nan, v)), lambda: (vector(),)),
    np.isin: (lambda v, w: np.isin(np.round(v), np.round(w)), lambda: (vector(), vector())),
    np.indices: (lambda: np.indices((2, 3)), lambda: ()),
    np.tri: (lambda k: np.tri(3, 4, int(k)), lambda: (scalar(),)),
    np.tril_indices: (lambda: np.tril_indices(3, 1), lambda: ()),
    np.triu_indices: (lambda: np.triu_indices(3, -1, 4), lambda: ()),
    np.tril_indices_from: (np.tril_indices_from, lambda: (RNG.uniform(-1, 1, (3, 3)),)),
    np.triu_indices_from: (lambda a: np.triu_indices_from(a, 1),
                           lambda: (RNG.uniform(-1, 1, (3, 4)),)),
    np.diag_indices: (lambda: np.diag_indices(3, 2), lambda: ()),
    np.diag_indices_from: (np.diag_indices_from, lambda: (RNG.uniform(-1, 1, (3, 3)),)),
    np.ravel_multi_index: (lambda: np.ravel_multi_index(([0, 2], [1, 3]), (3, 4)), lambda: ()),
    np.unravel_index: (lambda: np.unravel_index([1, 7], (3, 4)), lambda: ()),
    np.lcm: (np.lcm, lambda: (np.arange(1, 6), np.arange(3, 8))),
    np.gcd: (np.gcd, lambda: (np.arange(1, 6), np.arange(3, 8))),
    np.logical_xor: (np.logical_xor, lambda: (vector(), vector())),
    np.bitwise_count: (np.bitwise_count, lambda: (np.arange(5),)),
    operator.eq: (operator.eq, lambda: (scalar(), scalar())),
    operator.floordiv: (operator.floordiv, lambda: (scalar(), scalar(0.5, 2))),
    operator.ge: (operator.ge, lambda: (scalar(), scalar())),
    operator.gt: (operator.gt, lambda: (scalar(), scalar())),
    operator.le: (operator.le, lambda: (scalar(), scalar())),
    operator.lt: (operator.lt, lambda: (scalar(), scalar())),
    operator.ne: (operator.ne, lambda: (scalar(), scalar())),
    operator.not_: (operator.not_, lambda: (scalar(),)),
    operator.truth: (operator.truth, lambda: (scalar(),)),
    all: (lambda v: all(v > 0), lambda: (vector(),)),
    any: (lambda v: any(v > 0), lambda: (vector(),)),
    bool: (bool, lambda: (scalar(),)),
    int: (int, lambda: (scalar(),)),
    len: (len, lambda: (vector(),)),
    round: (round, lambda: (scalar(),)),
    range: (lambda v: list(range(len(v))), lambda: (vector(),)),
    math.ceil: (math.ceil, lambda: (scalar(),)),
    math.floor: (math.floor, lambda: (scalar(),)),
    math.trunc: (math.trunc, lambda: (scalar(),)),
    math.isclose: (math.isclose, lambda: (scalar(), scalar())),
    math.isfinite: (math.isfinite, lambda: (scalar(),)),
    math.isinf: (math.isinf, lambda: (scalar(),)),
    math.isnan: (math.isnan, lambda: (scalar(),)),
    math.comb: (math.comb, lambda: (7, 3)),
    math.factorial: (math.factorial, lambda: (5,)),
    math.gcd: (math.gcd, lambda: (12, 18)),
    math.isqrt: (math.isqrt, lambda: (17,)),
    math.perm: (math.perm, lambda: (7, 3)),
    math.lcm: (math.lcm, lambda: (4, 6)),
    math.ulp: (math.ulp, lambda: (scalar(),)),
    np.all: (lambda v: np.all(v > -10), lambda: (vector(),)),
    np.any: (lambda v: np.any(v > 0), lambda: (vector(),)),
    np.allclose: (np.allclose, lambda: (vector(), vector())),
    np.isclose: (np.isclose, lambda: (vector(), vector())),
    np.array_equal: (np.array_equal, lambda: (vector(), vector())),
    np.array_equiv: (np.array_equiv, lambda: (vector(), vector())),
    np.argmax: (np.argmax, lambda: (vector(),)),
    np.argmin: (np.argmin, lambda: (vector(),)),
    np.argsort: (np.argsort, lambda: (vector(),)),
    np.argpartition: (lambda v: np.argpartition(v, 2), lambda: (vector(),)),
    np.argwhere: (lambda v: np.argwhere(v > 0), lambda: (vector(),)),
    np.flatnonzero: (lambda v: np.flatnonzero(v > 0), lambda: (vector(),)),
    np.nonzero: (lambda v: np.nonzero(v > 0), lambda: (vector(),)),
    np.count_nonzero: (lambda v: np.count_nonzero(v > 0), lambda: (vector(),)),
    np.searchsorted: (lambda a, v: np.searchsorted(np.sort(a), v),
                      lambda: (vector(), vector())),
    np.digitize: (lambda v, b: np.digitize(v, np.sort(b)), lambda: (vector(), vector())),
    np.lexsort: (lambda a, b: np.lexsort((a, b)), lambda: (vector(), vector())),
    np.linalg.matrix_rank: (np.linalg.matrix_rank, lambda: (vector(6).reshape(2, 3),)),
    np.bitwise_and: (np.bitwise_and, lambda: (np.arange(5), np.arange(5, 10))),
    np.bitwise_or: (np.bitwise_or, lambda: (np.arange(5), np.arange(5, 10))),
    np.bitwise_xor: (np.bitwise_xor, lambda: (np.arange(5), np.arange(5, 10))),
    np.invert: (np.invert, lambda: (np.arange(5),)),
    np.left_shift: (np.left_shift, lambda: (np.arange(5), 2)),
    np.right_shift: (np.right_shift, lambda: (np.arange(5), 1)),
    np.ceil: (np.ceil, lambda: (vector(),)),
    np.floor: (np.floor, lambda: (vector(),)),
    np.fix: (np.fix, lambda: (vector(),)),
    np.rint: (np.rint, lambda: (vector(),)),
    np.round: (np.round, lambda: (vector(),)),
    np.around: (np.around, lambda: (vector(),)),
    np.trunc: (np.trunc, lambda: (vector(),)),
    np.sign: (np.sign, lambda: (vector(),)),
    np.signbit: (np.signbit, lambda: (vector(),)),
    np.spacing: (np.spacing, lambda: (vector(),)),
    np.floor_divide: (np.floor_divide, lambda: (vector(), vector(5, 0.5, 2))),
    np.equal: (np.equal, lambda: (vector(), vector())),
    np.not_equal: (np.not_equal, lambda: (vector(), vector())),
    np.greater: (np.greater, lambda: (vector(), vector())),
    np.greater_equal: (np.greater_equal, lambda: (vector(), vector())),
    np.less: (np.less, lambda: (vector(), vector())),
    np.less_equal: (np.less_equal, lambda: (vector(), vector())),
    np.logical_and: (np.logical_and, lambda: (vector(), vector())),
    np.logical_or: (np.logical_or, lambda: (vector(), vector())),
    np.logical_not: (np.logical_not, lambda: (vector(),)),
    np.isfinite: (np.isfinite, lambda: (vector(),)),
    np.isinf: (np.isinf, lambda: (vector(),)),
    np.isnan: (np.isnan, lambda: (vector(),)),
    np.isneginf: (np.isneginf, lambda: (vector(),)),
    np.isposinf: (np.isposinf, lambda: (vector(),)),
    np.isreal: (np.isreal, lambda: (vector(),)),
    np.iscomplex: (np.iscomplex, lambda: (vector(),)),
    np.isrealobj: (np.isrealobj, lambda: (vector(),)),
    np.iscomplexobj: (np.iscomplexobj, lambda: (vector(),)),
    np.isscalar: (np.isscalar, lambda: (scalar(),)),
    np.shape: (np.shape, lambda: (vector(),)),
    np.ndim: (np.ndim, lambda: (vector(),)),
    np.size: (np.size, lambda: (vector(),)),
    np.zeros: (np.zeros, lambda: (4,)),
    np.ones: (np.ones, lambda: (4,)),
    np.eye: (np.eye, lambda: (3,)),
    np.identity: (np.identity, lambda: (3,)),
    np.zeros_like: (np.zeros_like, lambda: (vector(),)),
    np.ones_like: (np.ones_like, lambda: (vector(),)),
    # Unspecified values: only the shape and dtype are determined (by the arguments').
    stable_order: (lambda v: stable_order(list(v)), lambda: (vector(),)),
    along_axis_index: (along_axis_index,
                       lambda: (np.outer(vector(3), vector(4)), np.array([[0], [2], [1]]), 1)),
    first_extremum: (lambda v: (first_extremum(list(v), True), first_extremum(list(v), False)),
                     lambda: (vector(),)),
    np.empty: (lambda n: (np.empty(n).shape, np.empty(n).dtype), lambda: (4,)),
    np.empty_like: (lambda v: (np.empty_like(v).shape, np.empty_like(v).dtype),
                    lambda: (vector(),)),
}

METHOD_EXAMPLES = {
    "all": (lambda v: (v > -10).all(), lambda: (vector(),)),
    "any": (lambda v: (v > 0).any(), lambda: (vector(),)),
    "argmax": (lambda v: v.argmax(), lambda: (vector(),)),
    "argmin": (lambda v: v.argmin(), lambda: (vector(),)),
    "argsort": (lambda v: v.argsort(), lambda: (vector(),)),
    "nonzero": (lambda v: (v > 0).nonzero(), lambda: (vector(),)),
    "count": (lambda v: list(np.round(v)).count(1.0), lambda: (vector(),)),
    "index": (lambda v: list(np.sort(v)).index(np.sort(v)[2]), lambda: (vector(),)),
    "is_integer": (lambda x: x.is_integer(), lambda: (scalar(),)),
}

ATTRIBUTE_EXAMPLES = {name: (lambda v, name=name: getattr(v, name), lambda: (vector(),))
                      for name in registry.PIECEWISE_CONSTANT_ATTRIBUTES}

NON_NUMERIC_EXAMPLES = {
    str: (str, lambda: (scalar(),)),
    repr: (repr, lambda: (vector(),)),
    ascii: (ascii, lambda: (scalar(),)),
    format: (lambda x: format(x, ".3f"), lambda: (scalar(),)),
    bin: (bin, lambda: (5,)),
    hex: (hex, lambda: (5,)),
    oct: (oct, lambda: (5,)),
    chr: (chr, lambda: (65,)),
    type: (type, lambda: (vector(),)),
    isinstance: (lambda x: isinstance(x, float), lambda: (scalar(),)),
    issubclass: (lambda x: issubclass(type(x), float), lambda: (scalar(),)),
    callable: (callable, lambda: (scalar(),)),
    hasattr: (lambda v: hasattr(v, "shape"), lambda: (vector(),)),
    changes_in_place: (changes_in_place, lambda: (vector(),)),
}


def floats_in(args):
    """Positions of the arguments that are floats or float arrays."""
    return [i for i, a in enumerate(args)
            if isinstance(a, float) or (isinstance(a, np.ndarray) and a.dtype.kind == "f")]


def same(a, b) -> bool:
    if isinstance(a, tuple):
        return isinstance(b, tuple) and len(a) == len(b) and all(map(same, a, b))
    return np.array_equal(np.asarray(a), np.asarray(b))


def moves(call, args, eps=1e-6) -> list[str]:
    """Where the result changes under a small step of one float argument element."""
    reference = call(*copy.deepcopy(args))
    moved = []
    for position in floats_in(args):
        for index in np.ndindex(np.shape(args[position])):
            for step in (eps, -eps):
                shifted = list(copy.deepcopy(args))
                if isinstance(shifted[position], float):
                    shifted[position] += step
                else:
                    shifted[position][index] += step
                if not same(call(*shifted), reference):
                    moved.append(f"argument {position}{list(index)} by {step:+g}")
    return moved


def name_of(entry) -> str:
    return entry if isinstance(entry, str) else callable_name(entry)


@pytest.mark.parametrize("entry", list(PIECEWISE_EXAMPLES), ids=name_of)
def test_piecewise_constant_functions_have_zero_derivative(entry):
    call, make = PIECEWISE_EXAMPLES[entry]
    for _ in range(3):                           # three random points
        assert moves(call, make()) == [], f"{name_of(entry)} is not piecewise constant"


# Piecewise constant when called with one argument alone (registry.PIECEWISE_CONSTANT_ALONE).
ALONE_EXAMPLES = {
    np.where: (lambda v: np.where(v > 0.5), lambda: (vector(),)),
}


@pytest.mark.parametrize("entry", list(ALONE_EXAMPLES), ids=name_of)
def test_piecewise_constant_alone_functions_have_zero_derivative(entry):
    call, make = ALONE_EXAMPLES[entry]
    for _ in range(3):
        assert moves(call, make()) == [], f"{name_of(entry)}(c) is not piecewise constant"


@pytest.mark.parametrize("name", list(METHOD_EXAMPLES) + list(ATTRIBUTE_EXAMPLES))
def test_piecewise_constant_methods_and_attributes(name):
    call, make = METHOD_EXAMPLES.get(name) or ATTRIBUTE_EXAMPLES[name]
    for _ in range(3):
        assert moves(call, make()) == [], f".{name} is not piecewise constant"


@pytest.mark.parametrize("entry", list(NON_NUMERIC_EXAMPLES), ids=name_of)
def test_non_numeric_functions_return_no_number(entry):
    call, make = NON_NUMERIC_EXAMPLES[entry]
    args = make()
    result = call(*args)
    assert isinstance(result, (str, bool, type)), f"{name_of(entry)} gave {result!r}"
    if isinstance(result, bool):          # a truth value is a number to Python: no step
        assert moves(call, args) == []


def test_the_check_catches_a_differentiable_function():
    # What the check would have said of np.linspace, once in the table by mistake.
    assert moves(lambda a, b: np.linspace(a, b, 4), (0.3, 1.7))
    assert moves(lambda a: np.full(3, a), (0.3,))


def test_every_entry_has_an_example():
    assert set(registry.PIECEWISE_CONSTANT.values()) == set(PIECEWISE_EXAMPLES)
    assert set(registry.PIECEWISE_CONSTANT_ALONE.values()) == set(ALONE_EXAMPLES)
    assert set(METHOD_EXAMPLES) == registry.PIECEWISE_CONSTANT_METHODS
    assert set(registry.NON_NUMERIC.values()) == set(NON_NUMERIC_EXAMPLES)


def test_effect_free_functions_return_none(capsys):
    logger = logging.getLogger("adtrans.test")
    calls = {print: lambda: print(0.5), logging.info: lambda: logging.info("%s", 0.5),
             logger.info: lambda: logger.info("%s", 0.5),
             warnings.warn: lambda: warnings.warn("x", stacklevel=1)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for call in calls.values():
            assert call() is None


# ----------------------------------------------------------------- refusals
def uses_locals(x):
    y = x * 2.0
    return locals()["y"]


def uses_exec(x):
    exec("y = x * 2.0")
    return x


def copies_into(x):
    y = np.zeros(3)
    np.copyto(y, x)
    return np.sum(y)


def scatters_into(x):
    y = np.zeros(3)
    np.add.at(y, [0, 0, 1], x)
    return np.sum(y)


def sorts_in_place(x):
    y = x * 1.0
    y.sort()
    return y[0]


def writes_out(x):
    y = np.zeros(3)
    np.multiply(x, x, out=y)
    return np.sum(y)


def changes_the_argument(x, w):
    w.fill(2.0)
    return np.sum(x * w)


def changes_what_backward_needs(x):
    w = np.ones(3)
    y = x * w
    w.fill(5.0)
    return np.sum(y)


def shuffles_a_copy(x):
    w = np.arange(3.0)
    np.random.default_rng(0).shuffle(w)
    return np.sum(x * w)


@pytest.mark.parametrize("f, message", [
    (uses_locals, "locals() reads or writes"),
    (uses_exec, "exec() reads or writes"),
    (copies_into, "changes `y` in place"),
    (scatters_into, "changes `y` in place"),
    (sorts_in_place, "y.sort() is differentiated for lists"),
    (writes_out, "out="),
    (changes_what_backward_needs, "backward sweep still needs"),
])
def test_refused_with_a_location(f, message):
    with pytest.raises(AdtransError, match=re.escape(message)) as info:
        adtrans.grad(f)(np.array([0.5, -1.0, 2.0]))
    assert info.value.filename == __file__ and info.value.lineno


def test_changing_the_callers_array_is_refused():
    w = np.ones(3)
    with pytest.raises(AdtransError, match="caller's data"):
        adtrans.grad(changes_the_argument)(np.array([0.5, -1.0, 2.0]), w)
    np.testing.assert_array_equal(w, np.ones(3))


def test_a_change_before_any_use_is_fine():
    x = np.array([0.5, -1.0, 2.0])
    w = np.arange(3.0)
    np.random.default_rng(0).shuffle(w)
    np.testing.assert_array_equal(adtrans.grad(shuffles_a_copy)(x), w)
