"""More NumPy rules: copies and conversions, the NumPy 2 array-API names (matrix_transpose,
unstack, cumulative_sum / cumulative_prod), NaN-ignoring cumulative products and
quantiles, deleting and inserting, blocks, polynomials, covariance and histograms.

Conventions: copies and conversions pass the cotangent through (none survives a cast to an
integer or boolean dtype); NaN elements get a zero cotangent in the nan* functions, as in
statistics.py, whose quantile rule (``method='linear'``) the nan* quantiles reuse on each
line's present values.
"""

import numpy as np

from ..errors import AdtransError
from ..runtime import cast_grad, cumsum_grad, float_dtype
from .construct import linspace_start_grad, linspace_stop_grad
from .registry import defvjp, defvjp_called
from .signal import cumprod_grad
from .statistics import _back, _last_axis, quantile_grad

# ------------------------------------------------------------------------ copies, conversions


# Conversions with a dtype= are not marked linear: a cast to integers rounds a tangent.
def plain_grad(g, a, dtype=None):
    """Cotangent through a conversion that keeps values (and, for 0-d input, may add an
    axis): ``g`` in ``a``'s shape; refused for ndarray subclasses other than plain arrays."""
    if isinstance(a, np.ndarray) and type(a) is not np.ndarray:
        raise AdtransError(f"a conversion of a {type(a).__name__} has no derivative rule; "
                           "convert it with np.asarray first")
    return np.reshape(cast_grad(g, dtype), np.shape(a))


@defvjp(np.copy, linear=True)
def copy(g, ans, a, order="K", subok=False):
    return plain_grad(g, a)


@defvjp(np.ascontiguousarray, np.asfortranarray)
def ascontiguousarray(g, ans, a, dtype=None, like=None):
    return plain_grad(g, a, dtype)


@defvjp(np.asanyarray)
def asanyarray(g, ans, a, dtype=None, order=None, device=None, copy=None, like=None):
    return plain_grad(g, a, dtype)


@defvjp(np.asarray_chkfinite)
def asarray_chkfinite(g, ans, a, dtype=None, order=None):
    return plain_grad(g, a, dtype)


@defvjp(np.require)
def require(g, ans, a, dtype=None, requirements=None, like=None):
    # Every requirement (C, F, A, W, O, E) is about memory, not values.
    return plain_grad(g, a, dtype)


@defvjp(np.matrix_transpose, linear=True)
def matrix_transpose(g, ans, x):
    return np.swapaxes(g, -1, -2)


@defvjp_called(np.unstack, linear=True, returns=("tuple", None))
def unstack_vjp(g, ans, x, axis=0):
    """``np.unstack(x, axis)``: the pieces' cotangents (zeros for None) stacked back."""
    dtype = float_dtype(np.asarray(x))
    parts = [np.zeros(np.shape(piece), dtype=dtype) if part is None else part
             for part, piece in zip(g, ans, strict=True)]
    if not parts:
        return (np.zeros(np.shape(x), dtype=dtype),)
    return (np.stack(parts, axis=axis),)


# ------------------------------------------------------------------------ cumulative


def _drop_initial(g, x, axis, include_initial):
    """``g`` without the initial element ``cumulative_*(..., include_initial=True)`` puts
    in front along ``axis``, and the axis (0 for a 1-D ``x`` with ``axis=None``)."""
    axis = 0 if axis is None else axis % max(np.ndim(x), 1)
    g = np.asarray(g)
    if include_initial:
        g = np.take(g, np.arange(1, g.shape[axis]), axis=axis)
    return g, axis


def cumulative_sum_grad(g, x, axis=None, include_initial=False):
    g, axis = _drop_initial(g, x, axis, include_initial)
    return np.reshape(cumsum_grad(g, np.reshape(x, g.shape), axis), np.shape(x))


def cumulative_prod_grad(g, ans, x, axis=None, include_initial=False):
    g, axis = _drop_initial(g, x, axis, include_initial)
    ans, _ = _drop_initial(ans, x, axis, include_initial)
    return np.reshape(cumprod_grad(g, ans, np.reshape(x, g.shape), axis), np.shape(x))


DTYPE = {"dtype": "a dtype= may round; cast with .astype(...) first"}


