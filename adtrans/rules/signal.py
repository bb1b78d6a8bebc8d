"""Rules for differences, sums along an axis and signals: diff, ediff1d, gradient, cumprod,
trapezoid, interp, convolve, correlate, and the Bessel function i0.

Most are linear in the array (the cotangent is the transposed operation: a difference
from the other side, a correlation for a convolution); the spacings of ``gradient``,
``trapezoid`` and the knots of ``interp`` enter through rational functions whose
derivatives are written out.
"""

import numpy as np

from ..errors import AdtransError
from ..runtime import float_dtype, unbroadcast
from .registry import defvjp, defvjp_called


def refuse_complex(*values):
    for value in values:
        if np.iscomplexobj(value):
            raise AdtransError("complex numbers are not differentiated by adtrans")


def _zeros_like(x, dtype=None):
    return np.zeros(np.shape(x), dtype=dtype or float_dtype(x))


def diff_adjoint(g, axis):
    """The transpose of one ``np.diff`` along ``axis``: ``y = c[1:] - c[:-1]`` sends ``g``
    back as ``[0, g] - [g, 0]``."""
    g = np.asarray(g)
    shape = list(g.shape)
    shape[axis] = 1
    zero = np.zeros(shape, dtype=float_dtype(g))
    return np.concatenate([zero, g], axis=axis) - np.concatenate([g, zero], axis=axis)


# ===================================================================== diff, ediff1d
def diff_grad(g, a, n, axis, prepend, append, part):
    """Cotangent of ``a`` (``part`` 0), ``prepend`` (1) or ``append`` (2) in ``np.diff(a, n,
    axis, prepend, append)``: ``n`` transposed differences, cut where the pieces met (a
    0-d prepend / append was broadcast along the axis: its cotangent is the sum)."""
    refuse_complex(a, prepend, append)
    ndim = np.ndim(a)
    axis = axis % ndim
    d = np.asarray(g)
    for _ in range(n):
        d = diff_adjoint(d, axis)
    lengths = [0 if p is None else 1 if np.ndim(p) == 0 else np.shape(p)[axis]
               for p in (prepend, append)]
    start = lengths[0]
    stop = start + np.shape(a)[axis]
    pieces = np.split(d, [start, stop], axis=axis)
    like = (a, prepend, append)[part]
    piece = (pieces[1], pieces[0], pieces[2])[part]
    if np.ndim(like) == 0:
        return np.sum(piece)
    return piece


@defvjp(np.diff, linear=True)
def diff(g, ans, a, n=1, axis=-1, prepend=None, append=None):
    return (diff_grad(g, a, n, axis, prepend, append, 0), None, None,
            diff_grad(g, a, n, axis, prepend, append, 1),
            diff_grad(g, a, n, axis, prepend, append, 2))


def ediff1d_grad(g, ary, to_end, to_begin, part):
    """Cotangent of ``ary`` (0), ``to_end`` (1) or ``to_begin`` (2) in ``np.ediff1d``, which
    is ``[*to_begin, *np.diff(np.ravel(ary)), *to_end]``."""
    refuse_complex(ary, to_end, to_begin)
    g = np.asarray(g)
    begin = 0 if to_begin is None else np.size(to_begin)
    end = 0 if to_end is None else np.size(to_end)
    if part == 1:
        return np.reshape(g[g.size - end:], np.shape(to_end))
    if part == 2:
        return np.reshape(g[:begin], np.shape(to_begin))
    if np.size(ary) == 0:
        return _zeros_like(ary, float_dtype(g))
    return np.reshape(diff_adjoint(g[begin:g.size - end], 0), np.shape(ary))


@defvjp(np.ediff1d, linear=True)
def ediff1d(g, ans, ary, to_end=None, to_begin=None):
    return (ediff1d_grad(g, ary, to_end, to_begin, 0), ediff1d_grad(g, ary, to_end, to_begin, 1),
            ediff1d_grad(g, ary, to_end, to_begin, 2))


