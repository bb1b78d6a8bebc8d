"""Rules for the math module's functions of Python floats beyond NumPy's counterparts
(those shared with a NumPy function, math.exp or math.atan2, are registered beside it
in elementwise.py and arithmetic.py).

Their arguments are Python numbers (or NumPy scalars); cotangents of sequences
(math.prod, math.fsum, math.dist) are lists with one cotangent per element, or arrays
where the argument is an array.
"""

import math

import numpy as np

from ..errors import AdtransError
from .registry import defvjp, defvjp_called

TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
LN2 = math.log(2.0)


def digamma(x):
    """The digamma function psi = Gamma'/Gamma of a real number (nan at the poles 0, -1,
    -2, ...): the derivative of math.lgamma, without scipy."""
    x = float(x)
    if x <= 0.0 and x == math.floor(x):
        return math.nan
    if x < 0.5:                         # reflection: psi(x) = psi(1 - x) - pi / tan(pi x)
        return digamma(1.0 - x) - math.pi / math.tan(math.pi * x)
    result = 0.0
    while x < 12.0:                     # psi(x) = psi(x + 1) - 1/x
        result -= 1.0 / x
        x += 1.0
    f = 1.0 / (x * x)                   # the asymptotic series (Bernoulli numbers)
    series = f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240
                                                                   - f * (1.0 / 132)))))
    return result + math.log(x) - 0.5 / x - series


def like(values, cotangents):
    """Cotangents of a sequence's elements, as a list (an array for an array)."""
    if isinstance(values, np.ndarray):
        return np.asarray(cotangents, dtype=np.result_type(values.dtype, 1.0)) \
            .reshape(values.shape)
    return list(cotangents)


def prod_grad(g, iterable, start):
    """Cotangents of math.prod's factors: g times the product of start and every other
    factor (prefix and suffix products, so a zero factor is no problem)."""
    items = list(iterable)
    before = [start]
    for item in items[:-1]:
        before.append(before[-1] * item)
    after = [1.0] * len(items)
    for k in range(len(items) - 2, -1, -1):
        after[k] = after[k + 1] * items[k + 1]
    return like(iterable, [g * b * a for b, a in zip(before, after, strict=True)])


def fsum_grad(g, iterable):
    return like(iterable, [g] * len(list(iterable)))


def dist_grad(g, ans, p, q):
    """Cotangent of p in math.dist(p, q) = |p - q|: g (p - q) / |p - q| (0 where p = q)."""
    if len(p) != len(q):
        raise AdtransError("math.dist needs two points of the same dimension")
    scale = g / ans if ans != 0 else 0.0 * g
    return like(p, [scale * (a - b) for a, b in zip(p, q, strict=True)])


@defvjp_called(math.log)
def log(g, ans, x, base=None):
    """math.log(x) and math.log(x, base) = log(x) / log(base)."""
    if base is None:
        return (g / x,)
    log_base = math.log(base)
    return g / (x * log_base), -g * ans / (base * log_base)


@defvjp_called(math.hypot)
def hypot(g, ans, *coordinates):
    """d hypot / d x_i = x_i / hypot, taken as 0 at the origin (its minimal subgradient)."""
    if ans == 0:
        return tuple(0.0 * g for _ in coordinates)
    return tuple(g * x / ans for x in coordinates)


@defvjp(math.gamma)
def gamma(g, ans, x):
    return g * ans * digamma(x)


@defvjp(math.lgamma)
def lgamma(g, ans, x):
    # log|Gamma(x)|: its derivative is psi(x) on both sides of 0.
    return g * digamma(x)


@defvjp(math.erfc)
def erfc(g, ans, x):
    return -g * TWO_OVER_SQRT_PI * math.exp(-x * x)


@defvjp(math.copysign)
def copysign(g, ans, x, y):
    # |x| with the sign of y: the sign of y changes only in a jump.
    return g * math.copysign(1.0, x) * math.copysign(1.0, y), 0.0 * g


@defvjp(math.fmod)
def fmod(g, ans, x, y):
    # x - n y with n = trunc(x / y) an integer constant between jumps.
    return g, -g * np.rint((x - ans) / y)


@defvjp(math.remainder)
def remainder(g, ans, x, y):
    # x - n y with n the integer nearest x / y, a constant between jumps.
    return g, -g * np.rint((x - ans) / y)


@defvjp(math.ldexp)
def ldexp(g, ans, x, i):
    # x * 2**i for an integer i.
    return g * 2.0 ** i, None


@defvjp(math.prod)
def prod(g, ans, iterable, start=1):
    return prod_grad(g, iterable, start), g * math.prod(iterable)


@defvjp(math.fsum, linear=True)
def fsum(g, ans, seq):
    return fsum_grad(g, seq)


@defvjp(math.dist)
def dist(g, ans, p, q):
    return dist_grad(g, ans, p, q), dist_grad(g, ans, q, p)


if hasattr(math, "cbrt"):           # Python 3.11
    @defvjp(math.cbrt)
    def cbrt(g, ans, x):
        return g / (3.0 * ans * ans)

    @defvjp(math.exp2)
    def exp2(g, ans, x):
        return g * ans * LN2
