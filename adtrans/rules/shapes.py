"""Rules for functions that only move elements around: reshape, transpose and kin."""

import numpy as np

from ..errors import AdtransError
from ..runtime import (
    cast_grad,
    diag_grad,
    diagonal_grad,
    float_dtype,
    transpose_grad,
    unbroadcast,
)
from .registry import defvjp, defvjp_called, piecewise_constant, refusal_hint


@defvjp(np.reshape, methods=("reshape",))
def reshape(g, ans, x, shape):
    return np.reshape(g, np.shape(x))


@defvjp(np.ravel, methods=("ravel", "flatten"))
def ravel(g, ans, x):
    return np.reshape(g, np.shape(x))


@defvjp(np.squeeze, methods=("squeeze",))
def squeeze(g, ans, x, axis=None):
    return np.reshape(g, np.shape(x))


@defvjp(np.expand_dims)
def expand_dims(g, ans, x, axis):
    return np.reshape(g, np.shape(x))


@defvjp(np.transpose, methods=("transpose",))
def transpose(g, ans, x, axes=None):
    return transpose_grad(g, axes)


@defvjp(attributes=("T",))
def T(g, ans, x):
    return np.transpose(g)


@defvjp(np.array, np.asarray, methods=("copy", "astype"))
def array(g, ans, x, dtype=None):
    # An explicit conversion to an integer or boolean dtype passes no gradient.
    return cast_grad(g, dtype)


@defvjp(np.swapaxes, methods=("swapaxes",))
def swapaxes(g, ans, x, axis1, axis2):
    return np.swapaxes(g, axis1, axis2)


@defvjp(np.moveaxis)
def moveaxis(g, ans, x, source, destination):
    return np.moveaxis(g, destination, source)


@defvjp(np.flip)
def flip(g, ans, x, axis=None):
    return np.flip(g, axis)


@defvjp(np.fliplr)
def fliplr(g, ans, x):
    return np.fliplr(g)


@defvjp(np.flipud)
def flipud(g, ans, x):
    return np.flipud(g)


@defvjp(np.roll)
def roll(g, ans, x, shift, axis=None):
    return np.roll(g, np.negative(shift), axis)


@defvjp(np.broadcast_to)
def broadcast_to(g, ans, x, shape):
    # reshape, not a bare unbroadcast: the transformer drops an outer unbroadcast when an
    # argument is a Python number, which shape=5 would be.
    return np.reshape(unbroadcast(g, x), np.shape(x))


@defvjp(np.atleast_1d, np.atleast_2d, np.atleast_3d)
def atleast_nd(g, ans, x):
    return np.reshape(g, np.shape(x))


@defvjp(np.tril)
def tril(g, ans, x, k=0):
    return np.tril(g, k)


@defvjp(np.triu)
def triu(g, ans, x, k=0):
    return np.triu(g, k)


@defvjp(np.diagonal, methods=("diagonal",))
def diagonal(g, ans, x, offset=0, axis1=0, axis2=1):
    return diagonal_grad(g, x, offset, axis1, axis2)


@defvjp(np.diag)
def diag(g, ans, x, k=0):
    return diag_grad(g, x, k)


piecewise_constant(range)


# ------------------------------------------------------------------ tiling, repeating, padding
def tile_grad(g, x, reps):
    """Cotangent of ``np.tile(x, reps)``: the sum of ``g`` over the copies."""
    shape = np.shape(x)
    reps = (int(reps),) if np.ndim(reps) == 0 else tuple(int(r) for r in reps)
    d = max(len(shape), len(reps))
    sizes = (1,) * (d - len(shape)) + shape
    copies = (1,) * (d - len(reps)) + reps
    interleaved = [n for pair in zip(copies, sizes, strict=True) for n in pair]
    return np.reshape(np.sum(np.reshape(g, interleaved), axis=tuple(range(0, 2 * d, 2))),
                      shape)


@defvjp(np.tile, linear=True)
def tile(g, ans, A, reps):
    return tile_grad(g, A, reps)


def repeat_grad(g, x, repeats, axis=None):
    """Cotangent of ``np.repeat(x, repeats, axis)``: each element gets the sum of ``g`` over
    its copies (flattened for ``axis=None``)."""
    shape = np.shape(x)
    g = np.asarray(g)
    if axis is None or not shape:           # a 0-d x repeats like a 1-D one
        axis, g, n, at = None, np.ravel(g), int(np.prod(shape, dtype=np.int64)), 0
    else:
        at = axis % len(shape)
        n = shape[at]
        g = np.moveaxis(g, at, 0)
    owner = np.repeat(np.arange(n), repeats)
    out = np.zeros((n,) + g.shape[1:], dtype=float_dtype(g))
    np.add.at(out, owner, g)
    return np.reshape(out if axis is None else np.moveaxis(out, 0, at), shape)


