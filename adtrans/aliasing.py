"""In-place augmented assignment versus arrays that share memory.

adtrans computes ``s += v`` as ``s = s + v``: a new array.  Python's ``+=`` on
an array writes into it, which also changes every other variable sharing that
memory (``s = y``, ``s = y[i]``, ``s = y.T``, ``s = np.flip(y)``, lists and
tuples holding ``y``, chains of those).  Where such a variable is read
afterwards, the two semantics give different values.  This pass finds those
statements statically (may-alias classes, flow-insensitive); the generated
forward sweep then checks at run time whether the arrays really share memory,
and raises instead of computing a value Python would not.
"""

from __future__ import annotations

import ast

import numpy as np

from .normalize import CoreFunction
from .source import UNRESOLVED, FunctionSource

VIEW_METHODS = {"reshape", "transpose", "ravel", "squeeze", "view", "swapaxes", "diagonal"}
VIEW_ATTRIBUTES = {"T", "real", "imag", "flat"}
VIEW_FUNCTIONS = {id(f) for f in (
    np.asarray, np.asanyarray, np.flip, np.fliplr, np.flipud, np.transpose, np.reshape,
    np.ravel, np.squeeze, np.expand_dims, np.swapaxes, np.moveaxis, np.diagonal,
    np.atleast_1d, np.atleast_2d, np.atleast_3d, np.real, np.imag, np.broadcast_to)}

OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**",
             ast.MatMult: "@", ast.Mod: "%", ast.FloorDiv: "//", ast.BitAnd: "&",
             ast.BitOr: "|", ast.BitXor: "^", ast.LShift: "<<", ast.RShift: ">>"}


def alias_sources(src: FunctionSource, value: ast.expr, local_names: set[str]) -> list[str]:
    """The variables whose arrays ``value`` may share memory with (or hold, for a list)."""
    if isinstance(value, (ast.List, ast.Tuple)):
        return [e.id for e in value.elts if isinstance(e, ast.Name)]
    source = alias_source(src, value, local_names)
    return [] if source is None else [source]


def alias_source(src: FunctionSource, value: ast.expr, local_names: set[str]) -> str | None:
    """The variable whose array ``value`` may share memory with, if any."""
    if isinstance(value, ast.Name):
        return value.id
    if isinstance(value, ast.Subscript) and isinstance(value.value, ast.Name):
        return value.value.id
    if isinstance(value, ast.Attribute) and value.attr in VIEW_ATTRIBUTES and \
            isinstance(value.value, ast.Name):
        return value.value.id
    if isinstance(value, ast.Call) and value.args and isinstance(value.args[0], ast.Name):
        resolved = src.resolve(value.func, local_names) \
            if isinstance(value.func, (ast.Name, ast.Attribute)) else UNRESOLVED
        if resolved is not UNRESOLVED and id(resolved) in VIEW_FUNCTIONS:
            return value.args[0].id
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and \
            value.func.attr in VIEW_METHODS and isinstance(value.func.value, ast.Name) and \
            value.func.value.id in local_names:
        return value.func.value.id
    return None


def _linear(stmts: list[ast.stmt], loop: ast.stmt | None = None):
    """Statements in program order, each with its outermost enclosing loop."""
    for stmt in stmts:
        yield stmt, loop
        if isinstance(stmt, ast.If):
            yield from _linear(stmt.body, loop)
            yield from _linear(stmt.orelse, loop)
        elif isinstance(stmt, (ast.While, ast.For)):
            yield from _linear(stmt.body, loop or stmt)


def _blocks(stmts: list[ast.stmt], outer: tuple = ()) -> dict[int, tuple]:
    """For each statement, the chain of blocks it sits in, outermost first: a block is
    (id of its compound statement or 0 for the body, field name)."""
    chains: dict[int, tuple] = {}
    for stmt in stmts:
        chains[id(stmt)] = outer
        for field in ("body", "orelse"):
            inner = getattr(stmt, field, None)
            if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
                chains.update(_blocks(inner, (*outer, (id(stmt), field))))
    return chains


def _rebound_before(name: str, reader: ast.stmt, change: ast.stmt, order: list,
                    blocks: dict[int, tuple]) -> bool:
    """Whether every pass of the innermost loop around ``reader`` and ``change`` assigns
    ``name`` before ``reader`` reads it: an assignment earlier in the reader's own block
    or an enclosing one, inside that loop."""
    shared = [b for b, c in zip(blocks[id(reader)], blocks[id(change)], strict=False) if b == c]
    loops = {id(s) for s, _ in order if isinstance(s, (ast.For, ast.While))}
    inner = next((b for b in reversed(shared) if b[0] in loops), None)
    if inner is None:
        return False
    reader_chain = blocks[id(reader)]
    for stmt, _ in order:
        if stmt is reader:
            return False
        chain = blocks[id(stmt)]
        if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name) and \
                stmt.targets[0].id == name and inner in chain and \
                chain == reader_chain[:len(chain)]:
            return True
    return False


