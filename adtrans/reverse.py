"""Reverse mode: turn a core-form function into forward and backward sweeps.

The forward sweep runs the core statements and records what the backward
sweep will need but would otherwise lose:

* a variable about to be overwritten whose old value some adjoint still
  reads (the *to-be-recorded* analysis below) is saved, in a local when the
  statement runs once, on the tape when it sits in a loop;
* an ``if`` with adjoint work inside records its decision, a ``while`` its
  trip count (a ``for`` over ``range`` only when it can break early: the
  backward sweep walks the same range reversed);
* inside loops these records go on a tape, a plain local list.

The backward sweep visits statements in reverse.  At each statement the
primal variables hold the values they had right after it ran forward (saved
values are restored as the sweep passes their assignment), so rule templates
can read operands and results directly.  Adjoints start absent (``None``);
the first contribution assigns, later ones add, and a static three-valued
state (absent / present / maybe) decides which: only where control flow
merges does generated code test ``is not None``.
"""

from __future__ import annotations

import ast
import builtins
import copy
from dataclasses import dataclass, field
from typing import Any

from . import iterables, kinds, runtime
from .aliasing import may_alias
from .analysis import (
    IMMUTABLE,
    Activity,
    Classifier,
    Operation,
    activity,
    target_name,
    walk_assignments,
)
from .names import Namer
from .normalize import CoreFunction
from .printing import unparse
from .refusals import check_mutation, check_operations
from .source import FunctionSource
from .templates import instantiate, same

ABSENT, PRESENT, MAYBE = "absent", "present", "maybe"
ANS, G = "__adtrans_ans__", "__adtrans_g__"


def join(a: str, b: str) -> str:
    return a if a == b else MAYBE


def join_states(a: dict[str, str], b: dict[str, str]) -> dict[str, str]:
    return {k: join(a[k], b[k]) for k in a}


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


@dataclass
class StatementAdjoint:
    """The cotangent contributions of one active assignment, with placeholders G and ANS."""

    contributions: list[tuple[str, ast.expr]]      # (primal variable, expression)
    index: tuple[str, ast.expr] | None = None      # (indexed container, index) for t = x[i]
    reads_args: set[str] = field(default_factory=set)
    reads_ans: bool = False


@dataclass
class Sweeps:
    """The pieces a code generator assembles into functions."""

    params: list[str]
    wrt: list[str]
    result: str
    seed: str                          # name of the result's adjoint (the seed parameter)
    forward: list[ast.stmt]
    backward: list[ast.stmt]
    gradients: list[ast.expr]          # one per wrt parameter
    uses_tape: bool
    tape: str
    push: str
    pop: str
    value: str                         # holds the result while the backward sweep runs
    inits: list[str]                   # variables to bind to None before the forward sweep
    split_inits: list[str]             # ... and those only the vjp form needs bound
    saved_for_backward: list[str]      # primal names the backward sweep reads
    helpers: dict[str, Any]            # emitted helper name -> object
    list_name: str                     # how generated code spells the builtin list
    comments: dict[str, str]           # marker name -> comment text
    check_scalar: str
    check_cotangent: str


