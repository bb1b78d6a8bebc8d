"""The benchmark workloads as plain NumPy functions.

adtrans differentiates these; their own run time is the denominator of every
ratio.  The peers' versions in ``benchmarks/peers/`` do the same arithmetic in
the same order.  Sizes come from the arguments, so the tests can run them small.
"""

import numpy as np


def euler(x0, a, steps):
    """Explicit Euler steps of dx/dt = sin(x) a - 0.1 x^2 with dt = 0.01 (scalar, NumPy calls)."""
    x = x0
    for _ in range(steps):
        x = x + 0.01 * (np.sin(x) * a - 0.1 * x * x)
    return x


def arith(x0, a, steps):
    """Euler steps of dx/dt = a x - x^3 with dt = 0.001: scalar arithmetic, no NumPy call."""
    x = x0
    for _ in range(steps):
        x = x + 0.001 * (a * x - x ** 3)
    return x


def mlp(W1, b1, W2, b2, X, Y):
    """Mean softmax cross-entropy of a one-hidden-layer tanh network (stable log-sum-exp)."""
    h = np.tanh(X @ W1 + b1)
    z = h @ W2 + b2
    m = np.max(z, axis=1, keepdims=True)
    lse = m + np.log(np.sum(np.exp(z - m), axis=1, keepdims=True))
    return np.mean(np.sum(Y * (lse - z), axis=1))


def layer(W, b, x):
    """One affine layer, the helper ``mlp_calls`` calls."""
    return x @ W + b


def mlp_calls(params, X, Y):
    """``mlp`` with its parameters in a dict and the affine layers in a helper function."""
    h = np.tanh(layer(params["W1"], params["b1"], X))
    z = layer(params["W2"], params["b2"], h)
    m = np.max(z, axis=1, keepdims=True)
    lse = m + np.log(np.sum(np.exp(z - m), axis=1, keepdims=True))
    return np.mean(np.sum(Y * (lse - z), axis=1))


def doubling(a):
    """The d2l.ai control-flow example: double until the norm reaches 1000, then branch."""
    b = a * 2
    while np.linalg.norm(b) < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c.sum()


def rnn(Wx, Wh, b, xs):
    """A tanh RNN over ``xs`` (steps, batch, inputs); the loss is the final state's square sum."""
    h = np.zeros((xs.shape[1], Wh.shape[0]))
    for t in range(xs.shape[0]):
        h = np.tanh(xs[t] @ Wx + h @ Wh + b)
    return np.sum(h * h)
