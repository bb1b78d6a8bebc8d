"""Rules of np.linalg: each checked against central differences (float64) and in float32,
on single and stacked matrices; refusals checked to raise AdtransError."""

import numpy as np
import pytest
import scipy.linalg as sla
from helpers.rule_testing import assert_gradient_type, check_rule, exercises, rng, sample

import adtrans
from adtrans import AdtransError
from adtrans.rules import linalg as linalg_rules
from adtrans.rules import scipy_linalg as scipy_linalg_rules  # for sqrtm_vjp itself

# (Its rules load by themselves once scipy.linalg is imported: registry.OPTIONAL_RULES.)


# ============================================================================ inputs
def well_conditioned(shape, seed=0):
    return np.eye(shape[-1]) * 2.0 + 0.3 * rng(seed).standard_normal(shape)


def spd(shape, seed=0):
    """Symmetric positive definite with distinct eigenvalues (stacks too)."""
    a = rng(seed).standard_normal(shape)
    n = shape[-1]
    return a @ np.swapaxes(a, -1, -2) / n + np.diag(np.arange(1.0, n + 1.0))


def real_spectrum(shape, seed=0):
    """A nonsymmetric matrix with real, well separated eigenvalues."""
    n = shape[-1]
    p = well_conditioned(shape, seed)
    d = np.diag(np.arange(1.0, n + 1.0) * np.array([1.0, -1.0] * n)[:n])
    return p @ d @ np.linalg.inv(p)


def general(shape, seed=0):
    return rng(seed).standard_normal(shape)


# ============================================================================ inverse, det
def inv_fn(x):
    return np.linalg.inv(x)


def det_fn(x):
    return np.linalg.det(x)


def det_scaled(x, a):
    return np.sum(x * np.linalg.det(a))


@exercises("np.linalg.inv", "np.linalg.det")
@pytest.mark.parametrize("shape", [(1, 1), (3, 3), (2, 3, 3), (2, 1, 2, 2)], ids=str)
def test_inv_det(shape):
    x = well_conditioned(shape)
    check_rule(inv_fn, x)
    check_rule(det_fn, x)


def test_det_singular_and_integer():
    singular = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])
    check_rule(det_fn, singular)                 # the cofactors exist where det = 0
    check_rule(det_fn, np.zeros((2, 2)))
    stack = np.stack([singular, well_conditioned((3, 3))])
    check_rule(det_fn, stack)
    integer = np.array([[2, 1], [1, 3]])
    g = adtrans.grad(det_fn)(integer)
    assert_gradient_type(g, integer)
    np.testing.assert_allclose(g, [[3.0, -1.0], [-1.0, 2.0]], rtol=1e-14)


def test_det_of_stack_times_scalar():
    check_rule(det_scaled, 1.5, well_conditioned((2, 3, 3)), wrt=(0, 1))


def slogdet_log(x):
    sign, logdet = np.linalg.slogdet(x)
    return logdet


def slogdet_both(x):
    sign, logdet = np.linalg.slogdet(x)
    return sign * np.exp(logdet)


def slogdet_sign(x):
    sign, logdet = np.linalg.slogdet(x)
    return sign * 2.0


@exercises("np.linalg.slogdet")
@pytest.mark.parametrize("shape", [(1, 1), (3, 3), (2, 3, 3)], ids=str)
def test_slogdet(shape):
    x = well_conditioned(shape)
    x[..., 0, :] *= -1.0                      # negative determinants
    check_rule(slogdet_log, x)
    check_rule(slogdet_both, x)
    g = adtrans.grad(lambda_free_sign)(x)
    assert np.all(g == 0)


def lambda_free_sign(x):
    return np.sum(slogdet_sign(x))


def test_slogdet_singular_refused():
    with pytest.raises(AdtransError, match="singular"):
        adtrans.grad(slogdet_log)(np.ones((2, 2)))


# ============================================================================ solvers
def solve_fn(a, b):
    return np.linalg.solve(a, b)


@exercises("np.linalg.solve")
@pytest.mark.parametrize("a_shape, b_shape", [
    ((3, 3), (3,)), ((3, 3), (3, 2)), ((2, 3, 3), (2, 3, 2)), ((2, 3, 3), (3,)),
    ((2, 3, 3), (3, 2)), ((3, 3), (2, 3, 1)), ((1, 1), (1,))], ids=str)
def test_solve(a_shape, b_shape):
    check_rule(solve_fn, well_conditioned(a_shape), general(b_shape, 1), wrt=(0, 1))