class ReverseBuilder:
    """Builds the forward and backward sweeps for one (function, wrt) pair."""

    def __init__(self, src: FunctionSource, core: CoreFunction, wrt: list[str],
                 namer: Namer, param_kinds: kinds.Env) -> None:
        self.src = src
        self.core = core
        self.wrt = wrt
        self.namer = namer
        self.local_names = set(core.params) | {target_name(s) for s in
                                               walk_assignments(core.body)}
        self.local_names |= {s.target.id for s in _walk(core.body) if isinstance(s, ast.For)}
        self.helpers: dict[str, Any] = {}
        self.helper_names: dict[str, str] = {}
        self.comments: dict[str, str] = {}
        known = dict(namer.builtin_cells)
        self.kinds = kinds.analyse(src, core.body, param_kinds, self.local_names, known)
        list_name = namer.builtin("list")
        if iterables.convert(core.body, self.kinds, namer, list_name):
            known = {**namer.builtin_cells, list_name: builtins.list}
            self.local_names |= {target_name(s) for s in walk_assignments(core.body)}
            self.kinds = kinds.analyse(src, core.body, param_kinds, self.local_names, known)
        classifier = Classifier(src, self.local_names, self.kinds, known)
        self.operations: dict[int, Operation] = {
            id(s): classifier.classify(s) for s in walk_assignments(core.body)}
        # Every operation of every statement, calls inside conditions included.
        self.all_operations: dict[int, list[Operation]] = {}
        for stmt in _walk(core.body):
            if isinstance(stmt, ast.Assign):
                found = [self.operations[id(stmt)]]
            elif isinstance(stmt, ast.Expr):
                found = [classifier.classify_effect(stmt)]
            elif isinstance(stmt, (ast.If, ast.While, ast.Assert)):
                found = classifier.nested_operations(stmt, stmt.test)
            elif isinstance(stmt, ast.Raise) and stmt.exc is not None:
                found = classifier.nested_operations(stmt, stmt.exc)
            else:
                found = []
            self.all_operations[id(stmt)] = found
        self.activity: Activity = activity(core.body, self.operations, wrt, core.result)
        # Names that may hold a list, tuple or dict somewhere: their adjoints are containers.
        self.tree_names = {name for env in self.kinds.values() for name, kind in env.items()
                           if kinds.may_be(kind, kinds.LIST, kinds.TUPLE, kinds.DICT)}
        for stmt in walk_assignments(core.body):
            if self.operations[id(stmt)].kind == "pack":
                self.tree_names.add(target_name(stmt))
        self.aliases = may_alias(src, core, self.all_operations)
        check_operations(src, core.body, self.all_operations, self.activity.varied,
                         self.aliases)
        self.mutation_points: list[tuple[ast.stmt, Operation, frozenset[str]]] = []
        self.global_reads: set[str] = set()      # names outside the function adjoints read
        self.adjoint_name: dict[str, str] = {}
        for name in sorted(self.activity.varied & self.activity.useful | set(wrt)
                           | {core.result}):
            self.adjoint_name[name] = namer.fresh(f"d_{name}")
        self.accumulator: dict[str, str] = {}
        self.adjoints: dict[int, StatementAdjoint] = {}
        for stmt in walk_assignments(core.body):
            self.adjoints_of(stmt)
        self.tape = namer.fresh("tape")
        self.push = namer.fresh("push")
        self.pop = namer.fresh("pop")
        self.uses_tape = False
        self.saved: dict[int, str] = {}          # statement -> slot variable
        self.index_saved: dict[int, str] = {}    # for loop -> slot of the index's old value
        # A reassigned parameter keeps its entry value under another name for the final
        # as_gradient(d_x, x), so the loop that overwrites it need not save every value.
        reassigned = {target_name(s) for s in walk_assignments(core.body)} | {
            s.target.id for s in _walk(core.body) if isinstance(s, ast.For)}
        self.entry_value = {name: (namer.fresh(f"{name}_in") if name in reassigned else name)
                            for name in wrt}
        self.to_be_recorded(core.body, {n for n in wrt if n not in reassigned})
        self.check_mutations()
        self.bookkeeping: dict[int, str] = {}    # if -> decision var, loop -> trip counter
        self.inits: list[str] = []
        self.underscore: str | None = None
        self.value = namer.fresh("value")

    # ------------------------------------------------------------ helpers
    def helper(self, name: str, obj: Any) -> str:
        """The name generated code uses for a helper object (never shadowing a user name)."""
        if name in self.helper_names:
            return self.helper_names[name]
        resolved = self.src.resolve(load(name), self.local_names)
        if resolved is obj:
            emitted = name                       # the user's own binding is the same object
        else:
            emitted = self.namer.fresh(name)
            self.helpers[emitted] = obj
        self.helper_names[name] = emitted
        return emitted

    def runtime(self, name: str) -> str:
        return self.helper(name, getattr(runtime, name))

    def comment(self, text: str) -> ast.stmt:
        marker = f"__adtrans_comment_{len(self.comments)}__"
        self.comments[marker] = text
        return ast.Expr(value=load(marker))

    def d(self, name: str) -> str:
        return self.adjoint_name[name]

    def active(self, name: str) -> bool:
        return self.activity.active(name)

    # ------------------------------------------------------------ adjoint expressions
    def adjoints_of(self, stmt: ast.Assign) -> None:
        target = target_name(stmt)
        operation = self.operations[id(stmt)]
        if not self.active(target):
            return
        varied = [o for o in operation.operands
                  if isinstance(o, ast.Name) and o.id in self.activity.varied]
        if operation.kind not in ("copy", "pack", "index", "rule"):
            return                  # refusals.py has refused those that see a varied value
        if any(not isinstance(o, (ast.Name, ast.Constant)) and names_read(o)
               & self.activity.varied for o in operation.operands):
            raise self.src.error(stmt, f"{operation.description} receives a tuple or list of "
                                       "values that depend on the input; this is not "
                                       "supported yet")
        if not varied:
            return
        adjoint = StatementAdjoint([])
        if operation.kind == "copy":
            adjoint.contributions.append((operation.operands[0].id, load(G)))
        elif operation.kind == "pack":
            # A literal tuple/list: its cotangent is indexed like the sequence itself.
            grouped: dict[str, list[ast.expr]] = {}
            for position, element in enumerate(operation.operands):
                if isinstance(element, ast.Name) and element.id in self.activity.varied:
                    grouped.setdefault(element.id, []).append(ast.Subscript(
                        value=load(G), slice=ast.Constant(position), ctx=ast.Load()))
            adjoint.contributions += [(n, self.sum(n, e)) for n, e in grouped.items()]
        elif operation.kind == "index":
            container = operation.operands[0].id
            index = stmt.value.slice
            if container not in self.accumulator:
                self.accumulator[container] = self.namer.fresh(f"d_{container}_acc")
            adjoint.index = (container, index)
            adjoint.reads_args = {container} | names_read(index)
        else:
            rule = operation.rule
            mapping = {"g": load(G), "ans": load(ANS), **operation.bindings}
            helpers = {n: self.helper(n, obj) for n, obj in rule.helpers.items()}
            grouped: dict[str, list[ast.expr]] = {}
            for param, template in zip(rule.differentiable, rule.templates, strict=True):
                arg = operation.bindings[param]
                if not (isinstance(arg, ast.Name) and arg.id in self.activity.varied) or \
                        _is_none(template):
                    continue
                expr = instantiate(template, mapping, helpers)
                grouped.setdefault(arg.id, []).append(expr)
            # When every other argument is a Python number, the result has this operand's
            # shape: its cotangent needs no unbroadcast (1 / t3 gives -d_out * out / t3).
            unbroadcast = helpers.get("unbroadcast")
            for param in rule.differentiable:
                arg = operation.bindings[param]
                others = [a for q, a in operation.bindings.items() if q != param]
                if isinstance(arg, ast.Name) and arg.id in grouped and \
                        all(_is_number(a) for a in others):
                    grouped[arg.id] = [_strip_call(e, unbroadcast) for e in grouped[arg.id]]
            for name, exprs in grouped.items():
                adjoint.contributions.append((name, self.sum(name, exprs)))
            for _, expr in adjoint.contributions:
                used = names_read(expr)
                adjoint.reads_ans |= ANS in used
                adjoint.reads_args |= used
        self.global_reads |= adjoint.reads_args - self.local_names - {G, ANS}
        adjoint.reads_args &= self.local_names
        self.adjoints[id(stmt)] = adjoint

    # ------------------------------------------------------------ to-be-recorded
    def to_be_recorded(self, stmts: list[ast.stmt], needed: set[str],
                       in_loop: bool = False) -> set[str]:
        """Forward dataflow of 'values an adjoint will read'; marks assignments to save.

        ``needed`` holds the variables whose current value some adjoint reads
        (or will read); overwriting one of them requires saving it first.
        """
        for stmt in stmts:
            self.note_mutations(stmt, needed)
            if isinstance(stmt, ast.Assign):
                target = target_name(stmt)
                adjoint = self.adjoints.get(id(stmt))
                before = needed | (adjoint.reads_args if adjoint else set())
                if target in before:
                    self.mark_saved(stmt, target, in_loop, self.saved)
                needed = before - {target}
                if adjoint and adjoint.reads_ans:
                    needed = needed | {target}
            elif isinstance(stmt, ast.If):
                needed = (self.to_be_recorded(stmt.body, needed, in_loop)
                          | self.to_be_recorded(stmt.orelse, needed, in_loop))
            elif isinstance(stmt, ast.While):
                entry = needed
                while True:
                    out = self.to_be_recorded(stmt.body, entry, True)
                    if out <= entry:
                        break
                    entry = entry | out
                self.note_mutations(stmt, entry)      # the test runs at every iteration
                needed = entry
            elif isinstance(stmt, ast.For):
                index = stmt.target.id
                if index in needed:
                    self.mark_saved(stmt, index, in_loop, self.index_saved)
                entry = needed - {index}
                while True:
                    out = self.to_be_recorded(stmt.body, entry, True) - {index}
                    if out <= entry:
                        break
                    entry = entry | out
                needed = entry | (names_read(stmt.iter) & self.local_names)
        return needed

    def note_mutations(self, stmt: ast.stmt, needed: set[str]) -> None:
        """Remember what the backward sweep needs where ``stmt`` changes values in place."""
        for operation in self.all_operations.get(id(stmt), []):
            if operation.mutates:
                self.mutation_points.append((stmt, operation, frozenset(needed)))

    def check_mutations(self) -> None:
        """Refuse in-place changes of the caller's data or of values still needed."""
        if not self.mutation_points:
            return
        aliases = self.aliases
        saved = {target_name(s) for s in walk_assignments(self.core.body)
                 if id(s) in self.saved}
        saved |= {s.target.id for s in _walk(self.core.body) if id(s) in self.index_saved}
        # Numbers and strings cannot change in place, whatever shares their name's class.
        immutable = {name for name in self.local_names
                     if all(kinds.is_only(env[name], IMMUTABLE)
                            for env in self.kinds.values() if name in env)}
        loops = _enclosing_loops(self.core.body)
        for stmt, operation, needed in self.mutation_points:
            walked = {name for loop in loops.get(id(stmt), [])
                      for name in getattr(loop, "_adtrans_iterated", [])}
            check_mutation(self.src, stmt, operation, aliases,
                           (set(needed) | saved | self.global_reads) - immutable,
                           set(self.core.params), walked)

    def mark_saved(self, stmt: ast.stmt, name: str, in_loop: bool, into: dict[int, str]) -> None:
        if id(stmt) not in into:
            into[id(stmt)] = self.namer.fresh(f"{name}_prev")
        if in_loop:
            self.uses_tape = True
            stmt._adtrans_on_tape = True  # type: ignore[attr-defined]

    def on_tape(self, stmt: ast.stmt) -> bool:
        return getattr(stmt, "_adtrans_on_tape", False)

    def has_backward(self, stmts: list[ast.stmt]) -> bool:
        """Whether the backward sweep has anything to do for these statements."""
        for stmt in _walk(stmts):
            if isinstance(stmt, ast.Assign) and (
                    id(stmt) in self.adjoints or id(stmt) in self.saved
                    or target_name(stmt) in self.adjoint_name
                    or target_name(stmt) in self.accumulator):
                return True
            if isinstance(stmt, ast.For) and id(stmt) in self.index_saved:
                return True
        return False

    # ------------------------------------------------------------ forward sweep
    def forward(self, stmts: list[ast.stmt], in_loop: bool, assigned: set[str]
                ) -> tuple[list[ast.stmt], set[str]]:
        """The forward sweep for ``stmts``; also returns the definitely-assigned names."""
        code: list[ast.stmt] = []
        lineno = None
        for stmt in stmts:
            if stmt.lineno != lineno and isinstance(stmt, ast.Assign) and \
                    stmt.lineno != self.src.tree.lineno:
                lineno = stmt.lineno
                text = self.src.line(lineno).strip()
                group = [s for s in stmts if s.lineno == lineno and isinstance(s, ast.Assign)]
                if len(group) > 1 or (group and unparse(group[0]) != text):
                    code.append(self.comment(text))
            if isinstance(stmt, ast.Assign):
                target = target_name(stmt)
                if id(stmt) in self.saved:
                    code.append(self.save(stmt, target, self.saved[id(stmt)], assigned))
                risk = getattr(stmt, "_adtrans_alias_risk", None)
                if risk:
                    readers, message = risk
                    scope = call(self.namer.builtin("locals"))
                    code.append(ast.Expr(value=call(
                        self.runtime("refuse_shared_array"), load(target), scope,
                        ast.Tuple(elts=[ast.Constant(n) for n in readers], ctx=ast.Load()),
                        ast.Constant(message))))
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
            else:
                code.append(stmt)
        return code, assigned

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
        if self.on_tape(stmt):
            return self.push_stmt(load(name))
        return assign(slot, load(name))

    # ------------------------------------------------------------ backward sweep
    def backward(self, stmts: list[ast.stmt], state: dict[str, str]
                 ) -> tuple[list[ast.stmt], dict[str, str]]:
        code: list[ast.stmt] = []
        for stmt in reversed(stmts):
            if isinstance(stmt, ast.Assign):
                part, state = self.backward_assign(stmt, state)
            elif isinstance(stmt, ast.If):
                part, state = self.backward_if(stmt, state)
            elif isinstance(stmt, (ast.While, ast.For)):
                part, state = self.backward_loop(stmt, state)
            else:
                part = []
            code += part
        return code, state

    def sum(self, name: str, exprs: list[ast.expr]) -> ast.expr:
        """The sum of contributions to ``name``'s adjoint (elementwise for containers)."""
        if name in self.tree_names:
            return _sum(exprs, self.runtime("tree_add"))
        return _sum(exprs)

    def accumulate(self, name: str, expr: ast.expr, state: dict[str, str]) -> ast.stmt:
        target = self.d(name)
        status = state[target]
        state[target] = PRESENT
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
        if state[acc] == PRESENT or state[target] == ABSENT:
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
        if not (adjoint or slot or has_adjoint):
            return [], state
        code: list[ast.stmt] = [self.comment(unparse(stmt))]
        previous = None                      # where the old value of target is, if needed
        if slot and adjoint and target in adjoint.reads_args:
            if self.on_tape(stmt):
                code.append(assign(slot, call(self.pop)))
            previous = slot
        if has_adjoint:
            code += self.merge_accumulator(target, state)
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
            for name, expr in contributions:
                if name == target:
                    state[g] = ABSENT        # g is consumed: the old value's adjoint starts anew
                inner.append(self.accumulate(name, _rename(expr, rename), state))
            if before[g] == MAYBE:
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
        if len(code) == 1 and not slot:
            return [], state                 # nothing but the heading comment
        if slot:
            if previous:
                code.append(assign(target, load(previous)))
            elif self.on_tape(stmt):
                code.append(assign(target, call(self.pop)))
            else:
                code.append(assign(target, load(slot)))
        return code, state

    def index_value(self, index: ast.expr, rename: dict[str, ast.expr]) -> ast.expr:
        """An index usable as a value: slices become slice(...) objects."""
        index = _rename(index, rename)
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

    # ------------------------------------------------------------ assembly
    def build(self) -> Sweeps:
        _mark_loop_context(self.core.body, False)
        forward, assigned = self.forward(self.core.body, False, set(self.core.params))
        forward = [assign(alias, load(name)) for name, alias in self.entry_value.items()
                   if alias != name] + forward
        assigned |= set(self.entry_value.values())
        state = {name: ABSENT for name in self.adjoint_name.values()}
        state.update({name: ABSENT for name in self.accumulator.values()})
        seed = self.d(self.core.result)
        state[seed] = PRESENT
        backward, state = self.backward(self.core.body, state)
        gradients = []
        for name in self.wrt:
            backward += self.merge_accumulator(name, state)
            raw = load(self.d(name)) if state[self.d(name)] != ABSENT else ast.Constant(None)
            gradients.append(call(self.runtime("as_gradient"), raw,
                                  load(self.entry_value[name])))
        starts = [assign(n, ast.Constant(None)) for n in sorted(state) if n != seed]
        read_by_gradients = {g.args[0].id for g in gradients if isinstance(g.args[0], ast.Name)}
        backward = eliminate_dead_resets(starts + backward, set(state), read_by_gradients)
        primal = (set(self.core.params) | self.local_names | set(self.bookkeeping.values())
                  | set(self.entry_value.values())
                  | set(self.saved.values()) | set(self.index_saved.values())) - set(state)
        read_back = set()
        for stmt in backward:
            read_back |= names_read(stmt)
        for g in gradients:
            read_back |= names_read(g)
        saved_for_backward = sorted(read_back & primal)
        split_inits = [n for n in saved_for_backward if n not in assigned | set(self.inits)]
        # Names codegen adds come first, so their helpers are in place below.
        check_scalar = self.runtime("check_scalar_output")
        check_cotangent = self.runtime("check_cotangent")
        list_name = self.namer.builtin("list")
        return Sweeps(
            params=list(self.core.params), wrt=list(self.wrt), result=self.core.result,
            seed=seed, forward=forward, backward=backward, gradients=gradients,
            uses_tape=self.uses_tape, tape=self.tape, push=self.push, pop=self.pop,
            value=self.value, inits=self.inits, split_inits=split_inits,
            saved_for_backward=saved_for_backward,
            helpers={**self.helpers, **self.namer.builtin_cells}, list_name=list_name,
            comments=self.comments, check_scalar=check_scalar,
            check_cotangent=check_cotangent)


