"""Render a run: a plain-text report for stdout, docs/performance.md and its bar chart."""

from __future__ import annotations

from pathlib import Path

from benchmarks.checks import FD_RTOL, RTOL
from benchmarks.results import TARGETS, RunResult, WorkloadResult

COLORS = {"adtrans": "#d62728", "autograd": "#1f77b4", "torch": "#ff7f0e", "jax": "#2ca02c",
          "hand": "#7f7f7f"}


def ratio_text(value: float) -> str:
    """A ratio with about three significant figures."""
    if value < 10:
        return f"{value:.2f}"
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def seconds_text(value: float | None) -> str:
    """A duration in s, ms or us."""
    if value is None:
        return "-"
    if value >= 1:
        return f"{value:.2f} s"
    if value >= 1e-3:
        return f"{value * 1e3:.3g} ms"
    return f"{value * 1e6:.3g} us"


def status_word(result: WorkloadResult, tool: str) -> str:
    """What stands in a table cell when a tool has no time."""
    status = result.status.get(tool, "not run")
    return status.split(":")[0]


def cell(result: WorkloadResult, tool: str) -> str:
    """A table cell: the ratio, or why there is none."""
    ratio = result.ratio(tool)
    return f"{ratio_text(ratio)}x" if ratio is not None else status_word(result, tool)


def meets(result: WorkloadResult) -> str:
    """Whether adtrans's ratio meets its target."""
    ratio = result.ratio("adtrans")
    if ratio is None:
        return "-"
    return "yes" if ratio <= result.workload.target else "no"


def _table(header: list[str], rows: list[list[str]], markdown: bool) -> str:
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows, strict=True)]
    def line(row: list[str]) -> str:
        first = row[0].ljust(widths[0])
        return "  ".join([first] + [c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)])
    return "\n".join([line(header)] + [line(row) for row in rows])


def ratio_table(run: RunResult, markdown: bool) -> str:
    """Gradient time over NumPy function time, tools side by side."""
    header = ["workload", "NumPy f", *run.tools, "target", "adtrans meets"]
    rows = [[r.workload.name, seconds_text(r.forward.best if r.forward else None),
             *[cell(r, t) for t in run.tools], f"<= {r.workload.target:g}", meets(r)]
            for r in run.results]
    return _table(header, rows, markdown)


def time_table(run: RunResult, markdown: bool) -> str:
    """Absolute gradient times per call (best round)."""
    header = ["workload", "NumPy f", "NumPy f (median round)", *run.tools]
    rows = [[r.workload.name, seconds_text(r.forward.best if r.forward else None),
             seconds_text(r.forward.median if r.forward else None),
             *[seconds_text(r.gradients[t].best) if t in r.gradients else status_word(r, t)
               for t in run.tools]]
            for r in run.results]
    return _table(header, rows, markdown)


def transform_table(run: RunResult, markdown: bool) -> str:
    """adtrans's first-call transform times."""
    target = TARGETS["transform"]
    header = ["workload", "cold (fresh interpreter)", "warm (in process)",
              f"target <= {seconds_text(target)}"]
    rows = []
    for r in run.results:
        t = r.transform
        if t is None:
            continue
        if t.refused:
            rows.append([r.workload.name, "refused", "refused", "-"])
            continue
        met = "-" if t.cold is None else ("yes" if t.cold <= target else "no")
        rows.append([r.workload.name, seconds_text(t.cold), seconds_text(t.warm), met])
    return _table(header, rows, markdown)


def tape_table(run: RunResult, markdown: bool) -> str:
    """Tape entries and bytes per loop iteration, beside the minimum the backward sweep needs."""
    header = ["workload", "entries / iter", "data bytes / iter", "retained bytes / iter",
              "minimum needed / iter"]
    rows = []
    for r in run.results:
        t = r.tape
        if t is None:
            continue
        def number(value: float | None) -> str:
            if value is None:
                return "?"
            return f"{value:,.0f}" if abs(value - round(value)) < 0.05 else f"{value:,.1f}"
        rows.append([r.workload.name, number(t.entries), number(t.data_bytes),
                     number(t.retained_bytes), f"{t.minimum_bytes} B: {t.minimum}"])
    return _table(header, rows, markdown)


