"""The workloads in JAX: ``jax.numpy`` and ``jax.grad``, eager (no ``jit``), float64 on CPU.

Arrays are put on the device once, outside the timing; each call waits for
the result (``block_until_ready``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy

from benchmarks.cases import Workload

NAME = "jax"

jax.config.update("jax_enable_x64", True)       # float64, like NumPy and the other tools
jax.config.update("jax_platforms", "cpu")


def euler(x0, a, steps):
    x = x0
    for _ in range(steps):
        x = x + 0.01 * (jnp.sin(x) * a - 0.1 * x * x)
    return x


def arith(x0, a, steps):
    x = x0
    for _ in range(steps):
        x = x + 0.001 * (a * x - x ** 3)
    return x


def mlp(W1, b1, W2, b2, X, Y):
    h = jnp.tanh(X @ W1 + b1)
    z = h @ W2 + b2
    m = jnp.max(z, axis=1, keepdims=True)
    lse = m + jnp.log(jnp.sum(jnp.exp(z - m), axis=1, keepdims=True))
    return jnp.mean(jnp.sum(Y * (lse - z), axis=1))


def layer(W, b, x):
    return x @ W + b


def mlp_calls(params, X, Y):
    h = jnp.tanh(layer(params["W1"], params["b1"], X))
    z = layer(params["W2"], params["b2"], h)
    m = jnp.max(z, axis=1, keepdims=True)
    lse = m + jnp.log(jnp.sum(jnp.exp(z - m), axis=1, keepdims=True))
    return jnp.mean(jnp.sum(Y * (lse - z), axis=1))


def doubling(a):
    b = a * 2
    while jnp.linalg.norm(b) < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c.sum()


def rnn(Wx, Wh, b, xs):
    h = jnp.zeros((xs.shape[1], Wh.shape[0]))
    for t in range(xs.shape[0]):
        h = jnp.tanh(xs[t] @ Wx + h @ Wh + b)
    return jnp.sum(h * h)


FUNCTIONS = {"euler": euler, "arith": arith, "mlp": mlp, "mlp_calls": mlp_calls,
             "doubling": doubling, "rnn": rnn}


def version() -> str:
    """JAX's and jaxlib's versions."""
    import jaxlib

    return f"{jax.__version__} (jaxlib {jaxlib.__version__})"


def _device(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _device(item) for key, item in value.items()}
    if isinstance(value, numpy.ndarray):
        return jnp.asarray(value)
    return value                             # Python floats and ints as they are


def prepare(workload: Workload, args: tuple[Any, ...]) -> Callable[[], Any]:
    """A no-argument function returning JAX's gradient of ``workload`` at ``args``."""
    positions = workload.wrt_positions()
    argnums = positions if isinstance(workload.wrt, tuple) else positions[0]
    gradient = jax.grad(FUNCTIONS[workload.name], argnums=argnums)
    device_args = [_device(arg) for arg in args]
    return lambda: jax.block_until_ready(gradient(*device_args))