@defvjp(np.cumulative_sum, linear=True, refuse=DTYPE)
def cumulative_sum(g, ans, x, axis=None, dtype=None, out=None, include_initial=False):
    return cumulative_sum_grad(g, x, axis, include_initial)


@defvjp(np.cumulative_prod, refuse=DTYPE)
def cumulative_prod(g, ans, x, axis=None, dtype=None, out=None, include_initial=False):
    return cumulative_prod_grad(g, ans, x, axis, include_initial)


def nancumprod_grad(g, ans, x, axis=None):
    """``np.nancumprod`` is ``np.cumprod`` with NaNs made 1; NaNs get zero."""
    present = ~np.isnan(x)
    return cumprod_grad(g, ans, np.where(present, x, 1.0), axis) * present


@defvjp(np.nancumprod, refuse=DTYPE)
def nancumprod(g, ans, a, axis=None, dtype=None, out=None):
    return nancumprod_grad(g, ans, a, axis)


# ------------------------------------------------------------------------ nan quantiles
METHOD = {"method": "only method='linear' (the default) has a derivative rule",
          "weights": "weighted quantiles have no derivative rule"}


def nanquantile_grad(g, x, q, axis=None, keepdims=False, scale=1.0):
    """Cotangent of ``np.nanquantile(x, q / scale, axis)``: the linear-interpolation rule
    of np.quantile on each line's present values; NaNs (and lines of NaNs) get zeros."""
    if np.iscomplexobj(x):
        raise AdtransError("complex numbers are not differentiated by adtrans")
    flat, moved_shape, order = _last_axis(x, axis)
    dtype = float_dtype(x)
    nq = np.size(q)
    g = np.reshape(np.asarray(g), (nq, -1))
    lines = flat.reshape(-1, flat.shape[-1])
    out = np.zeros(lines.shape, dtype=dtype)
    for i, line in enumerate(lines):
        present = ~np.isnan(line)
        if np.any(present):
            out[i, present] = quantile_grad(g[:, i], line[present], q, None, False, scale)
    return _back(out.reshape(flat.shape), moved_shape, order)


def nanquantile_q_grad(q):
    raise AdtransError("the gradient of a quantile with respect to q is not supported; "
                       "differentiate with respect to the data only")


@defvjp(np.nanquantile, refuse=METHOD)
def nanquantile(g, ans, a, q, axis=None, out=None, overwrite_input=False, method="linear",
                keepdims=False, weights=None):
    return nanquantile_grad(g, a, q, axis, keepdims), nanquantile_q_grad(q)


@defvjp(np.nanpercentile, refuse=METHOD)
def nanpercentile(g, ans, a, q, axis=None, out=None, overwrite_input=False, method="linear",
                  keepdims=False, weights=None):
    return nanquantile_grad(g, a, q, axis, keepdims, 100.0), nanquantile_q_grad(q)


@defvjp(np.nanmedian)
def nanmedian(g, ans, a, axis=None, out=None, overwrite_input=False, keepdims=False):
    return nanquantile_grad(g, a, 0.5, axis, keepdims)


# ------------------------------------------------------------------------ delete, insert, block
def _labels(x, start=0):
    """The flat positions ``start, start + 1, ...`` of ``x``'s elements, in ``x``'s shape."""
    return np.arange(start, start + np.size(x)).reshape(np.shape(x))


def _gather(g, labels, size, dtype):
    """The cotangent of the elements ``labels`` say ``g``'s elements came from (repeated
    labels add up); labels outside ``0 <= label < size`` are dropped."""
    out = np.zeros(size, dtype=dtype)
    labels = np.ravel(labels)
    keep = (labels >= 0) & (labels < size)
    np.add.at(out, labels[keep], np.ravel(g)[keep])
    return out


def delete_grad(g, arr, obj, axis=None):
    """Cotangent of ``np.delete``: the kept elements get theirs, the deleted zeros."""
    if np.iscomplexobj(arr):
        raise AdtransError("complex numbers are not differentiated by adtrans")
    kept = np.delete(_labels(arr), obj, axis)
    return _gather(g, kept, np.size(arr), float_dtype(arr)).reshape(np.shape(arr))


@defvjp(np.delete, linear=True)
def delete(g, ans, arr, obj, axis=None):
    return delete_grad(g, arr, obj, axis)


