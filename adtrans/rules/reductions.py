"""Rules for reductions: sum, mean, max/min, norms."""

import numpy as np

from ..runtime import count_reduced, extremum_grad, norm_grad, repeat_to_match
from .registry import defvjp, nondifferentiable


@defvjp(np.sum, methods=("sum",))
def sum(g, ans, x, axis=None, dtype=None, out=None, keepdims=False):
    return repeat_to_match(g, x, axis, keepdims)


@defvjp(np.mean, methods=("mean",))
def mean(g, ans, x, axis=None, dtype=None, out=None, keepdims=False):
    return repeat_to_match(g, x, axis, keepdims) / count_reduced(x, axis)


@defvjp(np.max, np.amax, methods=("max",))
def max(g, ans, x, axis=None, out=None, keepdims=False):
    return extremum_grad(g, ans, x, axis, keepdims)


@defvjp(np.min, np.amin, methods=("min",))
def min(g, ans, x, axis=None, out=None, keepdims=False):
    return extremum_grad(g, ans, x, axis, keepdims)


@defvjp(np.linalg.norm)
def norm(g, ans, x, ord=None, axis=None, keepdims=False):
    return norm_grad(g, ans, x, ord, axis, keepdims)


nondifferentiable(np.argmax, np.argmin, np.argsort, np.count_nonzero,
                  methods=("argmax", "argmin", "argsort", "nonzero", "all", "any"))