def test_solve_integer():
    a, b = np.array([[3, 1], [1, 2]]), np.array([1, 2])
    ga, gb = adtrans.grad(lambda_solve_sum, wrt=(0, 1))(a, b)
    assert_gradient_type(ga, a)
    assert_gradient_type(gb, b)
    check_rule(lambda_solve_sum, a.astype(float), b.astype(float), wrt=(0, 1))


def lambda_solve_sum(a, b):
    return np.sum(np.linalg.solve(a, b))


def pinv_fn(x):
    return np.linalg.pinv(x)


def pinv_rcond(x):
    return np.linalg.pinv(x, 1e-10)


def pinv_rtol(x):
    return np.linalg.pinv(x, rtol=1e-8)


@exercises("np.linalg.pinv")
@pytest.mark.parametrize("shape", [(3, 3), (4, 2), (2, 4), (2, 4, 3), (1, 3)], ids=str)
def test_pinv(shape):
    check_rule(pinv_fn, general(shape, 2))
    check_rule(pinv_rcond, general(shape, 3))
    check_rule(pinv_rtol, general(shape, 4))


def test_pinv_rank_deficient_refused():
    x = np.outer([1.0, 2.0, 3.0], [1.0, -1.0])
    with pytest.raises(AdtransError, match="rank-deficient"):
        adtrans.grad(lambda_pinv_sum)(x)


def lambda_pinv_sum(x):
    return np.sum(np.linalg.pinv(x))


def pinv_hermitian(x):
    return np.sum(np.linalg.pinv(x, hermitian=True))


def test_pinv_hermitian_refused():
    with pytest.raises(AdtransError, match="hermitian"):
        adtrans.grad(pinv_hermitian)(spd((3, 3)))


def lstsq_x(a, b):
    x, residuals, rank, s = np.linalg.lstsq(a, b)
    return x


def lstsq_all(a, b):
    x, residuals, rank, s = np.linalg.lstsq(a, b, rcond=None)
    return x, residuals, s


@exercises("np.linalg.lstsq")
@pytest.mark.parametrize("a_shape, b_shape", [
    ((5, 3), (5,)), ((5, 3), (5, 2)), ((3, 3), (3,)), ((2, 4), (2,)), ((2, 4), (2, 3))],
    ids=str)
def test_lstsq(a_shape, b_shape):
    a, b = general(a_shape, 5), general(b_shape, 6)
    check_rule(lstsq_x, a, b, wrt=(0, 1))
    check_rule(lstsq_all, a, b, wrt=(0, 1))


def lstsq_positional(a, b):
    return np.linalg.lstsq(a, b, None)[0]


def test_lstsq_positional_rcond():
    check_rule(lstsq_positional, general((4, 2), 1), general((4,), 2), wrt=(0, 1))


def test_lstsq_rank_deficient_refused():
    a = np.outer([1.0, 2.0, 3.0], [1.0, -1.0])
    with pytest.raises(AdtransError, match="rank-deficient"):
        adtrans.grad(lambda_lstsq_sum)(a, np.ones(3))


def lambda_lstsq_sum(a, b):
    return np.sum(lstsq_x(a, b))


def tensorsolve_fn(a, b):
    return np.linalg.tensorsolve(a, b)


def tensorsolve_axes(a, b):
    return np.linalg.tensorsolve(a, b, axes=(0,))


def tensorinv_fn(a):
    return np.linalg.tensorinv(a)


def tensorinv_ind1(a):
    return np.linalg.tensorinv(a, ind=1)


@exercises("np.linalg.tensorsolve", "np.linalg.tensorinv")
def test_tensorsolve_tensorinv():
    a = well_conditioned((6, 6), 7).reshape(2, 3, 6)
    check_rule(tensorsolve_fn, a, general((2, 3), 8), wrt=(0, 1))
    b = well_conditioned((6, 6), 9).reshape(6, 2, 3)
    check_rule(tensorsolve_axes, b, general((2, 3), 10), wrt=(0, 1))
    check_rule(tensorinv_fn, well_conditioned((6, 6), 11).reshape(2, 3, 6))
    check_rule(tensorinv_fn, well_conditioned((6, 6), 11).reshape(2, 3, 2, 3))
    check_rule(tensorinv_ind1, well_conditioned((6, 6), 12).reshape(6, 2, 3))


# ============================================================================ products
def power_factory(n):
    def power(a):
        return np.linalg.matrix_power(a, n)
    return power


