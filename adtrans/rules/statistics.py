"""Rules for statistics: the NaN-ignoring reductions, average, ptp, median,
percentile and quantile, cov and corrcoef.

Conventions: NaN elements get a zero cotangent in the nan* reductions (they are left
out); a slice of NaNs only gives zeros.  Extremes (nanmax, ptp) share the cotangent
equally among tied elements, as np.max does.  Quantiles (median, percentile, quantile)
use ``method='linear'`` only: the result interpolates between two sorted elements, which
get ``1 - t`` and ``t`` of the cotangent; tied elements follow a stable sort.
"""

import numpy as np

from ..errors import AdtransError
from ..runtime import float_dtype, prod_grad, repeat_to_match
from .registry import defvjp

# ------------------------------------------------------------------------ helpers


def _axes(ndim, axis):
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
    return tuple(sorted(a % ndim for a in axes))


def _last_axis(x, axis):
    """``x`` with the reduced axes moved to one last axis, and how to move them back."""
    x = np.asarray(x)
    axes = _axes(x.ndim, axis)
    kept = [a for a in range(x.ndim) if a not in axes]
    order = kept + list(axes)
    moved = np.transpose(x, order)
    return moved.reshape(moved.shape[:len(kept)] + (-1,)), moved.shape, order


def _back(flat, moved_shape, order):
    return np.transpose(np.reshape(flat, moved_shape), np.argsort(order))


# (cumprod: signal.py, with the other cumulative rules)


# ------------------------------------------------------------------------ NaN-ignoring
def _present(x):
    return ~np.isnan(x)


def nanmean_grad(g, x, axis=None, keepdims=False):
    present = _present(x)
    count = np.sum(present, axis=axis, keepdims=True, dtype=float_dtype(x))
    return repeat_to_match(g, x, axis, keepdims) * present / np.maximum(count, 1.0)


def nan_extremum_grad(g, ans, x, axis=None, keepdims=False):
    """Cotangent of nanmax/nanmin: shared among the tied extreme elements (NaN never ties);
    zeros for a slice of NaNs."""
    mask = np.asarray(x) == repeat_to_match(ans, x, axis, keepdims)
    ties = np.sum(mask, axis=axis, keepdims=True, dtype=float_dtype(x))
    return repeat_to_match(g, x, axis, keepdims) * mask / np.maximum(ties, 1.0)


def nanvar_grad(g, x, axis=None, ddof=0, keepdims=False):
    present = _present(x)
    count = np.sum(present, axis=axis, keepdims=True, dtype=float_dtype(x))
    # A slice of NaNs gives zeros; one with no more than ddof values a NaN variance, and NaNs.
    dof = np.where(count > ddof, count - ddof,
                   np.where(count > 0, np.nan, 1.0).astype(count.dtype))
    centered = np.where(present, x - np.nanmean(x, axis=axis, keepdims=True), 0.0)
    return np.where(present, repeat_to_match(g, x, axis, keepdims) * (2.0 * centered) / dof,
                    0.0)


def nanstd_grad(g, ans, x, axis=None, ddof=0, keepdims=False):
    return nanvar_grad(g / (2.0 * np.where(ans == 0, 1.0, ans)), x, axis, ddof, keepdims)


def nancumsum_grad(g, x, axis=None):
    if axis is None:
        rev = np.flip(np.cumsum(np.flip(np.ravel(g))))
        return np.reshape(rev, np.shape(x)) * _present(x)
    return np.flip(np.cumsum(np.flip(g, axis), axis), axis) * _present(x)


WHERE = {"where": "a where= mask has no derivative rule; use np.where(mask, x, 0) first"}


@defvjp(np.nansum, refuse=WHERE)
def nansum(g, ans, a, axis=None, dtype=None, out=None, keepdims=False, initial=None,
           where=None):
    return repeat_to_match(g, a, axis, keepdims) * _present(a)


@defvjp(np.nanmean, refuse=WHERE)
def nanmean(g, ans, a, axis=None, dtype=None, out=None, keepdims=False, where=None):
    return nanmean_grad(g, a, axis, keepdims)


@defvjp(np.nanprod, refuse=WHERE)
def nanprod(g, ans, a, axis=None, dtype=None, out=None, keepdims=False, initial=None,
            where=None):
    return prod_grad(g, np.where(_present(a), a, 1.0), axis, keepdims) * _present(a)


@defvjp(np.nanmax, refuse=WHERE)
def nanmax(g, ans, a, axis=None, out=None, keepdims=False, initial=None, where=None):
    return nan_extremum_grad(g, ans, a, axis, keepdims)


@defvjp(np.nanmin, refuse=WHERE)
def nanmin(g, ans, a, axis=None, out=None, keepdims=False, initial=None, where=None):
    return nan_extremum_grad(g, ans, a, axis, keepdims)


@defvjp(np.nanvar, refuse=WHERE)
def nanvar(g, ans, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=None):
    return nanvar_grad(g, a, axis, ddof, keepdims)


@defvjp(np.nanstd, refuse=WHERE)
def nanstd(g, ans, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=None):
    return nanstd_grad(g, ans, a, axis, ddof, keepdims)


@defvjp(np.nancumsum)
def nancumsum(g, ans, a, axis=None, dtype=None, out=None):
    return nancumsum_grad(g, a, axis)


