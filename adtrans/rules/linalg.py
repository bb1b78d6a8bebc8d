"""Rules for np.linalg: solvers, factorisations, decompositions and norms.

Every rule works on stacks of matrices where NumPy does (the last two axes are the
matrix).  Formulas: M. Giles, "An extended collection of matrix derivative results
for forward and reverse mode AD" (2008); I. Murray, "Differentiation of the Cholesky
decomposition" (2016); J. Townsend, "Differentiating the singular value decomposition"
(2016); the QR rule of Walter & Lehmann / Seeger et al.; Boeddeker et al. (2017) for
eigenvectors of a general matrix.

Conventions:

* Functions that read one triangle only (``cholesky``, ``eigh``, ``eigvalsh``; the upper
  one for ``cholesky(upper=True)`` and ``UPLO="U"``) get the derivative of what NumPy
  computes: the cotangent lives on that triangle, an off-diagonal entry receiving
  ``G[i, j] + G[j, i]`` of the symmetric gradient ``G``, the other triangle 0.  A function
  that symmetrises its input first (``eigh((A + A.T) / 2)``) gets, through the chain rule,
  the symmetric gradient ``(G + G.T) / 2``: both agree with finite differences.
* Eigenvectors and singular vectors are defined up to sign (and up to rotation where
  values repeat): the rules give the derivative of a use of them that does not depend on
  that choice (``v ** 2``, ``v @ diag(w) @ v.T``).  Repeated eigenvalues (or singular
  values) with a nonzero cotangent of the vectors are refused, as are repeated values
  whose own cotangents differ (the derivative does not exist there).
* Norms follow the reductions' conventions: 0 at a zero vector (2-norm, Frobenius), the
  cotangent of a max/min shared equally among ties (ord=inf, -inf, 1, -1, and the
  singular values of ord=2, -2), ``sign(0) = 0`` for the absolute values inside (ord=1,
  inf), and singular values exactly 0 contribute nothing to the nuclear norm.  ord=0
  (a count) is refused.
"""

import numpy as np

from ..errors import AdtransError
from ..runtime import (
    diagonal_grad,
    float_dtype,
    matmul_grad_left,
    matmul_grad_right,
    trace_grad,
    unbroadcast,
)
from .registry import defvjp, defvjp_called


# ============================================================================ helpers
def _T(x):
    """Transpose of the last two axes (of every matrix of a stack)."""
    return np.swapaxes(x, -1, -2)


def _floats(x):
    """``x`` as an array of floats (integers and booleans become float64, as NumPy does)."""
    x = np.asarray(x)
    if x.dtype.kind == "c":
        raise AdtransError("complex matrices are not supported by the linear algebra rules")
    return x if x.dtype.kind == "f" else x.astype(np.float64)


def _eye(n, like):
    return np.eye(n, dtype=float_dtype(like))


def _part(g, i, like):
    """The i-th part of a multi-output cotangent, zeros where it is None (unused)."""
    part = None if g is None else g[i]
    if part is None:
        return np.zeros(np.shape(like), dtype=float_dtype(like))
    return np.asarray(part)


def _used(g, i):
    """Whether the i-th part of a multi-output cotangent is nonzero."""
    return g is not None and g[i] is not None and np.any(np.asarray(g[i]) != 0)


def _fold(x, lower):
    """The cotangent of a function that reads only one triangle of its (symmetric) input,
    from its gradient ``x`` over symmetric matrices: ``x[i, j] + x[j, i]`` off the
    diagonal of the triangle read, ``x[i, i]`` on it, 0 on the triangle not read."""
    both = x + _T(x)
    diagonal = x * _eye(x.shape[-1], x)
    off = np.tril(both, -1) if lower else np.triu(both, 1)
    return off + diagonal


def _gap_matrix(values):
    """``1 / (values[j] - values[i])`` off the diagonal, 0 on it (a stack of them)."""
    differences = values[..., np.newaxis, :] - values[..., :, np.newaxis]
    n = values.shape[-1]
    off = ~np.eye(n, dtype=bool)
    safe = np.where(off, differences, 1.0)
    return np.where(off, 1.0 / safe, 0.0).astype(values.dtype, copy=False)


def _tolerance(values, n):
    """Values closer than this are taken to be equal: n ulps of the largest magnitude."""
    scale = np.max(np.abs(values), axis=-1, keepdims=True) if values.shape[-1] else 0.0
    return n * np.finfo(values.dtype).eps * scale


def _close_pairs(values, n):
    """A boolean stack marking the pairs i != j of (numerically) equal values."""
    tol = _tolerance(values, n)[..., np.newaxis]
    close = np.abs(values[..., np.newaxis, :] - values[..., :, np.newaxis]) <= tol
    return close & ~np.eye(values.shape[-1], dtype=bool)