@exercises("np.linalg.matrix_power")
@pytest.mark.parametrize("n", [0, 1, 2, 3, 5, -1, -2, -3])
@pytest.mark.parametrize("shape", [(3, 3), (2, 3, 3)], ids=str)
def test_matrix_power(shape, n):
    x = well_conditioned(shape) / 2.0
    g = check_rule(power_factory(n), x)
    if n == 0:
        assert np.all(g == 0)


def multi_dot3(a, b, c):
    return np.linalg.multi_dot([a, b, c])


def multi_dot4(a, b, c, d):
    return np.linalg.multi_dot((a, b, c, d))


def multi_dot2(a, b):
    return np.linalg.multi_dot([a, b])


@exercises("np.linalg.multi_dot")
def test_multi_dot():
    a, b, c, d = general((2, 3), 1), general((3, 4), 2), general((4, 2), 3), general((2, 5), 4)
    check_rule(multi_dot3, a, b, c, wrt=(0, 1, 2))
    check_rule(multi_dot4, a, b, c, d, wrt=(0, 1, 2, 3))
    check_rule(multi_dot3, general((3,), 5), b, general((4,), 6), wrt=(0, 1, 2))
    check_rule(multi_dot3, general((3,), 5), b, c, wrt=(0, 1, 2))
    check_rule(multi_dot3, a, b, general((4,), 6), wrt=(0, 1, 2))
    check_rule(multi_dot2, a, b, wrt=(0, 1))


def linalg_matmul(a, b):
    return np.linalg.matmul(a, b)


def linalg_outer(a, b):
    return np.linalg.outer(a, b)


def linalg_cross(a, b):
    return np.linalg.cross(a, b)


def linalg_cross_axis(a, b):
    return np.linalg.cross(a, b, axis=0)


def linalg_vecdot(a, b):
    return np.linalg.vecdot(a, b)


def linalg_vecdot_axis(a, b):
    return np.linalg.vecdot(a, b, axis=0)


def linalg_tensordot(a, b):
    return np.linalg.tensordot(a, b)


def linalg_tensordot_axes(a, b):
    return np.linalg.tensordot(a, b, axes=([0, 2], [1, 0]))


def linalg_tensordot_int(a, b):
    return np.linalg.tensordot(a, b, axes=1)


@exercises("np.linalg.matmul", "np.linalg.outer", "np.linalg.cross", "np.linalg.vecdot",
           "np.linalg.tensordot")
def test_array_api_products():
    both = (0, 1)
    check_rule(linalg_matmul, general((2, 3), 1), general((3, 4), 2), wrt=both)
    check_rule(linalg_matmul, general((2, 1, 2, 3), 1), general((4, 3, 2), 2), wrt=both)
    check_rule(linalg_matmul, general((3,), 1), general((2, 3, 4), 2), wrt=both)
    check_rule(linalg_matmul, general((2, 3, 4), 1), general((4,), 2), wrt=both)
    check_rule(linalg_matmul, general((3,), 1), general((3,), 2), wrt=both)
    check_rule(linalg_outer, general((3,), 1), general((4,), 2), wrt=both)
    check_rule(linalg_cross, general((3,), 1), general((3,), 2), wrt=both)
    check_rule(linalg_cross, general((2, 3), 1), general((3,), 2), wrt=both)
    check_rule(linalg_cross_axis, general((3, 2), 1), general((3, 1), 2), wrt=both)
    check_rule(linalg_vecdot, general((2, 3), 1), general((3,), 2), wrt=both)
    check_rule(linalg_vecdot, general((4, 1, 3), 1), general((2, 3), 2), wrt=both)
    check_rule(linalg_vecdot_axis, general((3, 2), 1), general((3, 1), 2), wrt=both)
    check_rule(linalg_tensordot, general((2, 3, 4), 1), general((3, 4, 2), 2), wrt=both)
    check_rule(linalg_tensordot_axes, general((2, 3, 4), 1), general((4, 2, 5), 2),
               wrt=both)
    check_rule(linalg_tensordot_int, general((2, 3), 1), general((3, 4), 2), wrt=both)


def linalg_matrix_transpose(x):
    return np.linalg.matrix_transpose(x)


def linalg_trace(x):
    return np.linalg.trace(x)


def linalg_trace_offset(x):
    return np.linalg.trace(x, offset=1)


def linalg_diagonal(x):
    return np.linalg.diagonal(x)


def linalg_diagonal_offset(x):
    return np.linalg.diagonal(x, offset=-1)


