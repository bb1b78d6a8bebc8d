"""Ranks: which variables surely hold a 0-d value (a number), or an array of known ndim.

Where a primitive's other operands are surely 0-d, its result has the shape of
this operand, so ``unbroadcast(g, x)`` is ``g``: the adjoint drops the call, and
the backward sweep no longer reads ``x`` (nor saves it) for its shape.  That is
what makes scalar loops cheap (the euler and arith workloads).

Parameters get the ndim of the arguments compiled for (the signature holds it);
Python numbers are 0-d; the analysis is flow-insensitive: a variable's rank is
the one rank all its assignments give it, or unknown (None).  It is iterated to
a fixpoint, starting from "no assignment seen" for every local.
"""

from __future__ import annotations

import ast
import math
from typing import Any

import numpy as np

from . import kinds
from .astutil import walk_statements
from .source import UNRESOLVED, FunctionSource

Rank = int | None
_UNSEEN = -1          # no assignment analysed yet (the fixpoint's bottom)

# Reductions whose result is 0-d when called without an axis (np.sum(x), x.mean()).
_REDUCTIONS = {id(f) for f in (np.sum, np.mean, np.prod, np.max, np.min, np.amax, np.amin,
                               np.std, np.var, np.linalg.norm, np.vdot, np.count_nonzero,
                               np.average, np.median)}
# Of a stack of matrices: one number per matrix.
_PER_MATRIX = {id(f) for f in (np.trace, np.linalg.det)}
_REDUCING_METHODS = {"sum", "mean", "prod", "max", "min", "std", "var", "item"}
_ALWAYS_SCALAR = {id(f) for f in (float, int, bool, len)}
# Constructors whose first argument is the shape: np.zeros((n, m)) has rank 2.
_SHAPED = {id(f) for f in (np.zeros, np.ones, np.empty, np.full)}
_SCALAR_BUILTINS = {id(f) for f in (abs, round, pow, min, max)}


