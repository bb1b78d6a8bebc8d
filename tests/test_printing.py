"""Printed code parses back to the same expression: a property-based test.

Hypothesis draws expression trees over constants (negative, zero, integers,
floats, very large and very small), names, and operators at every precedence
level: ``**`` with negative and unary-minus bases, ``-x ** 2``, ``not``,
comparisons and chained comparisons, ``and`` / ``or``, conditional
expressions, subscripts, attribute reads and method calls.  Each tree becomes a
function in a file of its own; adtrans normalises it to its core form and
prints that (``adtrans.api.core_source``), and the printed function must give
the original's value bit for bit at random points (or raise the same
exception).  Where adtrans also differentiates the function, ``vjp`` must
return that same value.

``ADTRANS_PRINTING_EXAMPLES`` sets the number of trees (default 300).
"""

from __future__ import annotations

import ast
import atexit
import importlib.util
import itertools
import math
import os
import pathlib
import shutil
import tempfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import adtrans
from adtrans.api import core_source

N_EXAMPLES = int(os.environ.get("ADTRANS_PRINTING_EXAMPLES", "300"))
NAMES = ("x", "y", "k")                 # x, y floats; k an int
NUMBERS = (0, 1, 2, 3, -1, -2, 0.5, -0.5, 1.3, -1.3, 0.0, -0.0, 2.0, -3.0, 1e300, -1e300,
           1e-300, -1e-300, 7, -7, 10**20)

_DIR = pathlib.Path(tempfile.mkdtemp(prefix="adtrans_printing_"))
atexit.register(shutil.rmtree, _DIR, True)
_COUNTER = itertools.count()


def constant(value) -> ast.expr:
    """A number as the user writes it: a negative one with a unary minus."""
    if isinstance(value, (int, float)) and (value < 0 or math.copysign(1.0, value) < 0):
        return ast.UnaryOp(op=ast.USub(), operand=ast.Constant(-value))
    return ast.Constant(value)


def leaves() -> st.SearchStrategy[ast.expr]:
    return st.one_of(
        st.sampled_from(NUMBERS).map(constant),
        st.sampled_from(NAMES).map(lambda n: ast.Name(id=n, ctx=ast.Load())),
        st.sampled_from(("T[0]", "T[-1]", "T[k % 3]", "A[1]", "A[1:].sum()", "x.real",
                         "(-x).conjugate()", "abs(-y)", "np.sum(A) * x")).map(
            lambda text: ast.parse(text, mode="eval").body),
    )


BINARY = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow)
COMPARE = (ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Eq, ast.NotEq)


# Powers whose base is a negative number or a negation: the case printers get wrong.
NEGATIVE_BASES = st.one_of(
    st.sampled_from([v for v in NUMBERS if isinstance(v, (int, float)) and
                     math.copysign(1.0, v) < 0]).map(constant),
    st.sampled_from(NAMES).map(lambda n: ast.UnaryOp(op=ast.USub(),
                                                     operand=ast.Name(id=n, ctx=ast.Load()))))
EXPONENTS = st.sampled_from((2, 3, 0.5, -1, -2.0)).map(constant) | st.just(
    ast.Name(id="k", ctx=ast.Load()))


def extend(children: st.SearchStrategy[ast.expr]) -> st.SearchStrategy[ast.expr]:
    return st.one_of(
        st.tuples(NEGATIVE_BASES, EXPONENTS | children).map(
            lambda t: ast.BinOp(left=t[0], op=ast.Pow(), right=t[1])),
        st.tuples(NEGATIVE_BASES, EXPONENTS, children).map(
            lambda t: ast.BinOp(left=ast.BinOp(left=t[0], op=ast.Pow(), right=t[1]),
                                op=ast.Mult(), right=t[2])),
        st.tuples(st.sampled_from(BINARY), children, children).map(
            lambda t: ast.BinOp(left=t[1], op=t[0](), right=t[2])),
        st.tuples(st.sampled_from((ast.USub, ast.UAdd, ast.Not)), children).map(
            lambda t: ast.UnaryOp(op=t[0](), operand=t[1])),
        st.tuples(st.lists(st.sampled_from(COMPARE), min_size=1, max_size=2), children,
                  st.lists(children, min_size=2, max_size=2)).map(
            lambda t: ast.Compare(left=t[1], ops=[o() for o in t[0]],
                                  comparators=t[2][:len(t[0])])),
        st.tuples(st.sampled_from((ast.And, ast.Or)), st.lists(children, min_size=2,
                                                               max_size=3)).map(
            lambda t: ast.BoolOp(op=t[0](), values=t[1])),
        st.tuples(children, children, children).map(
            lambda t: ast.IfExp(test=t[0], body=t[1], orelse=t[2])),
        children.map(lambda c: ast.Call(func=ast.Attribute(
            value=ast.Name(id="np", ctx=ast.Load()), attr="tanh", ctx=ast.Load()),
            args=[c], keywords=[])),
        st.tuples(children, children).map(lambda t: ast.Subscript(
            value=ast.Tuple(elts=[t[0], t[1], ast.Constant(0.25)], ctx=ast.Load()),
            slice=ast.Constant(1), ctx=ast.Load())),
    )


