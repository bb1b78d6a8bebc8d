"""Control flow through tapes: branches, loops, jumps, against finite differences."""

import threading

import numpy as np
import pytest

import adtrans
from adtrans.api import transform
from adtrans.demo import d2l_f  # the d2l example, as `make demo` shows it
from adtrans.testing import check_grads, numerical_vjp


def tape_of(f, *args, wrt=0):
    return transform(f, wrt, "vjp").tape_after_forward(*args)


# ----------------------------------------------------------------- the seeds' examples

@pytest.mark.parametrize("a", [0.37, -2.5, 1e-3, 999.0, -0.01])
def test_d2l_while_if_gradient_is_f_over_a(a):
    a = np.float64(a)      # b.sum() needs a NumPy value, as with a torch scalar
    assert adtrans.grad(d2l_f)(a) == pytest.approx(d2l_f(a) / a, rel=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_d2l_while_if_vector_vjp(seed):
    a = np.random.default_rng(seed).standard_normal(4)
    out, pullback = adtrans.vjp(d2l_f, a)
    np.testing.assert_allclose(pullback(np.ones(4)), out / a)


def torch_loop(x, i):
    if i % 2 == 0:
        y = x * 2
    else:
        y = x ** 2
    return y


def test_pytorch_tutorial_branch_on_loop_counter():
    d = adtrans.grad(torch_loop)
    assert [d(2.0, i) for i in range(3)] == [2.0, 4.0, 2.0]


def newton_sqrt(a):
    x = a
    while abs(x * x - a) > 1e-12:
        x = 0.5 * (x + a / x)
    return x


@pytest.mark.parametrize("a", [2.0, 9.0, 0.25, 1234.5])
def test_newton_square_root(a):
    assert adtrans.grad(newton_sqrt)(a) == pytest.approx(1 / (2 * np.sqrt(a)), rel=1e-9)


def logsumexp_loops(x):
    m = x[0]
    for v in x:
        if v > m:
            m = v
    s = 0.0
    for v in x:
        s = s + np.exp(v - m)
    return m + np.log(s)


@pytest.mark.parametrize("x", [np.array([1.0, 2.0, 3.0]), np.array([0.5, -3.0, 2.0, 2.5]),
                               np.array([1, 2, 3]), np.array([7, -1, 4, 0])])
def test_logsumexp_gradient_is_softmax(x):
    g = adtrans.grad(logsumexp_loops)(x)
    softmax = np.exp(x - x.max()) / np.exp(x - x.max()).sum()
    assert g.dtype == np.float64 and g.shape == x.shape
    np.testing.assert_allclose(g, softmax, rtol=1e-12)


def rnn(Wx, Wh, b, xs):
    h = np.zeros(Wh.shape[0])
    for t in range(xs.shape[0]):
        h = np.tanh(xs[t] @ Wx + h @ Wh + b)
    return h.sum()


def test_rnn_100_steps():
    rng = np.random.default_rng(0)
    Wx = rng.standard_normal((3, 4)) * 0.4
    Wh = rng.standard_normal((4, 4)) * 0.4
    b = rng.standard_normal(4) * 0.1
    xs = rng.standard_normal((100, 3))
    check_grads(rnn, Wx, Wh, b, xs, wrt=(0, 1, 2, 3))


# ----------------------------------------------------------------- jumps
def with_break(x, n):
    s = 0.0
    for i in range(n):
        s = s + x * i
        if s > 10:
            break
        s = s * 1.1
    return s


def with_continue(x):
    s = x
    for i in range(6):
        if i % 3 == 0:
            continue
        s = np.sin(s) + x
    return s


def early_return(x):
    for i in range(10):
        x = x * 1.5
        if x > 5:
            return x * 2
    return -x


def return_in_branches(x):
    if x > 0:
        return x * x
    else:
        return np.sin(x)


def nested_loops(x):
    s = 0.0
    for i in range(3):
        j = 0
        while j < i + 1:
            s = s + np.tanh(x * j + s)
            j = j + 1
    return s


def elif_chain(x):
    if x > 2:
        y = x ** 3
    elif x > 1:
        y = x ** 2
    elif x > 0:
        y = np.sin(x)
    else:
        y = -x
    return y


def while_true_break(x):
    n = 0
    while True:
        x = x * 1.3
        n += 1
        if n >= 4 or x > 100:
            break
    else:
        x = 0.0
    return x


def for_else(x):
    for i in range(3):
        x = x * x
        if x > 1e6:
            break
    else:
        x = x + 1.0
    return x


def while_and_or(x):
    y = x
    k = 0
    while (y < 10.0 and k < 50) or k < 2:
        y = y * 1.2 + 0.1
        k = k + 1
    return y


def nested_break_continue(a):
    total = 0.0
    for i in range(4):
        for j in range(4):
            if j > i:
                break
            if (i + j) % 2 == 1:
                continue
            total = total + a[i] * a[j]
    return total


def defined_on_one_path(x):
    s = 0.0
    for i in range(4):
        if i == 2:
            t = np.exp(x)
        if i > 2:
            s = s + t * x
    return s


def enumerate_zip_lists(a, b):
    s = 0.0
    for i, u in enumerate(a):
        s = s + u * i
    for u, v in zip(a, b):
        s = s + u * v
    for w in [1.0, 2.0]:
        s = s * w
    for w in (a[0], b[1]):
        s = s + w * w
    return s


def rows_of_matrix(M):
    s = 0.0
    for row in M:
        s = s + np.sum(np.tanh(row) * row)
    return s


def loop_carried_array(v):
    h = v
    for _ in range(5):
        h = np.sin(h) * 1.5 + v
    return np.sum(h * h)


def ternary(x):
    y = x * 2 if x > 1 else x ** 3
    return y


def aug_assign(x):
    s = x * 1.0
    s -= 3 * x.sum()
    s *= x
    s /= 2.0
    s **= 2
    return s.sum()


@pytest.mark.parametrize("f, args", [
    (with_break, (1.0, 10)), (with_break, (0.3, 10)), (with_break, (0.3, 0)),
    (with_continue, (0.7,)),
    (early_return, (1.0,)), (early_return, (-1.0,)), (early_return, (4.0,)),
    (return_in_branches, (1.5,)), (return_in_branches, (-1.5,)),
    (nested_loops, (0.4,)),
    (elif_chain, (3.0,)), (elif_chain, (1.5,)), (elif_chain, (0.5,)), (elif_chain, (-1.0,)),
    (while_true_break, (1.0,)), (while_true_break, (50.0,)),
    (for_else, (1.1,)), (for_else, (100.0,)),
    (while_and_or, (0.5,)), (while_and_or, (20.0,)),
    (nested_break_continue, (np.array([0.5, -1.0, 2.0, 1.5]),)),
    (defined_on_one_path, (0.3,)),
    (rows_of_matrix, (np.arange(6.0).reshape(3, 2) / 5,)),
    (loop_carried_array, (np.array([0.1, -0.4, 0.9]),)),
    (ternary, (2.0,)), (ternary, (0.5,)),
    (aug_assign, (np.array([0.5, 1.5, -2.0]),)),
])
def test_control_flow_against_finite_differences(f, args):
    check_grads(f, *args)


def test_enumerate_zip_and_literal_sequences():
    a, b = np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0])
    ga, gb = check_grads(enumerate_zip_lists, a, b, wrt=(0, 1))
    # s = 2 * (sum(i a_i) + a.b) + a0^2 + b1^2
    np.testing.assert_allclose(ga, 2 * (np.arange(3) + b) + np.array([2 * a[0], 0, 0]))
    np.testing.assert_allclose(gb, 2 * a + np.array([0, 2 * b[1], 0]))