def fault_table(run: RunResult, markdown: bool) -> str:
    """Minor page faults per call of the NumPy function and of each tool's gradient."""
    header = ["workload", "NumPy f", *run.tools]

    def number(value: float | None) -> str:
        return "-" if value is None else f"{value:,.0f}"
    rows = [[r.workload.name, number(r.faults.get("numpy")),
             *[number(r.faults.get(t)) for t in run.tools]] for r in run.results]
    return _table(header, rows, markdown)


def check_table(run: RunResult, markdown: bool) -> str:
    """Every gradient check: agreement with the reference and with finite differences."""
    header = ["workload", "tool", "checked against", "vs reference", "vs finite differences",
              "status"]
    rows = []
    for r in run.results:
        for tool in run.tools:
            a = r.agreement.get(tool)
            reference = "itself" if tool == "adtrans" and r.reference == "adtrans" else r.reference
            rows.append([r.workload.name, tool, reference if a else "-",
                         "-" if a is None or a.vs_reference is None else f"{a.vs_reference:.1e}",
                         "-" if a is None else f"{a.vs_fd:.1e}",
                         r.status.get(tool, "not run").split(":")[0]])
    return _table(header, rows, markdown)


def import_lines(run: RunResult) -> list[str]:
    """import numpy / import adtrans times and adtrans's own share."""
    times = run.import_times
    if "adtrans" not in times:
        return []
    own = times["adtrans own"]
    met = "yes" if own <= TARGETS["import"] else "no"
    lines = [f"import adtrans: {seconds_text(own)} once NumPy is loaded (target <= "
             f"{seconds_text(TARGETS['import'])}: {met}); {seconds_text(times['adtrans'])} "
             f"with NumPy, whose own import takes {seconds_text(times['numpy'])}"]
    if run.import_heaviest:
        lines.append("slowest modules imported by adtrans (self time): " + ", ".join(
            f"{name} {seconds_text(t)}" for name, t in run.import_heaviest))
    return lines


def share_line(run: RunResult) -> str:
    """Process CPU time over wall time in a matrix product, per library."""
    return ("CPU time / wall time in a 400x400 matrix product (1.00: one thread with a CPU to "
            "itself; above 1: more threads; below 1: other processes took the CPU): "
            + ", ".join(f"{k} {v:.2f}" for k, v in run.thread_shares.items()))


def notes(run: RunResult) -> list[str]:
    """Refusals, failures and missing peers, one line each."""
    lines = []
    for r in run.results:
        for tool in run.tools:
            status = r.status.get(tool, "")
            if status.startswith(("refused", "error")):
                lines.append(f"{r.workload.name} / {tool}: {status}")
        if r.tape is not None and r.tape.note:
            lines.append(f"{r.workload.name} / tape: {r.tape.note}")
    lines += [f"{tool}: {why}" for tool, why in run.missing_tools.items()]
    return lines


def text(run: RunResult) -> str:
    """The report printed on stdout."""
    s = run.settings
    parts = [f"adtrans benchmarks ({s['mode']}: best of {s['repeat']} interleaved rounds, each "
             f">= {s['min_time']}; one thread; float64)", "",
             "gradient time / NumPy function time", ratio_table(run, False)]
    parts += ["", *notes(run)] if notes(run) else []
    parts += ["", "gradient time per call", time_table(run, False)]
    if any(r.faults for r in run.results):
        parts += ["", "minor page faults per call", fault_table(run, False)]
    if any(r.transform for r in run.results):
        parts += ["", "first-call transform time (end to end, beyond a normal call)",
                  transform_table(run, False)]
    parts += ["", *import_lines(run)] if run.import_times else []
    if any(r.tape for r in run.results):
        parts += ["", "adtrans tape per loop iteration", tape_table(run, False)]
    parts += ["", "gradient checks", check_table(run, False)]
    if run.thread_shares:
        parts += ["", share_line(run)]
    parts += ["", "machine: " + "; ".join(f"{k}: {v}" for k, v in run.machine.items())]
    if run.problems:
        parts += ["", "PROBLEMS:", *[f"  !! {p}" for p in run.problems]]
    return "\n".join(parts)


