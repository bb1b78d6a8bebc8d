"""timeit-style timing, interleaved: every candidate is measured once per round.

Each candidate gets its own loop count, large enough that one measurement
lasts at least ``min_time`` seconds; then ``repeat`` rounds each measure every
candidate once, in an order rotated from round to round, so slow drifts of the
machine touch all candidates alike.  The figure kept is the best round.
"""

from __future__ import annotations

import gc
import timeit

try:
    import resource
except ImportError:          # not on Windows
    resource = None
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Timing:
    """Seconds per call: the best round, the median round, and the loop count used."""

    best: float
    median: float
    number: int


def calibrate(function: Callable[[], object], min_time: float) -> int:
    """The smallest count in 1, 2, 5, 10, 20, ... whose loop takes at least ``min_time``."""
    timer = timeit.Timer(function)
    number = 1
    while True:
        for factor in (1, 2, 5):
            count = number * factor
            if timer.timeit(count) >= min_time:
                return count
        number *= 10


def interleaved(functions: dict[str, Callable[[], object]], repeat: int, min_time: float
                ) -> dict[str, Timing]:
    """Time each function, all of them once per round, ``repeat`` rounds."""
    names = list(functions)
    numbers = {name: calibrate(functions[name], min_time) for name in names}
    samples: dict[str, list[float]] = {name: [] for name in names}
    for round_index in range(repeat):
        shift = round_index % len(names)
        for name in names[shift:] + names[:shift]:
            gc.collect()
            elapsed = timeit.Timer(functions[name]).timeit(numbers[name])
            samples[name].append(elapsed / numbers[name])
    result = {}
    for name, times in samples.items():
        ordered = sorted(times)
        result[name] = Timing(ordered[0], ordered[len(ordered) // 2], numbers[name])
    return result


def minor_faults(function: Callable[[], object], calls: int = 10) -> float | None:
    """Minor page faults per call (after a warm-up call): fresh memory the process takes
    from the operating system, each costing about a microsecond or two.  None where the
    platform does not count them."""
    if resource is None:
        return None
    function()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(calls):
        function()
    return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / calls
