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
import inspect
import itertools
from dataclasses import dataclass, field

import numpy as np

from .astutil import load as _load
from .astutil import store as _store
from .calls import Calls, FunctionValue, HigherOrder, parameters
from .comprehensions import Comprehensions
from .expressions import Expressions, is_boolean
from .jumps import Jumps, Loop, always_returns, flag_test
from .loops import Loops
from .names import Namer
from .source import FunctionSource

# Methods that change a container and return a value the change removed or read.
VALUE_CHANGES = {"pop", "setdefault"}


@dataclass
class CoreFunction:
    """A function in core form."""

    name: str
    params: list[str]
    body: list[ast.stmt]
    result: str                      # the variable holding the return value
    lines: dict[int, str] = field(default_factory=dict)   # user line -> text


class Normalizer(Expressions, Comprehensions, Calls, HigherOrder, Loops, Jumps):
    """One pass over the user's FunctionDef, producing a CoreFunction."""

    def __init__(self, src: FunctionSource, namer: Namer,
                 object_types: dict[str, type] | None = None) -> None:
        self.src = src
        self.namer = namer
        tree = src.tree
        self.local_names = {a.arg for a in parameters(tree.args)} | {
            n.id for n in ast.walk(tree) if isinstance(n, ast.Name)
            and isinstance(n.ctx, ast.Store)} | {
            n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n is not tree}
        self.functions: dict[str, FunctionValue] = {}   # names bound to defs and lambdas
        # The functions being normalised, outermost first: a call of one is recursion.
        self.inlining: list[object] = [src.function]
        self.sources: list[FunctionSource] = []   # their sources
        self.callee_names: list[str] = []         # and their names, for comments
        # A callee's parameter changed only by augmented assignment (p *= c) -> the caller's
        # variable it was given: where the object is mutable, Python changes it in place.
        self.argument_of: dict[str, str] = {}
        self.known = namer.builtin_cells     # names generated code binds to objects
        self.object_types = object_types or {}    # parameters holding the user's objects
        self.out: list[ast.stmt] = []
        self.lineno: int | None = tree.lineno
        self.loops: list[Loop] = []
        self.return_flag: str | None = None
        self.result: str | None = None
        self.groups = itertools.count(1)     # positional reads made for one loop or unpacking
        self.iterated: list[str] = []        # sequences the loop being lowered walks

    # ----------------------------------------------------------------- errors
    def error(self, node: ast.AST, message: str) -> Exception:
        return self.current_source().error(node, message)

    def current_source(self) -> FunctionSource:
        """The function whose code is being normalised (an inlined callee's, or ours)."""
        return self.sources[-1] if self.sources else self.src

    def tag(self, stmt: ast.stmt) -> ast.stmt:
        """Mark a statement of an inlined callee with its source, for errors and comments."""
        if self.sources:
            stmt._adtrans_source = self.sources[-1]  # type: ignore[attr-defined]
            stmt._adtrans_callee = self.callee_names[-1]  # type: ignore[attr-defined]
        return stmt

    # ----------------------------------------------------------------- entry
    def run(self) -> CoreFunction:
        tree = self.src.tree
        if tree.args.vararg or tree.args.kwarg:
            raise self.error(tree, "a function with *args or **kwargs cannot be "
                                   "differentiated directly (which argument would wrt name?); "
                                   "call it from a function with named parameters, which "
                                   "adtrans can differentiate")
        # Parameters in signature order, keyword-only ones last: how api.py binds them.
        params = [a.arg for a in parameters(tree.args)]
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
        return self.tag(stmt)

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
        stmts = list(stmts)
        try:
            index = 0
            while index < len(stmts):
                stmt = stmts[index]
                truth = self.static_truth(stmt.test) if isinstance(stmt, ast.If) else None
                if truth is not None:
                    # Only one branch can run; the other is not compiled at all (it may
                    # call None: `if activation is None: return z`).
                    stmts[index:index + 1] = stmt.body if truth else stmt.orelse
                    continue
                index += 1
                if top and isinstance(stmt, ast.Return) and self.loops == []:
                    self.lineno = stmt.lineno
                    self.final_return(stmt)
                    return self.out
                flags = self.statement(stmt)
                if isinstance(stmt, (ast.Return, ast.Break, ast.Continue)):
                    return self.out          # the rest of the block is unreachable
                if flags:
                    rest = self.block(stmts[index:], top=False)
                    if rest:
                        guard = ast.If(test=flag_test(sorted(flags), negate=True),
                                       body=rest, orelse=[])
                        self.out.append(self._at(guard, stmts[index].lineno))
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

    def stmt_Expr(self, stmt: ast.Expr) -> set[str] | None:
        if isinstance(stmt.value, ast.Constant):
            return                      # docstring or bare constant
        if isinstance(stmt.value, ast.Call):
            callee = self.callee_function(stmt.value.func)
            if callee is not None:
                self.inline(stmt.value, callee)        # its value is not used
                return
            if self.is_list_sort(stmt.value):
                self.list_sort(stmt.value)
                return
            if self.is_put_along_axis(stmt.value):
                self.put_along_axis(stmt, stmt.value)
                return
            func = stmt.value.func
            if isinstance(func, ast.Attribute) and func.attr == "update" and \
                    len(stmt.value.args) == 1 and stmt.value.keywords:
                # d.update(m, k=v) is d.update(m), then d.update(k=v): one source each.
                for part in (ast.Call(func=func, args=stmt.value.args, keywords=[]),
                             ast.Call(func=func, args=[], keywords=stmt.value.keywords)):
                    self.stmt_Expr(ast.copy_location(ast.Expr(
                        value=ast.copy_location(part, stmt.value)), stmt))
                return
            call = self.call(stmt.value)
            if isinstance(call.func, ast.Attribute) and call.func.attr in VALUE_CHANGES and \
                    not self.is_static(call.func):
                # xs.pop() removes a value: name it, so that the change can be undone.
                self.emit_assign(self.namer.temp(), call)
            else:
                self.emit(ast.Expr(value=call))
            return
        if isinstance(stmt.value, ast.IfExp):
            # f(x) if c else g(x) as a statement: an if.
            branches = [[ast.copy_location(ast.Expr(value=e), stmt)]
                        for e in (stmt.value.body, stmt.value.orelse)]
            return self.stmt_If(ast.copy_location(ast.If(test=stmt.value.test, body=branches[0],
                                                         orelse=branches[1]), stmt))
        raise self.error(stmt, "an expression statement other than a call has no effect; "
                               "remove it")

    def is_list_sort(self, call: ast.Call) -> bool:
        """``xs.sort()``, ``xs.sort(key=f, reverse=True)`` on a variable of the function."""
        func = call.func
        return isinstance(func, ast.Attribute) and func.attr == "sort" and \
            isinstance(func.value, ast.Name) and func.value.id in self.local_names and \
            not call.args and all(k.arg in ("key", "reverse") for k in call.keywords)

    def list_sort(self, call: ast.Call) -> None:
        """``xs.sort(...)`` as ``xs = sorted(xs, ...)``, which sorts the same way (stable,
        by the same keys).  Python changes the list itself; where another name shares it
        and reads it later, the forward sweep refuses, as for ``s += v`` (aliasing.py).
        Arrays sort otherwise (``a.sort()`` sorts the last axis): a check refuses them."""
        from .runtime import require_list
        name = call.func.value.id
        text = f"{name}.sort() is differentiated for lists; for an array write " \
               f"{name} = np.sort({name})"
        error = self.current_source().error(call, text)
        helper = _load(self.namer.bind_object("require_list", require_list))
        self.emit(ast.Expr(value=ast.Call(func=helper, args=[_load(name)] + [
            ast.Constant(v) for v in (text, error.filename, error.lineno, error.construct)],
            keywords=[])))
        self.assign(name, ast.copy_location(ast.Call(
            func=_load(self.namer.builtin("sorted")), args=[_load(name)],
            keywords=call.keywords), call))
        self.out[-1]._adtrans_augmented = "sort()"  # type: ignore[attr-defined]
        argument = self.argument_of.get(name)
        if argument is not None:
            self.write_back(name, argument)

    def is_put_along_axis(self, call: ast.Call) -> bool:
        """``np.put_along_axis(y, indices, values, axis)`` on a variable of the function."""
        arr = call.args[0] if call.args else None
        return self.is_static(call.func) and \
            self.src.resolve(call.func, self.local_names, self.known) is np.put_along_axis \
            and isinstance(arr, ast.Name) and arr.id in self.local_names

    def put_along_axis(self, stmt: ast.Expr, call: ast.Call) -> None:
        """``np.put_along_axis(y, i, v, axis)`` is the index write NumPy does:
        ``y[along_axis_index(y, i, axis)] = v``; index writes are differentiated (in the
        values and in the rest of ``y``), and refused into the caller's arrays."""
        from .runtime import along_axis_index
        try:
            if any(isinstance(a, ast.Starred) for a in call.args) or \
                    any(k.arg is None for k in call.keywords):
                raise TypeError("pass its arguments one by one")
            given = inspect.signature(np.put_along_axis).bind(
                *call.args, **{k.arg: k.value for k in call.keywords}).arguments
        except TypeError as exc:
            raise self.error(stmt, f"np.put_along_axis(arr, indices, values, axis): {exc}") \
                from None
        helper = _load(self.namer.bind_object("along_axis_index", along_axis_index))
        index = ast.Call(func=helper, args=[given["arr"], given["indices"], given["axis"]],
                         keywords=[])
        target = ast.Subscript(value=_load(given["arr"].id), slice=index, ctx=ast.Store())
        self.stmt_Assign(ast.copy_location(ast.Assign(targets=[target],
                                                      value=given["values"]), stmt))

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
        if isinstance(stmt.target, ast.Subscript):
            # y[i] += v reads y[i], adds, writes back: NumPy's own semantics for +=, also
            # with repeated fancy indices (each element is written once).
            container, index = self.write_location(stmt.target)
            current = self.bind(ast.Subscript(value=container, slice=index, ctx=ast.Load()))
            updated = self.atom(ast.BinOp(left=current, op=stmt.op, right=stmt.value))
            self.emit(ast.Assign(targets=[ast.Subscript(value=container, slice=index,
                                                        ctx=ast.Store())], value=updated))
            return
        if not isinstance(stmt.target, ast.Name):
            raise self.error(stmt, "augmented assignment to an attribute (obj.a += ...) is "
                                   "not supported; use a local variable")
        value = ast.BinOp(left=_load(stmt.target.id), op=stmt.op, right=stmt.value)
        self.assign(stmt.target.id, value)
        self.out[-1]._adtrans_augmented = True  # type: ignore[attr-defined]
        argument = self.argument_of.get(stmt.target.id)
        if argument is not None:
            self.write_back(stmt.target.id, argument)

    def write_back(self, parameter: str, argument: str) -> None:
        """After ``p *= c`` in a callee given the caller's ``v``: Python changed ``v``'s
        object too where it is an array, a list or a dict (immutable numbers are rebound
        instead), so ``v`` takes ``p``'s new value there."""
        from .runtime import changes_in_place
        self.out[-1]._adtrans_writes_back = argument  # type: ignore[attr-defined]
        helper = _load(self.namer.bind_object("changes_in_place", changes_in_place))
        self.emit(ast.If(test=ast.Call(func=helper, args=[_load(argument)], keywords=[]),
                         body=[self._at(ast.Assign(targets=[_store(argument)],
                                                   value=_load(parameter)), self.lineno)],
                         orelse=[]))

    def stmt_If(self, stmt: ast.If) -> set[str]:
        test = self.test(stmt.test)
        before = dict(self.functions)
        body_flags, body = self.sub_block(stmt.body)
        after_body, self.functions = self.functions, dict(before)
        else_flags, orelse = self.sub_block(stmt.orelse)
        # A name bound to a function in one branch only (or to different ones) is unknown.
        self.functions = {n: v for n, v in self.functions.items()
                          if after_body.get(n) is v}
        self.lineno = stmt.lineno
        if body or orelse:
            self.emit(ast.If(test=test, body=body, orelse=orelse))
        return body_flags | else_flags

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
        elif isinstance(target, ast.Subscript):
            atom = self.atom(value)
            container, index = self.write_location(target)
            self.emit(ast.Assign(targets=[ast.Subscript(value=container, slice=index,
                                                        ctx=ast.Store())], value=atom))
        else:
            raise self.error(target, "assignment to an attribute (obj.a = ...) is not "
                                     "supported in a function adtrans differentiates; use a "
                                     "local variable or a dict")

    def write_location(self, target: ast.Subscript) -> tuple[ast.Name, ast.expr]:
        """The container and index of ``y[i] = ...``: a local name and an index of atoms."""
        if not (isinstance(target.value, ast.Name) and target.value.id in self.local_names):
            raise self.error(target, "adtrans writes into elements of the function's own "
                                     "variables only (y[i] = v); for y[i][j] = v write "
                                     "y[i, j] = v, or build the inner value first")
        return _load(target.value.id), self.index(target.slice)

    def stmt_Delete(self, stmt: ast.Delete) -> None:
        for target in stmt.targets:
            if not isinstance(target, ast.Subscript):
                raise self.error(stmt, "`del name` is not supported in a function adtrans "
                                       "differentiates; leave the variable, or reassign it")
            container, index = self.write_location(target)
            self.emit(ast.Delete(targets=[ast.Subscript(value=container, slice=index,
                                                        ctx=ast.Del())]))

    def stmt_With(self, stmt: ast.With) -> None:
        """Only ``with adtrans.grad_of(y) as dy:`` (gradient surgery, custom.py)."""
        from .custom import grad_of
        item = stmt.items[0] if len(stmt.items) == 1 else None
        context = item.context_expr if item else None
        if not (isinstance(context, ast.Call) and isinstance(context.func, (ast.Name,
                                                                            ast.Attribute))
                and self.src.resolve(context.func, self.local_names) is grad_of):
            raise self.error(stmt, "a with statement is not supported in a function adtrans "
                                   "differentiates (except adtrans.grad_of); move it out of "
                                   "the function")
        if len(context.args) != 1 or not isinstance(context.args[0], ast.Name) or \
                not isinstance(item.optional_vars, ast.Name):
            raise self.error(stmt, "write gradient surgery as `with adtrans.grad_of(y) as dy:` "
                                   "with y a variable")
        node = ast.With(items=stmt.items, body=stmt.body, type_comment=None)
        node._adtrans_grad_of = (context.args[0].id, item.optional_vars.id)  # type: ignore
        self.emit(node)

    def stmt_FunctionDef(self, stmt: ast.FunctionDef) -> None:
        if stmt.decorator_list:
            raise self.error(stmt, "a decorated nested function is not supported; define it "
                                   "without the decorator")
        self.define(stmt.name, stmt)

    def assign(self, name: str, value: ast.expr) -> None:
        if isinstance(value, ast.Lambda):
            self.define(name, value)
            return
        if isinstance(value, ast.Name) and value.id in self.functions:
            self.functions[name] = self.functions[value.id]     # g = make_affine(4.0)
            return
        self.forget({name})
        if isinstance(value, ast.BoolOp) and (not is_boolean(value)
                                              or self.calls_user_code(value)):
            self.select(name, value)
            return
        if isinstance(value, ast.IfExp):
            truth = self.static_truth(value.test)
            if truth is not None:
                self.assign(name, value.body if truth else value.orelse)
                return
            test = self.test(value.test)
            body = self.capture(self.assign, name, value.body)
            orelse = self.capture(self.assign, name, value.orelse)
            self.emit(ast.If(test=test, body=body, orelse=orelse))
            return
        operation = self.operation(value)
        if isinstance(operation, ast.Name) and operation.id in self.functions:
            self.functions[name] = self.functions[operation.id]    # a call returned one
            return
        self.emit_assign(name, operation)

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


def normalize(src: FunctionSource, namer: Namer,
              object_types: dict[str, type] | None = None) -> CoreFunction:
    """Rewrite ``src`` into core form (see the module docstring); ``object_types``: the
    classes of parameters holding the user's objects (their methods are inlined)."""
    return Normalizer(src, namer, object_types).run()
