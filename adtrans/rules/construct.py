"""Rules for functions that build arrays from numbers: linspace, arange, full, full_like.

Their shape arguments are integers (no derivative), but the values are
differentiable in the numbers they start from: ``np.linspace(a, b, n)`` moves
with ``a`` and ``b``, ``np.full(n, a)`` with ``a``.  A result of an integer
dtype is rounded, so no cotangent reaches the numbers then.
"""

import numpy as np

from ..runtime import float_dtype, unbroadcast
from .registry import defvjp


def _rounded(ans):
    return np.asarray(ans).dtype.kind not in "fc"


def _sum_over_axis(g, like, axis):
    """Sum ``g`` over the axis a construction inserted, down to the shape of ``like``."""
    return unbroadcast(np.sum(g, axis=axis), like)


def linspace_fractions(ans, num, endpoint, axis):
    """Where each sample lies between start (0) and stop (1), shaped to broadcast along axis."""
    divisions = (num - 1) if endpoint else num
    dtype = float_dtype(ans)
    fractions = np.arange(num, dtype=dtype) / dtype.type(divisions) if divisions > 0 \
        else np.zeros(num, dtype=dtype)
    if endpoint and num > 1:
        fractions[-1] = 1.0                  # NumPy sets the last sample to stop exactly
    shape = [1] * np.ndim(ans)
    if shape:
        shape[axis] = num
    return fractions.reshape(shape)


def linspace_start_grad(g, ans, start, num, endpoint, axis):
    """Cotangent of ``start`` in ``np.linspace``: each sample weighs (1 - its fraction)."""
    if _rounded(ans):
        return np.zeros(np.shape(start), dtype=float_dtype(start))
    return _sum_over_axis(g * (1.0 - linspace_fractions(ans, num, endpoint, axis)), start,
                          axis % max(np.ndim(ans), 1))


def linspace_stop_grad(g, ans, stop, num, endpoint, axis):
    """Cotangent of ``stop`` in ``np.linspace``: each sample weighs its fraction."""
    if _rounded(ans):
        return np.zeros(np.shape(stop), dtype=float_dtype(stop))
    return _sum_over_axis(g * linspace_fractions(ans, num, endpoint, axis), stop,
                          axis % max(np.ndim(ans), 1))


@defvjp(np.linspace, refuse={"retstep": "np.linspace(..., retstep=True) returns a tuple; "
                                        "compute the step as (stop - start) / (num - 1)"})
def linspace(g, ans, start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    return (linspace_start_grad(g, ans, start, num, endpoint, axis),
            linspace_stop_grad(g, ans, stop, num, endpoint, axis))


def fill_grad(g, ans, fill_value):
    """Cotangent of the fill value of ``np.full`` / ``np.full_like``: the sum of ``g`` over
    the places it fills (none through an integer result)."""
    if _rounded(ans):
        return np.zeros(np.shape(fill_value), dtype=float_dtype(fill_value))
    return unbroadcast(g, fill_value)


@defvjp(np.full)
def full(g, ans, shape, fill_value, dtype=None, order="C"):
    return None, fill_grad(g, ans, fill_value)


@defvjp(np.full_like)
def full_like(g, ans, a, fill_value, dtype=None, order="K", subok=True, shape=None):
    return None, fill_grad(g, ans, fill_value)


def arange_start_grad(g, ans, start, stop):
    """Cotangent of ``start`` in ``np.arange(start, stop, step)`` (values start + k step).
    With one argument, ``np.arange(stop)`` counts from 0: no cotangent."""
    if stop is None or _rounded(ans):
        return 0.0
    return np.sum(g)


def arange_step_grad(g, ans, stop, step):
    """Cotangent of ``step`` in ``np.arange``: sample k moves k times as fast."""
    if stop is None or step is None or _rounded(ans):
        return 0.0
    return np.sum(g * np.arange(np.size(ans)))


@defvjp(np.arange)
def arange(g, ans, start, stop=None, step=None, dtype=None):
    return arange_start_grad(g, ans, start, stop), None, arange_step_grad(g, ans, stop, step)
