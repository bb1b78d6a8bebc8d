"""Helpers generated code calls for in-place changes of lists, dicts and arrays.

The forward sweep changes containers as the user's code does, after taking a
*record* of what the change destroys (a position, an overwritten element).
The backward sweep undoes each change in reverse, so every value is again
what it was when the change ran, and moves cotangents within the container's
*accumulator*: a list, dict or array of the elements' cotangents that only
generated code holds, updated in place.  None stands for zero throughout.
"""

from __future__ import annotations

import numpy as np

from .runtime import float_dtype, tree_add, tree_zeros, unbroadcast


# ---------------------------------------------------------------- accumulators
def acc_add(acc, like, g):
    """Add the cotangent ``g`` of a whole container to its accumulator (made on first use)."""
    if g is None:
        return acc
    if isinstance(like, np.ndarray):
        if acc is None:
            return np.array(np.broadcast_to(g, like.shape),
                            dtype=float_dtype(like))
        acc += g
        return acc
    if acc is None:
        acc = tree_zeros(like)
    if isinstance(like, dict):
        for key, value in g.items():
            acc[key] = tree_add(acc.get(key), value)
        return acc
    for position, part in enumerate(g):
        acc[position] = tree_add(acc[position], part)
    return acc


def own(value):
    """A copy of a container the backward sweep will change back (a vjp's pullback may be
    called again, and the forward's output must not change)."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value


def with_snapshot(value):
    """``(value, a copy of it)``: a container a vjp's backward sweep will change back, and
    its state now, so that every call of the pullback can start from that state."""
    return value, own(value)


def restored(pair):
    """The container of ``with_snapshot``, put back into the state it had then, in place:
    views of it that the backward sweep reads (``t = A[i]``) see that state too."""
    value, state = pair
    if isinstance(value, np.ndarray):
        value[...] = state
    elif isinstance(value, list):
        value[:] = state
    elif isinstance(value, dict):
        value.clear()
        value.update(state)
    return value


def _position(container, index):
    """The position ``index`` denotes in ``container`` (negative ones counted from the end)."""
    index = int(index)
    return index + len(container) if index < 0 else index


# ---------------------------------------------------------------- lists
def insert_position(xs, index):
    """Where ``xs.insert(index, v)`` puts ``v``."""
    index = int(index)
    if index < 0:
        index = max(index + len(xs), 0)
    return min(index, len(xs))


def pop_position(xs, index=-1):
    """Which position ``xs.pop(index)`` removes."""
    return _position(xs, index)


def removed(xs, position):
    """The record of removing ``xs[position]``: the position and the element."""
    return position, xs[position]


def unappend(acc):
    """Backward of ``xs.append(v)``: the last cotangent is ``v``'s."""
    return acc.pop() if acc is not None else None


def unextend(acc, length, values):
    """Backward of ``xs.extend(values)`` (``length`` was ``len(xs)`` before): the cotangents
    past ``length`` are ``values``', shaped like ``values``."""
    if acc is None:
        return None
    part = acc[length:]
    del acc[length:]
    if isinstance(values, np.ndarray):
        return np.array([np.zeros(np.shape(v), dtype=float_dtype(v)) if p is None else p
                         for p, v in zip(part, values, strict=True)])
    return part


def take(acc, position):
    """Backward of inserting at ``position``: remove and return that cotangent."""
    return acc.pop(position) if acc is not None else None


def put_back(acc, xs, position, ct, value):
    """Backward of removing ``value`` from ``position``: its cotangent goes back in place
    (``xs`` already holds it again)."""
    if acc is None:
        if ct is None:
            return None
        acc = tree_zeros(xs)
        acc[position] = ct
        return acc
    acc.insert(position, tree_zeros(value) if ct is None else ct)
    return acc


def swap(acc, position, old):
    """Backward of ``xs[position] = v`` (which overwrote ``old``): return ``v``'s cotangent,
    and start the overwritten element's at zero."""
    if acc is None:
        return None
    ct = acc[position]
    acc[position] = tree_zeros(old)
    return ct


