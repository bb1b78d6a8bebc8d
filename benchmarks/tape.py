"""Tape memory per loop iteration: what adtrans's forward sweep keeps for the backward sweep.

Measured as a difference between two runs of a loop workload, one with ``n``
iterations and one with ``2 n``, so whatever is kept once (the output, entry
values, the trip count) cancels.  Three figures:

* entries: the length of the tape ``Transformed.tape_after_forward`` returns
  for the ``vjp`` form (``adtrans.api.transform(f, wrt, "vjp")``); if that method
  is gone, the leaves of the saved state the forward function returns;
* data bytes: the payload of those entries (8 for a float, ``nbytes`` for an
  array), an array counted once and not at all when it is a view of an input;
* retained bytes: what ``tracemalloc`` sees still allocated while the pullback of
  ``adtrans.vjp`` is alive (NumPy reports its buffers to tracemalloc), Python
  object headers and list slots included.  This uses only the public API.

Every figure is ``None`` when its way of looking fails, so a change of the
generated code or of the API costs one figure, not the run.
"""

from __future__ import annotations

import gc
import numbers
import tracemalloc
from dataclasses import dataclass
from typing import Any

import numpy as np

import adtrans
from benchmarks.cases import Workload


@dataclass(frozen=True)
class TapeFigures:
    """Per-iteration tape figures of one loop workload."""

    iterations: tuple[int, int]
    entries: float | None
    data_bytes: float | None
    retained_bytes: float | None
    minimum: str
    minimum_bytes: int
    note: str = ""


def _saved_leaves(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple)):
        return [leaf for item in value for leaf in _saved_leaves(item)]
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _saved_leaves(item)]
    return [value]


def tape_entries(workload: Workload, args: tuple[Any, ...]) -> list[Any]:
    """The tape adtrans records for ``args`` (or the saved state's leaves, as a fallback)."""
    # The code a call with these arguments runs: compiled for their kinds and ranks.
    signature = adtrans.api.signature_of(list(args))
    transformed = adtrans.api.transform(workload.function, workload.wrt, "vjp", signature)
    reader = getattr(transformed, "tape_after_forward", None)
    if callable(reader):
        return list(reader(*args))
    forward = next(iter(transformed.generated.functions.values()))
    _, saved = forward(*args)
    return _saved_leaves(saved)


def _base(array: np.ndarray) -> np.ndarray:
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


def data_bytes(entries: list[Any], inputs: tuple[Any, ...]) -> int:
    """Payload bytes of tape entries; shared buffers once, views of the inputs not at all."""
    input_arrays = [leaf for leaf in _saved_leaves(list(inputs)) if isinstance(leaf, np.ndarray)]
    seen: set[int] = set()
    total = 0
    for entry in _saved_leaves(entries):
        if isinstance(entry, np.ndarray):
            base = _base(entry)
            if id(base) in seen or any(np.shares_memory(entry, x) for x in input_arrays):
                continue
            seen.add(id(base))
            total += base.nbytes
        elif isinstance(entry, np.generic):
            total += entry.itemsize
        elif isinstance(entry, numbers.Number) and not isinstance(entry, bool):
            total += 8
    return total


def retained_bytes(workload: Workload, args: tuple[Any, ...]) -> int:
    """Bytes still allocated while ``adtrans.vjp``'s output and pullback are alive."""
    adtrans.vjp(workload.function, *args, wrt=workload.wrt)      # compile outside the count
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = adtrans.vjp(workload.function, *args, wrt=workload.wrt)
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    del kept
    return after - before


def tape_figures(workload: Workload, n: int) -> TapeFigures | None:
    """Per-iteration figures from runs of ``n`` and ``2 n`` iterations; None for non-loops."""
    loop = workload.loop
    if loop is None:
        return None
    small, large = loop.args(n), loop.args(2 * n)
    notes = []
    entries = data = retained = None
    try:
        short, long = tape_entries(workload, small), tape_entries(workload, large)
        entries = (len(long) - len(short)) / n
        data = (data_bytes(long, large) - data_bytes(short, small)) / n
    except Exception as exc:          # the API moved: report what is left
        notes.append(f"tape not readable: {type(exc).__name__}: {str(exc).splitlines()[0]}")
    try:
        retained = (retained_bytes(workload, large) - retained_bytes(workload, small)) / n
    except Exception as exc:
        notes.append(f"tracemalloc failed: {type(exc).__name__}: {str(exc).splitlines()[0]}")
    return TapeFigures((n, 2 * n), entries, data, retained, loop.minimum, loop.minimum_bytes,
                       "; ".join(notes))
