"""Rules for functions that only move elements around: reshape, transpose and kin."""

import numpy as np

from ..runtime import transpose_grad
from .registry import defvjp, nondifferentiable


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
    return g


nondifferentiable(np.shape, np.ndim, np.size, np.zeros, np.ones, np.empty, np.full,
                  np.zeros_like, np.ones_like, np.empty_like, np.full_like, np.arange,
                  np.linspace, np.eye, np.identity, range)
