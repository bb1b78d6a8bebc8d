"""Benchmark functions: a loop-heavy scalar time stepper, an MLP loss and an RNN loss."""

import numpy as np


def euler(k, x0):
    # 1000 explicit Euler steps of dx/dt = -k x + sin(x), dt = 1e-3
    x = x0
    for _ in range(1000):
        x = x + 0.001 * (-k * x + np.sin(x))
    return x


def mlp_loss(W1, b1, W2, b2, X, y):
    h = np.tanh(X @ W1 + b1)
    out = h @ W2 + b2
    err = out - y
    return np.mean(err * err)


def rnn_loss(Wx, Wh, b, xs):
    h = np.zeros(Wh.shape[0])
    for t in range(xs.shape[0]):
        h = np.tanh(xs[t] @ Wx + h @ Wh + b)
    return np.sum(h * h)


def inputs(seed=0):
    rng = np.random.default_rng(seed)
    return {
        "euler (1000 scalar steps)": (euler, (0.7, 1.3), (0, 1)),
        "mlp (64x32x16, batch 128)": (
            mlp_loss,
            (rng.standard_normal((32, 64)) * 0.2, np.zeros(64), rng.standard_normal((64, 16)) * 0.2,
             np.zeros(16), rng.standard_normal((128, 32)), rng.standard_normal((128, 16))),
            (0, 1, 2, 3)),
        "rnn (100 steps, 16 hidden)": (
            rnn_loss,
            (rng.standard_normal((8, 16)) * 0.3, rng.standard_normal((16, 16)) * 0.3,
             np.zeros(16), rng.standard_normal((100, 8))),
            (0, 1, 2)),
    }
