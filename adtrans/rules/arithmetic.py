"""Rules for arithmetic operators and their NumPy ufunc spellings."""

import ast
import math
import operator

import numpy as np

from ..runtime import (
    dot_grad_left,
    dot_grad_right,
    float_dtype,
    matmul_grad_left,
    matmul_grad_right,
    power_base,
    unbroadcast,
)
from .registry import defvjp, defvjp_called, for_ranks, piecewise_constant


@defvjp(np.add, operator.add, ops=(ast.Add,))
def add(g, ans, x, y):
    return unbroadcast(g, x), unbroadcast(g, y)


@defvjp(np.subtract, operator.sub, ops=(ast.Sub,))
def subtract(g, ans, x, y):
    return unbroadcast(g, x), unbroadcast(-g, y)


@defvjp(np.multiply, operator.mul, ops=(ast.Mult,))
def multiply(g, ans, x, y):
    return unbroadcast(g * y, x), unbroadcast(g * x, y)


@defvjp(np.divide, operator.truediv, ops=(ast.Div,))
def divide(g, ans, x, y):
    return unbroadcast(g / y, x), unbroadcast(-g * ans / y, y)


def log_base(x):
    """``log(x)`` for the exponent's cotangent ``g * x ** y * log(x)``, read as 0 where ``x``
    is 0 (the cotangent of ``0 ** y`` is 0, not nan from ``log(0) * 0``).  A Python number
    gives a Python float, which keeps a float32 cotangent float32."""
    if isinstance(x, (bool, int, float)):
        return math.log(x) if x > 0 else 0.0 if x == 0 else math.nan
    return np.log(np.where(np.equal(x, 0), 1, x))


@defvjp(np.power, np.float_power, operator.pow, pow, math.pow, ops=(ast.Pow,))
def power(g, ans, x, y):
    # where(x == 0, 1, x): the y-cotangent of 0 ** y is 0, not nan from log(0) * 0;
    # power_base: the x-cotangent of 0 ** 0 is 0, not 0 * 0 ** -1 (nan, or ZeroDivisionError).
    return (unbroadcast(g * y * power_base(x, y) ** (y - 1), x),
            unbroadcast(g * ans * log_base(x), y))


@defvjp(np.mod, np.remainder, operator.mod, ops=(ast.Mod,))
def mod(g, ans, x, y):
    return unbroadcast(g, x), unbroadcast(-g * np.floor_divide(x, y), y)


@defvjp_called(np.divmod, divmod, returns=("tuple", 2))
def divmod_vjp(g, ans, x1, x2, **kwargs):
    """``divmod(x1, x2)`` is ``(q, x1 - q * x2)`` with the integer-valued ``q =
    floor(x1 / x2)``, which only jumps: only the remainder's cotangent reaches x1 and x2."""
    if g[1] is None:
        zeros = (np.zeros(np.shape(x), dtype=float_dtype(x)) for x in (x1, x2))
        return tuple(zeros)
    return unbroadcast(g[1], x1), unbroadcast(-g[1] * ans[0], x2)


@defvjp(np.negative, operator.neg, ops=(ast.USub,))
def negative(g, ans, x):
    return -g


@defvjp(np.positive, operator.pos, ops=(ast.UAdd,))
def positive(g, ans, x):
    return g


@defvjp(np.matmul, operator.matmul, ops=(ast.MatMult,))
def matmul(g, ans, x, y):
    return matmul_grad_left(g, x, y), matmul_grad_right(g, x, y)


# Matrices and vectors of known ranks: the products written out (no helper call).
@for_ranks(np.matmul, (2, 2))
def matmul_matrices(g, ans, x, y):
    return g @ y.T, x.T @ g


@for_ranks(np.matmul, (1, 2))
def matmul_vector_matrix(g, ans, x, y):
    return y @ g, np.outer(x, g)


@for_ranks(np.matmul, (2, 1))
def matmul_matrix_vector(g, ans, x, y):
    return np.outer(g, y), g @ x


@for_ranks(np.matmul, (1, 1))
def matmul_vectors(g, ans, x, y):
    return g * y, g * x


@defvjp(np.dot, methods=("dot",))
def dot(g, ans, x, y):
    return dot_grad_left(g, x, y), dot_grad_right(g, x, y)


@defvjp(np.outer)
def outer(g, ans, x, y):
    return (np.reshape(g @ np.ravel(y), np.shape(x)),
            np.reshape(np.ravel(x) @ g, np.shape(y)))


@defvjp(float, np.float64, np.float32)
def to_float(g, ans, x):
    return g


piecewise_constant(np.floor_divide, operator.floordiv, np.sign, np.floor, np.ceil, np.round,
                  np.rint, np.trunc, np.fix, round, int, bool, len, np.equal, np.not_equal,
                  np.less, np.less_equal, np.greater, np.greater_equal, np.isnan, np.isinf,
                  np.isfinite, np.logical_and, np.logical_or, np.logical_not)
