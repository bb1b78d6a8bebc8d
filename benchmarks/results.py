"""What one benchmark run found, as plain data the report renders."""

from __future__ import annotations

from dataclasses import dataclass, field

from benchmarks.cases import Workload
from benchmarks.checks import Agreement
from benchmarks.startup import TransformTime
from benchmarks.tape import TapeFigures
from benchmarks.timing import Timing

TOOLS = ("adtrans", "autograd", "torch", "jax", "hand")
TARGETS = {"transform": 0.030, "import": 0.100}       # seconds


@dataclass
class WorkloadResult:
    """One workload: the plain function's time, each tool's gradient time, status, checks."""

    workload: Workload
    forward: Timing | None = None
    gradients: dict[str, Timing] = field(default_factory=dict)
    status: dict[str, str] = field(default_factory=dict)       # "ok", "refused: ...", ...
    agreement: dict[str, Agreement] = field(default_factory=dict)
    reference: str = ""                                          # what peers were checked against
    transform: TransformTime | None = None
    tape: TapeFigures | None = None
    faults: dict[str, float | None] = field(default_factory=dict)   # "numpy" and tools

    def ratio(self, tool: str) -> float | None:
        """Gradient time over function time, if the tool's gradient was measured."""
        if self.forward is None or tool not in self.gradients:
            return None
        return self.gradients[tool].best / self.forward.best


@dataclass
class RunResult:
    """A whole run: per-workload results and the one-off figures."""

    results: list[WorkloadResult]
    tools: list[str]
    settings: dict[str, str]
    machine: dict[str, str]
    import_times: dict[str, float] = field(default_factory=dict)   # module -> seconds
    import_heaviest: list[tuple[str, float]] = field(default_factory=list)
    thread_shares: dict[str, float] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)              # mismatches and errors
    missing_tools: dict[str, str] = field(default_factory=dict)    # peer -> why it is absent
