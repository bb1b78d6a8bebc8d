"""Rules of adtrans/rules/more_numpy.py against central finite differences.

Every case runs through ``check_rule`` (float64 central differences, then float32), and
``check_int`` checks that an integer input gets the float64 gradient of its float copy.
"""

import warnings

import numpy as np
import pytest
from helpers.rule_testing import (
    assert_gradient_type,
    check_rule,
    exercises,
    sample,
    table,
    vjp_ones,
)

import adtrans
from adtrans import AdtransError
from adtrans.rules.more_numpy import plain_grad
from adtrans.testing import check_dtypes

S3 = (2, 3, 4)


def check_int(f, x):
    """An integer array input gets float64 gradients equal to those of its float copy."""
    xi = np.round(np.asarray(x) * 3).astype(np.int64)
    got = vjp_ones(f, xi)
    assert_gradient_type(got, xi)
    np.testing.assert_allclose(got, vjp_ones(f, xi.astype(float)), rtol=1e-12, atol=1e-12)


def positional(fn, *extra):
    """``fn(x, *extra)`` spelled out (adtrans does not take ``*args`` calls)."""
    if len(extra) == 0:
        def f(x):
            return fn(x)
    elif len(extra) == 1:
        a, = extra

        def f(x):
            return fn(x, a)
    else:
        a, b = extra

        def f(x):
            return fn(x, a, b)
    f.__name__ = f"{fn.__name__}_{'_'.join(map(str, extra))}"
    return f


def reduce_along(fn, q, axis, keepdims):
    """``fn(x, q, axis=axis, keepdims=keepdims)`` (no ``q`` where it is None)."""
    if q is None:
        def f(x):
            return fn(x, axis=axis, keepdims=keepdims)
    else:
        def f(x):
            return fn(x, q, axis=axis, keepdims=keepdims)
    f.__name__ = f"{fn.__name__}_{q}_{axis}_{keepdims}"
    return f


def run_cases(f, shape, seed=0, integers=True):
    x = sample(shape, (-1, 1), seed=seed)
    g = check_rule(f, x)
    assert np.shape(g) == np.shape(x)
    if np.ndim(x) and integers:
        check_int(f, x)


# ============================================================ copies and conversions
def times_two(fn):
    def f(x):
        return fn(x * 2.0) * x
    f.__name__ = f"{fn.__name__}_times_two"
    return f


def astype_f32(x):
    return np.ascontiguousarray(x, dtype=np.float32) * 1.0


def to_int(x):
    return np.asfortranarray(x, dtype=np.int64) + x


def require_flags(x):
    return np.require(x, requirements=["C", "A", "W", "O", "E"]) ** 2


def copy_keywords(x):
    return np.copy(x, order="F") * x


COPIES = table(
    [(name, positional(fn), shape)
     for name, fn in (("np.copy", np.copy), ("np.ascontiguousarray", np.ascontiguousarray),
                      ("np.asfortranarray", np.asfortranarray),
                      ("np.asanyarray", np.asanyarray),
                      ("np.asarray_chkfinite", np.asarray_chkfinite),
                      ("np.require", np.require))
     for shape in ((), (4,), (3, 4), S3)]
    + [(name, times_two(fn), (3, 4))
       for name, fn in (("np.copy", np.copy), ("np.ascontiguousarray", np.ascontiguousarray),
                        ("np.asfortranarray", np.asfortranarray),
                        ("np.asanyarray", np.asanyarray),
                        ("np.asarray_chkfinite", np.asarray_chkfinite),
                        ("np.require", np.require))]
    + [("np.ascontiguousarray", astype_f32, (3, 2)),
       ("np.asfortranarray", to_int, (3, 2)),
       ("np.require", require_flags, S3),
       ("np.copy", copy_keywords, (2, 3)),
       ("np.matrix_transpose", positional(np.matrix_transpose), (3, 4)),
       ("np.matrix_transpose", positional(np.matrix_transpose), S3),
       ("np.matrix_transpose", times_two(np.matrix_transpose), (4, 4))])


@pytest.mark.parametrize("name, f, shape", COPIES, ids=[c[1].__name__ for c in COPIES])
def test_copies(name, f, shape):
    # The float32 conversion rounds: no float64 central differences through it.
    if f is astype_f32:
        x = sample(shape, (-1, 1))
        np.testing.assert_array_equal(vjp_ones(f, x), np.ones(shape))
        return
    run_cases(f, shape)