def _refuse_repeated(values, n, vectors_used, value_cotangent, what, vectors):
    """Refuse where the derivative does not exist: repeated values with a nonzero cotangent
    of the vectors, or with cotangents of their own that differ."""
    close = _close_pairs(values, n)
    if not np.any(close):
        return
    if vectors_used:
        raise AdtransError(
            f"{what}: repeated {vectors[0]} (equal to rounding) and a gradient through the "
            f"{vectors[1]}: the {vectors[1]} are not differentiable there (only "
            f"rotation-invariant uses of them are, and the rule cannot tell); use only the "
            f"{vectors[0]}, or move the input away from the repeated values")
    gv = value_cotangent
    scale = np.max(np.abs(gv)) if gv.size else 0.0
    differ = np.abs(gv[..., np.newaxis, :] - gv[..., :, np.newaxis]) > \
        np.sqrt(np.finfo(values.dtype).eps) * scale
    if np.any(close & differ):
        raise AdtransError(
            f"{what}: repeated {vectors[0]} (equal to rounding) used differently: the "
            f"{vectors[0]} one by one are not differentiable there (only symmetric functions "
            f"of a repeated group, such as their sum, are)")


def _square(a, what):
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise AdtransError(f"{what} needs square matrices, got shape {a.shape}")


# ============================================================================ inverse, det
@defvjp(np.linalg.inv)
def inv(g, ans, x):
    return -np.swapaxes(ans, -1, -2) @ g @ np.swapaxes(ans, -1, -2)


def cofactors(x, det):
    """The cofactor matrix of each matrix of ``x`` (the gradient of its determinant):
    ``det * inv(x).T``, or from an SVD where a determinant is 0 (adj(x) exists there)."""
    x = _floats(x)
    det = np.asarray(det)
    if np.all(det != 0):
        try:
            return det[..., np.newaxis, np.newaxis] * _T(np.linalg.inv(x))
        except np.linalg.LinAlgError:
            pass
    # x = U S V^T: cof(x) = det(U) det(V) U diag(prod of the other s) V^T.
    u, s, vt = np.linalg.svd(x)
    n = s.shape[-1]
    before = np.cumprod(np.concatenate([np.ones_like(s[..., :1]), s[..., :-1]], axis=-1),
                        axis=-1)
    after = np.flip(np.cumprod(np.concatenate(
        [np.ones_like(s[..., :1]), np.flip(s, axis=-1)[..., :-1]], axis=-1), axis=-1), axis=-1)
    others = before * after if n else s
    signs = np.linalg.det(u) * np.linalg.det(vt)
    return signs[..., np.newaxis, np.newaxis] * ((u * others[..., np.newaxis, :]) @ vt)


@defvjp(np.linalg.det)
def det(g, ans, x):
    return np.expand_dims(np.asarray(g), (-1, -2)) * cofactors(x, ans)


@defvjp_called(np.linalg.slogdet, returns=("tuple", 2))
def slogdet_vjp(g, ans, a):
    """``(sign, log|det|)``: the sign is piecewise constant; ``log|det|`` has gradient
    ``inv(a).T`` (refused where ``det = 0``)."""
    if not _used(g, 1):
        return (np.zeros(np.shape(a), dtype=float_dtype(ans[1])),)
    a = _floats(a)
    if np.any(np.asarray(ans[0]) == 0):
        raise AdtransError("np.linalg.slogdet of a singular matrix: log|det| is -inf there "
                           "and has no derivative")
    glog = np.asarray(g[1])
    return (glog[..., np.newaxis, np.newaxis] * _T(np.linalg.inv(a)),)


# ============================================================================ solvers
@defvjp_called(np.linalg.solve)
def solve_vjp(g, ans, a, b):
    """``x = solve(a, b)``: ``b_bar = solve(a.T, g)``, ``a_bar = -b_bar x.T``.  A 1-D ``b``
    is one vector (for every matrix of a stack of ``a``); any other is a stack of matrices."""
    a = _floats(a)
    g = np.asarray(g)
    vector = np.ndim(b) == 1
    gm = g[..., np.newaxis] if vector else g
    xm = np.asarray(ans)[..., np.newaxis] if vector else np.asarray(ans)
    gb = np.linalg.solve(_T(a), gm)
    ga = -(gb @ _T(xm))
    if vector:
        gb = gb[..., 0]
    return unbroadcast(ga, a), unbroadcast(gb, np.asarray(b))


_NOT_GIVEN = object()


def _pinv_cotangent(g, a, p):
    """Cotangent of ``p = pinv(a)`` for ``a`` of full rank (Golub & Pereyra)."""
    m, n = a.shape[-2:]
    pt = _T(p)
    left = _eye(m, a) - a @ p          # I - A A+   (m x m)
    right = _eye(n, a) - p @ a         # I - A+ A   (n x n)
    gt = _T(g)
    return -(pt @ g @ pt) + left @ gt @ p @ pt + pt @ p @ gt @ right


def _refuse_rank_deficient(s, cutoff, what):
    if np.any(s <= cutoff):
        raise AdtransError(
            f"{what} of a rank-deficient matrix (a singular value at or below the cutoff): "
            "the result jumps there and has no derivative; only matrices of full rank are "
            "differentiated")


