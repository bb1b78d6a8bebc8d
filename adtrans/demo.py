"""Functions from the seed tutorials, shown by ``python -m adtrans demo``."""

import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def parabolas(x):
    return (x - 1) ** 2 + (x + 1) ** 2


def bce_loss(w, b, x, y):
    z = x @ w + b
    # binary cross-entropy with logits, written to be numerically stable
    losses = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
    return losses.mean()


def d2l_f(a):
    b = a * 2
    while np.linalg.norm(b) < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c
