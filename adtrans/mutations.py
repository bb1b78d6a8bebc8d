"""Reverse mode of in-place changes: ``xs.append(v)``, ``d[k] = v``, ``y[i] = v``, ...

A *tracked* container is one whose changes matter backward: it carries a
gradient (varied), or an adjoint reads it.  Its changes are kept in the
forward sweep exactly as written, after taking a *record* of what each
destroys (a length, a position, an overwritten element; on the tape inside
loops).  The backward sweep undoes them in reverse, so every value is again
what it was when the change ran (the invariant the rest of the backward sweep
relies on), and moves cotangents within the container's accumulator (a list,
dict or array of the elements' cotangents, only generated code holds it):
``xs.append(v)`` gives ``d_v = unappend(d_xs_acc)`` and ``xs.pop()``.

An array written by index records the overwritten slots only where the
backward sweep still needs the array's values (the to-be-recorded analysis);
lists and dicts are always restored, which costs O(1) per change.
Helpers live in runtime_mutations.py.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from . import kinds, runtime_mutations
from .aliasing import derived_from
from .analysis import Operation
from .astutil import assign, call, load, names_read, walk_statements
from .printing import unparse


@dataclass
class Change:
    """One tracked in-place change."""

    stmt: ast.stmt
    operation: Operation
    kind: str                      # "list.append", "array.setitem", ...
    container: str
    record: str | None = None      # slot of the record taken before the change
    reads: frozenset[str] = frozenset()   # primal names its backward code reads
    # y[i] = v with v surely a Python number: its cotangent is a number, v's shape is not
    # needed (so v is not kept for the backward sweep)
    stores_number: bool = False


# Changes whose backward needs a record of what they destroy: its expression, from the
# container name and the call's arguments (or the store's index).
RECORDS = {
    "list.extend": lambda x, args: call("len", load(x)),
    "list.insert": lambda x, args: call("insert_position", load(x), args[0]),
    "list.pop": lambda x, args: call("pop_position", load(x), *args[:1]),
    "list.remove": lambda x, args: call("removed", load(x), ast.Call(
        func=ast.Attribute(value=load(x), attr="index", ctx=ast.Load()), args=args[:1],
        keywords=[])),
    "list.clear": lambda x, args: call("list", load(x)),
    "list.setitem": lambda x, args: call("removed", load(x),
                                         call("pop_position", load(x), args[0])),
    "list.delitem": lambda x, args: call("removed", load(x),
                                         call("pop_position", load(x), args[0])),
    "dict.setitem": lambda x, args: call("dict_record", load(x), args[0]),
    "dict.delitem": lambda x, args: call("dict_record", load(x), args[0]),
    "dict.pop": lambda x, args: call("dict_record", load(x), args[0]),
    "dict.setdefault": lambda x, args: call("dict_record", load(x), args[0]),
    "dict.update": lambda x, args: call("update_record", load(x), args[0] if len(args) == 1
                                        else call("dict", *args)),
    "dict.clear": lambda x, args: call("dict", load(x)),
    "array.setitem": lambda x, args: call("array_record", load(x), args[0]),
}


def change_parts(stmt: ast.stmt) -> tuple[str, list[ast.expr], ast.expr | None, str | None]:
    """(container, arguments, stored value, target of the call's value) of a change."""
    if isinstance(stmt, ast.Delete):
        target = stmt.targets[0]
        return target.value.id, [_index_value(target.slice)], None, None
    if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Subscript):
        target = stmt.targets[0]
        return target.value.id, [_index_value(target.slice)], stmt.value, None
    value_of = stmt.targets[0].id if isinstance(stmt, ast.Assign) else None
    node = stmt.value
    args = list(node.args)
    if node.keywords:          # d.update(a=x, b=y): the same as d.update({"a": x, "b": y})
        args.append(ast.Dict(keys=[ast.Constant(k.arg) for k in node.keywords],
                             values=[k.value for k in node.keywords]))
    return node.func.value.id, args, None, value_of


