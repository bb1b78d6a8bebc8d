"""Lowering of loops: ``while`` stays, ``for`` becomes a loop over ``range``.

``for x in seq`` becomes ``len_seq = len(seq)`` and ``for i in range(len_seq):
x = seq[i]``, so the indexing rule carries gradients back to the sequence;
``enumerate``, ``zip`` and ``reversed`` compose.  Jumps out of a loop and its
``else`` clause use the flags of jumps.py.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Callable

from .astutil import load as _load
from .astutil import store as _store
from .jumps import Loop, flag_test


class Loops:
    """Mixin of Normalizer: while and for loops."""

    def loop_body(self, stmts: list[ast.stmt], loop: Loop, prefix: list[ast.stmt],
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
            body.append(self._at(ast.If(test=flag_test(stop, negate=False),
                                        body=[self._at(ast.Break(), lineno)], orelse=[]),
                                 lineno))
        escaping = {f for f in escaping if f == self.return_flag}
        return body, escaping

    def loop_else(self, stmt: ast.While | ast.For, loop: Loop, escaping: set[str]) -> set[str]:
        """The else: clause runs when no break or return left the loop.

        A jump inside it belongs to the enclosing loop or function: its flags escape.
        """
        if not stmt.orelse:
            return set()
        flags = [f for f in (loop.break_flag, *sorted(escaping)) if f]
        orelse = self.block(stmt.orelse)
        if flags:
            self.emit(ast.If(test=flag_test(flags, negate=True), body=orelse, orelse=[]))
        else:
            self.out.extend(orelse)
        return self._flags_set_in(orelse)

    def stmt_While(self, stmt: ast.While) -> set[str]:
        loop = Loop()
        if self.calls_user_code(stmt.test):
            return self.stmt_While(self.test_inside(stmt))
        test = self.test(stmt.test)
        body, escaping = self.loop_body(stmt.body, loop, [], stmt.lineno)
        self.lineno = stmt.lineno
        if loop.break_flag:
            self.emit_assign(loop.break_flag, ast.Constant(False))
        self.emit(ast.While(test=test, body=body, orelse=[]))
        return escaping | self.loop_else(stmt, loop, escaping)

    def test_inside(self, stmt: ast.While) -> ast.While:
        """``while c(x): body else: rest`` as ``while True: if not c(x): rest; break`` then
        ``body``: a condition calling the user's code becomes statements (the calls are
        inlined), evaluated where Python evaluates it, after every ``continue`` too."""
        jumps = [n for s in stmt.orelse for n in ast.walk(s)
                 if isinstance(n, (ast.Break, ast.Continue))]
        if jumps:
            raise self.error(jumps[0], "break or continue in the else clause of a while loop "
                                       "whose condition calls a function of yours is not "
                                       "supported; set a flag and test it after the loop")
        leave = ast.If(test=ast.UnaryOp(op=ast.Not(), operand=stmt.test),
                       body=[*stmt.orelse, ast.Break()], orelse=[])
        loop = ast.While(test=ast.Constant(True), body=[leave, *stmt.body], orelse=[])
        for node in (leave, *leave.body[-1:], loop):
            ast.copy_location(node, stmt)
        return loop

    def stmt_For(self, stmt: ast.For) -> set[str]:
        loop = Loop()
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
            and self.src.resolve(expr.func, self.local_names, self.known) is function

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


def _is_zero(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Constant) and type(expr.value) is int and expr.value == 0
