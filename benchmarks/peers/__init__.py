"""The peers: the workloads written for HIPS autograd, PyTorch (CPU) and JAX (eager, no jit),
and their gradients written by hand in NumPy (``hand``: the floor, not a tool).

Each peer module imports its library at the top, so a missing library is an
``ImportError`` here and the peer is left out.  A module provides ``NAME``,
``version()`` and ``prepare(workload, args)``, which converts the arguments once
and returns a no-argument function computing the gradient, in the structure
adtrans returns (one value, a tuple, or a dict for a dict parameter).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from benchmarks.cases import Workload

MODULES = {"autograd": "autograd_peer", "torch": "torch_peer", "jax": "jax_peer",
           "hand": "hand_peer"}


@dataclass(frozen=True)
class Peer:
    """A loaded peer tool."""

    name: str
    version: str
    prepare: Callable[[Workload, tuple[Any, ...]], Callable[[], Any]]


def load_peers() -> tuple[list[Peer], dict[str, str]]:
    """The peers that import, and for the others why not."""
    loaded, missing = [], {}
    for name, module_name in MODULES.items():
        try:
            module = importlib.import_module(f"benchmarks.peers.{module_name}")
        except ImportError as exc:
            missing[name] = f"not installed ({exc})"
            continue
        loaded.append(Peer(name, module.version(), module.prepare))
    return loaded, missing
