"""A description of the machine and the software a benchmark ran on."""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo (or what the platform module says)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def memory() -> str:
    """Total memory from /proc/meminfo, in GiB."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 2 ** 20:.0f} GiB"
    except OSError:
        pass
    return "?"


def package_version(name: str) -> str:
    """An installed distribution's version, or 'not installed'."""
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def blas() -> str:
    """The BLAS NumPy was built with."""
    try:
        info = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{info.get('name', '?')} {info.get('version', '')}".strip()
    except Exception:
        return "?"


def adtrans_commit() -> str:
    """The git commit of the working copy, marked when it has uncommitted changes."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "adtrans"], cwd=ROOT,
                               check=True, capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"
    return head + (" (adtrans/ modified)" if dirty else "")


def cpu_share(work: Callable[[], object], seconds: float = 0.2) -> float:
    """Process CPU time over wall time while ``work`` runs: about 1.0 with one thread."""
    work()
    cpu, wall = time.process_time(), time.perf_counter()
    while time.perf_counter() - wall < seconds:
        work()
    return (time.process_time() - cpu) / (time.perf_counter() - wall)


def describe(pinned_cpu: int | None) -> dict[str, str]:
    """The machine description the report prints, as ordered label: value pairs."""
    affinity = (f"process pinned to CPU {pinned_cpu}" if pinned_cpu is not None
                else "not pinned")
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "CPU": cpu_model(),
        "cores": f"{os.cpu_count()} ({affinity})",
        "memory": memory(),
        "load average at start": "{:.2f}, {:.2f}, {:.2f} (1, 5, 15 min)".format(
            *os.getloadavg()),
        "OS": platform.platform(),
        "Python": sys.version.split()[0],
        "NumPy": f"{np.__version__} ({blas()})",
        "adtrans": f"{package_version('adtrans')}, commit {adtrans_commit()}",
        "autograd": package_version("autograd"),
        "PyTorch": package_version("torch"),
        "JAX": f"{package_version('jax')} (jaxlib {package_version('jaxlib')})",
        "matplotlib": package_version("matplotlib"),
        "threads": ", ".join(f"{k}={os.environ.get(k, '')}" for k in (
            "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")),
    }