def insert_grad(g, arr, obj, values, axis, part):
    """Cotangent of ``arr`` (``part`` 0) or ``values`` (2) in ``np.insert``: the same
    insertion made on labels (``arr``'s flat positions, and ``-1 - position`` for the
    values, broadcast as NumPy broadcasts them) says where each element of ``g`` came
    from."""
    if np.iscomplexobj(arr) or np.iscomplexobj(values):
        raise AdtransError("complex numbers are not differentiated by adtrans")
    where = np.insert(_labels(arr), obj, -1 - _labels(values), axis)
    if part == 0:
        return _gather(g, where, np.size(arr), float_dtype(arr)).reshape(np.shape(arr))
    return _gather(g, -1 - where, np.size(values), float_dtype(values)).reshape(
        np.shape(values))


@defvjp(np.insert, linear=True)
def insert(g, ans, arr, obj, values, axis=None):
    return insert_grad(g, arr, obj, values, axis, 0), None, insert_grad(g, arr, obj, values,
                                                                        axis, 2)


def _leaves(arrays, out):
    if isinstance(arrays, (list, tuple)):
        for item in arrays:
            _leaves(item, out)
    else:
        out.append(arrays)
    return out


def _relabel(arrays, labels):
    if isinstance(arrays, (list, tuple)):
        return [_relabel(item, labels) for item in arrays]
    return labels.pop(0)


@defvjp_called(np.block, linear=True)
def block_vjp(g, ans, arrays):
    """``np.block(nested lists)``: the same block made of the leaves' flat positions says
    which element of ``g`` belongs to which leaf; the cotangent is nested as the lists."""
    leaves = _leaves(arrays, [])
    if any(np.iscomplexobj(leaf) for leaf in leaves):
        raise AdtransError("complex numbers are not differentiated by adtrans")
    starts = np.cumsum([0] + [np.size(leaf) for leaf in leaves])
    labels = np.block(_relabel(arrays, [_labels(leaf, s)
                                        for leaf, s in zip(leaves, starts[:-1], strict=True)]))
    flat = _gather(g, labels, int(starts[-1]), float_dtype(np.asarray(g)))
    parts = [np.reshape(flat[a:b], np.shape(leaf)).astype(float_dtype(leaf), copy=False)
             for leaf, a, b in zip(leaves, starts[:-1], starts[1:], strict=True)]
    return (_relabel(arrays, parts),)


# ------------------------------------------------------------------------ unwrap, spaces
def unwrap_period_grad(g, ans, p, period):
    """``np.unwrap`` adds multiples ``k period`` (k piecewise constant): d/dperiod = k."""
    return np.sum(g * (ans - p)) / period


@defvjp(np.unwrap)
def unwrap(g, ans, p, discont=None, axis=-1, period=2 * np.pi):
    # The correction is piecewise constant in p (and discont): p's cotangent is g.
    return g, None, None, unwrap_period_grad(g, ans, p, period)


def _along(v, ans, axis):
    """An array start / stop / base of a space, shaped to broadcast against its result."""
    return np.expand_dims(v, axis) if np.ndim(v) else v


def log_base(base, ans, axis):
    """``log(base)`` in the dtype of the result, shaped to broadcast against it."""
    return np.log(np.asarray(_along(base, ans, axis), dtype=float_dtype(ans)))


def logspace_base_grad(base):
    raise AdtransError("the gradient of np.logspace with respect to base is not supported; "
                       "write base ** np.linspace(start, stop, num) instead")


@defvjp(np.logspace)
def logspace(g, ans, start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0):
    return (linspace_start_grad(g * ans * log_base(base, ans, axis), ans, start, num,
                                endpoint, axis),
            linspace_stop_grad(g * ans * log_base(base, ans, axis), ans, stop, num,
                               endpoint, axis),
            None, None, logspace_base_grad(base))


@defvjp(np.geomspace)
def geomspace(g, ans, start, stop, num=50, endpoint=True, dtype=None, axis=0):
    return (linspace_start_grad(g * ans / _along(start, ans, axis), ans, start, num,
                                endpoint, axis),
            linspace_stop_grad(g * ans / _along(stop, ans, axis), ans, stop, num, endpoint,
                               axis))


