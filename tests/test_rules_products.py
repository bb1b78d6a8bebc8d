"""Rules for products (einsum, tensordot, ...), signals and polynomials (convolve, diff,
gradient, interp, ...) and the elementwise extras (copysign, frexp, modf, ...), against
central differences in float64, then in float32 (check_rule), with integer inputs where
the function takes them."""

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


# ===================================================================== elementwise extras
def copysign_of(x, y):
    return np.copysign(x, y) * x


def ldexp_of(x):
    return np.ldexp(x, np.array([-1, 0, 2, 3]))


def nextafter_of(x, y):
    return np.nextafter(x, y) * 2.0


def fmod_of(x, y):
    return np.fmod(x, y)


def np_divmod_of(x, y):
    q, r = np.divmod(x, y)
    return r * r + q


def divmod_of(x, y):
    q, r = divmod(x, y)
    return r * 3.0 + q


def divmod_quotient_only(x, y):
    q, r = np.divmod(x, y)
    return q * x


def frexp_of(x):
    m, e = np.frexp(x)
    return m * m + e


def frexp_exponent_only(x):
    m, e = np.frexp(x)
    return e * x


def modf_of(x):
    f, i = np.modf(x)
    return f * f + i * x


def modf_integral_only(x):
    f, i = np.modf(x)
    return i * x


def real_of(x):
    return np.real(x) * x


def imag_of(x):
    return np.imag(x) + x


def conjugate_of(x):
    return np.conjugate(x) * x


def real_attribute(x):
    return x.real * x + x.imag


def conj_method(x):
    return x.conj() * x + x.conjugate()


def nan_to_num_of(x):
    return np.nan_to_num(x) * 2.0


def nan_to_num_values(x, a):
    return np.nan_to_num(x, nan=a, posinf=a * 2.0, neginf=-a)


TWO = [((4,), (4,)), ((), (3, 4)), ((3, 4), ()), ((3, 1), (1, 4)), ("float", (2, 3)),
       ((2, 3), "float")]


@exercises("np.copysign")
@pytest.mark.parametrize("xshape, yshape", TWO, ids=str)
def test_copysign(xshape, yshape):
    x = sample(xshape, ("signed", 0.2, 2), seed=1)
    y = sample(yshape, ("signed", 0.2, 2), seed=2)
    gx, gy = check_rule(copysign_of, x, y, wrt=(0, 1))
    assert_gradient_type(gx, x)
    assert np.all(np.asarray(gy) == 0.0)
    ints = np.array([-2, 1, 3])
    assert_gradient_type(check_rule(copysign_of, ints, np.array([1.0, -1.0, -2.0]),
                                    float32=False), ints)


@exercises("np.ldexp")
@pytest.mark.parametrize("shape", [(4,), (2, 4)], ids=str)
def test_ldexp(shape):
    x = sample(shape, (-2, 2))
    check_rule(ldexp_of, x)
    np.testing.assert_array_equal(vjp_ones(ldexp_of, x),
                                  np.broadcast_to([0.5, 1.0, 4.0, 8.0], shape))
    assert_gradient_type(check_rule(ldexp_of, np.arange(4), float32=False), np.arange(4))


@exercises("np.nextafter")
def test_nextafter():
    x = sample((3, 4), (-2, 2))
    y = sample((4,), (-2, 2), seed=1)
    check_rule(nextafter_of, x, y, wrt=(0, 1))
    gx, gy = vjp_ones(nextafter_of, x, y, wrt=(0, 1))
    np.testing.assert_array_equal(gx, np.full((3, 4), 2.0))
    np.testing.assert_array_equal(gy, np.zeros(4))


@exercises("np.fmod")
@pytest.mark.parametrize("xshape, yshape", [((5,), (5,)), ((2, 5), (5,)), ((), (5,))],
                         ids=str)
def test_fmod(xshape, yshape):
    # |x / y| in (1.1, 1.9) with mixed signs: fmod truncates towards 0 (unlike mod).
    y = sample(yshape, ("signed", 1.45, 2.0), seed=1)
    x = sample(xshape, ("signed", 2.2, 2.7), seed=2)
    gx, gy = check_rule(fmod_of, x, y, wrt=(0, 1))
    assert_gradient_type(gx, x)
    assert_gradient_type(gy, y)


