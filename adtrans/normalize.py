"""Rewrite a user function into the core form that the transformers work on.

The core form is a list of statements, each one of:

* ``name = op`` where ``op`` applies one primitive to atoms (names and
  constants): ``t = a * b``, ``t = -a``, ``t = np.exp(a)``, ``t = a.sum(axis=0)``,
  ``t = a.T``, ``t = a[i]``, or a copy ``t = a``; or an *opaque* expression
  (a comparison, a boolean expression, a literal list) that is evaluated in
  the forward sweep only and must not carry a gradient;
* ``if test:`` / ``while test:`` with an opaque test, evaluated only forward;
* ``for i in range(atoms):`` (loops over sequences, ``enumerate`` and ``zip``
  become a range loop plus an indexing statement);
* ``expr`` statements, ``assert`` and ``raise`` (forward only);
* ``if flag: break`` as the last statement of a loop body.

``break``, ``continue`` and early ``return`` are lowered to flags: the
statements a jump would skip are guarded by ``if not flag:``, so every loop
iteration runs its body to the end and the reverse sweep only needs trip
counts and branch decisions.  The function's value ends up in one variable.

Every core statement keeps the ``lineno`` of the user's line it came from.
"""

from __future__ import annotations

import ast
import builtins
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from .names import Namer
from .source import UNRESOLVED, FunctionSource

# Methods whose positional arguments NumPy also accepts as one tuple: x.reshape(2, 3).
PACKED_METHODS = {"reshape", "transpose"}


@dataclass
class CoreFunction:
    """A function in core form."""

    name: str
    params: list[str]
    body: list[ast.stmt]
    result: str                      # the variable holding the return value
    lines: dict[int, str] = field(default_factory=dict)   # user line -> text


@dataclass
class _Loop:
    break_flag: str | None = None
    continue_flag: str | None = None


def _load(name: str) -> ast.Name:
    return ast.Name(id=name, ctx=ast.Load())


def _store(name: str) -> ast.Name:
    return ast.Name(id=name, ctx=ast.Store())


def _flag_test(flags: list[str], negate: bool) -> ast.expr:
    test: ast.expr = _load(flags[0]) if len(flags) == 1 else ast.BoolOp(
        op=ast.Or(), values=[_load(f) for f in flags])
    return ast.UnaryOp(op=ast.Not(), operand=test) if negate else test


def is_opaque(op: ast.expr) -> bool:
    """An expression the core form keeps whole and evaluates only in the forward sweep."""
    return isinstance(op, (ast.Compare, ast.BoolOp, ast.List, ast.Tuple, ast.Dict, ast.Set,
                           ast.JoinedStr)) or (isinstance(op, ast.UnaryOp)
                                               and isinstance(op.op, (ast.Not, ast.Invert)))


