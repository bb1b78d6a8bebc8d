"""Rules for lists, tuples and dicts: building, reading, and the builtins over them.

The cotangent of a list or tuple is a list of its elements' cotangents (or an
array, where NumPy made the list one); the cotangent of a dict is a dict of
its values' cotangents, where a missing key means zero.  These rules are
called by generated code (``rule(g, ans, *args)`` returns one cotangent per
positional argument), since their work depends on the containers' lengths.
"""

import builtins

import numpy as np

from ..errors import AdtransError
from ..runtime import float_dtype, tree_add, tree_zeros, unbroadcast
from .registry import called_rule, defvjp_called


def _as_list(g, length):
    """A container cotangent as a list of ``length`` element cotangents."""
    if g is None:
        return [None] * length
    return list(g)


def concat_vjp(g, ans, a, b):
    """``a + b`` on lists or tuples: the first ``len(a)`` cotangents are ``a``'s."""
    n = len(a)
    return list(g[:n]), list(g[n:])


def repeat_vjp(g, ans, a, b):
    """``seq * n`` (or ``n * seq``): each element's cotangent sums over its ``n`` copies."""
    sequence, count = (a, b) if isinstance(a, (list, tuple)) else (b, a)
    m = len(sequence)
    total = tree_zeros(sequence)
    for k in range(int(count)):
        total = tree_add(total, list(g[k * m:(k + 1) * m]))
    return (total, None) if sequence is a else (None, total)


CONCAT = called_rule(concat_vjp, "concatenation")
REPEAT = called_rule(repeat_vjp, "repetition")


def _numeric(value) -> bool:
    return isinstance(value, (bool, int, float, np.ndarray, np.generic))


@defvjp_called(builtins.sum)
def sum_vjp(g, ans, iterable, start=0):
    """``sum(xs, start)`` is ``start + xs[0] + xs[1] + ...``: every term gets ``g``,
    summed down to its own shape (NumPy broadcasting)."""
    if isinstance(iterable, np.ndarray):
        if len(iterable) == 0:
            return np.zeros(iterable.shape), unbroadcast(g, start)
        row = unbroadcast(g, iterable[0])
        return np.broadcast_to(row, iterable.shape).copy(), unbroadcast(g, start)
    items = list(iterable)
    if not all(_numeric(item) for item in items):
        raise AdtransError("sum() of lists or tuples concatenates them, which has no "
                           "derivative rule yet; sum numbers or arrays")
    return [unbroadcast(g, item) for item in items], unbroadcast(g, start)


def _position(items, chosen):
    """Where ``max``/``min`` found the value they returned (the first of equal ones)."""
    for k, item in enumerate(items):
        if item is chosen:
            return k
    for k, item in enumerate(items):
        if np.array_equal(item, chosen):
            return k
    return None


@defvjp_called(builtins.max, builtins.min)
def extremum_vjp(g, ans, *args, key=None, default=None):
    """``max`` and ``min`` return one of their arguments (the first of tied ones), so the
    cotangent goes to that one alone."""
    if len(args) == 1:
        items = args[0]
        k = _position(list(items), ans)
        if isinstance(items, np.ndarray):
            ct = np.zeros(items.shape)
            if k is not None:
                ct[k] = g
            return (ct,)
        ct = tree_zeros(list(items))
        if k is not None:
            ct[k] = tree_add(ct[k], g)
        return (ct,)
    k = _position(args, ans)
    return tuple(g if i == k else None for i in range(len(args)))


@defvjp_called(builtins.list, builtins.tuple)
def sequence_vjp(g, ans, iterable=()):
    """``list(x)`` and ``tuple(x)`` keep the elements of a sequence in order; of a dict they
    keep the keys, which carry no gradient."""
    if isinstance(iterable, (dict, str)):
        return (None,)
    if isinstance(iterable, np.ndarray):
        # list(array) has the array's rows: their cotangents stack back into an array.
        rows = [np.zeros(iterable.shape[1:]) if part is None else part
                for part in _as_list(g, len(ans))]
        return (np.array(rows, dtype=float_dtype(iterable)).reshape(
            iterable.shape),)
    return (_as_list(g, len(ans)),)


