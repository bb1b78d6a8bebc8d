"""The forward sweep: the core statements, plus what the backward sweep will need.

Saves of overwritten values (recording.py decides which), branch decisions of
``if`` statements with adjoint work inside, trip counts of ``while`` loops (and
of ``for`` loops that can break early); inside loops these go on the tape.
"""

from __future__ import annotations

import ast

from . import runtime
from .aliasing import changed_name
from .analysis import target_name
from .astutil import assign, call, load, store
from .printing import unparse


class ForwardSweep:
    """Mixin of ReverseBuilder: ``forward`` emits the forward sweep of a block."""

    # ------------------------------------------------------------ forward sweep
    def forward(self, stmts: list[ast.stmt], in_loop: bool, assigned: set[str]
                ) -> tuple[list[ast.stmt], set[str]]:
        """The forward sweep for ``stmts``; also returns the definitely-assigned names."""
        code: list[ast.stmt] = []
        lineno = None
        for stmt in stmts:
            where = (getattr(stmt, "_adtrans_source", None), stmt.lineno)
            if where != lineno and isinstance(stmt, ast.Assign) and \
                    where != (None, self.src.tree.lineno):
                lineno = where
                text = self.src.line_of(stmt).strip()
                callee = getattr(stmt, "_adtrans_callee", None)
                if callee:
                    text = f"{callee}: {text}"       # an inlined callee's line
                group = [s for s in stmts if isinstance(s, ast.Assign) and
                         (getattr(s, "_adtrans_source", None), s.lineno) == lineno]
                if len(group) > 1 or (group and unparse(group[0]) != text):
                    code.append(self.comment(text))
            change = self.changes.get(id(stmt))
            if change is not None and not isinstance(stmt.targets[0] if isinstance(
                    stmt, ast.Assign) else None, ast.Name):
                code += self.alias_check(stmt, change.container)
                code += self.forward_change(change, in_loop)
                code.append(stmt)
            elif isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
                target = target_name(stmt)
                if id(stmt) in self.saved:
                    code.append(self.save(stmt, target, self.saved[id(stmt)], assigned))
                if change is not None:      # v = xs.pop(): its record comes off the tape first
                    code += self.forward_change(change, in_loop)
                code += self.alias_check(stmt, changed_name(stmt) or target)
                code.append(stmt)
                assigned = assigned | {target}
            elif isinstance(stmt, ast.If):
                body, in_body = self.forward(stmt.body, in_loop, assigned)
                orelse, in_else = self.forward(stmt.orelse, in_loop, assigned)
                test = stmt.test
                if self.has_backward(stmt.body + stmt.orelse):
                    decision = self.namer.fresh("cond")
                    self.bookkeeping[id(stmt)] = decision
                    code.append(assign(decision, test))
                    assigned = assigned | {decision}
                    test = load(decision)
                code.append(ast.If(test=test, body=body or [ast.Pass()], orelse=orelse))
                if id(stmt) in self.bookkeeping and in_loop:
                    code.append(self.push_stmt(load(self.bookkeeping[id(stmt)])))
                assigned = in_body & in_else
            elif isinstance(stmt, (ast.While, ast.For)):
                code += self.forward_loop(stmt, in_loop, assigned)
            elif not isinstance(stmt, ast.With):      # gradient surgery runs backward only
                code.append(stmt)
        return code, assigned

    def alias_check(self, stmt: ast.stmt, target: str) -> list[ast.stmt]:
        """Where an in-place change may also change another name's value that is read
        later (aliasing.py), check at run time that the two really share memory."""
        risk = getattr(stmt, "_adtrans_alias_risk", None)
        if not risk:
            return []
        readers, message = risk
        scope = call(self.namer.builtin("locals"))
        return [ast.Expr(value=call(
            self.runtime("refuse_shared_array"), load(target), scope,
            ast.Tuple(elts=[ast.Constant(n) for n in readers], ctx=ast.Load()),
            ast.Constant(message)))]

    def forward_loop(self, stmt: ast.While | ast.For, in_loop: bool,
                     assigned: set[str]) -> list[ast.stmt]:
        code: list[ast.stmt] = []
        inner = assigned | ({stmt.target.id} if isinstance(stmt, ast.For) else set())
        body, _ = self.forward(stmt.body, True, inner)
        needs_count = self.has_backward(stmt.body) and (
            isinstance(stmt, ast.While) or _breaks(stmt.body))
        if isinstance(stmt, ast.For) and id(stmt) in self.index_saved:
            code.append(self.save(stmt, stmt.target.id, self.index_saved[id(stmt)], assigned))
        if needs_count:
            counter = self.namer.fresh("trips")
            self.bookkeeping[id(stmt)] = counter
            code.append(assign(counter, ast.Constant(0)))
            body.insert(0, ast.AugAssign(target=store(counter), op=ast.Add(),
                                         value=ast.Constant(1)))
        loop = type(stmt)(**{**{f: getattr(stmt, f) for f in stmt._fields}, "body": body})
        code.append(loop)
        if needs_count and in_loop:
            code.append(self.push_stmt(load(self.bookkeeping[id(stmt)])))
        return code

    def push_stmt(self, value: ast.expr) -> ast.stmt:
        self.uses_tape = True
        return ast.Expr(value=call(self.push, value))

    def save(self, stmt: ast.stmt, name: str, slot: str, assigned: set[str]) -> ast.stmt:
        if name not in assigned and name not in self.inits:
            self.inits.append(name)
        if self.on_tape(stmt) and self.shape_only(stmt) and \
                name not in self.changed_containers():
            # Only unbroadcast reads it, for its shape: keep that, not the array.
            return self.push_stmt(call(self.helper("shape_of", runtime.shape_of), load(name)))
        saving = self.push_stmt(load(name)) if self.on_tape(stmt) else assign(slot, load(name))
        if name in self.changed_containers():
            # A vjp saves its state too (codegen.py): the backward sweep changes it back.
            saving._adtrans_saves_container = True  # type: ignore[attr-defined]
        return saving

    def changed_containers(self) -> set[str]:
        """Names of containers changed in place (whose changes the backward undoes)."""
        return {change.container for change in self.changes.values()}


def _breaks(body: list[ast.stmt]) -> bool:
    last = body[-1] if body else None
    return isinstance(last, ast.If) and any(isinstance(s, ast.Break) for s in last.body)
