"""Lowering of comprehensions: ``[f(x) for x in xs if c]`` becomes a loop that appends.

A list comprehension or a generator expression used as a value becomes

    comp = []
    for x_1 in xs:
        if c:
            comp.append(f(x_1))

(its variables renamed, since a comprehension's names are its own), a dict
comprehension the same loop storing ``comp[k] = v``, a set comprehension a list
comprehension made a set.  The loop, the appends and the stores are then
differentiated like any other (loops.py, mutations.py).  A generator is
consumed whole where Python would consume it lazily: ``any(1 / x > 0 for x in
xs)`` divides by every element.  Comprehensions inside conditions stay as
written: conditions carry no gradient.
"""

from __future__ import annotations

import ast

from .astutil import clone
from .astutil import load as _load


class _Rename(ast.NodeTransformer):
    def __init__(self, names: dict[str, str]) -> None:
        self.names = names

    def visit_Name(self, node: ast.Name) -> ast.Name:
        return ast.Name(id=self.names.get(node.id, node.id), ctx=node.ctx)


def _renamed(node: ast.AST, names: dict[str, str]) -> ast.AST:
    return _Rename(names).visit(clone(node))


def _targets(node: ast.expr) -> list[str]:
    return [n.id for n in ast.walk(node) if isinstance(n, ast.Name)]


class Comprehensions:
    """Mixin of Normalizer: comprehensions as loops."""

    def comprehension(self, node: ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp
                      ) -> ast.Name:
        """Emit the loop that builds a comprehension's value; return the value's name."""
        if any(generator.is_async for generator in node.generators):
            raise self.error(node, "asynchronous comprehensions are not supported")
        result = self.namer.fresh("comp")
        self.local_names.add(result)
        names: dict[str, str] = {}
        loops = []
        for generator in node.generators:
            iterable = _renamed(generator.iter, names)        # sees earlier loops' names
            for name in _targets(generator.target):
                names[name] = self.namer.fresh(name)
                self.local_names.add(names[name])
            loops.append((_renamed(generator.target, names), iterable,
                          [_renamed(condition, names) for condition in generator.ifs]))
        if isinstance(node, ast.DictComp):
            innermost: ast.stmt = ast.Assign(
                targets=[ast.Subscript(value=_load(result), slice=_renamed(node.key, names),
                                       ctx=ast.Store())],
                value=_renamed(node.value, names))
            start: ast.expr = ast.Dict(keys=[], values=[])
        else:
            innermost = ast.Expr(value=ast.Call(
                func=ast.Attribute(value=_load(result), attr="append", ctx=ast.Load()),
                args=[_renamed(node.elt, names)], keywords=[]))
            start = ast.List(elts=[], ctx=ast.Load())
        body: list[ast.stmt] = [innermost]
        for target, iterable, conditions in reversed(loops):
            for condition in reversed(conditions):
                body = [ast.If(test=condition, body=body, orelse=[])]
            body = [ast.For(target=target, iter=iterable, body=body, orelse=[])]
        for stmt in ast.walk(ast.Module(body=body, type_ignores=[])):
            if isinstance(stmt, ast.stmt):
                stmt.lineno = node.lineno
        self.emit_assign(result, start)
        for stmt in body:
            self.statement(stmt)
        if isinstance(node, ast.SetComp):
            made = self.namer.temp()
            self.emit_assign(made, ast.Call(func=_load(self.namer.builtin("set")),
                                            args=[_load(result)], keywords=[]))
            return _load(made)
        return _load(result)

