"""Generated code: readable, debuggable, cached, and bound to the right names."""

import linecache
import traceback

import numpy as np
import numpy as onp
import pytest

import adtrans
from adtrans import AdtransError
from adtrans.api import signature_of, transform
from adtrans.testing import check_dtypes, check_grads

SCALE = 2.0


def uses_global(x):
    return SCALE * x * x


def test_globals_changed_after_decoration_are_seen():
    global SCALE
    d = adtrans.grad(uses_global)
    assert d(3.0) == 12.0
    SCALE = 5.0
    try:
        assert d(3.0) == 30.0
    finally:
        SCALE = 2.0


def make_closure(k):
    def scaled(x):
        return k * np.sin(x)
    return scaled


def test_closure_variables():
    assert adtrans.grad(make_closure(3.0))(0.0) == pytest.approx(3.0)
    assert adtrans.grad(make_closure(-1.0))(0.0) == pytest.approx(-1.0)


def clashing_names(x, add, unbroadcast):
    tape = x * add
    push = tape + unbroadcast
    pop = np.exp(push)
    as_gradient = pop * pop
    return as_gradient.sum()


def test_user_names_never_collide_with_generated_ones():
    x = np.array([0.1, 0.2])
    got = adtrans.grad(clashing_names)(x, 2.0, 0.5)
    np.testing.assert_allclose(got, 2 * 2.0 * np.exp(2 * (2.0 * x + 0.5)))
    adtrans.testing.check_grads(clashing_names, x, 2.0, 0.5, wrt=(0, 1, 2))


def other_numpy_alias(x):
    return onp.tanh(x)


def test_any_alias_of_numpy():
    assert adtrans.grad(other_numpy_alias)(0.5) == pytest.approx(1 - np.tanh(0.5) ** 2)


def fails_in_backward(x, W):
    return np.sum(x @ W)


def test_generated_lines_appear_in_tracebacks():
    d = adtrans.grad(fails_in_backward, wrt=0)
    # The forward sweep fails on mismatched shapes; the traceback shows the generated line.
    with pytest.raises(ValueError) as info:
        d(np.ones(3), np.ones((2, 2)))
    frames = traceback.extract_tb(info.tb)
    generated = [f for f in frames if f.filename.startswith("<adtrans ")]
    assert generated and generated[-1].line == "t1 = x @ W"
    text = adtrans.source(d)
    assert linecache.getline(generated[-1].filename, generated[-1].lineno).strip() == "t1 = x @ W"
    assert "t1 = x @ W" in text


def test_compiled_once_per_function_wrt_and_mode():
    first = transform(uses_global, 0, "grad")
    assert transform(uses_global, 0, "grad") is first
    assert transform(uses_global, "x", "grad") is first
    assert transform(uses_global, 0, "vjp") is not first


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def test_generated_code_reads_like_the_chain_rule():
    text = adtrans.source(adtrans.grad(sigmoid))
    assert text.splitlines() == [
        "def d_sigmoid(x, d_out=1.0):",
        "    # forward sweep",
        "    # return 1 / (1 + np.exp(-x))",
        "    t1 = -x",
        "    t2 = np.exp(t1)",
        "    t3 = 1 + t2",
        "    out = 1 / t3",
        "    d_out = check_scalar_output(out, 'sigmoid', d_out)",
        "    # backward sweep",
        "    # out = 1 / t3",
        "    d_t3 = -d_out * out / t3",
        "    # t3 = 1 + t2",
        "    d_t2 = d_t3",
        "    # t2 = np.exp(t1)",
        "    d_t1 = d_t2 * t2",
        "    # t1 = -x",
        "    d_x = -d_t1",
        "    return as_gradient(d_x, x)",
    ]


def square_twice(a):
    return a * a


def test_nothing_computed_twice():
    text = adtrans.source(adtrans.grad(square_twice))
    assert "d_a = 2 * unbroadcast(d_out * a, a)" in text
    assert adtrans.grad(square_twice)(3.0) == 6.0


def used_twice(x):
    y = np.sin(x)
    return y * x + y


def test_first_contribution_assigns_later_ones_add():
    text = adtrans.source(adtrans.grad(used_twice))
    assert "= None" not in text and "add(" not in text
    assert "d_y = unbroadcast(d_out, y)" in text
    assert "d_y = d_y + unbroadcast(d_t1 * x, y)" in text


def test_show_prints_the_source(capsys):
    d = adtrans.grad(sigmoid)
    adtrans.show(d)
    assert capsys.readouterr().out.strip() == adtrans.source(d).strip()


