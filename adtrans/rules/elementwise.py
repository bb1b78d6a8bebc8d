"""Rules for elementwise functions of one or two arrays."""

import math

import numpy as np

from ..runtime import (
    clip_grad,
    clip_max_grad,
    clip_min_grad,
    select_grad,
    sinc_prime,
    unbroadcast,
)
from .registry import defvjp


@defvjp(np.exp, math.exp)
def exp(g, ans, x):
    return g * ans


@defvjp(np.exp2)
def exp2(g, ans, x):
    return g * ans * np.log(2.0)


@defvjp(np.expm1, math.expm1)
def expm1(g, ans, x):
    return g * (ans + 1.0)


@defvjp(np.log)
def log(g, ans, x):
    return g / x


@defvjp(np.log2, math.log2)
def log2(g, ans, x):
    return g / (x * np.log(2.0))


@defvjp(np.log10, math.log10)
def log10(g, ans, x):
    return g / (x * np.log(10.0))


@defvjp(np.log1p, math.log1p)
def log1p(g, ans, x):
    return g / (1.0 + x)


@defvjp(np.sin, math.sin)
def sin(g, ans, x):
    return g * np.cos(x)


@defvjp(np.cos, math.cos)
def cos(g, ans, x):
    return -g * np.sin(x)


@defvjp(np.tan, math.tan)
def tan(g, ans, x):
    return g * (1.0 + ans * ans)


@defvjp(np.arcsin, math.asin)
def arcsin(g, ans, x):
    return g / np.sqrt(1.0 - x * x)


@defvjp(np.arccos, math.acos)
def arccos(g, ans, x):
    return -g / np.sqrt(1.0 - x * x)


@defvjp(np.arctan, math.atan)
def arctan(g, ans, x):
    return g / (1.0 + x * x)


@defvjp(np.sinh, math.sinh)
def sinh(g, ans, x):
    return g * np.cosh(x)


@defvjp(np.cosh, math.cosh)
def cosh(g, ans, x):
    return g * np.sinh(x)


@defvjp(np.tanh, math.tanh)
def tanh(g, ans, x):
    return g * (1.0 - ans * ans)


@defvjp(np.sqrt, math.sqrt)
def sqrt(g, ans, x):
    return g * 0.5 / ans


@defvjp(np.cbrt)
def cbrt(g, ans, x):
    return g / (3.0 * ans * ans)


@defvjp(np.square)
def square(g, ans, x):
    return g * 2.0 * x


@defvjp(np.reciprocal)
def reciprocal(g, ans, x):
    return -g * ans * ans


@defvjp(np.abs, np.absolute, np.fabs, abs, math.fabs)
def absolute(g, ans, x):
    return g * np.sign(x)


@defvjp(np.maximum, np.fmax)
def maximum(g, ans, x, y):
    # At ties the two arguments share the cotangent equally.
    return (unbroadcast(g * (x == ans) / (1.0 + (x == y)), x),
            unbroadcast(g * (y == ans) / (1.0 + (x == y)), y))


@defvjp(np.minimum, np.fmin)
def minimum(g, ans, x, y):
    return (unbroadcast(g * (x == ans) / (1.0 + (x == y)), x),
            unbroadcast(g * (y == ans) / (1.0 + (x == y)), y))


@defvjp(np.where)
def where(g, ans, condition, x, y):
    # The condition is not differentiable: no template for it (templates cover x, y below).
    return (None, select_grad(condition, g, x),
            select_grad(np.logical_not(condition), g, y))


@defvjp(np.clip)
def clip(g, ans, x, a_min, a_max):
    # minimum(maximum(x, a_min), a_max): where x equals a bound, they share the cotangent.
    return (clip_grad(g, ans, x, a_min, a_max), clip_min_grad(g, ans, x, a_min, a_max),
            clip_max_grad(g, ans, x, a_min, a_max))


@defvjp(methods=("clip",))
def clip_method(g, ans, x, min=None, max=None):
    # ndarray.clip names its bounds min and max.
    return (clip_grad(g, ans, x, min, max), clip_min_grad(g, ans, x, min, max),
            clip_max_grad(g, ans, x, min, max))


@defvjp(np.arcsinh, math.asinh)
def arcsinh(g, ans, x):
    return g / np.sqrt(x * x + 1.0)


@defvjp(np.arccosh, math.acosh)
def arccosh(g, ans, x):
    return g / np.sqrt(x * x - 1.0)


@defvjp(np.arctanh, math.atanh)
def arctanh(g, ans, x):
    return g / (1.0 - x * x)


@defvjp(np.deg2rad, np.radians, math.radians)
def deg2rad(g, ans, x):
    return g * (np.pi / 180.0)


@defvjp(np.rad2deg, np.degrees, math.degrees)
def rad2deg(g, ans, x):
    return g * (180.0 / np.pi)


@defvjp(np.sinc)
def sinc(g, ans, x):
    return g * sinc_prime(x)


@defvjp(math.erf)
def erf(g, ans, x):
    return g * (2.0 / np.sqrt(np.pi)) * np.exp(-x * x)


@defvjp(np.arctan2, math.atan2)
def arctan2(g, ans, y, x):
    return (unbroadcast(g * x / (x * x + y * y), y),
            unbroadcast(-g * y / (x * x + y * y), x))


@defvjp(np.hypot)
def hypot(g, ans, x, y):
    return unbroadcast(g * x / ans, x), unbroadcast(g * y / ans, y)


@defvjp(np.logaddexp)
def logaddexp(g, ans, x, y):
    return unbroadcast(g * np.exp(x - ans), x), unbroadcast(g * np.exp(y - ans), y)


@defvjp(np.logaddexp2)
def logaddexp2(g, ans, x, y):
    return unbroadcast(g * np.exp2(x - ans), x), unbroadcast(g * np.exp2(y - ans), y)


@defvjp(np.heaviside)
def heaviside(g, ans, x, h):
    # The value jumps at x == 0 (no derivative in x); there it is h, so the cotangent of h
    # is g where x == 0.
    return None, unbroadcast(g * (x == 0), h)
