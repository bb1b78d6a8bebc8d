"""In-place changes: list and dict methods, index writes into lists, dicts and arrays.

Each program is checked against central differences (value bit for bit, with
``check_grads``), at two points where branches could go either way.  The tape
tests pin what is recorded: overwritten array slots only where the backward
sweep reads them again.
"""

import numpy as np
import pytest

import adtrans
from adtrans import AdtransError
from adtrans.api import signature_of, transform
from adtrans.testing import check_grads

V = np.array([0.3, -1.2, 0.8])
M = np.array([[0.5, -0.1, 0.9], [1.1, 0.4, -0.7], [-0.3, 0.2, 0.6]])


# ----------------------------------------------------------------- lists
def list_methods(x, v):
    xs = []
    for k in range(3):
        xs.append(x * k + v[k])
    xs.extend([x * x, v[0]])
    xs.insert(1, np.sin(x))
    last = xs.pop()
    first = xs.pop(0)
    xs.reverse()
    xs[1] = xs[1] * last
    del xs[0]
    xs.remove(xs[-1]) if len(xs) > 4 else None
    return sum(xs) * first + max(xs) - min(xs) + np.sum(np.array(xs) ** 2)


def list_cleared_and_rebuilt(x):
    xs = [x, 2.0 * x]
    total = xs[0] * xs[1]
    xs.clear()
    xs.append(x ** 3)
    return total + xs[0]


def trajectory(x, v):
    position, states = x, [x]
    for k in range(4):
        position = position + 0.1 * np.tanh(position * v[k % 3])
        states.append(position)
    return np.sum(np.stack(states) ** 2) + states[-1]


def list_sorted_in_place(x, v):
    xs = [v[0] * x, v[1], x * x, v[2] + x]
    xs.sort()
    ys = list(xs)
    ys.sort(key=abs, reverse=True)
    return xs[0] * 3.0 + xs[-1] + ys[0] * ys[1]


# ----------------------------------------------------------------- dicts
def dict_changes(x, v):
    d = {"a": x}
    d["b"] = v * x
    d.update({"c": x * x}, e=np.sum(v))
    d.update(a=d["a"] * 2.0)
    first = d.pop("c")
    d.setdefault("f", x + 1.0)
    d.setdefault("a", 100.0)                     # present: no change
    del d["e"]
    return d["a"] * first + np.sum(d["b"] ** 2) + d["f"] + len(d)


# ----------------------------------------------------------------- arrays
def index_writes(x, v):
    y = np.zeros(3)
    y[0] = x
    y[1] = v[1] * x
    y[2] = y[0] * y[1]                           # reads what it wrote
    S = np.zeros((3, 3))
    for i in range(3):
        S[i, 2] = 1.0
        S[i, i] += v[i] * x
    S[1, :] = v * v
    S[2, 1:] = y[:2] * x
    S[:, 0] *= 2.0
    return np.sum(S ** 2) + np.sum(y ** 3)


def mask_and_fancy_writes(x, v):
    y = v.copy()
    y[y > 0] = y[y > 0] * x
    y[[0, 2]] += x
    z = np.zeros_like(v)
    z[np.array([2, 0])] = v[:2] * x
    w = np.empty(3)
    w[:] = x
    w[1] = v[1]
    return np.sum(y ** 2) + np.sum(z * v) + np.sum(w ** 3)


def writes_in_branches_and_loops(x, M):
    A = M.copy()
    for i in range(3):
        if A[i, i] > 0.45:
            A[i] = A[i] * x
        else:
            A[i, :2] = np.tanh(A[i, :2] + x)
    k = 0
    while k < 2:
        A[k + 1, k] = A[k, k + 1] * x
        k += 1
    return np.sum(A ** 2)


def recurrence_in_place(x, v):
    """Each slot is written once and read by the next: values needed backward."""
    h = np.zeros(6)
    h[0] = x
    for t in range(1, 6):
        h[t] = np.tanh(h[t - 1] * v[t % 3] + x)
    return np.sum(h ** 2)