def _index_value(index: ast.expr) -> ast.expr:
    """An index as a value: ``1:3`` becomes ``slice(1, 3, None)``."""
    if isinstance(index, ast.Slice):
        return ast.Call(func=ast.Name(id="slice", ctx=ast.Load()),
                        args=[getattr(index, k) or ast.Constant(None)
                              for k in ("lower", "upper", "step")], keywords=[])
    if isinstance(index, ast.Tuple):
        return ast.Tuple(elts=[_index_value(e) for e in index.elts], ctx=ast.Load())
    return index


class Mutations:
    """Mixin of ReverseBuilder: records, undo and cotangent moves of in-place changes."""

    def prepare_changes(self) -> None:
        """Find the tracked changes; give varied containers an accumulator."""
        reads = set(self.global_reads)
        for adjoint in self.adjoints.values():
            reads |= adjoint.reads_args
        self.changes: dict[int, Change] = {}
        for stmt in walk_statements(self.core.body):
            for operation in self.all_operations.get(id(stmt), []):
                if operation.mutation is None:
                    continue
                container = operation.mutates[0]
                if container in self.activity.varied or container in reads:
                    self.changes[id(stmt)] = self.describe_change(stmt, operation)
        # Every contribution to a changed container's adjoint goes to its accumulator.
        self.mutable_names = {c.container for c in self.changes.values()
                              if c.container in self.activity.varied}
        for name in self.mutable_names:
            if name not in self.accumulator:
                self.accumulator[name] = self.namer.fresh(f"d_{name}_acc")

    def describe_change(self, stmt: ast.stmt, operation: Operation) -> Change:
        container, args, stored, value_of = change_parts(stmt)
        kind = operation.mutation
        reads = {container} if not kind.startswith("array") else set()
        stores_number = False
        if kind == "array.setitem":
            stores_number = isinstance(stored, ast.Constant) or (
                isinstance(stored, ast.Name) and kinds.is_only(
                    self.kinds.get(id(stmt), {}).get(stored.id, kinds.TOP), kinds.PY_NUMBERS))
            reads |= names_read(args[0]) | (names_read(stored) if stored is not None
                                            and not stores_number else set())
        if kind == "list.extend" or kind.startswith("dict."):
            reads |= {n for a in args for n in names_read(a)}     # the values, the keys
        if value_of:
            reads.add(value_of)
        change = Change(stmt, operation, kind, container, reads=frozenset(reads),
                        stores_number=stores_number)
        if kind in RECORDS and kind != "array.setitem":
            change.record = self.namer.fresh(f"{container}_was")
        return change

    def views_of(self, name: str) -> set[str]:
        """Variables whose value may be ``name``'s object, or a part or a view of it."""
        if getattr(self, "_derived", None) is None:
            self._derived = derived_from(self.src, self.core, self.all_operations)
        return {other for other, sources in self._derived.items() if name in sources}

    def record_array_write(self, change: Change, needed: set[str], in_loop: bool) -> None:
        """An index write overwrites part of an array: record it if the backward sweep
        still needs the array's values (called by the to-be-recorded analysis)."""
        # The write changes the array and every view of it (t1 = y[i]): record it where the
        # backward sweep still reads the values of one of them.
        watched = {change.container} | self.views_of(change.container)
        if watched & needed and change.record is None:
            change.record = self.namer.fresh(f"{change.container}_was")
        if change.record is not None and in_loop:
            self.uses_tape = True
            change.stmt._adtrans_on_tape = True  # type: ignore[attr-defined]

    # ------------------------------------------------------------ forward
    def forward_change(self, change: Change, in_loop: bool) -> list[ast.stmt]:
        """The record taken just before a change (pushed on the tape in a loop)."""
        if change.record is None:
            return []
        _, args, _, _ = change_parts(change.stmt)
        expression = RECORDS[change.kind](change.container, args)
        expression = self.bind_helpers(expression)
        if in_loop:
            return [self.push_stmt(expression)]
        return [assign(change.record, expression)]

    def bind_helpers(self, expression: ast.expr) -> ast.expr:
        """Point the helper names of a record expression at the runtime's functions."""
        for node in ast.walk(expression):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                name = node.func.id
                if hasattr(runtime_mutations, name):
                    node.func = load(self.helper(name, getattr(runtime_mutations, name)))
                elif name in ("len", "list", "dict", "slice"):
                    node.func = load(self.namer.builtin(name))
        return expression

    # ------------------------------------------------------------ backward
    def backward_change(self, change: Change, state: dict[str, str]
                        ) -> tuple[list[ast.stmt], dict[str, str]]:
        """Undo a change and move its cotangents, after popping its record."""
        state = dict(state)
        code: list[ast.stmt] = [self.comment(unparse(change.stmt))]
        if change.record is not None and getattr(change.stmt, "_adtrans_on_tape", False):
            code.append(assign(change.record, call(self.pop)))
        container, args, stored, value_of = change_parts(change.stmt)
        x = load(container)
        record = load(change.record) if change.record else None
        acc_name = self.accumulator.get(container) if container in self.mutable_names \
            else None
        acc = load(acc_name) if acc_name else ast.Constant(None)
        helper = self.mutation_helper
        kind = change.kind

        def method(name: str, *arguments: ast.expr) -> ast.stmt:
            return ast.Expr(value=ast.Call(func=ast.Attribute(value=x, attr=name,
                                                              ctx=ast.Load()),
                                           args=list(arguments), keywords=[]))

        def item(k: int) -> ast.expr:
            return ast.Subscript(value=record, slice=ast.Constant(k), ctx=ast.Load())

        def give(value: ast.expr | None, cotangent: ast.expr) -> None:
            """The cotangent of a value that went into the container (the helper also takes
            it out of the accumulator, which must happen even where nobody wants it)."""
            if acc_name is None:
                return
            if isinstance(value, ast.Name) and value.id in self.activity.varied and \
                    value.id in self.adjoint_name:
                code.append(self.accumulate(value.id, cotangent, state, maybe_none=True))
            else:
                code.append(ast.Expr(value=cotangent))

        stored_value = stored if stored is not None else (args[-1] if args else None)
        if kind == "list.append":
            give(args[0], helper("unappend", acc))
            code.append(method("pop"))
        elif kind == "list.extend":
            give(args[0], helper("unextend", acc, record, args[0]))
            code.append(ast.Delete(targets=[ast.Subscript(
                value=x, slice=ast.Slice(lower=record, upper=None, step=None),
                ctx=ast.Del())]))
        elif kind == "list.insert":
            give(stored_value, helper("take", acc, record))
            code.append(ast.Delete(targets=[ast.Subscript(value=x, slice=record,
                                                          ctx=ast.Del())]))
        elif kind == "list.pop":
            code.append(method("insert", record, load(value_of)))
            code += self.put_back(acc_name, container, record, value_of, state)
        elif kind == "list.reverse":
            code.append(method("reverse"))
            if acc_name:
                code.append(ast.Expr(value=helper("reverse", acc)))
        elif kind in ("list.remove", "list.delitem"):
            code.append(method("insert", item(0), item(1)))
            if acc_name:
                code.append(assign(acc_name, helper("put_back", acc, x, item(0),
                                                    ast.Constant(None), item(1))))
        elif kind == "list.clear":
            code.append(method("extend", record))
            if acc_name:
                code.append(assign(acc_name, ast.Constant(None)))
        elif kind == "list.setitem":
            give(stored, helper("swap", acc, item(0), item(1)))
            code.append(ast.Assign(targets=[ast.Subscript(value=x, slice=item(0),
                                                          ctx=ast.Store())], value=item(1)))
        elif kind == "dict.setitem":
            give(stored, helper("dict_take", acc, args[0]))
            code.append(ast.Expr(value=helper("dict_restore", x, args[0], record)))
        elif kind == "dict.delitem":
            code.append(ast.Expr(value=helper("dict_restore", x, args[0], record)))
        elif kind == "dict.update":
            updates = ast.Call(func=ast.Name(id="dict", ctx=ast.Load()), args=args,
                               keywords=[]) if len(args) > 1 else args[0]
            updates = self.bind_helpers(updates)
            undone = helper("update_undo", acc, x, record, updates)
            if isinstance(updates, ast.Dict):
                # Keyword updates: each value's cotangent is its key's entry.
                cotangents = self.namer.fresh("ct_update")
                code.append(assign(cotangents, undone))
                for key, value in zip(updates.keys, updates.values, strict=True):
                    give(value, helper("entry", load(cotangents), key))
            else:
                give(updates, undone)
        elif kind == "dict.clear":
            code.append(ast.Expr(value=ast.Call(func=ast.Attribute(
                value=x, attr="update", ctx=ast.Load()), args=[record], keywords=[])))
            if acc_name:
                code.append(assign(acc_name, ast.Constant(None)))
        elif kind in ("dict.pop", "dict.setdefault"):
            code += self.dict_value_change(change, acc_name, args, value_of, state)
        elif kind == "array.setitem":
            give(stored, helper("array_take", acc, args[0],
                                ast.Constant(0.0) if change.stores_number else stored))
            if record is not None:
                code.append(ast.Assign(targets=[ast.Subscript(
                    value=x, slice=change.stmt.targets[0].slice, ctx=ast.Store())],
                    value=record))
        if acc_name:
            state[acc_name] = "maybe"
        return code, state

    def mutation_helper(self, name: str, *args: ast.expr) -> ast.Call:
        return call(self.runtime_mutation(name), *args)

    def runtime_mutation(self, name: str) -> str:
        """The name generated code uses for a helper of runtime_mutations.py."""
        return self.helper(name, getattr(runtime_mutations, name))

    def put_back(self, acc_name: str | None, container: str, record: ast.expr,
                 value_of: str, state: dict[str, str]) -> list[ast.stmt]:
        """``v = xs.pop(i)`` undone: ``v``'s cotangent goes back to its place."""
        code: list[ast.stmt] = []
        if acc_name is None:
            return code
        ct: ast.expr = ast.Constant(None)
        d = self.adjoint_name.get(value_of)
        if d is not None and state.get(d, "absent") != "absent":
            ct = load(d)
        code.append(assign(acc_name, self.mutation_helper(
            "put_back", load(acc_name), load(container), record, ct, load(value_of))))
        if d is not None and state.get(d, "absent") != "absent":
            code.append(assign(d, ast.Constant(None)))
            state[d] = "absent"
        return code

    def dict_value_change(self, change: Change, acc_name: str | None, args: list[ast.expr],
                          value_of: str, state: dict[str, str]) -> list[ast.stmt]:
        """``v = d.pop(k, default)`` or ``v = d.setdefault(k, default)`` undone."""
        container = change.container
        d = self.adjoint_name.get(value_of)
        ct: ast.expr = load(d) if d is not None and state.get(d, "absent") != "absent" \
            else ast.Constant(None)
        acc = load(acc_name) if acc_name else ast.Constant(None)
        default = args[1] if len(args) > 1 else ast.Constant(None)
        name = "dict_unpop" if change.kind == "dict.pop" else "dict_unsetdefault"
        result = self.namer.fresh("ct_default")
        code: list[ast.stmt] = [ast.Assign(
            targets=[ast.Tuple(elts=[ast.Name(id=acc_name or self.namer.fresh("_"),
                                              ctx=ast.Store()),
                                     ast.Name(id=result, ctx=ast.Store())], ctx=ast.Store())],
            value=self.mutation_helper(name, acc, load(container), args[0],
                                       load(change.record), ct))]
        if isinstance(default, ast.Name) and default.id in self.activity.varied and \
                default.id in self.adjoint_name:
            code.append(self.accumulate(default.id, load(result), state, maybe_none=True))
        if d is not None and state.get(d, "absent") != "absent":
            code.append(assign(d, ast.Constant(None)))
            state[d] = "absent"
        return code
