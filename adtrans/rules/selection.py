"""Rules for selecting elements: take, take_along_axis, choose, compress, extract, select,
sort and partition.

Each selected element's cotangent goes back to the element it was read from, added up
where one element was read several times (``np.take`` with repeated indices).  Sorting
and partitioning move every element: the cotangent goes back through the permutation.
Where elements tie, any permutation gives the same value and the derivative does not
exist; the rules then use the permutation of a stable ``argsort`` (each tied element
gets the cotangent of the position its stable sort puts it in).
"""

import numpy as np

from ..errors import AdtransError
from ..runtime import float_dtype, unbroadcast
from .registry import defvjp, defvjp_called, refusal_hint


def _fixed_indices(indices, n, mode):
    """``indices`` as ``np.take`` with ``mode`` reads them (wrapped or clipped)."""
    indices = np.asarray(indices)
    if mode == "wrap":
        return indices % n
    if mode == "clip":
        return np.clip(indices, 0, n - 1)
    return indices


def take_grad(g, x, indices, axis=None, mode="raise"):
    """Cotangent of ``np.take(x, indices, axis)``: ``g`` added back where it was read."""
    shape = np.shape(x)
    out = np.zeros(shape, dtype=float_dtype(x))
    g = np.asarray(g)
    if axis is None:
        flat = out.reshape(-1)
        np.add.at(flat, _fixed_indices(indices, flat.size, mode), g)
        return out
    at = axis % len(shape)
    indices = _fixed_indices(indices, shape[at], mode)
    k = indices.ndim
    moved = np.moveaxis(out, at, 0)
    np.add.at(moved, indices, np.moveaxis(g, list(range(at, at + k)), list(range(k))))
    return out


@defvjp(np.take, methods=("take",), linear=True)
def take(g, ans, a, indices, axis=None, out=None, mode="raise"):
    return take_grad(g, a, indices, axis, mode)


def _along_axis(x_shape, indices, axis, out_shape):
    """The fancy index that ``np.take_along_axis(x, indices, axis)`` reads with."""
    index = []
    n = len(out_shape)
    for d in range(n):
        if d == axis:
            index.append(np.broadcast_to(indices, out_shape))
        else:
            positions = np.arange(out_shape[d]) if x_shape[d] != 1 else \
                np.zeros(out_shape[d], dtype=np.intp)
            index.append(positions.reshape((1,) * d + (-1,) + (1,) * (n - d - 1)))
    return tuple(index)


def take_along_axis_grad(g, x, indices, axis=-1):
    """Cotangent of ``np.take_along_axis``: ``g`` added back where it was read."""
    out = np.zeros(np.shape(x), dtype=float_dtype(x))
    g = np.asarray(g)
    if axis is None:
        flat = out.reshape(-1)
        np.add.at(flat, np.asarray(indices), g)
        return out
    at = axis % out.ndim
    np.add.at(out, _along_axis(out.shape, indices, at, g.shape), g)
    return out


@defvjp(np.take_along_axis, linear=True)
def take_along_axis(g, ans, arr, indices, axis=-1):
    return take_along_axis_grad(g, arr, indices, axis)


refusal_hint(np.put_along_axis,
             "np.put_along_axis writes into its argument; build a new array instead, "
             "y = np.where(mask, values, x) with mask = np.zeros(x.shape, bool) and "
             "np.put_along_axis(mask, indices, True, axis), or y = x.copy(); y[index] = values")
refusal_hint(np.piecewise,
             "np.piecewise calls functions adtrans cannot see into; write "
             "np.select([c1, c2], [f1(x), f2(x)], default) or np.where instead")


@defvjp_called(np.choose, linear=True)
def choose_vjp(g, ans, a, choices, out=None, mode="raise"):
    """``np.choose(a, choices)``: ``g`` goes to the choice each element was taken from."""
    n = len(choices)
    picked = _fixed_indices(a, n, mode)
    parts = [unbroadcast(np.where(picked == k, g, 0.0).astype(float_dtype(c), copy=False), c)
             for k, c in enumerate(choices)]
    parts = [np.reshape(p, np.shape(c)) for p, c in zip(parts, choices, strict=True)]
    if isinstance(choices, np.ndarray):
        return None, np.stack(parts) if parts else np.zeros_like(choices, float)
    return None, parts


