"""What the rule test files share: which rules they exercise, sample points, factories.

Each rule test file (tests/test_rules*.py) names, for every case, the entry of
``adtrans.supported()`` it exercises, with ``table`` or ``exercises``;
tests/test_rule_table.py imports them all and fails when an entry has no test.
``check_rule`` is the standard check of one entry: central differences in
float64, then the same with float32 arguments (see adtrans.testing.check_dtypes).
"""

import numpy as np

import adtrans
from adtrans.testing import check_dtypes, check_grads

TESTED: set[str] = set()     # names of adtrans.supported() that some case below exercises


def exercises(*names):
    """Decorator: the test exercises these entries of adtrans.supported()."""
    TESTED.update(names)
    return lambda test: test


def table(cases):
    """A parametrize table whose cases start with the supported() name they exercise."""
    TESTED.update(case[0] for case in cases)
    return cases


def rng(seed=0):
    return np.random.default_rng(seed)


def sample(shape, domain, seed=0):
    """Float64 values of ``shape`` in ``domain``: (lo, hi), or ("signed", lo, hi) for
    magnitudes in [lo, hi] with random signs (away from 0)."""
    r = rng(seed)
    size = None if shape == "float" else shape
    if domain[0] == "signed":
        _, lo, hi = domain
        value = r.uniform(lo, hi, size) * r.choice([-1.0, 1.0], size=size)
    else:
        value = r.uniform(domain[0], domain[1], size)
    return float(value) if shape == "float" else value


def unary(fn):
    def f(x):
        return fn(x)
    return f


def binary(fn):
    def f(x, y):
        return fn(x, y)
    return f


def vjp_ones(f, *args, wrt=0):
    """The gradient of ``sum(f(*args))``: the pullback of a cotangent of ones."""
    out, pullback = adtrans.vjp(f, *args, wrt=wrt)
    return pullback(np.ones(np.shape(out)) if np.ndim(out) else 1.0)


def assert_gradient_type(g, arg):
    """Python scalars get Python floats; arrays get arrays of their shape, float dtype
    (float32 stays float32, integers and booleans become float64)."""
    if isinstance(arg, (bool, int, float)) and not isinstance(arg, np.generic):
        assert type(g) is float, f"gradient of a Python scalar is {type(g).__name__}"
        return
    assert np.shape(g) == np.shape(arg)
    expected = np.float32 if np.asarray(arg).dtype == np.float32 else np.float64
    assert np.asarray(g).dtype == expected
    if isinstance(arg, np.ndarray):
        assert isinstance(g, np.ndarray)


def check_rule(f, *args, wrt=0, float32=True, rtol=1e-5, atol=1e-6):
    """check_grads in float64, then (``float32``) check_dtypes with the arguments made
    float32.  Returns the float64 gradient."""
    got = check_grads(f, *args, wrt=wrt, rtol=rtol, atol=atol)
    if float32:
        check_dtypes(f, *args, wrt=wrt)
    return got
