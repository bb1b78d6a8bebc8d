"""The benchmark workloads stay correct: adtrans's gradient of each, on small inputs, against
central finite differences, and the harness's own checks on them.

Only the NumPy side of ``benchmarks/`` is imported; the peers (autograd, PyTorch,
JAX) are an optional extra and never needed here.  The hand-written gradients, the
benchmark's floor, are plain NumPy: they are checked here too.
"""

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import adtrans
from benchmarks import workloads
from benchmarks.cases import WORKLOADS
from benchmarks.checks import agreement, directional_fd, flatten
from benchmarks.peers import hand_peer

# Workloads adtrans may refuse for now (helper calls and dict parameters are not
# implemented yet); their test passes on a refusal or on a correct gradient.
MAY_REFUSE = {"mlp_calls"}


def numerical_gradient(workload, args, eps=1e-6):
    """Central differences for every differentiated element, flattened like the harness does."""
    flat = []
    for position in workload.wrt_positions():
        value = args[position]
        entries = list(value.items()) if isinstance(value, dict) else [(None, value)]
        for key, leaf in entries:
            x = np.array(leaf, dtype=float)
            grad = np.zeros_like(x)
            for index in np.ndindex(x.shape):
                values = []
                for step in (eps, -eps):
                    shifted = x.copy()
                    shifted[index] += step
                    new = shifted if np.ndim(leaf) else float(shifted)
                    moved = list(args)
                    moved[position] = new if key is None else {**value, key: new}
                    values.append(workload.function(*moved))
                grad[index] = (values[0] - values[1]) / (2 * eps)
            flat.append(grad)
    return flat


@pytest.mark.parametrize("name", list(WORKLOADS))
def test_gradient_matches_finite_differences(name):
    workload = WORKLOADS[name]
    args = workload.args("small")
    try:
        got = adtrans.grad(workload.function, wrt=workload.wrt)(*args)
    except adtrans.AdtransError as exc:
        assert name in MAY_REFUSE, f"adtrans refused {name}: {exc}"
        assert str(exc).strip()
        return
    got = flatten(workload, got, args)
    expected = numerical_gradient(workload, args)
    assert [g.shape for g in got] == [e.shape for e in expected]
    for g, e in zip(got, expected, strict=True):
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name", [n for n in WORKLOADS if n not in MAY_REFUSE])
def test_harness_check_accepts_adtrans(name):
    workload = WORKLOADS[name]
    args = workload.args("small")
    got = flatten(workload, adtrans.grad(workload.function, wrt=workload.wrt)(*args), args)
    direction, fd = directional_fd(workload, args)
    assert agreement(got, got, direction, fd).ok
    wrong = [g * 1.01 + 1e-3 for g in got]
    assert not agreement(wrong, got, direction, fd).ok


@pytest.mark.parametrize("name", list(WORKLOADS))
def test_hand_written_gradient_is_right(name):
    """The floor in the benchmark tables is a right gradient, not a cheaper wrong one."""
    workload = WORKLOADS[name]
    args = workload.args("small")
    got = flatten(workload, hand_peer.prepare(workload, args)(), args)
    expected = numerical_gradient(workload, args)
    assert [g.shape for g in got] == [e.shape for e in expected]
    for g, e in zip(got, expected, strict=True):
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-7)


def test_mlp_calls_is_mlp():
    """While adtrans refuses mlp_calls, its reference gradient is adtrans's gradient of mlp."""
    workload = WORKLOADS["mlp_calls"]
    other_name, convert = workload.same_as
    args = workload.args("small")
    assert WORKLOADS[other_name].function(*convert(args)) == workload.function(*args)


@pytest.mark.parametrize("n", [1, 3, 10])
def test_doubling_loop_runs_n_times(n):
    (a,) = WORKLOADS["doubling"].loop.args(n)
    b, trips = a * 2, 0
    while np.linalg.norm(b) < 1000:
        b, trips = b * 2, trips + 1
    assert trips == n


def test_benchmark_sizes():
    assert WORKLOADS["euler"].args()[2] == 1000
    assert WORKLOADS["arith"].args()[2] == 1000
    W1, b1, W2, b2, X, Y = WORKLOADS["mlp"].args()
    assert (W1.shape, W2.shape, X.shape, Y.shape) == ((784, 256), (256, 10), (256, 784),
                                                      (256, 10))
    assert WORKLOADS["doubling"].args()[0].shape == (1000,)
    Wx, Wh, b, xs = WORKLOADS["rnn"].args()
    assert (Wx.shape, Wh.shape, b.shape, xs.shape) == ((32, 64), (64, 64), (64,), (100, 16, 32))
    assert workloads.layer(np.eye(2), np.ones(2), np.ones((3, 2))).shape == (3, 2)