def overwrites_in_place(x, v):
    """The same slot written again and again: its old values are read backward (tanh)."""
    h = np.zeros(2)
    for t in range(5):
        h[0] = np.tanh(h[0] * v[t % 3] + x)
    return h[0]


def writes_while_iterating(x, a):
    """Element writes keep lengths: a loop reads each element by position, as Python does."""
    w = a * x
    s = 0.0
    for e in w:
        w[0] = w[0] + e * x
        s = s + e * w[0]
    xs = [x, 2 * x, 3 * x]
    for k, v in enumerate(xs):
        xs[(k + 1) % 3] = v * xs[k]
    for v in xs:
        xs.reverse()
        s = s + v * xs[0]
    return s + np.sum(w ** 2) + sum(xs)


CASES = [
    (writes_while_iterating, (0.7, V), (0, 1)),
    (list_methods, (0.7, V), (0, 1)),
    (list_cleared_and_rebuilt, (0.7,), 0),
    (trajectory, (0.7, V), (0, 1)),
    (list_sorted_in_place, (0.7, V), (0, 1)),
    (dict_changes, (0.7, V), (0, 1)),
    (index_writes, (0.7, V), (0, 1)),
    (mask_and_fancy_writes, (0.7, V), (0, 1)),
    (writes_in_branches_and_loops, (0.7, M), (0, 1)),
    (recurrence_in_place, (0.7, V), (0, 1)),
    (overwrites_in_place, (0.7, V), (0, 1)),
]


@pytest.mark.parametrize("f, args, wrt", CASES, ids=[c[0].__name__ for c in CASES])
@pytest.mark.parametrize("x", [0.7, -1.3])
def test_in_place_changes_match_finite_differences(f, args, wrt, x):
    check_grads(f, x, *args[1:], wrt=wrt)


@pytest.mark.parametrize("f, args, wrt", CASES, ids=[c[0].__name__ for c in CASES])
def test_the_inputs_are_left_as_they_were(f, args, wrt):
    copies = [np.copy(a) for a in args]
    adtrans.value_and_grad(f, wrt=wrt)(*args)
    for before, after in zip(copies, args, strict=True):
        np.testing.assert_array_equal(before, after)


def test_a_pullback_can_run_twice_after_in_place_changes():
    for f, args, wrt in CASES:
        value, pullback = adtrans.vjp(f, *args, wrt=wrt)
        first, second = pullback(1.0), pullback(1.0)
        if not isinstance(wrt, tuple):
            first, second = (first,), (second,)
        for a, b in zip(first, second, strict=True):
            np.testing.assert_array_equal(a, b)


# ----------------------------------------------------------------- what is recorded
def tape_of(f, *args, wrt=0):
    """The tape after the forward sweep, compiled for these arguments' kinds."""
    return transform(f, wrt, "vjp", signature_of(list(args))).tape_after_forward(*args)


def fills_slots(x):
    """Writes into fresh slots whose old values (zeros) no adjoint reads."""
    y = np.zeros(8)
    for t in range(8):
        y[t] = x * t
    return np.sum(y * y)


def test_index_writes_record_only_what_the_backward_sweep_reads():
    # The slots of `fills_slots` are never read back before being overwritten: nothing
    # but the trip count is needed, and a for over range needs not even that.
    assert tape_of(fills_slots, 0.5) == []
    # An index read reads the array for its shape only; where that is all, the slots a
    # write destroys are not recorded (here nothing reads y's values before the writes).
    assert "array_record" not in adtrans.source(adtrans.grad(fills_slots), 0.5)
    # Here the adjoint of h * h reads all of h after each write: one record per pass.
    text = adtrans.source(adtrans.grad(reads_the_whole_array), 0.5)
    assert text.count("push(array_record(h") == 1
    records = [e for e in tape_of(reads_the_whole_array, 0.5)
               if isinstance(e, np.ndarray) and e.shape == ()]
    assert len(records) == 4
    check_grads(reads_the_whole_array, 0.5)