# ===================================================================== cumprod
def cumprod_grad(g, ans, x, axis=None):
    """Cotangent of ``np.cumprod(x, axis)``, exact at zeros.

    Along each line, before the first zero (at z) element j gets ``sum_{j<=i<z} g_i ans_i
    / x_j``; the first zero gets ``sum_{i>=z} g_i prod_{k<=i, k!=z} x_k`` (the cumulative
    product with that zero made 1); elements after it get 0 (every product they enter
    holds the zero)."""
    refuse_complex(x)
    x = np.asarray(x)
    shape = x.shape
    if axis is None:
        xm, gm, am = np.ravel(x), np.ravel(g), np.ravel(ans)
    else:
        axis = axis % x.ndim
        xm, gm, am = (np.moveaxis(np.asarray(v), axis, -1) for v in (x, g, ans))
    n = xm.shape[-1]
    if n == 0:
        return _zeros_like(x, float_dtype(gm))
    zero = xm == 0
    first = np.where(np.any(zero, axis=-1), np.argmax(zero, axis=-1), n)[..., np.newaxis]
    steps = np.arange(n)
    before = steps < first
    terms = np.where(before, gm * am, 0.0)
    tails = np.flip(np.cumsum(np.flip(terms, -1), axis=-1), -1)
    d = np.where(before, tails / np.where(before, xm, 1), 0.0)
    if np.any(zero):
        at = steps == first
        others = np.cumprod(np.where(at, 1, xm), axis=-1)
        value = np.sum(np.where(steps >= first, gm * others, 0.0), axis=-1, keepdims=True)
        d = np.where(at, value, d)
    if axis is None:
        return np.reshape(d, shape)
    return np.moveaxis(d, -1, axis)


@defvjp(np.cumprod, methods=("cumprod",),
        refuse={"out": "np.cumprod(..., out=...) writes in place; assign the result instead",
                "dtype": "np.cumprod(..., dtype=...) may round; cast with .astype(...) first"})
def cumprod(g, ans, a, axis=None, dtype=None, out=None):
    return cumprod_grad(g, ans, a, axis)


# ===================================================================== trapezoid
def _trapezoid_parts(y, x, dx, axis):
    """``(y, d, mean)``: the spacings ``d`` as np.trapezoid shapes them and the mean of the
    neighbouring values ``y`` along ``axis``."""
    y = np.asarray(y)
    if x is None:
        d = dx
    else:
        x = np.asarray(x)
        if x.ndim == 1:
            d = np.diff(x)
            shape = [1] * y.ndim
            shape[axis] = d.shape[0]
            d = d.reshape(shape)
        else:
            d = np.diff(x, axis=axis)
    upper = np.take(y, np.arange(1, y.shape[axis]), axis=axis)
    lower = np.take(y, np.arange(0, y.shape[axis] - 1), axis=axis)
    return y, d, (upper + lower) / 2.0


def trapezoid_grad(g, y, x, dx, axis, part):
    """Cotangent of ``y`` (``part`` 0), ``x`` (1) or ``dx`` (2) in ``np.trapezoid(y, x, dx,
    axis)``, the sum along ``axis`` of ``d * (y[1:] + y[:-1]) / 2``."""
    refuse_complex(y, x, dx)
    y, d, mean = _trapezoid_parts(y, x, dx, axis)
    product_ndim = max(np.ndim(d), np.ndim(mean))
    spread = np.expand_dims(np.asarray(g), axis % product_ndim)
    if part == 0:
        half = unbroadcast(spread * d / 2.0, mean)
        zero = np.zeros_like(np.take(half, [0], axis=axis))
        return (np.concatenate([zero, half], axis=axis)
                + np.concatenate([half, zero], axis=axis))
    d_d = unbroadcast(spread * mean, d)
    if part == 2:
        return _zeros_like(dx, float_dtype(d_d)) if x is not None else d_d
    if np.ndim(x) == 1:
        return diff_adjoint(np.ravel(d_d), 0)
    return diff_adjoint(d_d, axis)


@defvjp(np.trapezoid)
def trapezoid(g, ans, y, x=None, dx=1.0, axis=-1):
    return (trapezoid_grad(g, y, x, dx, axis, 0), trapezoid_grad(g, y, x, dx, axis, 1),
            trapezoid_grad(g, y, x, dx, axis, 2))