@defvjp_called(np.linalg.pinv)
def pinv_vjp(g, ans, a, rcond=None, hermitian=False, *, rtol=_NOT_GIVEN):
    """Moore-Penrose inverse of a matrix of full rank (refused otherwise)."""
    if hermitian:
        raise AdtransError("np.linalg.pinv with hermitian=True reads one triangle only and "
                           "has no rule; drop hermitian=True (same result for a symmetric "
                           "matrix)")
    a = _floats(a)
    if rcond is None:
        if rtol is _NOT_GIVEN:
            rcond = 1e-15
        elif rtol is None:
            rcond = max(a.shape[-2:]) * np.finfo(a.dtype).eps
        else:
            rcond = rtol
    s = np.linalg.svd(a, compute_uv=False)
    if s.shape[-1]:
        cutoff = np.asarray(rcond)[..., np.newaxis] * np.max(s, axis=-1, keepdims=True)
        _refuse_rank_deficient(s, cutoff, "np.linalg.pinv")
    return (_pinv_cotangent(np.asarray(g), a, np.asarray(ans)),)


@defvjp_called(np.linalg.lstsq, returns=("tuple", 4))
def lstsq_vjp(g, ans, a, b, rcond=None):
    """``(x, residuals, rank, s)`` for ``a`` of full rank (refused otherwise): ``x =
    pinv(a) b``; the residuals ``|a x - b|^2`` (an envelope: ``x`` is optimal); the
    singular values of ``a``; the rank is an integer."""
    a, b = _floats(a), np.asarray(b)
    x, _, rank, s = ans
    m, n = a.shape
    if rank < min(m, n):
        raise AdtransError("np.linalg.lstsq of a rank-deficient matrix: the solution jumps "
                           "there and has no derivative; only matrices of full rank are "
                           "differentiated")
    ga = np.zeros(a.shape, dtype=float_dtype(x))
    gb = np.zeros(b.shape, dtype=float_dtype(x))
    vector = b.ndim == 1
    bm = b.reshape(-1, 1) if vector else b
    xm = np.asarray(x).reshape(n, -1)
    if _used(g, 0):
        gx = np.asarray(g[0]).reshape(n, -1)
        p = np.linalg.pinv(a)
        ga = ga + _pinv_cotangent(gx @ _T(bm), a, p)
        gb = gb + (_T(p) @ gx).reshape(b.shape)
    if _used(g, 1) and np.size(ans[1]):
        gr = np.asarray(g[1])
        e = bm - a @ xm                            # residual vectors, one column each
        ga = ga - 2.0 * (e * gr) @ _T(xm)
        gb = gb + (2.0 * e * gr).reshape(b.shape)
    if _used(g, 3):
        ga = ga + svdvals_cotangent(np.asarray(g[3]), a)
    return ga, gb


@defvjp_called(np.linalg.tensorsolve)
def tensorsolve_vjp(g, ans, a, b, axes=None):
    """``tensorsolve``: the same ``solve`` of ``a`` reshaped to a square matrix."""
    a, b = _floats(a), np.asarray(b)
    order = list(range(a.ndim))
    if axes is not None:
        for k in axes:
            order.remove(k)
            order.insert(a.ndim, k)
    moved = np.transpose(a, order)
    size = int(np.prod(ans.shape))
    matrix = moved.reshape(size, size)
    gb = np.linalg.solve(matrix.T, np.ravel(g))
    gm = -np.multiply.outer(gb, np.ravel(ans))
    ga = np.transpose(gm.reshape(moved.shape), np.argsort(order))
    return ga, gb.reshape(b.shape)


@defvjp_called(np.linalg.tensorinv)
def tensorinv_vjp(g, ans, a, ind=2):
    """``tensorinv``: ``inv`` of ``a`` reshaped to a square matrix."""
    a = _floats(a)
    rows = int(np.prod(a.shape[:ind]))
    inverse = np.asarray(ans).reshape(-1, rows)
    gm = np.asarray(g).reshape(inverse.shape)
    return ((-(inverse.T @ gm @ inverse.T)).reshape(a.shape),)


# ============================================================================ products
@defvjp_called(np.linalg.matrix_power)
def matrix_power_vjp(g, ans, a, n):
    """``a ** n``: the sum over the n positions of ``a`` in the product; negative ``n``
    through ``inv``, ``n = 0`` a constant (the identity)."""
    a = _floats(a)
    g = np.asarray(g).astype(float_dtype(a), copy=False)
    if n == 0:
        return np.zeros(a.shape, dtype=float_dtype(a)), None
    base = a if n > 0 else np.linalg.inv(a)
    powers = [np.broadcast_to(_eye(a.shape[-1], a), a.shape)]
    for _ in range(abs(n) - 1):
        powers.append(powers[-1] @ base)
    gbase = sum(_T(powers[k]) @ g @ _T(powers[abs(n) - 1 - k]) for k in range(abs(n)))
    if n < 0:
        gbase = -(_T(base) @ gbase @ _T(base))
    return gbase, None


