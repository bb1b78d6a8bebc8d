"""Rules for scipy.stats: the normal, Student t and gamma distributions' logpdf, pdf,
cdf, logcdf, sf and logsf, in x, loc, scale and the shape parameter where its
derivative has a closed form (t's df and gamma's a in the densities only).

These are methods of library objects (``scipy.stats.norm.logpdf`` is
``rv_continuous.logpdf`` bound to ``scipy.stats.norm``); registry.BOUND_METHODS finds
them.  Loaded only once scipy.stats is imported (registry.OPTIONAL_RULES).

Every family is written in the standardized variable z = (x - loc) / scale, with the
standard log density lp(z) and its derivative lp'(z):

* logpdf = lp(z) - log(scale): d/dx = lp'(z) / scale, d/dloc = -d/dx,
  d/dscale = -(z lp'(z) + 1) / scale; pdf: the same times the pdf;
* cdf = F(z): d/dx = exp(lp(z)) / scale, d/dloc = -d/dx, d/dscale = -z d/dx;
  sf = 1 - F(z): the negatives; logcdf and logsf: those over the cdf or sf, computed
  as exp(lp(z) - ans) so they do not underflow in the tails.
"""

import math

import numpy as np
import scipy.special as sc
from scipy import stats

from ..errors import AdtransError
from ..runtime import unbroadcast
from .registry import ADVISERS, defvjp
from .scipy_special import result_dtype

HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
NO_SHAPE_DERIVATIVE = ("has no closed form; wrap it in adtrans.stop_gradient(...) if it "
                       "needs no gradient")


def no_derivative(function, param):
    raise AdtransError(f"{function} has no derivative rule in its argument {param!r}: its "
                       f"derivative {NO_SHAPE_DERIVATIVE}")


def standardized(x, loc, scale):
    return (np.asarray(x, dtype=result_dtype(x, loc, scale)) - loc) / scale


# ------------------------------------------------------------ frozen distributions
DISTRIBUTION_METHODS = {"logpdf", "pdf", "cdf", "logcdf", "sf", "logsf", "ppf", "isf",
                        "pmf", "logpmf"}
FROZEN_ADVICE = ("frozen scipy.stats distributions (stats.norm(mu, sigma).logpdf(x)) are "
                 "not supported; call the distribution's method with its parameters: "
                 "stats.norm.logpdf(x, mu, sigma)")


def frozen_hint(function, method):
    """The advice for a frozen distribution: made (stats.norm(mu, sigma)), a method of one
    at module level, or a distribution method of a value adtrans cannot see through."""
    rv_generic = getattr(stats._distn_infrastructure, "rv_generic", ())
    rv_frozen = getattr(stats._distn_infrastructure, "rv_frozen", ())
    if isinstance(function, rv_generic):
        return f"{type(function).__name__.removesuffix('_gen')}(...): {FROZEN_ADVICE}"
    if isinstance(getattr(function, "__self__", None), rv_frozen):
        return f"{method}() of a frozen distribution: {FROZEN_ADVICE}"
    if method in DISTRIBUTION_METHODS and not callable(function):
        return (f"adtrans has no derivative rule for the method .{method}() of a local "
                f"value; if it is a frozen scipy.stats distribution, note that "
                f"{FROZEN_ADVICE}")
    return None


ADVISERS.append(frozen_hint)


# ------------------------------------------------------------------ standard densities
def norm_lp(z, shape=None):
    return -0.5 * z * z - HALF_LOG_2PI


def norm_dlp(z, shape=None):
    return -z


def t_lp(z, df):
    return (sc.gammaln(0.5 * (df + 1.0)) - sc.gammaln(0.5 * df)
            - 0.5 * np.log(df * math.pi) - 0.5 * (df + 1.0) * np.log1p(z * z / df))


def t_dlp(z, df):
    return -(df + 1.0) * z / (df + z * z)


def t_dlp_ddf(z, df):
    """d/ddf of t's log density at z."""
    return 0.5 * (sc.digamma(0.5 * (df + 1.0)) - sc.digamma(0.5 * df) - 1.0 / df
                  - np.log1p(z * z / df) + (df + 1.0) * z * z / (df * (df + z * z)))


def gamma_lp(z, a):
    """(a - 1) log z - z - log Gamma(a) on z > 0, -inf below (0 ** 0 taken as 1)."""
    positive = z > 0
    safe = np.where(positive, z, 1.0)
    inside = sc.xlogy(a - 1.0, safe) - safe - sc.gammaln(a)
    return np.where(positive, inside, np.where(z == 0, np.where(a == 1.0, -sc.gammaln(a),
                                                                np.inf * (1.0 - a)),
                                               -np.inf))


