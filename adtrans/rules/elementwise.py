"""Rules for elementwise functions of one or two arrays."""

import math

import numpy as np

from ..errors import AdtransError
from ..runtime import (
    float_dtype,
    select_grad,
    sinc_prime,
    unbroadcast,
)
from .registry import defvjp, defvjp_called

# Python floats, not NumPy's float64 scalars: they keep a float32 cotangent float32.
LN2 = math.log(2.0)
LN10 = math.log(10.0)


def tie_share(g, a, b):
    """``g`` where ``a`` and ``b`` differ, half of it where they tie, in ``g``'s own float
    type (a float64 weight would upcast a float32 cotangent)."""
    return np.where(np.equal(a, b), g * 0.5, g)


@defvjp(np.exp, math.exp)
def exp(g, ans, x):
    return g * ans


@defvjp(np.exp2)
def exp2(g, ans, x):
    return g * ans * LN2


@defvjp(np.expm1, math.expm1)
def expm1(g, ans, x):
    return g * (ans + 1.0)


@defvjp(np.log)
def log(g, ans, x):
    return g / x


@defvjp(np.log2, math.log2)
def log2(g, ans, x):
    return g / (x * LN2)


@defvjp(np.log10, math.log10)
def log10(g, ans, x):
    return g / (x * LN10)


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
    return (unbroadcast(tie_share(g, x, y) * (x == ans), x),
            unbroadcast(tie_share(g, x, y) * (y == ans), y))


@defvjp(np.minimum, np.fmin)
def minimum(g, ans, x, y):
    return (unbroadcast(tie_share(g, x, y) * (x == ans), x),
            unbroadcast(tie_share(g, x, y) * (y == ans), y))


@defvjp(np.where)
def where(g, ans, condition, x, y):
    # The condition is not differentiable: no template for it (templates cover x, y below).
    return (None, select_grad(condition, g, x),
            select_grad(np.logical_not(condition), g, y))


def _clip_parts(g, ans, x, a_min, a_max):
    """Cotangents of x, a_min, a_max in ``np.clip``, read as ``minimum(maximum(x, a_min),
    a_max)`` with the ties rule of maximum/minimum: equal arguments share equally."""
    m = x if a_min is None else np.maximum(x, a_min)
    if a_max is None:
        d_m, d_max = g, None
    else:
        shared = tie_share(g, m, a_max)
        d_m = shared * np.equal(m, ans)
        d_max = shared * np.equal(a_max, ans)
    if a_min is None:
        return d_m, None, d_max
    shared = tie_share(d_m, x, a_min)
    return shared * np.equal(x, m), shared * np.equal(a_min, m), d_max


def clip_grad(g, ans, x, a_min, a_max):
    """Cotangent of ``x`` in ``np.clip(x, a_min, a_max)``: ``g`` where no bound is active,
    half of it where ``x`` equals a bound (as ``np.maximum`` at a tie)."""
    return unbroadcast(_clip_parts(g, ans, x, a_min, a_max)[0], x)


def clip_min_grad(g, ans, x, a_min, a_max):
    """Cotangent of ``a_min`` in ``np.clip``: ``g`` where it is the result (shared at ties)."""
    return unbroadcast(_clip_parts(g, ans, x, a_min, a_max)[1], a_min)


def clip_max_grad(g, ans, x, a_min, a_max):
    """Cotangent of ``a_max`` in ``np.clip``: ``g`` where it is the result (shared at ties)."""
    return unbroadcast(_clip_parts(g, ans, x, a_min, a_max)[2], a_max)


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


@defvjp(np.nan_to_num)
def nan_to_num(g, ans, x, copy=True, nan=0.0, posinf=None, neginf=None):
    # The finite values pass through; nan, +inf and -inf become the replacement values.
    return (g * np.isfinite(x), None, unbroadcast(g * np.isnan(x), nan),
            unbroadcast(g * np.isposinf(x), posinf), unbroadcast(g * np.isneginf(x), neginf))


@defvjp(np.copysign)
def copysign(g, ans, x1, x2):
    # |x1| with the sign of x2: the slope in x1 is +1 where the signs agree, -1 where not;
    # the sign of x2 only jumps, so x2 gets no cotangent.
    return unbroadcast(flip_sign(g, x1, x2), x1), None


def flip_sign(g, x1, x2):
    """``g`` where ``x1`` and ``x2`` have the same sign bit, ``-g`` where not."""
    return np.where(np.signbit(x1) == np.signbit(x2), g, -g)


@defvjp(np.ldexp)
def ldexp(g, ans, x1, x2):
    # x1 * 2 ** x2 with an integer exponent x2 (no derivative).
    return unbroadcast(np.ldexp(g, x2), x1), None


@defvjp(np.nextafter)
def nextafter(g, ans, x1, x2):
    # x1 moved by one unit in the last place towards x2: slope 1 in x1 (as finite
    # differences see it); in x2 only the direction, which jumps, so no cotangent.
    return unbroadcast(g, x1), None


def fmod_quotient(x1, x2, ans):
    """The integer ``n`` with ``np.fmod(x1, x2) == x1 - n * x2``: ``(x1 - ans) / x2`` rounded
    (exact where ``x1 / x2`` rounds to a whole number the remainder does not see)."""
    return np.rint((x1 - ans) / x2)


@defvjp(np.fmod)
def fmod(g, ans, x1, x2):
    # x1 - n * x2 with n = trunc(x1 / x2), which only jumps.
    return unbroadcast(g, x1), unbroadcast(-g * fmod_quotient(x1, x2, ans), x2)


def refuse_complex(x, what):
    if np.iscomplexobj(x):
        raise AdtransError(f"{what} of a complex value: complex numbers are not "
                           "differentiated by adtrans")


def real_grad(g, x):
    """Cotangent of ``np.real(x)`` / ``np.conjugate(x)`` for a real ``x``: ``g``."""
    refuse_complex(x, "np.real / np.conjugate")
    return g


def imag_grad(g, x):
    """Cotangent of ``np.imag(x)`` for a real ``x``: zero (the result is 0 whatever x is)."""
    refuse_complex(x, "np.imag")
    return np.zeros(np.shape(x), dtype=float_dtype(x))


@defvjp(np.real, attributes=("real",))
def real(g, ans, val):
    return real_grad(g, val)


@defvjp(np.imag, attributes=("imag",))
def imag(g, ans, val):
    return imag_grad(g, val)


@defvjp(np.conjugate, methods=("conj", "conjugate"))
def conjugate(g, ans, x):
    return real_grad(g, x)


def _part(g, k, like):
    """The ``k``-th part of a tuple result's cotangent, zeros where it is None."""
    if g[k] is None:
        return np.zeros(np.shape(like), dtype=float_dtype(like))
    return g[k]


@defvjp_called(np.frexp, returns=("tuple", 2))
def frexp_vjp(g, ans, x, **kwargs):
    """``np.frexp(x)`` is ``(m, e)`` with ``x == m * 2 ** e``: ``m`` moves as ``x / 2 ** e``
    (``e`` is an integer and only jumps)."""
    refuse_complex(x, "np.frexp")
    if g[0] is None:
        return (np.zeros(np.shape(x), dtype=float_dtype(x)),)
    return (np.ldexp(g[0], -np.asarray(ans[1])),)


@defvjp_called(np.modf, returns=("tuple", 2))
def modf_vjp(g, ans, x, **kwargs):
    """``np.modf(x)`` is ``(fractional part, integral part)``: slope 1 and 0."""
    refuse_complex(x, "np.modf")
    return (_part(g, 0, x),)
