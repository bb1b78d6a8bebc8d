"""Rules for products of arrays: einsum, tensordot, inner, vdot, kron, cross, the gufuncs
vecdot / matvec / vecmat, and the polynomial products vander and polyval.

Each is linear in each operand separately (not jointly), so the cotangent of one
operand is the same kind of product of ``g`` with the other operands.  ``einsum``
is the general case: the cotangent of operand k is an einsum of ``g`` with the
others, broadcast along labels only operand k had, summed where operand k had size 1
and was broadcast, and written onto the diagonal where operand k repeats a label.
"""

import string

import numpy as np

from ..errors import AdtransError
from ..runtime import float_dtype, unbroadcast
from .registry import defvjp, defvjp_called

LETTERS = string.ascii_uppercase + string.ascii_lowercase   # NumPy orders labels by code


def refuse_complex(*values):
    for value in values:
        if np.iscomplexobj(value):
            raise AdtransError("a product of complex arrays: complex numbers are not "
                               "differentiated by adtrans")


# ===================================================================== einsum
def _interleaved_subscripts(args):
    """``einsum(a, [0, 1], b, [1, 2], [0, 2])`` as ``("AB,BC->AC", [a, b])``."""
    def letters(sublist):
        out = []
        for label in sublist:
            if label is Ellipsis:
                out.append("...")
            elif isinstance(label, (int, np.integer)) and 0 <= label < len(LETTERS):
                out.append(LETTERS[label])
            else:
                raise AdtransError(f"np.einsum: subscript {label!r} in a sublist is not an "
                                   "integer in [0, 52) or Ellipsis")
        return "".join(out)

    operands = list(args[0:-1:2]) if len(args) % 2 else list(args[0::2])
    sublists = args[1::2]
    inputs = ",".join(letters(s) for s in sublists)
    if len(args) % 2:
        return inputs + "->" + letters(args[-1]), operands
    return inputs, operands


def einsum_spec(subscripts, operands):
    """The subscripts of an einsum with the ellipses spelled out as letters and the implicit
    output made explicit: ``(inputs, output, sizes)``, ``inputs`` one label string per
    operand, ``sizes`` label -> size (the largest, where size 1 was broadcast)."""
    subscripts = subscripts.replace(" ", "")
    lhs, arrow, output = subscripts.partition("->")
    inputs = lhs.split(",")
    if len(inputs) != len(operands):
        raise AdtransError(f"np.einsum: {len(inputs)} subscripts for {len(operands)} operands")
    used = set(subscripts) - set(".,->")
    if not used <= set(LETTERS):
        raise AdtransError(f"np.einsum: subscripts {subscripts!r} use labels other than "
                           "letters")
    spare = [c for c in LETTERS if c not in used]
    n_ellipsis = max([np.ndim(x) - len(s.replace("...", "")) for s, x in
                      zip(inputs, operands, strict=True) if "..." in s] or [0])
    if n_ellipsis > len(spare):
        raise AdtransError("np.einsum: too many dimensions under '...' to name")
    ellipsis = "".join(spare[:n_ellipsis])
    expanded = []
    for s, x in zip(inputs, operands, strict=True):
        if "..." in s:
            n = np.ndim(x) - len(s.replace("...", ""))
            s = s.replace("...", ellipsis[len(ellipsis) - n:] if n else "")
        if len(s) != np.ndim(x):
            raise AdtransError(f"np.einsum: subscripts {s!r} for an operand of {np.ndim(x)} "
                               "dimensions")
        expanded.append(s)
    if arrow:
        output = output.replace("...", ellipsis)
    else:
        counts = {c: sum(s.count(c) for s in expanded) for c in used}
        output = ellipsis + "".join(sorted(c for c, n in counts.items() if n == 1))
    sizes = {}
    for s, x in zip(expanded, operands, strict=True):
        for label, n in zip(s, np.shape(x), strict=True):
            sizes[label] = max(sizes.get(label, 1), n)
    return expanded, output, sizes


def on_diagonal(r, labels, shape):
    """An array of ``shape`` whose axes carry ``labels`` (some repeated), zero except where
    repeated labels index equally, holding there ``r`` (whose axes are the distinct labels
    in order of first appearance)."""
    distinct = list(dict.fromkeys(labels))
    if len(distinct) == len(labels):
        return r
    out = np.zeros(shape, dtype=float_dtype(r))
    index = []
    for label in labels:
        position = distinct.index(label)
        steps = np.arange(r.shape[position])
        index.append(steps.reshape([-1 if a == position else 1 for a in range(r.ndim)]))
    out[tuple(index)] = r
    return out


