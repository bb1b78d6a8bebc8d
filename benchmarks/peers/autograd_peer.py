"""The workloads in HIPS autograd: the NumPy code with ``autograd.numpy``."""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import version as _version
from typing import Any

import autograd
import autograd.numpy as np

from benchmarks.cases import Workload

NAME = "autograd"


def euler(x0, a, steps):
    x = x0
    for _ in range(steps):
        x = x + 0.01 * (np.sin(x) * a - 0.1 * x * x)
    return x


def arith(x0, a, steps):
    x = x0
    for _ in range(steps):
        x = x + 0.001 * (a * x - x ** 3)
    return x


def mlp(W1, b1, W2, b2, X, Y):
    h = np.tanh(X @ W1 + b1)
    z = h @ W2 + b2
    m = np.max(z, axis=1, keepdims=True)
    lse = m + np.log(np.sum(np.exp(z - m), axis=1, keepdims=True))
    return np.mean(np.sum(Y * (lse - z), axis=1))


def layer(W, b, x):
    return x @ W + b


def mlp_calls(params, X, Y):
    h = np.tanh(layer(params["W1"], params["b1"], X))
    z = layer(params["W2"], params["b2"], h)
    m = np.max(z, axis=1, keepdims=True)
    lse = m + np.log(np.sum(np.exp(z - m), axis=1, keepdims=True))
    return np.mean(np.sum(Y * (lse - z), axis=1))


def doubling(a):
    b = a * 2
    while np.linalg.norm(b) < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c.sum()


def rnn(Wx, Wh, b, xs):
    h = np.zeros((xs.shape[1], Wh.shape[0]))
    for t in range(xs.shape[0]):
        h = np.tanh(xs[t] @ Wx + h @ Wh + b)
    return np.sum(h * h)


FUNCTIONS = {"euler": euler, "arith": arith, "mlp": mlp, "mlp_calls": mlp_calls,
             "doubling": doubling, "rnn": rnn}


def version() -> str:
    """autograd's installed version."""
    return _version("autograd")


def prepare(workload: Workload, args: tuple[Any, ...]) -> Callable[[], Any]:
    """A no-argument function returning autograd's gradient of ``workload`` at ``args``."""
    positions = workload.wrt_positions()
    argnum = positions if isinstance(workload.wrt, tuple) else positions[0]
    gradient = autograd.grad(FUNCTIONS[workload.name], argnum)
    return lambda: gradient(*args)