@defvjp_called(np.linalg.multi_dot)
def multi_dot_vjp(g, ans, arrays, *, out=None):
    """``multi_dot([a, b, ..., z])``: each factor gets ``left.T @ g @ right.T`` (a 1-D first
    factor is a row, a 1-D last one a column, as in NumPy)."""
    if out is not None:
        raise AdtransError("np.linalg.multi_dot with out=... writes in place; drop out= and "
                           "assign the result instead")
    arrays = list(arrays)
    mats = [_floats(x) for x in arrays]
    if mats[0].ndim == 1:
        mats[0] = mats[0][np.newaxis, :]
    if mats[-1].ndim == 1:
        mats[-1] = mats[-1][:, np.newaxis]
    g2 = np.asarray(g).reshape(mats[0].shape[0], mats[-1].shape[1])
    lefts = [None] * len(mats)      # product of the factors before k
    rights = [None] * len(mats)     # product of the factors after k
    for k in range(1, len(mats)):
        lefts[k] = mats[0] if k == 1 else lefts[k - 1] @ mats[k - 1]
    for k in range(len(mats) - 2, -1, -1):
        rights[k] = mats[-1] if k == len(mats) - 2 else mats[k + 1] @ rights[k + 1]
    grads = []
    for k, x in enumerate(arrays):
        d = g2 if lefts[k] is None else lefts[k].T @ g2
        d = d if rights[k] is None else d @ rights[k].T
        grads.append(d.reshape(np.shape(x)))
    return (grads,)


@defvjp(np.linalg.matmul)
def matmul(g, ans, x1, x2):
    return matmul_grad_left(g, x1, x2), matmul_grad_right(g, x1, x2)


@defvjp(np.linalg.outer)
def outer(g, ans, x1, x2):
    return g @ np.asarray(x2, dtype=float_dtype(g)), np.asarray(x1, dtype=float_dtype(g)) @ g


@defvjp(np.linalg.cross)
def cross(g, ans, x1, x2, axis=-1):
    return (unbroadcast(np.linalg.cross(x2, g, axis=axis), x1),
            unbroadcast(np.linalg.cross(g, x1, axis=axis), x2))


def vecdot_cotangent(g, x, other, axis):
    """Cotangent of ``x`` in ``vecdot(x, other, axis)``: each operand's own ``axis`` is the
    one summed (a gufunc axis), the others broadcast."""
    x, other = np.asarray(x), np.asarray(other)
    other_last = np.moveaxis(other, axis, -1)
    d = np.asarray(g)[..., np.newaxis] * other_last
    x_last = np.moveaxis(x, axis, -1)
    return np.moveaxis(unbroadcast(d, x_last), -1, axis)


@defvjp(np.linalg.vecdot)
def vecdot(g, ans, x1, x2, axis=-1):
    return vecdot_cotangent(g, x1, x2, axis), vecdot_cotangent(g, x2, x1, axis)


def tensordot_axes(x1, x2, axes):
    """The contracted axes of ``tensordot(x1, x2, axes)`` as two lists of indices >= 0."""
    n1, n2 = np.ndim(x1), np.ndim(x2)
    if np.ndim(axes) == 0:
        k = int(axes)
        return list(range(n1 - k, n1)), list(range(k))
    first, second = axes
    first = [int(first)] if np.ndim(first) == 0 else [int(i) for i in first]
    second = [int(second)] if np.ndim(second) == 0 else [int(i) for i in second]
    return [i % n1 for i in first], [i % n2 for i in second]


def tensordot_cotangent_left(g, x1, x2, axes):
    c1, c2 = tensordot_axes(x1, x2, axes)
    free1 = [i for i in range(np.ndim(x1)) if i not in c1]
    free2 = [i for i in range(np.ndim(x2)) if i not in c2]
    g = np.asarray(g)
    t = np.tensordot(g, x2, axes=(list(range(len(free1), g.ndim)), free2))
    placed = free1 + [c1[c2.index(j)] for j in sorted(c2)]
    return np.transpose(t, np.argsort(placed))


def tensordot_cotangent_right(g, x1, x2, axes):
    c1, c2 = tensordot_axes(x1, x2, axes)
    free1 = [i for i in range(np.ndim(x1)) if i not in c1]
    free2 = [i for i in range(np.ndim(x2)) if i not in c2]
    g = np.asarray(g)
    t = np.tensordot(x1, g, axes=(free1, list(range(len(free1)))))
    placed = [c2[c1.index(i)] for i in sorted(c1)] + free2
    return np.transpose(t, np.argsort(placed))


@defvjp(np.linalg.tensordot)
def tensordot(g, ans, x1, x2, axes=2):
    return (tensordot_cotangent_left(g, x1, x2, axes),
            tensordot_cotangent_right(g, x1, x2, axes))


@defvjp(np.linalg.matrix_transpose, linear=True)
def matrix_transpose(g, ans, x):
    return np.swapaxes(g, -1, -2)


