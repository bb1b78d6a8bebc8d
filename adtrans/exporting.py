"""Write a gradient function's generated code out as a Python module of its own.

The module holds the generated function as ``adtrans.source`` prints it, and a
binding for every name it reads that is not its own: the helpers it calls
(imported from ``adtrans.runtime`` and the rule modules, which import neither
the transformer nor the user's code), the user's modules (``import numpy as
np``), importable functions, and constants (numbers, strings, small arrays)
written as literals with the value they have when exporting.  Anything else,
an object that has no importable name and no literal form, is refused with
``AdtransError``: an exported module that imported the wrong thing, or missed a
global, would compute a different gradient.

Importing the module runs no transformation and reads no source; it needs NumPy
and an installed adtrans (for ``adtrans.runtime``).  The code is the generated
code as it is, so the module is the specialisation that was exported: for
arguments of other kinds (a number where an array was), export again.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import math
import types
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import kinds
from .errors import AdtransError

# Arrays up to this many elements are written into the module as literals; a larger one
# is data, which belongs in an argument.
LARGEST_LITERAL_ARRAY = 10_000

_LITERAL_TYPES = (type(None), bool, int, float, complex, str, bytes)


def export_module(text: str, generated_name: str, environment: dict[str, Any], title: str,
                  entry: Entry) -> str:
    """Module source for the generated ``text``, which defines ``generated_name``.

    ``environment``: what each name the generated code may read refers to (helpers,
    the user's closure variables and globals); ``title``: the first line of the module's
    docstring; ``entry``: the function the module offers its users.
    """
    tree = ast.parse(text)
    needed = sorted(_free_names(tree) - {generated_name})
    imports: set[str] = set()
    from_imports: dict[str, list[str]] = {}
    assignments: list[str] = []
    for name in needed:
        if name in environment:
            value = environment[name]
        elif hasattr(builtins, name):
            continue                     # a builtin the module sees as it is
        else:
            raise AdtransError(f"cannot export: the generated code reads {name!r}, which is "
                               "not defined where the function was defined")
        _bind(name, value, imports, from_imports, assignments)
    reserved = {entry.public, "_SIGNATURE", "_check_signature", "_owned"}
    clash = reserved & (set(needed) | {generated_name})
    if clash:
        raise AdtransError(f"cannot export: the generated code reads {sorted(clash)[0]!r}, a "
                           "name the exported module needs for itself; rename it")
    from_imports.setdefault("adtrans.exporting", []).append("check_signature as "
                                                              "_check_signature")
    from_imports.setdefault("adtrans.runtime", []).append("owned as _owned")
    lines = [f'"""{title}', "", "Written by adtrans.export; regenerate it rather than edit it.",
             '"""', ""]
    lines += sorted(imports)
    for module in sorted(from_imports):
        names = sorted(from_imports[module])
        line = f"from {module} import {', '.join(names)}"
        if len(line) > 88:
            line = f"from {module} import (\n" + "".join(f"    {n},\n" for n in names) + ")"
        lines.append(line)
    lines += [""] + assignments
    signature = _literal(entry.signature)
    if signature is None:
        raise AdtransError("cannot export: the code is specialised on arguments that are "
                           "objects of the user's classes; export a function of numbers, "
                           "arrays, and lists, tuples and dicts of them")
    lines.append(f"# The kinds of the arguments this code was generated for.\n"
                 f"_SIGNATURE = {signature}")
    lines += ["", "", ""]
    return "\n".join(lines) + text.rstrip() + "\n\n\n" + entry.source(generated_name) + "\n"


@dataclass
class Entry:
    """The exported module's public function: what ``adtrans.grad(f)`` does around the
    generated code, for the arguments it was exported with."""

    name: str                            # of the user's function
    params: list[str]
    defaults: dict[str, Any]
    signature: Any                       # api.signature_of of the arguments
    with_value: bool                     # value_and_grad rather than grad

    @property
    def public(self) -> str:
        return "value_and_gradient" if self.with_value else "gradient"

    def source(self, generated: str) -> str:
        params = []
        for name in self.params:
            if name in self.defaults:
                literal = _literal(self.defaults[name])
                if literal is None:
                    raise AdtransError(f"cannot export: the default value of {name!r} has no "
                                       "literal form")
                params.append(f"{name}={literal}")
            else:
                params.append(name)
        arguments = ", ".join(self.params) + ("," if len(self.params) == 1 else "")
        result = "result[0], _owned(result[1], arguments)" if self.with_value \
            else "_owned(result, arguments)"
        what = "(value, gradient)" if self.with_value else "The gradient"
        return (f"def {self.public}({', '.join(params)}):\n"
                f'    """{what} of `{self.name}`, as the function adtrans made returns it:\n'
                f"    for arguments of the kinds in _SIGNATURE (others raise AdtransError),\n"
                f'    each gradient an array of its own."""\n'
                f"    arguments = [{arguments}]\n"
                f"    _check_signature(arguments, _SIGNATURE, {self.name!r})\n"
                f"    result = {generated}(*arguments)\n"
                f"    return {result}\n")