@exercises("np.linalg.matrix_transpose", "np.linalg.trace", "np.linalg.diagonal")
@pytest.mark.parametrize("shape", [(3, 3), (2, 4), (2, 3, 4)], ids=str)
def test_array_api_linear(shape):
    x = general(shape, 1)
    for f in (linalg_matrix_transpose, linalg_trace, linalg_trace_offset, linalg_diagonal,
              linalg_diagonal_offset):
        check_rule(f, x)


# ============================================================================ factorisations
def cholesky_fn(a):
    return np.linalg.cholesky(a)


def cholesky_upper(a):
    return np.linalg.cholesky(a, upper=True)


def cholesky_symmetrised(a):
    return np.linalg.cholesky((a + np.swapaxes(a, -1, -2)) / 2.0)


@exercises("np.linalg.cholesky")
@pytest.mark.parametrize("shape", [(1, 1), (3, 3), (2, 4, 4)], ids=str)
def test_cholesky(shape):
    a = spd(shape)
    g = check_rule(cholesky_fn, a)
    assert np.all(np.triu(g, 1) == 0)               # the upper triangle is never read
    g = check_rule(cholesky_upper, a)
    assert np.all(np.tril(g, -1) == 0)
    g = check_rule(cholesky_symmetrised, a)
    np.testing.assert_allclose(g, np.swapaxes(g, -1, -2), rtol=1e-10, atol=1e-12)


def qr_fn(a):
    q, r = np.linalg.qr(a)
    return q, r


def qr_r_only(a):
    q, r = np.linalg.qr(a)
    return r


def qr_complete(a):
    q, r = np.linalg.qr(a, mode="complete")
    return q, r


def qr_mode_r(a):
    return np.sum(np.linalg.qr(a, mode="r"))


def qr_complete_sum(a):
    q, r = np.linalg.qr(a, mode="complete")
    return np.sum(q) + np.sum(r)


def qr_sum(a):
    q, r = np.linalg.qr(a)
    return np.sum(q) + np.sum(r)


@exercises("np.linalg.qr")
@pytest.mark.parametrize("shape", [(3, 3), (5, 3), (2, 4, 3), (4, 1)], ids=str)
def test_qr(shape):
    a = general(shape, 3)
    check_rule(qr_fn, a)
    check_rule(qr_r_only, a)
    if shape[-1] == shape[-2]:
        check_rule(qr_complete, a)


def test_qr_refusals():
    with pytest.raises(AdtransError, match="mode"):
        adtrans.grad(qr_mode_r)(general((3, 3)))
    with pytest.raises(AdtransError, match="mode"):
        adtrans.grad(qr_complete_sum)(general((4, 3)))
    with pytest.raises(AdtransError, match="wide"):
        adtrans.grad(qr_sum)(general((2, 3)))


# ============================================================================ eigenproblems
def eigh_values(a):
    w, v = np.linalg.eigh(a)
    return w


def eigh_both(a):
    w, v = np.linalg.eigh(a)
    return w, v * v, v @ (np.exp(w)[..., np.newaxis] * np.swapaxes(v, -1, -2))


def eigh_upper(a):
    w, v = np.linalg.eigh(a, UPLO="U")
    return w, np.abs(v)


def eigh_vectors_only(a):
    w, v = np.linalg.eigh(a)
    return v ** 2


def eigvalsh_fn(a):
    return np.linalg.eigvalsh(a)


def eigvalsh_upper(a):
    return np.linalg.eigvalsh(a, UPLO="U")


@exercises("np.linalg.eigh", "np.linalg.eigvalsh")
@pytest.mark.parametrize("shape", [(1, 1), (3, 3), (2, 4, 4)], ids=str)
def test_eigh(shape):
    a = spd(shape, 1)
    a[..., 0, -1] += 5.0        # garbage in the upper triangle: the lower one is read
    g = check_rule(eigh_values, a)
    assert np.all(np.triu(g, 1) == 0)
    check_rule(eigh_both, a)
    check_rule(eigh_vectors_only, a)
    check_rule(eigvalsh_fn, a)
    b = np.swapaxes(a, -1, -2).copy()
    g = check_rule(eigh_upper, b)
    assert np.all(np.tril(g, -1) == 0)
    check_rule(eigvalsh_upper, b)


def eigh_sum_values(a):
    w, v = np.linalg.eigh(a)
    return np.sum(w)


def eigh_sum_vectors(a):
    w, v = np.linalg.eigh(a)
    return np.sum(v ** 2 * np.arange(3.0))