# ------------------------------------------------------------------------ polynomials
def _coefficients(p):
    if isinstance(p, np.poly1d):
        raise AdtransError("np.poly1d objects have no derivative rule; pass the coefficient "
                           "array (p.coeffs) instead")
    if np.iscomplexobj(p):
        raise AdtransError("complex numbers are not differentiated by adtrans")
    return np.atleast_1d(p)


def polyadd_grad(g, p, sign=1.0):
    """Cotangent of one term of ``np.polyadd`` / ``np.polysub``: the shorter one is padded
    with leading zeros, so it gets the tail of ``g``."""
    n = _coefficients(p).shape[0]
    g = np.asarray(g)
    return np.reshape(sign * g[g.shape[0] - n:], np.shape(p)).astype(float_dtype(p),
                                                                      copy=False)


@defvjp(np.polyadd, linear=True)
def polyadd(g, ans, a1, a2):
    return polyadd_grad(g, a1), polyadd_grad(g, a2)


@defvjp(np.polysub, linear=True)
def polysub(g, ans, a1, a2):
    return polyadd_grad(g, a1), polyadd_grad(g, a2, -1.0)


def polymul_grad(g, a, other):
    """Cotangent of ``a`` in ``np.polymul(a, other)``, a convolution of the two with their
    leading zeros trimmed (as np.poly1d trims them): a correlation of ``g`` with the other;
    the trimmed leading zeros get zero."""
    a, other = _coefficients(a), _coefficients(other)
    lead = len(a) - len(np.poly1d(a).coeffs) if np.any(a) else len(a) - 1
    b = np.poly1d(other).coeffs
    out = np.zeros(a.shape, dtype=float_dtype(a))
    out[lead:] = np.correlate(np.asarray(g), b, "valid")
    return out


@defvjp(np.polymul)
def polymul(g, ans, a1, a2):
    return (np.reshape(polymul_grad(g, a1, a2), np.shape(a1)),
            np.reshape(polymul_grad(g, a2, a1), np.shape(a2)))


def poly_linear_grad(g, p, function, m):
    """Cotangent of ``p`` for a linear map ``function(p, m)`` of coefficient vectors: the
    transposed Jacobian (built column by column from unit vectors) applied to ``g``."""
    p = _coefficients(p)
    jacobian = np.array([np.atleast_1d(function(e, m)) for e in np.eye(len(p))])
    return (jacobian @ np.ravel(g)).astype(float_dtype(p))


def polyint_k_grad(k):
    raise AdtransError("the gradient of np.polyint with respect to k is not supported; "
                       "add the integration constants yourself")


@defvjp(np.polyder, linear=True)
def polyder(g, ans, p, m=1):
    return np.reshape(poly_linear_grad(g, p, np.polyder, m), np.shape(p))


@defvjp(np.polyint)
def polyint(g, ans, p, m=1, k=None):
    return (np.reshape(poly_linear_grad(g, p, np.polyint, m), np.shape(p)), None,
            polyint_k_grad(k))


# ------------------------------------------------------------------------ bincount
@defvjp(np.bincount)
def bincount(g, ans, x, weights=None, minlength=0):
    # Counts do not change with the (integer) x; bin k sums the weights of x == k.
    return None, np.take(g, x).astype(float_dtype(weights), copy=False)


# ------------------------------------------------------------------------ cov, corrcoef
WEIGHTS = {"fweights": "weighted covariances have no derivative rule",
           "aweights": "weighted covariances have no derivative rule",
           "dtype": "a dtype= may round; cast with .astype(...) first"}


def _variables(m, y, rowvar):
    """The variables as rows, as np.cov arranges them, and for ``m`` and ``y`` whether
    they were transposed."""
    m = np.asarray(m)
    if np.iscomplexobj(m) or np.iscomplexobj(y):
        raise AdtransError("complex numbers are not differentiated by adtrans")
    X = np.array(m, ndmin=2, dtype=np.result_type(m, np.float64))
    flips = [not rowvar and m.ndim != 1]
    if flips[0]:
        X = X.T
    if y is not None:
        Y = np.array(y, ndmin=2, dtype=np.result_type(y, np.float64))
        flips.append(not rowvar and Y.shape[0] != 1)
        X = np.concatenate((X, Y.T if flips[1] else Y), axis=0)
    return X, flips


