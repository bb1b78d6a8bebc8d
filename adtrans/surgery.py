"""Reverse mode of gradient surgery: ``with adtrans.grad_of(y) as dy:`` blocks.

The forward sweep skips the block.  The backward sweep runs it where it
stands, in reverse: ``dy`` is bound to ``y``'s adjoint so far (zeros where
nothing reached ``y`` yet), the block runs as written, and its ``dy`` becomes
``y``'s adjoint.  What the block reads must hold the value it had at the
block in the forward sweep, so the to-be-recorded analysis counts its reads.
"""

from __future__ import annotations

import ast

from . import runtime
from .astutil import assign, call, load

PRESENT = "present"


def grad_of_target(stmt: ast.stmt) -> tuple[str, str] | None:
    """(y, dy) of a ``with adtrans.grad_of(y) as dy:`` statement of the core form."""
    return getattr(stmt, "_adtrans_grad_of", None)


def block_reads(stmt: ast.With) -> set[str]:
    """The primal names a surgery block reads (not its own ``dy`` and locals)."""
    _, dy = stmt._adtrans_grad_of
    stored = {n.id for s in stmt.body for n in ast.walk(s)
              if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    return {n.id for s in stmt.body for n in ast.walk(s)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)} - stored - {dy}


class Surgery:
    """Mixin of ReverseBuilder: the backward code of gradient surgery blocks."""

    def surgery_active(self, stmt: ast.stmt) -> bool:
        target = grad_of_target(stmt)
        return target is not None and self.active(target[0]) and \
            target[0] not in self.mutable_names

    def backward_surgery(self, stmt: ast.With, state: dict[str, str]
                         ) -> tuple[list[ast.stmt], dict[str, str]]:
        if not self.surgery_active(stmt):
            return [], state
        y, dy = stmt._adtrans_grad_of
        state = dict(state)
        adjoint = self.d(y)
        current = load(adjoint) if state[adjoint] != "absent" else ast.Constant(None)
        code: list[ast.stmt] = [
            self.comment(f"with grad_of({y}) as {dy}:  (gradient surgery)"),
            assign(dy, call(self.helper("adjoint_or_zeros", runtime.adjoint_or_zeros),
                            current, load(y)))]
        code += stmt.body
        code.append(assign(adjoint, load(dy)))
        state[adjoint] = PRESENT
        return code, state
