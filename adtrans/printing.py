"""Print ASTs so that what is printed parses back to the same expression.

The passes keep a negative number as one constant (``Constant(-1.3)``), which is
convenient for analysis, but neither astor nor ``ast.unparse`` parenthesise it
where precedence requires: as the base of ``**`` it prints as ``-1.3 ** 2``,
which Python reads as ``-(1.3 ** 2)``.  ``signed_constants`` rewrites every
negative number into an explicit unary minus, which astor parenthesises
correctly, in a tree about to be printed; ``unparse`` prints a negative
number in parentheses where the surrounding operator binds tighter than a
unary minus.
"""

from __future__ import annotations

import ast
import math


def _negative(value: object) -> bool:
    return type(value) in (int, float) and (
        value < 0 or (value == 0 and isinstance(value, float)
                      and math.copysign(1.0, value) < 0))


def signed_constants(tree: ast.AST) -> ast.AST:
    """Rewrite, in place, every negative number of ``tree`` as a unary minus (the tree
    is printed, not compiled: no source locations are needed)."""
    for node in ast.walk(tree):
        for field, value in ast.iter_fields(node):
            if isinstance(value, ast.Constant) and _negative(value.value):
                setattr(node, field, _minus(value))
            elif isinstance(value, list):
                for k, item in enumerate(value):
                    if isinstance(item, ast.Constant) and _negative(item.value):
                        value[k] = _minus(item)
    return tree


def _minus(node: ast.Constant) -> ast.UnaryOp:
    return ast.UnaryOp(op=ast.USub(), operand=ast.Constant(-node.value))


class _Unparser(ast._Unparser):  # type: ignore[name-defined]  # stable since Python 3.9
    def visit_Constant(self, node: ast.Constant) -> None:
        if _negative(node.value) and self.get_precedence(node) > ast._Precedence.FACTOR:
            with self.delimit("(", ")"):
                super().visit_Constant(node)
        else:
            super().visit_Constant(node)


def unparse(tree: ast.AST) -> str:
    """``ast.unparse`` of ``tree``, with the precedence of negative numbers kept."""
    return _Unparser().visit(tree)