def chart(run: RunResult, path: Path) -> None:
    """A log-scale bar chart of the ratios per workload and tool, with adtrans's targets."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results, tools = run.results, run.tools
    ratios = [r.ratio(t) for r in results for t in tools if r.ratio(t) is not None]
    bottom = min([0.8, *[x * 0.8 for x in ratios]])
    top = max([10.0, *[x * 4 for x in ratios]])
    fig, ax = plt.subplots(figsize=(11, 5.5))
    width = 0.8 / len(tools)
    for i, tool in enumerate(tools):
        xs, ys = [], []
        for j, r in enumerate(results):
            x = j - 0.4 + width * (i + 0.5)
            ratio = r.ratio(tool)
            if ratio is None:
                ax.text(x, bottom * 1.15, status_word(r, tool), rotation=90, ha="center",
                        va="bottom", fontsize=7, color=COLORS.get(tool, "black"))
            else:
                xs.append(x)
                ys.append(ratio)
        bars = ax.bar(xs, ys, width, label=tool, color=COLORS.get(tool), bottom=0)
        ax.bar_label(bars, labels=[ratio_text(y) for y in ys], fontsize=6, padding=2,
                     rotation=90)
    for j, r in enumerate(results):
        ax.hlines(r.workload.target, j - 0.45, j + 0.45, colors="black", linestyles="--",
                  linewidth=1.2, label="adtrans target" if j == 0 else None)
    ax.set_yscale("log")
    ax.set_ylim(bottom, top)
    ax.set_xticks(range(len(results)), [r.workload.name for r in results])
    ax.set_ylabel("gradient time / NumPy function time")
    ax.set_title("Gradient cost relative to the plain NumPy function (lower is better)")
    ax.grid(axis="y", which="major", alpha=0.3)
    ax.legend(ncol=len(tools) + 1, fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


METHOD = f"""\
How this is measured (`benchmarks/`, `make bench`):

* Every tool runs in one process, pinned to one CPU, with one BLAS / OpenMP
  thread (`OMP_NUM_THREADS`, `OPENBLAS_NUM_THREADS`, `MKL_NUM_THREADS` = 1,
  `torch.set_num_threads(1)`, `XLA_FLAGS=--xla_cpu_multi_thread_eigen=false
  intra_op_parallelism_threads=1`; the XLA flags alone no longer keep JAX on one
  thread, the CPU pinning does). Everything is float64.
* The ratio is a tool's gradient time over the plain NumPy function's time, both
  timed in the same run: each measurement loops long enough to take at least the
  minimum time (timeit, garbage collector off inside the loop), the rounds are
  interleaved (every candidate once per round, order rotated) and the best round
  counts. A gradient call includes the tool's forward pass. Peers: HIPS autograd
  (`autograd.numpy`), PyTorch on CPU (tensors with `requires_grad`,
  `torch.autograd.grad`), JAX eager (`jax.grad`, no `jit`); the same arithmetic in
  the same order, inputs converted once outside the timing. `hand`: the gradients
  written out by hand in NumPy (`benchmarks/peers/hand_peer.py`), keeping the least
  each loop needs and using the closed form of the softmax cross-entropy: not a
  tool but the floor, what the cheap-gradient bound comes to on this machine.
* Before timing, every gradient is compared with adtrans's, elementwise
  (max |g - ref| / max |ref| <= {RTOL:g} per array), and with a central finite
  difference of the NumPy function along a random unit direction (relative to
  |g|, <= {FD_RTOL:g}). A tool that disagrees is reported and its time not shown.
  While adtrans refuses `mlp_calls`, the reference there is adtrans's gradient of
  `mlp` on the same numbers.
