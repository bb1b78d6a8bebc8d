"""The backward sweep: adjoint statements in reverse, with static adjoint states.

At each statement the primal variables hold the values they had right after
it ran forward (saved values are restored as the sweep passes their
assignment), so rule templates read operands and results directly.  Each
adjoint is *absent*, *present* or *maybe* at each point: the first
contribution assigns, later ones add, and only where control flow merges
does generated code test ``is not None``.
"""

from __future__ import annotations

import ast

from .adjoints import ANS, CT, G
from .analysis import target_name
from .astutil import assign, call, load, store
from .astutil import rename as substitute
from .printing import unparse

ABSENT, PRESENT, MAYBE = "absent", "present", "maybe"


def join(a: str, b: str) -> str:
    return a if a == b else MAYBE


def join_states(a: dict[str, str], b: dict[str, str]) -> dict[str, str]:
    return {k: join(a[k], b[k]) for k in a}


class BackwardSweep:
    """Mixin of ReverseBuilder: ``backward`` emits the backward sweep of a block."""

    # ------------------------------------------------------------ backward sweep
    def backward(self, stmts: list[ast.stmt], state: dict[str, str]
                 ) -> tuple[list[ast.stmt], dict[str, str]]:
        code: list[ast.stmt] = []
        for stmt in reversed(stmts):
            change = self.changes.get(id(stmt))
            if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
                part, state = self.backward_assign(stmt, state)
            elif change is not None:
                part, state = self.backward_change(change, state)
            elif isinstance(stmt, ast.If):
                part, state = self.backward_if(stmt, state)
            elif isinstance(stmt, (ast.While, ast.For)):
                part, state = self.backward_loop(stmt, state)
            elif isinstance(stmt, ast.With):
                part, state = self.backward_surgery(stmt, state)
            else:
                part = []
            code += part
        return code, state

    def accumulate(self, name: str, expr: ast.expr, state: dict[str, str],
                   maybe_none: bool = False, like: ast.expr | None = None) -> ast.stmt:
        """Add ``expr`` to ``name``'s adjoint; ``maybe_none``: ``expr`` may be None (no
        contribution), as a called rule's entry may be.  ``like``: where ``name``'s value
        is, when the variable itself holds the value the statement assigned."""
        if name in self.mutable_names:
            # A container changed in place keeps its whole adjoint in its accumulator,
            # shaped like the value the contribution is for: in `xs = xs + ys`, the old
            # xs (the accumulator of a shorter list would get the new one's length).
            acc = self.accumulator[name]
            state[acc] = MAYBE
            return assign(acc, call(self.runtime_mutation("acc_add"), load(acc),
                                    like if like is not None else load(name), expr))
        target = self.d(name)
        status = state[target]
        state[target] = PRESENT
        if maybe_none:
            state[target] = PRESENT if status == PRESENT else MAYBE
            if status == ABSENT:
                return assign(target, expr)
            adder = "tree_add" if name in self.tree_names else "add"
            return assign(target, call(self.runtime(adder), load(target), expr))
        if status == ABSENT:
            return assign(target, expr)
        if name in self.tree_names:
            # The adjoint of a list or tuple is a list of cotangents: `+` would concatenate.
            return assign(target, call(self.runtime("tree_add"), load(target), expr))
        if status == PRESENT:
            return assign(target, ast.BinOp(left=load(target), op=ast.Add(), right=expr))
        return assign(target, call(self.runtime("add"), load(target), expr))

    def merge_accumulator(self, name: str, state: dict[str, str]) -> list[ast.stmt]:
        """Fold the index-accumulator of ``name`` into its adjoint, then empty it."""
        acc = self.accumulator.get(name)
        if acc is None or state[acc] == ABSENT:
            return []
        target = self.d(name)
        if name in self.mutable_names:
            # The whole adjoint of a container changed in place is in its accumulator.
            code = [assign(target, load(acc))]
            state[target] = state[acc]
        elif state[acc] == PRESENT or state[target] == ABSENT:
            status = state[acc]
            code = [self.accumulate(name, load(acc), state)]
            state[target] = PRESENT if status == PRESENT else state[target]
            if status == MAYBE:
                state[target] = MAYBE
        else:
            # The accumulator may still be None here: add() handles that.
            adder = "tree_add" if name in self.tree_names else "add"
            code = [assign(target, call(self.runtime(adder), load(target), load(acc)))]
            state[target] = PRESENT if state[target] == PRESENT else MAYBE
        code.append(assign(acc, ast.Constant(None)))
        state[acc] = ABSENT
        return code

    def backward_assign(self, stmt: ast.Assign, state: dict[str, str]
                        ) -> tuple[list[ast.stmt], dict[str, str]]:
        state = dict(state)
        target = target_name(stmt)
        adjoint = self.adjoints.get(id(stmt))
        slot = self.saved.get(id(stmt))
        has_adjoint = target in self.adjoint_name
        if not (adjoint or slot or has_adjoint or id(stmt) in self.changes):
            return [], state
        code: list[ast.stmt] = [self.comment(unparse(stmt))]
        previous = None                      # where the old value of target is, if needed
        restores_container = target in self.changed_containers()
        if slot and adjoint and target in adjoint.reads_args:
            if self.on_tape(stmt):
                code.append(assign(slot, call(self.pop)))
            elif restores_container:
                # A vjp's slot holds the container with its state (codegen.py): unpack it
                # before the adjoint reads it. Other forms have nothing to do here.
                code.append(assign(slot, load(slot)))
                code[-1]._adtrans_vjp_only = True  # type: ignore[attr-defined]
            if restores_container:
                code[-1]._adtrans_restores_container = True  # type: ignore[attr-defined]
            previous = slot
        if has_adjoint:
            code += self.merge_accumulator(target, state)
        change = self.changes.get(id(stmt))
        if change is not None:
            # v = xs.pop(): undo the change (v still holds the value it took), then restore
            # v's earlier value below.
            part, state = self.backward_change(change, state)
            code += part[1:]
        g = self.d(target) if has_adjoint else None
        if adjoint and g and state[g] != ABSENT:
            before = dict(state)
            inner: list[ast.stmt] = []
            rename = {ANS: load(target), G: load(g)}
            if previous:
                rename[target] = load(previous)
            contributions = sorted(adjoint.contributions, key=lambda c: c[0] == target)
            if adjoint.index is not None:
                container, index = adjoint.index
                acc = self.accumulator[container]
                index_expr = self.index_value(index, rename)
                container_expr = rename.get(container, load(container))
                inner.append(assign(acc, call(self.runtime("add_at"),
                                              load(acc) if state[acc] != ABSENT
                                              else ast.Constant(None),
                                              container_expr, index_expr, load(g))))
                state[acc] = PRESENT
            if adjoint.call is not None:
                cotangents = self.namer.fresh(f"ct_{target}")
                inner.append(assign(cotangents, substitute(adjoint.call, rename)))
                rename[CT] = load(cotangents)
            for name, expr in contributions:
                expr = substitute(expr, rename)
                if name == target and isinstance(expr, ast.Name) and expr.id == g and \
                        name not in self.mutable_names and name not in adjoint.maybe_none:
                    # x = x + t: the old x's adjoint is the new one's; `d_x = d_x` says nothing.
                    state[g] = PRESENT
                    continue
                if name == target:
                    state[g] = ABSENT        # g is consumed: the old value's adjoint starts anew
                inner.append(self.accumulate(name, expr, state,
                                             maybe_none=name in adjoint.maybe_none,
                                             like=rename.get(name) if name == target
                                             else None))
            if not inner:
                state = join_states(before, state)
            elif before[g] == MAYBE:
                test = ast.Compare(left=load(g), ops=[ast.IsNot()],
                                   comparators=[ast.Constant(None)])
                code.append(ast.If(test=test, body=inner, orelse=[]))
                state = join_states(before, state)
            else:
                code += inner
        reassigned_by_contribution = adjoint is not None and any(
            n == target for n, _ in adjoint.contributions)
        if has_adjoint and state[g] != ABSENT and not reassigned_by_contribution:
            code.append(assign(g, ast.Constant(None)))    # consumed: the old value starts anew
            state[g] = ABSENT
        if len(code) == 1 and not slot and id(stmt) not in self.changes:
            return [], state                 # nothing but the heading comment
        if slot:
            if previous:
                code.append(assign(target, load(previous)))
            elif self.on_tape(stmt):
                code.append(assign(target, call(self.pop)))
            else:
                code.append(assign(target, load(slot)))
            if restores_container and not previous:
                # The sweep goes on to undo in-place changes of the restored object: a
                # vjp's pullback, which may run again, first puts back the state the
                # forward sweep saved with it (codegen.py).
                code[-1]._adtrans_restores_container = True  # type: ignore[attr-defined]
        return code, state

    def index_value(self, index: ast.expr, rename: dict[str, ast.expr]) -> ast.expr:
        """An index usable as a value: slices become slice(...) objects."""
        index = substitute(index, rename)
        if isinstance(index, ast.Slice):
            parts = [getattr(index, k) or ast.Constant(None) for k in ("lower", "upper", "step")]
            return call(self.namer.builtin("slice"), *parts)
        if isinstance(index, ast.Tuple):
            return ast.Tuple(elts=[self.index_value(e, {}) for e in index.elts], ctx=ast.Load())
        return index

    def backward_if(self, stmt: ast.If, state: dict[str, str]
                    ) -> tuple[list[ast.stmt], dict[str, str]]:
        decision = self.bookkeeping.get(id(stmt))
        if decision is None:
            return [], state
        body, after_body = self.backward(stmt.body, state)
        orelse, after_else = self.backward(stmt.orelse, state)
        code: list[ast.stmt] = []
        if self.on_tape_context(stmt):
            code.append(assign(decision, call(self.pop)))
        code.append(ast.If(test=load(decision), body=body or [ast.Pass()], orelse=orelse))
        return code, join_states(after_body, after_else)

    def on_tape_context(self, stmt: ast.stmt) -> bool:
        return getattr(stmt, "_adtrans_in_loop", False)

    def backward_loop(self, stmt: ast.While | ast.For, state: dict[str, str]
                      ) -> tuple[list[ast.stmt], dict[str, str]]:
        if not self.has_backward(stmt.body) and id(stmt) not in self.index_saved:
            return [], state
        code: list[ast.stmt] = []
        counter = self.bookkeeping.get(id(stmt))
        if self.has_backward(stmt.body):
            entry = state
            for _ in range(4):
                body, after = self.backward(stmt.body, entry)
                index = stmt.target.id if isinstance(stmt, ast.For) else None
                if index in self.adjoint_name and after[self.d(index)] != ABSENT:
                    # The loop header assigns the index: an adjoint it had is consumed here.
                    body = body + [assign(self.d(index), ast.Constant(None))]
                    after = {**after, self.d(index): ABSENT}
                new_entry = join_states(state, after)
                if new_entry == entry:
                    break
                entry = new_entry
            if counter and self.on_tape_context(stmt):
                code.append(assign(counter, call(self.pop)))
            if isinstance(stmt, ast.While):
                if self.underscore is None:
                    self.underscore = self.namer.fresh("_")
                iterator: ast.expr = call(self.namer.builtin("range"), load(counter))
                target = self.underscore
            else:
                iterator = stmt.iter
                if counter:
                    iterator = ast.Subscript(value=iterator, slice=ast.Slice(
                        lower=None, upper=load(counter), step=None), ctx=ast.Load())
                iterator = call(self.namer.builtin("reversed"), iterator)
                target = stmt.target.id
            code.append(ast.For(target=store(target), iter=iterator, body=body or [ast.Pass()],
                                orelse=[]))
            state = entry
        if isinstance(stmt, ast.For) and id(stmt) in self.index_saved:
            slot = self.index_saved[id(stmt)]
            index = stmt.target.id
            code.append(assign(index, call(self.pop) if self.on_tape(stmt) else load(slot)))
        return code, state
