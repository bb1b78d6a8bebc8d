"""Check adtrans gradients against central finite differences in float64.

Arguments and outputs may be numbers, arrays, or lists, tuples and dicts of
them (nested): finite differences are taken leaf by leaf, and the gradient is
compared in the structure of its argument.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from .api import resolve_wrt, vjp

Wrt = int | str | Sequence[int | str]
Path = tuple[Any, ...]


def is_number_leaf(value: Any) -> bool:
    return isinstance(value, (bool, int, float, np.ndarray, np.generic)) and \
        not np.iscomplexobj(value)


def leaves(value: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    """The numeric leaves of a (nested) container, with their paths."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, path + (key,))
    elif isinstance(value, (list, tuple)):
        for key, item in enumerate(value):
            yield from leaves(item, path + (key,))
    elif is_number_leaf(value):
        yield path, value


def replaced(value: Any, path: Path, leaf: Any) -> Any:
    """A copy of ``value`` with the leaf at ``path`` replaced."""
    if not path:
        return leaf
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: replaced(value[head], rest, leaf)}
    items = list(value)
    items[head] = replaced(items[head], rest, leaf)
    return items if isinstance(value, list) else tuple(items)


def at(value: Any, path: Path) -> Any:
    for key in path:
        value = value[key]
    return value


def inner(cotangent: Any, output: Any) -> float:
    """The sum of the elementwise products of two values of the same structure."""
    return float(sum(np.sum(np.asarray(at(cotangent, path)) * np.asarray(leaf, dtype=float))
                     for path, leaf in leaves(output)))


def random_like(value: Any, rng: np.random.Generator) -> Any:
    """A random cotangent with the structure of ``value`` (1.0 for a scalar output)."""
    if isinstance(value, dict):
        return {key: random_like(item, rng) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(random_like(item, rng) for item in value)
    return rng.standard_normal(np.shape(value)) if np.ndim(value) else 1.0


def numerical_vjp(f: Callable[..., Any], args: Sequence[Any], position: int, cotangent: Any,
                  eps: float = 1e-6) -> Any:
    """Central-difference gradient of ``<cotangent, f(*args)>`` w.r.t. ``args[position]``,
    in the structure of that argument (None at leaves that are not numbers)."""
    argument = args[position]
    result: Any = _nones_like(argument)
    for path, leaf in leaves(argument):
        x = np.array(leaf, dtype=float)
        grad = np.zeros_like(x)
        for index in np.ndindex(x.shape):
            values = []
            for step in (eps, -eps):
                shifted = x.copy()
                shifted[index] += step
                new_leaf = shifted if np.ndim(leaf) or isinstance(leaf, np.ndarray) \
                    else float(shifted)
                moved = list(copy.deepcopy(args))
                moved[position] = replaced(argument, path, new_leaf)
                values.append(inner(cotangent, f(*moved)))
            grad[index] = (values[0] - values[1]) / (2 * eps)
        result = replaced(result, path, grad)
    return result


def _nones_like(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _nones_like(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_nones_like(item) for item in value)
    return None


def assert_same_value(got: Any, expected: Any) -> None:
    """adtrans' forward sweep runs the function's own operations in the same order, so the
    value it returns is the function's value bit for bit, of the same type."""
    if isinstance(expected, dict):
        assert type(got) is type(expected) and list(got) == list(expected), (got, expected)
        for key in expected:
            assert_same_value(got[key], expected[key])
        return
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


def assert_gradient_close(got: Any, expected: Any, name: str, rtol: float,
                          atol: float) -> None:
    """Compare a gradient with finite differences, leaf by leaf, in the argument's shape."""
    for path, want in leaves(expected):
        value = at(got, path)
        where = f"gradient with respect to {name!r}" + (f" at {list(path)}" if path else "")
        assert np.shape(value) == np.shape(want), (
            f"{where} has shape {np.shape(value)}, argument has {np.shape(want)}")
        np.testing.assert_allclose(np.asarray(value, dtype=float), want, rtol=rtol, atol=atol,
                                   err_msg=where)


def check_grads(f: Callable[..., Any], *args: Any, wrt: Wrt = 0, eps: float = 1e-6,
                rtol: float = 1e-5, atol: float = 1e-6, seed: int = 0) -> Any:
    """Assert that adtrans' gradient of ``f`` at ``args`` matches finite differences.

    Works for any output shape or structure: the comparison is on the
    vector-Jacobian product with a random cotangent.  The value adtrans computes
    on the way must be the function's value bit for bit.  Returns adtrans'
    gradient(s); raises AssertionError with both values on a mismatch.
    """
    names, as_tuple = resolve_wrt(f, wrt)
    params = list(inspect.signature(f).parameters)
    output, pullback = vjp(f, *args, wrt=wrt)
    assert_same_value(output, f(*copy.deepcopy(args)))
    cotangent = random_like(output, np.random.default_rng(seed))
    got = pullback(cotangent)
    got_tuple = got if as_tuple else (got,)
    for name, value in zip(names, got_tuple, strict=True):
        position = params.index(name)
        expected = numerical_vjp(f, args, position, cotangent, eps)
        assert_gradient_close(value, expected, name, rtol, atol)
    return got


def as_float32(value: Any) -> Any:
    """``value`` with its float64 arrays and NumPy floats made float32 (Python floats,
    integers and containers' other leaves kept)."""
    if isinstance(value, dict):
        return {key: as_float32(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        items = [as_float32(item) for item in value]
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, (np.ndarray, np.floating)) and np.asarray(value).dtype == np.float64:
        return np.float32(value) if np.ndim(value) == 0 and not isinstance(
            value, np.ndarray) else np.asarray(value, dtype=np.float32)
    return value


def check_dtypes(f: Callable[..., Any], *args: Any, wrt: Wrt = 0, rtol: float = 2e-3,
                 atol: float = 2e-3) -> Any:
    """Assert that with float32 arguments adtrans computes in float32 throughout.

    The float64 arrays of ``args`` are made float32; the gradient must then be
    float32, and close to the float64 gradient.  Where ``f`` itself computes in
    float32 (its output is float32), the cotangents must too: a float64 cotangent
    reaching a float32 argument fails (generated code upcast, and cast back).
    Returns the float32 gradient(s).
    """
    from .api import _vjp
    names, as_tuple = resolve_wrt(f, wrt)
    small = as_float32(list(args))
    stays_float32 = all(np.asarray(leaf).dtype == np.float32
                        for _, leaf in leaves(f(*copy.deepcopy(small))))
    output, pullback = _vjp(f, tuple(small), wrt, strict_dtypes=stays_float32)
    cotangent = as_float32(random_like(output, np.random.default_rng(0)))
    got = pullback(cotangent)
    _, reference = vjp(f, *args, wrt=wrt)
    expected = reference(random_like(output, np.random.default_rng(0)))
    got_tuple, expected_tuple = (got, expected) if as_tuple else ((got,), (expected,))
    for name, value, want in zip(names, got_tuple, expected_tuple, strict=True):
        assert_gradient_close(value, want, name, rtol, atol)
        for _, leaf in leaves(value):
            assert not isinstance(leaf, np.ndarray) or leaf.dtype == np.float32, \
                f"the gradient with respect to {name!r} is {leaf.dtype}, not float32"
    return got
