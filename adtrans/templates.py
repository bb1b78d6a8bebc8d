"""Instantiate rule templates: substitute names, then fold what is constant.

A rule's return expression mentions ``g``, ``ans`` and the primitive's
parameters.  Instantiation replaces each by the generated code's name or
constant for it, renames helper functions to the names the generated module
binds them to, and simplifies trivial arithmetic (``x ** (2 - 1.0)`` becomes
``x``) so the output reads like a hand-written derivative.
"""

from __future__ import annotations

import ast
import operator
from typing import Any

from .astutil import clone

_FOLD = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
         ast.Div: operator.truediv, ast.Pow: operator.pow}


def _number(node: ast.expr) -> Any:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    return None


def _is(node: ast.expr, value: float) -> bool:
    number = _number(node)
    return number is not None and number == value


class _Substitute(ast.NodeTransformer):
    def __init__(self, mapping: dict[str, ast.expr], helpers: dict[str, str]) -> None:
        self.mapping = mapping
        self.helpers = helpers

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if node.id in self.mapping:
            return clone(self.mapping[node.id])
        if node.id in self.helpers:
            return ast.Name(id=self.helpers[node.id], ctx=ast.Load())
        return node


class _Fold(ast.NodeTransformer):
    def __init__(self, power_base: str | None = None) -> None:
        self.power_base = power_base

    def visit_Call(self, node: ast.Call) -> ast.expr:
        self.generic_visit(node)
        # power_base(x, y) guards 0 ** 0; with a nonzero constant exponent it is just x.
        if isinstance(node.func, ast.Name) and node.func.id == self.power_base and \
                len(node.args) == 2 and _number(node.args[1]) not in (None, 0):
            return node.args[0]
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.expr:
        self.generic_visit(node)
        left, right = _number(node.left), _number(node.right)
        fold = _FOLD.get(type(node.op))
        if fold is not None and left is not None and right is not None:
            try:
                value = fold(left, right)
            except (ZeroDivisionError, OverflowError):
                return node
            if value >= 0:
                return ast.Constant(value)
            return ast.UnaryOp(op=ast.USub(), operand=ast.Constant(-value))
        if isinstance(node.op, ast.Pow) and _is(node.right, 1):
            return node.left
        if isinstance(node.op, ast.Mult) and _is(node.right, 1):
            return node.left
        if isinstance(node.op, ast.Mult) and _is(node.left, 1):
            return node.right
        if isinstance(node.op, ast.Div) and _is(node.right, 1):
            return node.left
        return node

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.expr:
        self.generic_visit(node)
        if isinstance(node.op, ast.USub) and isinstance(node.operand, ast.UnaryOp) and \
                isinstance(node.operand.op, ast.USub):
            return node.operand.operand
        return node


def instantiate(template: ast.expr, mapping: dict[str, ast.expr],
                helpers: dict[str, str]) -> ast.expr:
    """A copy of ``template`` with names substituted and constants folded."""
    expr = _Substitute(mapping, helpers).visit(clone(template))
    return _Fold(helpers.get("power_base")).visit(expr)


def same(a: ast.expr, b: ast.expr) -> bool:
    return ast.dump(a) == ast.dump(b)