# ===================================================================== gradient
def _gradient_stencils(dx, edge_order):
    """The stencils of np.gradient along one axis with spacings ``dx`` (n - 1 of them):
    ``(rows, (columns, weights, d_weights_d_dx1, d_weights_d_dx2), dx1_at, dx2_at)`` per
    block of output rows, from the partial fractions of NumPy's coefficients."""
    n = len(dx) + 1
    blocks = []
    # Interior: a f[i-1] + b f[i] + c f[i+1], dx1 = dx[i-1], dx2 = dx[i].
    if n > 2:
        h1, h2 = dx[:-1], dx[1:]
        s = h1 + h2
        rows = np.arange(1, n - 1)
        blocks.append((rows, [
            (rows - 1, -1 / h1 + 1 / s, 1 / h1 ** 2 - 1 / s ** 2, -1 / s ** 2),
            (rows, 1 / h1 - 1 / h2, -1 / h1 ** 2, 1 / h2 ** 2),
            (rows + 1, 1 / h2 - 1 / s, 1 / s ** 2, -1 / h2 ** 2 + 1 / s ** 2),
        ], rows - 1, rows))
    if edge_order == 1:
        h = dx[:1]
        zero = np.zeros_like(h)
        blocks.append((np.array([0]), [(np.array([0]), -1 / h, 1 / h ** 2, zero),
                                       (np.array([1]), 1 / h, -1 / h ** 2, zero)],
                       np.array([0]), np.array([0])))
        h = dx[-1:]
        blocks.append((np.array([n - 1]), [(np.array([n - 2]), -1 / h, 1 / h ** 2, zero),
                                           (np.array([n - 1]), 1 / h, -1 / h ** 2, zero)],
                       np.array([n - 2]), np.array([n - 2])))
    else:
        h1, h2 = dx[:1], dx[1:2]
        s = h1 + h2
        blocks.append((np.array([0]), [
            (np.array([0]), -1 / h1 - 1 / s, 1 / h1 ** 2 + 1 / s ** 2, 1 / s ** 2),
            (np.array([1]), 1 / h1 + 1 / h2, -1 / h1 ** 2, -1 / h2 ** 2),
            (np.array([2]), -1 / h2 + 1 / s, -1 / s ** 2, 1 / h2 ** 2 - 1 / s ** 2),
        ], np.array([0]), np.array([1])))
        h1, h2 = dx[-2:-1], dx[-1:]
        s = h1 + h2
        blocks.append((np.array([n - 1]), [
            (np.array([n - 3]), 1 / h1 - 1 / s, -1 / h1 ** 2 + 1 / s ** 2, 1 / s ** 2),
            (np.array([n - 2]), -1 / h1 - 1 / h2, 1 / h1 ** 2, 1 / h2 ** 2),
            (np.array([n - 1]), 1 / h2 + 1 / s, -1 / s ** 2, -1 / h2 ** 2 - 1 / s ** 2),
        ], np.array([n - 3]), np.array([n - 2])))
    return blocks


def _gradient_axis_vjp(g, f, dx, axis, edge_order):
    """Cotangents of ``f`` and of the spacings ``dx`` (n - 1 of them) for one axis of
    np.gradient, whose cotangent is ``g``."""
    gm = np.moveaxis(np.asarray(g), axis, 0)
    fm = np.moveaxis(np.asarray(f), axis, 0)
    d_f = np.zeros(fm.shape, dtype=np.result_type(gm, dx))
    d_dx = np.zeros(len(dx), dtype=d_f.dtype)
    extra = (slice(None),) + (np.newaxis,) * (fm.ndim - 1)
    rest = tuple(range(1, fm.ndim))
    for rows, stencil, dx1_at, dx2_at in _gradient_stencils(dx, edge_order):
        g_rows = gm[rows]
        for columns, weight, d_weight_1, d_weight_2 in stencil:
            np.add.at(d_f, columns, g_rows * weight[extra])
            seen = np.sum(g_rows * fm[columns], axis=rest)
            np.add.at(d_dx, dx1_at, seen * d_weight_1)
            np.add.at(d_dx, dx2_at, seen * d_weight_2)
    return np.moveaxis(d_f, 0, axis), d_dx


