"""Which variables surely hold an object the function made itself (a copy), per statement.

``params = params.copy()`` followed by ``params["W"] = ...`` changes the copy, not
the caller's dict: the refusal of in-place changes of arguments must not fire there.
A must-analysis over the core form: a name is *fresh* after ``n = <copying call>``
(``x.copy()`` of a list, dict or array, ``list(x)``, ``dict(x)``, ``np.array(x)``,
``np.copy(x)``, ``copy.copy(x)``, ``copy.deepcopy(x)``) or ``n = m`` with ``m`` fresh,
on every path to the statement; any other binding makes it not fresh.  Copies are
shallow: the items of a fresh dict are still the caller's, which the aliasing
relations (aliasing.py) keep refusing.
"""

from __future__ import annotations

import ast
import copy
from typing import Any

import numpy as np

from . import kinds
from .source import UNRESOLVED, FunctionSource

_COPYING = {id(f) for f in (list, dict, np.array, np.copy, copy.copy, copy.deepcopy)}
_COPYABLE = {kinds.LIST, kinds.DICT, kinds.ARRAY}


class FreshObjects:
    """``at[id(stmt)]``: the names surely holding a fresh object before ``stmt`` runs."""

    def __init__(self, src: FunctionSource, env_kinds: dict[int, Any], local_names: set[str],
                 known: dict[str, Any]) -> None:
        self.src = src
        self.kinds = env_kinds
        self.local_names = local_names
        self.known = known
        self.at: dict[int, frozenset[str]] = {}

    def run(self, body: list[ast.stmt]) -> FreshObjects:
        self._block(body, frozenset())
        return self

    def _block(self, stmts: list[ast.stmt], fresh: frozenset[str]) -> frozenset[str]:
        for stmt in stmts:
            previous = self.at.get(id(stmt))
            self.at[id(stmt)] = fresh if previous is None else previous & fresh
            fresh = self._statement(stmt, self.at[id(stmt)])
        return fresh

    def _statement(self, stmt: ast.stmt, fresh: frozenset[str]) -> frozenset[str]:
        if isinstance(stmt, ast.If):
            return self._block(stmt.body, fresh) & self._block(stmt.orelse, fresh)
        if isinstance(stmt, (ast.For, ast.While)):
            entry = fresh - _bound_in(stmt)
            for _ in range(2):                  # the body may run again, or not at all
                entry = entry & self._block(stmt.body, entry)
            return entry & self._block(stmt.orelse, entry)
        bound = _bound_in(stmt)
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and \
                isinstance(stmt.targets[0], ast.Name):
            name = stmt.targets[0].id
            makes_fresh = self._copies(stmt, stmt.value) or (
                isinstance(stmt.value, ast.Name) and stmt.value.id in fresh)
            return (fresh - bound) | {name} if makes_fresh else fresh - bound
        return fresh - bound

    def _copies(self, stmt: ast.stmt, value: ast.expr) -> bool:
        if not isinstance(value, ast.Call) or value.keywords:
            return False
        func = value.func
        if isinstance(func, ast.Attribute) and func.attr == "copy" and not value.args:
            receiver = func.value
            if isinstance(receiver, ast.Name):
                kind = self.kinds.get(id(stmt), {}).get(receiver.id)
                return kind is not None and bool(kinds.heads(kind)) and \
                    kinds.heads(kind) <= _COPYABLE
            return False
        function = self.src.resolve(func, self.local_names, self.known)
        return function is not UNRESOLVED and id(function) in _COPYING and len(value.args) == 1


def _bound_in(stmt: ast.stmt) -> frozenset[str]:
    return frozenset(n.id for n in ast.walk(stmt)
                     if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)))


def fresh_objects(src: FunctionSource, body: list[ast.stmt], env_kinds: dict[int, Any],
                  local_names: set[str], known: dict[str, Any]) -> FreshObjects:
    return FreshObjects(src, env_kinds, local_names, known).run(body)