def conversion_of_matrix(x):
    return np.asanyarray(x) * 2.0


@exercises("np.asanyarray")
def test_subclasses_are_refused():
    with pytest.raises(AdtransError):
        vjp_ones(conversion_of_matrix, np.ma.masked_array([1.0, 2.0]))
    with pytest.raises(AdtransError, match="np.asarray"):     # the rule's own guard
        plain_grad(np.ones(2), np.ma.masked_array([1.0, 2.0]))


def unstack_sum(x):
    a, b, c = np.unstack(x, axis=1)
    return a * 2.0 + c * b


def unstack_first(x):
    parts = np.unstack(x)
    return parts[0] * 3.0


def unstack_negative(x):
    p = np.unstack(x, axis=-1)
    return p[1] - p[3]


@exercises("np.unstack")
def test_unstack():
    run_cases(unstack_sum, (2, 3, 4))
    run_cases(unstack_first, (3,))
    run_cases(unstack_first, (2, 3))
    run_cases(unstack_negative, S3)


# ============================================================ cumulative
def cumulative(fn, axis=None, include_initial=None):
    if include_initial is None:
        def f(x):
            return fn(x, axis=axis)
    else:
        def f(x):
            return fn(x, axis=axis, include_initial=include_initial)
    f.__name__ = f"{fn.__name__}_{axis}_{include_initial}"
    return f


CUMULATIVE = table(
    [(name, cumulative(fn, **kw), shape)
     for name, fn in (("np.cumulative_sum", np.cumulative_sum),
                      ("np.cumulative_prod", np.cumulative_prod))
     for kw, shape in (({}, (5,)), ({"include_initial": True}, (5,)),
                       ({"axis": 0, "include_initial": False}, (4,)), ({"axis": 1}, S3),
                       ({"axis": -1, "include_initial": False}, S3),
                       ({"axis": -3, "include_initial": True}, S3),
                       ({"axis": 1, "include_initial": True}, (3, 4)))]
    + [("np.nancumprod", cumulative(np.nancumprod, **kw), shape)
       for kw, shape in (({}, ()), ({}, (5,)), ({}, (3, 4)), ({"axis": 1}, S3),
                         ({"axis": -3}, S3), ({"axis": 0}, (4,)))])


@pytest.mark.parametrize("name, f, shape", CUMULATIVE, ids=[c[1].__name__ for c in CUMULATIVE])
def test_cumulative(name, f, shape):
    run_cases(f, shape, seed=3)


def cumulative_prod_zero(x):
    return np.cumulative_prod(x, include_initial=True)


def nancumprod_nan(x):
    return np.nancumprod(x + np.array([0.0, np.nan, 0.0, 0.0, np.nan]))


@exercises("np.cumulative_prod", "np.nancumprod")
def test_cumulative_prod_through_zeros_and_nans():
    check_rule(cumulative_prod_zero, np.array([2.0, 0.0, 3.0, 0.0, 0.5]))
    g = check_rule(nancumprod_nan, np.array([0.7, 0.3, -1.2, 0.5, 0.9]))
    assert g[1] == 0 and g[4] == 0


# ============================================================ NaN-ignoring quantiles
def reductions(name, fn, *q):
    cases = [(name, positional(fn, *q), shape) for shape in ((), (5,), (3, 4), S3)]
    q = q[0] if q else None
    cases += [(name, reduce_along(fn, q, a, False), S3) for a in (0, 1, -1, (0, 2), (-1, -2))]
    cases += [(name, reduce_along(fn, q, a, True), S3) for a in (None, 1, (0, -1))]
    return cases


def nanquantile_keywords(x):
    return np.nanquantile(x, q=0.25, axis=1, method="linear")


QUANTILES = table(
    reductions("np.nanmedian", np.nanmedian)
    + reductions("np.nanquantile", np.nanquantile, 0.3)
    + reductions("np.nanquantile", np.nanquantile, [0.0, 0.5, 1.0])
    + reductions("np.nanpercentile", np.nanpercentile, 75.0)
    + [("np.nanpercentile", reduce_along(np.nanpercentile, [10.0, 99.0], 1, False), S3),
       ("np.nanquantile", reduce_along(np.nanquantile, np.array([[0.1], [0.75]]), -1, False),
        S3),
       ("np.nanquantile", nanquantile_keywords, S3)])