@defvjp_called(np.gradient)
def gradient_vjp(g, ans, f, *varargs, axis=None, edge_order=1):
    """``np.gradient(f, *spacings, axis, edge_order)`` along one axis (a 1-d ``f``, or one
    ``axis``): a linear stencil in ``f`` whose weights are rational in the spacings (a
    scalar step, or the differences of coordinates)."""
    refuse_complex(f, *varargs)
    f = np.asarray(f)
    if f.dtype.kind not in "fc":
        f = f.astype(np.float64)
    ndim = f.ndim
    if axis is None:
        axes = list(range(ndim))
    else:
        axes = [a % ndim for a in ((axis,) if np.ndim(axis) == 0 else axis)]
    if len(axes) != 1:
        # The result is then a tuple, which the kinds of generated code do not expect.
        raise AdtransError("np.gradient along several axes returns a tuple, which adtrans "
                           "does not differentiate; call np.gradient(f, axis=k) once per axis")
    parts = [g]
    if len(varargs) == 0:
        spacings, owner = [1.0] * len(axes), [None] * len(axes)
    elif len(varargs) == 1 and np.ndim(varargs[0]) == 0:
        spacings, owner = list(varargs) * len(axes), [0] * len(axes)
    else:
        spacings, owner = list(varargs), list(range(len(varargs)))
    d_f = np.zeros(f.shape, dtype=float_dtype(f))
    d_spacings = [None] * len(varargs)
    for part, ax, spacing, k in zip(parts, axes, spacings, owner, strict=True):
        if part is None:
            continue
        n = f.shape[ax]
        if np.ndim(spacing) == 0:
            dx = np.full(n - 1, spacing, dtype=np.result_type(float_dtype(f), spacing))
        else:
            coordinates = np.asarray(spacing)
            dx = np.diff(coordinates.astype(float_dtype(coordinates)))
        d_part, d_dx = _gradient_axis_vjp(part, f, dx, ax, edge_order)
        d_f = d_f + d_part
        if k is None:
            continue
        d_spacing = np.sum(d_dx) if np.ndim(spacing) == 0 else diff_adjoint(d_dx, 0)
        d_spacings[k] = d_spacing if d_spacings[k] is None else d_spacings[k] + d_spacing
    return (d_f, *d_spacings)


