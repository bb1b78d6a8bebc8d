"""Read a function's source, parse it, and resolve the names it uses.

Everything downstream works on the ``ast.FunctionDef`` this module returns,
whose line numbers are those of the user's file, so errors can point there.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import linecache
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import AdtransError
from .sourcelines import def_module

UNRESOLVED = object()


@dataclass
class FunctionSource:
    """A parsed user function and the environment its free names live in."""

    function: Callable[..., Any]
    tree: ast.FunctionDef
    filename: str
    globals: dict[str, Any]
    closure: dict[str, Any] = field(default_factory=dict)   # free variable -> cell
    # Names generated code binds to objects (renamed builtins, inlined callees' globals):
    # they resolve like globals.  api.py shares the Namer's table here.
    known: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.tree.name

    def line(self, lineno: int | None) -> str:
        if lineno is None:
            return ""
        return linecache.getline(self.filename, lineno).rstrip("\n")

    def error(self, node: ast.AST | None, message: str) -> AdtransError:
        """An error located at ``node``: in the file of the function it came from (an
        inlined callee's statements know theirs, ``_adtrans_source``)."""
        owner = getattr(node, "_adtrans_source", None)
        if owner is not None and owner is not self:
            return owner.error(node, message)
        lineno = getattr(node, "lineno", None)
        return AdtransError(message, self.filename, lineno, self.line(lineno) or None)

    def line_of(self, node: ast.AST) -> str:
        """The source line a statement came from, in its own function's file."""
        owner = getattr(node, "_adtrans_source", None) or self
        return owner.line(getattr(node, "lineno", None))

    def resolve(self, expr: ast.expr, local_names: set[str],
                known: dict[str, Any] | None = None) -> Any:
        """The object a Name / Attribute chain denotes, or UNRESOLVED if it is local.

        ``known``: names generated code binds to objects (a callee's globals, renamed
        builtins), which resolve like globals.
        """
        known = self.known if known is None else known
        if isinstance(expr, ast.Name):
            if expr.id in local_names:
                return UNRESOLVED
            if expr.id in known:
                return known[expr.id]
            if expr.id in self.closure:
                try:
                    return self.closure[expr.id].cell_contents
                except ValueError:
                    return UNRESOLVED
            if expr.id in self.globals:
                return self.globals[expr.id]
            if hasattr(builtins, expr.id):
                return getattr(builtins, expr.id)
            return UNRESOLVED
        if isinstance(expr, ast.Attribute):
            base = self.resolve(expr.value, local_names, known)
            if base is UNRESOLVED:
                return UNRESOLVED
            return getattr(base, expr.attr, UNRESOLVED)
        return UNRESOLVED


def get_source(function: Callable[..., Any]) -> FunctionSource:
    """Parse ``function``'s definition; raise AdtransError when its source is unavailable."""
    if getattr(function, "__adtrans__", None) is not None:
        raise AdtransError(f"{getattr(function, '__name__', function)} is a gradient function "
                           "made by adtrans; differentiating it again (higher-order "
                           "derivatives) is not supported yet")
    if getattr(function, "__wrapped__", None) is not None:
        code = getattr(inspect.unwrap(function), "__code__", None)
        raise AdtransError(f"{getattr(function, '__qualname__', function)} is wrapped by a "
                           "decorator (it has __wrapped__), and adtrans cannot see what the "
                           "wrapper does to its arguments or result; differentiate the "
                           "undecorated function, or apply the decorator after adtrans.grad",
                           code.co_filename if code else None,
                           code.co_firstlineno if code else None)
    if not inspect.isfunction(function):
        raise AdtransError(f"adtrans differentiates Python functions; got {type(function).__name__}"
                           f" {function!r}")
    code = function.__code__
    module, start = def_module(function) or _parsed_by_inspect(function)
    ast.increment_lineno(module, start - 1)
    if function.__name__ == "<lambda>":
        tree = _lambda_tree(function, module)
    else:
        defs = [n for n in module.body if isinstance(n, ast.FunctionDef)]
        if not defs:
            raise AdtransError(f"{function.__qualname__} is not defined by a def statement",
                               code.co_filename, start)
        tree = defs[0]
    tree.decorator_list = []
    closure = dict(zip(code.co_freevars, function.__closure__ or (), strict=True))
    return FunctionSource(function, tree, code.co_filename, function.__globals__, closure)


def _parsed_by_inspect(function: Callable[..., Any]) -> tuple[ast.Module, int]:
    """The source ``inspect`` finds for ``function`` (a lambda, or where the quick way of
    sourcelines.py is unsure), parsed, and its first line."""
    code = function.__code__
    try:
        lines, start = inspect.getsourcelines(function)
    except (OSError, TypeError) as exc:
        raise AdtransError(
            f"cannot read the source of {function.__qualname__} ({exc}); adtrans needs the "
            "function to be defined in a file (or registered with linecache)",
            code.co_filename, code.co_firstlineno) from None
    try:
        return ast.parse(textwrap.dedent("".join(lines))), start
    except SyntaxError as exc:
        raise AdtransError(f"cannot parse the source of {function.__qualname__}: {exc.msg}",
                           code.co_filename, start + (exc.lineno or 1) - 1) from None


def lambda_as_def(node: ast.Lambda, name: str) -> ast.FunctionDef:
    """``lambda a: e`` as ``def <lambda>(a): return e``, with the lambda's line."""
    body = [ast.Return(value=node.body, lineno=node.lineno, col_offset=node.col_offset)]
    return ast.FunctionDef(name=name, args=node.args, body=body, decorator_list=[],
                           returns=None, type_comment=None, lineno=node.lineno,
                           col_offset=node.col_offset)


def _lambda_tree(function: Callable[..., Any], module: ast.Module) -> ast.FunctionDef:
    """The lambda ``function`` was made from, among those on its line of source."""
    code = function.__code__
    names = list(code.co_varnames[:code.co_argcount])
    found = [n for n in ast.walk(module) if isinstance(n, ast.Lambda)
             and n.lineno == code.co_firstlineno
             and [a.arg for a in n.args.args] == names]
    if len(found) != 1:
        raise AdtransError("cannot tell which lambda of its line this function is; define it "
                           "with def", code.co_filename, code.co_firstlineno)
    return lambda_as_def(found[0], f"lambda_{code.co_firstlineno}")
