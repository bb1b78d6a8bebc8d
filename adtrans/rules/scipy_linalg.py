"""Rules for scipy.linalg: triangular and Cholesky solves, the matrix exponential and
square root, and scipy's own inv, det, solve and cholesky.

Loaded only once scipy.linalg is imported (registry.OPTIONAL_RULES): importing scipy
takes longer than importing adtrans.  Stacks of matrices work where scipy takes them
(the last two axes are the matrix; a 1-D right-hand side is one vector).

Conventions (as for np.linalg, see linalg.py): a function that reads one triangle of its
input (``solve_triangular``, ``cholesky``, ``cho_factor``, ``solve(assume_a="pos")``) gets
a cotangent on that triangle only; ``cho_factor`` returns its input's other triangle
unchanged (LAPACK leaves it there), so a cotangent reaching that part of ``c`` passes
straight through to the input; ``cho_solve`` reads only the factor's triangle of ``c``.
"""

import numpy as np
import scipy.linalg as sla

from ..errors import AdtransError
from ..runtime import float_dtype, unbroadcast
from .linalg import _T, _floats, _fold, cholesky_cotangent, cofactors
from .registry import defvjp, defvjp_called

SCIPY = "scipy.linalg."


def _as_matrices(g, ans, b):
    """``g`` and ``ans`` as stacks of matrices (a 1-D ``b`` is one column), and a function
    giving a cotangent of ``b`` back its shape."""
    g, ans = np.asarray(g), np.asarray(ans)
    if np.ndim(b) == 1:
        return g[..., np.newaxis], ans[..., np.newaxis], (lambda d: unbroadcast(d[..., 0],
                                                                                 b))
    return g, ans, (lambda d: unbroadcast(d, b))


def _trans(trans):
    codes = {0: False, "N": False, 1: True, "T": True, 2: True, "C": True}
    if trans not in codes:
        raise AdtransError(f"scipy.linalg.solve_triangular: trans={trans!r} is not one of "
                           "0, 1, 2, 'N', 'T', 'C'")
    return codes[trans]


def _refuse_overwrite(what, **flags):
    for name, value in flags.items():
        if value:
            raise AdtransError(f"{what} with {name}=True may destroy its input, which the "
                               f"gradient needs; drop {name}=True")


# ============================================================================ triangular
@defvjp_called(sla.solve_triangular, prefix=SCIPY)
def solve_triangular_vjp(g, ans, a, b, trans=0, lower=False, unit_diagonal=False,
                         overwrite_b=False, check_finite=True):
    """``x = op(T)^-1 b`` with ``T`` the triangle of ``a`` read (``op`` a transpose for
    trans=1, 2): ``b_bar = op(T)^-T g``; ``op(T)_bar = -b_bar x.T`` kept on that triangle
    (off its diagonal where ``unit_diagonal``)."""
    _refuse_overwrite("scipy.linalg.solve_triangular", overwrite_b=overwrite_b)
    transposed = _trans(trans)
    a = _floats(a)
    gm, xm, back = _as_matrices(g, ans, np.asarray(b))
    gb = sla.solve_triangular(a, gm, trans=0 if transposed else 1, lower=lower,
                              unit_diagonal=unit_diagonal)
    gop = -(gb @ _T(xm))
    ga = _T(gop) if transposed else gop
    ga = np.tril(ga, -1 if unit_diagonal else 0) if lower else \
        np.triu(ga, 1 if unit_diagonal else 0)
    return unbroadcast(ga, a), back(gb)


# ============================================================================ Cholesky
@defvjp(sla.cholesky, prefix=SCIPY, refuse={
    "overwrite_a": "it may destroy the input, which the gradient needs; drop overwrite_a"})
def cholesky(g, ans, a, lower=False, overwrite_a=False, check_finite=True):
    return cholesky_cotangent(g, ans, a, not lower)


@defvjp_called(sla.cho_factor, prefix=SCIPY, returns=("tuple", 2))
def cho_factor_vjp(g, ans, a, lower=False, overwrite_a=False, check_finite=True):
    """``(c, lower)``: the factor on one triangle of ``c`` (Cholesky's cotangent), the
    input's other triangle copied unchanged into the rest of ``c`` (the identity)."""
    _refuse_overwrite("scipy.linalg.cho_factor", overwrite_a=overwrite_a)
    c = np.asarray(ans[0])
    gc = None if g is None else g[0]
    if gc is None:
        return (np.zeros(np.shape(a), dtype=float_dtype(c)),)
    gc = np.asarray(gc)
    if lower:
        factor, g_factor, g_rest = np.tril(c), np.tril(gc), np.triu(gc, 1)
    else:
        factor, g_factor, g_rest = np.triu(c), np.triu(gc), np.tril(gc, -1)
    return (cholesky_cotangent(g_factor, factor, a, not lower) + g_rest,)


def _cho_parts(c_and_lower):
    try:
        c, lower = c_and_lower
    except (TypeError, ValueError):
        raise AdtransError("scipy.linalg.cho_solve takes (c, lower) as returned by "
                           "scipy.linalg.cho_factor") from None
    flags = np.unique(np.asarray(lower, dtype=bool))    # one flag per matrix of a stack
    if flags.size != 1:
        raise AdtransError("scipy.linalg.cho_solve with factors of both triangles in one "
                           "stack has no rule; factor the whole stack with one lower=")
    return _floats(c), bool(flags[0])


