"""Gradient checks run before any timing: each tool against adtrans and finite differences.

A gradient is flattened to a list of float64 arrays in the order of the
differentiated parameters (a dict parameter in its own key order), so tools
that return different containers (JAX sorts dict keys) compare alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from benchmarks.cases import Workload

RTOL = 1e-6          # elementwise agreement with the reference gradient, relative to its scale
FD_RTOL = 1e-5       # directional finite difference, relative to |gradient|
FD_STEP = 1e-5


@dataclass(frozen=True)
class Agreement:
    """How one tool's gradient compares with the reference and with finite differences."""

    vs_reference: float | None    # max |g - ref| / max |ref|, per array; None: no reference
    vs_fd: float                  # |<g, v> - fd| / |g|, v a random unit direction

    @property
    def ok(self) -> bool:
        return (self.vs_reference is None or self.vs_reference <= RTOL) and self.vs_fd <= FD_RTOL

    def describe(self) -> str:
        ref = "-" if self.vs_reference is None else f"{self.vs_reference:.1e}"
        return f"vs reference {ref}, vs finite differences {self.vs_fd:.1e}"


def wrt_values(workload: Workload, args: tuple[Any, ...]) -> list[Any]:
    """The argument values differentiated, in ``wrt`` order."""
    return [args[i] for i in workload.wrt_positions()]


def flatten(workload: Workload, gradient: Any, args: tuple[Any, ...]) -> list[np.ndarray]:
    """A tool's gradient as float64 arrays, one per differentiated array or dict entry."""
    parts = gradient if isinstance(workload.wrt, tuple) else (gradient,)
    if len(parts) != len(workload.wrt_names):
        raise ValueError(f"expected {len(workload.wrt_names)} gradients, got {len(parts)}")
    flat = []
    for part, value in zip(parts, wrt_values(workload, args), strict=True):
        if isinstance(value, dict):
            flat.extend(np.asarray(part[key], dtype=np.float64) for key in value)
        else:
            flat.append(np.asarray(part, dtype=np.float64))
    return flat


def _leaves(value: Any) -> list[Any]:
    return list(value.values()) if isinstance(value, dict) else [value]


def _moved(workload: Workload, args: tuple[Any, ...], direction: list[Any], step: float
           ) -> tuple[Any, ...]:
    moved = list(args)
    leaf_directions = iter(direction)
    for i in workload.wrt_positions():
        value = args[i]
        if isinstance(value, dict):
            moved[i] = {key: item + step * next(leaf_directions) for key, item in value.items()}
        elif isinstance(value, float):
            moved[i] = float(value + step * next(leaf_directions))
        else:
            moved[i] = value + step * next(leaf_directions)
    return tuple(moved)


def directional_fd(workload: Workload, args: tuple[Any, ...], seed: int = 0
                   ) -> tuple[list[Any], float]:
    """A random unit direction over the differentiated values, and the central difference of
    the plain function along it."""
    rng = np.random.default_rng(seed)
    leaves = [leaf for value in wrt_values(workload, args) for leaf in _leaves(value)]
    direction = [rng.standard_normal(np.shape(leaf)) for leaf in leaves]
    norm = np.sqrt(sum(np.sum(d * d) for d in direction))
    direction = [d / norm for d in direction]
    plus = workload.function(*_moved(workload, args, direction, FD_STEP))
    minus = workload.function(*_moved(workload, args, direction, -FD_STEP))
    return direction, float(plus - minus) / (2 * FD_STEP)


def agreement(gradient: list[np.ndarray], reference: list[np.ndarray] | None,
              direction: list[Any], fd: float) -> Agreement:
    """Compare one flattened gradient with the reference and the directional difference."""
    vs_reference = None
    if reference is not None:
        if [g.shape for g in gradient] != [r.shape for r in reference]:
            vs_reference = float("inf")
        else:
            vs_reference = max(float(np.max(np.abs(g - r), initial=0.0))
                               / max(float(np.max(np.abs(r), initial=0.0)), 1e-300)
                               for g, r in zip(gradient, reference, strict=True))
    analytic = sum(float(np.sum(g * d)) for g, d in zip(gradient, direction, strict=True))
    scale = float(np.sqrt(sum(np.sum(g * g) for g in gradient)))
    vs_fd = abs(analytic - fd) / max(scale, 1e-300)
    return Agreement(vs_reference, vs_fd)