* Transform time: `adtrans.grad(f)` and its first call, end to end, on a fresh
  function object (adtrans caches compiled code per function), minus a later
  call; tiny inputs. Cold: the first transform in a new interpreter that has only
  imported adtrans; warm: best in this process. Import time: best of several
  fresh interpreters, interpreter start-up excluded.
* Tape: from runs of n and 2n loop iterations (so one-off state cancels) of
  adtrans's `vjp` forward sweep. Entries: `Transformed.tape_after_forward`. Data
  bytes: their payload (a float is 8 bytes, an array its buffer, views of inputs
  free). Retained bytes: what `tracemalloc` sees held by `adtrans.vjp`'s pullback,
  Python objects and list slots included.
"""


def markdown(run: RunResult, with_chart: bool = True) -> str:
    """docs/performance.md."""
    m = run.machine
    parts = ["# Performance", "",
             f"Generated by `make bench` (`benchmarks/run.py`) on {m['date']}; do not edit by "
             "hand, rerun it.", "",
             "## Gradient time / NumPy function time", "",
             "Lower is better; 1 would be a gradient as cheap as the function itself. "
             "`refused`: adtrans raised `AdtransError` (it does not support the code yet); "
             "`WRONG`: the gradient failed the checks below.", "",
             ratio_table(run, True), ""]
    if with_chart:
        parts += ["![gradient time / function time, log scale](performance.png)", ""]
    if notes(run):
        parts += ["Notes:", "", *[f"* {line}" for line in notes(run)], ""]
    parts += ["Workloads (`benchmarks/workloads.py`):", "",
              *[f"* `{r.workload.name}`: {r.workload.summary}" for r in run.results], "",
              "### Time per gradient call", "",
              "Best round (the median round of the NumPy function shows how noisy the machine "
              "was).", "", time_table(run, True), ""]
    if any(r.faults for r in run.results):
        parts += ["### Minor page faults per call", "",
                  "Fresh memory taken from the operating system, each page costing a "
                  "microsecond or two: a gradient handed out is fresh memory, and glibc's "
                  "malloc gives freed heap memory back to the system once a call has freed "
                  "more than its trim threshold (a few MB), so the next call faults it in "
                  "again.", "", fault_table(run, True), ""]
    if any(r.transform for r in run.results) or run.import_times:
        parts += ["## One-off costs", "", "First-call transform time, end to end (beyond a "
                  "normal call):", "", transform_table(run, True), ""]
        parts += [*[f"* {line}" for line in import_lines(run)], ""]
    if any(r.tape for r in run.results):
        parts += ["## Tape memory per loop iteration", "",
                  "What adtrans's forward sweep keeps per iteration for the backward sweep, "
                  "beside the least the backward sweep needs.", "",
                  tape_table(run, True), ""]
    parts += ["## Gradient checks", "", check_table(run, True), ""]
    if run.problems:
        parts += ["**Problems:**", "", *[f"* {p}" for p in run.problems], ""]
    parts += ["## Method", "", METHOD,
              "## Machine", "", *[f"* {k}: {v}" for k, v in m.items()]]
    s = run.settings
    parts += [f"* run: {s['mode']}, best of {s['repeat']} rounds, each >= {s['min_time']}"]
    if run.thread_shares:
        parts += [f"* {share_line(run)}"]
    return "\n".join(parts) + "\n"


def write(run: RunResult, docs: Path) -> list[Path]:
    """Write performance.md and performance.png (when matplotlib is there) into ``docs``."""
    docs.mkdir(parents=True, exist_ok=True)
    md_path, png_path = docs / "performance.md", docs / "performance.png"
    try:
        chart(run, png_path)
    except ImportError:
        written = [md_path]
    else:
        written = [md_path, png_path]
    md_path.write_text(markdown(run, with_chart=png_path in written))
    return written
