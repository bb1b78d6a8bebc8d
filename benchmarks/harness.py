"""The benchmark run: check every tool's gradient, time them all, measure one-off costs.

``run(argv)`` is what ``benchmarks/run.py`` (``make bench``) calls once the
process has been set to one thread.  Order: gradient checks, then interleaved
timing per workload, then transform times, tape figures and import times, then
the report (stdout, and ``docs/performance.md`` with its chart on a full run).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

import adtrans
from benchmarks import machine, report
from benchmarks.cases import WORKLOADS, Workload
from benchmarks.checks import agreement, directional_fd, flatten
from benchmarks.peers import Peer, load_peers
from benchmarks.results import TOOLS, RunResult, WorkloadResult
from benchmarks.startup import ROOT, import_times, transform_time
from benchmarks.tape import tape_figures
from benchmarks.timing import interleaved, minor_faults


@dataclass(frozen=True)
class Settings:
    """How hard to measure."""

    repeat: int             # timing rounds; the best is kept
    min_time: float         # seconds, at least, per measurement
    transform_repeat: int   # in-process first calls
    cold_repeat: int        # fresh interpreters for the cold first call
    import_repeat: int
    tape_iterations: dict[str, int]


FULL = Settings(10, 0.05, 7, 3, 7, {"euler": 500, "arith": 500, "doubling": 10, "rnn": 50})
QUICK = Settings(2, 0.01, 2, 1, 2, {"euler": 50, "arith": 50, "doubling": 5, "rnn": 5})


def first_line(exc: BaseException) -> str:
    """An exception's message, first line only, with this repository's path made relative."""
    lines = str(exc).splitlines()
    text = lines[0] if lines else type(exc).__name__
    return text.replace(str(ROOT) + "/", "")


def loud(problems: list[str], message: str) -> None:
    """Record a problem and shout it on stderr at once."""
    problems.append(message)
    print(f"\n!!!!!!!! {message}\n", file=sys.stderr, flush=True)


def _adtrans_gradient(workload: Workload, args: tuple[Any, ...]) -> Callable[[], Any]:
    gradient = adtrans.grad(workload.function, wrt=workload.wrt)
    return lambda: gradient(*args)


def _reference(workload: Workload, args: tuple[Any, ...]) -> list[np.ndarray] | None:
    """adtrans's gradient of an equivalent workload, for one adtrans refuses."""
    if workload.same_as is None:
        return None
    other_name, convert = workload.same_as
    other = WORKLOADS[other_name]
    other_args = convert(args)
    return flatten(other, adtrans.grad(other.function, wrt=other.wrt)(*other_args), other_args)


def check_workload(workload: Workload, args: tuple[Any, ...], peers: list[Peer],
                   tools: list[str], problems: list[str]
                   ) -> tuple[WorkloadResult, dict[str, Callable[[], Any]]]:
    """Run every tool's gradient once and compare; return the result and what to time."""
    result = WorkloadResult(workload)
    direction, fd = directional_fd(workload, args)
    runners: dict[str, Callable[[], Any]] = {}
    reference = None
    if "adtrans" in tools:
        try:
            runner = _adtrans_gradient(workload, args)
            flat = flatten(workload, runner(), args)
        except adtrans.AdtransError as exc:
            result.status["adtrans"] = f"refused: {first_line(exc)}"
        except Exception as exc:
            result.status["adtrans"] = f"error: {type(exc).__name__}: {first_line(exc)}"
            loud(problems, f"adtrans crashed on {workload.name}: {result.status['adtrans']}")
        else:
            result.agreement["adtrans"] = agreement(flat, None, direction, fd)
            if result.agreement["adtrans"].ok:
                result.status["adtrans"] = "ok"
                runners["adtrans"] = runner
                reference, result.reference = flat, "adtrans"
            else:
                result.status["adtrans"] = "WRONG"
                loud(problems, f"GRADIENT MISMATCH: adtrans on {workload.name} disagrees with "
                     f"finite differences ({result.agreement['adtrans'].describe()}); "
                     "its time is not shown, peers are checked against finite differences only")
    if reference is None and "adtrans" in tools:
        try:
            candidate = _reference(workload, args)
        except Exception:
            candidate = None
        if candidate is not None and agreement(candidate, None, direction, fd).ok:
            reference = candidate
            result.reference = f"adtrans on {workload.same_as[0]}"
    if not result.reference:
        result.reference = "finite differences only"
    for peer in peers:
        if peer.name not in tools:
            continue
        try:
            runner = peer.prepare(workload, args)
            flat = flatten(workload, runner(), args)
        except Exception as exc:
            result.status[peer.name] = f"error: {type(exc).__name__}: {first_line(exc)}"
            loud(problems, f"{peer.name} failed on {workload.name}: {result.status[peer.name]}")
            continue
        result.agreement[peer.name] = check = agreement(flat, reference, direction, fd)
        if check.ok:
            result.status[peer.name] = "ok"
            runners[peer.name] = runner
        else:
            result.status[peer.name] = "WRONG"
            loud(problems, f"GRADIENT MISMATCH: {peer.name} on {workload.name} "
                 f"({check.describe()}); its time is not shown")
    return result, runners


def thread_shares(tools: list[str]) -> dict[str, float]:
    """CPU time over wall time of a matrix product in each library (about 1.0: one thread)."""
    a = np.random.default_rng(0).standard_normal((400, 400))
    work: dict[str, Callable[[], object]] = {"NumPy": lambda: a @ a}
    if "torch" in tools:
        import torch

        t = torch.tensor(a)
        work["PyTorch"] = lambda: t @ t
    if "jax" in tools:
        import jax.numpy as jnp

        j = jnp.asarray(a)
        work["JAX"] = lambda: (j @ j).block_until_ready()
    return {name: machine.cpu_share(fn) for name, fn in work.items()}


