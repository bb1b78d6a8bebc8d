"""Rules for reductions: sum, mean, max/min, prod, var/std, cumsum, trace (norms: linalg.py)."""

import numpy as np

from ..runtime import (
    count_reduced,
    cumsum_grad,
    extremum_grad,
    prod_grad,
    repeat_to_match,
    std_grad,
    trace_grad,
    var_grad,
)
from .registry import defvjp, piecewise_constant


@defvjp(np.sum, methods=("sum",))
def sum(g, ans, x, axis=None, dtype=None, out=None, keepdims=False):
    return repeat_to_match(g, x, axis, keepdims)


@defvjp(np.mean, methods=("mean",))
def mean(g, ans, x, axis=None, dtype=None, out=None, keepdims=False):
    # Divided before it is broadcast: one division per output, not per input element.
    return repeat_to_match(g / count_reduced(x, axis), x, axis, keepdims)


@defvjp(np.max, np.amax, methods=("max",))
def max(g, ans, x, axis=None, out=None, keepdims=False):
    return extremum_grad(g, ans, x, axis, keepdims)


@defvjp(np.min, np.amin, methods=("min",))
def min(g, ans, x, axis=None, out=None, keepdims=False):
    return extremum_grad(g, ans, x, axis, keepdims)


@defvjp(np.prod, methods=("prod",))
def prod(g, ans, x, axis=None, dtype=None, out=None, keepdims=False):
    return prod_grad(g, x, axis, keepdims)


@defvjp(np.var, methods=("var",))
def var(g, ans, x, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    return var_grad(g, x, axis, ddof, keepdims)


@defvjp(np.std, methods=("std",))
def std(g, ans, x, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    # Where all reduced values are equal (std 0) the cotangent is 0, as for norm at 0.
    return std_grad(g, ans, x, axis, ddof, keepdims)


@defvjp(np.cumsum, methods=("cumsum",))
def cumsum(g, ans, x, axis=None, dtype=None, out=None):
    return cumsum_grad(g, x, axis)


@defvjp(np.trace, methods=("trace",))
def trace(g, ans, x, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    return trace_grad(g, x, offset, axis1, axis2)


piecewise_constant(np.argmax, np.argmin, np.argsort, np.count_nonzero,
                  methods=("argmax", "argmin", "argsort", "nonzero", "all", "any"))