class Normalizer:
    """One pass over the user's FunctionDef, producing a CoreFunction."""

    def __init__(self, src: FunctionSource, namer: Namer) -> None:
        self.src = src
        self.namer = namer
        tree = src.tree
        self.local_names = {a.arg for a in tree.args.args} | {
            n.id for n in ast.walk(tree) if isinstance(n, ast.Name)
            and isinstance(n.ctx, ast.Store)}
        self.out: list[ast.stmt] = []
        self.lineno: int | None = tree.lineno
        self.loops: list[_Loop] = []
        self.return_flag: str | None = None
        self.result: str | None = None
        self.groups = itertools.count(1)     # positional reads made for one loop or unpacking
        self.iterated: list[str] = []        # sequences the loop being lowered walks

    # ----------------------------------------------------------------- errors
    def error(self, node: ast.AST, message: str) -> Exception:
        return self.src.error(node, message)

    # ----------------------------------------------------------------- entry
    def run(self) -> CoreFunction:
        tree = self.src.tree
        args = tree.args
        if args.vararg or args.kwarg or args.kwonlyargs or args.posonlyargs:
            raise self.error(tree, "functions with *args, **kwargs, keyword-only or "
                                   "positional-only parameters are not supported yet; "
                                   "list the parameters explicitly")
        params = [a.arg for a in args.args]
        body = self.block(tree.body, top=True)
        if self.return_flag is not None:
            body.insert(0, self._at(ast.Assign(targets=[_store(self.return_flag)],
                                               value=ast.Constant(False)), tree.lineno))
        if self.result is None:
            raise self.error(tree, f"{tree.name} has no return statement; adtrans "
                                   "differentiates the value a function returns")
        return CoreFunction(tree.name, params, body, self.result)

    # ----------------------------------------------------------------- emission
    def _at(self, stmt: ast.stmt, lineno: int | None) -> ast.stmt:
        stmt.lineno = lineno if lineno is not None else 0
        return stmt

    def emit(self, stmt: ast.stmt) -> None:
        self.out.append(self._at(stmt, self.lineno))

    def emit_assign(self, name: str, value: ast.expr) -> None:
        self.emit(ast.Assign(targets=[_store(name)], value=value))

    def capture(self, fn, *args) -> list[ast.stmt]:
        """Run ``fn`` with emission redirected to a fresh list, and return that list."""
        saved = self.out
        self.out = []
        try:
            fn(*args)
            return self.out
        finally:
            self.out = saved

    # ----------------------------------------------------------------- blocks
    def block(self, stmts: list[ast.stmt], top: bool = False) -> list[ast.stmt]:
        """Normalise a statement list, guarding what follows a possible jump."""
        saved = self.out
        self.out = []
        try:
            for index, stmt in enumerate(stmts):
                if top and isinstance(stmt, ast.Return) and self.loops == []:
                    self.lineno = stmt.lineno
                    self.final_return(stmt)
                    return self.out
                flags = self.statement(stmt)
                if isinstance(stmt, (ast.Return, ast.Break, ast.Continue)):
                    return self.out          # the rest of the block is unreachable
                if flags:
                    rest = self.block(stmts[index + 1:], top=False)
                    if rest:
                        guard = ast.If(test=_flag_test(sorted(flags), negate=True),
                                       body=rest, orelse=[])
                        self.out.append(self._at(guard, stmts[index + 1].lineno))
                    if top:
                        self.check_result(stmts[-1])
                    return self.out
            if top:
                self.check_result(stmts[-1] if stmts else self.src.tree)
            return self.out
        finally:
            self.out = saved

    def check_result(self, last: ast.stmt) -> None:
        if self.result is None:
            raise self.error(last, f"{self.src.name} has no return statement; adtrans "
                                   "differentiates the value a function returns")
        if self.return_flag is not None and not always_returns([last]):
            raise self.error(last, f"{self.src.name} can reach its end without returning "
                                   "a value; end it with a return statement")

    def final_return(self, stmt: ast.Return) -> None:
        if stmt.value is None:
            raise self.error(stmt, "return without a value; return the number to differentiate")
        if self.return_flag is None:
            value = stmt.value
            if isinstance(value, ast.Name):
                self.result = value.id
            else:
                self.result = self.namer.fresh("out")
                self.assign(self.result, value)
        else:
            self.assign(self.result_name(), stmt.value)

    def result_name(self) -> str:
        if self.result is None:
            self.result = self.namer.fresh("out")
        return self.result

    # ----------------------------------------------------------------- statements
    def statement(self, stmt: ast.stmt) -> set[str]:
        """Normalise one statement; return the jump flags it may set."""
        self.lineno = stmt.lineno
        method = getattr(self, "stmt_" + type(stmt).__name__, None)
        if method is None:
            raise self.error(stmt, f"the statement `{type(stmt).__name__}` is not supported in "
                                   "a function adtrans differentiates; move it out of the "
                                   "function or rewrite it with assignments, if, for and while")
        return method(stmt) or set()

    def stmt_Pass(self, stmt: ast.Pass) -> None:
        return None

    def stmt_Expr(self, stmt: ast.Expr) -> None:
        if isinstance(stmt.value, ast.Constant):
            return                      # docstring or bare constant
        if isinstance(stmt.value, ast.Call):
            self.emit(ast.Expr(value=self.call(stmt.value)))
            return
        raise self.error(stmt, "an expression statement other than a call has no effect; "
                               "remove it")

    def stmt_Assert(self, stmt: ast.Assert) -> None:
        self.emit(stmt)

    def stmt_Raise(self, stmt: ast.Raise) -> None:
        self.emit(stmt)

    def stmt_Assign(self, stmt: ast.Assign) -> None:
        first, *others = stmt.targets
        self.assign_target(first, stmt.value)
        for target in others:
            if not isinstance(first, ast.Name):
                raise self.error(stmt, "chained assignment to a tuple is not supported; "
                                       "split it into separate assignments")
            self.assign_target(target, _load(first.id))

    def stmt_AnnAssign(self, stmt: ast.AnnAssign) -> None:
        if stmt.value is None:
            return
        self.assign_target(stmt.target, stmt.value)

    def stmt_AugAssign(self, stmt: ast.AugAssign) -> None:
        if not isinstance(stmt.target, ast.Name):
            raise self.error(stmt, "augmented assignment to an element or attribute "
                                   "(x[i] += ...) is not supported yet; build a new array "
                                   "instead")
        value = ast.BinOp(left=_load(stmt.target.id), op=stmt.op, right=stmt.value)
        self.assign(stmt.target.id, value)
        self.out[-1]._adtrans_augmented = True  # type: ignore[attr-defined]

    def stmt_If(self, stmt: ast.If) -> set[str]:
        test = self.test(stmt.test)
        body_flags, body = self.sub_block(stmt.body)
        else_flags, orelse = self.sub_block(stmt.orelse)
        self.lineno = stmt.lineno
        if body or orelse:
            self.emit(ast.If(test=test, body=body, orelse=orelse))
        return body_flags | else_flags

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

    def loop_body(self, stmts: list[ast.stmt], loop: _Loop, prefix: list[ast.stmt],
                  lineno: int) -> tuple[list[ast.stmt], set[str]]:
        """Normalise a loop body; return it and the flags that escape the loop."""
        self.loops.append(loop)
        try:
            body = prefix + self.block(stmts)
            escaping = self._flags_set_in(body)
        finally:
            self.loops.pop()
        if loop.continue_flag:
            body.insert(0, self._at(ast.Assign(targets=[_store(loop.continue_flag)],
                                               value=ast.Constant(False)), lineno))
        stop = [f for f in (loop.break_flag, self.return_flag)
                if f and (f == loop.break_flag or f in escaping)]
        if stop:
            body.append(self._at(ast.If(test=_flag_test(stop, negate=False),
                                        body=[self._at(ast.Break(), lineno)], orelse=[]),
                                 lineno))
        escaping = {f for f in escaping if f == self.return_flag}
        return body, escaping

    def loop_else(self, stmt: ast.While | ast.For, loop: _Loop, escaping: set[str]) -> set[str]:
        """The else: clause runs when no break or return left the loop.

        A jump inside it belongs to the enclosing loop or function: its flags escape.
        """
        if not stmt.orelse:
            return set()
        flags = [f for f in (loop.break_flag, *sorted(escaping)) if f]
        orelse = self.block(stmt.orelse)
        if flags:
            self.emit(ast.If(test=_flag_test(flags, negate=True), body=orelse, orelse=[]))
        else:
            self.out.extend(orelse)
        return self._flags_set_in(orelse)

    def stmt_While(self, stmt: ast.While) -> set[str]:
        loop = _Loop()
        test = self.test(stmt.test)
        body, escaping = self.loop_body(stmt.body, loop, [], stmt.lineno)
        self.lineno = stmt.lineno
        if loop.break_flag:
            self.emit_assign(loop.break_flag, ast.Constant(False))
        self.emit(ast.While(test=test, body=body, orelse=[]))
        return escaping | self.loop_else(stmt, loop, escaping)

    def stmt_For(self, stmt: ast.For) -> set[str]:
        loop = _Loop()
        iterator = stmt.iter
        prefix: list[ast.stmt] = []
        if self.calls(iterator, builtins.range) and isinstance(stmt.target, ast.Name):
            if iterator.keywords or not 1 <= len(iterator.args) <= 3:
                raise self.error(stmt, "range() takes one to three positional arguments")
            index = stmt.target.id
            bounds = [self.stable(self.atom(a), stmt.body) for a in iterator.args]
            iterated = []
        else:
            self.iterated = []
            target = stmt.target
            counter = target.elts[0] if isinstance(target, (ast.Tuple, ast.List)) and \
                len(target.elts) == 2 else None
            plain_enumerate = isinstance(counter, ast.Name) and self.calls(
                iterator, builtins.enumerate) and len(iterator.args) == 1 and \
                not iterator.keywords
            # `for i, x in enumerate(xs)` keeps the user's i as the loop index.
            index = counter.id if plain_enumerate else self.namer.fresh("i")
            length, element = self.iteration(iterator, stmt.body)
            bounds = [length]
            iterated, self.iterated = self.iterated, []
            value = element(_load(index))
            if plain_enumerate:
                target, value = target.elts[1], value.elts[1]
            prefix = self.capture(self.assign_target, target, value)
        for s in prefix:
            s.lineno = stmt.lineno
        body, escaping = self.loop_body(stmt.body, loop, prefix, stmt.lineno)
        self.lineno = stmt.lineno
        if loop.break_flag:
            self.emit_assign(loop.break_flag, ast.Constant(False))
        rng = self.builtin_call("range", *bounds)
        loop_stmt = ast.For(target=_store(index), iter=rng, body=body, orelse=[])
        # The sequences walked by position: changing one inside the loop would change
        # what Python iterates over (refusals.py checks).
        loop_stmt._adtrans_iterated = iterated  # type: ignore[attr-defined]
        self.emit(loop_stmt)
        return escaping | self.loop_else(stmt, loop, escaping)

    def calls(self, expr: ast.expr, function: object) -> bool:
        """Whether ``expr`` is a call of the builtin ``function`` (not a local of that name)."""
        return isinstance(expr, ast.Call) and isinstance(expr.func, (ast.Name, ast.Attribute)) \
            and self.src.resolve(expr.func, self.local_names) is function

    def iteration(self, iterator: ast.expr, body: list[ast.stmt]
                  ) -> tuple[ast.expr, Callable[[ast.expr], ast.expr]]:
        """Lower an iterable to a length (an atom) and the element at an index.

        ``enumerate``, ``zip`` and ``reversed`` compose; anything else is a
        sequence indexed by position (a kinds check converts dicts, sets and
        iterators first, see kinds.py).
        """
        if self.calls(iterator, builtins.enumerate):
            if len(iterator.args) + len(iterator.keywords) not in (1, 2) or any(
                    k.arg != "start" for k in iterator.keywords):
                raise self.error(iterator, "enumerate(sequence, start=0) takes a sequence and "
                                           "an optional start")
            length, inner = self.iteration(iterator.args[0], body)
            given = iterator.args[1:] + [k.value for k in iterator.keywords]
            start = self.stable(self.atom(given[0]), body) if given else ast.Constant(0)

            def counted(i: ast.expr) -> ast.expr:
                count = i if _is_zero(start) else ast.BinOp(left=i, op=ast.Add(), right=start)
                return ast.Tuple(elts=[count, inner(i)], ctx=ast.Load())
            return length, counted
        if self.calls(iterator, builtins.zip):
            if iterator.keywords or not iterator.args or any(
                    isinstance(a, ast.Starred) for a in iterator.args):
                raise self.error(iterator, "zip() over a fixed number of sequences, without "
                                           "keywords or *args, is supported; write the loop "
                                           "over an index instead")
            parts = [self.iteration(a, body) for a in iterator.args]
            lengths = [length for length, _ in parts]
            length = lengths[0] if len(lengths) == 1 else self.bind(
                self.builtin_call("min", *lengths), "n")
            return length, lambda i: ast.Tuple(elts=[element(i) for _, element in parts],
                                               ctx=ast.Load())
        if self.calls(iterator, builtins.reversed) and len(iterator.args) == 1 \
                and not iterator.keywords:
            length, inner = self.iteration(iterator.args[0], body)
            last = ast.BinOp(left=length, op=ast.Sub(), right=ast.Constant(1))
            return length, lambda i: inner(ast.BinOp(left=last, op=ast.Sub(), right=i))
        sequence = self.stable(self.sequence(iterator), body)
        self.iterated.append(sequence.id)
        length = self.bind(self.builtin_call("len", sequence), f"len_{sequence.id}")
        # iterables.py may convert the sequence: it finds the statements by this group.
        group = next(self.groups)
        self.out[-1]._adtrans_iterates = group  # type: ignore[attr-defined]

        def item(i: ast.expr) -> ast.expr:
            node = ast.Subscript(value=_load(sequence.id), slice=i, ctx=ast.Load())
            node._adtrans_iterates = group  # type: ignore[attr-defined]
            return node
        return length, item

    def builtin_call(self, name: str, *args: ast.expr) -> ast.Call:
        return ast.Call(func=_load(self.namer.builtin(name)), args=list(args), keywords=[])

    def sequence(self, expr: ast.expr) -> ast.Name:
        """Bind an iterated sequence to a name, so the loop and its reverse see one value."""
        return self.bind(self.atom(expr))

    def stable(self, value: ast.expr, body: list[ast.stmt]) -> ast.expr:
        """A loop's iterable is evaluated once: copy a name the loop body reassigns."""
        stored = {n.id for s in body for n in ast.walk(s)
                  if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        if isinstance(value, ast.Name) and value.id in stored:
            name = self.namer.temp()
            self.emit_assign(name, value)
            return _load(name)
        return value

    def bind(self, value: ast.expr, base: str | None = None) -> ast.Name:
        """A name for an atom: itself if it is one, else a temporary assigned to it."""
        if isinstance(value, ast.Name):
            return value
        name = self.namer.fresh(base) if base else self.namer.temp()
        self.emit_assign(name, value)
        return _load(name)

    # ----------------------------------------------------------------- assignment
    def assign_target(self, target: ast.expr, value: ast.expr) -> None:
        if isinstance(target, ast.Name):
            self.assign(target.id, value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            if any(isinstance(t, ast.Starred) for t in target.elts):
                raise self.error(target, "starred unpacking is not supported; index instead")
            if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts):
                targets = {n.id for t in target.elts for n in ast.walk(t)
                           if isinstance(n, ast.Name)}
                parts = []
                for element in value.elts:
                    atom = self.atom(element)
                    if isinstance(atom, ast.Name) and atom.id in targets:
                        name = self.namer.temp()
                        self.emit_assign(name, atom)
                        atom = _load(name)
                    parts.append(atom)
                for t, part in zip(target.elts, parts, strict=True):
                    self.assign_target(t, part)
            else:
                source = self.atom(value)
                group = next(self.groups)
                for position, t in enumerate(target.elts):
                    item = ast.Subscript(value=source, slice=ast.Constant(position),
                                         ctx=ast.Load())
                    item._adtrans_iterates = group  # type: ignore[attr-defined]
                    self.assign_target(t, item)
        else:
            raise self.error(target, "assignment to an element or attribute (x[i] = ..., "
                                     "obj.a = ...) is not supported yet; build a new array "
                                     "instead, e.g. with np.where or np.concatenate")

    def assign(self, name: str, value: ast.expr) -> None:
        if isinstance(value, ast.BoolOp) and not _is_boolean(value):
            self.select(name, value)
            return
        if isinstance(value, ast.IfExp):
            test = self.test(value.test)
            body = self.capture(self.assign, name, value.body)
            orelse = self.capture(self.assign, name, value.orelse)
            self.emit(ast.If(test=test, body=body, orelse=orelse))
            return
        self.emit_assign(name, self.operation(value))

    def select(self, name: str, value: ast.BoolOp) -> None:
        """``a or b`` is ``a`` if ``a`` is true, else ``b`` (``and``: ``b`` if ``a`` is true):
        the value of an operand, so a gradient may flow through it, as through an ``if``."""
        reads = {n.id for n in ast.walk(value) if isinstance(n, ast.Name)}
        into = self.namer.temp() if name in reads else name
        first, *rest = value.values
        self.assign(into, first)
        if rest:
            tail = rest[0] if len(rest) == 1 else ast.BoolOp(op=value.op, values=rest)
            test = _load(into)
            if isinstance(value.op, ast.Or):
                test = ast.UnaryOp(op=ast.Not(), operand=test)
            self.emit(ast.If(test=test, body=self.capture(self.assign, into, tail), orelse=[]))
        if into != name:
            self.emit_assign(name, _load(into))

    # ----------------------------------------------------------------- expressions
    def test(self, expr: ast.expr) -> ast.expr:
        """A condition: evaluated whole in the forward sweep (it carries no gradient)."""
        self.reject_unsupported(expr)
        return expr

    def reject_unsupported(self, expr: ast.expr) -> None:
        for node in ast.walk(expr):
            if isinstance(node, (ast.Lambda, ast.NamedExpr, ast.Yield, ast.YieldFrom,
                                 ast.Await, ast.ListComp, ast.SetComp, ast.DictComp,
                                 ast.GeneratorExp)):
                kind = {ast.NamedExpr: "the walrus operator :="}.get(type(node),
                                                                       type(node).__name__)
                raise self.error(expr, f"{kind} is not supported inside a function adtrans "
                                       "differentiates; use a plain loop or assignment")

    def is_static(self, expr: ast.expr) -> bool:
        """A name or attribute chain bound outside the function (np.pi, a global)."""
        return isinstance(expr, (ast.Name, ast.Attribute)) and \
            self.src.resolve(expr, self.local_names) is not UNRESOLVED

    def atom(self, expr: ast.expr) -> ast.expr:
        """Reduce ``expr`` to a name or constant, emitting temporaries for its parts."""
        if isinstance(expr, ast.Constant):
            return expr
        if isinstance(expr, ast.Name):
            return _load(expr.id)
        if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.USub) and \
                isinstance(expr.operand, ast.Constant) and \
                isinstance(expr.operand.value, (int, float, complex)):
            return ast.Constant(-expr.operand.value)
        if isinstance(expr, ast.Attribute) and self.is_static(expr):
            return expr
        if isinstance(expr, (ast.Tuple, ast.List)):
            return type(expr)(elts=[self.atom(e) for e in expr.elts], ctx=ast.Load())
        if isinstance(expr, ast.IfExp) or isinstance(expr, ast.BoolOp) and not _is_boolean(expr):
            name = self.namer.temp()
            self.assign(name, expr)
            return _load(name)
        operation = self.operation(expr)     # operands first, so temporaries count upwards
        name = self.namer.temp()
        self.emit_assign(name, operation)
        return _load(name)

    def operation(self, expr: ast.expr) -> ast.expr:
        """One primitive applied to atoms, or an opaque forward-only expression."""
        self.reject_unsupported(expr)
        if isinstance(expr, (ast.Constant, ast.Name)):
            return self.atom(expr)
        if isinstance(expr, ast.BinOp):
            return ast.BinOp(left=self.atom(expr.left), op=expr.op, right=self.atom(expr.right))
        if isinstance(expr, ast.UnaryOp):
            if isinstance(expr.op, ast.USub) and isinstance(expr.operand, ast.Constant):
                return self.atom(expr)
            return ast.UnaryOp(op=expr.op, operand=self.atom(expr.operand))
        if isinstance(expr, ast.Call):
            return self.call(expr)
        if isinstance(expr, ast.Attribute):
            if self.is_static(expr):
                return expr
            return ast.Attribute(value=self.atom(expr.value), attr=expr.attr, ctx=ast.Load())
        if isinstance(expr, ast.Subscript):
            node = ast.Subscript(value=self.atom(expr.value), slice=self.index(expr.slice),
                                 ctx=ast.Load())
            node._adtrans_iterates = getattr(expr, "_adtrans_iterates", None)  # type: ignore
            return node
        if isinstance(expr, (ast.Tuple, ast.List)):
            return self.atom(expr)
        if isinstance(expr, (ast.Compare, ast.BoolOp, ast.Dict, ast.Set, ast.JoinedStr)):
            return expr
        raise self.error(expr, f"the expression `{type(expr).__name__}` is not supported; "
                               "rewrite it with arithmetic, NumPy calls, if and for")

    def call(self, expr: ast.Call) -> ast.Call:
        func = expr.func
        is_method = isinstance(func, ast.Attribute) and not self.is_static(func)
        if is_method:
            func = ast.Attribute(value=self.atom(func.value), attr=func.attr, ctx=ast.Load())
        elif not self.is_static(func):
            func = self.atom(func)
        args = []
        for arg in expr.args:
            if isinstance(arg, ast.Starred):
                raise self.error(expr, "calls with *args are not supported; pass the "
                                       "arguments one by one")
            if isinstance(arg, ast.List):
                # A list literal gets a name, so its elements' gradients can flow (np.array).
                args.append(self.bind(self.atom(arg)))
                continue
            args.append(self.atom(arg))
        keywords = []
        for keyword in expr.keywords:
            if keyword.arg is None:
                raise self.error(expr, "calls with **kwargs are not supported; pass the "
                                       "keyword arguments one by one")
            keywords.append(ast.keyword(arg=keyword.arg, value=self.atom(keyword.value)))
        if is_method and func.attr in PACKED_METHODS and len(args) > 1:
            args = [ast.Tuple(elts=args, ctx=ast.Load())]
        return ast.Call(func=func, args=args, keywords=keywords)

    def index(self, expr: ast.expr) -> ast.expr:
        """An index: integer arithmetic on names and constants stays inline, rest is hoisted."""
        if isinstance(expr, ast.Slice):
            parts = {k: self.index_part(getattr(expr, k)) for k in ("lower", "upper", "step")}
            return ast.Slice(**parts)
        if isinstance(expr, ast.Tuple):
            return ast.Tuple(elts=[self.index(e) for e in expr.elts], ctx=ast.Load())
        return self.index_part(expr)

    def index_part(self, expr: ast.expr | None) -> ast.expr | None:
        if expr is None or self.simple_index(expr):
            return expr
        return self.atom(expr)

    def simple_index(self, expr: ast.expr) -> bool:
        if isinstance(expr, (ast.Constant, ast.Name)):
            return True
        if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, (ast.USub, ast.UAdd)):
            return self.simple_index(expr.operand)
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Add, ast.Sub, ast.Mult,
                                                                ast.FloorDiv, ast.Mod)):
            return self.simple_index(expr.left) and self.simple_index(expr.right)
        return False


def _is_boolean(expr: ast.expr) -> bool:
    """An expression whose value is a truth value (it carries no gradient)."""
    if isinstance(expr, ast.BoolOp):
        return all(_is_boolean(v) for v in expr.values)
    return isinstance(expr, ast.Compare) or (
        isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.Not)) or (
        isinstance(expr, ast.Constant) and isinstance(expr.value, bool))


def _is_zero(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Constant) and type(expr.value) is int and expr.value == 0


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


def normalize(src: FunctionSource, namer: Namer) -> CoreFunction:
    """Rewrite ``src`` into core form (see the module docstring)."""
    return Normalizer(src, namer).run()