@defvjp(np.linalg.trace, linear=True)
def trace(g, ans, x, offset=0, dtype=None):
    return trace_grad(g, x, offset, -2, -1)


@defvjp(np.linalg.diagonal, linear=True)
def diagonal(g, ans, x, offset=0):
    return diagonal_grad(g, x, offset, -2, -1)


# ============================================================================ factorisations
def cholesky_cotangent(g, ans, a, upper):
    """Cotangent of ``cholesky(a)`` (Murray): with ``P = tril(L.T gL)`` (halved diagonal),
    the gradient over symmetric matrices is ``L^-T P L^-1``, folded onto the triangle read."""
    a = _floats(a)
    g = np.asarray(g)
    lower_factor = _T(ans) if upper else np.asarray(ans)
    gl = _T(g) if upper else g
    n = a.shape[-1]
    phi = np.tril(_T(lower_factor) @ gl) * (1.0 - 0.5 * _eye(n, a))
    left = np.linalg.solve(_T(lower_factor), phi)                 # L^-T P
    full = _T(np.linalg.solve(_T(lower_factor), _T(left)))        # L^-T P L^-1
    return _fold(full, lower=not upper)


@defvjp(np.linalg.cholesky)
def cholesky(g, ans, a, upper=False):
    return cholesky_cotangent(g, ans, a, upper)


@defvjp_called(np.linalg.qr, returns=("tuple", 2))
def qr_vjp(g, ans, a, mode="reduced"):
    """Reduced QR of a square or tall matrix (full column rank): with ``M = R gR.T - gQ.T
    Q``, ``a_bar = (gQ + Q copyltu(M)) R^-T``, copyltu mirroring the lower triangle."""
    a = _floats(a)
    m, n = a.shape[-2:]
    if mode not in ("reduced", "complete") or (mode == "complete" and m != n):
        raise AdtransError(f"np.linalg.qr with mode={mode!r} has no derivative rule (the "
                           "extra columns of a complete Q are not unique); use the default "
                           "mode='reduced'")
    if m < n:
        raise AdtransError("np.linalg.qr of a wide matrix (fewer rows than columns) has no "
                           "derivative rule; factor a square or tall matrix")
    q, r = (np.asarray(p) for p in ans)
    if np.any(np.abs(np.diagonal(r, axis1=-2, axis2=-1)) == 0):
        raise AdtransError("np.linalg.qr of a matrix without full column rank: R is "
                           "singular and the factorisation has no derivative there")
    gq, gr = _part(g, 0, q), _part(g, 1, r)
    mm = r @ _T(gr) - _T(gq) @ q
    copied = np.tril(mm) + _T(np.tril(mm, -1))
    total = gq + q @ copied
    return (_T(np.linalg.solve(r, _T(total))),)


# ============================================================================ eigenproblems
def _check_uplo(UPLO, what):
    side = str(UPLO).upper()
    if side not in ("L", "U"):
        raise AdtransError(f"{what}: UPLO must be 'L' or 'U', got {UPLO!r}")
    return side == "L"


def _eigh_cotangent(gw, gv, w, v, lower):
    """Gradient of ``eigh`` over symmetric matrices, ``V (diag(gw) + F o (V.T gV)) V.T``
    with ``F[i, j] = 1 / (w[j] - w[i])``, folded onto the triangle read."""
    inner = gw[..., np.newaxis, :] * _eye(w.shape[-1], w)
    if gv is not None:
        inner = inner + _gap_matrix(w) * (_T(v) @ gv)
    return _fold(v @ inner @ _T(v), lower)


@defvjp_called(np.linalg.eigh, returns=("tuple", 2))
def eigh_vjp(g, ans, a, UPLO="L"):
    """Eigenvalues and eigenvectors of a symmetric matrix (one triangle read)."""
    lower = _check_uplo(UPLO, "np.linalg.eigh")
    w, v = (np.asarray(p) for p in ans)
    gw = _part(g, 0, w)
    vectors = _used(g, 1)
    _refuse_repeated(w, w.shape[-1], vectors, gw, "np.linalg.eigh",
                     ("eigenvalues", "eigenvectors"))
    return (_eigh_cotangent(gw, np.asarray(g[1]) if vectors else None, w, v, lower),)


def eigvalsh_cotangent(g, a, UPLO):
    """Cotangent of ``eigvalsh``: ``V diag(g) V.T`` folded onto the triangle read."""
    lower = _check_uplo(UPLO, "np.linalg.eigvalsh")
    w, v = np.linalg.eigh(_floats(a), UPLO=UPLO)
    g = np.asarray(g, dtype=w.dtype)
    _refuse_repeated(w, w.shape[-1], False, g, "np.linalg.eigvalsh",
                     ("eigenvalues", "eigenvectors"))
    return _eigh_cotangent(g, None, w, v, lower)


