"""Calls into the user's own code: helper functions, lambdas, nested defs, methods.

A call of a Python function adtrans can read is *inlined*: the callee's body is
normalised in place, its variables renamed so they cannot clash with the
caller's, its parameters bound to the arguments, its ``return`` lowered to an
assignment of the call's value (jumps.py's flags where it returns early).
Inlining, rather than calling a transformed callee, keeps one tape and one
activity analysis across the call (only needed adjoints are computed, only
needed values saved), costs no call overhead in scalar loops, and lets
closures and functions passed as arguments resolve statically: ``apply(f,
x)`` inlines ``apply`` with its parameter ``f`` standing for the caller's
``f``, whose calls are then inlined in turn.  Generated code shows the
callee's lines as comments over its statements.

Names: a callee's free names that the caller would resolve to something else
(another module's globals, a closure's cells, shadowed names) are bound to the
objects they denote when the function is compiled.  A parameter the callee
never reassigns stands for its argument directly, so ``add(xs, v)`` appending
to ``xs`` changes the caller's list, as in Python.

What is not inlined: recursive calls (kept as calls of the callee's vjp,
recursion.py), functions with a rule of the user's (register_vjp), and calls of
a value chosen at run time or of a function without source (refused unless
they see no varied value).
"""

from __future__ import annotations

import ast
import functools
import inspect
import os
import sysconfig
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .astutil import clone
from .astutil import load as _load
from .errors import AdtransError
from .source import UNRESOLVED, FunctionSource, get_source, lambda_as_def

LIBRARY_PREFIXES = ("numpy", "scipy", "math", "builtins", "adtrans", "functools", "operator")


@dataclass
class FunctionValue:
    """A function a call may inline: its definition and where its free names live."""

    tree: ast.FunctionDef
    source: FunctionSource              # whose file its lines are in
    local: bool                         # defined in the function being normalised
    defaults: dict[str, ast.expr] = field(default_factory=dict)   # param -> atom
    identity: Any = None                # what recursion is detected by
    bound: dict[str, Any] = field(default_factory=dict)   # free name -> object

    @property
    def name(self) -> str:
        return self.tree.name