def reverse(acc):
    """Backward of ``xs.reverse()``."""
    if acc is not None:
        acc.reverse()
    return acc


# ---------------------------------------------------------------- dicts
def dict_record(d, key):
    """What ``d[key] = v`` (or ``del d[key]``) destroys: whether the key was there, and
    its value."""
    return (key in d, d.get(key))


def dict_restore(d, key, record):
    """Undo a change of ``d[key]`` from its record."""
    present, old = record
    if present:
        d[key] = old
    else:
        d.pop(key, None)


def dict_take(acc, key):
    """Backward of ``d[key] = v``: ``v``'s cotangent; the overwritten value's starts at 0."""
    if acc is None:
        return None
    return acc.pop(key, None)


def update_record(d, other):
    """What ``d.update(other)`` destroys, key by key."""
    return [(key, key in d, d.get(key)) for key in dict(other)]


def update_undo(acc, d, record, other):
    """Backward of ``d.update(other)``: restore ``d``; return ``other``'s cotangent."""
    ct = {}
    for key, present, old in reversed(record):
        if acc is not None and key in acc:
            ct[key] = acc.pop(key)
        if present:
            d[key] = old
        else:
            d.pop(key, None)
    if not ct:
        return None
    if isinstance(other, dict):
        return ct
    return [[None, ct.get(key)] for key, _ in other]       # a list of (key, value) pairs


def entry(ct, key):
    """A dict cotangent's entry for ``key`` (None: none)."""
    return None if ct is None else ct.get(key)


def dict_put_back(acc, key, ct):
    """Backward of ``d.pop(key)`` that removed a value: its cotangent goes back in."""
    if ct is None:
        return acc
    if acc is None:
        acc = {}
    acc[key] = tree_add(acc.get(key), ct)
    return acc


# ---------------------------------------------------------------- arrays
def array_record(y, index):
    """What ``y[index] = v`` overwrites, copied (a view would change with ``y``)."""
    return np.copy(y[index])


def array_take(acc, index, value):
    """Backward of ``y[index] = v``: ``v``'s cotangent (summed down to ``v``'s shape, as
    NumPy broadcast ``v`` into the slots); the overwritten slots' cotangents start at 0."""
    if acc is None:
        return None
    ct = _fancy_take(acc, index) if _repeats_possible(index) else np.array(acc[index])
    acc[index] = 0.0
    return unbroadcast(ct, value) if np.ndim(value) else float(np.sum(ct))


def _repeats_possible(index) -> bool:
    """Whether an index may name one slot twice (integer arrays or lists do)."""
    parts = index if isinstance(index, tuple) else (index,)
    return any(isinstance(p, (list, np.ndarray)) and np.asarray(p).dtype.kind in "iu"
               for p in parts)


def _fancy_take(acc, index):
    """Cotangents of the written elements where an integer-array index may repeat a slot:
    NumPy keeps the last write to each slot, so only that element gets the slot's."""
    region = np.shape(acc[index])
    owner = np.full(acc.shape, -1, dtype=np.intp)
    owner[index] = np.arange(int(np.prod(region))).reshape(region)
    written = owner >= 0
    flat = np.zeros(int(np.prod(region)), dtype=float_dtype(acc))
    np.add.at(flat, owner[written], acc[written])
    return flat.reshape(region)


def dict_unpop(acc, d, key, record, ct):
    """Backward of ``v = d.pop(key, default)``: put the value back; ``v``'s cotangent goes
    to ``d[key]`` if it was there, else to the default.  Returns (acc, the default's)."""
    present, old = record
    if present:
        d[key] = old
        return dict_put_back(acc, key, ct), None
    return acc, ct


def dict_unsetdefault(acc, d, key, record, ct):
    """Backward of ``v = d.setdefault(key, default)``: where the key was there, ``v`` is
    ``d[key]``; else the default went in, and its cotangent is ``v``'s and the new entry's
    (which comes out again).  Returns (acc, the default's)."""
    present, _ = record
    if present:
        return dict_put_back(acc, key, ct), None
    from_entry = acc.pop(key, None) if acc is not None else None
    d.pop(key, None)
    return acc, tree_add(from_entry, ct)