@defvjp(np.repeat, methods=("repeat",), linear=True)
def repeat(g, ans, a, repeats, axis=None):
    return repeat_grad(g, a, repeats, axis)


PAD_MODES = ("constant", "edge", "reflect", "symmetric", "wrap")


def _padded_positions(x, pad_width, mode, reflect_type):
    """Where each element of ``np.pad(x, ...)`` comes from: its flat index in ``x``, -1 for
    the constant fill."""
    if not isinstance(mode, str) or mode not in PAD_MODES:
        raise AdtransError(f"np.pad with mode={mode!r} has no derivative rule; modes "
                           f"{', '.join(PAD_MODES)} have one (others, such as 'linear_ramp', "
                           "'mean' or 'maximum', are not copies of elements: write them with "
                           "np.concatenate)")
    if reflect_type != "even":
        raise AdtransError("np.pad with reflect_type='odd' has no derivative rule; "
                           "reflect_type='even' (the default) has one")
    positions = np.arange(np.size(x)).reshape(np.shape(x))
    if mode == "constant":
        return np.pad(positions, pad_width, mode="constant", constant_values=-1)
    return np.pad(positions, pad_width, mode=mode)


def pad_grad(g, x, pad_width, mode="constant", reflect_type="even"):
    """Cotangent of ``np.pad``: every element of ``g`` added to the element it copies."""
    positions = np.ravel(_padded_positions(x, pad_width, mode, reflect_type))
    kept = positions >= 0
    out = np.zeros(np.size(x), dtype=float_dtype(g))
    np.add.at(out, positions[kept], np.ravel(g)[kept])
    return np.reshape(out, np.shape(x))


def pad_fill_grad(g, x, pad_width, constant_values=0):
    """Cotangent of a scalar ``constant_values`` of ``np.pad``: the sum of ``g`` over the
    fill."""
    if np.ndim(constant_values) != 0:
        raise AdtransError("np.pad: only a single number as constant_values gets a "
                           "gradient; pad with 0 and add the fill separately instead")
    positions = np.pad(np.zeros(np.shape(x), dtype=bool), pad_width, constant_values=True)
    return np.sum(np.where(positions, g, 0.0))


@defvjp(np.pad, linear=True)
def pad(g, ans, array, pad_width, mode="constant", constant_values=0, reflect_type="even"):
    return (pad_grad(g, array, pad_width, mode, reflect_type), None, None,
            pad_fill_grad(g, array, pad_width, constant_values))


# ------------------------------------------------------------------ rotating, rolling axes
@defvjp(np.rot90, linear=True)
def rot90(g, ans, m, k=1, axes=(0, 1)):
    return np.rot90(g, -k, axes)


def rollaxis_grad(g, x, axis, start=0):
    """Cotangent of ``np.rollaxis(x, axis, start)``: the axis moved back."""
    n = np.ndim(x)
    axis = axis % n
    start = start + n if start < 0 else start
    if axis < start:
        start -= 1
    return np.moveaxis(g, start, axis)


@defvjp(np.rollaxis, linear=True)
def rollaxis(g, ans, a, axis, start=0):
    return rollaxis_grad(g, a, axis, start)


@defvjp(np.diagflat, linear=True)
def diagflat(g, ans, v, k=0):
    return np.reshape(np.diagonal(g, k), np.shape(v))


@defvjp_called(np.broadcast_arrays, returns=("tuple", None), linear=True)
def broadcast_arrays_vjp(g, ans, *args, subok=False):
    """``np.broadcast_arrays(*xs)``: each part's cotangent summed back to its argument."""
    return tuple(None if part is None else np.reshape(unbroadcast(part, x), np.shape(x))
                 for part, x in zip(g, args, strict=True))


@defvjp_called(np.meshgrid, returns=("tuple", None), linear=True)
def meshgrid_vjp(g, ans, *xi, copy=True, sparse=False, indexing="xy"):
    """``np.meshgrid(*xs)``: the k-th grid repeats ``xs[k]`` (flattened) along one axis; its
    cotangent is summed over the others."""
    n = len(xi)
    grads = []
    for k, (part, x) in enumerate(zip(g, xi, strict=True)):
        if part is None:
            grads.append(None)
            continue
        along = k
        if indexing == "xy" and n > 1 and k < 2:
            along = 1 - k
        others = tuple(a for a in range(n) if a != along)
        grads.append(np.reshape(np.sum(part, axis=others), np.shape(x)))
    return tuple(grads)


refusal_hint(np.resize, "np.resize repeats or cuts its input to a new size; write it with "
                        "np.tile (or np.concatenate) and slicing, which have rules")