@defvjp(np.linalg.eigvalsh)
def eigvalsh(g, ans, a, UPLO="L"):
    return eigvalsh_cotangent(g, a, UPLO)


def _real_eigen(w, what):
    if np.iscomplexobj(w):
        raise AdtransError(f"{what}: the matrix has complex eigenvalues, and complex numbers "
                           "are not supported; only matrices whose eigenvalues are all real "
                           "are differentiated")


def _eig_cotangent(gw, gv, w, v, what):
    """Gradient of ``eig`` (unit eigenvectors): ``V^-T (diag(gw) + F o (K - V.T V
    diag(diag K))) V.T`` with ``K = V.T gV``, ``F[i, j] = 1 / (w[j] - w[i])``."""
    n = w.shape[-1]
    if np.any(np.linalg.cond(v) * np.finfo(v.dtype).eps >= 1):
        raise AdtransError(f"{what}: the matrix is not diagonalisable (its eigenvectors are "
                           "linearly dependent) and its eigenvalues have no derivative there")
    inner = gw[..., np.newaxis, :] * _eye(n, w)
    if gv is not None:
        k = _T(v) @ gv
        diag_k = np.diagonal(k, axis1=-2, axis2=-1)
        inner = inner + _gap_matrix(w) * (k - (_T(v) @ v) * diag_k[..., np.newaxis, :])
    return np.linalg.solve(_T(v), inner @ _T(v))


@defvjp_called(np.linalg.eig, returns=("tuple", 2))
def eig_vjp(g, ans, a):
    """Eigenvalues and unit eigenvectors of a general matrix with real eigenvalues."""
    w, v = (np.asarray(p) for p in ans)
    _real_eigen(w, "np.linalg.eig")
    gw = _part(g, 0, w)
    vectors = _used(g, 1)
    _refuse_repeated(w, w.shape[-1], vectors, gw, "np.linalg.eig",
                     ("eigenvalues", "eigenvectors"))
    return (_eig_cotangent(gw, np.asarray(g[1]) if vectors else None, w, v,
                           "np.linalg.eig"),)


def eigvals_cotangent(g, ans, a):
    """Cotangent of ``eigvals``: ``V^-T diag(g) V.T``, with V from ``eig``."""
    _real_eigen(ans, "np.linalg.eigvals")
    w, v = np.linalg.eig(_floats(a))
    _real_eigen(w, "np.linalg.eigvals")
    g = np.asarray(g, dtype=w.dtype)
    _refuse_repeated(w, w.shape[-1], False, g, "np.linalg.eigvals",
                     ("eigenvalues", "eigenvectors"))
    return _eig_cotangent(g, None, w, v, "np.linalg.eigvals")


@defvjp(np.linalg.eigvals)
def eigvals(g, ans, a):
    return eigvals_cotangent(g, ans, a)


# ============================================================================ SVD
def svdvals_cotangent(g, a):
    """Cotangent of the singular values alone: ``U diag(g) V.T``."""
    u, s, vt = np.linalg.svd(_floats(a), full_matrices=False)
    g = np.asarray(g, dtype=s.dtype)
    _refuse_repeated(s, max(np.shape(a)[-2:]), False, g, "the singular values",
                     ("singular values", "singular vectors"))
    return (u * g[..., np.newaxis, :]) @ vt


@defvjp(np.linalg.svdvals)
def svdvals(g, ans, x):
    return svdvals_cotangent(g, x)


@defvjp_called(np.linalg.svd, returns=("tuple", 3))
def svd_vjp(g, ans, a, full_matrices=True, compute_uv=True, hermitian=False):
    """``svd``: ``(U, S, Vh)`` (reduced, or full for square matrices; for full U or Vh of a
    non-square matrix, the extra columns/rows must get no cotangent), or the singular values
    alone (``compute_uv=False``).  Distinct singular values where the vectors are used (and
    nonzero ones for non-square matrices)."""
    if hermitian:
        raise AdtransError("np.linalg.svd with hermitian=True reads one triangle only and has "
                           "no rule; drop hermitian=True")
    a = _floats(a)
    if not compute_uv:
        return (svdvals_cotangent(g, a),)
    m, n = a.shape[-2:]
    k = min(m, n)
    u, s, vt = (np.asarray(p) for p in ans)
    gu, gs, gvt = _part(g, 0, u), _part(g, 1, s), _part(g, 2, vt)
    if full_matrices and m != n:
        if np.any(gu[..., :, k:] != 0) or np.any(gvt[..., k:, :] != 0):
            raise AdtransError(
                "np.linalg.svd with full_matrices=True of a non-square matrix: the extra "
                "columns of U (rows of Vh) are not unique and have no derivative; use "
                "full_matrices=False")
        u, gu = u[..., :, :k], gu[..., :, :k]
        vt, gvt = vt[..., :k, :], gvt[..., :k, :]
    vectors = bool(np.any(gu != 0) or np.any(gvt != 0))
    _refuse_repeated(s, max(m, n), vectors, gs, "np.linalg.svd",
                     ("singular values", "singular vectors"))
    inner = gs[..., np.newaxis, :] * _eye(k, s)
    if vectors:
        if m != n and np.any(s <= _tolerance(s, max(m, n))):
            raise AdtransError("np.linalg.svd of a rank-deficient non-square matrix with a "
                               "gradient through the singular vectors: they have no "
                               "derivative there")
        v, gv = _T(vt), _T(gvt)
        f = _gap_matrix(s * s)                    # 1 / (s_j^2 - s_i^2)
        ju = f * (_T(u) @ gu - _T(gu) @ u)
        jv = f * (_T(v) @ gv - _T(gv) @ v)
        inner = inner + ju * s[..., np.newaxis, :] + s[..., :, np.newaxis] * jv
    grad = u @ inner @ vt
    if vectors and m > n:
        grad = grad + (gu - u @ (_T(u) @ gu)) / s[..., np.newaxis, :] @ vt
    if vectors and m < n:
        grad = grad + u @ ((_T(gv) - (_T(gv) @ v) @ vt) / s[..., :, np.newaxis])
    return (grad,)


