"""One-off costs: adtrans's first-call transform time and ``import adtrans`` time.

The transform time is end to end: ``adtrans.grad(f, wrt)`` and its first call,
on a fresh function object (a new object with ``f``'s code, so adtrans's
compile cache, keyed by the function, misses), minus what a later call of the
compiled gradient costs.  The workload's tiny test inputs are used, so running
the gradient adds next to nothing.  Two figures: warm, best of several in this
process (after other transforms ran); and cold, the first transform in a fresh
interpreter that has only imported adtrans, best of several subprocesses (after a
warm-up one, with bytecode caching on as for an installed package).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import adtrans
from benchmarks.cases import Workload

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class TransformTime:
    """Seconds for the first call, beyond a normal call; or why adtrans refused."""

    warm: float | None
    cold: float | None
    refused: str | None = None


def fresh_function(f: Callable[..., Any]) -> Callable[..., Any]:
    """A new function object with ``f``'s code, globals, defaults and closure."""
    copy = types.FunctionType(f.__code__, f.__globals__, f.__name__, f.__defaults__,
                              f.__closure__)
    copy.__kwdefaults__ = f.__kwdefaults__
    copy.__qualname__ = f.__qualname__
    copy.__module__ = f.__module__
    return copy


def _forget(function: Callable[..., Any]) -> None:
    """Drop ``function``'s entries from adtrans's compile cache, if it still has that cache."""
    cache = getattr(adtrans.api, "_CACHE", None)
    if isinstance(cache, dict):
        for key in [k for k in cache if isinstance(k, tuple) and k and k[0] is function]:
            cache.pop(key, None)


def first_call(workload: Workload) -> float:
    """One end-to-end first call on a fresh function object, less a repeated call."""
    args = workload.args("small")
    function = fresh_function(workload.function)
    try:
        start = time.perf_counter()
        gradient = adtrans.grad(function, wrt=workload.wrt)
        gradient(*args)
        first = time.perf_counter() - start
        start = time.perf_counter()
        gradient(*args)
        again = time.perf_counter() - start
    finally:
        _forget(function)
    return max(first - again, 0.0)


_COLD = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {root!r})
    import adtrans
    from benchmarks.cases import WORKLOADS
    workload = WORKLOADS[{name!r}]
    args = workload.args("small")
    start = time.perf_counter()
    gradient = adtrans.grad(workload.function, wrt=workload.wrt)
    gradient(*args)
    first = time.perf_counter() - start
    start = time.perf_counter()
    gradient(*args)
    print(first - (time.perf_counter() - start))
""")


def python(code: str) -> str:
    """Run ``code`` in a fresh interpreter and return its output.

    Bytecode caching is allowed (``PYTHONDONTWRITEBYTECODE`` removed), as on a user's
    machine, so a warm-up run leaves compiled modules behind for the timed ones.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, env=env, check=True).stdout


def _subprocess_seconds(code: str) -> float:
    return float(python(code).strip().splitlines()[-1])


def transform_time(workload: Workload, repeat: int, cold_repeat: int) -> TransformTime:
    """Warm (in-process) and cold (fresh interpreter) transform times, best of each."""
    try:
        warm = min(first_call(workload) for _ in range(repeat))
    except adtrans.AdtransError as exc:
        return TransformTime(None, None, str(exc).splitlines()[0])
    cold = None
    if cold_repeat:
        code = _COLD.format(root=str(ROOT), name=workload.name)
        python(code)                                         # warm-up: bytecode, disk cache
        cold = min(_subprocess_seconds(code) for _ in range(cold_repeat))
    return TransformTime(warm, cold)


_IMPORT = ("import time; start = time.perf_counter(); import numpy; middle = time.perf_counter(); "
           "import adtrans; end = time.perf_counter(); print(middle - start, end - middle)")


def import_times(repeat: int) -> dict[str, float]:
    """Best wall times, over fresh interpreters, of ``import numpy`` and then ``import adtrans``.

    Keys: ``numpy``; ``adtrans own`` (importing adtrans once NumPy is loaded); ``adtrans``
    (both, what a script that starts with ``import adtrans`` pays).  Interpreter start-up is
    excluded.
    """
    python(_IMPORT)                                          # warm-up: bytecode, disk cache
    samples = [[float(x) for x in python(_IMPORT).split()] for _ in range(repeat)]
    return {"numpy": min(s[0] for s in samples), "adtrans own": min(s[1] for s in samples),
            "adtrans": min(s[0] + s[1] for s in samples)}