# ------------------------------------------------------------------------ average, ptp
def _weights_like(w, x, axis):
    """The weights in a shape that broadcasts against ``x`` (1-D weights lie along
    ``axis``)."""
    w = np.asarray(w)
    if w.shape == np.shape(x):
        return w
    shape = [1] * np.ndim(x)
    shape[axis % np.ndim(x)] = w.shape[0]
    return w.reshape(shape)


def average_grad(g, ans, x, axis=None, weights=None, keepdims=False):
    """Cotangent of ``np.average`` for ``a``: ``g w / sum(w)`` (``g / N`` unweighted)."""
    if weights is None:
        return repeat_to_match(g, x, axis, keepdims) / (np.size(x) // max(np.size(ans), 1))
    w = _weights_like(weights, x, axis)
    total = np.sum(np.broadcast_to(w, np.shape(x)), axis=axis, keepdims=True)
    return repeat_to_match(g, x, axis, keepdims) * w / total


def average_weights_grad(g, ans, x, axis=None, weights=None, keepdims=False):
    """Cotangent of ``np.average``'s weights: ``g (a - average) / sum(w)``, summed back to
    the weights' shape."""
    w = _weights_like(weights, x, axis)
    full = np.broadcast_to(w, np.shape(x))
    total = np.sum(full, axis=axis, keepdims=True)
    per = repeat_to_match(g, x, axis, keepdims) * (x - repeat_to_match(ans, x, axis, keepdims)) \
        / total
    if np.shape(weights) == np.shape(x):
        return per
    others = tuple(a for a in range(np.ndim(x)) if a != axis % np.ndim(x))
    return np.reshape(np.sum(per, axis=others), np.shape(weights))


@defvjp(np.average, refuse={"returned": "returned=True gives a tuple, which has no "
                                        "derivative rule; divide by np.sum(weights) instead"})
def average(g, ans, a, axis=None, weights=None, returned=False, keepdims=False):
    return (average_grad(g, ans, a, axis, weights, keepdims), None,
            average_weights_grad(g, ans, a, axis, weights, keepdims))


def ptp_grad(g, x, axis=None, keepdims=False):
    """Cotangent of ``np.ptp`` (max - min): the max's ties share ``g``, the min's ``-g``."""
    high = np.max(x, axis=axis, keepdims=True)
    low = np.min(x, axis=axis, keepdims=True)
    dtype = float_dtype(x)
    at_high, at_low = np.asarray(x) == high, np.asarray(x) == low
    share = at_high / np.sum(at_high, axis=axis, keepdims=True, dtype=dtype) - \
        at_low / np.sum(at_low, axis=axis, keepdims=True, dtype=dtype)
    return repeat_to_match(g, x, axis, keepdims) * share


@defvjp(np.ptp)
def ptp(g, ans, a, axis=None, out=None, keepdims=False):
    return ptp_grad(g, a, axis, keepdims)


# ------------------------------------------------------------------------ quantiles
METHOD = {"method": "only method='linear' (the default) has a derivative rule",
          "interpolation": "only method='linear' (the default) has a derivative rule",
          "weights": "weighted quantiles have no derivative rule"}


def quantile_grad(g, x, q, axis=None, keepdims=False, scale=1.0):
    """Cotangent of ``np.quantile(x, q / scale, axis)`` with linear interpolation."""
    flat, moved_shape, order = _last_axis(x, axis)
    n = flat.shape[-1]
    dtype = float_dtype(x)
    perm = np.argsort(flat, axis=-1, kind="stable")
    qs = np.ravel(np.asarray(q, dtype=np.float64)) / scale
    position = qs * (n - 1)
    low = np.floor(position).astype(np.intp)
    high = np.minimum(low + 1, n - 1)
    t = position - low
    weights = np.zeros((qs.size, n), dtype=dtype)
    rows = np.arange(qs.size)
    np.add.at(weights, (rows, low), 1.0 - t)
    np.add.at(weights, (rows, high), t)
    g = np.reshape(np.asarray(g), (qs.size,) + flat.shape[:-1])
    on_sorted = np.tensordot(g, weights, axes=(0, 0)).astype(dtype, copy=False)
    out = np.zeros(flat.shape, dtype=dtype)
    np.put_along_axis(out, perm, on_sorted, -1)
    return _back(out, moved_shape, order)


def quantile_q_grad(q):
    raise AdtransError("the gradient of a quantile with respect to q is not supported; "
                       "differentiate with respect to the data only")


@defvjp(np.quantile, refuse=METHOD)
def quantile(g, ans, a, q, axis=None, out=None, overwrite_input=False, method="linear",
             keepdims=False, weights=None, interpolation=None):
    return quantile_grad(g, a, q, axis, keepdims), quantile_q_grad(q)


@defvjp(np.percentile, refuse=METHOD)
def percentile(g, ans, a, q, axis=None, out=None, overwrite_input=False, method="linear",
               keepdims=False, weights=None, interpolation=None):
    return quantile_grad(g, a, q, axis, keepdims, 100.0), quantile_q_grad(q)


@defvjp(np.median)
def median(g, ans, a, axis=None, out=None, overwrite_input=False, keepdims=False):
    return quantile_grad(g, a, 0.5, axis, keepdims)