def _rebound_between(name: str, start: int, end: int, order: list,
                     blocks: dict[int, tuple]) -> bool:
    """Whether ``name`` is surely assigned after statement ``start`` and before ``end``
    reads it: by an assignment between them in ``end``'s own block or an enclosing one
    (which runs before ``end`` in every pass of the loops around ``end``)."""
    reader_chain = blocks[id(order[end][0])]
    for stmt, _ in order[start + 1:end]:
        chain = blocks[id(stmt)]
        if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name) and \
                stmt.targets[0].id == name and chain == reader_chain[:len(chain)]:
            return True
    return False


def _classes(pairs: list[tuple[str, str]]) -> dict[str, set[str]]:
    """May-alias classes: the connected components of the alias edges."""
    parent: dict[str, str] = {}

    def find(name: str) -> str:
        parent.setdefault(name, name)
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    for a, b in pairs:
        parent[find(a)] = find(b)
    groups: dict[str, set[str]] = {}
    for name in list(parent):
        groups.setdefault(find(name), set()).add(name)
    return {name: groups[find(name)] for name in parent}


def derived_from(src: FunctionSource, core: CoreFunction, operations: dict[int, list]
                 ) -> dict[str, set[str]]:
    """For each variable, the variables whose object its value may be, or be part of or a
    view of (so that changing it in place changes them): copies, views, index reads and
    unknown calls, not the containers a value was put into."""
    same, _ = relations(src, core, operations)
    return {name: _closure(same, {name}) - {name} for name in same}


def relations(src: FunctionSource, core: CoreFunction, operations: dict[int, list]
              ) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """``same[n]``: the names whose object ``n``'s value may be, or a part or view of;
    ``holds[n]``: the names whose objects ``n``'s value (a list, a dict) may hold."""
    same: dict[str, set[str]] = {}
    holds: dict[str, set[str]] = {}
    for target, sources, contains in _alias_edges(src, core, operations):
        (holds if contains else same).setdefault(target, set()).update(sources)
    return same, holds


def observers(name: str, same: dict[str, set[str]], holds: dict[str, set[str]]) -> set[str]:
    """The names through which a change of ``name``'s object in place can be seen: the
    objects it is part of, views and copies of those, and containers holding any."""
    seen = _closure(same, {name})
    changed = True
    while changed:
        changed = False
        for other in set(same) | set(holds):
            if other not in seen and (same.get(other, set()) & seen
                                      or holds.get(other, set()) & seen):
                seen.add(other)
                changed = True
    return seen


def _closure(edges: dict[str, set[str]], start: set[str]) -> set[str]:
    seen, stack = set(start), list(start)
    while stack:
        for source in edges.get(stack.pop(), ()):
            if source not in seen:
                seen.add(source)
                stack.append(source)
    return seen


def _alias_edges(src: FunctionSource, core: CoreFunction, operations: dict[int, list]):
    """(name, names, whether ``name`` merely contains them) for every way a value may
    share an object with others."""
    order = [s for s, _ in _linear(core.body)]
    local_names = set(core.params) | {s.targets[0].id for s in order
                                      if isinstance(s, ast.Assign)
                                      and isinstance(s.targets[0], ast.Name)}
    for stmt in order:
        for operation in operations.get(id(stmt), []):
            for container in operation.mutates:
                yield container, list(operation.stores), True
        if not (isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name)):
            continue
        target = stmt.targets[0].id
        contains = isinstance(stmt.value, (ast.List, ast.Tuple, ast.Dict))
        sources = alias_sources(src, stmt.value, local_names)
        if isinstance(stmt.value, ast.Dict):
            sources = [v.id for v in stmt.value.values if isinstance(v, ast.Name)]
        yield target, sources, contains
        for operation in operations.get(id(stmt), []):
            if operation.kind in ("unknown", "effect", "mutation") and not operation.library:
                yield target, list(operation.seen_names()), False


def _reads(stmt: ast.stmt, name: str) -> bool:
    """Whether ``stmt`` itself reads ``name`` (a compound statement: its header)."""
    if isinstance(stmt, (ast.If, ast.While)):
        parts: list[ast.AST] = [stmt.test]
    elif isinstance(stmt, ast.For):
        parts = [stmt.iter]
    else:
        parts = [stmt]
    return any(isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load)
               for part in parts for n in ast.walk(part))


