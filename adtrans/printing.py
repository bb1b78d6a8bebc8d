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


class _SignedConstants(ast.NodeTransformer):
    def visit_Constant(self, node: ast.Constant) -> ast.expr:
        if _negative(node.value):
            return ast.UnaryOp(op=ast.USub(), operand=ast.Constant(-node.value))
        return node


def signed_constants(tree: ast.AST) -> ast.AST:
    """Rewrite, in place, every negative number of ``tree`` as a unary minus."""
    return ast.fix_missing_locations(_SignedConstants().visit(tree))


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