def test_source_of_something_else_is_refused():
    with pytest.raises(adtrans.AdtransError, match="not a function made by adtrans"):
        adtrans.source(sigmoid)


def add_two(x, y):
    return x + y


def total(x):
    return x.sum()


def test_gradients_are_fresh_writeable_arrays():
    v = np.array([1.0, 2.0])
    _, pullback = adtrans.vjp(add_two, np.zeros(2), np.zeros(2), wrt=(0, 1))
    gx, gy = pullback(v)
    assert gx is not v and gy is not v and gx is not gy
    gx *= 10.0                                   # the caller may update gradients in place
    np.testing.assert_array_equal(v, [1.0, 2.0])
    np.testing.assert_array_equal(gy, [1.0, 2.0])
    g = adtrans.grad(total)(np.ones((2, 3)))     # the cotangent of a sum is a broadcast view
    g -= 1.0
    np.testing.assert_array_equal(g, np.zeros((2, 3)))


def summed_pair(x, y):
    return np.sum(x + y)


def summed_dict(p):
    return np.sum(p["a"] + p["b"])


def test_gradients_of_several_parameters_never_share_memory():
    x, y = np.ones(3), np.ones(3)
    for gx, gy in (adtrans.grad(summed_pair, wrt=(0, 1))(x, y),
                   adtrans.value_and_grad(summed_pair, wrt=(0, 1))(x, y)[1]):
        assert not np.shares_memory(gx, gy)
        gx += 1.0
        np.testing.assert_array_equal(gy, np.ones(3))
    g = adtrans.grad(summed_dict)({"a": np.ones(2), "b": np.ones(2)})
    assert not np.shares_memory(g["a"], g["b"])


def passthrough(x):
    return x * 1.0


@adtrans.register_vjp(passthrough)
def passthrough_rule(g, ans, x):
    return (x,)                        # a rule handing back its input itself


def through_passthrough(x):
    return np.sum(passthrough(x))


def test_a_gradient_never_is_an_input():
    x = np.array([1.0, 2.0])
    g = adtrans.grad(through_passthrough)(x)
    np.testing.assert_array_equal(g, x)
    assert not np.shares_memory(g, x)


def shadows_builtins(x, a):
    len = 2.0
    min = x * len
    s = 0.0
    for e in a:
        reversed = e * min
        s = s + reversed
    for list, slice in zip(a, a):
        s = s + list * slice * x
    return s


def test_user_variables_named_like_builtins_the_generated_code_calls():
    a = np.array([0.1, 0.5, -0.4])
    gx, ga = check_grads(shadows_builtins, 0.7, a, wrt=(0, 1))
    assert gx == pytest.approx(2.0 * a.sum() + np.sum(a * a))


def one_by_one(w, x):
    return x @ w                       # (1, 3) @ (3, 1): shape (1, 1)


def first_of_tanh(w):
    return np.tanh(w[:1]) * 2.0        # shape (1,)


def doubled(w):
    return w * 2.0


def test_outputs_with_one_element_are_scalars_for_grad():
    w, x = np.array([[1.0], [2.0], [3.0]]), np.array([[0.5, -1.0, 2.0]])
    np.testing.assert_array_equal(adtrans.grad(one_by_one)(w, x), x.T)
    value, g = adtrans.value_and_grad(first_of_tanh)(np.array([0.3, 0.2]))
    assert value.shape == (1,)
    np.testing.assert_allclose(g, [2.0 * (1.0 - np.tanh(0.3) ** 2), 0.0])
    for make in (adtrans.grad, adtrans.value_and_grad):
        with pytest.raises(AdtransError, match=r"shape \(2,\).*adtrans.vjp"):
            make(doubled)(np.ones(2))


def sum_of_squares(x):
    return np.sum(x * x)


@pytest.mark.parametrize("f", [first_of_tanh, sum_of_squares])
def test_a_float32_function_gets_a_float32_seed(f):
    # Without a float32 seed, d_out = 1.0 broadcast to the shape of a float32 array makes
    # every cotangent float64; the strict form of as_gradient fails on that.
    x = np.array([0.5, -1.0, 2.0], dtype=np.float32)
    compiled = transform(f, 0, "grad", signature_of([x]), strict_dtypes=True)
    gradient = next(iter(compiled.generated.functions.values()))(x)
    assert gradient.dtype == np.float32
    check_dtypes(f, x.astype(np.float64))
