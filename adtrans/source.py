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

UNRESOLVED = object()


@dataclass
class FunctionSource:
    """A parsed user function and the environment its free names live in."""

    function: Callable[..., Any]
    tree: ast.FunctionDef
    filename: str
    globals: dict[str, Any]
    closure: dict[str, Any] = field(default_factory=dict)   # free variable -> cell

    @property
    def name(self) -> str:
        return self.tree.name

    def line(self, lineno: int | None) -> str:
        if lineno is None:
            return ""
        return linecache.getline(self.filename, lineno).rstrip("\n")

    def error(self, node: ast.AST | None, message: str) -> AdtransError:
        lineno = getattr(node, "lineno", None)
        return AdtransError(message, self.filename, lineno, self.line(lineno) or None)

    def resolve(self, expr: ast.expr, local_names: set[str]) -> Any:
        """The object a Name / Attribute chain denotes, or UNRESOLVED if it is local."""
        if isinstance(expr, ast.Name):
            if expr.id in local_names:
                return UNRESOLVED
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
            base = self.resolve(expr.value, local_names)
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
    if function.__name__ == "<lambda>":
        raise AdtransError("lambdas are not supported yet; define the function with def",
                           code.co_filename, code.co_firstlineno)
    try:
        lines, start = inspect.getsourcelines(function)
    except (OSError, TypeError) as exc:
        raise AdtransError(
            f"cannot read the source of {function.__qualname__} ({exc}); adtrans needs the "
            "function to be defined in a file (or registered with linecache)",
            code.co_filename, code.co_firstlineno) from None
    text = textwrap.dedent("".join(lines))
    try:
        module = ast.parse(text)
    except SyntaxError as exc:
        raise AdtransError(f"cannot parse the source of {function.__qualname__}: {exc.msg}",
                           code.co_filename, start + (exc.lineno or 1) - 1) from None
    ast.increment_lineno(module, start - 1)
    defs = [n for n in module.body if isinstance(n, ast.FunctionDef)]
    if not defs:
        raise AdtransError(f"{function.__qualname__} is not defined by a def statement",
                           code.co_filename, start)
    tree = defs[0]
    tree.decorator_list = []
    closure = dict(zip(code.co_freevars, function.__closure__ or (), strict=True))
    return FunctionSource(function, tree, code.co_filename, function.__globals__, closure)
