"""Lowering of jumps: ``break``, ``continue`` and early ``return`` become flags.

A jump sets its flag, and the statements it would skip are wrapped in
``if not flag:``; a loop ends its body with ``if flag: break``.  Every loop
iteration then runs its body to the end, so the reverse sweep needs only trip
counts and branch decisions.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from .astutil import load as _load


@dataclass
class Loop:
    break_flag: str | None = None
    continue_flag: str | None = None


def flag_test(flags: list[str], negate: bool) -> ast.expr:
    test: ast.expr = _load(flags[0]) if len(flags) == 1 else ast.BoolOp(
        op=ast.Or(), values=[_load(f) for f in flags])
    return ast.UnaryOp(op=ast.Not(), operand=test) if negate else test


class Jumps:
    """Mixin of Normalizer: return, break and continue, and the blocks they cut short."""

    def stmt_Return(self, stmt: ast.Return) -> set[str]:
        if stmt.value is None:
            raise self.error(stmt, "return without a value; return the number to differentiate")
        if self.return_flag is None:
            self.return_flag = self.namer.fresh("returned")
        self.assign(self.result_name(), stmt.value)
        self.emit_assign(self.return_flag, ast.Constant(True))
        return {self.return_flag}

    def stmt_Break(self, stmt: ast.Break) -> set[str]:
        return self.jump(stmt, "break_flag", "broke")

    def stmt_Continue(self, stmt: ast.Continue) -> set[str]:
        return self.jump(stmt, "continue_flag", "skip")

    def jump(self, stmt: ast.stmt, which: str, base: str) -> set[str]:
        """A break or continue sets its loop's flag (created on first use)."""
        if not self.loops:
            word = "break" if isinstance(stmt, ast.Break) else "continue"
            raise self.error(stmt, f"{word} outside a loop")
        loop = self.loops[-1]
        if getattr(loop, which) is None:
            setattr(loop, which, self.namer.fresh(base))
        flag = getattr(loop, which)
        self.emit_assign(flag, ast.Constant(True))
        return {flag}

    def sub_block(self, stmts: list[ast.stmt]) -> tuple[set[str], list[ast.stmt]]:
        body = self.block(stmts)
        return self._flags_set_in(body), body

    def _flags_set_in(self, stmts: list[ast.stmt]) -> set[str]:
        """Jump flags assigned True anywhere in ``stmts`` that are still pending here."""
        pending = {f for loop in self.loops for f in (loop.break_flag, loop.continue_flag) if f}
        if self.return_flag:
            pending.add(self.return_flag)
        found = set()
        for node in ast.walk(ast.Module(body=stmts, type_ignores=[])):
            if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
                    and node.value.value is True and isinstance(node.targets[0], ast.Name)
                    and node.targets[0].id in pending):
                found.add(node.targets[0].id)
        return found


def always_returns(stmts: list[ast.stmt]) -> bool:
    """Whether every path through ``stmts`` ends in return or raise."""
    if not stmts:
        return False
    last = stmts[-1]
    if isinstance(last, (ast.Return, ast.Raise)):
        return True
    if isinstance(last, ast.If):
        return always_returns(last.body) and always_returns(last.orelse)
    return False
