"""Rules for functions that only move elements around: reshape, transpose and kin."""

import numpy as np

from ..runtime import cast_grad, diag_grad, diagonal_grad, transpose_grad, unbroadcast
from .registry import defvjp, piecewise_constant


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
