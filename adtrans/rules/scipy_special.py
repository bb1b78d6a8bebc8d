"""Rules for scipy.special: logistic and log-sum-exp, gamma and beta functions, error
functions, information measures, Bessel functions and elementary companions.

Loaded only once scipy.special is imported (registry.OPTIONAL_RULES): importing scipy
takes longer than importing adtrans.  Every ufunc here keeps float32 (scipy has float32
loops), so the cotangents are written to stay in float32: constants are Python floats,
and helpers take the dtype of their argument.  ``polygamma`` and ``multigammaln`` compute
in float64 whatever the input (their gradients are cast back by adtrans).
"""

import math

import numpy as np
import scipy.special as sc

from ..errors import AdtransError
from ..runtime import float_dtype, power_base, unbroadcast
from .registry import DISPLAY_NAMES, defvjp

SPECIAL = "scipy.special."

TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
HALF_SQRT_PI = 0.5 * math.sqrt(math.pi)
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
SQRT_2PI = math.sqrt(2.0 * math.pi)
LN2 = math.log(2.0)
LN10 = math.log(10.0)
DEG = math.pi / 180.0


# ----------------------------------------------------------------------------- helpers
def x_over_y(x, y):
    """``x / y``, with 0 where ``x`` is 0 (whatever ``y``): the derivative in ``y`` of
    ``xlogy(x, y)`` and kin, which are 0 wherever ``x`` is."""
    zero = np.equal(x, 0)
    return np.where(zero, 0.0, x / np.where(zero, 1.0, y))


def result_dtype(*values):
    """NumPy's result dtype of arithmetic on ``values`` (Python numbers weak; lists and
    tuples as arrays), at least floating."""
    return np.result_type(*[v if isinstance(v, (int, float, np.ndarray, np.generic))
                            else np.asarray(v) for v in values], 1.0)


def xlogy_kept(x, y):
    """``scipy.special.xlogy(x, y)`` in NumPy's result dtype of ``x`` and ``y`` (scipy
    computes in float64 a float32 array with a Python float)."""
    return sc.xlogy(x, y).astype(result_dtype(x, y), copy=False)


def not_differentiable(function, param, instead):
    """Raised where a rule's template would need a derivative it does not have."""
    raise AdtransError(f"{function} has no derivative rule in its argument {param!r}: "
                       f"{instead}")


def rgamma_grad(x, ans):
    """d/dx 1/Gamma(x) = -psi(x)/Gamma(x); at the poles of Gamma (0, -1, -2, ...), where
    1/Gamma is 0 and psi infinite, it is (-1)**n n! at x = -n."""
    x = np.asarray(x)
    pole = (x <= 0) & (x == np.floor(x))
    n = np.where(pole, -x, 0.0)
    factorial = sc.gamma(n + 1.0)
    at_pole = np.where(n % 2 == 0, factorial, -factorial)
    return np.where(pole, at_pole, -ans * sc.digamma(np.where(pole, 1.0, x)))


def exprel_grad(x, ans):
    """d/dx (e^x - 1)/x = (e^x - exprel(x))/x; near 0 its Taylor series (1/2 at 0)."""
    x = np.asarray(x)
    small = np.abs(x) < 0.1
    s = np.where(small, x, 0.0)
    series = 0.0 * s
    for k in range(11, 0, -1):          # the sum over k >= 1 of k x^(k-1) / (k+1)!
        series = series * s + k / math.factorial(k + 1)
    safe = np.where(small, 1.0, x)
    return np.where(small, series, (np.exp(safe) - ans) / safe)