def einsum_operand_grad(g, inputs, output, sizes, operands, k, optimize=False):
    """Cotangent of operand ``k`` of ``einsum(",".join(inputs) + "->" + output, *operands)``
    (subscripts as ``einsum_spec`` gives them)."""
    x = operands[k]
    labels = inputs[k]
    distinct = list(dict.fromkeys(labels))
    for label in distinct:
        lengths = {n for c, n in zip(labels, np.shape(x), strict=True) if c == label}
        if len(lengths) > 1:
            raise AdtransError(f"np.einsum: label {label!r} repeated in one operand with "
                               f"different lengths {sorted(lengths)}")
    others = [j for j in range(len(operands)) if j != k]
    available = set(output).union(*[inputs[j] for j in others])
    target = "".join(c for c in distinct if c in available)
    spec = ",".join([output] + [inputs[j] for j in others]) + "->" + target
    if not isinstance(optimize, (bool, str)):
        optimize = "greedy"        # a contraction path given for the forward einsum
    r = np.einsum(spec, g, *[operands[j] for j in others], optimize=optimize)
    # Labels only operand k had were summed: the cotangent is the same along them.
    own = dict(zip(labels, np.shape(x), strict=True))
    r = np.reshape(r, [np.shape(r)[target.index(c)] if c in target else 1 for c in distinct])
    r = np.broadcast_to(r, [max(r.shape[i], own[c]) for i, c in enumerate(distinct)])
    # Where operand k had length 1 and was broadcast, sum back.
    broadcast = tuple(i for i, c in enumerate(distinct) if own[c] == 1 and r.shape[i] != 1)
    if broadcast:
        r = np.sum(r, axis=broadcast, keepdims=True)
    return on_diagonal(np.asarray(r), labels, np.shape(x))


@defvjp_called(np.einsum)
def einsum_vjp(g, ans, *args, out=None, optimize=False, **kwargs):
    """``np.einsum(subscripts, *operands)`` or the interleaved ``np.einsum(a, sub_a, b,
    sub_b, [sub_out])``: operand k's cotangent is an einsum of ``g`` with the others."""
    if out is not None:
        raise AdtransError("np.einsum(..., out=...) writes in place; drop out= and assign "
                           "the result instead")
    if isinstance(args[0], str):
        subscripts, operands = args[0], list(args[1:])
    else:
        subscripts, operands = _interleaved_subscripts(args)
    refuse_complex(g, *operands)
    inputs, output, sizes = einsum_spec(subscripts, operands)
    g = np.asarray(g)
    grads = [einsum_operand_grad(g, inputs, output, sizes, operands, k, optimize)
             for k in range(len(operands))]
    grads = [np.reshape(d, np.shape(x)) for d, x in zip(grads, operands, strict=True)]
    if isinstance(args[0], str):
        return (None, *grads)
    cotangents = []
    for d in grads:
        cotangents += [d, None]
    return tuple(cotangents + [None] * (len(args) - len(cotangents)))


# ===================================================================== tensordot and kin
def tensordot_axes(a, b, axes):
    """The contracted axes of ``np.tensordot(a, b, axes)`` as two lists of non-negative
    positions (a's and b's, pairwise)."""
    na, nb = np.ndim(a), np.ndim(b)
    if np.ndim(axes) == 0:
        n = int(axes)
        return list(range(na - n, na)), list(range(n))
    axes_a, axes_b = axes
    axes_a = [axes_a] if np.ndim(axes_a) == 0 else list(axes_a)
    axes_b = [axes_b] if np.ndim(axes_b) == 0 else list(axes_b)
    return [int(i) % na for i in axes_a], [int(j) % nb for j in axes_b]


def tensordot_grad_a(g, a, b, axes):
    """Cotangent of ``a`` in ``np.tensordot(a, b, axes)``: ``g`` contracted with b's free
    axes, its axes put back in a's order."""
    refuse_complex(a, b)
    axes_a, axes_b = tensordot_axes(a, b, axes)
    free_a = [i for i in range(np.ndim(a)) if i not in axes_a]
    free_b = [j for j in range(np.ndim(b)) if j not in axes_b]
    d = np.tensordot(g, b, axes=(list(range(len(free_a), np.ndim(g))), free_b))
    # b's contracted axes are left in b's order: they carry their partners in a.
    paired = [i for _, i in sorted(zip(axes_b, axes_a, strict=True))]
    return np.transpose(d, np.argsort(free_a + paired))