def test_early_return_values():
    d = adtrans.grad(early_return)
    assert d(1.0) == pytest.approx(2 * 1.5 ** 4)     # 1.5^4 = 5.06 > 5 at the 4th step
    assert d(-1.0) == pytest.approx(-(1.5 ** 10))


# ----------------------------------------------------------------- tapes
def doubling_loop(b):
    for _ in range(20):
        b = b * 2
    return b


def doubling_while(b):
    while np.abs(b) < 1000:
        b = b * 2
    return b


def doubling_nested(b):
    for i in range(3):
        k = 0
        while k < i:
            b = b * 2
            k = k + 1
    return b


def test_loop_of_linear_updates_records_nothing_but_the_trip_count():
    assert tape_of(doubling_loop, 1.5) == []
    assert "push(" not in adtrans.source(adtrans.grad(doubling_while))
    assert adtrans.grad(doubling_loop)(1.5) == 2.0 ** 20
    assert adtrans.grad(doubling_while)(3.0) == 512.0
    # The inner while's trip counts go on the tape, one per outer iteration; b never does.
    assert tape_of(doubling_nested, 1.0) == [0, 1, 2]
    assert adtrans.grad(doubling_nested)(1.0) == 8.0


def test_tape_holds_only_what_adjoints_read():
    # Per step the RNN records h (tanh's adjoint reads its result, the next matmul its
    # operand), the row xs[t] (read by Wx's adjoint) and the three temporaries whose shapes
    # unbroadcast reads; W's, b and the loop index are never recorded.
    steps = 6
    tape = tape_of(rnn, np.eye(2), np.eye(2), np.zeros(2), np.ones((steps, 2)), wrt=(0, 1, 2))
    assert len(tape) == 5 * steps
    tape = tape_of(rnn, np.eye(2), np.eye(2), np.zeros(2), np.ones((steps, 2)), wrt=2)
    # With respect to b alone, xs[t] @ Wx is inactive: neither xs[t] nor its product is kept.
    assert len(tape) == 3 * steps