def entr_grad(x):
    """d/dx (-x log x) = -(1 + log x) for x > 0: +inf at 0 (from the right), nan for
    x < 0 (where entr is -inf)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return -(1.0 + np.log(x))


def rel_entr_grads(x, y):
    """Partials of x log(x/y) (0 at x = 0 <= y, inf outside x, y >= 0): log(x/y) + 1 in x
    (-inf at x = 0) and -x/y in y (0 at x = 0); nan outside."""
    domain = (np.asarray(x) >= 0) & (np.asarray(y) >= 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        dx = np.log(x / y) + 1.0
    return np.where(domain, dx, np.nan), np.where(domain, -x_over_y(x, y), np.nan)


def boxcox_lmbda_grad(x, lmbda, log):
    """d/dlmbda (x^lmbda - 1)/lmbda = L^2 exprel'(lmbda L) with L = log(x) (``log`` is
    np.log or np.log1p), log(x)^2 / 2 at lmbda = 0, since the function is
    L exprel(lmbda L).  In the dtype of the result (a Python float x keeps float32)."""
    log_x = log(np.asarray(x, dtype=result_dtype(x, lmbda)))
    t = lmbda * log_x
    return log_x * log_x * exprel_grad(t, sc.exprel(t))


def logsumexp_parts(g, ans, a, axis, b, keepdims):
    """``g`` and ``exp(a - ans)`` broadcast to the shape of the summed terms."""
    shape = np.broadcast_shapes(np.shape(a), np.shape(b)) if b is not None else np.shape(a)
    ndim = len(shape)
    if axis is None:
        axes = tuple(range(ndim))
    else:
        axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
        axes = tuple(sorted(int(ax) % max(ndim, 1) for ax in axes)) if ndim else ()
    # With keepdims or not, g and ans have the summed axes as 1s (scipy gives a 0-d a
    # kept dimensions the shape (1,)).
    kept = tuple(1 if i in axes else n for i, n in enumerate(shape))
    g, ans = np.reshape(g, kept), np.reshape(ans, kept)
    return g, np.exp(a - ans)


def logsumexp_grad_a(g, ans, a, axis, b, keepdims):
    """Cotangent of ``a`` in log(sum(b exp(a))): g b exp(a - ans), summed where b
    broadcast ``a``."""
    g, weights = logsumexp_parts(g, ans, a, axis, b, keepdims)
    scaled = g * weights if b is None else g * b * weights
    return unbroadcast(scaled, a)


def logsumexp_grad_b(g, ans, a, axis, b, keepdims):
    """Cotangent of ``b`` in log(sum(b exp(a))): g exp(a - ans)."""
    g, weights = logsumexp_parts(g, ans, a, axis, b, keepdims)
    shape = np.broadcast_shapes(np.shape(a), np.shape(b))
    return unbroadcast(np.broadcast_to(g * weights, shape), b)


def multigammaln_grad(a, d):
    """d/da log Gamma_d(a) = sum over j < d of psi(a - j/2)."""
    a = np.asarray(a)
    halves = np.arange(d, dtype=float_dtype(a)) / 2.0
    return np.sum(sc.digamma(a[..., None] - halves), axis=-1)


# --------------------------------------------------------------- logistic, log-sum-exp
@defvjp(sc.expit, prefix=SPECIAL)
def expit(g, ans, x):
    return g * ans * (1.0 - ans)


@defvjp(sc.logit, prefix=SPECIAL)
def logit(g, ans, x):
    return g / (x * (1.0 - x))


@defvjp(sc.log_expit, prefix=SPECIAL)
def log_expit(g, ans, x):
    return g * sc.expit(-x)


@defvjp(sc.logsumexp, prefix=SPECIAL,
        refuse={"return_sign": "return_sign=True has no derivative rule (the sign is "
                               "piecewise constant): compute logsumexp without it"})
def logsumexp(g, ans, a, axis=None, b=None, keepdims=False, return_sign=False):
    return (logsumexp_grad_a(g, ans, a, axis, b, keepdims), None,
            logsumexp_grad_b(g, ans, a, axis, b, keepdims))


@defvjp(sc.softmax, prefix=SPECIAL)
def softmax(g, ans, x, axis=None):
    return ans * (g - np.sum(g * ans, axis=axis, keepdims=True))


@defvjp(sc.log_softmax, prefix=SPECIAL)
def log_softmax(g, ans, x, axis=None):
    return g - np.exp(ans) * np.sum(g, axis=axis, keepdims=True)


# ------------------------------------------------------------------ gamma and beta
@defvjp(sc.gamma, prefix=SPECIAL)
def gamma(g, ans, x):
    return g * ans * sc.digamma(x)


@defvjp(sc.gammaln, sc.loggamma, prefix=SPECIAL)
def gammaln(g, ans, x):
    # log|Gamma(x)|: its derivative is psi(x) on both sides of 0.
    return g * sc.digamma(x)


@defvjp(sc.rgamma, prefix=SPECIAL)
def rgamma(g, ans, x):
    return g * rgamma_grad(x, ans)


@defvjp(sc.digamma, prefix=SPECIAL)
def digamma(g, ans, x):
    # The trigamma function, as the Hurwitz zeta function (polygamma(1, x) is float64).
    return g * sc.zeta(2.0, x)


DISPLAY_NAMES[id(sc.digamma)] = SPECIAL + "digamma"     # the same ufunc as scipy.special.psi


@defvjp(sc.polygamma, prefix=SPECIAL)
def polygamma(g, ans, n, x):
    # n is an integer order: no derivative in it.
    return (not_differentiable("scipy.special.polygamma", "n",
                               "the order n must be an integer constant"),
            g * sc.polygamma(n + 1, x))


@defvjp(sc.multigammaln, prefix=SPECIAL)
def multigammaln(g, ans, a, d):
    return g * multigammaln_grad(a, d)


@defvjp(sc.beta, prefix=SPECIAL)
def beta(g, ans, a, b):
    return (unbroadcast(g * ans * (sc.digamma(a) - sc.digamma(np.add(a, b))), a),
            unbroadcast(g * ans * (sc.digamma(b) - sc.digamma(np.add(a, b))), b))


@defvjp(sc.betaln, prefix=SPECIAL)
def betaln(g, ans, a, b):
    return (unbroadcast(g * (sc.digamma(a) - sc.digamma(np.add(a, b))), a),
            unbroadcast(g * (sc.digamma(b) - sc.digamma(np.add(a, b))), b))


@defvjp(sc.gammainc, prefix=SPECIAL)
def gammainc(g, ans, a, x):
    return (not_differentiable("scipy.special.gammainc", "a",
                               "it has no closed form; wrap a in adtrans.stop_gradient(...) "
                               "if it needs none"),
            unbroadcast(g * np.exp(xlogy_kept(a - 1.0, x) - x - sc.gammaln(a)), x))


@defvjp(sc.gammaincc, prefix=SPECIAL)
def gammaincc(g, ans, a, x):
    return (not_differentiable("scipy.special.gammaincc", "a",
                               "it has no closed form; wrap a in adtrans.stop_gradient(...) "
                               "if it needs none"),
            unbroadcast(-g * np.exp(xlogy_kept(a - 1.0, x) - x - sc.gammaln(a)), x))


# ------------------------------------------------------------- error functions, normal
@defvjp(sc.erf, prefix=SPECIAL)
def erf(g, ans, x):
    return g * TWO_OVER_SQRT_PI * np.exp(-x * x)


@defvjp(sc.erfc, prefix=SPECIAL)
def erfc(g, ans, x):
    return -g * TWO_OVER_SQRT_PI * np.exp(-x * x)


@defvjp(sc.erfcx, prefix=SPECIAL)
def erfcx(g, ans, x):
    # exp(x^2) erfc(x)
    return g * (2.0 * x * ans - TWO_OVER_SQRT_PI)


@defvjp(sc.erfinv, prefix=SPECIAL)
def erfinv(g, ans, x):
    return g * HALF_SQRT_PI * np.exp(ans * ans)


@defvjp(sc.erfcinv, prefix=SPECIAL)
def erfcinv(g, ans, x):
    return -g * HALF_SQRT_PI * np.exp(ans * ans)


@defvjp(sc.ndtr, prefix=SPECIAL)
def ndtr(g, ans, x):
    return g * INV_SQRT_2PI * np.exp(-0.5 * x * x)


@defvjp(sc.ndtri, prefix=SPECIAL)
def ndtri(g, ans, x):
    return g * SQRT_2PI * np.exp(0.5 * ans * ans)


@defvjp(sc.log_ndtr, prefix=SPECIAL)
def log_ndtr(g, ans, x):
    # phi(x) / Phi(x), as one exponential: no underflow for very negative x.
    return g * INV_SQRT_2PI * np.exp(-0.5 * x * x - ans)


# ----------------------------------------------------------- logarithms of products
@defvjp(sc.xlogy, prefix=SPECIAL)
def xlogy(g, ans, x, y):
    return unbroadcast(g * np.log(y), x), unbroadcast(g * x_over_y(x, y), y)


@defvjp(sc.xlog1py, prefix=SPECIAL)
def xlog1py(g, ans, x, y):
    return unbroadcast(g * np.log1p(y), x), unbroadcast(g * x_over_y(x, 1.0 + y), y)


@defvjp(sc.entr, prefix=SPECIAL)
def entr(g, ans, x):
    return g * entr_grad(x)


@defvjp(sc.rel_entr, prefix=SPECIAL)
def rel_entr(g, ans, x, y):
    return (unbroadcast(g * rel_entr_grads(x, y)[0], x),
            unbroadcast(g * rel_entr_grads(x, y)[1], y))


@defvjp(sc.kl_div, prefix=SPECIAL)
def kl_div(g, ans, x, y):
    # x log(x/y) - x + y: rel_entr's partials less 1 in x, plus 1 in y.
    return (unbroadcast(g * (rel_entr_grads(x, y)[0] - 1.0), x),
            unbroadcast(g * (rel_entr_grads(x, y)[1] + 1.0), y))


# ------------------------------------------------------------------ Bessel functions
@defvjp(sc.i0, prefix=SPECIAL)
def i0(g, ans, x):
    return g * sc.i1(x)


@defvjp(sc.i1, prefix=SPECIAL)
def i1(g, ans, x):
    return g * 0.5 * (sc.i0(x) + sc.iv(2.0, x))


@defvjp(sc.i0e, prefix=SPECIAL)
def i0e(g, ans, x):
    # exp(-|x|) i0(x)
    return g * (sc.i1e(x) - np.sign(x) * ans)


@defvjp(sc.i1e, prefix=SPECIAL)
def i1e(g, ans, x):
    return g * (0.5 * (sc.i0e(x) + sc.ive(2.0, x)) - np.sign(x) * ans)


@defvjp(sc.k0, prefix=SPECIAL)
def k0(g, ans, x):
    return -g * sc.k1(x)


@defvjp(sc.k1, prefix=SPECIAL)
def k1(g, ans, x):
    return -g * 0.5 * (sc.k0(x) + sc.kv(2.0, x))


@defvjp(sc.k0e, prefix=SPECIAL)
def k0e(g, ans, x):
    # exp(x) k0(x)
    return g * (ans - sc.k1e(x))


@defvjp(sc.k1e, prefix=SPECIAL)
def k1e(g, ans, x):
    return g * (ans - 0.5 * (sc.k0e(x) + sc.kve(2.0, x)))


@defvjp(sc.j0, prefix=SPECIAL)
def j0(g, ans, x):
    return -g * sc.j1(x)


@defvjp(sc.j1, prefix=SPECIAL)
def j1(g, ans, x):
    return g * 0.5 * (sc.j0(x) - sc.jv(2.0, x))


@defvjp(sc.y0, prefix=SPECIAL)
def y0(g, ans, x):
    return -g * sc.y1(x)


@defvjp(sc.y1, prefix=SPECIAL)
def y1(g, ans, x):
    return g * 0.5 * (sc.y0(x) - sc.yv(2.0, x))


# ------------------------------------------------------------ elementary companions
@defvjp(sc.expm1, prefix=SPECIAL)
def expm1(g, ans, x):
    return g * (ans + 1.0)


@defvjp(sc.log1p, prefix=SPECIAL)
def log1p(g, ans, x):
    return g / (1.0 + x)


@defvjp(sc.exprel, prefix=SPECIAL)
def exprel(g, ans, x):
    return g * exprel_grad(x, ans)


@defvjp(sc.cbrt, prefix=SPECIAL)
def cbrt(g, ans, x):
    return g / (3.0 * ans * ans)


@defvjp(sc.exp2, prefix=SPECIAL)
def exp2(g, ans, x):
    return g * ans * LN2


@defvjp(sc.exp10, prefix=SPECIAL)
def exp10(g, ans, x):
    return g * ans * LN10


@defvjp(sc.cosm1, prefix=SPECIAL)
def cosm1(g, ans, x):
    return -g * np.sin(x)


@defvjp(sc.sindg, prefix=SPECIAL)
def sindg(g, ans, x):
    return g * DEG * sc.cosdg(x)


@defvjp(sc.cosdg, prefix=SPECIAL)
def cosdg(g, ans, x):
    return -g * DEG * sc.sindg(x)


@defvjp(sc.tandg, prefix=SPECIAL)
def tandg(g, ans, x):
    return g * DEG * (1.0 + ans * ans)


@defvjp(sc.cotdg, prefix=SPECIAL)
def cotdg(g, ans, x):
    return -g * DEG * (1.0 + ans * ans)


if hasattr(sc, "softplus"):         # scipy 1.15
    @defvjp(sc.softplus, prefix=SPECIAL)
    def softplus(g, ans, x):
        return g * sc.expit(x)


@defvjp(sc.powm1, prefix=SPECIAL)
def powm1(g, ans, x, y):
    # x**y - 1; as for x**y, the derivative in x is 0 where x and y are both 0.
    return (unbroadcast(g * y * power_base(x, y) ** (y - 1.0), x),
            unbroadcast(g * xlogy_kept(ans + 1.0, x), y))


@defvjp(sc.boxcox, prefix=SPECIAL)
def boxcox(g, ans, x, lmbda):
    return (unbroadcast(g * np.power(x, lmbda - 1.0), x),
            unbroadcast(g * boxcox_lmbda_grad(x, lmbda, np.log), lmbda))


@defvjp(sc.boxcox1p, prefix=SPECIAL)
def boxcox1p(g, ans, x, lmbda):
    return (unbroadcast(g * np.power(np.add(1.0, x), lmbda - 1.0), x),
            unbroadcast(g * boxcox_lmbda_grad(x, lmbda, np.log1p), lmbda))


# ------------------------------------------------------------ more special functions
@defvjp(sc.erfi, prefix=SPECIAL)
def erfi(g, ans, x):
    return g * TWO_OVER_SQRT_PI * np.exp(x * x)


@defvjp(sc.dawsn, prefix=SPECIAL)
def dawsn(g, ans, x):
    return g * (1.0 - 2.0 * x * ans)


@defvjp(sc.exp1, prefix=SPECIAL)
def exp1(g, ans, x):
    return -g * np.exp(-x) / x


@defvjp(sc.expi, prefix=SPECIAL)
def expi(g, ans, x):
    return g * np.exp(x) / x


@defvjp(sc.ndtri_exp, prefix=SPECIAL)
def ndtri_exp(g, ans, y):
    # The inverse of log_ndtr: 1 / log_ndtr'(ans).
    return g * SQRT_2PI * np.exp(y + 0.5 * ans * ans)


@defvjp(sc.poch, prefix=SPECIAL)
def poch(g, ans, z, m):
    # Gamma(z + m) / Gamma(z)
    return (unbroadcast(g * ans * (sc.digamma(np.add(z, m)) - sc.digamma(z)), z),
            unbroadcast(g * ans * sc.digamma(np.add(z, m)), m))