@defvjp_called(sla.cho_solve, prefix=SCIPY)
def cho_solve_vjp(g, ans, c_and_lower, b, overwrite_b=False, check_finite=True):
    """``x = A^-1 b`` with ``A = L L.T`` (``U.T U``) from the factor's triangle of ``c``:
    ``b_bar = A^-1 g``, ``A_bar = -b_bar x.T``, and through ``A``, ``L_bar = (A_bar +
    A_bar.T) L`` (``U_bar = U (A_bar + A_bar.T)``) on that triangle."""
    _refuse_overwrite("scipy.linalg.cho_solve", overwrite_b=overwrite_b)
    c, lower = _cho_parts(c_and_lower)
    gm, xm, back = _as_matrices(g, ans, np.asarray(b))
    gb = sla.cho_solve((c, lower), gm)
    ga = -(gb @ _T(xm))
    both = unbroadcast(ga + _T(ga), c)
    gc = np.tril(both @ np.tril(c)) if lower else np.triu(np.triu(c) @ both)
    return [gc, None], back(gb)


# ============================================================================ inv, det, solve
@defvjp(sla.inv, prefix=SCIPY, refuse={
    "overwrite_a": "it may destroy the input, which the gradient needs; drop overwrite_a",
    "assume_a": "only the general inverse has a rule; drop assume_a",
    "lower": "only the general inverse has a rule; drop lower"})
def inv(g, ans, a, overwrite_a=False, check_finite=True, assume_a=None, lower=False):
    return -np.swapaxes(ans, -1, -2) @ g @ np.swapaxes(ans, -1, -2)


@defvjp(sla.det, prefix=SCIPY, refuse={
    "overwrite_a": "it may destroy the input, which the gradient needs; drop overwrite_a"})
def det(g, ans, a, overwrite_a=False, check_finite=True):
    return np.expand_dims(np.asarray(g), (-1, -2)) * cofactors(a, ans)


_GENERAL = (None, "gen", "general")
_SYMMETRIC = ("sym", "symmetric", "pos", "positive definite")


@defvjp_called(sla.solve, prefix=SCIPY)
def solve_vjp(g, ans, a, b, lower=False, overwrite_a=False, overwrite_b=False,
              check_finite=True, assume_a=None, transposed=False):
    """``x = a^-1 b`` (``a.T^-1 b`` when ``transposed``): ``b_bar = a^-T g``, ``a_bar = -b_bar
    x.T``; for a symmetric ``assume_a`` (one triangle read), folded onto that triangle."""
    _refuse_overwrite("scipy.linalg.solve", overwrite_a=overwrite_a, overwrite_b=overwrite_b)
    if assume_a not in _GENERAL + _SYMMETRIC:
        raise AdtransError(f"scipy.linalg.solve with assume_a={assume_a!r} has no rule; use "
                           "the default (a general matrix), 'sym' or 'pos'")
    a = _floats(a)
    gm, xm, back = _as_matrices(g, ans, np.asarray(b))
    symmetric = assume_a in _SYMMETRIC
    if symmetric:
        full = np.tril(a) + _T(np.tril(a, -1)) if lower else np.triu(a) + _T(np.triu(a, 1))
        gb = np.linalg.solve(full, gm)
        return unbroadcast(_fold(-(gb @ _T(xm)), lower), a), back(gb)
    gb = np.linalg.solve(a if transposed else _T(a), gm)
    ga = -(gb @ _T(xm))
    return unbroadcast(_T(ga) if transposed else ga, a), back(gb)


# ============================================================================ matrix functions
def expm_frechet_adjoint(a, g):
    """The adjoint of expm's Fréchet derivative at ``a`` applied to ``g``: the upper right
    block of ``expm([[a.T, g], [0, a.T]])`` (Najfeld & Havel; stacks too)."""
    a = _floats(a)
    g = np.asarray(g, dtype=a.dtype)
    n = a.shape[-1]
    at = _T(a)
    shape = np.broadcast_shapes(a.shape, g.shape)
    block = np.zeros(shape[:-2] + (2 * n, 2 * n), dtype=a.dtype)
    block[..., :n, :n] = at
    block[..., n:, n:] = at
    block[..., :n, n:] = g
    return unbroadcast(sla.expm(block)[..., :n, n:], a)


@defvjp(sla.expm, prefix=SCIPY)
def expm(g, ans, A):
    return expm_frechet_adjoint(A, g)


_UNSET = object()


def sqrtm_cotangent(g, ans, a):
    """``X = sqrtm(a)``, ``X X = a``: ``a_bar`` solves ``X.T a_bar + a_bar X.T = g`` (a
    Sylvester equation; refused where it is singular, or the root is complex)."""
    x = np.asarray(ans)
    if np.iscomplexobj(x):
        raise AdtransError("scipy.linalg.sqrtm: the square root is complex (the matrix has "
                           "negative eigenvalues), and complex numbers are not supported")
    g = np.asarray(g, dtype=x.dtype)
    if x.ndim > 2:
        out = np.empty(np.broadcast_shapes(x.shape, g.shape), dtype=x.dtype)
        for index in np.ndindex(out.shape[:-2]):
            out[index] = sqrtm_cotangent(g[index], x[index], None)
        return out
    xt = x.T
    result = sla.solve_sylvester(xt, xt, g)
    if not np.all(np.isfinite(result)):
        raise AdtransError("scipy.linalg.sqrtm of a singular matrix: the square root has no "
                           "derivative there")
    return result.astype(x.dtype, copy=False)


@defvjp_called(sla.sqrtm, prefix=SCIPY)
def sqrtm_vjp(g, ans, A, disp=_UNSET, blocksize=_UNSET):
    """Principal square root ``X`` of a matrix whose root is real: ``A_bar`` solves the
    Sylvester equation ``X.T A_bar + A_bar X.T = g``."""
    if disp is not _UNSET or blocksize is not _UNSET:
        raise AdtransError("scipy.linalg.sqrtm with disp= or blocksize= (deprecated) has no "
                           "rule; drop them")
    return (sqrtm_cotangent(g, ans, A),)