def test_branch_decisions_in_a_loop_are_recorded_once_per_iteration():
    def f(x):
        for i in range(7):
            if x > 0:
                x = x * x
            else:
                x = -x
        return x

    tape = tape_of(f, 0.5)
    assert sum(1 for v in tape if isinstance(v, (bool, np.bool_))) == 7


def long_loop(x):
    s = 0.0
    for i in range(100000):
        s = s + x * 1e-5
    return s


def long_while(x):
    n = 0
    while n < 100000:
        x = x * 1.00001
        n = n + 1
    return x


def test_hundred_thousand_iterations():
    assert adtrans.grad(long_loop)(2.0) == pytest.approx(1.0)
    assert adtrans.grad(long_while)(2.0) == pytest.approx(1.00001 ** 100000)
    assert tape_of(long_while, 2.0) == []


# ----------------------------------------------------------------- properties of the code
def test_generated_code_shows_the_tape_plainly():
    text = adtrans.source(adtrans.grad(newton_sqrt))
    assert "tape = []" in text and "push = tape.append" in text and "pop = tape.pop" in text
    assert "for _ in range(trips):" in text
    assert "# x = 0.5 * t2" in text


def test_threads_get_independent_tapes():
    d = adtrans.grad(logsumexp_loops)
    inputs = [np.random.default_rng(i).standard_normal(50) for i in range(8)]
    expected = [d(x) for x in inputs]
    results = [None] * 8

    def work(k):
        for _ in range(20):
            results[k] = d(inputs[k])

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for got, want in zip(results, expected):
        np.testing.assert_array_equal(got, want)


def recursive_user(x, depth):
    # Gradient functions can be called from within code that adtrans differentiates
    # the result of (re-entrancy): each call has its own tape.
    if depth == 0:
        return x
    inner = adtrans.grad(logsumexp_loops)(np.array([x, 2 * x]))
    return float(inner[0]) + recursive_user(x, depth - 1)


def test_reentrant_calls():
    assert recursive_user(0.3, 3) == pytest.approx(0.3 + 3 * adtrans.grad(
        logsumexp_loops)(np.array([0.3, 0.6]))[0])


def test_inputs_are_not_mutated_by_loops():
    M = np.arange(6.0).reshape(3, 2) / 5
    copy = M.copy()
    adtrans.grad(rows_of_matrix)(M)
    np.testing.assert_array_equal(M, copy)


def test_numerical_helper_sanity():
    g = numerical_vjp(lambda_free_square, (np.array([1.0, 2.0]),), 0, 1.0)
    np.testing.assert_allclose(g, [2.0, 4.0], rtol=1e-8)


def lambda_free_square(x):
    return np.sum(x * x)


def aliased_in_place(x):
    s = x
    s -= 3 * x.sum()
    s *= x
    return s.sum()


def test_in_place_update_of_a_shared_array_is_refused_not_miscomputed():
    # Python's -= would write into x too; adtrans computes out of place, so it refuses arrays.
    with pytest.raises(adtrans.AdtransError, match=r"test_control_flow.py:\d+: in-place `s -="):
        adtrans.grad(aliased_in_place)(np.array([1.0, 2.0]))
    # Scalars never share memory: the same code is fine, and correct, on them (-2 x^2).
    assert adtrans.grad(aliased_in_place)(np.float64(2.0)) == pytest.approx(-8.0)


def loop_index_reuses_a_name(x):
    i = x * 2
    s = i
    for i in range(3):
        s = s + i * s
    return s


def test_loop_header_ends_the_life_of_a_reused_name():
    # s = 2x * (1 + 0) * (1 + 1) * (1 + 2): the loop's i are plain integers.
    assert adtrans.grad(loop_index_reuses_a_name)(0.7) == pytest.approx(12.0)


def returns_from_a_loop(x):
    for i in range(5):
        x = x * 1.5
        if x > 3:
            return x
    return x * 0.0