expressions = st.recursive(leaves(), extend, max_leaves=8)


def write_function(expression: ast.expr) -> tuple[object, str]:
    body = ast.unparse(expression)
    text = ("import numpy as np\n\nT = (0.5, -1.5, 2.0)\nA = np.array([1.0, -2.0, 3.0])\n\n\n"
            f"def f(x, y, k):\n    return {body}\n")
    number = next(_COUNTER)
    path = _DIR / f"printing_{number}.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(f"adtrans_printing_{number}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module, text


def outcome(function, *args):
    """The value, or the type of the exception raised."""
    with np.errstate(all="ignore"):
        try:
            return "value", function(*args)
        except Exception as exc:            # the program's own error, compared by type
            return "raises", type(exc)


def assert_same(got, expected, context: str) -> None:
    assert got[0] == expected[0], f"{context}: {got} but the function {expected}"
    if got[0] == "raises":
        assert got[1] is expected[1], context
        return
    a, b = got[1], expected[1]
    assert type(a) is type(b), f"{context}: {a!r} ({type(a)}) vs {b!r} ({type(b)})"
    assert np.array_equal(a, b, equal_nan=True) and np.signbit(a) == np.signbit(b) \
        if isinstance(b, (float, np.floating)) else np.array_equal(a, b), \
        f"{context}: {a!r} vs {b!r}"


SETTINGS = settings(max_examples=N_EXAMPLES, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(expression=expressions, x=st.sampled_from((0.7, -1.2, 0.0, 2.5)),
       y=st.sampled_from((-0.3, 1.1, 0.0, -2.0)), k=st.sampled_from((0, 1, 2, -1)))
def test_printed_core_form_computes_the_same_value(expression, x, y, k):
    module, text = write_function(expression)
    expected = outcome(module.f, x, y, k)
    printed = core_source(module.f)
    namespace = dict(vars(module))
    exec(compile(printed, "<core form>", "exec"), namespace)
    context = f"\n--- function ---\n{text}--- core form ---\n{printed}--- at x={x}, y={y}, k={k}"
    assert_same(outcome(namespace["f"], x, y, k), expected, context)
    if expected[0] == "value":
        try:
            value = outcome(lambda *a: adtrans.vjp(module.f, *a, wrt=0)[0], x, y, k)
        except adtrans.AdtransError:
            return
        if value[0] == "raises" and issubclass(value[1], adtrans.AdtransError):
            return
        assert_same(value, expected, context + " (vjp)")


@pytest.mark.parametrize("text, x", [
    ("x * (-1.3) ** 2", 0.5), ("(-1) ** 3 * x", 0.5), ("-2 ** 2 * x", 0.5),
    ("x ** -1", 0.5), ("(-x) ** 2", 0.5), ("-x ** 2", 0.5), ("(-0.0) ** 1 * x", 0.5),
    ("(-1e300) ** 1 * x", 0.5), ("(-2).real * x", 0.5)])
def test_negative_bases_print_in_parentheses(text, x):
    module, _ = write_function(ast.parse(text.replace("x", "x"), mode="eval").body)
    value, _ = adtrans.vjp(module.f, x, 0.0, 0)
    assert value == module.f(x, 0.0, 0)
    assert np.signbit(value) == np.signbit(module.f(x, 0.0, 0))