# ============================================================================ norms
def _norm_axes(x, ord, axis):
    """NumPy's reading of ``norm(x, ord, axis)``: ("flat", None) for a 2-norm of all the
    elements, else ("vector", (axis,)) or ("matrix", (row_axis, col_axis))."""
    nd = x.ndim
    if axis is None:
        if ord is None or (ord in ("f", "fro") and nd == 2) or (ord == 2 and nd == 1):
            return "flat", tuple(range(nd))
        axis = tuple(range(nd))
    elif not isinstance(axis, tuple):
        axis = (int(axis),)
    axis = tuple(int(i) % nd for i in axis)
    return ("vector" if len(axis) == 1 else "matrix"), axis


def _moved(x, axes):
    """``x`` with ``axes`` moved to the end, and how to move a result back."""
    ends = tuple(range(x.ndim - len(axes), x.ndim))
    moved = np.moveaxis(x, axes, ends)
    return moved, (lambda d: np.moveaxis(d, ends, axes))


def _vector_norm_cotangent(g, n, x, ord):
    """Cotangent of vector norms along the last axis of ``x``; ``g``, ``n`` of its batch."""
    g, n = g[..., np.newaxis], n[..., np.newaxis]
    if ord == np.inf or ord == -np.inf:
        mask = np.abs(x) == n
        ties = np.sum(mask, axis=-1, keepdims=True).astype(x.dtype)
        return g * np.sign(x) * mask / np.maximum(ties, 1.0)
    if ord == 0:
        raise AdtransError("np.linalg.norm with ord=0 counts nonzero elements: piecewise "
                           "constant, no derivative to give; use np.count_nonzero (which is "
                           "not differentiated) or stop_gradient")
    if ord == 1:
        return g * np.sign(x)
    if ord is None or ord == 2:
        return g * x / np.where(n == 0, 1.0, n)
    if isinstance(ord, str):
        raise AdtransError(f"np.linalg.norm: invalid norm order {ord!r} for vectors")
    p = float(ord)
    if p < 1 and np.any(x == 0):
        raise AdtransError(f"np.linalg.norm with ord={ord!r} at a vector with a zero "
                           "element: the norm has no derivative there")
    ratio = np.abs(x) / np.where(n == 0, 1.0, n)
    return g * np.sign(x) * ratio ** (p - 1.0)


def _extremum_mask(values, largest):
    """Where ``values`` reach their max (min) along the last axis, shared among ties."""
    best = np.max(values, axis=-1, keepdims=True) if largest else \
        np.min(values, axis=-1, keepdims=True)
    mask = values == best
    return mask / np.sum(mask, axis=-1, keepdims=True).astype(values.dtype)


def _singular_extremum(x, largest):
    """``sum(u_i v_i^T) / k`` over the k largest (smallest) singular values, tied to
    rounding: the cotangent of the 2-norm (-2) of matrices."""
    u, s, vt = np.linalg.svd(x, full_matrices=False)
    tol = _tolerance(s, max(x.shape[-2:]))
    best = s[..., :1] if largest else s[..., -1:]
    mask = np.abs(s - best) <= tol
    weights = mask / np.sum(mask, axis=-1, keepdims=True).astype(s.dtype)
    return (u * weights[..., np.newaxis, :]) @ vt


def _matrix_norm_cotangent(g, n, x, ord):
    """Cotangent of matrix norms of the last two axes of ``x``; ``g``, ``n`` of its batch."""
    g, n = g[..., np.newaxis, np.newaxis], n[..., np.newaxis, np.newaxis]
    if ord in (None, "fro", "f"):
        return g * x / np.where(n == 0, 1.0, n)
    if ord == "nuc":
        u, s, vt = np.linalg.svd(x, full_matrices=False)
        return g * ((u * (s > 0)[..., np.newaxis, :].astype(x.dtype)) @ vt)
    if ord == 2 or ord == -2:
        return g * _singular_extremum(x, ord == 2)
    if ord == 1 or ord == -1:           # max (min) over columns of the column sums
        weights = _extremum_mask(np.sum(np.abs(x), axis=-2), ord == 1)
        return g * np.sign(x) * weights[..., np.newaxis, :]
    if ord == np.inf or ord == -np.inf:  # max (min) over rows of the row sums
        weights = _extremum_mask(np.sum(np.abs(x), axis=-1), ord == np.inf)
        return g * np.sign(x) * weights[..., :, np.newaxis]
    raise AdtransError(f"np.linalg.norm: invalid norm order {ord!r} for matrices")