def eigh_first_value(a):
    w, v = np.linalg.eigh(a)
    return w[0]


def test_eigh_repeated():
    a = np.diag([1.0, 1.0, 2.0])
    g = adtrans.grad(eigh_sum_values)(a)           # a symmetric use of the repeated pair
    np.testing.assert_allclose(g, np.eye(3), atol=1e-14)
    with pytest.raises(AdtransError, match="repeated"):
        adtrans.grad(eigh_sum_vectors)(a)
    with pytest.raises(AdtransError, match="repeated"):
        adtrans.grad(eigh_first_value)(a)


def eig_values(a):
    w, v = np.linalg.eig(a)
    return w


def eig_both(a):
    w, v = np.linalg.eig(a)
    return w, v * v


def eigvals_fn(a):
    return np.linalg.eigvals(a)


@exercises("np.linalg.eig", "np.linalg.eigvals")
@pytest.mark.parametrize("shape", [(1, 1), (3, 3), (2, 3, 3)], ids=str)
def test_eig(shape):
    a = real_spectrum(shape, 2)
    check_rule(eig_values, a)
    check_rule(eig_both, a)
    check_rule(eigvals_fn, a)
    s = spd(shape, 3)                      # symmetric: all of it is read, unlike eigh
    check_rule(eig_both, s)


def eig_sum(a):
    w, v = np.linalg.eig(a)
    return np.sum(w)


def eigvals_sum(a):
    return np.sum(np.linalg.eigvals(a))


def test_eig_complex_refused():
    rotation = np.array([[0.0, -1.0], [1.0, 0.0]])
    for f in (eig_sum, eigvals_sum):
        with pytest.raises(AdtransError):
            adtrans.grad(f)(rotation)
    w, v = np.linalg.eig(rotation)
    with pytest.raises(AdtransError, match="complex eigenvalues"):
        linalg_rules.eig_vjp((np.ones(2), None), (w, v), rotation)
    with pytest.raises(AdtransError, match="complex eigenvalues"):
        linalg_rules.eigvals_cotangent(np.ones(2), w, rotation)


# ============================================================================ SVD
def svd_reduced(a):
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    return s, u * u, vh * vh, (u * np.exp(s)[..., np.newaxis, :]) @ vh


def svd_values_only(a):
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    return s


def svd_compute_uv_false(a):
    return np.linalg.svd(a, compute_uv=False)


def svd_full_square(a):
    u, s, vh = np.linalg.svd(a)
    return s, u * u, vh * vh


def svd_full_values(a):
    u, s, vh = np.linalg.svd(a)
    return s


def svdvals_fn(a):
    return np.linalg.svdvals(a)


@exercises("np.linalg.svd", "np.linalg.svdvals")
@pytest.mark.parametrize("shape", [(1, 1), (3, 3), (4, 2), (2, 4), (2, 3, 3), (2, 4, 3),
                                   (2, 3, 5)], ids=str)
def test_svd(shape):
    a = general(shape, 4)
    check_rule(svd_reduced, a)
    check_rule(svd_values_only, a)
    check_rule(svd_compute_uv_false, a)
    check_rule(svdvals_fn, a)
    check_rule(svd_full_values, a)
    if shape[-1] == shape[-2]:
        check_rule(svd_full_square, a)


def svd_full_vectors(a):
    u, s, vh = np.linalg.svd(a)
    return np.sum(u)


def svd_hermitian(a):
    return np.sum(np.linalg.svd(a, hermitian=True)[1])


def test_svd_refusals():
    with pytest.raises(AdtransError, match="full_matrices"):
        adtrans.grad(svd_full_vectors)(general((4, 2)))
    with pytest.raises(AdtransError, match="hermitian"):
        adtrans.grad(svd_hermitian)(spd((3, 3)))
    with pytest.raises(AdtransError, match="repeated"):
        adtrans.grad(svd_full_vectors)(np.eye(3))


# ============================================================================ norms
def norm_factory(ord=None, axis=None, keepdims=False):
    def f(x):
        return np.linalg.norm(x, ord=ord, axis=axis, keepdims=keepdims)
    return f


def norm_positional(x):
    return np.linalg.norm(x, 3, 0, True)


