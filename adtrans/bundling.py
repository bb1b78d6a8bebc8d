"""The names an exported module needs, each bound to its value: the module's own copy.

``Bundle.bind(name, value)`` decides how the exported module gives ``name`` its
value: a module is imported, a builtin used as it is, a constant written as a
literal, a function of an installed library imported from where it lives, and a
function or class of adtrans itself *copied*: its source, from its module's
file, together (recursively) with every module-level name it reads.  Which
names a function reads from its module comes from ``symtable``, the compiler's
own scopes, not from guessing; a module-level value that is not a function or
class is copied as the one statement that assigns it.

Two different values wanting the same name, a copied definition shadowing a
builtin that another copy uses, or a value with none of these forms: each is an
``AdtransError``, never a module that would read the wrong thing.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import inspect
import math
import symtable
import sys
import types
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import AdtransError

# Arrays up to this many elements are written into the module as literals; a larger one
# is data, which belongs in an argument.
LARGEST_LITERAL_ARRAY = 10_000
_LITERAL_TYPES = (type(None), bool, int, float, complex, str, bytes)


@dataclass
class _Module:
    """A module of adtrans as source: its text, AST, and scopes."""

    source: str
    tree: ast.Module
    table: symtable.SymbolTable
    namespace: dict[str, Any]


@dataclass
class Bundle:
    """What the exported module binds: imports, literal assignments, copied definitions."""

    imports: set[str] = field(default_factory=set)
    from_imports: dict[str, set[str]] = field(default_factory=dict)
    statements: list[str] = field(default_factory=list)      # in dependency order
    bound: dict[str, Any] = field(default_factory=dict)       # name -> value it stands for
    builtins_read: set[str] = field(default_factory=set)      # by copied code
    _modules: dict[str, _Module] = field(default_factory=dict)

    def bind(self, name: str, value: Any) -> None:
        """Make ``name`` mean ``value`` in the exported module."""
        if name in self.bound:
            if self.bound[name] is value or _same_constant(self.bound[name], value):
                return
            raise AdtransError(f"cannot export: two different values are called {name!r} "
                               "(the generated code's and a helper's); rename one")
        self.bound[name] = value
        if isinstance(value, types.ModuleType):
            if value.__name__.split(".")[0] == "adtrans":
                raise AdtransError(f"cannot export: {name!r} is adtrans's module "
                                   f"{value.__name__}, which the exported module must not need")
            module = value.__name__
            self.imports.add(f"import {module}" if name == module
                             else f"import {module} as {name}")
            return
        if _is_builtin(name, value):
            return
        builtin = _builtin_name(value)
        if builtin is not None:               # a builtin under another name: `list_1 = list`
            self.imports.add("import builtins")
            self.statements.append(f"{name} = builtins.{builtin}")
            return
        literal = literal_of(value)
        if literal is not None:
            self._assign_literal(name, literal)
            return
        home = getattr(value, "__module__", None) or ""
        if home.split(".")[0] == "adtrans" and isinstance(value, (types.FunctionType, type)):
            self._copy_definition(name, value)
            return
        where = importable(value)
        if where is not None:
            module, qualname = where
            self.from_imports.setdefault(module, set()).add(
                qualname if qualname == name else f"{qualname} as {name}")
            return
        raise AdtransError(
            f"cannot export: the generated code reads {name!r}, which holds "
            f"{_describe(value)}; it has no importable name and no literal form. Pass it "
            "as an argument of the function, or define it at the top level of an importable "
            "module")

    def bind_literal(self, name: str, literal: str) -> None:
        """Make ``name`` the value ``literal`` spells (a list or dict the code only reads)."""
        self.bound[name] = literal
        self._assign_literal(name, literal)

    def _assign_literal(self, name: str, literal: str) -> None:
        if "np." in literal:
            self.imports.add("import numpy as np")
        self.statements.append(f"{name} = {literal}")

    def bind_namespace(self, name: str, module: types.ModuleType,
                       attributes: set[str] | None) -> None:
        """``adtrans.stop_gradient(x)`` in generated code: ``name`` becomes a namespace of
        copies of the functions of adtrans it reads."""
        if attributes is None or not attributes:
            raise AdtransError(f"cannot export: the code uses adtrans's module {name!r} "
                               "other than to call its functions")
        parts = []
        for attribute in sorted(attributes):
            value = getattr(module, attribute, None)
            if not isinstance(value, types.FunctionType):
                raise AdtransError(f"cannot export: the code reads {name}.{attribute}, which "
                                   "is not a function")
            self.bind(value.__name__, value)
            parts.append(f"{attribute}={value.__name__}")
        self.bound[name] = module
        self.imports.add("import types")
        self.statements.append(f"{name} = types.SimpleNamespace({', '.join(parts)})")

    def check(self) -> None:
        """Refuse where a copied definition took the name of a builtin copied code reads."""
        clash = sorted(n for n in self.builtins_read if n in self.bound
                       and not _is_builtin(n, self.bound[n]))
        if clash:
            raise AdtransError(f"cannot export: the helper {clash[0]!r} would hide the "
                               f"builtin {clash[0]!r} that other helpers call")

    def header(self) -> list[str]:
        """The import lines, sorted as isort would."""
        lines = sorted(self.imports, key=lambda line: (line != "import builtins", line))
        for module in sorted(self.from_imports):
            names = sorted(self.from_imports[module])
            line = f"from {module} import {', '.join(names)}"
            if len(line) > 88:
                line = f"from {module} import (\n" + "".join(f"    {n},\n" for n in names) + ")"
            lines.append(line)
        return lines

    # ------------------------------------------------------------------ copying
    def _copy_definition(self, name: str, value: Any) -> None:
        own = value.__name__
        if name != own:
            self.bind(own, value)        # the definition under its own name, then an alias
            self.statements.append(f"{name} = {own}")
            return
        module = self._module(value.__module__)
        node = _top_level_definition(module.tree, own)
        if node is None or module.namespace.get(own) is not value or \
                hasattr(value, "__wrapped__"):
            raise AdtransError(f"cannot export: {value.__module__}.{own} is not defined at "
                               "the top level of its module")
        if any(isinstance(n, (ast.Import, ast.ImportFrom)) for n in ast.walk(node)):
            # recursion.recursive_call runs adtrans.vjp itself: it cannot run without it.
            raise AdtransError(f"cannot export: the code calls {value.__module__}.{own}, "
                               "which needs adtrans itself at run time (recursion does)")
        if node.decorator_list and isinstance(node, ast.ClassDef):
            # A registering decorator returns its function, and the copy needs no
            # registering; a class decorator (a dataclass) makes the class what it is.
            raise AdtransError(f"cannot export: {value.__module__}.{own} is a decorated "
                               "class")
        for read in sorted(_globals_read(module.table, own)):
            if read in module.namespace:
                self.bind(read, module.namespace[read])
            elif hasattr(builtins, read):
                self.builtins_read.add(read)
            else:
                raise AdtransError(f"cannot export: {value.__module__}.{own} reads {read!r}, "
                                   "which its module does not define")
        lines = module.source.splitlines()[node.lineno - 1:node.end_lineno]
        self.statements.append("\n".join(lines))

    def _module(self, module_name: str) -> _Module:
        if module_name not in self._modules:
            module = sys.modules[module_name]
            source = inspect.getsource(module)
            self._modules[module_name] = _Module(
                source, ast.parse(source), symtable.symtable(source, module.__file__, "exec"),
                vars(module))
        return self._modules[module_name]


def _top_level_definition(tree: ast.Module, name: str
                          ) -> ast.FunctionDef | ast.ClassDef | None:
    found = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))
             and n.name == name]
    return found[0] if len(found) == 1 else None


def _globals_read(table: symtable.SymbolTable, name: str) -> set[str]:
    """The module-level names the definition ``name`` reads, nested scopes included."""
    scopes = [t for t in table.get_children() if t.get_name() == name]
    if len(scopes) != 1:
        raise AdtransError(f"cannot export: {name!r} is defined more than once")
    read: set[str] = set()
    pending = scopes
    while pending:
        scope = pending.pop()
        read |= {s.get_name() for s in scope.get_symbols()
                 if s.is_global() or (s.is_referenced() and scope.get_type() == "class"
                                      and not s.is_assigned())}
        pending.extend(scope.get_children())
    return read


def _is_builtin(name: str, value: Any) -> bool:
    """Whether ``value`` is the builtin ``name`` itself."""
    return _builtin_name(value) == name


def _builtin_name(value: Any) -> str | None:
    """The name of the builtin function or type ``value`` is, or None."""
    own = getattr(value, "__name__", None)
    if own and isinstance(value, (types.BuiltinFunctionType, type)) and \
            getattr(builtins, own, None) is value:
        return own
    return None


def _same_constant(a: Any, b: Any) -> bool:
    return type(a) is type(b) and isinstance(a, _LITERAL_TYPES) and a == b


def literal_of(value: Any, containers: bool = False) -> str | None:
    """Python source that evaluates to ``value`` (with ``np`` imported), or None.
    ``containers``: lists and dicts too (a new one where the source is evaluated)."""
    if containers and type(value) is list:
        parts = [literal_of(v, True) for v in value]
        return None if any(p is None for p in parts) else f"[{', '.join(parts)}]"
    if containers and type(value) is dict:
        keys = [literal_of(k) for k in value]
        items = [literal_of(v, True) for v in value.values()]
        if any(p is None for p in keys + items):
            return None
        return "{" + ", ".join(f"{k}: {v}" for k, v in zip(keys, items, strict=True)) + "}"
    if isinstance(value, float) and not math.isfinite(value):
        return f"float({str(value)!r})"
    if isinstance(value, _LITERAL_TYPES):
        return repr(value)
    if type(value) in (tuple, frozenset):
        parts = [literal_of(v, containers) for v in value]
        if any(p is None for p in parts):
            return None
        if isinstance(value, frozenset):        # sorted: the same text in every process
            return f"frozenset({{{', '.join(sorted(parts))}}})" if parts else "frozenset()"
        return f"({', '.join(parts)}{',' if len(parts) == 1 else ''})"
    if isinstance(value, np.generic) and value.dtype.kind in "biufc":
        return f"np.{value.dtype.name}({literal_of(value.item())})"
    if type(value) is np.ndarray and value.dtype.kind in "biufc" and \
            value.size <= LARGEST_LITERAL_ARRAY:
        # Floats print as the shortest repr that reads back to the same bits.
        return f"np.array({_nested(value.tolist())}, dtype={value.dtype.name!r})"
    return None


def _nested(items: Any) -> str:
    """A list literal of ``ndarray.tolist()``'s numbers (nan and inf spelled out)."""
    if isinstance(items, list):
        return "[" + ", ".join(_nested(item) for item in items) + "]"
    return literal_of(items) or repr(items)


def importable(value: Any) -> tuple[str, str] | None:
    """(module, qualified name) from which ``value`` itself is imported, or None."""
    if isinstance(value, np.ufunc):
        return ("numpy", value.__name__) if getattr(np, value.__name__, None) is value \
            else None
    module_name = getattr(value, "__module__", None)
    qualname = getattr(value, "__qualname__", None)
    if not module_name or not qualname or "<" in qualname or "." in qualname or \
            module_name == "__main__" or module_name.split(".")[0] == "adtrans":
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
