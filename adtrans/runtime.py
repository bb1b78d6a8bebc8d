"""The few helpers that generated gradient code calls.

Generated code refers to these by name (they reach it through closure cells,
see codegen.py); an exported module imports them from here.  Each helper is
pure: none mutates an argument it did not allocate itself.
"""

from __future__ import annotations

import numpy as np

from .errors import AdtransError


def unbroadcast(g, like):
    """Sum the cotangent ``g`` down to the shape of ``like`` (undo NumPy broadcasting)."""
    # Fast paths first: this runs once per operand of every + - * / in a loop.
    like_shape = getattr(like, "shape", None)
    g_shape = getattr(g, "shape", None)
    if like_shape == g_shape and (like_shape is not None or not hasattr(g, "__len__")):
        return g
    target = np.shape(like)
    shape = np.shape(g)
    if shape == target:
        return g
    g = np.asarray(g)
    extra = g.ndim - len(target)
    if extra > 0:
        g = g.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(target) if n == 1 and g.shape[i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    if g.shape != target:
        g = np.broadcast_to(g, target)
    return g


def add(a, b):
    """Accumulate two cotangents where either may be None (no contribution yet)."""
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def add_at(acc, like, index, g):
    """Scatter-add ``g`` into a cotangent buffer shaped like ``like`` at ``index``.

    ``acc`` is None or a buffer this function allocated earlier; generated code
    never lets anything else alias it, so adding in place is safe and keeps a
    loop over rows linear in time.
    """
    if acc is None:
        acc = np.zeros(np.shape(like), dtype=np.result_type(np.asarray(like).dtype, float))
    np.add.at(acc, index, g)
    return acc


def repeat_to_match(g, x, axis=None, keepdims=False):
    """Broadcast the cotangent of a reduction back to the shape of its input."""
    shape = np.shape(x)
    g = np.asarray(g)
    if not keepdims and axis is not None:
        axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
        axes = tuple(sorted(a % len(shape) for a in axes))
        for a in axes:
            g = np.expand_dims(g, a)
    return np.broadcast_to(g, shape)


def count_reduced(x, axis=None):
    """How many elements of ``x`` a reduction over ``axis`` combines into one."""
    shape = np.shape(x)
    if axis is None:
        return int(np.prod(shape, dtype=np.int64))
    axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
    return int(np.prod([shape[a] for a in axes], dtype=np.int64))


def as_gradient(d, x):
    """Give a raw cotangent the shape and dtype kind of the value it is the gradient of.

    None (no path from x to the output) becomes zeros; integer and boolean
    inputs get float gradients; Python scalars get Python floats.
    """
    if isinstance(x, (bool, int, float)) and not isinstance(x, np.generic):
        if d is None:
            return 0.0
        if np.ndim(d) != 0:
            d = np.sum(d)
        return float(np.real(d)) if not isinstance(x, complex) else complex(d)
    xa = np.asarray(x)
    dtype = xa.dtype if xa.dtype.kind in "fc" else np.dtype(float)
    if d is None:
        out = np.zeros(xa.shape, dtype=dtype)
    else:
        out = np.asarray(unbroadcast(d, xa), dtype=dtype)
        if out.shape != xa.shape:
            out = np.broadcast_to(out, xa.shape).copy()
    if isinstance(x, np.generic):
        return out[()]
    return out


def check_cotangent(v, out):
    """Check that a cotangent given to a pullback matches the output's shape."""
    if np.shape(v) != np.shape(out):
        raise AdtransError(
            f"the cotangent has shape {np.shape(v)} but the function's output has shape "
            f"{np.shape(out)}; pass a cotangent of the output's shape")
    return v


def check_scalar_output(out, name):
    """grad needs a scalar output; say so, and point to vjp, when it is not."""
    if np.ndim(out) != 0 or not np.isrealobj(out):
        raise AdtransError(
            f"grad of {name!r}: the function's output must be a real scalar, but it has shape "
            f"{np.shape(out)}; use adtrans.vjp(f, *args) and call the pullback with a "
            "cotangent of the output's shape")
    return out


def stop_gradient(x):
    """The value of ``x``, through which no gradient flows back."""
    return x


def _as_2d_operands(g, x, y):
    """Promote 1-D matmul operands to matrices, as np.matmul does, keeping g aligned."""
    x2 = x[np.newaxis, :] if x.ndim == 1 else x
    y2 = y[:, np.newaxis] if y.ndim == 1 else y
    if x.ndim == 1:
        g = np.expand_dims(g, -2)
    if y.ndim == 1:
        g = np.expand_dims(g, -1)
    return g, x2, y2


def matmul_grad_left(g, x, y):
    """Cotangent of ``x`` in ``x @ y`` (any ranks, batch broadcasting included)."""
    x, y, g = np.asarray(x), np.asarray(y), np.asarray(g)
    if x.ndim == 1 and y.ndim == 1:
        return g * y
    g2, x2, y2 = _as_2d_operands(g, x, y)
    d = unbroadcast(g2 @ np.swapaxes(y2, -1, -2), x2)
    return d.reshape(x.shape)


def matmul_grad_right(g, x, y):
    """Cotangent of ``y`` in ``x @ y`` (any ranks, batch broadcasting included)."""
    x, y, g = np.asarray(x), np.asarray(y), np.asarray(g)
    if x.ndim == 1 and y.ndim == 1:
        return g * x
    g2, x2, y2 = _as_2d_operands(g, x, y)
    d = unbroadcast(np.swapaxes(x2, -1, -2) @ g2, y2)
    return d.reshape(y.shape)


def dot_grad_left(g, x, y):
    """Cotangent of ``x`` in ``np.dot(x, y)``: a scalar operand is a product, else a contraction."""
    x, y, g = np.asarray(x), np.asarray(y), np.asarray(g)
    if x.ndim == 0 or y.ndim == 0:
        return unbroadcast(g * y, x)
    if y.ndim == 1:
        return np.multiply.outer(g, y)
    # dot contracts x's last axis with y's second-to-last; g's trailing axes are y's others.
    y_rest = [a for a in range(y.ndim) if a != y.ndim - 2]
    g_axes = list(range(x.ndim - 1, g.ndim))
    return np.tensordot(g, y, axes=(g_axes, y_rest))


def dot_grad_right(g, x, y):
    """Cotangent of ``y`` in ``np.dot(x, y)``."""
    x, y, g = np.asarray(x), np.asarray(y), np.asarray(g)
    if x.ndim == 0 or y.ndim == 0:
        return unbroadcast(g * x, y)
    x_lead = list(range(x.ndim - 1))
    g_lead = list(range(x.ndim - 1))
    d = np.tensordot(x, g, axes=(x_lead, g_lead)) if x_lead else np.multiply.outer(x, g)
    if y.ndim == 1:
        return d
    # d has axes (k, y's axes except the contracted one); move k back to position -2.
    return np.moveaxis(d, 0, y.ndim - 2)


def transpose_grad(g, axes=None):
    """Cotangent of ``np.transpose(x, axes)``: transpose back with the inverse permutation."""
    if axes is None:
        return np.transpose(g)
    return np.transpose(g, np.argsort(axes))


def extremum_grad(g, ans, x, axis=None, keepdims=False):
    """Cotangent of max/min reductions: shared equally among the tied extreme elements."""
    ans_full = repeat_to_match(ans, x, axis, keepdims)
    mask = np.asarray(x) == ans_full
    ties = repeat_to_match(np.sum(mask, axis=axis, keepdims=keepdims), x, axis, keepdims)
    return repeat_to_match(g, x, axis, keepdims) * mask / ties


def norm_grad(g, ans, x, ord=None, axis=None, keepdims=False):
    """Cotangent of the 2-norm / Frobenius norm; other orders are refused, not guessed."""
    if ord not in (None, 2, "fro") or (ord == 2 and axis is None and np.ndim(x) > 1):
        raise AdtransError(f"np.linalg.norm with ord={ord!r} has no derivative rule yet; "
                           "write the norm out with np.abs / np.sum / np.max")
    x = np.asarray(x)
    if axis is None and not keepdims:
        return g * x / ans if ans != 0 else np.zeros_like(x, dtype=float)
    scale = repeat_to_match(g / np.where(ans == 0, 1.0, ans), x, axis, keepdims)
    return scale * x


def where_zero(c, g):
    """``g`` where c holds, 0 elsewhere: the cotangent routed through a selection."""
    return np.where(c, g, 0.0)


def refuse_shared_array(value, message):
    """Stop where Python's in-place ``+=`` would have changed an array another name reads."""
    if isinstance(value, np.ndarray):
        raise AdtransError(message)