def tensordot_grad_b(g, a, b, axes):
    """Cotangent of ``b`` in ``np.tensordot(a, b, axes)``."""
    refuse_complex(a, b)
    axes_a, axes_b = tensordot_axes(a, b, axes)
    free_a = [i for i in range(np.ndim(a)) if i not in axes_a]
    free_b = [j for j in range(np.ndim(b)) if j not in axes_b]
    d = np.tensordot(a, g, axes=(free_a, list(range(len(free_a)))))
    paired = [j for _, j in sorted(zip(axes_a, axes_b, strict=True))]
    return np.transpose(d, np.argsort(paired + free_b))


@defvjp(np.tensordot)
def tensordot(g, ans, a, b, axes=2):
    return tensordot_grad_a(g, a, b, axes), tensordot_grad_b(g, a, b, axes)


def inner_grad(g, x, other, first):
    """Cotangent of one operand of ``np.inner(a, b)`` (``first``: of ``a``); a 0-d operand
    makes it a product."""
    refuse_complex(x, other)
    if np.ndim(x) == 0 or np.ndim(other) == 0:
        return unbroadcast(g * other, x)
    lead_x, lead_o = np.ndim(x) - 1, np.ndim(other) - 1
    if first:      # g has axes (a's leading, b's leading)
        axes = (list(range(lead_x, lead_x + lead_o)), list(range(lead_o)))
    else:
        axes = (list(range(lead_o)), list(range(lead_o)))
    return np.tensordot(g, other, axes=axes)


@defvjp(np.inner)
def inner(g, ans, a, b):
    return inner_grad(g, a, b, True), inner_grad(g, b, a, False)


def vdot_grad(g, other, like):
    """Cotangent of one operand of ``np.vdot`` (both flattened): ``g`` times the other."""
    refuse_complex(other, like)
    return g * np.reshape(other, np.shape(like))


@defvjp(np.vdot)
def vdot(g, ans, a, b):
    return vdot_grad(g, b, a), vdot_grad(g, a, b)


def kron_grad(g, x, other, first):
    """Cotangent of one operand of ``np.kron(a, b)``: ``g`` seen with a's and b's axes
    interleaved, contracted with the other operand over its axes."""
    refuse_complex(x, other)
    n = max(np.ndim(x), np.ndim(other))
    xs = (1,) * (n - np.ndim(x)) + np.shape(x)
    os = (1,) * (n - np.ndim(other)) + np.shape(other)
    a_shape, b_shape = (xs, os) if first else (os, xs)
    blocks = np.reshape(g, [m for pair in zip(a_shape, b_shape, strict=True) for m in pair])
    mine = list(range(0 if first else 1, 2 * n, 2))
    theirs = list(range(1 if first else 0, 2 * n, 2))
    d = np.einsum(blocks, list(range(2 * n)), np.reshape(other, os), theirs, mine)
    return np.reshape(d, np.shape(x))


@defvjp(np.kron)
def kron(g, ans, a, b):
    return kron_grad(g, a, b, True), kron_grad(g, b, a, False)


def cross_grad(g, a, b, axisa, axisb, axisc, axis, first):
    """Cotangent of ``a`` (``first``) or ``b`` in ``np.cross(a, b, axisa, axisb, axisc,
    axis)``: ``b × g`` for ``a`` and ``g × a`` for ``b``, with 2-vectors read as 3-vectors
    of zero z."""
    refuse_complex(a, b)
    if axis is not None:
        axisa = axisb = axisc = axis
    x, other, axis_x, axis_other = (a, b, axisa, axisb) if first else (b, a, axisb, axisa)
    xm = np.moveaxis(np.asarray(x), axis_x, -1)
    om = np.moveaxis(np.asarray(other), axis_other, -1)
    nx, no = xm.shape[-1], om.shape[-1]
    g = np.asarray(g)
    if nx == 2 and no == 2:
        # The result is the z component, a scalar per vector pair.
        gm = g[..., np.newaxis]
        sign = 1.0 if first else -1.0
        d = np.concatenate([gm * om[..., 1:2], gm * -om[..., 0:1]], axis=-1) * sign
    else:
        gm = np.moveaxis(g, axisc, -1)
        o3 = om if no == 3 else np.concatenate(
            [om, np.zeros(om.shape[:-1] + (1,), dtype=float_dtype(om))], axis=-1)
        d = np.cross(o3, gm) if first else np.cross(gm, o3)
        d = d[..., :nx]
    return np.moveaxis(unbroadcast(d, xm), -1, axis_x)