@exercises("np.divmod", "divmod")
def test_divmod():
    x = sample((2, 5), (2.2, 2.8), seed=1)
    y = sample((5,), (1.45, 2.0), seed=2)
    check_rule(np_divmod_of, x, y, wrt=(0, 1))
    check_rule(divmod_of, x, y, wrt=(0, 1))
    check_rule(divmod_of, 2.5, 1.5, wrt=(0, 1), float32=False)
    check_rule(divmod_quotient_only, x, y, wrt=(0, 1))
    gx, gy = vjp_ones(divmod_quotient_only, x, y, wrt=(0, 1))
    np.testing.assert_array_equal(gy, np.zeros(5))
    np.testing.assert_array_equal(gx, np.floor_divide(x, y))


@exercises("np.frexp")
@pytest.mark.parametrize("shape", [(), (5,), (2, 3)], ids=str)
def test_frexp(shape):
    x = sample(shape, ("signed", 0.3, 7.0))
    m, e = np.frexp(x)
    assert np.all(np.abs(np.abs(m) - 0.75) < 0.24)       # away from the exponent's jumps
    check_rule(frexp_of, x)
    np.testing.assert_allclose(vjp_ones(frexp_of, x), 2 * m / 2.0 ** e)
    check_rule(frexp_exponent_only, x)
    np.testing.assert_array_equal(vjp_ones(frexp_exponent_only, x), e)


@exercises("np.modf")
@pytest.mark.parametrize("shape", [(), (5,), (2, 3)], ids=str)
def test_modf(shape):
    x = sample(shape, ("signed", 0.1, 3.0)) + 0.0
    x = np.where(np.abs(x % 1.0 - 0.5) > 0.45, x + 0.2, x)   # away from whole numbers
    check_rule(modf_of, x)
    check_rule(modf_integral_only, x)
    np.testing.assert_array_equal(vjp_ones(modf_integral_only, x), np.trunc(x))


@exercises("np.real", "np.imag", "np.conjugate", "ndarray.real", "ndarray.imag",
           "ndarray.conj()", "ndarray.conjugate()")
def test_real_parts_of_real_arrays():
    x = sample((2, 3), (-2, 2))
    for f in (real_of, imag_of, conjugate_of, real_attribute, conj_method):
        check_rule(f, x)
    np.testing.assert_allclose(vjp_ones(real_of, x), 2 * x)
    np.testing.assert_array_equal(vjp_ones(imag_of, x), np.ones((2, 3)))
    np.testing.assert_allclose(vjp_ones(conj_method, x), 2 * x + 1.0)
    ints = np.arange(3)
    assert_gradient_type(check_rule(real_of, ints, float32=False), ints)
    np.testing.assert_allclose(vjp_ones(real_of, ints), 2 * ints)
    with pytest.raises(AdtransError, match="complex"):
        adtrans.grad(lambda_free_real_sum)(np.array([1.0 + 2.0j]))


def lambda_free_real_sum(x):
    return np.sum(np.real(x))


@exercises("np.nan_to_num")
def test_nan_to_num():
    x = sample((2, 3), (-2, 2))
    check_rule(nan_to_num_of, x)
    np.testing.assert_array_equal(vjp_ones(nan_to_num_of, x), np.full((2, 3), 2.0))
    y = np.array([1.0, np.nan, np.inf, -np.inf, -2.0])
    gx, ga = vjp_ones(nan_to_num_values, y, 1.5, wrt=(0, 1))
    np.testing.assert_array_equal(gx, [1.0, 0.0, 0.0, 0.0, 1.0])
    assert ga == 1.0 + 2.0 - 1.0
    check_rule(nan_to_num_values, x, 1.5, wrt=(0, 1))


# ===================================================================== einsum
def einsum1(subscripts, optimize=False):
    def f(a):
        return np.einsum(subscripts, a, optimize=optimize)
    return f