CHANGING_METHODS = {"append", "extend", "insert", "pop", "reverse", "remove", "clear",
                    "update", "setdefault"}


def changed_name(stmt: ast.stmt) -> str | None:
    """The variable a core statement changes in place: ``s += v`` (kept in place for
    arrays by Python), ``y[i] = v``, ``del y[i]``, ``xs.append(v)``, ``v = xs.pop()``."""
    if getattr(stmt, "_adtrans_augmented", False):
        return stmt.targets[0].id
    if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Subscript):
        return stmt.targets[0].value.id
    if isinstance(stmt, ast.Delete) and isinstance(stmt.targets[0], ast.Subscript):
        return stmt.targets[0].value.id
    call = stmt.value if isinstance(stmt, (ast.Expr, ast.Assign)) else None
    if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and \
            call.func.attr in CHANGING_METHODS and isinstance(call.func.value, ast.Name):
        return call.func.value.id
    return None


def mark_in_place_risks(src: FunctionSource, core: CoreFunction,
                        immutable: set[str] = frozenset()) -> None:
    """Annotate in-place changes whose effect another variable could see.

    Each such statement gets ``_adtrans_alias_risk = (names, message)``: the
    variables that may share the changed value's memory (views, copies by
    name, lists holding it) and are read afterwards, and the error to raise
    (with ``{other}`` for the one that does share).  The forward sweep checks
    at run time which really share: adtrans computes ``s += v`` as a new array,
    and follows a change through one name only.  Names that only ever hold numbers
    or strings (``immutable``) share nothing that can change.
    """
    order = list(_linear(core.body))
    changes = [(i, s, loop, changed_name(s)) for i, (s, loop) in enumerate(order)]
    changes = [c for c in changes if c[3] is not None]
    if not changes:
        return
    local_names = set(core.params) | {s.targets[0].id for s, _ in order
                                      if isinstance(s, ast.Assign)
                                      and isinstance(s.targets[0], ast.Name)}
    edges = []
    for stmt, _ in order:
        if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name) and \
                not getattr(stmt, "_adtrans_augmented", False):
            for source in alias_sources(src, stmt.value, local_names):
                edges.append((stmt.targets[0].id, source))
    classes = _classes(edges)
    blocks = _blocks(core.body)
    for position, stmt, loop, target in changes:
        # The caller's variable a callee's `p *= c` writes back to (normalize.py) follows.
        follows = {getattr(stmt, "_adtrans_writes_back", None)}

        def sees_change(i: int, reader: ast.stmt, enclosing: ast.stmt | None, other: str,
                        change: ast.stmt = stmt, after: int = position,
                        loop: ast.stmt | None = loop) -> bool:
            if i > after:
                # Read after the change: unless `other` is bound afresh in between.
                return not _rebound_between(other, after, i, order, blocks)
            # Before the change in the same loop: a later pass reads it, unless each pass
            # binds `other` afresh first (`t1 = A[i]; A[i] = t1 * x`).
            return loop is not None and enclosing is loop and not _rebound_before(
                other, reader, change, order, blocks)

        readers = sorted(
            other for other in classes.get(target, set()) - {target} - immutable - follows
            if any(_reads(s, other) and sees_change(i, s, enclosing, other)
                   for i, (s, enclosing) in enumerate(order)))
        if not readers:
            continue
        if isinstance(getattr(stmt, "_adtrans_augmented", False), str):
            written = f"{target}.{stmt._adtrans_augmented}"
            text = (f"`{written}` changes the list in place, which {{other!r}} shares and "
                    f"reads afterwards; adtrans sorts into a new list, so write "
                    f"`{target} = sorted({target})` or start from a copy "
                    f"(`{target} = list({{other}})`)")
        elif getattr(stmt, "_adtrans_augmented", False):
            operator = OPERATORS[type(stmt.value.op)]
            text = (f"in-place `{target} {operator}= ...` would also change {{other!r}}, which "
                    f"shares its array and is used afterwards; adtrans computes a new array "
                    f"instead, so write `{target} = {target} {operator} ...` or start from a "
                    f"copy (`{target} = {{other}}.copy()`)")
        else:
            text = (f"this changes `{target}` in place, and {{other!r}} shares its memory "
                    f"and is used afterwards; adtrans follows a change through one name "
                    f"only, so take a copy (`{{other}} = {{other}}.copy()`) or change "
                    f"`{target}` before {{other!r}} is made from it")
        message = src.error(stmt, text).args[0]
        stmt._adtrans_alias_risk = (readers, message)  # type: ignore[attr-defined]
