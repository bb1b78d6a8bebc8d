"""The workloads' gradients written out by hand in NumPy: the floor a tool can reach.

What a careful person writes with the chain rule and no tool: each loop keeps the
least the backward loop needs (one float per Euler step, one hidden state per RNN
step), the softmax cross-entropy takes its closed form (the max subtracted for
stability has no gradient of its own), and no value is computed twice.  The
ratios in this column are what the cheap-gradient bound means on this machine.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from benchmarks.cases import Workload

NAME = "hand"


def euler(x0, a, steps):
    """d/da of ``workloads.euler``: the forward loop keeps x, the backward loop runs back."""
    x = x0
    xs = []
    for _ in range(steps):
        xs.append(x)
        x = x + 0.01 * (np.sin(x) * a - 0.1 * x * x)
    d_x, d_a = 1.0, 0.0
    for x in reversed(xs):
        d_a += d_x * 0.01 * np.sin(x)
        d_x = d_x * (1.0 + 0.01 * (np.cos(x) * a - 0.2 * x))
    return d_a


def arith(x0, a, steps):
    """d/da of ``workloads.arith``."""
    x = x0
    xs = []
    for _ in range(steps):
        xs.append(x)
        x = x + 0.001 * (a * x - x ** 3)
    d_x, d_a = 1.0, 0.0
    for x in reversed(xs):
        d_a += d_x * 0.001 * x
        d_x = d_x * (1.0 + 0.001 * (a - 3.0 * x * x))
    return d_a


def _mlp(W1, b1, W2, b2, X, Y):
    h = np.tanh(X @ W1 + b1)
    z = h @ W2 + b2
    e = np.exp(z - np.max(z, axis=1, keepdims=True))
    p = e / np.sum(e, axis=1, keepdims=True)
    # d loss / d z of mean(sum(Y * (logsumexp(z) - z))): (p * sum(Y) - Y) / batch
    d_z = (p * np.sum(Y, axis=1, keepdims=True) - Y) / z.shape[0]
    d_h = (d_z @ W2.T) * (1.0 - h * h)
    return X.T @ d_h, d_h.sum(axis=0), h.T @ d_z, d_z.sum(axis=0)


def mlp(W1, b1, W2, b2, X, Y):
    """Gradients of ``workloads.mlp`` in W1, b1, W2, b2."""
    return _mlp(W1, b1, W2, b2, X, Y)


def mlp_calls(params, X, Y):
    """Gradients of ``workloads.mlp_calls``: a dict like ``params``."""
    grads = _mlp(params["W1"], params["b1"], params["W2"], params["b2"], X, Y)
    return dict(zip(("W1", "b1", "W2", "b2"), grads, strict=True))


def doubling(a):
    """d/da of ``workloads.doubling``: the loop runs for its count, the gradient is a constant."""
    b = a * 2
    scale = 2.0
    while np.linalg.norm(b) < 1000:
        b = b * 2
        scale *= 2.0
    if b.sum() <= 0:
        scale *= 100.0
    return np.full(a.shape, scale)


def rnn(Wx, Wh, b, xs):
    """Gradients of ``workloads.rnn`` in Wx, Wh, b: the forward loop keeps each state."""
    h = np.zeros((xs.shape[1], Wh.shape[0]))
    hs = [h]
    for t in range(xs.shape[0]):
        h = np.tanh(xs[t] @ Wx + h @ Wh + b)
        hs.append(h)
    d_h = 2.0 * h
    d_Wx, d_Wh, d_b = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
    for t in range(xs.shape[0] - 1, -1, -1):
        h = hs[t + 1]
        d_a = d_h * (1.0 - h * h)
        d_Wx += xs[t].T @ d_a
        d_Wh += hs[t].T @ d_a
        d_b += d_a.sum(axis=0)
        d_h = d_a @ Wh.T
    return d_Wx, d_Wh, d_b


FUNCTIONS = {"euler": euler, "arith": arith, "mlp": mlp, "mlp_calls": mlp_calls,
             "doubling": doubling, "rnn": rnn}


def version() -> str:
    """NumPy's version: the hand-written gradients are plain NumPy."""
    return np.__version__


def prepare(workload: Workload, args: tuple[Any, ...]) -> Callable[[], Any]:
    """A no-argument function returning the hand-written gradient of ``workload`` at ``args``."""
    gradient = FUNCTIONS[workload.name]
    return lambda: gradient(*args)
