"""Small helpers for building and walking the ASTs of core form and generated code."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import Any


def load(name: str) -> ast.Name:
    return ast.Name(id=name, ctx=ast.Load())


def store(name: str) -> ast.Name:
    return ast.Name(id=name, ctx=ast.Store())


def assign(name: str, value: ast.expr) -> ast.Assign:
    return ast.Assign(targets=[store(name)], value=value)


def call(func: str, *args: ast.expr) -> ast.Call:
    return ast.Call(func=load(func), args=list(args), keywords=[])


def names_read(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx,
                                                                                   ast.Load)}


def walk_statements(stmts: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Every statement of ``stmts``, nested blocks included, in program order."""
    for stmt in stmts:
        yield stmt
        if isinstance(stmt, (ast.If, ast.While, ast.For)):
            yield from walk_statements(stmt.body)
            yield from walk_statements(stmt.orelse)


def enclosing_loops(stmts: list[ast.stmt], loops: tuple[ast.stmt, ...] = ()
                     ) -> dict[int, tuple[ast.stmt, ...]]:
    """For each statement, the for loops around it (innermost last)."""
    found: dict[int, tuple[ast.stmt, ...]] = {}
    for stmt in stmts:
        found[id(stmt)] = loops
        if isinstance(stmt, (ast.If, ast.While, ast.For)):
            inner = loops + (stmt,) if isinstance(stmt, ast.For) else loops
            found.update(enclosing_loops(stmt.body, inner))
            found.update(enclosing_loops(stmt.orelse, loops))
    return found


def mark_loop_context(stmts: list[ast.stmt], in_loop: bool) -> None:
    for stmt in stmts:
        stmt._adtrans_in_loop = in_loop  # type: ignore[attr-defined]
        if isinstance(stmt, ast.If):
            mark_loop_context(stmt.body, in_loop)
            mark_loop_context(stmt.orelse, in_loop)
        elif isinstance(stmt, (ast.While, ast.For)):
            mark_loop_context(stmt.body, True)


class _Rename(ast.NodeTransformer):
    def __init__(self, mapping: dict[str, ast.expr]) -> None:
        self.mapping = mapping

    def visit_Name(self, node: ast.Name) -> ast.expr:
        replacement = self.mapping.get(node.id)
        if replacement is None:
            return node
        return ast.Name(id=replacement.id, ctx=node.ctx) if isinstance(replacement, ast.Name) \
            else replacement


def rename(expr: ast.expr, mapping: dict[str, ast.expr]) -> ast.expr:
    return _Rename(mapping).visit(clone(expr))


def clone(node: Any) -> Any:
    """A deep copy of an AST (lists of nodes too), several times quicker than
    ``copy.deepcopy``: leaves (names, numbers, strings) are immutable and shared."""
    if isinstance(node, ast.AST):
        new = node.__class__.__new__(node.__class__)
        new.__dict__.update({key: clone(value) for key, value in node.__dict__.items()})
        return new
    if isinstance(node, list):
        return [clone(item) for item in node]
    return node

