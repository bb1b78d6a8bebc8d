"""Rules for joining arrays and splitting them: stack, concatenate and kin, split.

Joining functions take a list (or tuple) of arrays, so the cotangent of that
argument is a list: the piece of ``g`` each array became, in its own shape
(Python numbers and 0-d arrays included).  Splitting functions return a list,
so their ``g`` is a list of the pieces' cotangents (None where a piece got
none); the cotangent of the array is those pieces joined back, zeros for None.
These are called rules: their work depends on how many arrays there are.
"""

import numpy as np

from ..errors import AdtransError
from ..runtime import float_dtype
from .registry import DISPLAY_NAMES, defvjp_called


def _pieces(g, arrays, promoted, axis):
    """``g`` cut along ``axis`` where the ``promoted`` arrays were joined, each piece in
    the shape of its original array."""
    if axis is None:
        sizes = [np.size(p) for p in promoted]
        flat = np.ravel(g)
        bounds = np.cumsum(sizes)[:-1]
        parts = np.split(flat, bounds)
    else:
        sizes = [np.shape(p)[axis] for p in promoted]
        parts = np.split(g, np.cumsum(sizes)[:-1], axis=axis)
    return [np.reshape(part, np.shape(a)) for part, a in zip(parts, arrays, strict=True)]


@defvjp_called(np.stack)
def stack_vjp(g, ans, arrays, axis=0, out=None, dtype=None, casting="same_kind"):
    """``np.stack(xs, axis)``: the k-th slice of ``g`` along ``axis`` goes to ``xs[k]``."""
    arrays = list(arrays)
    axis = axis if axis >= 0 else axis + np.ndim(g)
    return ([np.reshape(np.take(g, k, axis=axis), np.shape(a))
             for k, a in enumerate(arrays)],)


@defvjp_called(np.concatenate)
def concatenate_vjp(g, ans, arrays, axis=0, out=None, dtype=None, casting="same_kind"):
    """``np.concatenate(xs, axis)``: ``g`` cut where the arrays met (flattened for
    ``axis=None``)."""
    arrays = list(arrays)
    promoted = [np.asarray(a) for a in arrays]
    if axis is not None:
        axis = axis if axis >= 0 else axis + np.ndim(g)
    return (_pieces(g, arrays, promoted, axis),)


@defvjp_called(np.vstack)
def vstack_vjp(g, ans, tup, dtype=None, casting="same_kind"):
    """``np.vstack``: rows (1-D arrays become rows) joined along axis 0."""
    arrays = list(tup)
    return (_pieces(g, arrays, [np.atleast_2d(a) for a in arrays], 0),)


@defvjp_called(np.hstack)
def hstack_vjp(g, ans, tup, dtype=None, casting="same_kind"):
    """``np.hstack``: joined along axis 1, or axis 0 for 1-D arrays."""
    arrays = list(tup)
    promoted = [np.atleast_1d(a) for a in arrays]
    return (_pieces(g, arrays, promoted, 0 if promoted[0].ndim == 1 else 1),)


@defvjp_called(np.column_stack)
def column_stack_vjp(g, ans, tup):
    """``np.column_stack``: 1-D arrays become columns, joined along axis 1."""
    arrays = list(tup)
    promoted = [np.asarray(a) if np.ndim(a) >= 2 else np.reshape(a, (-1, 1))
                for a in arrays]
    return (_pieces(g, arrays, promoted, 1),)


@defvjp_called(np.dstack)
def dstack_vjp(g, ans, tup):
    """``np.dstack``: joined along axis 2 (arrays promoted to 3-D)."""
    arrays = list(tup)
    return (_pieces(g, arrays, [np.atleast_3d(a) for a in arrays], 2),)


@defvjp_called(np.append)
def append_vjp(g, ans, arr, values, axis=None):
    """``np.append(arr, values, axis)``: concatenation of the two (flattened for
    ``axis=None``)."""
    first, second = _pieces(g, [arr, values], [np.asarray(arr), np.asarray(values)],
                            None if axis is None else axis % np.ndim(g))
    return first, second


def _joined(g, ans, axis):
    """The cotangents of split pieces, zeros for None, joined back along ``axis``."""
    parts = [np.zeros(np.shape(piece), dtype=float_dtype(piece)) if part is None else part
             for part, piece in zip(g, ans, strict=True)]
    return np.concatenate(parts, axis=axis)


@defvjp_called(np.split, np.array_split)
def split_vjp(g, ans, ary, indices_or_sections, axis=0):
    """``np.split(x, n, axis)``: the pieces' cotangents joined back."""
    return np.reshape(_joined(g, ans, axis), np.shape(ary)), None


@defvjp_called(np.hsplit)
def hsplit_vjp(g, ans, ary, indices_or_sections):
    return np.reshape(_joined(g, ans, 0 if np.ndim(ary) == 1 else 1), np.shape(ary)), None


@defvjp_called(np.vsplit)
def vsplit_vjp(g, ans, ary, indices_or_sections):
    return np.reshape(_joined(g, ans, 0), np.shape(ary)), None


@defvjp_called(np.dsplit)
def dsplit_vjp(g, ans, ary, indices_or_sections):
    return np.reshape(_joined(g, ans, 2), np.shape(ary)), None


if hasattr(np, "row_stack"):           # deprecated since NumPy 2.0, an alias of vstack
    defvjp_called(np.row_stack)(vstack_vjp)


def _index_object_pieces(g, items, promote, axis):
    """``g`` cut where ``np.r_`` / ``np.c_`` joined ``items`` (each promoted as they do),
    one piece per item in its own shape; None for slices (ranges, constant)."""
    promoted = [promote(item) for item in items]
    sizes = [np.shape(p)[axis] for p in promoted]
    parts = np.split(np.asarray(g), np.cumsum(sizes)[:-1], axis=axis)
    return tuple(None if isinstance(item, slice) else np.reshape(part, np.shape(item))
                 for item, part in zip(items, parts, strict=True))


def _check_items(items, what):
    for item in items:
        if isinstance(item, str):
            raise AdtransError(f"{what} with a string directive has no derivative rule")
        if np.ndim(item) > (1 if what == "np.r_" else 2):
            raise AdtransError(f"{what} of arrays of {np.ndim(item)} dimensions has no "
                               "derivative rule; use np.concatenate")


@defvjp_called(np.r_, linear=True)
def r_vjp(g, ans, *items):
    """``np.r_[a, x, 0:3]``: numbers and 1-D arrays joined; each gets its piece of ``g``."""
    _check_items(items, "np.r_")
    return _index_object_pieces(g, items, lambda item: np.r_[item], 0)


@defvjp_called(np.c_, linear=True)
def c_vjp(g, ans, *items):
    """``np.c_[a, b]``: 1-D arrays become columns, joined along the last axis."""
    _check_items(items, "np.c_")
    return _index_object_pieces(g, items, lambda item: np.c_[item], -1)


DISPLAY_NAMES[id(np.r_)] = "np.r_"
DISPLAY_NAMES[id(np.c_)] = "np.c_"
