"""The few helpers that generated gradient code calls.

Generated code refers to these by name (they reach it through closure cells,
see codegen.py); an exported module imports them from here.  Each helper is
pure: none mutates an argument it did not allocate itself.
"""

from __future__ import annotations

import math

import numpy as np

from .errors import AdtransError


def unbroadcast(g, like):
    """Sum the cotangent ``g`` down to the shape of ``like`` (undo NumPy broadcasting)."""
    # Fast paths first: this runs once per operand of every + - * / in a loop.
    like_shape = getattr(like, "shape", None)
    g_shape = getattr(g, "shape", None)
    if like_shape == g_shape and (like_shape is not None or not hasattr(g, "__len__")):
        return g
    target = like_shape if like_shape is not None else np.shape(like)
    shape = g_shape if g_shape is not None else np.shape(g)
    if shape == target:
        return g
    if type(g) is not np.ndarray:
        g = np.asarray(g)
    extra = g.ndim - len(target)
    if extra > 0:
        g = g.sum(axis=0 if extra == 1 else tuple(range(extra)))
        if g.shape == target:
            return g
    axes = tuple(i for i, n in enumerate(target) if n == 1 and g.shape[i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    if g.shape != target:
        g = np.broadcast_to(g, target)
    return g


class ShapeOnly:
    """What the tape keeps of a value the backward sweep reads only for its shape (the
    second argument of ``unbroadcast``): the shape, and not the array."""

    __slots__ = ("shape",)

    def __init__(self, shape):
        self.shape = shape

    def __repr__(self):
        return f"ShapeOnly({self.shape})"


def shape_of(value):
    """What to keep of an array whose shape alone is read later: its shape.  Anything
    else (None, a number, a list) is kept as it is."""
    return ShapeOnly(value.shape) if isinstance(value, np.ndarray) else value


def along_axis_index(arr, indices, axis):
    """The index ``np.put_along_axis(arr, indices, values, axis)`` writes at, as a tuple
    for ``arr[...] = values`` (integer arrays: it depends on shapes and indices only)."""
    arr = np.asarray(arr)
    indices = np.asarray(indices)
    if axis is None:
        return (indices,) if arr.ndim == 1 else np.unravel_index(indices, arr.shape)
    if indices.ndim != arr.ndim:
        raise ValueError("`indices` and `arr` must have the same number of dimensions")
    axis = axis % arr.ndim
    index = []
    for dim, size in enumerate(arr.shape):
        if dim == axis:
            index.append(indices)
        else:
            shape = [1] * arr.ndim
            shape[dim] = size
            index.append(np.arange(size).reshape(shape))
    return tuple(index)


def add(a, b):
    """Accumulate two cotangents where either may be None (no contribution yet)."""
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def dict_item_grad(g, keys, position):
    """Cotangent of the value at ``position`` of a dict display with these keys: its key's
    entry of ``g``, unless a later entry of the display has the same key (and wins)."""
    key = keys[position]
    if any(other == key for other in keys[position + 1:]):
        return None
    return g.get(key)


def tree_add(a, b):
    """Add two cotangents of the same value, elementwise where it is a list or tuple.

    The cotangent of a list or tuple is a list of its elements' cotangents (or an
    array, where NumPy turned the list into one); None means no contribution.
    """
    if a is None:
        return b
    if b is None:
        return a
    if isinstance(a, dict):
        out = dict(a)
        for key, value in b.items():
            out[key] = tree_add(out.get(key), value)
        return out
    if isinstance(a, list) or isinstance(b, list):
        return [tree_add(a[k], b[k]) for k in range(len(a))]
    return a + b


def tree_zeros(value):
    """A zero cotangent for ``value``: zeros of its shape, a list of them for a list or
    tuple, None for what is not a number (a string, None)."""
    if isinstance(value, (list, tuple)):
        return [tree_zeros(v) for v in value]
    if isinstance(value, dict):
        return {key: tree_zeros(v) for key, v in value.items()}
    if isinstance(value, (bool, int, float)) and not isinstance(value, np.generic):
        return 0.0
    if isinstance(value, (np.ndarray, np.generic)):
        return np.zeros(np.shape(value), dtype=float_dtype(value))
    return None


def float_dtype(value):
    """The dtype of a cotangent of ``value``: its own where it is a float (float32 stays
    float32), else float64.  (``np.result_type(x.dtype, float)`` would upcast float32.)"""
    dtype = np.asarray(value).dtype
    return dtype if dtype.kind in "fc" else np.dtype(np.float64)


def add_at(acc, like, index, g):
    """Scatter-add ``g`` into a cotangent buffer shaped like ``like`` at ``index``.

    ``acc`` is None or a buffer this function allocated earlier; generated code
    never lets anything else alias it, so adding in place is safe and keeps a
    loop over rows linear in time.  For a list or tuple the buffer is a list of
    the elements' cotangents.
    """
    if isinstance(like, dict):
        # Keys nothing reached stay out (as_gradient gives them zeros): no zeros are
        # allocated and then added to, for each of a model's parameters.
        if acc is None:
            acc = {}
        acc[index] = tree_add(acc.get(index), g)
        return acc
    if isinstance(like, (list, tuple)):
        if acc is None:
            acc = tree_zeros(like)
        if isinstance(index, slice):
            for position, part in zip(range(len(like))[index], g, strict=True):
                acc[position] = tree_add(acc[position], part)
        else:
            acc[index] = tree_add(acc[index], g)
        return acc
    if acc is None:
        acc = np.zeros(np.shape(like), dtype=float_dtype(like))
    np.add.at(acc, index, g)
    return acc


def repeat_to_match(g, x, axis=None, keepdims=False):
    """Broadcast the cotangent of a reduction back to the shape of its input."""
    shape = x.shape if type(x) is np.ndarray else np.shape(x)
    if axis is None and len(shape) == 1 and shape[0] <= 65536:
        if type(g) is float:
            # A small vector: filling it is quicker than NumPy's broadcast_to (3 us).
            return np.full(shape, g, dtype=float_dtype(x))
        if isinstance(g, (np.generic, np.ndarray)) and g.ndim == 0:
            return np.full(shape, g, dtype=float_dtype(g))
    kept = kept_dims(g, shape, axis, keepdims)
    if math.prod(shape) * kept.itemsize > _SMALL_BYTES:
        return np.broadcast_to(kept, shape)        # large: a view, no memory
    # Small: a filled array is quicker than broadcast_to's view (2 us against 7 us).
    out = np.empty(shape, dtype=kept.dtype)
    out[...] = kept
    return out


# Below this many bytes a cotangent broadcast back over reduced axes is written out
# rather than viewed: quicker to make, and 64 KB is nothing to hold.
_SMALL_BYTES = 65536


def kept_dims(g, shape, axis=None, keepdims=False):
    """The cotangent of a reduction over ``axis`` with the reduced axes kept as length 1
    (as ``keepdims=True`` gives it), so that it broadcasts against the input."""
    g = g if type(g) is np.ndarray else np.asarray(g)
    if keepdims or axis is None:
        return g
    ndim = len(shape)
    if isinstance(axis, (int, np.integer)):
        a = axis % ndim
        return g.reshape(shape[:a] + (1,) + shape[a + 1:])
    kept = list(g.shape)
    for a in sorted(a % ndim for a in axis):
        kept.insert(a, 1)
    return g.reshape(kept)


def count_reduced(x, axis=None):
    """How many elements of ``x`` a reduction over ``axis`` combines into one."""
    shape = x.shape if type(x) is np.ndarray else np.shape(x)
    if axis is None:
        return math.prod(shape)
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    return math.prod(shape[a] for a in axes)


def as_gradient(d, x):
    """Give a raw cotangent the shape and dtype kind of the value it is the gradient of.

    None (no path from x to the output) becomes zeros; integer and boolean
    inputs get float gradients; Python scalars get Python floats.
    """
    if type(d) is np.ndarray and type(x) is np.ndarray and d.shape == x.shape and \
            d.dtype == x.dtype and d.dtype.kind == "f" and d.flags.writeable:
        return d                        # the usual case, as fast as it can be
    if isinstance(x, dict):
        return {key: as_gradient(None if d is None else d.get(key), value)
                for key, value in x.items()}
    if x is None or isinstance(x, str):
        return None                      # a leaf without a gradient inside a container
    if isinstance(x, (list, tuple)):
        parts = [as_gradient(None if d is None else d[k], item) for k, item in enumerate(x)]
        return parts if isinstance(x, list) else tuple(parts)
    if d is not None and np.iscomplexobj(d) and not np.iscomplexobj(x):
        raise AdtransError("a complex number appeared while differentiating a real input "
                           "(for instance a negative number to a fractional power); complex "
                           "numbers are not supported yet")
    if isinstance(x, (bool, int, float)) and not isinstance(x, np.generic):
        if d is None:
            return 0.0
        if np.ndim(d) != 0:
            d = np.sum(d)
        return float(np.real(d)) if not isinstance(x, complex) else complex(d)
    xa = np.asarray(x)
    dtype = xa.dtype if xa.dtype.kind in "fc" else np.dtype(float)
    if d is None:
        out = np.zeros(xa.shape, dtype=dtype)
    else:
        out = np.asarray(unbroadcast(d, xa), dtype=dtype)
        if out.shape != xa.shape:
            out = np.broadcast_to(out, xa.shape)
        if not out.flags.writeable:
            out = out.copy()        # a read-only broadcast view: the user may update it
    if isinstance(x, np.generic):
        return out[()]
    return out


def owned(gradients, inputs, seed=None):
    """The gradients handed out, each an array of its own.

    A raw gradient may be a view of the caller's cotangent (``seed``), the same
    array as another parameter's gradient (``x + y``), or, through a user's rule,
    an input: those are copied, so that updating one gradient in place changes
    nothing else.  Fresh arrays, the usual case, are handed out as they are (the
    copies were a tenth of an MLP's gradient time).
    """
    leaves: list = []
    _array_leaves(inputs, leaves)
    _array_leaves(seed, leaves)
    return _owned(gradients, leaves)


def _array_leaves(value, out):
    if isinstance(value, np.ndarray):
        out.append(value)
    elif isinstance(value, dict):
        for item in value.values():
            _array_leaves(item, out)
    elif isinstance(value, (list, tuple)):
        for item in value:
            if isinstance(item, (np.ndarray, list, tuple, dict)):
                _array_leaves(item, out)


def _may_share(a, b):
    if a is b:
        return True
    if a.base is None and b.base is None:
        return False                # two arrays owning their memory never overlap
    return np.may_share_memory(a, b)


def _owned(value, seen):
    if isinstance(value, np.ndarray):
        if any(_may_share(value, other) for other in seen):
            value = value.copy()
        seen.append(value)
        return value
    if isinstance(value, dict):
        return {key: _owned(item, seen) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        items = [_owned(item, seen) for item in value]
        return items if isinstance(value, list) else tuple(items)
    return value


def as_gradient_strict(d, x):
    """``as_gradient`` for tests: a float64 cotangent for a float32 input means generated
    code computed in float64 what the user kept in float32, and fails."""
    # A Python float (an adjoint that starts at 0.0) is weak: it upcasts nothing.
    if d is not None and type(d) is not float and not isinstance(x, (dict, list, tuple)) and \
            np.asarray(x).dtype == np.float32 and np.asarray(d).dtype == np.float64:
        raise AssertionError(f"a float64 cotangent {np.shape(d)} for a float32 input "
                             f"{np.shape(x)}: generated code upcast")
    if isinstance(x, dict):
        return {key: as_gradient_strict(None if d is None else d.get(key), value)
                for key, value in x.items()}
    if isinstance(x, (list, tuple)):
        parts = [as_gradient_strict(None if d is None else d[k], item)
                 for k, item in enumerate(x)]
        return parts if isinstance(x, list) else tuple(parts)
    return as_gradient(d, x)


def check_cotangent(v, out):
    """Check that a cotangent given to a pullback has the output's structure and shapes."""
    problem = _structure_mismatch(v, out)
    if problem:
        raise AdtransError(f"the cotangent does not match the function's output: {problem}; "
                           "pass a cotangent of the output's shape")
    return _float32_like(v, out)


def _float32_like(v, out):
    """A cotangent of a float32 output in float32 (the backward sweep then stays in it)."""
    if isinstance(out, dict):
        return {key: _float32_like(v[key], item) for key, item in out.items()}
    if isinstance(out, (list, tuple)):
        items = [_float32_like(c, item) for c, item in zip(v, out, strict=True)]
        return items if isinstance(v, list) else tuple(items)
    if isinstance(out, (np.ndarray, np.generic)) and out.dtype == np.float32 and \
            isinstance(v, (float, np.ndarray, np.floating)) and np.asarray(v).dtype != np.float32:
        return np.asarray(v, dtype=np.float32) if np.ndim(v) else np.float32(v)
    return v


def _structure_mismatch(v, out, where=""):
    if isinstance(out, dict):
        if not isinstance(v, dict) or set(v) != set(out):
            return f"the output{where} is a dict with keys {sorted(map(str, out))}"
        for key in out:
            problem = _structure_mismatch(v[key], out[key], f"{where}[{key!r}]")
            if problem:
                return problem
        return None
    if isinstance(out, (list, tuple)) and not _is_numeric_sequence(out):
        if not isinstance(v, (list, tuple)) or len(v) != len(out):
            return f"the output{where} is a {type(out).__name__} of {len(out)} items"
        for k, (a, b) in enumerate(zip(v, out, strict=True)):
            problem = _structure_mismatch(a, b, f"{where}[{k}]")
            if problem:
                return problem
        return None
    if np.shape(v) != np.shape(out):
        return f"the cotangent{where} has shape {np.shape(v)} but the output{where} has " \
               f"shape {np.shape(out)}"
    return None


def _is_numeric_sequence(value) -> bool:
    """A list or tuple NumPy reads as one array (numbers, or arrays of one shape)."""
    try:
        return np.asarray(value).dtype.kind in "biuf"
    except ValueError:
        return False


def check_scalar_output(out, name, seed):
    """grad needs an output with one real element (a scalar, or an array of shape (1,),
    (1, 1), ...); say so, and point to vjp, when it has not.  Returns the seed of the
    backward sweep in the output's shape and float type."""
    if type(out) is float or type(out) is np.float64:
        return seed                     # the usual case first
    if isinstance(out, (bool, int, float)) and not isinstance(out, np.generic):
        return seed
    if not isinstance(out, (np.ndarray, np.generic)) or np.size(out) != 1 or \
            not np.isrealobj(out):
        what = f"shape {np.shape(out)}" if isinstance(out, (np.ndarray, np.generic)) \
            else f"type {type(out).__name__}"
        raise AdtransError(
            f"grad of {name!r}: the function's output must be a real scalar (or an array "
            f"with one element), but it has {what}; use adtrans.vjp(f, *args) and call "
            "the pullback with a cotangent of the output's shape")
    return _seed_like(seed, out)


def _seed_like(seed, out):
    """``seed`` as a cotangent of ``out``: its shape, and float32 where ``out`` is."""
    dtype = float_dtype(out)
    if np.ndim(out) == 0:
        return dtype.type(seed) if dtype == np.float32 else seed
    return np.full(np.shape(out), seed, dtype=dtype)


def adjoint_or_zeros(d, x):
    """An adjoint for gradient surgery to work on: zeros shaped like ``x`` where no
    cotangent reached it yet."""
    if d is not None:
        return d
    return np.zeros(np.shape(x), dtype=float_dtype(x)) if np.ndim(x) else 0.0


def stable_order(keys, reverse=False):
    """The positions of ``keys`` in the order ``sorted`` puts them (stable)."""
    return sorted(range(len(keys)), key=keys.__getitem__, reverse=bool(reverse))


def first_extremum(keys, largest):
    """The position of the first largest (or smallest) key, as max and min choose."""
    positions = range(len(keys))
    if largest:
        return max(positions, key=keys.__getitem__)
    return min(positions, key=keys.__getitem__)


def stop_gradient(x):
    """The value of ``x``, through which no gradient flows back."""
    return x


def _as_2d_operands(g, x, y):
    """Promote 1-D matmul operands to matrices, as np.matmul does, keeping g aligned."""
    x2 = x[np.newaxis, :] if x.ndim == 1 else x
    y2 = y[:, np.newaxis] if y.ndim == 1 else y
    if x.ndim == 1:
        g = np.expand_dims(g, -2)
    if y.ndim == 1:
        g = np.expand_dims(g, -1)
    return g, x2, y2


def matmul_grad_left(g, x, y):
    """Cotangent of ``x`` in ``x @ y`` (any ranks, batch broadcasting included)."""
    x, y, g = np.asarray(x), np.asarray(y), np.asarray(g)
    if x.ndim == 1 and y.ndim == 1:
        return g * y
    g2, x2, y2 = _as_2d_operands(g, x, y)
    d = unbroadcast(g2 @ np.swapaxes(y2, -1, -2), x2)
    return d.reshape(x.shape)


def matmul_grad_right(g, x, y):
    """Cotangent of ``y`` in ``x @ y`` (any ranks, batch broadcasting included)."""
    x, y, g = np.asarray(x), np.asarray(y), np.asarray(g)
    if x.ndim == 1 and y.ndim == 1:
        return g * x
    g2, x2, y2 = _as_2d_operands(g, x, y)
    d = unbroadcast(np.swapaxes(x2, -1, -2) @ g2, y2)
    return d.reshape(y.shape)


def dot_grad_left(g, x, y):
    """Cotangent of ``x`` in ``np.dot(x, y)``: a scalar operand is a product, else a contraction."""
    x, y, g = np.asarray(x), np.asarray(y), np.asarray(g)
    if x.ndim == 0 or y.ndim == 0:
        return unbroadcast(g * y, x)
    if y.ndim == 1:
        return np.multiply.outer(g, y)
    # dot contracts x's last axis with y's second-to-last; g's trailing axes are y's others.
    y_rest = [a for a in range(y.ndim) if a != y.ndim - 2]
    g_axes = list(range(x.ndim - 1, g.ndim))
    return np.tensordot(g, y, axes=(g_axes, y_rest))


def dot_grad_right(g, x, y):
    """Cotangent of ``y`` in ``np.dot(x, y)``."""
    x, y, g = np.asarray(x), np.asarray(y), np.asarray(g)
    if x.ndim == 0 or y.ndim == 0:
        return unbroadcast(g * x, y)
    x_lead = list(range(x.ndim - 1))
    g_lead = list(range(x.ndim - 1))
    d = np.tensordot(x, g, axes=(x_lead, g_lead)) if x_lead else np.multiply.outer(x, g)
    if y.ndim == 1:
        return d
    # d has axes (k, y's axes except the contracted one); move k back to position -2.
    return np.moveaxis(d, 0, y.ndim - 2)


def transpose_grad(g, axes=None):
    """Cotangent of ``np.transpose(x, axes)``: transpose back with the inverse permutation."""
    if axes is None:
        return np.transpose(g)
    # Negative axes count from the end: argsort((-1, 0, 1)) would not invert (2, 0, 1).
    return np.transpose(g, np.argsort([a % np.ndim(g) for a in axes]))


def extremum_grad(g, ans, x, axis=None, keepdims=False):
    """Cotangent of max/min reductions: shared equally among the tied extreme elements."""
    x = x if type(x) is np.ndarray else np.asarray(x)
    shape = x.shape
    # Reduced axes kept as length 1: the arithmetic broadcasts to x's shape by itself.
    mask = x == kept_dims(ans, shape, axis, keepdims)
    dtype = float_dtype(g) if isinstance(g, (np.ndarray, np.generic)) else float_dtype(x)
    ties = np.add.reduce(mask, axis=axis, keepdims=True, dtype=dtype)
    # Divide the reduced cotangent, not the full-size product: the same numbers (mask
    # is 0 or 1), one full-size pass fewer.
    out = mask * (kept_dims(g, shape, axis, keepdims) / ties)
    return out if out.shape == shape else np.broadcast_to(out, shape)


def where_zero(c, g):
    """``g`` where c holds, 0 elsewhere: the cotangent routed through a selection."""
    return np.where(c, g, 0.0)


def require_list(value, message, filename, lineno, construct):
    """Stop unless ``value`` is a list (``xs.sort()`` is lowered for lists only)."""
    if not isinstance(value, list):
        raise AdtransError(message, filename, lineno, construct)


def changes_in_place(value):
    """Whether ``value += ...`` changes ``value`` itself (arrays, lists, dicts), rather
    than binding a new object (numbers, NumPy scalars, tuples, strings)."""
    return isinstance(value, (np.ndarray, list, dict))


def refuse_shared_array(value, scope, names, message):
    """Stop where Python's in-place ``+=`` would also change another variable's array.

    ``names`` are the variables that may share ``value``'s memory and are read
    later; ``scope`` is the caller's ``locals()``.  Only a real overlap raises.
    """
    if not isinstance(value, (np.ndarray, list, dict)):
        return

    def overlaps(other) -> bool:
        if other is value:
            return True
        if isinstance(other, (list, tuple)):         # a list or tuple holding the value
            return any(overlaps(item) for item in other)
        return isinstance(value, np.ndarray) and isinstance(other, np.ndarray) and \
            np.may_share_memory(value, other)

    for name in names:
        if overlaps(scope.get(name)):
            raise AdtransError(message.replace("{other!r}", repr(name))
                               .replace("{other}", name))


def select_grad(c, g, like):
    """Cotangent of one branch of ``np.where(c, x, y)``: ``g`` where ``c`` picks it, summed
    down to the branch's shape (the condition may broadcast the branch)."""
    return unbroadcast(where_zero(c, g), like)


def cast_grad(g, dtype=None):
    """Cotangent through a copy or conversion: none survives an explicit cast to an integer or
    boolean dtype (which rounds); a plain copy passes it, also of an integer input."""
    if dtype is None or np.dtype(dtype).kind in "fc":
        return g
    return np.zeros(np.shape(g), dtype=float_dtype(g))


def _reduced_axes(ndim, axis):
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
    return tuple(sorted(a % ndim for a in axes))


def prod_grad(g, x, axis=None, keepdims=False):
    """Cotangent of ``np.prod``: each element gets the product of the others (exact at zeros)."""
    x = np.asarray(x)
    if x.size == 0:
        return np.zeros(x.shape, dtype=float_dtype(x))
    axes = _reduced_axes(x.ndim, axis)
    kept = [a for a in range(x.ndim) if a not in axes]
    order = kept + list(axes)
    moved = np.transpose(x, order)
    flat = moved.reshape(moved.shape[:len(kept)] + (-1,))
    ones = np.ones(flat.shape[:-1] + (1,), dtype=flat.dtype)
    left = np.cumprod(np.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
    right = np.flip(np.cumprod(np.concatenate([ones, np.flip(flat, -1)[..., :-1]], axis=-1),
                               axis=-1), -1)
    others = np.transpose((left * right).reshape(moved.shape), np.argsort(order))
    return repeat_to_match(g, x, axis, keepdims) * others


def var_grad(g, x, axis=None, ddof=0, keepdims=False):
    """Cotangent of ``np.var(x, axis, ddof=ddof)``: ``2 (x - mean) / (N - ddof)`` times ``g``."""
    x = np.asarray(x)
    centered = x - np.mean(x, axis=axis, keepdims=True)
    return repeat_to_match(g, x, axis, keepdims) * (2.0 * centered) / (count_reduced(x, axis)
                                                                        - ddof)


def std_grad(g, ans, x, axis=None, ddof=0, keepdims=False):
    """Cotangent of ``np.std``: the variance's over ``2 std``; 0 where all values are equal."""
    return var_grad(g / (2.0 * np.where(ans == 0, 1.0, ans)), x, axis, ddof, keepdims)


def cumsum_grad(g, x, axis=None):
    """Cotangent of ``np.cumsum``: a cumulative sum from the other end."""
    if axis is None:
        return np.reshape(np.flip(np.cumsum(np.flip(np.ravel(g)))), np.shape(x))
    return np.flip(np.cumsum(np.flip(g, axis), axis), axis)


def diagonal_grad(g, x, offset=0, axis1=0, axis2=1):
    """Cotangent of ``np.diagonal(x, offset, axis1, axis2)``: ``g`` written onto a diagonal."""
    shape = np.shape(x)
    a1, a2 = axis1 % len(shape), axis2 % len(shape)
    others = [a for a in range(len(shape)) if a not in (a1, a2)]
    g = np.asarray(g)
    out = np.zeros([shape[a] for a in others] + [shape[a1], shape[a2]],
                   dtype=float_dtype(g))
    steps = np.arange(g.shape[-1]) if g.ndim else np.arange(0)
    out[..., steps + max(-offset, 0), steps + max(offset, 0)] = g
    return np.transpose(out, np.argsort(others + [a1, a2]))


def trace_grad(g, x, offset=0, axis1=0, axis2=1):
    """Cotangent of ``np.trace``: ``g`` on every element of the summed diagonal."""
    shape = np.shape(x)
    n1, n2 = shape[axis1], shape[axis2]
    length = max(0, min(n1 - max(-offset, 0), n2 - max(offset, 0)))
    g = np.asarray(g)
    return diagonal_grad(np.broadcast_to(g[..., np.newaxis], g.shape + (length,)), x, offset,
                         axis1, axis2)


def diag_grad(g, x, k=0):
    """Cotangent of ``np.diag``: the k-th diagonal of ``g`` (1-D x), or ``g`` on it (2-D x)."""
    if np.ndim(x) == 1:
        return np.diagonal(g, k)
    return diagonal_grad(g, x, k)


def sinc_prime(x):
    """Derivative of ``np.sinc`` (the normalised sinc), 0 at 0."""
    x = np.asarray(x)
    safe = np.where(x == 0, 1.0, x)
    return np.where(x == 0, 0.0, (np.cos(np.pi * safe) - np.sinc(safe)) / safe)


def power_base(x, y):
    """``x`` for the base cotangent ``y * x ** (y - 1)`` of ``x ** y``, with 1 where ``x`` and
    ``y`` are both 0: there the derivative is 0 (``x ** 0`` is constant), not ``0 * inf``."""
    if isinstance(y, (int, float)) and y != 0:
        return x                                  # the usual case: a constant exponent
    if not np.any(np.equal(y, 0)):
        return x
    both_zero = np.logical_and(np.equal(x, 0), np.equal(y, 0))
    if np.ndim(both_zero) == 0 and np.ndim(x) == 0 and not isinstance(x, np.ndarray):
        return 1.0 if both_zero else x
    return np.where(both_zero, 1.0, x)
