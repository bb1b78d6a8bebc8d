"""Turn sweeps into Python source, compile it, and make the text debuggable.

The source is produced with astor, comments are spliced in where the
transformer left markers, and the text is registered with ``linecache``
under a recognisable file name, so tracebacks and pdb show generated lines.
Generated functions run in the user's module globals (so globals changed
later are seen, as in the original function); the helpers they call reach
them through closure cells, which is why the code is compiled inside a
factory function that binds those names.
"""

from __future__ import annotations

import ast
import itertools
import linecache
import re
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import astor

from .astutil import assign, call, load, store
from .printing import signed_constants
from .reverse import Sweeps

_COUNTER = itertools.count(1)
_MARKER = re.compile(r"^(\s*)(__adtrans_comment_\d+__)\s*$", re.MULTILINE)


@dataclass
class Generated:
    """Compiled generated code: its text, its functions by name, where it is registered."""

    text: str
    filename: str
    functions: dict[str, Callable[..., Any]]


def _args(names: list[str], defaults: list[ast.expr] | None = None) -> ast.arguments:
    return ast.arguments(posonlyargs=[], args=[ast.arg(arg=n) for n in names], vararg=None,
                         kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=defaults or [])


def _function(name: str, params: list[str], body: list[ast.stmt],
              defaults: list[ast.expr] | None = None) -> ast.FunctionDef:
    return ast.FunctionDef(name=name, args=_args(params, defaults), body=body,
                           decorator_list=[], returns=None, type_comment=None)


def _drop_vjp_only(stmts: list[ast.stmt]) -> None:
    """Remove statements only a vjp's backward function needs (in place, nested too)."""
    stmts[:] = [s for s in stmts if not getattr(s, "_adtrans_vjp_only", False)]
    for stmt in stmts:
        for field in ("body", "orelse"):
            inner = getattr(stmt, field, None)
            if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
                _drop_vjp_only(inner)
                if not inner:
                    inner.append(ast.Pass())


def _snapshot_saved_containers(forward: list[ast.stmt], helper: str | None) -> None:
    """``push(xs)`` and ``slot = xs`` of a container changed in place save its state too."""
    for node in ast.walk(ast.Module(body=forward, type_ignores=[])):
        if not getattr(node, "_adtrans_saves_container", False):
            continue
        if isinstance(node, ast.Expr):          # push(xs)
            node.value.args = [call(helper, node.value.args[0])]
        else:                                   # slot = xs
            node.value = call(helper, node.value)


def _returned(values: list[ast.expr], as_tuple: bool) -> ast.expr:
    if len(values) == 1 and not as_tuple:
        return values[0]
    return ast.Tuple(elts=values, ctx=ast.Load())


def _forward_prelude(s: Sweeps, comment: Callable[[str], ast.stmt], split: bool
                     ) -> list[ast.stmt]:
    code: list[ast.stmt] = [comment("forward sweep")]
    # Saved before their first assignment (a loop's first iteration): bind them first.
    code += [assign(n, ast.Constant(None)) for n in s.inits + (s.split_inits if split else [])]
    if s.uses_tape:
        code.append(assign(s.tape, ast.List(elts=[], ctx=ast.Load())))
        code.append(assign(s.push, ast.Attribute(value=load(s.tape), attr="append",
                                                 ctx=ast.Load())))
    return code