def compress_grad(g, condition, x, axis=None):
    """Cotangent of ``np.compress(condition, x, axis)``: ``g`` put back where it was kept."""
    shape = np.shape(x)
    out = np.zeros(shape, dtype=float_dtype(x))
    kept = np.flatnonzero(condition)
    if axis is None:
        out.reshape(-1)[kept] = g
        return out
    at = axis % len(shape)
    np.moveaxis(out, at, 0)[kept] = np.moveaxis(np.asarray(g), at, 0)
    return out


@defvjp(np.compress, linear=True)
def compress(g, ans, condition, a, axis=None, out=None):
    return None, compress_grad(g, condition, a, axis)


def extract_grad(g, condition, x):
    """Cotangent of ``np.extract(condition, x)``: ``g`` put back where it was read."""
    out = np.zeros(np.shape(x), dtype=float_dtype(x))
    out.reshape(-1)[np.flatnonzero(condition)] = g
    return out


@defvjp(np.extract, linear=True)
def extract(g, ans, condition, arr):
    return None, extract_grad(g, condition, arr)


def _first_true(condlist, shape):
    """For each element, the index of the first condition that holds (len(condlist) where
    none does), as ``np.select`` reads them."""
    chosen = np.full(shape, len(condlist), dtype=np.intp)
    for k in range(len(condlist) - 1, -1, -1):
        chosen = np.where(condlist[k], k, chosen)
    return chosen


def select_choices_grad(g, condlist, choicelist):
    """Cotangents of ``np.select``'s choices: ``g`` where each was chosen."""
    chosen = _first_true(condlist, np.shape(g))
    return [np.reshape(unbroadcast(np.where(chosen == k, g, 0.0).astype(float_dtype(c),
                                                                          copy=False), c),
                       np.shape(c)) for k, c in enumerate(choicelist)]


def select_default_grad(g, condlist, default):
    """Cotangent of ``np.select``'s default: ``g`` where no condition held."""
    chosen = _first_true(condlist, np.shape(g))
    part = np.where(chosen == len(condlist), g, 0.0).astype(float_dtype(default), copy=False)
    return np.reshape(unbroadcast(part, default), np.shape(default))


@defvjp(np.select, linear=True)
def select(g, ans, condlist, choicelist, default=0):
    return (None, select_choices_grad(g, condlist, choicelist),
            select_default_grad(g, condlist, default))


def _permutation(x, ans, axis, order):
    """Indices ``p`` along ``axis`` with ``take_along_axis(x, p) == ans`` (flattened for
    axis None), from ``order(x)``; checked, not assumed."""
    x = np.asarray(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    perm = order(x, axis)
    if not np.array_equal(np.take_along_axis(x, perm, axis), ans, equal_nan=True):
        raise AdtransError("np.partition: could not tell which element went where; "
                           "use np.sort instead")
    return perm, axis


def permuted_grad(g, x, ans, axis, order):
    """Cotangent of a permutation of ``x`` along ``axis``: ``g`` moved back."""
    perm, at = _permutation(x, ans, axis, order)
    out = np.zeros(perm.shape, dtype=float_dtype(x))
    np.put_along_axis(out, perm, g, at)
    return np.reshape(out, np.shape(x))


def _stable_argsort(x, axis):
    return np.argsort(x, axis=axis, kind="stable")


def _argpartition(kth):
    return lambda x, axis: np.argpartition(x, kth, axis=axis)


def sort_grad(g, x, ans, axis=-1):
    """Cotangent of ``np.sort(x, axis)``: ``g`` moved back through the sorting permutation."""
    if np.iscomplexobj(x):
        raise AdtransError("np.sort of complex numbers is not supported")
    return permuted_grad(g, x, ans, axis, _stable_argsort)


def partition_grad(g, x, ans, kth, axis=-1):
    """Cotangent of ``np.partition(x, kth, axis)``: ``g`` moved back through the permutation
    that ``np.argpartition`` gives (checked to give the same result)."""
    return permuted_grad(g, x, ans, axis, _argpartition(kth))


@defvjp(np.sort, refuse={"order": "sorting by fields (order=) has no derivative rule"},
        linear=False)
def sort(g, ans, a, axis=-1, kind=None, order=None, stable=None):
    return sort_grad(g, a, ans, axis)


@defvjp(np.partition, refuse={"order": "partitioning by fields (order=) has no derivative "
                                       "rule"})
def partition(g, ans, a, kth, axis=-1, kind="introselect", order=None):
    return partition_grad(g, a, ans, kth, axis)