def test_value_and_grad_value_survives_the_backward_sweep():
    # The backward sweep restores overwritten variables, the returned one included.
    value, g = adtrans.value_and_grad(returns_from_a_loop)(1.0)
    assert value == 1.5 ** 3 and g == pytest.approx(1.5 ** 3)


def dead_branch_work(x, a):
    s = x
    for e in a:
        if e > 0.3:
            unused = e * 2
            continue
        s = s * e
    return s


def test_blocks_with_nothing_to_do_backward_still_compile():
    g = check_grads(dead_branch_work, 0.7, np.array([0.1, 0.5, -0.4]), wrt=(0, 1))
    np.testing.assert_allclose(g[0], 0.1 * -0.4)


def list_into_array(x, y):
    return np.sum(np.array([x, y * 2.0, 3.0]) ** 2)


def test_list_literal_arguments_carry_gradients():
    gx, gy = check_grads(list_into_array, 1.5, 2.5, wrt=(0, 1))
    assert (gx, gy) == (pytest.approx(3.0), pytest.approx(20.0))


def break_in_for_else(x):
    t = 0.0
    for i in range(3):
        for j in range(2):
            q = 1.0
        else:
            break
        t = x
    return t


def return_in_while_else(x):
    n = 0
    while n < 2:
        n = n + 1
    else:
        return 2.0 * x
    return x


def iterable_reassigned_in_body(x, a):
    v = a * x
    s = 0.0
    for e in v:
        v = a
        s = s + e
    return s


def bound_reassigned_in_body(x):
    n = 3
    s = 0.0
    for i in range(n):
        n = n - 1
        s = s + x * i
    return s


def only_pass(x):
    for i in range(2):
        pass
    return x


def test_jumps_in_a_loop_else_clause_belong_to_the_enclosing_loop():
    assert adtrans.value_and_grad(break_in_for_else)(0.7) == (0.0, 0.0)
    assert adtrans.value_and_grad(return_in_while_else)(0.7) == (1.4, 2.0)


def test_a_loop_iterates_what_its_header_evaluated_once():
    a = np.array([0.1, 0.5, -0.4])
    value, (gx, ga) = adtrans.value_and_grad(iterable_reassigned_in_body, wrt=(0, 1))(0.7, a)
    assert value == pytest.approx(0.14) and gx == pytest.approx(0.2)
    np.testing.assert_allclose(ga, [0.7, 0.7, 0.7])
    # range(n) is evaluated once; the backward sweep must walk the same range.
    assert adtrans.value_and_grad(bound_reassigned_in_body)(0.5) == (1.5, 3.0)


def test_loop_of_only_pass_compiles():
    assert adtrans.grad(only_pass)(0.7) == 1.0


def alias_then_update_source(x, a):
    v = a
    a *= x
    return np.sum(v)


def update_then_realias(x, a):
    v = a
    v += x
    v = a
    return np.sum(v)


def through_a_view_function(x, a):
    v = np.flip(a)
    v += x
    return np.sum(a)


def through_a_chain(x, a):
    v = a
    w = v
    v *= x
    return np.sum(w)


def fresh_after_rebinding(x, a):
    v = a
    v = v * 2.0
    v += x
    return np.sum(v) + np.sum(a)


@pytest.mark.parametrize("f", [alias_then_update_source, update_then_realias,
                               through_a_view_function, through_a_chain])
def test_every_route_to_a_shared_array_is_refused(f):
    with pytest.raises(adtrans.AdtransError, match="shares its array"):
        adtrans.grad(f)(0.7, np.array([0.1, 0.5, -0.4]))


def test_no_refusal_when_arrays_do_not_actually_share():
    # v = v * 2 made v a new array: the in-place += touches nothing else.
    g = check_grads(fresh_after_rebinding, 0.7, np.array([0.1, 0.5, -0.4]), wrt=(0, 1))
    assert g[0] == pytest.approx(3.0)


def held_in_a_list(x, a):
    v = a * 1.0
    lst = [v]
    v += x
    return np.sum(lst[0])


def updated_through_loop_over_a_tuple(x, a):
    v = a * 1.0
    w = a * 2.0
    for r in (v, w):
        r *= x
    return np.sum(v) + np.sum(w)


@pytest.mark.parametrize("f", [held_in_a_list, updated_through_loop_over_a_tuple])
def test_in_place_update_of_an_array_held_in_a_list_is_refused(f):
    with pytest.raises(adtrans.AdtransError, match="shares its array"):
        adtrans.grad(f)(0.7, np.array([0.1, 0.5, -0.4]))