@pytest.mark.parametrize("name, f, shape", QUANTILES, ids=[c[1].__name__ for c in QUANTILES])
def test_nan_quantiles(name, f, shape):
    run_cases(f, shape, seed=5)


NANS = np.array([[0.0, np.nan, 0.0, 0.0], [np.nan, 0.0, np.nan, 0.0],
                 [0.0, 0.0, 0.0, np.nan]])


def nanmedian_nans(x):
    return np.nanmedian(x + NANS, axis=1)


def nanquantile_nans(x):
    return np.nanquantile(x + NANS, [0.2, 0.9], axis=0, keepdims=True)


def nanpercentile_nans(x):
    return np.nanpercentile(x + NANS, 40.0)


def nanmedian_all_nan(x):
    return np.nanmedian(x, axis=1)


@exercises("np.nanmedian", "np.nanquantile", "np.nanpercentile")
def test_nan_quantiles_skip_nans():
    x = sample((3, 4), (-1, 1), seed=2)
    for f in (nanmedian_nans, nanquantile_nans, nanpercentile_nans):
        g = check_rule(f, x)
        assert np.all(g[np.isnan(NANS)] == 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        y = np.array([[np.nan, np.nan], [0.5, np.nan]])
        np.testing.assert_array_equal(vjp_ones(nanmedian_all_nan, y), [[0, 0], [1, 0]])


def nanquantile_method(x):
    return np.nanquantile(x, 0.5, method="nearest")


def nanquantile_q(q):
    return np.nanquantile(np.array([1.0, 2.0, 4.0]), q)


@exercises("np.nanquantile")
def test_nan_quantile_refusals():
    with pytest.raises(AdtransError, match="linear"):
        vjp_ones(nanquantile_method, np.arange(4.0))
    with pytest.raises(AdtransError, match="q"):
        vjp_ones(nanquantile_q, 0.3)


def test_listed():
    names = set(adtrans.supported())
    assert {"np.copy", "np.unstack", "np.nanmedian"} <= names


# ============================================================ delete, insert, block
def delete_case(obj, axis):
    def f(x):
        return np.delete(x, obj, axis) * 2.0
    f.__name__ = f"delete_{obj}_{axis}"
    return f


def insert_case(obj, axis):
    def f(x, v):
        return np.insert(x, obj, v * 3.0, axis)
    f.__name__ = f"insert_{obj}_{axis}"
    return f


DELETES = table([("np.delete", delete_case(1, None), (5,)),
                 ("np.delete", delete_case([0, 2], 1), S3),
                 ("np.delete", delete_case(slice(0, 2), -1), S3),
                 ("np.delete", delete_case(np.array([True, False, True]), 0), (3, 2)),
                 ("np.delete", delete_case(4, None), (2, 3))])


@pytest.mark.parametrize("name, f, shape", DELETES, ids=[c[1].__name__ for c in DELETES])
def test_delete(name, f, shape):
    run_cases(f, shape)


INSERTS = table([("np.insert", insert_case(1, None), (5,), ()),
                 ("np.insert", insert_case([0, 2, 2], None), (2, 3), (3,)),
                 ("np.insert", insert_case(1, 1), S3, (2, 4)),
                 ("np.insert", insert_case(1, -1), S3, ()),
                 ("np.insert", insert_case([1, 3], 0), (4, 2), (2, 2)),
                 ("np.insert", insert_case(slice(0, 2), 1), (2, 3), (2, 1))])


@pytest.mark.parametrize("name, f, shape, vshape", INSERTS,
                         ids=[c[1].__name__ for c in INSERTS])
def test_insert(name, f, shape, vshape):
    x, v = sample(shape, (-1, 1)), sample(vshape, (-1, 1), seed=1)
    check_rule(f, x, v, wrt=(0, 1))
    xi = np.round(x * 3).astype(np.int64)
    assert_gradient_type(vjp_ones(f, xi, v, wrt=0), xi)


def block_2x2(a, b, c, d):
    return np.block([[a, b], [c, d]]) * 2.0


def block_flat(a, b):
    return np.block([a, b, a])


def block_3d(a, b):
    return np.block([[[a], [b]]])


@exercises("np.block")
def test_block():
    a, b = sample((2, 2), (-1, 1), 1), sample((2, 3), (-1, 1), 2)
    c, d = sample((1, 2), (-1, 1), 3), sample((1, 3), (-1, 1), 4)
    check_rule(block_2x2, a, b, c, d, wrt=(0, 1, 2, 3))
    check_rule(block_flat, sample((3,), (-1, 1)), 0.5, wrt=(0, 1))
    check_rule(block_3d, sample((2, 2, 3), (-1, 1)), sample((2, 1, 3), (-1, 1), 1), wrt=(0, 1))
    ai = np.arange(4).reshape(2, 2)
    assert_gradient_type(vjp_ones(block_2x2, ai, b, c, d), ai)


# ============================================================ unwrap, logspace, geomspace
def unwrap_period(p, period):
    return np.unwrap(p, period=period)


def unwrap_axis(p):
    return np.unwrap(p, axis=0) * p


@exercises("np.unwrap")
def test_unwrap():
    jumps = np.array([0.1, 3.5, 6.5, -0.3, 2.9, 12.0])
    check_rule(positional(np.unwrap), jumps)
    check_rule(unwrap_axis, np.stack([jumps, jumps[::-1] * 2.0], axis=1))
    check_rule(unwrap_period, jumps, 5.0, wrt=(0, 1))
    check_int(positional(np.unwrap), jumps)


def logspace_case(num, endpoint, base, axis):
    def f(a, b):
        return np.logspace(a, b, num, endpoint, base, axis=axis)
    f.__name__ = f"logspace_{num}_{endpoint}_{base}_{axis}"
    return f


def geomspace_case(num, endpoint, axis):
    def f(a, b):
        return np.geomspace(a, b, num, endpoint, axis=axis)
    f.__name__ = f"geomspace_{num}_{endpoint}_{axis}"
    return f


SPACES = table([("np.logspace", logspace_case(5, True, 10.0, 0), 0.3, -0.7),
                ("np.logspace", logspace_case(4, False, 2.0, 0), 1.3, 0.2),
                ("np.logspace", logspace_case(3, True, 2.0, -1), np.array([0.1, 0.4]),
                 np.array([1.0, -0.5])),
                ("np.logspace", logspace_case(1, True, 10.0, 0), 0.5, 0.2),
                ("np.geomspace", geomspace_case(5, True, 0), 0.3, 4.0),
                ("np.geomspace", geomspace_case(4, False, 0), -2.0, -0.5),
                ("np.geomspace", geomspace_case(3, True, 1), np.array([0.5, 2.0]),
                 np.array([3.0, 0.25])),
                ("np.geomspace", geomspace_case(3, True, 0), np.array([0.5, 2.0]), 3.0)])


@pytest.mark.parametrize("name, f, a, b", SPACES, ids=[c[1].__name__ for c in SPACES])
def test_spaces(name, f, a, b):
    check_rule(f, a, b, wrt=(0, 1))


def logspace_base(b):
    return np.logspace(0.0, 1.0, 4, base=b)


@exercises("np.logspace")
def test_logspace_base_refused():
    with pytest.raises(AdtransError, match="base"):
        vjp_ones(logspace_base, 2.0)


# ============================================================ polynomials, bincount
def polyadd_case(a, b):
    return np.polyadd(a, b) * 2.0


def polysub_case(a, b):
    return np.polysub(a, b)


def polymul_case(a, b):
    return np.polymul(a, b)


def polyder_case(m):
    def f(p):
        return np.polyder(p, m)
    f.__name__ = f"polyder_{m}"
    return f


def polyint_case(m, k):
    def f(p):
        return np.polyint(p, m, k)
    f.__name__ = f"polyint_{m}_{k}"
    return f


@exercises("np.polyadd", "np.polysub", "np.polymul")
@pytest.mark.parametrize("f", [polyadd_case, polysub_case, polymul_case])
def test_poly_binary(f):
    for n, m in ((3, 2), (2, 4), (3, 3)):
        a, b = sample((n,), (-1, 1), n), sample((m,), (-1, 1), m + 5)
        check_rule(f, a, b, wrt=(0, 1))
        ai = np.round(a * 3).astype(np.int64)
        assert_gradient_type(vjp_ones(f, ai, b, wrt=0), ai)
    check_rule(f, 0.5, sample((3,), (-1, 1)), wrt=(0, 1))


@exercises("np.polymul")
def test_polymul_leading_zeros_get_zero():
    g = vjp_ones(polymul_case, np.array([0.0, 1.0, 2.0]), np.array([3.0, 1.0]))
    assert g[0] == 0
    np.testing.assert_allclose(g[1:], vjp_ones(polymul_case, np.array([1.0, 2.0]),
                                               np.array([3.0, 1.0])))


POLY_LINEAR = table([("np.polyder", polyder_case(1), 4), ("np.polyder", polyder_case(2), 5),
                     ("np.polyder", polyder_case(0), 3), ("np.polyder", polyder_case(1), 1),
                     ("np.polyint", polyint_case(1, None), 4),
                     ("np.polyint", polyint_case(2, [0.5, -1.0]), 3),
                     ("np.polyint", polyint_case(0, None), 3)])


@pytest.mark.parametrize("name, f, n", POLY_LINEAR, ids=[c[1].__name__ for c in POLY_LINEAR])
def test_poly_linear(name, f, n):
    run_cases(f, (n,))


def polyint_k(p, k):
    return np.polyint(p, 1, k)


@exercises("np.polyint", "np.polyadd")
def test_poly_refusals():
    with pytest.raises(AdtransError, match="k"):
        vjp_ones(polyint_k, np.array([1.0, 2.0]), 0.5, wrt=1)


def bincount_case(x, w):
    return np.bincount(x, w) * 2.0


def bincount_minlength(x, w):
    return np.bincount(x, weights=w, minlength=7)


@exercises("np.bincount")
def test_bincount():
    x = np.array([0, 3, 1, 3, 3, 5])
    w = sample((6,), (-1, 1))
    for f in (bincount_case, bincount_minlength):
        check_rule(f, x, w, wrt=1)
        wi = np.arange(6)
        assert_gradient_type(vjp_ones(f, x, wi, wrt=1), wi)


def mixed_insert(x, v):
    return np.insert(x, 1, v)


@exercises("np.block", "np.insert")
def test_mixed_dtypes_keep_each_inputs_dtype():
    a32 = np.ones(2, dtype=np.float32)
    g = vjp_ones(block_flat, a32, np.ones(3), wrt=(0, 1))
    assert g[0].dtype == np.float32 and g[1].dtype == np.float64
    g = vjp_ones(mixed_insert, np.ones(3), np.ones(2, dtype=np.float32), wrt=(0, 1))
    assert g[0].dtype == np.float64 and g[1].dtype == np.float32


# ============================================================ cov, corrcoef
def cov_case(rowvar, bias, ddof):
    def f(m, y):
        return np.cov(m, y, rowvar, bias, ddof)
    f.__name__ = f"cov_{rowvar}_{bias}_{ddof}"
    return f


def cov_alone(m):
    return np.cov(m)


def cov_columns(m):
    return np.cov(m, rowvar=False, bias=True)


def corrcoef_case(rowvar):
    def f(x, y):
        return np.corrcoef(x, y, rowvar)
    f.__name__ = f"corrcoef_{rowvar}"
    return f


def corrcoef_alone(x):
    return np.corrcoef(x)


def corrcoef_columns(x):
    return np.corrcoef(x, rowvar=False)


@exercises("np.cov", "np.corrcoef")
@pytest.mark.parametrize("single, joint", [(cov_alone, cov_case), (corrcoef_alone, corrcoef_case)])
def test_cov_and_corrcoef(single, joint):
    columns = cov_columns if single is cov_alone else corrcoef_columns
    for shape in ((2, 6), (3, 5), (6,)):
        run_cases(single, shape, seed=4)
    run_cases(columns, (6, 3), seed=4)
    extra = ((True, False, None), (False, True, None), (True, False, 2)) \
        if single is cov_alone else ((True,), (False,))
    for options in extra:
        f = joint(*options)
        rows = options[0]
        for ms, ys in (((2, 6), (6,)), ((6,), (6,)), ((2, 6), (3, 6))):
            if not rows:
                ms, ys = ms[::-1], ys[::-1]
            check_rule(f, sample(ms, (-1, 1), 1), sample(ys, (-1, 1), 2), wrt=(0, 1))


def cov_weighted(m):
    return np.cov(m, fweights=np.array([1, 2, 1]))


@exercises("np.cov")
def test_cov_weights_refused():
    with pytest.raises(AdtransError, match="weighted"):
        vjp_ones(cov_weighted, sample((2, 3), (-1, 1)))


# ============================================================ trim_zeros, polyfit
def trim_case(trim, axis):
    def f(x):
        return np.trim_zeros(x * 1.0, trim, axis) * 2.0
    f.__name__ = f"trim_{trim}_{axis}"
    return f


def padded(shape, box):
    x = np.zeros(shape)
    x[box] = sample(x[box].shape, ("signed", 0.5, 1))
    return x


def box_case(box):
    def f(x):
        return x[box] * 2.0
    return f


def check_trim(f, x, box):
    """Trimming is not differentiable at the zeros it drops (the shape changes there), so
    central differences do not apply: the gradient is that of the slice it takes."""
    rng_g = np.random.default_rng(0)
    out, pullback = adtrans.vjp(f, x)
    np.testing.assert_array_equal(out, box_case(box)(x))
    g = rng_g.normal(size=np.shape(out))
    expected = adtrans.vjp(box_case(box), x)[1](g)
    np.testing.assert_array_equal(pullback(g), expected)
    check_dtypes(f, x)
    xi = np.round(x * 3).astype(np.int64)
    assert_gradient_type(vjp_ones(f, xi), xi)


@exercises("np.trim_zeros")
def test_trim_zeros():
    v = padded((7,), np.s_[2:5])
    for trim, box in (("fb", np.s_[2:5]), ("f", np.s_[2:]), ("b", np.s_[:5]),
                      ("bf", np.s_[2:5])):
        check_trim(trim_case(trim, None), v, box)
    m = padded((4, 5), np.s_[1:3, 2:4])
    for axis, box in ((None, np.s_[1:3, 2:4]), (0, np.s_[1:3]), (-1, np.s_[:, 2:4]),
                      ((0, 1), np.s_[1:3, 2:4])):
        check_trim(trim_case("fb", axis), m, box)
    check_trim(trim_case("f", -2), padded((2, 5, 4), np.s_[:, 1:3, 1:2]), np.s_[:, 1:])
    np.testing.assert_array_equal(vjp_ones(trim_case("fb", None), np.zeros(3)), np.zeros(3))


def polyfit_case(x, deg):
    def f(y):
        return np.polyfit(x, y, deg)
    f.__name__ = f"polyfit_{deg}"
    return f


def polyfit_x(x, y):
    return np.polyfit(x, y, 1)


@exercises("np.polyfit")
def test_polyfit():
    x = np.linspace(-1, 1, 6)
    for deg in (0, 1, 2):
        run_cases(polyfit_case(x, deg), (6,))
    run_cases(polyfit_case(x, 2), (6, 2))
    run_cases(polyfit_case(np.arange(5), 3), (5,))
    with pytest.raises(AdtransError, match="x"):
        vjp_ones(polyfit_x, x, np.ones(6), wrt=0)


# ============================================================ histogram
def histogram_edges(a):
    hist, edges = np.histogram(a, 5)
    return edges * 2.0 + np.sum(hist)


def histogram_weighted(a, w):
    hist, edges = np.histogram(a, 4, None, None, w)
    return hist * 3.0 + edges[1:]


def histogram_range(a, w, lo, hi):
    hist, edges = np.histogram(a, 3, (lo, hi), None, w)
    return hist * edges[:-1]


def histogram_given_edges(a, e, w):
    hist, edges = np.histogram(a, e, None, None, w)
    return hist * edges[1:]


def histogram_counts(a):
    return np.histogram(a, 4)[0] * 1.0


def histogram_density(a):
    return np.histogram(a, 4, density=True)[0]


def histogram_auto(a):
    return np.histogram(a, "auto")[1]


@exercises("np.histogram")
def test_histogram():
    a = sample((3, 4), (-1, 1), 3)
    w = sample((3, 4), (-1, 1), 4)
    check_rule(histogram_edges, a)
    check_int(histogram_edges, a)
    check_rule(histogram_weighted, a, w, wrt=(0, 1))
    wi = np.arange(12).reshape(3, 4)
    assert_gradient_type(vjp_ones(histogram_weighted, a, wi, wrt=1), wi)
    # Points outside the range get nothing; the range's ends get the edges' cotangents.
    g = check_rule(histogram_range, a, w, -0.5, 0.6, wrt=(0, 1, 2, 3))
    assert np.all(g[1][(a < -0.5) | (a > 0.6)] == 0)
    check_rule(histogram_given_edges, a, np.array([-1.0, -0.2, 0.1, 1.0]), w, wrt=(0, 1, 2))
    np.testing.assert_array_equal(vjp_ones(histogram_counts, a), np.zeros((3, 4)))
    for f in (histogram_density, histogram_auto):
        with pytest.raises(AdtransError, match="density|estimator"):
            vjp_ones(f, a)