def check_signature(values: list[Any], expected: Any, name: str) -> None:
    """Stop where an exported gradient is called with arguments of other kinds than the
    ones its code was generated for (it may assume a number where an array came)."""
    from .api import signature_of
    got = signature_of(values)
    if got != expected:
        raise AdtransError(f"the exported gradient of {name!r} was generated for "
                           f"{_described(expected)}, and is called with {_described(got)}: "
                           "export it again with arguments like these")


def _described(signature: Any) -> str:
    """'(an array of ndim 2, a float)': a signature as a reader would say it."""
    parts = []
    for kind, _, rank in signature:
        text = kinds.describe(kind)
        if isinstance(rank, int) and kinds.heads(kind) == {kinds.ARRAY}:
            text += f" of ndim {rank}"
        elif isinstance(rank, tuple):
            text += f" with items of ndim {rank}"
        parts.append(text)
    return "(" + ", ".join(parts) + ")"


def _free_names(tree: ast.Module) -> set[str]:
    """Names the module's functions read without binding them (globals and builtins)."""
    free: set[str] = set()
    for function in tree.body:
        if not isinstance(function, ast.FunctionDef):
            continue
        bound = {a.arg for a in function.args.args + function.args.kwonlyargs
                 + function.args.posonlyargs}
        for node in ast.walk(function):
            if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
                bound.add(node.id)
            elif isinstance(node, ast.arg):
                bound.add(node.arg)
        free |= {node.id for node in ast.walk(function)
                 if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
                 and node.id not in bound}
    return free


def _bind(name: str, value: Any, imports: set[str], from_imports: dict[str, list[str]],
          assignments: list[str]) -> None:
    """Add the line that makes ``name`` mean ``value`` in the exported module."""
    if isinstance(value, types.ModuleType):
        module = value.__name__
        imports.add(f"import {module}" if name == module else f"import {module} as {name}")
        return
    if any(value is getattr(builtins, b, None) for b in (name, getattr(value, "__name__", ""))
           ) and isinstance(value, (types.BuiltinFunctionType, type)):
        builtin = value.__name__
        if builtin != name:             # a builtin renamed where the user shadows it
            imports.add("import builtins")
            assignments.append(f"{name} = builtins.{builtin}")
        return
    literal = _literal(value)
    if literal is not None:
        if literal.startswith("np."):
            imports.add("import numpy as np")
        assignments.append(f"{name} = {literal}")
        return
    where = _importable(value)
    if where is not None:
        module, qualname = where
        from_imports.setdefault(module, []).append(
            qualname if qualname == name else f"{qualname} as {name}")
        return
    raise AdtransError(
        f"cannot export: the generated code reads {name!r}, which holds "
        f"{_describe(value)}; it has no importable name and no literal form. Pass it as an "
        "argument of the function, or define it at the top level of an importable module")


def _literal(value: Any) -> str | None:
    """Python source that evaluates to ``value``, or None."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"float({str(value)!r})"
    if isinstance(value, _LITERAL_TYPES):
        return repr(value)
    if isinstance(value, (tuple, frozenset)) and type(value) in (tuple, frozenset):
        parts = [_literal(v) for v in value]
        if any(p is None for p in parts):
            return None
        if isinstance(value, frozenset):        # sorted: the same text in every process
            return f"frozenset({{{', '.join(sorted(parts))}}})" if parts else "frozenset()"
        return f"({', '.join(parts)}{',' if len(parts) == 1 else ''})"
    if isinstance(value, np.generic) and value.dtype.kind in "biufc":
        return f"np.{value.dtype.name}({_literal(value.item())})"
    if type(value) is np.ndarray and value.dtype.kind in "biufc" and \
            value.size <= LARGEST_LITERAL_ARRAY:
        # Floats print as the shortest repr that reads back to the same bits.
        return f"np.array({_nested(value.tolist())}, dtype={value.dtype.name!r})"
    return None


def _nested(items: Any) -> str:
    """A list literal of ``ndarray.tolist()``'s numbers (nan and inf spelled out)."""
    if isinstance(items, list):
        return "[" + ", ".join(_nested(item) for item in items) + "]"
    return _literal(items) or repr(items)


def _importable(value: Any) -> tuple[str, str] | None:
    """(module, qualified name) from which ``value`` itself is imported, or None."""
    if isinstance(value, np.ufunc):
        return ("numpy", value.__name__) if getattr(np, value.__name__, None) is value \
            else None
    module_name = getattr(value, "__module__", None)
    qualname = getattr(value, "__qualname__", None)
    if not module_name or not qualname or "<" in qualname or "." in qualname or \
            module_name == "__main__":
        return None
    try:
        module = importlib.import_module(module_name)
    except Exception:
        return None
    if getattr(module, qualname, None) is not value:
        return None
    if module_name.startswith("numpy.") and getattr(np, qualname, None) is value:
        module_name = "numpy"            # np.sum, not numpy._core.fromnumeric.sum
    return module_name, qualname


def _describe(value: Any) -> str:
    kind = type(value).__name__
    return f"a {kind}" if not isinstance(value, (types.FunctionType, type)) else \
        f"{kind} {getattr(value, '__qualname__', '?')} of module " \
        f"{getattr(value, '__module__', '?')}"
