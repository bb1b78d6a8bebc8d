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
from .registry import defvjp, defvjp_called
from .signal import cumprod_grad
from .statistics import _back, _last_axis, quantile_grad

# ------------------------------------------------------------------------ copies, conversions


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


@defvjp(np.ascontiguousarray, np.asfortranarray, linear=True)
def ascontiguousarray(g, ans, a, dtype=None, like=None):
    return plain_grad(g, a, dtype)


@defvjp(np.asanyarray, linear=True)
def asanyarray(g, ans, a, dtype=None, order=None, device=None, copy=None, like=None):
    return plain_grad(g, a, dtype)


@defvjp(np.asarray_chkfinite, linear=True)
def asarray_chkfinite(g, ans, a, dtype=None, order=None):
    return plain_grad(g, a, dtype)


@defvjp(np.require, linear=True)
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
