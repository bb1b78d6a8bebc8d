"""Each workload's inputs, what it is differentiated with respect to, and its target ratio.

``WORKLOADS`` maps a name to a ``Workload``.  ``args("full")`` gives the benchmark
sizes, ``args("quick")`` the same with loops a tenth as long (``--quick``), and
``args("small")`` tiny inputs for the tests.  Loop workloads also say how to make
their loop run ``n`` times and what the backward sweep must keep per iteration, for
the tape-memory figures.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from benchmarks import workloads


@dataclass(frozen=True)
class Loop:
    """How to set a loop workload's iteration count, and the least its backward sweep needs."""

    args: Callable[[int], tuple[Any, ...]]   # benchmark-sized arguments, loop run n times
    minimum: str                             # what one iteration must keep, in words
    minimum_bytes: int                       # ... and in bytes


@dataclass(frozen=True)
class Workload:
    """One benchmark: a plain NumPy function, its inputs and the parameters differentiated."""

    name: str
    function: Callable[..., Any]
    wrt: str | tuple[str, ...]
    make_args: Callable[[str], tuple[Any, ...]]    # size "small", "quick" or "full"
    target: float                 # adtrans's goal for gradient time / function time
    summary: str
    loop: Loop | None = None
    # Another workload computing the same function, and how to map these arguments to its
    # arguments: its adtrans gradient is the reference while adtrans refuses this one.
    same_as: tuple[str, Callable[[tuple[Any, ...]], tuple[Any, ...]]] | None = None

    def args(self, size: str = "full") -> tuple[Any, ...]:
        """The arguments: ``"full"`` benchmark sizes, ``"quick"``, or ``"small"`` for tests."""
        if size not in SIZES:
            raise ValueError(f"size must be one of {SIZES}, not {size!r}")
        return self.make_args(size)

    @property
    def wrt_names(self) -> tuple[str, ...]:
        """The parameters differentiated, as a tuple of names."""
        return self.wrt if isinstance(self.wrt, tuple) else (self.wrt,)

    def wrt_positions(self) -> tuple[int, ...]:
        """Positions of the differentiated parameters in the function's signature."""
        params = list(inspect.signature(self.function).parameters)
        return tuple(params.index(name) for name in self.wrt_names)


SIZES = ("small", "quick", "full")


def _euler_args(size: str) -> tuple[Any, ...]:
    return (0.5, 1.3, {"small": 25, "quick": 100, "full": 1000}[size])


def _mlp_arrays(size: str) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(1)
    n_in, n_hidden, n_out, batch = (7, 5, 3, 4) if size == "small" else (784, 256, 10, 256)
    W1 = rng.standard_normal((n_in, n_hidden)) / np.sqrt(n_in)
    b1 = 0.1 * rng.standard_normal(n_hidden)
    W2 = rng.standard_normal((n_hidden, n_out)) / np.sqrt(n_hidden)
    b2 = 0.1 * rng.standard_normal(n_out)
    X = rng.standard_normal((batch, n_in))
    Y = np.eye(n_out)[rng.integers(0, n_out, batch)]
    return W1, b1, W2, b2, X, Y


def _mlp_calls_args(size: str) -> tuple[Any, ...]:
    W1, b1, W2, b2, X, Y = _mlp_arrays(size)
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}, X, Y


def _as_mlp_args(args: tuple[Any, ...]) -> tuple[Any, ...]:
    params, X, Y = args
    return params["W1"], params["b1"], params["W2"], params["b2"], X, Y


def _doubling_args(size: str) -> tuple[Any, ...]:
    return (np.random.default_rng(2).standard_normal(5 if size == "small" else 1000),)


def _doubling_loop(n: int) -> tuple[Any, ...]:
    """A 1000-vector whose doubling loop runs exactly n times (norm of 2a is 1500 / 2**n)."""
    u = np.random.default_rng(2).standard_normal(1000)
    return (u / np.linalg.norm(u) * 750.0 / 2.0 ** n,)


RNN_SIZES = {"hidden": 64, "batch": 16, "inputs": 32, "steps": 100}


def _rnn_args(size: str, steps: int | None = None) -> tuple[Any, ...]:
    rng = np.random.default_rng(3)
    hidden, batch, inputs, default_steps = (4, 3, 2, 5) if size == "small" else (
        RNN_SIZES["hidden"], RNN_SIZES["batch"], RNN_SIZES["inputs"], RNN_SIZES["steps"])
    if size == "quick":
        default_steps //= 10
    Wx = rng.standard_normal((inputs, hidden)) / np.sqrt(inputs)
    Wh = 0.9 * rng.standard_normal((hidden, hidden)) / np.sqrt(hidden)
    b = 0.1 * rng.standard_normal(hidden)
    xs = rng.standard_normal((steps or default_steps, batch, inputs))
    return Wx, Wh, b, xs


WORKLOADS: dict[str, Workload] = {w.name: w for w in [
    Workload("euler", workloads.euler, "a", _euler_args, 3.0,
             "1000 scalar Euler steps with np.sin, d/da",
             Loop(lambda n: (0.5, 1.3, n), "one float (x) per step", 8)),
    Workload("arith", workloads.arith, "a", _euler_args, 4.0,
             "1000 scalar steps of + * ** only (no NumPy call), d/da",
             Loop(lambda n: (0.5, 1.3, n), "one float (x) per step", 8)),
    Workload("mlp", workloads.mlp, ("W1", "b1", "W2", "b2"), _mlp_arrays, 1.8,
             "784-256-10 tanh MLP, softmax cross-entropy, batch 256, d/d(W1, b1, W2, b2)"),
    Workload("mlp_calls", workloads.mlp_calls, "params", _mlp_calls_args, 1.8,
             "the same MLP, parameters in a dict, layers in a helper function, d/d(params)",
             same_as=("mlp", _as_mlp_args)),
    Workload("doubling", workloads.doubling, "a", _doubling_args, 2.0,
             "d2l.ai: double a 1000-vector while its norm < 1000, then if/else, d/da",
             Loop(_doubling_loop, "nothing (the trip count, once)", 0)),
    Workload("rnn", workloads.rnn, ("Wx", "Wh", "b"), _rnn_args, 3.0,
             "tanh RNN, 100 steps, hidden 64, batch 16, inputs 32, d/d(Wx, Wh, b)",
             Loop(lambda n: _rnn_args("full", n), "one hidden state (16 x 64 floats) per step",
                  RNN_SIZES["batch"] * RNN_SIZES["hidden"] * 8)),
]}