def _cov_rows_grad(G, X, fact):
    """Cotangent of the rows ``X`` of ``C = Xc Xc^T / fact`` (Xc: rows centred) for a
    cotangent ``G`` of C: ``(G + G^T) Xc / fact`` (its rows sum to zero already)."""
    Xc = X - np.mean(X, axis=1, keepdims=True)
    return (G + G.T) @ Xc / fact


def _split_variables(gX, m, y, rowvar, part):
    flips = _variables(m, y, rowvar)[1]
    rows = np.array(m, ndmin=2).shape[1 if flips[0] else 0]
    piece = gX[:rows] if part == 0 else gX[rows:]
    if flips[part]:
        piece = piece.T
    like = m if part == 0 else y
    return np.reshape(piece, np.shape(like)).astype(float_dtype(like), copy=False)


def cov_grad(g, m, y, rowvar, bias, ddof, part):
    """Cotangent of ``m`` (``part`` 0) or ``y`` (1) in ``np.cov``."""
    X, _ = _variables(m, y, rowvar)
    if ddof is None:
        ddof = 0 if bias else 1
    k = X.shape[0]
    G = np.reshape(np.asarray(g, dtype=X.dtype), (k, k))
    gX = _cov_rows_grad(G, X, X.shape[1] - ddof)
    return _split_variables(gX, m, y, rowvar, part)


@defvjp(np.cov, refuse=WEIGHTS)
def cov(g, ans, m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None,
        dtype=None):
    return cov_grad(g, m, y, rowvar, bias, ddof, 0), cov_grad(g, m, y, rowvar, bias, ddof, 1)


def corrcoef_grad(g, ans, x, y, rowvar, part):
    """Cotangent of ``x`` (``part`` 0) or ``y`` (1) in ``np.corrcoef``: ``R = C / (s s^T)``
    with ``s = sqrt(diag C)``; one variable gives the constant 1."""
    X, _ = _variables(x, y, rowvar)
    like = x if part == 0 else y
    if np.ndim(ans) == 0:
        return np.zeros(np.shape(like), dtype=float_dtype(like))
    Xc = X - np.mean(X, axis=1, keepdims=True)
    C = Xc @ Xc.T / (X.shape[1] - 1)
    d = np.diag(C)
    s = np.sqrt(d)
    R = C / np.outer(s, s)
    G = np.asarray(g, dtype=X.dtype)
    gC = G / np.outer(s, s) - np.diag(np.sum(G * R + (G * R).T, axis=1) / (2.0 * d))
    gX = _cov_rows_grad(gC, X, X.shape[1] - 1)
    return _split_variables(gX, x, y, rowvar, part)


@defvjp(np.corrcoef, refuse={"dtype": "a dtype= may round; cast with .astype(...) first"})
def corrcoef(g, ans, x, y=None, rowvar=True, dtype=None):
    return corrcoef_grad(g, ans, x, y, rowvar, 0), corrcoef_grad(g, ans, x, y, rowvar, 1)


# ------------------------------------------------------------------------ trim_zeros, polyfit
def trim_zeros_grad(g, ans, filt, trim="fb", axis=None):
    """Cotangent of ``np.trim_zeros``: ``g`` written back where the kept box starts (the
    first nonzero along each trimmed axis, where the front is trimmed)."""
    if isinstance(filt, (list, tuple)):
        raise AdtransError("np.trim_zeros of a list gives a list, which has no derivative "
                           "rule; pass an array (np.asarray(filt))")
    x = np.asarray(filt)
    out = np.zeros(x.shape, dtype=float_dtype(x))
    if np.size(ans) == 0:
        return out
    axes = range(x.ndim) if axis is None else \
        [a % x.ndim for a in ((axis,) if np.ndim(axis) == 0 else axis)]
    where = np.nonzero(x)
    starts = [int(np.min(where[a])) if a in axes and "f" in trim.lower() else 0
              for a in range(x.ndim)]
    box = tuple(slice(s, s + n) for s, n in zip(starts, np.shape(ans), strict=True))
    out[box] = g
    return out