VECTOR_ORDS = [None, 2, 1, -1, np.inf, -np.inf, 3, 0.5, -2, 1.5]
MATRIX_ORDS = [None, "fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf]


@exercises("np.linalg.norm")
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("ord", VECTOR_ORDS, ids=str)
def test_norm_vector_orders(ord, keepdims):
    x = sample((2, 3, 4), ("signed", 0.5, 1.5), seed=1)
    check_rule(norm_factory(ord, None, keepdims), x[0, 0])
    for axis in (0, 1, -1, 2, -3):
        check_rule(norm_factory(ord, axis, keepdims), x)


@exercises("np.linalg.norm")
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("ord", MATRIX_ORDS, ids=str)
def test_norm_matrix_orders(ord, keepdims):
    x = sample((2, 3, 4), ("signed", 0.5, 1.5), seed=2)
    check_rule(norm_factory(ord, None, keepdims), x[0])
    for axis in ((0, 1), (1, 0), (-1, -2), (0, 2), (2, -3)):
        check_rule(norm_factory(ord, axis, keepdims), x)


@exercises("np.linalg.norm")
def test_norm_whole_and_conventions():
    x = sample((2, 3, 4), ("signed", 0.5, 1.5), seed=3)
    check_rule(norm_factory(), x)
    check_rule(norm_factory(keepdims=True), x)
    check_rule(norm_factory(), np.array(0.7))
    check_rule(norm_positional, x)
    integer = np.array([3, -4])
    g = adtrans.grad(norm_factory())(integer)
    assert_gradient_type(g, integer)
    np.testing.assert_allclose(g, [0.6, -0.8])
    np.testing.assert_array_equal(adtrans.grad(norm_factory())(np.zeros(3)), np.zeros(3))
    ties = np.array([1.0, -3.0, 3.0, 2.0])
    np.testing.assert_allclose(adtrans.grad(norm_factory(np.inf))(ties), [0, -0.5, 0.5, 0])
    np.testing.assert_allclose(adtrans.grad(norm_factory(1))(np.array([0.0, -2.0])),
                               [0.0, -1.0])
    np.testing.assert_allclose(adtrans.grad(norm_factory(2))(np.eye(2)), np.eye(2) / 2)
    np.testing.assert_allclose(adtrans.grad(norm_factory("nuc"))(np.diag([1.0, 0.0])),
                               np.diag([1.0, 0.0]))


def test_norm_refusals():
    with pytest.raises(AdtransError, match="ord=0"):
        adtrans.grad(norm_factory(0))(np.array([1.0, 2.0]))
    with pytest.raises(AdtransError, match="zero element"):
        adtrans.grad(norm_factory(0.5))(np.array([0.0, 2.0]))


def matrix_norm_factory(ord="fro", keepdims=False):
    def f(x):
        return np.linalg.matrix_norm(x, ord=ord, keepdims=keepdims)
    return f


def vector_norm_factory(ord=2, axis=None, keepdims=False):
    def f(x):
        return np.linalg.vector_norm(x, ord=ord, axis=axis, keepdims=keepdims)
    return f


@exercises("np.linalg.matrix_norm")
@pytest.mark.parametrize("ord", MATRIX_ORDS[1:], ids=str)
def test_matrix_norm(ord):
    x = sample((2, 3, 4), ("signed", 0.5, 1.5), seed=4)
    for keepdims in (False, True):
        check_rule(matrix_norm_factory(ord, keepdims), x)
        check_rule(matrix_norm_factory(ord, keepdims), x[0])


@exercises("np.linalg.vector_norm")
@pytest.mark.parametrize("ord", [2, 1, np.inf, -np.inf, 3, -1, 0.5], ids=str)
def test_vector_norm(ord):
    x = sample((2, 3, 4), ("signed", 0.5, 1.5), seed=5)
    for axis in (None, 0, -1, (0, 2), (-1, 0), (0, 1, 2)):
        for keepdims in (False, True):
            check_rule(vector_norm_factory(ord, axis, keepdims), x)
    check_rule(vector_norm_factory(ord), x[0, 0])


def summed(fn):
    def f(x):
        return np.sum(fn(x))
    return f


@pytest.mark.parametrize("fn", [np.linalg.inv, np.linalg.det, np.linalg.pinv,
                                np.linalg.cholesky, np.linalg.eigvalsh, np.linalg.eigvals,
                                np.linalg.svdvals, np.linalg.matrix_norm, np.linalg.vector_norm,
                                np.linalg.norm], ids=lambda fn: fn.__name__)
def test_integer_matrices(fn):
    integer = np.array([[4, 1, 0], [1, 3, 1], [0, 1, 2]])
    g = adtrans.grad(summed(fn))(integer)
    assert_gradient_type(g, integer)
    np.testing.assert_allclose(g, adtrans.grad(summed(fn))(integer.astype(float)), rtol=1e-12)


# ============================================================================ scipy.linalg
def tri_factory(trans=0, lower=False, unit_diagonal=False):
    def f(a, b):
        return sla.solve_triangular(a, b, trans=trans, lower=lower, unit_diagonal=unit_diagonal)
    return f


def tri_positional(a, b):
    return sla.solve_triangular(a, b, 1, True)


@exercises("scipy.linalg.solve_triangular")
@pytest.mark.parametrize("trans", [0, 1, 2, "T"])
@pytest.mark.parametrize("lower", [False, True])
def test_solve_triangular(trans, lower):
    a = well_conditioned((3, 3), 1)          # the triangle not read is garbage
    for b in (general((3,), 2), general((3, 2), 3)):
        g = check_rule(tri_factory(trans, lower), a, b, wrt=(0, 1))[0]
        assert np.all((np.triu(g, 1) if lower else np.tril(g, -1)) == 0)
    g = check_rule(tri_factory(trans, lower, True), a, general((3, 2), 4), wrt=(0, 1))[0]
    assert np.all(np.diagonal(g) == 0)
    check_rule(tri_factory(trans, lower), well_conditioned((2, 3, 3), 5),
               general((2, 3, 2), 6), wrt=(0, 1))
    check_rule(tri_factory(trans, lower), well_conditioned((2, 3, 3), 5),
               general((3,), 6), wrt=(0, 1))
    check_rule(tri_positional, a, general((3,), 7), wrt=(0, 1))


def sp_cholesky(a):
    return sla.cholesky(a)


def sp_cholesky_lower(a):
    return sla.cholesky(a, lower=True)


def cho_factor_factory(lower):
    def f(a):
        c, low = sla.cho_factor(a, lower=lower)
        return c
    return f


def cho_solve_factory(lower):
    def f(a, b):
        factor = sla.cho_factor(a, lower=lower)
        return sla.cho_solve(factor, b)
    return f


def cho_solve_unpacked(a, b):
    c, low = sla.cho_factor(a)
    return sla.cho_solve((c, low), b)


def cho_solve_of_c(c, b):
    return sla.cho_solve((c, True), b)


@exercises("scipy.linalg.cholesky", "scipy.linalg.cho_factor", "scipy.linalg.cho_solve")
@pytest.mark.parametrize("shape", [(1, 1), (3, 3), (2, 3, 3)], ids=str)
def test_scipy_cholesky(shape):
    a = spd(shape, 2)
    g = check_rule(sp_cholesky, a)
    assert np.all(np.tril(g, -1) == 0)
    g = check_rule(sp_cholesky_lower, a)
    assert np.all(np.triu(g, 1) == 0)
    for lower in (False, True):
        check_rule(cho_factor_factory(lower), a)
        for b in (general(shape[-1:], 3), general(shape[:-1] + (2,), 4)):
            check_rule(cho_solve_factory(lower), a, b, wrt=(0, 1))
    check_rule(cho_solve_unpacked, a, general(shape[-1:], 5), wrt=(0, 1))
    c = np.linalg.cholesky(a) + np.triu(general(shape, 6), 1)    # garbage above: not read
    g = check_rule(cho_solve_of_c, c, general(shape[-1:], 7), wrt=(0, 1))[0]
    assert np.all(np.triu(g, 1) == 0)


def sp_inv(a):
    return sla.inv(a)


def sp_det(a):
    return sla.det(a)


def sp_solve_factory(transposed=False, assume_a=None, lower=False):
    def f(a, b):
        return sla.solve(a, b, lower=lower, assume_a=assume_a, transposed=transposed)
    return f


def sp_inv_sym(a):
    return np.sum(sla.inv(a, assume_a="sym"))


@exercises("scipy.linalg.inv", "scipy.linalg.det", "scipy.linalg.solve")
def test_scipy_inv_det_solve():
    a = well_conditioned((3, 3), 3)
    check_rule(sp_inv, a)
    check_rule(sp_det, a)
    check_rule(sp_det, np.array([[1.0, 2.0], [2.0, 4.0]]))
    check_rule(sp_inv, well_conditioned((2, 3, 3), 4))
    check_rule(sp_det, well_conditioned((2, 3, 3), 4))
    for b in (general((3,), 5), general((3, 2), 6)):
        check_rule(sp_solve_factory(), a, b, wrt=(0, 1))
        check_rule(sp_solve_factory(transposed=True), a, b, wrt=(0, 1))
        s = spd((3, 3), 7)
        s[2, 0] += 3.0                        # garbage in the triangle not read
        for lower in (False, True):
            t = s.T.copy() if lower else s
            for assume_a in ("sym", "pos"):
                g = check_rule(sp_solve_factory(assume_a=assume_a, lower=lower), t, b,
                               wrt=(0, 1))[0]
                assert np.all((np.triu(g, 1) if lower else np.tril(g, -1)) == 0)
    check_rule(sp_solve_factory(), well_conditioned((2, 3, 3), 8), general((2, 3, 2), 9),
               wrt=(0, 1))
    with pytest.raises(AdtransError, match="assume_a"):
        adtrans.grad(sp_inv_sym)(a)
    with pytest.raises(AdtransError, match="assume_a"):
        adtrans.grad(summed_solve_diagonal)(a, np.ones(3))


def summed_solve_diagonal(a, b):
    return np.sum(sla.solve(a, b, assume_a="diagonal"))


def sp_expm(a):
    return sla.expm(a)


def sp_sqrtm(a):
    return sla.sqrtm(a)


@exercises("scipy.linalg.expm")
@pytest.mark.parametrize("shape", [(1, 1), (3, 3), (2, 3, 3)], ids=str)
def test_expm(shape):
    check_rule(sp_expm, general(shape, 8) * 0.7)
    check_rule(sp_expm, np.zeros(shape))


@exercises("scipy.linalg.sqrtm")
@pytest.mark.parametrize("shape", [(1, 1), (3, 3), (2, 3, 3)], ids=str)
def test_sqrtm(shape):
    check_rule(sp_sqrtm, spd(shape, 9))
    check_rule(sp_sqrtm, spd(shape, 10) + 0.3 * general(shape, 11))    # not symmetric


def test_sqrtm_of_complex_eigenvalues_with_a_real_root():
    check_rule(sp_sqrtm, np.array([[1.0, -2.0], [2.0, 1.0]]))        # eigenvalues 1 +- 2i


def sqrtm_sum(a):
    return np.sum(np.real(sla.sqrtm(a)))


def test_sqrtm_complex_refused():
    x = np.array([[-1.0, 0.0], [0.0, 4.0]])
    with pytest.raises(AdtransError):
        adtrans.grad(sqrtm_sum)(x)
    with pytest.raises(AdtransError, match="complex"):
        scipy_linalg_rules.sqrtm_vjp(np.ones((2, 2)), sla.sqrtm(x), x)


def cond_factory(p=None):
    def f(x):
        return np.linalg.cond(x, p)
    return f


@exercises("np.linalg.cond")
@pytest.mark.parametrize("p", [None, 2, -2, "fro", "nuc", 1, -1, np.inf, -np.inf], ids=str)
def test_cond(p):
    check_rule(cond_factory(p), well_conditioned((3, 3), 12))
    check_rule(cond_factory(p), well_conditioned((2, 3, 3), 13))
    if p in (None, 2, -2):
        check_rule(cond_factory(p), general((4, 2), 14))
        check_rule(cond_factory(p), general((2, 2, 4), 15))


def test_cond_singular_refused():
    with pytest.raises(AdtransError, match="singular"):
        adtrans.grad(cond_factory())(np.ones((2, 2)))
    with pytest.raises(AdtransError, match="singular"):
        adtrans.grad(cond_factory(1))(np.ones((2, 2)))


def svd_vectors_sum(a):
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    return np.sum(u * u * np.arange(2.0))


def svdvals_weighted(a):
    return np.sum(np.linalg.svdvals(a) * np.arange(3.0))


def eig_weighted(a):
    w, v = np.linalg.eig(a)
    return np.sum(w * np.arange(3.0))


def test_degenerate_spectra_refused():
    column = np.array([[1.0, 0.0], [2.0, 0.0], [3.0, 0.0], [4.0, 0.0]])
    with pytest.raises(AdtransError, match="rank-deficient"):
        adtrans.grad(svd_vectors_sum)(column)
    with pytest.raises(AdtransError, match="repeated"):
        adtrans.grad(svdvals_weighted)(np.eye(3))
    with pytest.raises(AdtransError, match="repeated"):
        adtrans.grad(eig_weighted)(np.eye(3))
    np.testing.assert_allclose(adtrans.grad(summed(np.linalg.svdvals))(np.eye(3)), np.eye(3))
