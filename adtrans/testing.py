"""Check adtrans gradients against central finite differences in float64."""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .api import resolve_wrt, vjp

Wrt = int | str | Sequence[int | str]


def numerical_vjp(f: Callable[..., Any], args: Sequence[Any], position: int, cotangent: Any,
                  eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of ``sum(cotangent * f(*args))`` w.r.t. ``args[position]``."""
    x = np.array(args[position], dtype=float)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        values = []
        for step in (eps, -eps):
            shifted = x.copy()
            shifted[index] += step
            moved = list(args)
            moved[position] = shifted if np.ndim(args[position]) else float(shifted)
            values.append(np.sum(np.asarray(cotangent) * np.asarray(f(*moved), dtype=float)))
        grad[index] = (values[0] - values[1]) / (2 * eps)
    return grad


def assert_same_value(got: Any, expected: Any) -> None:
    """adtrans' forward sweep runs the function's own operations in the same order, so the
    value it returns is the function's value bit for bit, of the same type."""
    if isinstance(expected, (list, tuple)):
        assert type(got) is type(expected) and len(got) == len(expected), (got, expected)
        for g, e in zip(got, expected, strict=True):
            assert_same_value(g, e)
        return
    assert type(got) is type(expected), f"value of type {type(got)}, function gives " \
                                        f"{type(expected)}"
    assert np.shape(got) == np.shape(expected) and np.asarray(got).dtype == \
        np.asarray(expected).dtype, f"value {got!r}, function gives {expected!r}"
    assert np.array_equal(got, expected, equal_nan=np.asarray(expected).dtype.kind in "fc"), \
        f"value {got!r}, function gives {expected!r}"


def check_grads(f: Callable[..., Any], *args: Any, wrt: Wrt = 0, eps: float = 1e-6,
                rtol: float = 1e-5, atol: float = 1e-6, seed: int = 0) -> Any:
    """Assert that adtrans' gradient of ``f`` at ``args`` matches finite differences.

    Works for any output shape: the comparison is on the vector-Jacobian
    product with a random cotangent.  The value adtrans computes on the way must
    be the function's value bit for bit.  Returns adtrans' gradient(s); raises
    AssertionError with both values on a mismatch.
    """
    names, as_tuple = resolve_wrt(f, wrt)
    params = list(inspect.signature(f).parameters)
    output, pullback = vjp(f, *args, wrt=wrt)
    assert_same_value(output, f(*copy.deepcopy(args)))
    rng = np.random.default_rng(seed)
    # A scalar output is checked with cotangent 1, so the result is the plain gradient.
    cotangent = rng.standard_normal(np.shape(output)) if np.ndim(output) else 1.0
    got = pullback(cotangent)
    got_tuple = got if as_tuple else (got,)
    for name, value in zip(names, got_tuple, strict=True):
        position = params.index(name)
        expected = numerical_vjp(f, args, position, cotangent, eps)
        assert np.shape(value) == np.shape(args[position]), (
            f"gradient for {name!r} has shape {np.shape(value)}, "
            f"argument has {np.shape(args[position])}")
        np.testing.assert_allclose(np.asarray(value, dtype=float), expected, rtol=rtol,
                                   atol=atol, err_msg=f"gradient with respect to {name!r}")
    return got