def _stored_names(body: list[ast.stmt]) -> set[str]:
    """Names a body binds (its local variables), nested functions' own excluded."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.Lambda)):
                if isinstance(child, ast.FunctionDef):
                    found.add(child.name)
                continue
            if isinstance(child, ast.Name) and isinstance(child.ctx, (ast.Store, ast.Del)):
                found.add(child.id)
            visit(child)
    for stmt in body:
        visit(stmt)
    return found


def _without_augmented(body: list[ast.stmt]) -> list[ast.stmt]:
    """A copy of ``body`` without its augmented assignments to names."""

    class Drop(ast.NodeTransformer):
        def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
            return ast.Pass() if isinstance(node.target, ast.Name) else node

    return [Drop().visit(clone(stmt)) for stmt in body]


def parameters(args: ast.arguments) -> list[ast.arg]:
    return [*args.posonlyargs, *args.args, *([args.vararg] if args.vararg else []),
            *args.kwonlyargs, *([args.kwarg] if args.kwarg else [])]


class _Rename(ast.NodeTransformer):
    """Rename names and parameters consistently (a bijection keeps scoping right)."""

    def __init__(self, names: dict[str, ast.expr | str]) -> None:
        self.names = names

    def visit_Name(self, node: ast.Name) -> ast.expr:
        new = self.names.get(node.id)
        if new is None:
            return node
        if isinstance(new, str):
            return ast.Name(id=new, ctx=node.ctx)
        if isinstance(node.ctx, ast.Load):
            return clone(new)
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.FunctionDef:
        new = self.names.get(node.name)
        if isinstance(new, str):
            node.name = new
        self.generic_visit(node)
        return node

    def visit_arg(self, node: ast.arg) -> ast.arg:
        new = self.names.get(node.arg)
        if isinstance(new, str):
            node.arg = new
        return node


_LIBRARY_PATHS = tuple(os.path.realpath(p) for p in {
    sysconfig.get_paths()[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")})


def _is_library(function: Any) -> bool:
    """Functions of NumPy, the standard library and installed packages are not the user's:
    adtrans does not inline them (their calls have rules, or are refused)."""
    module = getattr(function, "__module__", None) or ""
    if module.split(".")[0] in LIBRARY_PREFIXES or isinstance(function, np.ufunc):
        return True
    code = getattr(function, "__code__", None)
    filename = os.path.realpath(code.co_filename) if code else ""
    return filename.startswith(_LIBRARY_PATHS)


class Calls:
    """Mixin of Normalizer: inlining calls of the user's functions."""

    # ------------------------------------------------------------ which callee
    def callee_function(self, func: ast.expr) -> FunctionValue | None:
        """The function a call inlines, if any (a lambda called on the spot too)."""
        if isinstance(func, ast.Lambda):
            name = self.namer.fresh("lambda_")
            self.define(name, func)
            return self.functions[name]
        return self.user_function(func)

    def calls_user_code(self, expr: ast.expr) -> bool:
        """Whether an expression kept whole (a condition) calls a function adtrans inlines."""
        return any(isinstance(node, ast.Call) and (
            isinstance(node.func, ast.Lambda) or self.user_function(node.func) is not None)
            for node in ast.walk(expr))

    def argument(self, expr: ast.expr) -> ast.expr:
        """An argument of an inlined call: an atom, where a function may stand."""
        if isinstance(expr, ast.Name) and expr.id in self.functions:
            return expr
        if isinstance(expr, ast.Lambda):
            name = self.namer.fresh("lambda_")
            self.define(name, expr)
            return _load(name)
        return self.atom(expr)

    def user_function(self, func: ast.expr) -> FunctionValue | None:
        """The function a call's callee denotes, if adtrans should inline it."""
        from .rules import rule_for_function
        if isinstance(func, ast.Name) and func.id in self.functions:
            return self.functions[func.id]
        if not isinstance(func, (ast.Name, ast.Attribute)):
            return None
        obj = self.src.resolve(func, self.local_names, self.known) if not (
            isinstance(func, ast.Name) and func.id in self.local_names) else UNRESOLVED
        if obj is UNRESOLVED and isinstance(func, ast.Name):
            obj = self.known.get(func.id, UNRESOLVED)
        if obj is UNRESOLVED and isinstance(func, ast.Attribute) and \
                isinstance(func.value, ast.Name) and func.value.id in self.object_types:
            # model.predict(x) on a parameter holding one of the user's objects.
            method = getattr(self.object_types[func.value.id], func.attr, None)
            if inspect.isfunction(method):
                return self.function_value(method, receiver=func.value)
            return None
        if obj is UNRESOLVED:
            return None
        if inspect.ismethod(obj) and inspect.isfunction(obj.__func__) and \
                not _is_library(obj.__func__) and isinstance(func, ast.Attribute):
            return self.function_value(obj.__func__, receiver=func.value)
        if not inspect.isfunction(obj) or _is_library(obj) or \
                getattr(obj, "__adtrans__", None) is not None or \
                rule_for_function(obj) is not None or \
                getattr(obj, "__wrapped__", None) is not None:
            return None
        return self.function_value(obj)

    def function_value(self, function: Any, receiver: ast.expr | None = None
                       ) -> FunctionValue | None:
        try:
            src = get_source(function)
        except AdtransError:
            return None        # no source to read: a call like any other unknown one
        value = FunctionValue(src.tree, src, local=False, identity=function)
        defaults = _default_values(function)
        for name, default in defaults.items():
            value.defaults[name] = self.constant_atom(default)
        if receiver is not None:
            value.defaults["__self__"] = receiver
        return value

    def constant_atom(self, value: Any) -> ast.expr:
        """A value known when compiling, as an atom: a literal, or a name bound to it."""
        if isinstance(value, (bool, int, float, str, type(None))):
            return ast.Constant(value)
        return _load(self.namer.bind_object("default", value))

    # ------------------------------------------------------------ definitions
    def define(self, name: str, node: ast.FunctionDef | ast.Lambda) -> None:
        """Remember a nested def or lambda bound to ``name`` (defaults evaluated now)."""
        tree = lambda_as_def(node, name) if isinstance(node, ast.Lambda) else node
        value = FunctionValue(clone(tree), self.current_source(), local=True,
                              identity=node)
        args = tree.args
        positional = [*args.posonlyargs, *args.args]
        for param, default in zip(positional[len(positional) - len(args.defaults):],
                                  args.defaults, strict=True):
            value.defaults[param.arg] = self.bind(self.atom(default))
        for param, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
            if default is not None:
                value.defaults[param.arg] = self.bind(self.atom(default))
        self.functions[name] = value

    def forget(self, names: set[str]) -> None:
        """Names rebound to something else no longer denote the functions they did."""
        for name in names & set(self.functions):
            del self.functions[name]

    # ------------------------------------------------------------ inlining
    def inline(self, call: ast.Call, value: FunctionValue) -> ast.expr:
        """Normalise ``value``'s body in place of ``call``; return the call's value (an atom)."""
        identity = value.identity
        if any(identity is active for active in self.inlining):
            return self.recursive(call, value)
        bindings = self.bind_call(call, value)
        tree = clone(value.tree)
        locals_ = {p.arg for p in parameters(tree.args)} | _stored_names(tree.body)
        reassigned = _stored_names(tree.body)
        names: dict[str, ast.expr | str] = {}
        augmented_only = reassigned - _stored_names(_without_augmented(tree.body))
        for param in parameters(tree.args):
            atom = bindings[param.arg]
            if param.arg in reassigned or not isinstance(atom, (ast.Name, ast.Constant,
                                                                ast.Attribute)):
                fresh = self.namer.fresh(param.arg)
                self.local_names.add(fresh)
                self.emit_assign(fresh, atom)
                names[param.arg] = fresh
                if param.arg in augmented_only and isinstance(atom, ast.Name) and \
                        atom.id in self.local_names:
                    self.argument_of[fresh] = atom.id
            else:
                names[param.arg] = atom
        for name in locals_ - set(names):
            names[name] = self.namer.fresh(name)
            self.local_names.add(names[name])
        if not value.local:
            names.update(self.free_name_bindings(tree, locals_, value.source))
        body = [_Rename(names).visit(stmt) for stmt in tree.body]
        result = self.namer.fresh(f"{value.name}_out" if value.name.isidentifier()
                                  else "call_out")
        self.local_names.add(result)
        self.inline_body(body, result, value, call)
        return _load(result)

    def recursive(self, call: ast.Call, value: FunctionValue) -> ast.expr:
        """A recursive call, kept as a call of the callee's vjp (recursion.py)."""
        from .recursion import recursive_call
        if value.local or not inspect.isfunction(value.identity):
            raise self.error(call, f"{value.name} calls itself; adtrans differentiates "
                                   "recursion of module-level functions only: define it "
                                   "with def at the top of a module")
        bindings = self.bind_call(call, value)
        arguments = [bindings[p.arg] for p in parameters(value.tree.args)]
        if value.tree.args.vararg or value.tree.args.kwarg or value.tree.args.kwonlyargs:
            raise self.error(call, f"{value.name} calls itself with *args, **kwargs or "
                                   "keyword-only parameters; adtrans does not support that")
        helper = _load(self.namer.bind_object("recursive_call", recursive_call))
        function = _load(self.namer.bind_object(value.name, value.identity))
        pair = self.namer.fresh(f"{value.name}_call")
        self.local_names.add(pair)
        self.emit_assign(pair, ast.Call(func=helper, args=[function, *arguments],
                                        keywords=[]))
        return self.bind(ast.Subscript(value=_load(pair), slice=ast.Constant(0),
                                       ctx=ast.Load()))

    def bind_call(self, call: ast.Call, value: FunctionValue) -> dict[str, ast.expr]:
        """Parameters to atoms: positional and keyword arguments, defaults, *args and
        **kwargs (with the call site's own * and ** only over displays)."""
        args = value.tree.args
        positional = [*args.posonlyargs, *args.args]
        given: list[ast.expr] = []
        if "__self__" in value.defaults:
            given.append(value.defaults["__self__"])
        for arg in call.args:
            if isinstance(arg, ast.Starred):
                if not isinstance(arg.value, (ast.Tuple, ast.List)):
                    raise self.error(call, f"{value.name}(*args): adtrans needs the arguments "
                                           "at the call site; pass them one by one")
                given += [self.argument(e) for e in arg.value.elts]
            else:
                given.append(self.argument(arg))
        keywords: dict[str, ast.expr] = {}
        for keyword in call.keywords:
            if keyword.arg is None:
                if not isinstance(keyword.value, ast.Dict) or any(
                        not isinstance(k, ast.Constant) for k in keyword.value.keys):
                    raise self.error(call, f"{value.name}(**kwargs): adtrans needs the keyword "
                                           "arguments at the call site; pass them by name")
                for key, item in zip(keyword.value.keys, keyword.value.values, strict=True):
                    keywords[key.value] = self.argument(item)
            else:
                keywords[keyword.arg] = self.argument(keyword.value)
        bindings: dict[str, ast.expr] = {}
        for param, atom in zip(positional, given, strict=False):
            bindings[param.arg] = atom
        extra = given[len(positional):]
        if extra and not args.vararg:
            raise self.error(call, f"{value.name}() takes {len(positional)} positional "
                                   f"arguments but {len(given)} were given")
        if args.vararg:
            bindings[args.vararg.arg] = self.bind(ast.Tuple(elts=extra, ctx=ast.Load()))
        names = {p.arg for p in [*positional, *args.kwonlyargs]}
        for name, atom in keywords.items():
            if name in names:
                if name in bindings:
                    raise self.error(call, f"{value.name}() got multiple values for argument "
                                           f"{name!r}")
                bindings[name] = atom
        rest = {k: v for k, v in keywords.items() if k not in names}
        if rest and not args.kwarg:
            raise self.error(call, f"{value.name}() got an unexpected keyword argument "
                                   f"{sorted(rest)[0]!r}")
        if args.kwarg:
            bindings[args.kwarg.arg] = self.bind(ast.Dict(
                keys=[ast.Constant(k) for k in rest], values=list(rest.values())))
        for param in [*positional, *args.kwonlyargs]:
            if param.arg not in bindings:
                if param.arg not in value.defaults:
                    raise self.error(call, f"{value.name}() is missing the argument "
                                           f"{param.arg!r}")
                bindings[param.arg] = value.defaults[param.arg]
        return bindings

    def free_name_bindings(self, tree: ast.FunctionDef, locals_: set[str],
                           source: FunctionSource) -> dict[str, str]:
        """A callee's free names that the caller would resolve otherwise, bound to what
        they denote in the callee's own module or closure."""
        renamed: dict[str, str] = {}
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)) or \
                    node.id in locals_ or node.id in renamed:
                continue
            theirs = source.resolve(node, set())
            if theirs is UNRESOLVED:
                continue
            ours = self.src.resolve(node, self.local_names, self.known) \
                if node.id not in self.local_names else UNRESOLVED
            if ours is theirs:
                continue
            renamed[node.id] = self.namer.bind_object(node.id, theirs)
        return renamed

    def inline_body(self, body: list[ast.stmt], result: str, value: FunctionValue,
                    call: ast.Call) -> None:
        """Normalise a callee's (renamed) body so that ``result`` holds its value."""
        body = self.without_fixed_branches(body)
        last = body[-1] if body else None
        returns = [n for n in ast.walk(ast.Module(body=body, type_ignores=[]))
                   if isinstance(n, ast.Return)]
        simple = isinstance(last, ast.Return) and returns == [last]    # the usual helper
        if not simple:
            self.emit_assign(result, ast.Constant(None))
        saved = (self.return_flag, self.result, self.loops, self.lineno)
        self.return_flag, self.result, self.loops = None, result, []
        self.inlining.append(value.identity)
        self.sources.append(value.source)
        self.callee_names.append(value.name)
        try:
            if simple:
                self.out.extend(self.block(body[:-1]))
                self.lineno = last.lineno
                self.assign(result, last.value if last.value is not None
                            else ast.Constant(None))
                self.tag(self.out[-1])
                return
            code = self.block(body)
            flag = self.return_flag
        finally:
            self.sources.pop()
            self.callee_names.pop()
            self.inlining.pop()
            self.return_flag, self.result, self.loops, self.lineno = saved
        if flag is not None:          # the callee returns early: its flag starts False
            self.lineno = call.lineno
            self.emit_assign(flag, ast.Constant(False))
        self.out.extend(code)

    def without_fixed_branches(self, body: list[ast.stmt]) -> list[ast.stmt]:
        """``body`` with its top-level ifs whose test is fixed replaced by the branch that
        runs (``if activation is None: return z`` with ``None`` bound), and nothing after
        a return: a helper with options reads as the code that runs."""
        out: list[ast.stmt] = []
        pending = list(body)
        while pending:
            stmt = pending.pop(0)
            truth = self.static_truth(stmt.test) if isinstance(stmt, ast.If) else None
            if truth is not None:
                pending[:0] = stmt.body if truth else stmt.orelse
                continue
            out.append(stmt)
            if isinstance(stmt, ast.Return):
                break
        return out