def heaviest_imports(count: int = 5) -> list[tuple[str, float]]:
    """The modules ``import adtrans`` spends most time in (self time, NumPy already loaded)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", "import numpy, adtrans"],
                          capture_output=True, text=True, cwd=ROOT, env=env, check=True)
    rows, after_numpy = [], False
    for line in done.stderr.splitlines():
        parts = line.split("|")
        if len(parts) != 3 or not line.startswith("import time:"):
            continue
        name = parts[2].rstrip()
        if after_numpy:
            try:
                rows.append((name.strip(), int(parts[0].split(":")[1]) / 1e6))
            except ValueError:
                continue
        if name.strip() == "numpy" and not name.startswith("  "):
            after_numpy = True
    return sorted(rows, key=lambda row: -row[1])[:count]


def parse(argv: list[str]) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="benchmarks/run.py",
        description="Gradient time / NumPy function time for adtrans and its peers.")
    parser.add_argument("--quick", action="store_true",
                        help="fast smoke run: loops a tenth as long, 2 rounds of >= 0.01 s "
                             "(docs are not written)")
    parser.add_argument("--only", action="append", metavar="NAME",
                        help=f"run only this workload (repeatable or comma-separated): "
                             f"{', '.join(WORKLOADS)}")
    parser.add_argument("--tools", metavar="LIST", default=",".join(TOOLS),
                        help=f"comma-separated tools to measure (default: {','.join(TOOLS)})")
    write = parser.add_mutually_exclusive_group()
    write.add_argument("--write", dest="write", action="store_true", default=None,
                       help="write docs/performance.md and .png even for --quick or --only")
    write.add_argument("--no-write", dest="write", action="store_false",
                       help="print the table only")
    parser.add_argument("--docs", type=Path, default=ROOT / "docs",
                        help="where performance.md and performance.png go (default: docs/)")
    options = parser.parse_args(argv)
    names = [n.strip() for item in options.only or [] for n in item.split(",") if n.strip()]
    unknown = [n for n in names if n not in WORKLOADS]
    if unknown:
        parser.error(f"unknown workload(s) {', '.join(unknown)}; choose from "
                     f"{', '.join(WORKLOADS)}")
    options.names = names or list(WORKLOADS)
    options.tool_list = [t.strip() for t in options.tools.split(",") if t.strip()]
    bad = [t for t in options.tool_list if t not in TOOLS]
    if bad:
        parser.error(f"unknown tool(s) {', '.join(bad)}; choose from {', '.join(TOOLS)}")
    if options.write is None:
        options.write = not options.quick and not options.only and options.tools == ",".join(
            TOOLS)
    return options


_START = time.perf_counter()


def progress(message: str) -> None:
    """A progress line on stderr, with the seconds since start, so stdout holds the report."""
    print(f"{time.perf_counter() - _START:6.1f} s  {message}", file=sys.stderr, flush=True)


def run(argv: list[str], pinned_cpu: int | None = None) -> int:
    """Run the benchmarks; the exit status is 1 when a gradient disagreed or a tool crashed."""
    options = parse(argv)
    settings = QUICK if options.quick else FULL
    progress("loading peers ...")
    peers, missing = load_peers()
    tools = [t for t in options.tool_list if t == "adtrans" or any(p.name == t for p in peers)]
    for name, why in missing.items():
        if name in options.tool_list:
            progress(f"{name}: {why}; left out (make bench installs the peers)")
    run_result = RunResult(
        [], tools,
        {"mode": "quick (loops a tenth as long)" if options.quick else "full",
         "repeat": str(settings.repeat), "min_time": f"{settings.min_time:g} s"},
        machine.describe(pinned_cpu),
        missing_tools={k: v for k, v in missing.items() if k in options.tool_list})
    problems = run_result.problems
    for name in options.names:
        workload = WORKLOADS[name]
        progress(f"[{name}] checking gradients ...")
        args = workload.args("quick" if options.quick else "full")
        result, runners = check_workload(workload, args, peers, tools, problems)
        for tool in tools:
            result.status.setdefault(tool, "not run")
        progress(f"[{name}] timing {', '.join(['numpy', *runners])} ...")
        candidates = {"numpy": lambda f=workload.function, a=args: f(*a), **runners}
        timings = interleaved(candidates, settings.repeat, settings.min_time)
        result.faults = {name: minor_faults(function) for name, function in candidates.items()}
        result.forward = timings.pop("numpy")
        result.gradients = timings
        run_result.results.append(result)
    if "adtrans" in tools:
        for result in run_result.results:
            workload = result.workload
            progress(f"[{workload.name}] transform time and tape ...")
            result.transform = transform_time(workload, settings.transform_repeat,
                                              settings.cold_repeat)
            if workload.loop is not None and result.status.get("adtrans") == "ok":
                result.tape = tape_figures(workload, settings.tape_iterations[workload.name])
        progress("import times ...")
        run_result.import_times = import_times(settings.import_repeat)
        with contextlib.suppress(OSError, subprocess.CalledProcessError):
            run_result.import_heaviest = heaviest_imports()
    progress("thread check ...")
    run_result.thread_shares = thread_shares(tools)
    print(report.text(run_result))
    if options.write:
        written = report.write(run_result, options.docs)
        progress("wrote " + " and ".join(str(path) for path in written))
    progress("done")
    return 1 if problems else 0