# ---------------------------------------------------------------- utilities
def _walk(stmts: list[ast.stmt]):
    for stmt in stmts:
        yield stmt
        if isinstance(stmt, (ast.If, ast.While, ast.For)):
            yield from _walk(stmt.body)
            yield from _walk(stmt.orelse)


def _enclosing_loops(stmts: list[ast.stmt], loops: tuple[ast.stmt, ...] = ()
                     ) -> dict[int, tuple[ast.stmt, ...]]:
    """For each statement, the for loops around it (innermost last)."""
    found: dict[int, tuple[ast.stmt, ...]] = {}
    for stmt in stmts:
        found[id(stmt)] = loops
        if isinstance(stmt, (ast.If, ast.While, ast.For)):
            inner = loops + (stmt,) if isinstance(stmt, ast.For) else loops
            found.update(_enclosing_loops(stmt.body, inner))
            found.update(_enclosing_loops(stmt.orelse, loops))
    return found


def _mark_loop_context(stmts: list[ast.stmt], in_loop: bool) -> None:
    for stmt in stmts:
        stmt._adtrans_in_loop = in_loop  # type: ignore[attr-defined]
        if isinstance(stmt, ast.If):
            _mark_loop_context(stmt.body, in_loop)
            _mark_loop_context(stmt.orelse, in_loop)
        elif isinstance(stmt, (ast.While, ast.For)):
            _mark_loop_context(stmt.body, True)