def reads_the_whole_array(x):
    h = np.ones(3)
    s = 0.0
    for t in range(4):
        h[t % 3] = x * t
        s = s + np.sum(h * h)
    return s


def appends_in_a_loop(x):
    xs = []
    for t in range(6):
        xs.append(x * t)
    return sum(xs)


def test_appends_record_nothing():
    # Undoing an append needs only the list itself: no record per append.
    assert tape_of(appends_in_a_loop, 0.5) == []
    assert adtrans.grad(appends_in_a_loop)(0.5) == 15.0


# ----------------------------------------------------------------- refused
def writes_into_the_argument(x):
    x[0] = 1.0
    return np.sum(x)


def appends_to_the_argument(xs, y):
    xs.append(y)
    return sum(xs)


def test_changing_a_parameters_object_is_refused_with_a_copy_suggested():
    with pytest.raises(AdtransError, match=r"test_mutations.py:\d+: .*x = x.copy\(\)"):
        adtrans.grad(writes_into_the_argument)(np.ones(3))
    with pytest.raises(AdtransError, match="caller's data"):
        adtrans.grad(appends_to_the_argument, wrt=1)([1.0, 2.0], 0.5)


def sorts_an_array(x):
    y = x * 2.0
    y.sort()
    return y[0]


def test_sort_of_an_array_is_refused_with_np_sort_suggested():
    with pytest.raises(AdtransError, match=r"y = np.sort\(y\)"):
        adtrans.grad(sorts_an_array)(np.array([3.0, 1.0]))


# ---------------------------------------------------------------- copies of arguments
def write_into_copy(params, x):
    params = params.copy()
    params["W"] = params["W"] * 2.0
    return np.sum(x @ params["W"])


def write_into_item_of_copy(params, x):
    params = params.copy()
    w = params["W"]
    w[0] = 5.0                      # a shallow copy: w is the caller's array
    return np.sum(x @ params["W"])


def write_into_maybe_copy(params, x):
    if x.sum() > 0:
        params = params.copy()
    params["W"] = params["W"] * 2.0
    return np.sum(x @ params["W"])


def test_an_argument_rebound_to_its_copy_may_be_changed():
    params, x = {"W": np.ones((3, 2))}, np.arange(12.0).reshape(4, 3)
    g = adtrans.grad(write_into_copy)(params, x)
    np.testing.assert_array_equal(params["W"], np.ones((3, 2)))
    np.testing.assert_allclose(g["W"], 2.0 * np.repeat(x.sum(axis=0)[:, None], 2, axis=1))
    check_grads(write_into_copy, params, x)


@pytest.mark.parametrize("f, message", [
    (write_into_item_of_copy, "may be \\(part of\\) the argument `params`"),
    (write_into_maybe_copy, "changes the argument `params` in place"),
])
def test_what_may_still_be_the_callers_is_refused(f, message):
    params, x = {"W": np.ones((3, 2))}, np.ones((4, 3))
    with pytest.raises(adtrans.AdtransError, match=message):
        adtrans.grad(f)(params, x)
    np.testing.assert_array_equal(params["W"], np.ones((3, 2)))


def appended_then_concatenated(x, a):
    xs = list(a)
    xs.append(x * x)
    xs += [np.sum(a) * x]
    return xs[0] * xs[3] + np.sum(np.array(xs)) * xs[-1]


@pytest.mark.parametrize("x", [0.7, np.float64(-0.8)])
def test_a_list_appended_to_then_concatenated(x):
    """`xs += [...]` after `xs.append(...)`: the accumulator of the old list has the old
    list's length (it took the new one's, and the list(a) backward failed to reshape)."""
    a = np.array([-1.06, 1.38, 1.0])
    check_grads(appended_then_concatenated, x, a, wrt=(0, 1))
    _, pullback = adtrans.vjp(appended_then_concatenated, x, a, wrt=(0, 1))
    gx, ga = pullback(1.0)
    assert np.shape(ga) == (3,) and np.ndim(gx) == 0
