"""A regression guard for the benchmark workloads that does not depend on timing.

For each workload of ``benchmarks/``: the helper calls in the backward sweep of its
generated gradient, and the tape entries its forward sweep records per loop
iteration.  A change that makes generated code do more fails here, with the counts
to compare, before anyone runs ``make bench``.  Lower counts are progress: update
the table.
"""

import collections
import re

import pytest

import adtrans
from benchmarks.cases import WORKLOADS
from benchmarks.tape import tape_entries

# Calls of adtrans' runtime helpers in the backward sweep (NumPy's own functions, range
# and the tape's pop are left out: they are the arithmetic itself).
HELPERS = {"unbroadcast", "add", "tree_add", "add_at", "repeat_to_match", "count_reduced",
           "extremum_grad", "matmul_grad_left", "matmul_grad_right", "as_gradient",
           "dot_grad_left", "dot_grad_right", "where_zero", "select_grad"}

EXPECTED = {
    # workload: (helper calls in the backward sweep, tape entries per loop iteration)
    "euler": ({"as_gradient": 1}, 3),
    "arith": ({"as_gradient": 1}, 1),
    "mlp": ({"repeat_to_match": 3, "count_reduced": 1, "unbroadcast": 11,
             "extremum_grad": 1, "as_gradient": 4}, None),
    "mlp_calls": ({"repeat_to_match": 3, "count_reduced": 1, "unbroadcast": 11,
                   "extremum_grad": 1, "add_at": 4, "as_gradient": 1}, None),
    "doubling": ({"repeat_to_match": 1, "as_gradient": 1}, 0),
    "rnn": ({"repeat_to_match": 1, "unbroadcast": 5, "add": 3, "as_gradient": 3}, 5),
}


def helper_calls(name: str) -> dict[str, int]:
    workload = WORKLOADS[name]
    args = workload.args("small")
    text = adtrans.source(adtrans.grad(workload.function, wrt=workload.wrt_positions()), *args)
    backward = text.split("# backward sweep", 1)[1]
    calls = collections.Counter(re.findall(r"\b([a-z_0-9]+)\(", backward))
    return {helper: n for helper, n in calls.items() if helper in HELPERS}


def test_every_workload_is_guarded():
    assert set(EXPECTED) == set(WORKLOADS)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_helper_calls_in_the_backward_sweep(name):
    assert helper_calls(name) == EXPECTED[name][0]


@pytest.mark.parametrize("name", [n for n in sorted(EXPECTED) if EXPECTED[n][1] is not None])
def test_tape_entries_per_iteration(name):
    workload = WORKLOADS[name]
    short = tape_entries(workload, workload.loop.args(4))
    long = tape_entries(workload, workload.loop.args(8))
    assert (len(long) - len(short)) / 4 == EXPECTED[name][1]