def _default_values(function: Any) -> dict[str, Any]:
    """Default values of a function's parameters, by name."""
    out = {}
    for name, parameter in inspect.signature(function).parameters.items():
        if parameter.default is not inspect.Parameter.empty:
            out[name] = parameter.default
    return out


class HigherOrder:
    """Mixin of Normalizer: map, filter and functools.reduce as comprehensions and loops,
    so the function they apply is inlined (or differentiated by its rule) at each element."""

    def higher_order(self, call: ast.Call) -> ast.expr | None:
        func = call.func
        if not isinstance(func, (ast.Name, ast.Attribute)):
            return None
        target = self.src.resolve(func, self.local_names, self.known)
        if target is UNRESOLVED or not (call.args or target is dict):
            return None
        if target in (sorted, max, min):
            return self.ordered(call, target)
        if target is dict and len(call.args) <= 1:
            return self.merged_dict(call.args[:1] + [k.value if k.arg is None else
                                                     (k.arg, k.value) for k in call.keywords])
        if call.keywords:
            return None
        function, iterables = call.args[0], call.args[1:]
        if target is map and iterables:
            names = [self.namer.fresh("item") for _ in iterables]
            loop_target: ast.expr = ast.Name(id=names[0], ctx=ast.Store()) \
                if len(names) == 1 else ast.Tuple(
                    elts=[ast.Name(id=n, ctx=ast.Store()) for n in names], ctx=ast.Store())
            source = iterables[0] if len(iterables) == 1 else ast.Call(
                func=_load(self.namer.builtin("zip")), args=iterables, keywords=[])
            elt = ast.Call(func=function, args=[_load(n) for n in names], keywords=[])
            return self.comprehension(_located(ast.ListComp(
                elt=elt, generators=[ast.comprehension(target=loop_target, iter=source,
                                                       ifs=[], is_async=0)]), call))
        if target is filter and len(iterables) == 1:
            name = self.namer.fresh("item")
            test: ast.expr = _load(name) if isinstance(function, ast.Constant) and \
                function.value is None else ast.Call(func=function, args=[_load(name)],
                                                     keywords=[])
            return self.comprehension(_located(ast.ListComp(
                elt=_load(name), generators=[ast.comprehension(
                    target=ast.Name(id=name, ctx=ast.Store()), iter=iterables[0], ifs=[test],
                    is_async=0)]), call))
        if target is functools.reduce and len(iterables) in (1, 2):
            return self.reduce(call, function, iterables)
        return None

    def ordered(self, call: ast.Call, target: Any) -> ast.expr | None:
        """``sorted(xs, key=f)``, ``max(xs, key=f)``: the keys by a comprehension (so ``f``
        inlines), the order by a piecewise-constant helper, the result by index reads."""
        from .runtime import first_extremum, stable_order
        keywords = {k.arg: k.value for k in call.keywords}
        key = keywords.pop("key", None)
        if keywords.keys() - {"reverse"} or (target is not sorted and keywords) or \
                (key is None and target is not sorted) or \
                (target is sorted and len(call.args) != 1):
            return None               # max(a, b) and the like have rules of their own
        items = call.args[0] if len(call.args) == 1 else ast.Tuple(elts=call.args,
                                                                     ctx=ast.Load())
        # As a list: sorted(d.items()) and sorted(d) read their items by position.
        sequence = self.bind(ast.Call(func=_load(self.namer.builtin("list")),
                                      args=[self.atom(items)], keywords=[]))
        if key is None:
            keys: ast.expr = sequence
        else:
            name = self.namer.fresh("item")
            keys = self.comprehension(_located(ast.ListComp(
                elt=ast.Call(func=key, args=[_load(name)], keywords=[]),
                generators=[ast.comprehension(target=ast.Name(id=name, ctx=ast.Store()),
                                              iter=sequence, ifs=[], is_async=0)]), call))
        if target is sorted:
            helper = _load(self.namer.bind_object("stable_order", stable_order))
            order = self.bind(ast.Call(func=helper, args=[
                keys, self.atom(keywords.get("reverse", ast.Constant(False)))], keywords=[]))
            index = self.namer.fresh("k")
            return self.comprehension(_located(ast.ListComp(
                elt=ast.Subscript(value=sequence, slice=_load(index), ctx=ast.Load()),
                generators=[ast.comprehension(target=ast.Name(id=index, ctx=ast.Store()),
                                              iter=order, ifs=[], is_async=0)]), call))
        helper = _load(self.namer.bind_object("first_extremum", first_extremum))
        position = self.bind(ast.Call(func=helper, args=[keys, ast.Constant(target is max)],
                                      keywords=[]))
        return self.bind(ast.Subscript(value=sequence, slice=position, ctx=ast.Load()))

    def merged_dict(self, parts: list[ast.expr | tuple[Any, ast.expr]]) -> ast.expr:
        """``dict(d, k=v, **e)`` and ``{**d, k: v}``: a new dict, then one update per part
        in order (mappings by ``update``, single keys by ``d[k] = v``)."""
        merged = self.namer.fresh("merged")
        self.local_names.add(merged)
        first, rest = (parts[0], parts[1:]) if parts and not isinstance(parts[0], tuple) \
            else (None, parts)
        if first is None:
            self.emit_assign(merged, ast.Dict(keys=[], values=[]))
        else:
            # dict(pairs) reads its argument once, in order; iterables.py makes it a list
            # where it is an iterator (zip(...)), so the rule can read the pairs again.
            self.emit_assign(merged, ast.Call(func=_load(self.namer.builtin("dict")),
                                              args=[self.bind(self.atom(first))],
                                              keywords=[]))
            self.out[-1]._adtrans_iterates = next(self.groups)  # type: ignore[attr-defined]
            self.out[-1]._adtrans_dict_source = True  # type: ignore[attr-defined]
        for part in rest:
            if isinstance(part, tuple):
                key, value = part
                target = ast.Subscript(value=_load(merged), slice=key if isinstance(
                    key, ast.expr) else ast.Constant(key), ctx=ast.Store())
                self.assign_target(target, value)
            else:
                self.emit(ast.Expr(value=ast.Call(
                    func=ast.Attribute(value=_load(merged), attr="update", ctx=ast.Load()),
                    args=[self.atom(part)], keywords=[])))
        return _load(merged)

    def reduce(self, call: ast.Call, function: ast.expr, iterables: list[ast.expr]
               ) -> ast.expr:
        """``functools.reduce(f, xs, start)`` as ``acc = start; for x in xs: acc = f(acc, x)``."""
        sequence = self.bind(self.atom(iterables[0]))
        accumulated = self.namer.fresh("reduced")
        item = self.namer.fresh("item")
        self.local_names |= {accumulated, item}
        if len(iterables) == 2:
            self.assign(accumulated, iterables[1])
            rest: ast.expr = sequence
        else:
            self.assign(accumulated, ast.Subscript(value=sequence, slice=ast.Constant(0),
                                                   ctx=ast.Load()))
            rest = ast.Subscript(value=sequence, slice=ast.Slice(lower=ast.Constant(1)),
                                 ctx=ast.Load())
        loop = _located(ast.For(
            target=ast.Name(id=item, ctx=ast.Store()), iter=rest, orelse=[],
            body=[_located(ast.Assign(
                targets=[ast.Name(id=accumulated, ctx=ast.Store())],
                value=ast.Call(func=function, args=[_load(accumulated), _load(item)],
                               keywords=[])), call)]), call)
        self.statement(loop)
        return _load(accumulated)


def _located(node: ast.AST, like: ast.AST) -> ast.AST:
    for child in ast.walk(node):
        if isinstance(child, (ast.stmt, ast.expr)) and not hasattr(child, "lineno"):
            child.lineno = like.lineno
            child.col_offset = getattr(like, "col_offset", 0)
    return node
