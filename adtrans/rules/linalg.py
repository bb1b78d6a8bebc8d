"""Rules for np.linalg functions of one matrix (or a stack of matrices)."""

import numpy as np

from ..runtime import det_grad
from .registry import defvjp


@defvjp(np.linalg.inv)
def inv(g, ans, x):
    return -np.swapaxes(ans, -1, -2) @ g @ np.swapaxes(ans, -1, -2)


@defvjp(np.linalg.det)
def det(g, ans, x):
    return det_grad(g, ans, x)