@defvjp_called(methods=("copy",), receivers=("list", "dict"))
def copy_vjp(g, ans, container):
    """``xs.copy()``, ``d.copy()``: the same elements."""
    return (g,)


@defvjp_called(methods=("get",), receivers=("dict",))
def dict_get_vjp(g, ans, d, key, default=None):
    """``d.get(key, default)``: the cotangent goes to ``d[key]`` if present, else to
    ``default``."""
    if key in d:
        return {key: g}, None, None
    return None, None, g


@defvjp_called(methods=("items",), receivers=("dict",))
def dict_items_vjp(g, ans, d):
    """``d.items()``: the cotangent of each (key, value) pair's value goes to ``d[key]``."""
    out = {}
    for key, pair in zip(d, _as_list(g, len(d)), strict=True):
        if pair is not None and pair[1] is not None:
            out[key] = pair[1]
    return (out,)


@defvjp_called(methods=("values",), receivers=("dict",))
def dict_values_vjp(g, ans, d):
    """``d.values()``: the k-th cotangent goes to the k-th key's value."""
    return ({key: ct for key, ct in zip(d, _as_list(g, len(d)), strict=True)
             if ct is not None},)


@defvjp_called(methods=("keys",), receivers=("dict",))
def dict_keys_vjp(g, ans, d):
    """``d.keys()``: keys carry no gradient."""
    return (None,)


@defvjp_called(builtins.dict)
def dict_vjp(g, ans, source=()):
    """``dict(d)`` copies a dict; ``dict(pairs)`` keeps the last value given for each key,
    so that pair alone gets the key's cotangent."""
    g = g or {}
    if isinstance(source, dict):
        return ({key: g[key] for key in source if key in g},)
    pairs = list(source)
    last = {key: position for position, (key, _) in enumerate(pairs)}
    return ([(None, g.get(key)) if last[key] == position else None
             for position, (key, _) in enumerate(pairs)],)


def _element_cotangents(parts, iterable):
    """Cotangents of an iterable's first ``len(parts)`` elements as its own cotangent: a
    list (padded with None), an array (zeros for None), or None for keys and strings."""
    if isinstance(iterable, (dict, str, range)):
        return None
    if not hasattr(iterable, "__len__"):
        raise AdtransError("zip, enumerate or reversed over an iterator (a generator, a "
                           "map) carries no gradient back in adtrans; make it a list first")
    parts = list(parts) + [None] * (len(iterable) - len(parts))
    if isinstance(iterable, np.ndarray):
        rows = [np.zeros(iterable.shape[1:]) if part is None else part for part in parts]
        return np.array(rows, dtype=float_dtype(iterable)).reshape(
            iterable.shape)
    return parts


@defvjp_called(builtins.zip)
def zip_vjp(g, ans, *iterables, strict=False):
    """``zip(a, b)``: the k-th item of each pair goes back to the k-th iterable."""
    pairs = [] if g is None else list(g)
    return tuple(_element_cotangents([None if pair is None else pair[k] for pair in pairs],
                                     iterable) for k, iterable in enumerate(iterables))


@defvjp_called(builtins.enumerate)
def enumerate_vjp(g, ans, iterable, start=0):
    """``enumerate(xs)``: the second item of each pair goes back to ``xs``."""
    pairs = [] if g is None else list(g)
    return (_element_cotangents([None if pair is None else pair[1] for pair in pairs],
                                iterable), None)


@defvjp_called(builtins.reversed)
def reversed_vjp(g, ans, sequence):
    """``reversed(xs)``: the cotangents in the opposite order."""
    parts = [] if g is None else list(g)
    parts += [None] * (len(sequence) - len(parts))
    return (_element_cotangents(parts[::-1], sequence),)