def _breaks(body: list[ast.stmt]) -> bool:
    last = body[-1] if body else None
    return isinstance(last, ast.If) and any(isinstance(s, ast.Break) for s in last.body)


def _is_none(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is None


def _is_number(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Constant) and type(expr.value) in (int, float)


def _strip_call(expr: ast.expr, func: str | None) -> ast.expr:
    """``func(e, ...)`` becomes ``e`` (used to drop unbroadcast where shapes agree)."""
    if func and isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and \
            expr.func.id == func:
        return expr.args[0]
    return expr


def _sum(exprs: list[ast.expr], adder: str | None = None) -> ast.expr:
    """Add contributions; identical ones are computed once and scaled.

    With ``adder`` (the helper adding container cotangents), the terms are combined
    by calls of it instead, and never scaled (``2 * list`` would repeat the list).
    """
    if adder is not None:
        total = exprs[0]
        for expr in exprs[1:]:
            total = call(adder, total, expr)
        return total
    groups: list[tuple[ast.expr, int]] = []
    for expr in exprs:
        for i, (seen, count) in enumerate(groups):
            if same(seen, expr):
                groups[i] = (seen, count + 1)
                break
        else:
            groups.append((expr, 1))
    terms = [e if n == 1 else ast.BinOp(left=ast.Constant(n), op=ast.Mult(), right=e)
             for e, n in groups]
    total = terms[0]
    for term in terms[1:]:
        total = ast.BinOp(left=total, op=ast.Add(), right=term)
    return total


class _Rename(ast.NodeTransformer):
    def __init__(self, mapping: dict[str, ast.expr]) -> None:
        self.mapping = mapping

    def visit_Name(self, node: ast.Name) -> ast.expr:
        replacement = self.mapping.get(node.id)
        if replacement is None:
            return node
        return ast.Name(id=replacement.id, ctx=node.ctx) if isinstance(replacement, ast.Name) \
            else replacement


def _rename(expr: ast.expr, mapping: dict[str, ast.expr]) -> ast.expr:
    return _Rename(mapping).visit(copy.deepcopy(expr))


def eliminate_dead_resets(stmts: list[ast.stmt], adjoint_names: set[str],
                          live_out: set[str]) -> list[ast.stmt]:
    """Drop ``d_x = None`` statements whose value no later statement reads."""
    code, _ = _dse(stmts, adjoint_names, set(live_out))
    return code


def _dse(stmts: list[ast.stmt], names: set[str], live: set[str]
         ) -> tuple[list[ast.stmt], set[str]]:
    out: list[ast.stmt] = []
    for stmt in reversed(stmts):
        if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
            target = stmt.targets[0].id
            is_reset = isinstance(stmt.value, ast.Constant) and stmt.value.value is None
            if is_reset and target in names and target not in live:
                continue
            live = (live - {target}) | names_read(stmt.value)
            out.append(stmt)
        elif isinstance(stmt, ast.If):
            body, live_body = _dse(stmt.body, names, live)
            orelse, live_else = _dse(stmt.orelse, names, live)
            live = live_body | live_else | names_read(stmt.test)
            out.append(ast.If(test=stmt.test, body=body or [ast.Pass()], orelse=orelse))
        elif isinstance(stmt, (ast.For, ast.While)):
            head = set(live)
            while True:
                body, live_body = _dse(stmt.body, names, head)
                new_head = live | live_body
                if new_head == head:
                    break
                head = new_head
            live = head | names_read(stmt.iter if isinstance(stmt, ast.For) else stmt.test)
            fields = {f: getattr(stmt, f) for f in stmt._fields}
            fields["body"] = body or [ast.Pass()]
            out.append(type(stmt)(**fields))
        else:
            live = live | names_read(stmt)
            out.append(stmt)
    out.reverse()
    return out, live


def build_sweeps(src: FunctionSource, core: CoreFunction, wrt: list[str],
                 namer: Namer, param_kinds: kinds.Env) -> Sweeps:
    """Reverse-mode sweeps of ``core`` with respect to the parameters ``wrt``."""
    return ReverseBuilder(src, core, wrt, namer, param_kinds).build()


__all__ = ["Sweeps", "build_sweeps"]
