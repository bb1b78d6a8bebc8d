"""Rules for the methods of NumPy's ufuncs: ``np.add.reduce``, ``np.multiply.outer``, ...

``reduce`` along an axis (0 unless given, where ``np.sum`` reduces everything) is the
matching reduction; ``accumulate`` the matching cumulative one; ``outer`` applies the
ufunc to every pair of elements, so its cotangents sum over the other operand's axes.
Options that change what is computed (``initial=``, ``where=``) are not covered: a call
with them is refused by the binding (the rules do not know those keywords).
"""

import numpy as np

from ..runtime import cumsum_grad, extremum_grad, prod_grad, repeat_to_match, unbroadcast
from .registry import defvjp
from .signal import cumprod_grad

_OUT = {"out": "writes in place; assign the result instead",
        "dtype": "with dtype=... may round; cast with .astype(...) first"}


@defvjp(np.add.reduce, refuse=_OUT, linear=True)
def add_reduce(g, ans, array, axis=0, dtype=None, out=None, keepdims=False):
    return repeat_to_match(g, array, axis, keepdims)


@defvjp(np.multiply.reduce, refuse=_OUT)
def multiply_reduce(g, ans, array, axis=0, dtype=None, out=None, keepdims=False):
    return prod_grad(g, array, axis, keepdims)


@defvjp(np.maximum.reduce, np.minimum.reduce, np.fmax.reduce, np.fmin.reduce, refuse=_OUT)
def extremum_reduce(g, ans, array, axis=0, dtype=None, out=None, keepdims=False):
    return extremum_grad(g, ans, array, axis, keepdims)


@defvjp(np.logaddexp.reduce, refuse=_OUT)
def logaddexp_reduce(g, ans, array, axis=0, dtype=None, out=None, keepdims=False):
    # The log of a sum of exponentials: the softmax of the reduced line.
    return repeat_to_match(g, array, axis, keepdims) * np.exp(
        array - repeat_to_match(ans, array, axis, keepdims))


@defvjp(np.add.accumulate, refuse=_OUT, linear=True)
def add_accumulate(g, ans, array, axis=0, dtype=None, out=None):
    return cumsum_grad(g, array, axis)


@defvjp(np.multiply.accumulate, refuse=_OUT)
def multiply_accumulate(g, ans, array, axis=0, dtype=None, out=None):
    return cumprod_grad(g, ans, array, axis)


def _over_last(g, b):
    """``g`` summed over the trailing axes that ``outer`` gave to ``b``."""
    return np.sum(g, axis=tuple(range(np.ndim(g) - np.ndim(b), np.ndim(g))))


@defvjp(np.add.outer, refuse=_OUT, linear=True)
def add_outer(g, ans, A, B, out=None, dtype=None):
    # unbroadcast sums the leading axes, the ones outer gave to A.
    return unbroadcast(_over_last(g, B), A), unbroadcast(g, B)


@defvjp(np.subtract.outer, refuse=_OUT, linear=True)
def subtract_outer(g, ans, A, B, out=None, dtype=None):
    return unbroadcast(_over_last(g, B), A), -unbroadcast(g, B)


@defvjp(np.multiply.outer, refuse=_OUT)
def multiply_outer(g, ans, A, B, out=None, dtype=None):
    return (unbroadcast(np.tensordot(g, B, axes=np.ndim(B)), A),
            unbroadcast(np.tensordot(A, g, axes=np.ndim(A)), B))
