"""The workloads in PyTorch (CPU, float64): tensors with ``requires_grad``, ``torch.autograd.grad``.

Inputs are converted to tensors once, outside the timing; each gradient call
builds the graph (the forward pass) and runs the backward pass.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import numpy
import torch

from benchmarks.cases import Workload

NAME = "torch"

torch.set_num_threads(1)
with contextlib.suppress(RuntimeError):      # already set, or inter-op work started
    torch.set_num_interop_threads(1)


def euler(x0, a, steps):
    x = x0
    for _ in range(steps):
        x = x + 0.01 * (torch.sin(x) * a - 0.1 * x * x)
    return x


def arith(x0, a, steps):
    x = x0
    for _ in range(steps):
        x = x + 0.001 * (a * x - x ** 3)
    return x


def mlp(W1, b1, W2, b2, X, Y):
    h = torch.tanh(X @ W1 + b1)
    z = h @ W2 + b2
    m = torch.amax(z, dim=1, keepdim=True)
    lse = m + torch.log(torch.sum(torch.exp(z - m), dim=1, keepdim=True))
    return torch.mean(torch.sum(Y * (lse - z), dim=1))


def layer(W, b, x):
    return x @ W + b


def mlp_calls(params, X, Y):
    h = torch.tanh(layer(params["W1"], params["b1"], X))
    z = layer(params["W2"], params["b2"], h)
    m = torch.amax(z, dim=1, keepdim=True)
    lse = m + torch.log(torch.sum(torch.exp(z - m), dim=1, keepdim=True))
    return torch.mean(torch.sum(Y * (lse - z), dim=1))


def doubling(a):
    b = a * 2
    while torch.linalg.norm(b) < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c.sum()


def rnn(Wx, Wh, b, xs):
    h = torch.zeros((xs.shape[1], Wh.shape[0]), dtype=torch.float64)
    for t in range(xs.shape[0]):
        h = torch.tanh(xs[t] @ Wx + h @ Wh + b)
    return torch.sum(h * h)


FUNCTIONS = {"euler": euler, "arith": arith, "mlp": mlp, "mlp_calls": mlp_calls,
             "doubling": doubling, "rnn": rnn}


def version() -> str:
    """PyTorch's version."""
    return torch.__version__


def _tensor(value: Any, requires_grad: bool) -> Any:
    if isinstance(value, dict):
        return {key: _tensor(item, requires_grad) for key, item in value.items()}
    if isinstance(value, (float, numpy.ndarray)):
        return torch.tensor(value, dtype=torch.float64, requires_grad=requires_grad)
    return value                                     # ints (step counts) stay Python ints


def prepare(workload: Workload, args: tuple[Any, ...]) -> Callable[[], Any]:
    """A no-argument function returning PyTorch's gradient of ``workload`` at ``args``."""
    positions = workload.wrt_positions()
    tensors = [_tensor(arg, i in positions) for i, arg in enumerate(args)]
    leaves, keys = [], []
    for i in positions:
        if isinstance(tensors[i], dict):
            keys.append(list(tensors[i]))
            leaves.extend(tensors[i].values())
        else:
            keys.append(None)
            leaves.append(tensors[i])
    function = FUNCTIONS[workload.name]

    def gradient() -> Any:
        grads = iter(torch.autograd.grad(function(*tensors), leaves))
        parts = [next(grads) if k is None else {key: next(grads) for key in k} for k in keys]
        return tuple(parts) if isinstance(workload.wrt, tuple) else parts[0]

    return gradient