def einsum2(subscripts, optimize=False):
    def f(a, b):
        return np.einsum(subscripts, a, b, optimize=optimize)
    return f


def einsum3(subscripts, optimize=False):
    def f(a, b, c):
        return np.einsum(subscripts, a, b, c, optimize=optimize)
    return f


EINSUM = table([
    ("np.einsum", "ij->ji", [(2, 3)]),
    ("np.einsum", "ij", [(2, 3)]),
    ("np.einsum", "ji", [(2, 3)]),
    ("np.einsum", "i->", [(4,)]),
    ("np.einsum", "ii->i", [(3, 3)]),
    ("np.einsum", "ii", [(3, 3)]),
    ("np.einsum", "ii->", [(3, 3)]),
    ("np.einsum", "iji->j", [(3, 2, 3)]),
    ("np.einsum", "...ii->...i", [(2, 3, 3)]),
    ("np.einsum", "i...->...", [(3, 2, 2)]),
    ("np.einsum", "ij,jk->ik", [(2, 3), (3, 4)]),
    ("np.einsum", "ij,jk", [(2, 3), (3, 4)]),
    ("np.einsum", "ij,ij->", [(2, 3), (2, 3)]),
    ("np.einsum", "i,j->ij", [(2,), (3,)]),
    ("np.einsum", "i,i", [(4,), (4,)]),
    ("np.einsum", ",ij->ij", [(), (2, 3)]),
    ("np.einsum", "ii,i->i", [(3, 3), (3,)]),
    ("np.einsum", "bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]),
    ("np.einsum", "...ij,...jk->...ik", [(2, 1, 2, 3), (3, 3, 2)]),
    ("np.einsum", "...ij,jk", [(2, 2, 3), (3, 4)]),
    ("np.einsum", "...i,...i->...", [(3, 1, 4), (2, 4)]),
    ("np.einsum", "ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    ("np.einsum", "i,ij,j", [(2,), (2, 3), (3,)]),
    ("np.einsum", "ab,bc,ca->", [(2, 3), (3, 2), (2, 2)]),
    ("np.einsum", "Ab,bA->A", [(2, 3), (3, 2)]),
    ("np.einsum", "ij,jk->ik", [(2, 1), (3, 4)]),           # a label of length 1 broadcast
    ("np.einsum", "i,i->i", [(1,), (3,)]),
])


@pytest.mark.parametrize("subscripts, shapes", [c[1:] for c in EINSUM],
                         ids=[f"{c[1]}-{c[2]}" for c in EINSUM])
def test_einsum(subscripts, shapes):
    args = [sample(shape, (-1, 1), seed=k) for k, shape in enumerate(shapes)]
    factory = (einsum1, einsum2, einsum3)[len(args) - 1]
    wrt = tuple(range(len(args))) if len(args) > 1 else 0
    grads = check_rule(factory(subscripts), *args, wrt=wrt)
    grads = grads if len(args) > 1 else (grads,)
    for g, x in zip(grads, args, strict=True):
        assert_gradient_type(g, x)


@exercises("np.einsum")
def test_einsum_options_integers_and_interleaved_subscripts():
    a, b, c = sample((2, 3), (-1, 1)), sample((3, 4), (-1, 1), seed=1), sample((4,), (-1, 1))
    for optimize in (True, "greedy", "optimal", False):
        check_rule(einsum3("ij,jk,k->i", optimize=optimize), a, b, c, wrt=(0, 1, 2))
    path = np.einsum_path("ij,jk,k->i", a, b, c, optimize="optimal")[0]
    check_rule(einsum3("ij,jk,k->i", optimize=path), a, b, c, wrt=(0, 1, 2))
    ints = np.arange(6).reshape(2, 3)
    g = check_rule(einsum2("ij,jk->ik"), ints, b, wrt=(0, 1), float32=False)
    assert_gradient_type(g[0], ints)
    check_rule(einsum_interleaved, a, b, wrt=(0, 1))
    check_rule(einsum_interleaved_implicit, a, b, wrt=(0, 1))
    check_rule(einsum_interleaved_ellipsis, sample((2, 2, 3), (-1, 1)), b, wrt=(0, 1))
    with pytest.raises(AdtransError, match="out="):
        adtrans.grad(einsum_out)(a)


def einsum_interleaved(a, b):
    return np.einsum(a, [0, 1], b, [1, 2], [2, 0])


def einsum_interleaved_implicit(a, b):
    return np.einsum(a, [0, 1], b, [1, 2])


def einsum_interleaved_ellipsis(a, b):
    return np.einsum(a, [Ellipsis, 0, 1], b, [1, 2], [Ellipsis, 2])


def einsum_out(a):
    out = np.zeros(3)
    np.einsum("ij->j", a, out=out)
    return np.sum(out)


# ===================================================================== tensordot and kin
def tensordot_with(axes):
    def f(a, b):
        return np.tensordot(a, b, axes)
    return f


def tensordot_keyword(a, b):
    return np.tensordot(a, b, axes=([0, 2], [1, 0]))


TENSORDOT = table([
    ("np.tensordot", 2, (2, 3, 4), (3, 4, 2)),
    ("np.tensordot", 1, (2, 3), (3, 4)),
    ("np.tensordot", 0, (2, 3), (4,)),
    ("np.tensordot", 3, (2, 3, 2), (2, 3, 2)),
    ("np.tensordot", ([1], [0]), (2, 3), (3, 4)),
    ("np.tensordot", (1, 0), (2, 3), (3, 4)),
    ("np.tensordot", ([0, 1], [1, 0]), (2, 3), (3, 2)),
    ("np.tensordot", ([1, 0], [0, 1]), (2, 3, 4), (3, 2)),
    ("np.tensordot", ([-1, 0], [0, -1]), (2, 3, 4), (4, 5, 2)),
    ("np.tensordot", ([2, 0], [1, 2]), (2, 3, 4), (5, 4, 2)),
])


@pytest.mark.parametrize("axes, ashape, bshape", [c[1:] for c in TENSORDOT], ids=str)
def test_tensordot(axes, ashape, bshape):
    a, b = sample(ashape, (-1, 1)), sample(bshape, (-1, 1), seed=1)
    ga, gb = check_rule(tensordot_with(axes), a, b, wrt=(0, 1))
    assert_gradient_type(ga, a)
    assert_gradient_type(gb, b)


@exercises("np.tensordot")
def test_tensordot_keyword_and_integers():
    check_rule(tensordot_keyword, sample((3, 2, 4), (-1, 1)), sample((4, 3), (-1, 1)),
               wrt=(0, 1))
    ints = np.arange(6).reshape(2, 3)
    g = check_rule(tensordot_with(1), ints, sample((3, 2), (-1, 1)), float32=False)
    assert_gradient_type(g, ints)


PAIRS = table([
    ("np.inner", np.inner, (4,), (4,)),
    ("np.inner", np.inner, (2, 4), (4,)),
    ("np.inner", np.inner, (2, 4), (3, 4)),
    ("np.inner", np.inner, (2, 3, 4), (2, 4)),
    ("np.inner", np.inner, (), (2, 3)),
    ("np.inner", np.inner, (2, 3), ()),
    ("np.outer", np.outer, (3,), (4,)),
    ("np.outer", np.outer, (2, 2), (3,)),
    ("np.vdot", np.vdot, (4,), (4,)),
    ("np.vdot", np.vdot, (2, 3), (3, 2)),
    ("np.kron", np.kron, (2,), (3,)),
    ("np.kron", np.kron, (2, 2), (3, 2)),
    ("np.kron", np.kron, (2, 3), (3,)),
    ("np.kron", np.kron, (3,), (2, 2)),
    ("np.kron", np.kron, (2, 1, 2), (2, 3)),
    ("np.kron", np.kron, (), (2, 3)),
    ("np.dot", np.dot, (2, 3, 4), (4,)),
    ("np.matmul", np.matmul, (2, 1, 2, 3), (3, 3, 2)),
    ("np.vecdot", np.vecdot, (4,), (4,)),
    ("np.vecdot", np.vecdot, (2, 4), (4,)),
    ("np.vecdot", np.vecdot, (3, 1, 4), (2, 4)),
    ("np.matvec", np.matvec, (2, 3), (3,)),
    ("np.matvec", np.matvec, (2, 2, 3), (3,)),
    ("np.matvec", np.matvec, (2, 3), (4, 3)),
    ("np.matvec", np.matvec, (3, 1, 2, 3), (2, 3)),
    ("np.vecmat", np.vecmat, (2,), (2, 3)),
    ("np.vecmat", np.vecmat, (4, 2), (2, 3)),
    ("np.vecmat", np.vecmat, (2,), (4, 2, 3)),
    ("np.vecmat", np.vecmat, (3, 1, 2), (2, 2, 3)),
    ("np.cross", np.cross, (3,), (3,)),
    ("np.cross", np.cross, (4, 3), (3,)),
    ("np.cross", np.cross, (2, 1, 3), (4, 3)),
    ("np.cross", np.cross, (2,), (3,)),
    ("np.cross", np.cross, (4, 3), (4, 2)),
])


@pytest.mark.filterwarnings("ignore:Arrays of 2-dimensional vectors:DeprecationWarning")
@pytest.mark.parametrize("name, fn, ashape, bshape", PAIRS,
                         ids=[f"{c[0]}-{c[2]}-{c[3]}" for c in PAIRS])
def test_products_of_two(name, fn, ashape, bshape):
    a, b = sample(ashape, (-1, 1)), sample(bshape, (-1, 1), seed=1)
    ga, gb = check_rule(pair_of(fn), a, b, wrt=(0, 1))
    assert_gradient_type(ga, a)
    assert_gradient_type(gb, b)
    ia = np.arange(int(np.prod(ashape))).reshape(ashape) - 2
    ga = check_rule(pair_of(fn), ia, b, float32=False)
    assert_gradient_type(ga, ia)


def pair_of(fn):
    def f(a, b):
        return fn(a, b)
    return f


def cross_axes(a, b):
    return np.cross(a, b, axisa=0, axisb=-2, axisc=1)


def cross_axis(a, b):
    return np.cross(a, b, axis=1)


def cross_2d(a, b):
    return np.cross(a, b, axisa=0, axisb=0)


def vecdot_axis(a, b):
    return np.vecdot(a, b, axis=0)


def vecdot_negative_axis(a, b):
    return np.vecdot(a, b, axis=-2)


@exercises("np.cross", "np.vecdot")
@pytest.mark.filterwarnings("ignore:Arrays of 2-dimensional vectors:DeprecationWarning")
def test_cross_and_vecdot_with_axes():
    check_rule(cross_axes, sample((3, 4), (-1, 1)), sample((2, 4, 3, 1), (-1, 1), seed=1),
               wrt=(0, 1))
    check_rule(cross_axis, sample((4, 3, 2), (-1, 1)), sample((2, 3), (-1, 1), seed=1),
               wrt=(0, 1))
    check_rule(cross_2d, sample((2, 4), (-1, 1)), sample((3, 4), (-1, 1), seed=1),
               wrt=(0, 1))
    check_rule(cross_2d, sample((2, 4), (-1, 1)), sample((2, 4), (-1, 1), seed=1),
               wrt=(0, 1))
    check_rule(vecdot_axis, sample((4, 3), (-1, 1)), sample((4, 1), (-1, 1), seed=1),
               wrt=(0, 1))
    check_rule(vecdot_negative_axis, sample((2, 4, 3), (-1, 1)), sample((4, 3), (-1, 1)),
               wrt=(0, 1))


# ===================================================================== polynomials
def vander_with(n=None, increasing=False):
    def f(x):
        return np.vander(x, n, increasing=increasing)
    return f


@exercises("np.vander")
@pytest.mark.parametrize("n", [None, 1, 2, 4, 6])
@pytest.mark.parametrize("increasing", [False, True])
def test_vander(n, increasing):
    x = sample((4,), (-1.5, 1.5))
    check_rule(vander_with(n, increasing), x)
    x0 = np.array([0.0, 1.0, -2.0])
    check_rule(vander_with(n, increasing), x0)             # exact at 0 (0 ** -1 unused)
    ints = np.array([0, 1, -2])
    assert_gradient_type(check_rule(vander_with(n, increasing), ints, float32=False), ints)


def polyval_of(p, x):
    return np.polyval(p, x)


@exercises("np.polyval")
@pytest.mark.parametrize("n, xshape", [(1, (3,)), (2, ()), (4, (3,)), (5, (2, 3)), (3, "float")],
                         ids=str)
def test_polyval(n, xshape):
    p = sample((n,), (-1, 1))
    x = sample(xshape, (-1.5, 1.5), seed=1)
    gp, gx = check_rule(polyval_of, p, x, wrt=(0, 1))
    assert_gradient_type(gp, p)
    assert_gradient_type(gx, x)
    check_rule(polyval_of, p, np.array([0.0, 1.0]), wrt=(0, 1))
    ints = np.arange(n) - 1
    assert_gradient_type(check_rule(polyval_of, p, ints, wrt=1, float32=False), ints)


# ===================================================================== differences
def diff_with(n=1, axis=-1):
    def f(a):
        return np.diff(a, n, axis)
    return f


def diff_pieces(a, p, q):
    return np.diff(a, 2, axis=0, prepend=p, append=q)


def diff_scalar_pieces(a, p, q):
    return np.diff(a, axis=-1, prepend=p, append=q)


@exercises("np.diff")
@pytest.mark.parametrize("shape, n, axis", [((5,), 1, -1), ((5,), 3, 0), ((3, 4), 1, 0),
                                            ((3, 4), 2, -1), ((2, 3, 4), 1, 1),
                                            ((2, 3, 4), 2, -3), ((4,), 0, -1)], ids=str)
def test_diff(shape, n, axis):
    a = sample(shape, (-1, 1))
    assert_gradient_type(check_rule(diff_with(n, axis), a), a)
    ints = np.arange(int(np.prod(shape))).reshape(shape) ** 2
    assert_gradient_type(check_rule(diff_with(n, axis), ints, float32=False), ints)


@exercises("np.diff")
def test_diff_prepend_and_append():
    a = sample((3, 4), (-1, 1))
    check_rule(diff_pieces, a, sample((1, 4), (-1, 1), seed=1), sample((2, 4), (-1, 1), seed=2),
               wrt=(0, 1, 2))
    gp = check_rule(diff_scalar_pieces, a, 0.5, sample((3, 2), (-1, 1)), wrt=(0, 1, 2))[1]
    assert type(gp) is float


def ediff1d_of(a):
    return np.ediff1d(a)


def ediff1d_ends(a, e, b):
    return np.ediff1d(a, to_end=e, to_begin=b)


@exercises("np.ediff1d")
def test_ediff1d():
    for shape in [(5,), (2, 3), (1,)]:
        check_rule(ediff1d_of, sample(shape, (-1, 1)))
    check_rule(ediff1d_ends, sample((2, 3), (-1, 1)), sample((2,), (-1, 1)), 0.5,
               wrt=(0, 1, 2))
    ints = np.arange(5) ** 2
    assert_gradient_type(check_rule(ediff1d_of, ints, float32=False), ints)


def cumprod_with(axis=None):
    def f(a):
        return np.cumprod(a, axis=axis)
    return f


def cumprod_method(a):
    return a.cumprod(axis=1)


@exercises("np.cumprod", "ndarray.cumprod()")
@pytest.mark.parametrize("shape, axis", [((5,), None), ((5,), 0), ((3, 4), None), ((3, 4), 0),
                                         ((3, 4), -1), ((2, 3, 4), 1), ((), None)], ids=str)
def test_cumprod(shape, axis):
    a = sample(shape, ("signed", 0.5, 1.5))
    assert_gradient_type(check_rule(cumprod_with(axis), a), a)
    check_rule(cumprod_method, sample((2, 3), ("signed", 0.5, 1.5)))


@exercises("np.cumprod")
def test_cumprod_at_zeros():
    # A polynomial in each element: central differences are exact enough at zeros too.
    for a in ([2.0, 0.0, 3.0, -1.5], [0.0, 0.0, 2.0], [1.5, -2.0, 0.0], [0.0]):
        check_rule(cumprod_with(0), np.array(a))
    check_rule(cumprod_with(1), np.array([[1.0, 0.0, 2.0, 0.0], [0.5, 2.0, 0.0, 3.0]]))
    ints = np.array([2, 0, 3, 1])
    assert_gradient_type(check_rule(cumprod_with(None), ints, float32=False), ints)
    with pytest.raises(AdtransError, match="astype"):
        vjp_ones(cumprod_int, np.array([1.5, 2.5]))


def cumprod_int(a):
    return np.cumprod(a, dtype=np.int64) * a


# ===================================================================== integrals, slopes
def trapezoid_with(axis=-1):
    def f(y, x):
        return np.trapezoid(y, x, axis=axis)
    return f


def trapezoid_dx(y, dx):
    return np.trapezoid(y, dx=dx, axis=0)


def trapezoid_plain(y):
    return np.trapezoid(y)


@exercises("np.trapezoid")
@pytest.mark.parametrize("yshape, xshape, axis", [((5,), (5,), -1), ((3, 4), (4,), -1),
                                                  ((3, 4), (3,), 0), ((3, 4), (3, 4), 0),
                                                  ((2, 3, 4), (3,), 1),
                                                  ((2, 3, 4), (2, 3, 4), -2)], ids=str)
def test_trapezoid(yshape, xshape, axis):
    y = sample(yshape, (-1, 1))
    x = np.sort(sample(xshape, (0, 3), seed=1), axis=axis if len(xshape) > 1 else 0)
    gy, gx = check_rule(trapezoid_with(axis), y, x, wrt=(0, 1))
    assert_gradient_type(gy, y)
    assert_gradient_type(gx, x)


@exercises("np.trapezoid")
def test_trapezoid_dx_and_integers():
    y = sample((4, 3), (-1, 1))
    gy, gdx = check_rule(trapezoid_dx, y, 0.3, wrt=(0, 1))
    assert type(gdx) is float
    check_rule(trapezoid_plain, y)
    ints = np.arange(5) ** 2
    assert_gradient_type(check_rule(trapezoid_plain, ints, float32=False), ints)


def gradient_with(spacing=None, axis=None, edge_order=1):
    if spacing is None:
        def f(a):
            return np.gradient(a, axis=axis, edge_order=edge_order)
    else:
        def f(a):
            return np.gradient(a, spacing, axis=axis, edge_order=edge_order)
    return f


def gradient_spacing(edge_order, axis):
    def f(a, h):
        return np.gradient(a, h, axis=axis, edge_order=edge_order)
    return f


def gradient_both_axes(a):
    return np.sum(np.gradient(a))


@exercises("np.gradient")
@pytest.mark.parametrize("edge_order", [1, 2])
@pytest.mark.parametrize("shape, axis", [((5,), None), ((3,), 0), ((4, 5), 0), ((4, 5), -1),
                                         ((2, 3, 4), 1)], ids=str)
def test_gradient(shape, axis, edge_order):
    a = sample(shape, (-1, 1))
    n = shape[0 if axis is None else axis]
    assert_gradient_type(check_rule(gradient_with(axis=axis, edge_order=edge_order), a), a)
    check_rule(gradient_with(0.3, axis=axis, edge_order=edge_order), a)
    check_rule(gradient_spacing(edge_order, axis), a, 0.3, wrt=(0, 1))
    coordinates = np.cumsum(sample((n,), (0.5, 1.5), seed=3))
    check_rule(gradient_spacing(edge_order, axis), a, coordinates, wrt=(0, 1))
    ints = np.arange(int(np.prod(shape))).reshape(shape) ** 2
    assert_gradient_type(check_rule(gradient_with(axis=axis, edge_order=edge_order), ints,
                                    float32=False), ints)


@exercises("np.gradient")
def test_gradient_along_several_axes_is_refused():
    with pytest.raises(AdtransError, match="once per axis"):
        vjp_ones(gradient_both_axes, sample((3, 4), (-1, 1)))


def interp_of(x, xp, fp):
    return np.interp(x, xp, fp)


def interp_bounds(x, fp, lo, hi):
    return np.interp(x, np.array([-1.0, 0.0, 0.5, 1.0]), fp, left=lo, right=hi)


def interp_period(x, xp, fp):
    return np.interp(x, xp, fp, period=2.0)


@exercises("np.interp")
@pytest.mark.parametrize("xshape", [(), (6,), (2, 3)], ids=str)
def test_interp(xshape):
    xp = np.array([-1.0, -0.2, 0.3, 1.1, 1.6])
    fp = sample((5,), (-1, 1), seed=1)
    # x inside and outside [xp[0], xp[-1]], away from the knots.
    x = np.array([-1.4, -0.6, 0.05, 0.7, 1.3, 2.0])[:int(np.prod(xshape))].reshape(xshape)
    gx, gxp, gfp = check_rule(interp_of, x, xp, fp, wrt=(0, 1, 2))
    assert_gradient_type(gx, x)
    assert_gradient_type(gfp, fp)


@exercises("np.interp")
def test_interp_bounds_period_and_integers():
    x = np.array([-1.5, -0.4, 0.2, 0.8, 1.5])
    fp = sample((4,), (-1, 1), seed=1)
    check_rule(interp_bounds, x, fp, -2.0, 2.0, wrt=(0, 1, 2, 3))
    xp = np.array([0.1, 0.6, 1.2, 1.7])
    check_rule(interp_period, np.array([-0.9, 0.3, 1.0, 1.9, 2.5]), xp, fp, wrt=(0, 1, 2))
    assert_gradient_type(check_rule(interp_of, np.array([0, 1]), xp, fp, wrt=2,
                                    float32=False), fp)


def convolve_with(mode):
    def f(a, v):
        return np.convolve(a, v, mode)
    return f


def correlate_with(mode):
    def f(a, v):
        return np.correlate(a, v, mode)
    return f


def convolve_default(a, v):
    return np.convolve(a, v) + np.correlate(a, v, mode="full")[:np.size(a) + np.size(v) - 1]


@exercises("np.convolve", "np.correlate")
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("n, m", [(5, 3), (3, 5), (4, 4), (6, 1), (1, 4), (5, 2), (2, 5)],
                         ids=str)
def test_convolve_and_correlate(mode, n, m):
    a, v = sample((n,), (-1, 1)), sample((m,), (-1, 1), seed=1)
    for factory in (convolve_with, correlate_with):
        ga, gv = check_rule(factory(mode), a, v, wrt=(0, 1))
        assert_gradient_type(ga, a)
        assert_gradient_type(gv, v)


@exercises("np.convolve", "np.correlate")
def test_convolve_defaults_and_integers():
    check_rule(convolve_default, sample((4,), (-1, 1)), sample((3,), (-1, 1)), wrt=(0, 1))
    ints = np.arange(4)
    assert_gradient_type(check_rule(convolve_with("same"), ints, sample((3,), (-1, 1)),
                                    float32=False), ints)


@exercises("np.i0")
@pytest.mark.parametrize("shape", [(), (5,), (2, 3)], ids=str)
def test_i0(shape):
    x = sample(shape, (-4, 4))
    assert_gradient_type(check_rule(pair_of(np.multiply), np.i0(x), 1.0), np.i0(x))
    assert_gradient_type(check_rule(unary_i0, x), x)
    check_rule(unary_i0, np.array([0.0, 1e-3, -6.0]))
    # Far out central differences lose digits: the slope against scipy's I1.
    from scipy.special import i1
    big = np.array([-30.0, 20.0, 80.0, 300.0])
    np.testing.assert_allclose(vjp_ones(unary_i0, big), i1(big), rtol=1e-13)


def unary_i0(x):
    return np.i0(x)