@defvjp(np.cross)
def cross(g, ans, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    return (cross_grad(g, a, b, axisa, axisb, axisc, axis, True),
            cross_grad(g, a, b, axisa, axisb, axisc, axis, False))


# ===================================================================== vector gufuncs
def vecdot_grad(g, x, other, axis):
    """Cotangent of one operand of ``np.vecdot(x1, x2, axis=axis)``: ``g`` along the axis
    times the other (broadcast, then summed back)."""
    refuse_complex(x, other)
    xm = np.moveaxis(np.asarray(x), axis, -1)
    d = np.asarray(g)[..., np.newaxis] * np.moveaxis(np.asarray(other), axis, -1)
    return np.moveaxis(unbroadcast(d, xm), -1, axis)


@defvjp(np.vecdot)
def vecdot(g, ans, x1, x2, axis=-1):
    return vecdot_grad(g, x1, x2, axis), vecdot_grad(g, x2, x1, axis)


def matvec_grad_matrix(g, m, v):
    """Cotangent of the matrix in ``np.matvec(m, v)`` (or of ``m`` in ``np.vecmat(v, m)``
    with ``g`` and ``v`` on the other side): the outer product, summed over broadcasting."""
    refuse_complex(m, v)
    d = np.asarray(g)[..., :, np.newaxis] * np.asarray(v)[..., np.newaxis, :]
    return unbroadcast(d, m)


def matvec_grad_vector(g, m, v):
    """Cotangent of the vector in ``np.matvec(m, v)``: ``m^T g``."""
    refuse_complex(m, v)
    return unbroadcast(np.matvec(np.swapaxes(m, -1, -2), g), v)


@defvjp(np.matvec)
def matvec(g, ans, x1, x2):
    return matvec_grad_matrix(g, x1, x2), matvec_grad_vector(g, x1, x2)


@defvjp(np.vecmat)
def vecmat(g, ans, x1, x2):
    # vecmat(v, m) = matvec(m^T, v): the matrix's cotangent is the outer product v g^T.
    return (matvec_grad_vector(g, np.swapaxes(x2, -1, -2), x1),
            np.swapaxes(matvec_grad_matrix(g, np.swapaxes(x2, -1, -2), x1), -1, -2))


# ===================================================================== polynomials
def vander_grad(g, x, N=None, increasing=False):
    """Cotangent of ``x`` in ``np.vander(x, N, increasing)``: column ``x ** p`` has slope
    ``p x ** (p - 1)`` (0 for p = 0, also at x = 0)."""
    refuse_complex(x)
    x = np.asarray(x)
    xf = x.astype(float_dtype(x))
    n = len(x) if N is None else N
    g = np.asarray(g) if increasing else np.asarray(g)[:, ::-1]
    if n < 2:
        return np.zeros(x.shape, dtype=float_dtype(x))
    lower = np.vander(xf, n - 1, increasing=True)          # x ** 0 .. x ** (n - 2)
    powers = np.arange(1, n, dtype=float_dtype(x))
    return np.sum(g[:, 1:] * powers * lower, axis=1)


@defvjp(np.vander)
def vander(g, ans, x, N=None, increasing=False):
    return vander_grad(g, x, N, increasing)


def _powers(x, n):
    """``[x ** 0, x ** 1, ..., x ** (n - 1)]`` by repeated products (no 0 ** -1)."""
    x = np.asarray(x)
    out = [np.ones(x.shape, dtype=float_dtype(x))]
    for _ in range(n - 1):
        out.append(out[-1] * x)
    return out


def polyval_grad_p(g, p, x):
    """Cotangent of the coefficients in ``np.polyval(p, x)`` (highest power first): ``g``
    times the power of ``x`` each multiplies, summed over ``x``'s shape."""
    refuse_complex(p, x)
    p = np.asarray(p)
    n = len(p)
    powers = _powers(x, n)
    return np.stack([unbroadcast(g * powers[n - 1 - k], p[k]) for k in range(n)])


def polyval_grad_x(g, p, x):
    """Cotangent of ``x`` in ``np.polyval(p, x)``: ``g`` times the derivative polynomial."""
    refuse_complex(p, x)
    p = np.asarray(p)
    n = len(p)
    if n < 2:
        return np.zeros(np.shape(x), dtype=float_dtype(x))
    powers = _powers(x, n - 1)
    slope = sum((n - 1 - k) * p[k] * powers[n - 2 - k] for k in range(n - 1))
    return unbroadcast(g * slope, x)


@defvjp(np.polyval)
def polyval(g, ans, p, x):
    return polyval_grad_p(g, p, x), polyval_grad_x(g, p, x)