def gamma_dlp(z, a):
    """(a - 1) / z - 1 on z > 0; 0 below the support (where the density is 0)."""
    positive = z > 0
    safe = np.where(positive, z, 1.0)
    return np.where(positive, (a - 1.0) / safe - 1.0, 0.0)


def gamma_dlp_da(z, a):
    positive = z > 0
    return np.where(positive, np.log(np.where(positive, z, 1.0)) - sc.digamma(a), 0.0)


# ------------------------------------------------------------------ shared derivatives
def log_density_grads(dlp, x, loc, scale, shape=None):
    """(d/dx, d/dscale) of lp(z) - log(scale); d/dloc is -d/dx."""
    z = standardized(x, loc, scale)
    score = dlp(z, shape)
    return score / scale, -(z * score + 1.0) / scale


def cdf_grads(lp, x, loc, scale, shape=None, ans=None, sign=1.0):
    """(d/dx, d/dscale) of sign * F(z) (ans None) or of log(F) or log(1 - F) (ans the
    value): the density at z over scale, times -z for scale."""
    z = standardized(x, loc, scale)
    log_density = lp(z, shape)
    if ans is not None:             # where the density is 0, so is the derivative
        with np.errstate(invalid="ignore"):
            log_density = np.where(np.isneginf(log_density), -np.inf, log_density - ans)
    dx = sign * np.exp(log_density) / scale
    return dx, -z * dx


def in_x(g, grads, x):
    return unbroadcast(g * grads[0], x)


def in_loc(g, grads, loc):
    return unbroadcast(-g * grads[0], loc)


def in_scale(g, grads, scale):
    return unbroadcast(g * grads[1], scale)


# ------------------------------------------------------------------------- normal
NORM = "scipy.stats.norm."


@defvjp(stats.norm.logpdf, prefix=NORM)
def norm_logpdf(g, ans, x, loc=0.0, scale=1.0):
    return (in_x(g, log_density_grads(norm_dlp, x, loc, scale), x),
            in_loc(g, log_density_grads(norm_dlp, x, loc, scale), loc),
            in_scale(g, log_density_grads(norm_dlp, x, loc, scale), scale))


@defvjp(stats.norm.pdf, prefix=NORM)
def norm_pdf(g, ans, x, loc=0.0, scale=1.0):
    return (in_x(g * ans, log_density_grads(norm_dlp, x, loc, scale), x),
            in_loc(g * ans, log_density_grads(norm_dlp, x, loc, scale), loc),
            in_scale(g * ans, log_density_grads(norm_dlp, x, loc, scale), scale))


@defvjp(stats.norm.cdf, prefix=NORM)
def norm_cdf(g, ans, x, loc=0.0, scale=1.0):
    return (in_x(g, cdf_grads(norm_lp, x, loc, scale), x),
            in_loc(g, cdf_grads(norm_lp, x, loc, scale), loc),
            in_scale(g, cdf_grads(norm_lp, x, loc, scale), scale))


@defvjp(stats.norm.sf, prefix=NORM)
def norm_sf(g, ans, x, loc=0.0, scale=1.0):
    return (in_x(g, cdf_grads(norm_lp, x, loc, scale, sign=-1.0), x),
            in_loc(g, cdf_grads(norm_lp, x, loc, scale, sign=-1.0), loc),
            in_scale(g, cdf_grads(norm_lp, x, loc, scale, sign=-1.0), scale))


@defvjp(stats.norm.logcdf, prefix=NORM)
def norm_logcdf(g, ans, x, loc=0.0, scale=1.0):
    return (in_x(g, cdf_grads(norm_lp, x, loc, scale, None, ans), x),
            in_loc(g, cdf_grads(norm_lp, x, loc, scale, None, ans), loc),
            in_scale(g, cdf_grads(norm_lp, x, loc, scale, None, ans), scale))


@defvjp(stats.norm.logsf, prefix=NORM)
def norm_logsf(g, ans, x, loc=0.0, scale=1.0):
    return (in_x(g, cdf_grads(norm_lp, x, loc, scale, None, ans, -1.0), x),
            in_loc(g, cdf_grads(norm_lp, x, loc, scale, None, ans, -1.0), loc),
            in_scale(g, cdf_grads(norm_lp, x, loc, scale, None, ans, -1.0), scale))


# ------------------------------------------------------------------------ Student t
T = "scipy.stats.t."


@defvjp(stats.t.logpdf, prefix=T)
def t_logpdf(g, ans, x, df, loc=0.0, scale=1.0):
    return (in_x(g, log_density_grads(t_dlp, x, loc, scale, df), x),
            unbroadcast(g * t_dlp_ddf(standardized(x, loc, scale), df), df),
            in_loc(g, log_density_grads(t_dlp, x, loc, scale, df), loc),
            in_scale(g, log_density_grads(t_dlp, x, loc, scale, df), scale))