def build_module(s: Sweeps, name: str, mode: str, wrt_tuple: bool
                 ) -> tuple[ast.Module, dict[str, str], list[Any]]:
    """The generated module's AST, extra comment texts, and the defaults of its functions."""
    comments = dict(s.comments)

    def comment(text: str) -> ast.stmt:
        marker = f"__adtrans_comment_{len(comments)}__"
        comments[marker] = text
        return ast.Expr(value=load(marker))

    gradients = _returned(s.gradients, wrt_tuple)
    backward_head: list[ast.stmt] = [comment("backward sweep")]
    if mode == "vjp":
        saved = [s.tape] if s.uses_tape else []
        saved += s.saved_for_backward
        # The backward sweep undoes in-place changes on the very objects the forward sweep
        # changed (views of them it reads must see that); each container goes with a copy
        # of its state, put back into it when the pullback needs it, so it can run again.
        _snapshot_saved_containers(s.forward, s.with_snapshot)
        output: ast.expr = call(s.own, load(s.result)) if s.result_changed \
            else load(s.result)
        forward = _forward_prelude(s, comment, True) + s.forward + [
            ast.Return(value=ast.Tuple(elts=[output, ast.Tuple(
                elts=[call(s.with_snapshot, load(n)) if n in s.owned else load(n)
                      for n in saved], ctx=ast.Load())], ctx=ast.Load()))]
        unpack: list[ast.stmt] = []
        if saved:
            unpack.append(ast.Assign(targets=[ast.Tuple(elts=[store(n) for n in saved],
                                                        ctx=ast.Store())],
                                     value=load("saved")))
        if s.uses_tape:
            unpack.append(assign(s.pop, ast.Attribute(value=call(s.list_name, load(s.tape)),
                                                      attr="pop", ctx=ast.Load())))
        unpack += [assign(n, call(s.restored, load(n))) for n in s.owned]
        for node in ast.walk(ast.Module(body=s.backward, type_ignores=[])):
            if getattr(node, "_adtrans_restores_container", False):
                node.value = call(s.restored, node.value)
        backward = _function(f"{name}_backward", ["saved", s.seed],
                             unpack + backward_head + s.backward + [ast.Return(value=gradients)])
        module = ast.Module(body=[_function(f"{name}_forward", s.params, forward), backward],
                            type_ignores=[])
        return module, comments, []
    _drop_vjp_only(s.backward)
    body = _forward_prelude(s, comment, False) + s.forward
    # The seed: 1.0, in the output's shape and float type where that is (1,) or float32.
    body.append(assign(s.seed, call(s.check_scalar, load(s.result), ast.Constant(name),
                                    load(s.seed))))
    if mode != "grad":
        # The backward sweep restores overwritten variables, the result's among them (and
        # undoes in-place changes, so a changed result is copied).
        value: ast.expr = load(s.result)
        if s.result_changed:
            value = call(s.own, value)
        body.append(assign(s.value, value))
    body += backward_head
    if s.uses_tape:
        body.append(assign(s.pop, ast.Attribute(value=load(s.tape), attr="pop", ctx=ast.Load())))
    body += s.backward
    result = gradients if mode == "grad" else ast.Tuple(elts=[load(s.value), gradients],
                                                        ctx=ast.Load())
    body.append(ast.Return(value=result))
    prefix = "d_" if mode == "grad" else "value_and_d_"
    function = _function(prefix + name, s.params + [s.seed], body, [ast.Constant(1.0)])
    return ast.Module(body=[function], type_ignores=[]), comments, [1.0]


def _fill_empty_blocks(tree: ast.AST, comments: dict[str, str]) -> None:
    """A block that is empty or holds only comments still needs a statement: ``pass``."""
    for node in ast.walk(tree):
        for field in ("body", "orelse"):
            block = getattr(node, field, None)
            if not isinstance(block, list) or isinstance(node, ast.Module):
                continue
            if not block:
                if field == "body":
                    block.append(ast.Pass())         # e.g. a loop whose body was only `pass`
                continue
            if all(isinstance(s, ast.Expr) and isinstance(s.value, ast.Name)
                   and s.value.id in comments for s in block):
                block.append(ast.Pass())


def render(module: ast.Module, comments: dict[str, str]) -> str:
    """Source text of ``module`` with comment markers replaced by comments."""
    _fill_empty_blocks(module, comments)
    # No re-wrapping of long lines: one statement per line reads better next to the chain rule.
    text = astor.to_source(signed_constants(module), pretty_source="".join)

    def replace(match: re.Match[str]) -> str:
        return f"{match.group(1)}# {comments[match.group(2)]}"

    return _MARKER.sub(replace, text)


def compile_module(text: str, label: str, helpers: dict[str, Any], user_globals: dict[str, Any],
                   user_closure: dict[str, Any], defaults: list[Any]) -> Generated:
    """Compile generated text so its functions see helpers, user globals and closure cells."""
    filename = f"<adtrans {label} #{next(_COUNTER)}>"
    lines = text.splitlines(keepends=True)
    linecache.cache[filename] = (len(text), None, lines, filename)
    tree = ast.parse(text, filename=filename)
    free = sorted(set(helpers) | set(user_closure))
    factory = ast.FunctionDef(
        name="__adtrans_factory__", args=_args(free), decorator_list=[], returns=None,
        type_comment=None,
        body=tree.body + [ast.Return(value=ast.Constant(None))], lineno=1, col_offset=0)
    module = ast.Module(body=[factory], type_ignores=[])
    ast.fix_missing_locations(module)
    code = compile(module, filename, "exec")
    factory_code = next(c for c in code.co_consts if isinstance(c, types.CodeType))
    functions = {}
    for inner in factory_code.co_consts:
        if not isinstance(inner, types.CodeType):
            continue
        cells = []
        for var in inner.co_freevars:
            if var in helpers:
                cells.append(types.CellType(helpers[var]))
            else:
                cells.append(user_closure[var])
        own_defaults = tuple(defaults) if inner.co_name.startswith(("d_", "value_and_d_")) \
            else None
        functions[inner.co_name] = types.FunctionType(inner, user_globals, inner.co_name,
                                                      own_defaults, tuple(cells))
    return Generated(text, filename, functions)