# ===================================================================== interp
def _interp_core(g, x, xp, fp, left, right):
    """Cotangents of ``x``, ``xp``, ``fp``, ``left``, ``right`` in NumPy's compiled interp
    (xp increasing).  At a knot the slope is that of the interval to its right (0 at the
    last knot, where the value is fp[-1] and beyond it right)."""
    g = np.asarray(g, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    xp = np.asarray(xp, dtype=np.float64)
    fp = np.asarray(fp, dtype=np.float64)
    n = len(xp)
    below = x < xp[0]
    above = x > xp[-1]
    at_end = x == xp[-1]
    d_fp = np.zeros(n)
    d_xp = np.zeros(n)
    if n > 1:
        inside = ~below & ~above & ~at_end
        j = np.clip(np.searchsorted(xp, x, side="right") - 1, 0, n - 2)
        width = xp[j + 1] - xp[j]
        slope = (fp[j + 1] - fp[j]) / width
        t = (x - xp[j]) / width
        gi = np.where(inside, g, 0.0)
        d_x = gi * slope
        np.add.at(d_fp, j, gi * (1.0 - t))
        np.add.at(d_fp, j + 1, gi * t)
        np.add.at(d_xp, j, -gi * slope * (1.0 - t))
        np.add.at(d_xp, j + 1, -gi * slope * t)
    else:
        d_x = np.zeros(x.shape)
    d_fp[-1] += np.sum(np.where(at_end, g, 0.0))
    d_left = np.sum(np.where(below, g, 0.0))
    d_right = np.sum(np.where(above, g, 0.0))
    if left is None:
        d_fp[0] += d_left
    if right is None:
        d_fp[-1] += d_right
    return d_x, d_xp, d_fp, d_left, d_right


def interp_grads(g, x, xp, fp, left, right, period):
    """Cotangents of ``(x, xp, fp, left, right, period)`` in ``np.interp``, following its
    normalisation for ``period``: everything taken modulo the period, the knots sorted and
    extended by one on each side."""
    refuse_complex(x, xp, fp, left, right, period)
    if period is None:
        return (*_interp_core(g, x, xp, fp, left, right), None)
    size = abs(period)
    xm = np.asarray(x, dtype=np.float64) % size
    xpm = np.asarray(xp, dtype=np.float64) % size
    order = np.argsort(xpm)
    xs = xpm[order]
    fs = np.asarray(fp, dtype=np.float64)[order]
    xe = np.concatenate((xs[-1:] - size, xs, xs[0:1] + size))
    fe = np.concatenate((fs[-1:], fs, fs[0:1]))
    d_x, d_xe, d_fe, _, _ = _interp_core(g, xm, xe, fe, None, None)
    d_xs = d_xe[1:-1].copy()
    d_xs[-1] += d_xe[0]
    d_xs[0] += d_xe[-1]
    d_fs = d_fe[1:-1].copy()
    d_fs[-1] += d_fe[0]
    d_fs[0] += d_fe[-1]
    d_xp = np.empty_like(d_xs)
    d_xp[order] = d_xs
    d_fp = np.empty_like(d_fs)
    d_fp[order] = d_fs
    # x % P = x - floor(x / P) P; the extension adds -P and +P.
    d_size = (np.sum(d_x * -np.floor_divide(x, size))
              + np.sum(d_xp * -np.floor_divide(xp, size)) - d_xe[0] + d_xe[-1])
    return d_x, d_xp, d_fp, 0.0, 0.0, d_size * np.sign(period)


def interp_grad(g, x, xp, fp, left, right, period, part):
    """One of the cotangents of ``np.interp``, in the shape and float dtype of its argument."""
    like = (x, xp, fp, left, right, period)[part]
    d = interp_grads(g, x, xp, fp, left, right, period)[part]
    return np.reshape(np.asarray(d, dtype=float_dtype(like)), np.shape(like))


@defvjp(np.interp)
def interp(g, ans, x, xp, fp, left=None, right=None, period=None):
    return (interp_grad(g, x, xp, fp, left, right, period, 0),
            interp_grad(g, x, xp, fp, left, right, period, 1),
            interp_grad(g, x, xp, fp, left, right, period, 2),
            interp_grad(g, x, xp, fp, left, right, period, 3),
            interp_grad(g, x, xp, fp, left, right, period, 4),
            interp_grad(g, x, xp, fp, left, right, period, 5))


# ===================================================================== convolve, correlate
def _full_cotangent(g, n, m, mode, correlate):
    """``g`` placed where the ``mode`` result sits inside the full result (n + m - 1 long)
    of a convolution (or correlation) of lengths ``n`` and ``m``."""
    g = np.asarray(g)
    if mode == "full":
        return g
    if mode == "valid":
        start = min(n, m) - 1
    elif mode == "same":
        # NumPy centres the max(n, m) values; a correlation with the longer second operand
        # is computed with the operands swapped, which moves the window.
        start = n // 2 if correlate and n < m else (min(n, m) - 1) // 2
    else:
        raise AdtransError(f"mode {mode!r} is not one of 'full', 'same', 'valid'")
    full = np.zeros(n + m - 1, dtype=float_dtype(g))
    full[start:start + g.shape[0]] = g
    return full


def convolve_grad(g, a, v, mode, part, correlate=False):
    """Cotangent of ``a`` (``part`` 0) or ``v`` (1) in ``np.convolve(a, v, mode)`` (or
    ``np.correlate``, which is the convolution with ``v`` reversed): the full cotangent
    correlated with the other operand."""
    refuse_complex(a, v)
    a1, v1 = np.ravel(a), np.ravel(v)
    full = _full_cotangent(g, len(a1), len(v1), mode, correlate)
    kernel = v1[::-1] if correlate else v1
    if part == 0:
        return np.reshape(np.correlate(full, kernel, "valid"), np.shape(a))
    d = np.correlate(full, a1, "valid")
    return np.reshape(d[::-1] if correlate else d, np.shape(v))


@defvjp(np.convolve)
def convolve(g, ans, a, v, mode="full"):
    return convolve_grad(g, a, v, mode, 0), convolve_grad(g, a, v, mode, 1)


@defvjp(np.correlate)
def correlate(g, ans, a, v, mode="valid"):
    return convolve_grad(g, a, v, mode, 0, True), convolve_grad(g, a, v, mode, 1, True)


# ===================================================================== i0
def bessel_i1(x):
    """The modified Bessel function I1, the derivative of np.i0: its power series
    ``sum_k (x/2) ** (2k + 1) / (k! (k + 1)!)`` (positive terms: no cancellation)."""
    x = np.asarray(x)
    x = x.astype(float_dtype(x))
    half = x / 2.0
    square = half * half
    term = half
    total = half
    eps = np.finfo(x.dtype).eps
    k = 0
    while True:
        k += 1
        term = term * square / (k * (k + 1))
        total = total + term
        if not np.any((np.abs(term) > eps * np.abs(total)) & np.isfinite(total)):
            return total


@defvjp(np.i0)
def i0(g, ans, x):
    return g * bessel_i1(x)