def norm_cotangent(g, ans, x, ord=None, axis=None, keepdims=False):
    """Cotangent of ``np.linalg.norm(x, ord, axis, keepdims)`` for every order NumPy knows
    (ord=0 refused), vectors, matrices and stacks of them."""
    x = _floats(x)
    kind, axes = _norm_axes(x, ord, axis)
    moved, back = _moved(x, axes)
    batch = moved.shape[:moved.ndim - len(axes)]
    gb = np.reshape(np.asarray(g, dtype=float_dtype(x)), batch)
    nb = np.reshape(np.asarray(ans), batch)
    if kind == "matrix":
        return back(_matrix_norm_cotangent(gb, nb, moved, ord))
    flat = moved.reshape(batch + (-1,))
    d = _vector_norm_cotangent(gb, nb, flat, None if kind == "flat" else ord)
    return back(d.reshape(moved.shape))


@defvjp(np.linalg.norm)
def norm(g, ans, x, ord=None, axis=None, keepdims=False):
    return norm_cotangent(g, ans, x, ord, axis, keepdims)


@defvjp(np.linalg.matrix_norm)
def matrix_norm(g, ans, x, keepdims=False, ord="fro"):
    return norm_cotangent(g, ans, x, ord, (-2, -1), keepdims)


def vector_norm_cotangent(g, ans, x, axis=None, keepdims=False, ord=2):
    """Cotangent of ``np.linalg.vector_norm``: a vector norm over all the elements, one
    axis or a tuple of axes (their elements taken together)."""
    x = _floats(x)
    if axis is None:
        axes = tuple(range(x.ndim))
    elif isinstance(axis, tuple):
        axes = tuple(int(i) % x.ndim for i in axis)
    else:
        axes = (int(axis) % x.ndim,)
    moved, back = _moved(x, axes)
    batch = moved.shape[:moved.ndim - len(axes)]
    gb = np.reshape(np.asarray(g, dtype=float_dtype(x)), batch)
    nb = np.reshape(np.asarray(ans), batch)
    d = _vector_norm_cotangent(gb, nb, moved.reshape(batch + (-1,)), ord)
    return back(d.reshape(moved.shape))


@defvjp(np.linalg.vector_norm)
def vector_norm(g, ans, x, axis=None, keepdims=False, ord=2):
    return vector_norm_cotangent(g, ans, x, axis, keepdims, ord)


def cond_cotangent(g, ans, x, p=None):
    """Cotangent of ``np.linalg.cond``: ``s_max / s_min`` (p = None, 2; ``s_min / s_max``
    for -2) through the extreme singular values, shared among ties as for norms; other
    orders ``norm(x, p) * norm(inv(x), p)`` through both norms and ``inv``."""
    x = _floats(x)
    g = np.asarray(g, dtype=float_dtype(x))
    if p is None or p == 2 or p == -2:
        s = np.linalg.svd(x, compute_uv=False)
        top, bottom = s[..., 0], s[..., -1]
        if np.any(bottom == 0):
            raise AdtransError("np.linalg.cond of a singular matrix is infinite and has no "
                               "derivative")
        large, small = _singular_extremum(x, True), _singular_extremum(x, False)
        gm = g[..., np.newaxis, np.newaxis]
        top, bottom = top[..., np.newaxis, np.newaxis], bottom[..., np.newaxis, np.newaxis]
        d = large / bottom - top / (bottom * bottom) * small
        return gm * (d if p != -2 else -d * (bottom / top) ** 2)
    _square(x, "np.linalg.cond")
    if not np.all(np.isfinite(ans)):
        raise AdtransError("np.linalg.cond of a singular matrix is infinite and has no "
                           "derivative")
    inverse = np.linalg.inv(x)
    batch = x.shape[:-2]
    n_x = np.reshape(np.linalg.norm(x, p, axis=(-2, -1)), batch)
    n_inv = np.reshape(np.linalg.norm(inverse, p, axis=(-2, -1)), batch)
    gb = np.reshape(g, batch)
    direct = _matrix_norm_cotangent(gb * n_inv, n_x, x, p)
    through_inverse = _matrix_norm_cotangent(gb * n_x, n_inv, inverse, p)
    return direct - _T(inverse) @ through_inverse @ _T(inverse)


@defvjp(np.linalg.cond)
def cond(g, ans, x, p=None):
    return cond_cotangent(g, ans, x, p)
