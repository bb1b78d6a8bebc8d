"""Iterate and unpack by position only what can be indexed by position.

The core form walks ``for x in seq`` as ``for i in range(len(seq)): x = seq[i]``
and unpacks ``a, b = v`` as ``a = v[0]; b = v[1]``, so that the indexing rule
carries gradients back.  That reading is right for lists, tuples, arrays,
strings and ranges, not for dicts (whose iteration yields keys), sets,
generators or dict views.  Where the kinds (kinds.py) do not show a
sequence, this pass first converts the value the way Python's iteration
sees it: ``seq_items = list(seq)``.

normalize.py marks the statements involved with a group number
(``_adtrans_iterates``): the ``len(seq)`` of a loop and the positional reads
made for that loop, or for one unpacking.
"""

from __future__ import annotations

import ast

from . import kinds
from .analysis import SEQUENCES
from .kind_analysis import Env
from .names import Namer

INDEXABLE = SEQUENCES | kinds.NUMERIC      # numbers raise, as iterating them would


def _group(stmt: ast.stmt) -> tuple[int, str] | None:
    """(group, name read by position) for the first statement of a marked group."""
    if not isinstance(stmt, ast.Assign):
        return None
    value = stmt.value
    if getattr(stmt, "_adtrans_iterates", None) and isinstance(value, ast.Call) and \
            isinstance(value.args[0], ast.Name):
        return stmt._adtrans_iterates, value.args[0].id          # len(seq)
    group = getattr(value, "_adtrans_iterates", None)
    if group and isinstance(value.value, ast.Name):
        return group, value.value.id                            # v[0]
    return None


def _is_dict_call(stmt: ast.stmt) -> bool:
    """``merged = dict(source)``: a dict source needs no conversion (list(d) is its keys)."""
    return getattr(stmt, "_adtrans_dict_source", False)


def _rename_group(stmts: list[ast.stmt], group: int, name: str, new: str) -> None:
    for stmt in stmts:
        if getattr(stmt, "_adtrans_iterates", None) == group:
            stmt.value.args[0] = ast.Name(id=new, ctx=ast.Load())
        for node in ast.walk(stmt):
            if isinstance(node, ast.Subscript) and \
                    getattr(node, "_adtrans_iterates", None) == group and \
                    isinstance(node.value, ast.Name) and node.value.id == name:
                node.value = ast.Name(id=new, ctx=ast.Load())


def convert(body: list[ast.stmt], env_before: dict[int, Env], namer: Namer,
            list_name: str, unknown: bool = True) -> bool:
    """Insert ``seq_items = list(seq)`` where ``seq`` may not be a sequence; True if any.

    With ``unknown`` false, values of unknown kind are left alone: an earlier
    conversion may yet make their kind known (a pair unpacked from d.items()).
    """
    changed = False
    position = 0
    while position < len(body):
        stmt = body[position]
        for block in ("body", "orelse"):
            inner = getattr(stmt, block, None)
            if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
                changed |= convert(inner, env_before, namer, list_name, unknown)
        marked = _group(stmt)
        kind = env_before.get(id(stmt), {}).get(marked[1]) if marked else None
        allowed = INDEXABLE | {kinds.DICT} if _is_dict_call(stmt) else INDEXABLE
        if kind is None or kinds.is_only(kind, allowed) or (
                not unknown and kinds.TOP_ATOM in kind):
            position += 1
            continue
        group, name = marked
        items = namer.fresh(f"{name}_items")
        conversion = ast.Assign(targets=[ast.Name(id=items, ctx=ast.Store())],
                                value=ast.Call(func=ast.Name(id=list_name, ctx=ast.Load()),
                                               args=[ast.Name(id=name, ctx=ast.Load())],
                                               keywords=[]))
        conversion.lineno = stmt.lineno
        body.insert(position, conversion)
        _rename_group(body[position + 1:], group, name, items)
        changed = True
        position += 2
    return changed