@defvjp(stats.t.pdf, prefix=T)
def t_pdf(g, ans, x, df, loc=0.0, scale=1.0):
    return (in_x(g * ans, log_density_grads(t_dlp, x, loc, scale, df), x),
            unbroadcast(g * ans * t_dlp_ddf(standardized(x, loc, scale), df), df),
            in_loc(g * ans, log_density_grads(t_dlp, x, loc, scale, df), loc),
            in_scale(g * ans, log_density_grads(t_dlp, x, loc, scale, df), scale))


@defvjp(stats.t.cdf, prefix=T)
def t_cdf(g, ans, x, df, loc=0.0, scale=1.0):
    return (in_x(g, cdf_grads(t_lp, x, loc, scale, df), x),
            no_derivative("scipy.stats.t.cdf", "df"),
            in_loc(g, cdf_grads(t_lp, x, loc, scale, df), loc),
            in_scale(g, cdf_grads(t_lp, x, loc, scale, df), scale))


@defvjp(stats.t.sf, prefix=T)
def t_sf(g, ans, x, df, loc=0.0, scale=1.0):
    return (in_x(g, cdf_grads(t_lp, x, loc, scale, df, sign=-1.0), x),
            no_derivative("scipy.stats.t.sf", "df"),
            in_loc(g, cdf_grads(t_lp, x, loc, scale, df, sign=-1.0), loc),
            in_scale(g, cdf_grads(t_lp, x, loc, scale, df, sign=-1.0), scale))


@defvjp(stats.t.logcdf, prefix=T)
def t_logcdf(g, ans, x, df, loc=0.0, scale=1.0):
    return (in_x(g, cdf_grads(t_lp, x, loc, scale, df, ans), x),
            no_derivative("scipy.stats.t.logcdf", "df"),
            in_loc(g, cdf_grads(t_lp, x, loc, scale, df, ans), loc),
            in_scale(g, cdf_grads(t_lp, x, loc, scale, df, ans), scale))


# ---------------------------------------------------------------------------- gamma
GAMMA = "scipy.stats.gamma."


@defvjp(stats.gamma.logpdf, prefix=GAMMA)
def gamma_logpdf(g, ans, x, a, loc=0.0, scale=1.0):
    return (in_x(g, log_density_grads(gamma_dlp, x, loc, scale, a), x),
            unbroadcast(g * gamma_dlp_da(standardized(x, loc, scale), a), a),
            in_loc(g, log_density_grads(gamma_dlp, x, loc, scale, a), loc),
            in_scale(g, log_density_grads(gamma_dlp, x, loc, scale, a), scale))


@defvjp(stats.gamma.pdf, prefix=GAMMA)
def gamma_pdf(g, ans, x, a, loc=0.0, scale=1.0):
    return (in_x(g * ans, log_density_grads(gamma_dlp, x, loc, scale, a), x),
            unbroadcast(g * ans * gamma_dlp_da(standardized(x, loc, scale), a), a),
            in_loc(g * ans, log_density_grads(gamma_dlp, x, loc, scale, a), loc),
            in_scale(g * ans, log_density_grads(gamma_dlp, x, loc, scale, a), scale))


@defvjp(stats.gamma.cdf, prefix=GAMMA)
def gamma_cdf(g, ans, x, a, loc=0.0, scale=1.0):
    return (in_x(g, cdf_grads(gamma_lp, x, loc, scale, a), x),
            no_derivative("scipy.stats.gamma.cdf", "a"),
            in_loc(g, cdf_grads(gamma_lp, x, loc, scale, a), loc),
            in_scale(g, cdf_grads(gamma_lp, x, loc, scale, a), scale))


@defvjp(stats.gamma.sf, prefix=GAMMA)
def gamma_sf(g, ans, x, a, loc=0.0, scale=1.0):
    return (in_x(g, cdf_grads(gamma_lp, x, loc, scale, a, sign=-1.0), x),
            no_derivative("scipy.stats.gamma.sf", "a"),
            in_loc(g, cdf_grads(gamma_lp, x, loc, scale, a, sign=-1.0), loc),
            in_scale(g, cdf_grads(gamma_lp, x, loc, scale, a, sign=-1.0), scale))


@defvjp(stats.gamma.logcdf, prefix=GAMMA)
def gamma_logcdf(g, ans, x, a, loc=0.0, scale=1.0):
    return (in_x(g, cdf_grads(gamma_lp, x, loc, scale, a, ans), x),
            no_derivative("scipy.stats.gamma.logcdf", "a"),
            in_loc(g, cdf_grads(gamma_lp, x, loc, scale, a, ans), loc),
            in_scale(g, cdf_grads(gamma_lp, x, loc, scale, a, ans), scale))