@defvjp(np.trim_zeros)   # not linear: what it keeps depends on the zeros
def trim_zeros(g, ans, filt, trim="fb", axis=None):
    return trim_zeros_grad(g, ans, filt, trim, axis)


def polyfit_x_grad(x):
    raise AdtransError("the gradient of np.polyfit with respect to x is not supported; "
                       "differentiate with respect to y only")


def polyfit_y_grad(g, x, y, deg):
    """Cotangent of ``y`` in ``np.polyfit(x, y, deg)``, the least-squares solution ``p =
    pinv(A) y`` of the Vandermonde system ``A``: ``pinv(A)^T g``."""
    if np.iscomplexobj(x) or np.iscomplexobj(y):
        raise AdtransError("complex numbers are not differentiated by adtrans")
    A = np.vander(np.asarray(x, dtype=np.float64), int(deg) + 1)
    return (np.linalg.pinv(A).T @ np.asarray(g)).astype(float_dtype(y), copy=False)


POLYFIT = {"w": "weighted fits have no derivative rule",
           "full": "np.polyfit(..., full=True) returns diagnostics, which have no "
                   "derivative rule",
           "cov": "np.polyfit(..., cov=True) returns a tuple, which has no derivative rule"}


@defvjp(np.polyfit, refuse=POLYFIT)
def polyfit(g, ans, x, y, deg, rcond=None, full=False, w=None, cov=False):
    return polyfit_x_grad(x), polyfit_y_grad(g, x, y, deg)


# ------------------------------------------------------------------------ histogram
def _shared(x, value):
    """Where ``x`` equals ``value``, shared equally among the ties (as np.min / np.max)."""
    at = np.asarray(x) == value
    return at / np.sum(at, dtype=float_dtype(x))


def _histogram_bins(bins):
    if isinstance(bins, str):
        raise AdtransError(f"np.histogram(..., bins={bins!r}) chooses its edges by an "
                           "estimator with no derivative rule; pass a number of bins or "
                           "the edges")


@defvjp_called(np.histogram, returns=("tuple", 2))
def histogram_vjp(g, ans, a, bins=10, range=None, density=None, weights=None):
    """``np.histogram(a, bins, range, weights)`` returns ``(hist, edges)``.  The counts are
    piecewise constant in ``a``; weighted sums are linear in the weights (each weight gets
    the cotangent of its bin, none outside the edges).  The edges are ``bins`` themselves,
    or equally spaced between ``range`` or else ``a``'s min and max (which get the
    cotangent, shared among ties)."""
    _histogram_bins(bins)
    if density:
        raise AdtransError("np.histogram(..., density=True) has no derivative rule; divide "
                           "the counts by np.sum(hist) * np.diff(edges) yourself")
    if np.iscomplexobj(a) or np.iscomplexobj(weights):
        raise AdtransError("complex numbers are not differentiated by adtrans")
    g_hist, g_edges = (None, None) if g is None else g
    hist, edges = ans
    x = np.asarray(a)
    ga, gbins, grange, gweights = None, None, None, None
    if g_edges is not None:
        g_edges = np.asarray(g_edges)
        if np.ndim(bins) > 0:
            gbins = np.reshape(g_edges, np.shape(bins)).astype(float_dtype(bins), copy=False)
        else:
            n = np.size(edges) - 1
            fractions = np.arange(n + 1, dtype=np.float64) / n
            fractions[-1] = 1.0
            g_first = np.sum(g_edges * (1.0 - fractions))
            g_last = np.sum(g_edges * fractions)
            if range is not None:
                grange = [g_first, g_last]
            elif x.size:
                ga = (g_first * _shared(x, np.min(x)) + g_last * _shared(x, np.max(x))
                      ).astype(float_dtype(x), copy=False)
    if weights is not None and g_hist is not None:
        flat = np.ravel(x)
        index = np.searchsorted(edges, flat, side="right") - 1
        index = np.where(flat == edges[-1], np.size(edges) - 2, index)
        inside = (index >= 0) & (index < np.size(edges) - 1)
        picked = np.where(inside, np.take(np.asarray(g_hist), np.clip(index, 0, None),
                                          mode="clip"), 0.0)
        gweights = np.reshape(picked, np.shape(weights)).astype(float_dtype(weights),
                                                                copy=False)
    return ga, gbins, grange, None, gweights