class RankAnalysis:
    """``rank(expr)`` after ``run``: 0 for surely-0-d values, an ndim, or None."""

    def __init__(self, src: FunctionSource, params: dict[str, Rank], env_kinds: dict[int, Any],
                 local_names: set[str], known: dict[str, Any]) -> None:
        self.src = src
        self.ranks: dict[str, int] = {name: (rank if isinstance(rank, int) else -2)
                                      for name, rank in params.items()}
        # Container parameters: the ranks of their items, by key or position.
        self.items: dict[str, dict[Any, int | None]] = {}
        for name, rank in params.items():
            if isinstance(rank, tuple):
                self.items[name] = dict(rank) if all(
                    isinstance(r, tuple) for r in rank) else dict(enumerate(rank))
        self.kinds_before = env_kinds
        self.local_names = local_names
        self.known = known
        self.stmt: ast.stmt | None = None
        self.tuples: dict[str, int] = {}

    def run(self, body: list[ast.stmt]) -> RankAnalysis:
        assignments = [s for s in walk_statements(body)
                       if isinstance(s, ast.Assign) and isinstance(s.targets[0], ast.Name)]
        # A name bound any other way (tuple unpacking, a loop over anything but
        # range(), with/except targets...) is of unknown rank: never guessed.
        simple = {id(s.targets[0]) for s in assignments if len(s.targets) == 1}
        for stmt in walk_statements(body):
            if isinstance(stmt, ast.For) and isinstance(stmt.target, ast.Name) and \
                    _is_range(stmt.iter):
                simple.add(id(stmt.target))
                self.ranks[stmt.target.id] = self._join(
                    self.ranks.get(stmt.target.id, _UNSEEN), 0)
        nodes = [n for stmt in body for n in ast.walk(stmt)]
        indexed = {id(n.value) for n in nodes
                   if isinstance(n, ast.Subscript) and isinstance(n.ctx, ast.Load)
                   and isinstance(n.slice, ast.Constant)}
        elsewhere: set[str] = set()
        params_and_more = set(self.ranks)          # parameters (rebinding them is a join)
        for node in nodes:
            if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)) \
                    and id(node) not in simple:
                self.ranks[node.id] = -2
                elsewhere.add(node.id)
        # Names bound exactly once, to a tuple display (a shape: t5 = t2, t4).
        bound: dict[str, list[ast.stmt]] = {}
        for stmt in assignments:
            bound.setdefault(stmt.targets[0].id, []).append(stmt)
        for name, stmts in bound.items():
            length = _tuple_length(stmts[0].value)
            if len(stmts) == 1 and length is not None and name not in elsewhere and \
                    name not in params_and_more:
                self.tuples[name] = length
        # A container whose items are rebound or changed in place tells nothing: its
        # name may only be indexed (params["W"]) for the items' ranks to hold.
        for name in list(self.items):
            if any(isinstance(n, ast.Name) and n.id == name and id(n) not in indexed
                   for n in nodes):
                del self.items[name]
        changed = True
        while changed:
            changed = False
            for stmt in assignments:
                self.stmt = stmt
                name = stmt.targets[0].id
                new = self._join(self.ranks.get(name, _UNSEEN), self._expr(stmt.value))
                if new != self.ranks.get(name, _UNSEEN):
                    self.ranks[name] = new
                    changed = True
        return self

    @staticmethod
    def _join(a: int, b: int) -> int:
        if a == _UNSEEN:
            return b
        if b == _UNSEEN:
            return a
        return a if a == b else -2

    def rank(self, expr: ast.expr, stmt: ast.stmt | None = None) -> Rank:
        """The rank of an atom or expression of the core form, or None if unknown."""
        self.stmt = stmt
        value = self._expr(expr)
        return value if value >= 0 else None

    # Internally, -2 means unknown and -1 not yet seen.
    def _expr(self, node: ast.expr) -> int:
        if isinstance(node, ast.Constant):
            return 0 if isinstance(node.value, (bool, int, float)) else -2
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.UnaryOp):
            return self._expr(node.operand)
        if isinstance(node, ast.BinOp):
            left, right = self._expr(node.left), self._expr(node.right)
            if isinstance(node.op, ast.MatMult):
                return _matmul_rank(left, right)
            return _broadcast(left, right)
        if isinstance(node, ast.Compare):
            ranks = [self._expr(node.left), *(self._expr(c) for c in node.comparators)]
            out = ranks[0]
            for r in ranks[1:]:
                out = _broadcast(out, r)
            return out
        if isinstance(node, ast.Subscript):
            return self._subscript(node)
        if isinstance(node, ast.Attribute):
            if node.attr in ("T", "real", "imag", "mT"):
                return self._expr(node.value)
            return self._static(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        return -2

    def _name(self, node: ast.Name) -> int:
        kind = self._kind(node.id)
        if kind is not None and kinds.is_only(kind, kinds.PY_NUMBERS):
            return 0
        if node.id in self.ranks:
            return self.ranks[node.id]
        if node.id in self.local_names:
            return _UNSEEN
        return self._static(node)

    def _kind(self, name: str) -> Any:
        env = self.kinds_before.get(id(self.stmt), {}) if self.stmt is not None else {}
        return env.get(name)

    def _static(self, node: ast.expr) -> int:
        value = self.src.resolve(node, self.local_names, self.known)
        if value is UNRESOLVED:
            return -2
        if isinstance(value, (bool, int, float, np.generic)):
            return 0
        if isinstance(value, np.ndarray):
            return value.ndim
        return -2

    def _subscript(self, node: ast.Subscript) -> int:
        if isinstance(node.value, ast.Name) and node.value.id in self.items and \
                isinstance(node.slice, ast.Constant):
            rank = self.items[node.value.id].get(node.slice.value)
            return -2 if rank is None else rank
        base = self._expr(node.value)
        if base < 1:
            return -2
        index = node.slice
        parts = index.elts if isinstance(index, ast.Tuple) else [index]
        if any(isinstance(p, (ast.Slice, ast.Starred)) or
               (isinstance(p, ast.Constant) and (p.value is None or p.value is Ellipsis))
               for p in parts):
            return -2
        if all(self._is_int_scalar(p) for p in parts) and len(parts) <= base:
            return base - len(parts)
        return -2

    def _shape_length(self, node: ast.expr) -> int:
        """The rank of an array made with shape ``node``: a tuple display's length (also
        through a name bound once to one), 1 for an int."""
        length = _tuple_length(node)
        if length is None and isinstance(node, ast.Name):
            length = self.tuples.get(node.id)
        if length is not None:
            return length
        if self._is_int_scalar(node):
            return 1
        return -2

    def _is_int_scalar(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Constant):
            return type(node.value) is int
        if isinstance(node, ast.Name):
            kind = self._kind(node.id)
            return kind is not None and kinds.is_only(kind, {kinds.INT})
        return False

    def _call(self, node: ast.Call) -> int:
        func = node.func
        function = self.src.resolve(func, self.local_names, self.known) \
            if isinstance(func, (ast.Name, ast.Attribute)) else UNRESOLVED
        args = [self._expr(a) for a in node.args]
        keywords = {k.arg for k in node.keywords}
        if function is not UNRESOLVED:
            if isinstance(function, np.ufunc) and node.args and \
                    len(node.args) == function.nin and not keywords:
                out = args[0]
                for r in args[1:]:
                    out = _broadcast(out, r)
                return out
            if getattr(function, "__module__", None) == "math" and \
                    callable(getattr(math, getattr(function, "__name__", ""), None)):
                return 0
            if id(function) in _REDUCTIONS and len(node.args) == 1 and not keywords:
                return 0
            if id(function) in _PER_MATRIX and len(node.args) == 1 and not keywords:
                return args[0] - 2 if args[0] >= 2 else -2
            if id(function) in _ALWAYS_SCALAR:
                return 0
            if id(function) in _SHAPED and node.args:
                return self._shape_length(node.args[0])
            if id(function) in _SCALAR_BUILTINS and all(r == 0 for r in args) and args:
                return 0
            return -2
        if isinstance(func, ast.Attribute) and func.attr in _REDUCING_METHODS and \
                not node.args and not keywords and self._expr(func.value) >= 0:
            return 0
        return -2


def _tuple_length(node: ast.expr) -> int | None:
    if isinstance(node, (ast.Tuple, ast.List)) and \
            not any(isinstance(e, ast.Starred) for e in node.elts):
        return len(node.elts)
    return None


def _is_range(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
        node.func.id == "range"


def _broadcast(a: int, b: int) -> int:
    if a == -2 or b == -2:
        return -2
    if a == _UNSEEN or b == _UNSEEN:
        return b if a == _UNSEEN else a
    return max(a, b)


def _matmul_rank(a: int, b: int) -> int:
    if a < 1 or b < 1:
        return _UNSEEN if _UNSEEN in (a, b) and -2 not in (a, b) else -2
    if a == 1 and b == 1:
        return 0
    if a == 1 or b == 1:
        return max(a, b) - 1
    return max(a, b)


def analyse_ranks(src: FunctionSource, body: list[ast.stmt], params: dict[str, Rank],
                  kinds_before: dict[int, Any], local_names: set[str],
                  known: dict[str, Any]) -> RankAnalysis:
    return RankAnalysis(src, params, kinds_before, local_names, known).run(body)
