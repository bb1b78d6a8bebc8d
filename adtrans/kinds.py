"""Kinds: which sorts of Python value each variable may hold, at each core statement.

A *kind* is a frozenset of atoms, the sorts of value a variable may hold
there: ``"bool"``, ``"int"``, ``"float"`` (Python numbers), ``"array"``
(``ndarray`` and NumPy scalars, which follow NumPy's rules), ``"complex"``,
``"str"``, ``"none"``, ``"range"``, ``"callable"``, ``"object"`` (anything
else), containers ``("list", elements)``, ``("tuple", elements)`` and
``("dict", values)`` whose second part is the kind of their elements, and
``"top"`` (nothing is known).

The same operator means different things on different kinds: ``a + b`` adds
numbers but concatenates lists, ``n * xs`` repeats a list, ``for k in d``
walks a dict's keys.  Derivative rules are right only for the numeric
meaning, so the transformer asks this analysis which meaning applies, and
refuses (or converts) where the kinds do not tell.

Parameters get the kinds of the arguments of the call being compiled (the
transformation is specialised on them, see api.py); the analysis runs
forward over the core form, joining at ``if`` merges and iterating loops to a
fixpoint.  Container nesting is cut at depth 3 so the fixpoint is reached.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from typing import Any

import numpy as np

from .rules.registry import RESULT_KINDS, USER_RULES, rule_for_function
from .runtime import stop_gradient

Kind = frozenset

BOOL, INT, FLOAT, COMPLEX, ARRAY = "bool", "int", "float", "complex", "array"
STR, NONE, RANGE, CALLABLE, OBJECT, TOP_ATOM = "str", "none", "range", "callable", "object", "top"
LIST, TUPLE, DICT, VIEW = "list", "tuple", "dict", "view"    # VIEW: d.items() and kin
CONTAINERS = (LIST, TUPLE, DICT)

TOP: Kind = frozenset({TOP_ATOM})
EMPTY: Kind = frozenset()
NUMERIC: Kind = frozenset({BOOL, INT, FLOAT, ARRAY})
PY_NUMBERS = frozenset({BOOL, INT, FLOAT})
MAX_DEPTH = 3


def of(*atoms: Any) -> Kind:
    return frozenset(atoms)


def head(atom: Any) -> str:
    return atom[0] if isinstance(atom, tuple) else atom


def heads(kind: Kind) -> set[str]:
    return {head(a) for a in kind}


def container(name: str, elements: Kind, depth: int = 0) -> Kind:
    elements = elements if depth < MAX_DEPTH else TOP
    return of((name, elements, None) if name in (TUPLE, DICT) else (name, elements))


def dict_of(items: dict[Any, Kind] | None, values: Kind | None = None,
            depth: int = 0) -> Kind:
    """The kind of a dict: its values' kinds by key where the keys are known constants."""
    if depth >= MAX_DEPTH:
        return of((DICT, TOP, None))
    if items is not None and len(items) <= MAX_KEYS and all(
            type(key) in (str, int) for key in items):
        keyed = tuple(sorted(items.items(), key=lambda pair: repr(pair[0])))
        return of((DICT, join(*items.values()) if values is None else values, keyed))
    return of((DICT, values if values is not None else join(*(items or {}).values()), None))


MAX_KEYS = 32


def tuple_of(items: list[Kind], depth: int = 0) -> Kind:
    """The kind of a tuple whose items have these kinds (kept by position when short)."""
    if depth >= MAX_DEPTH:
        return of((TUPLE, TOP, None))
    positions = tuple(items) if len(items) <= MAX_POSITIONS else None
    return of((TUPLE, join(*items), positions))


MAX_POSITIONS = 8
KEYS: Kind = frozenset({"str", "int"})          # what dict keys usually are


def join(*kinds: Kind) -> Kind:
    """The kind of a value that may come from any of ``kinds``."""
    plain: set[Any] = set()
    parts: dict[str, Kind] = {}
    positions: dict[str, Any] = {}       # tuple positions and dict keys, where known
    for kind in kinds:
        for atom in kind:
            if isinstance(atom, tuple):
                name = atom[0]
                parts[name] = join(parts.get(name, EMPTY), atom[1])
                mine = atom[2] if len(atom) > 2 else None
                if name not in positions:
                    positions[name] = mine
                else:
                    positions[name] = _join_detail(name, positions[name], mine)
            else:
                plain.add(atom)
    atoms = set()
    for name, elements in parts.items():
        atoms.add((name, elements, positions[name]) if name in (TUPLE, DICT, OBJECT)
                  else (name, elements))
    return frozenset(plain | atoms)


def _join_detail(name: str, a: Any, b: Any) -> Any:
    """Join tuples' kinds by position (same length only), dicts' kinds by key."""
    if a is None or b is None:
        return None
    if name == TUPLE:
        if len(a) != len(b):
            return None
        return tuple(join(x, y) for x, y in zip(a, b, strict=True))
    merged = dict(a)
    for key, kind in b:
        merged[key] = join(merged[key], kind) if key in merged else kind
    return tuple(sorted(merged.items(), key=lambda pair: repr(pair[0])))


def keyed(atom: Any, key: Any) -> Kind | None:
    """The kind of a dict atom's value at a constant key, where known."""
    if len(atom) > 2 and atom[2] is not None:
        for known, kind in atom[2]:
            if known == key and type(known) is type(key):
                return kind
    return None


def is_only(kind: Kind, allowed: Iterable[str]) -> bool:
    """Whether every value of ``kind`` is one of ``allowed`` (by head); never for top."""
    allowed = set(allowed)
    return bool(kind) and TOP_ATOM not in kind and heads(kind) <= allowed


def may_be(kind: Kind, *names: str) -> bool:
    return TOP_ATOM in kind or bool(heads(kind) & set(names))


def is_numeric(kind: Kind) -> bool:
    return is_only(kind, NUMERIC)


def elements(kind: Kind) -> Kind:
    """The kind of an element of a value of ``kind`` (``x[i]``, ``for e in x``)."""
    out: list[Kind] = []
    for atom in kind:
        name = head(atom)
        if name in (LIST, TUPLE, DICT, VIEW):
            out.append(atom[1])
        elif name in NUMERIC:
            out.append(of(ARRAY))
        elif name == STR:
            out.append(of(STR))
        elif name == RANGE:
            out.append(of(INT))
        else:
            out.append(TOP)
    return join(*out) if out else TOP


def describe(kind: Kind) -> str:
    """A short English description: 'a list', 'a number or an array'."""
    if TOP_ATOM in kind or not kind:
        return "a value of unknown type"
    words = {BOOL: "a bool", INT: "an int", FLOAT: "a float", ARRAY: "an array",
             COMPLEX: "a complex number", STR: "a string", NONE: "None", RANGE: "a range",
             CALLABLE: "a function", OBJECT: "an object", LIST: "a list", TUPLE: "a tuple",
             DICT: "a dict"}
    names = sorted({words.get(head(a), head(a)) for a in kind})
    return " or ".join(names)


# ---------------------------------------------------------------- kinds of run-time values
_SCALAR_TYPES = {bool: BOOL, int: INT, float: FLOAT, complex: COMPLEX, str: STR,
                 type(None): NONE, range: RANGE}


def kind_of(value: Any, depth: int = 0) -> Kind:
    """The kind of a run-time value (the kind of a parameter, a global)."""
    atom = _SCALAR_TYPES.get(type(value))
    if atom is not None:
        return of(atom)
    if type(value) is np.ndarray or isinstance(value, np.generic):
        return of(COMPLEX if np.iscomplexobj(value) else ARRAY)
    if isinstance(value, np.ndarray):
        return of(OBJECT)      # np.matrix, masked arrays: their operators mean other things
    if isinstance(value, (bool, int, float, complex, str)):     # subclasses
        return of(_SCALAR_TYPES[next(t for t in (bool, int, float, complex, str)
                                     if isinstance(value, t))])
    if isinstance(value, list):
        return container(LIST, join(*(kind_of(v, depth + 1) for v in value)), depth)
    if isinstance(value, tuple):
        return tuple_of([kind_of(v, depth + 1) for v in value], depth)
    if isinstance(value, dict):
        return dict_of({key: kind_of(v, depth + 1) for key, v in value.items()}, depth=depth)
    if callable(value):
        return of(CALLABLE)
    return object_of(value, depth)


def object_of(value: Any, depth: int = 0) -> Kind:
    """The kind of one of the user's objects: its instance attributes' kinds by name
    (``cfg.lr`` is a float), so that code reading them is compiled for what they hold."""
    attributes = getattr(value, "__dict__", None)
    if depth >= MAX_DEPTH or not isinstance(attributes, dict) or len(attributes) > MAX_KEYS:
        return of(OBJECT)
    keyed = tuple(sorted(((name, kind_of(v, depth + 1)) for name, v in attributes.items()
                          if isinstance(name, str)), key=lambda pair: pair[0]))
    return of((OBJECT, EMPTY, keyed))


# ---------------------------------------------------------------- operators
def binop(op: ast.operator, left: Kind, right: Kind) -> Kind:
    """The kind of ``left op right``."""
    if TOP_ATOM in left or TOP_ATOM in right:
        # NumPy takes over an operator with an array operand; a float operand leaves
        # arithmetic (or a TypeError): the result is numeric whatever the other is.
        other = right if TOP_ATOM in left else left
        if is_only(other, {ARRAY}):
            return of(ARRAY)
        if is_only(other, {FLOAT}) and not isinstance(op, ast.Mod):
            return of(FLOAT, ARRAY)
        return TOP
    out: list[Kind] = []
    for a in left:
        for b in right:
            out.append(_binop_atoms(op, a, b))
    return join(*out) if out else EMPTY


_RANK = {BOOL: 0, INT: 1, FLOAT: 2}


_RAISES_WITH_NUMBERS = {NONE, DICT, CALLABLE, RANGE}


def _binop_atoms(op: ast.operator, a: Any, b: Any) -> Kind:
    ha, hb = head(a), head(b)
    if ({ha, hb} & NUMERIC and {ha, hb} & _RAISES_WITH_NUMBERS) or (
            STR in (ha, hb) and {ha, hb} & {FLOAT, ARRAY} and not isinstance(op, ast.Mod)):
        return EMPTY                       # a TypeError: no value comes out
    if ARRAY in (ha, hb) and ({ha, hb} <= NUMERIC | {LIST, TUPLE}):
        return of(ARRAY)
    if ha in _RANK and hb in _RANK:
        if isinstance(op, (ast.Div,)):
            return of(FLOAT)
        if isinstance(op, ast.Pow) and max(_RANK[ha], _RANK[hb]) <= 1:
            return of(INT, FLOAT)          # 2 ** -1 is a float
        rank = max(_RANK[ha], _RANK[hb], 1 if not isinstance(op, (ast.BitAnd, ast.BitOr,
                                                                   ast.BitXor)) else 0)
        return of({0: BOOL, 1: INT, 2: FLOAT}[rank])
    if COMPLEX in (ha, hb) and {ha, hb} <= PY_NUMBERS | {COMPLEX}:
        return of(COMPLEX)
    if isinstance(op, ast.Add) and ha == hb and ha in (LIST, TUPLE):
        return join(of(a), of(b))
    if isinstance(op, ast.Add) and ha == hb == STR:
        return of(STR)
    if isinstance(op, ast.Mult) and {ha, hb} & {LIST, TUPLE, STR} and {ha, hb} & {INT, BOOL}:
        return of(a if ha in (LIST, TUPLE, STR) else b)
    if isinstance(op, ast.Mod) and ha == STR:
        return of(STR)
    return TOP


def unaryop(op: ast.unaryop, operand: Kind) -> Kind:
    if isinstance(op, ast.Not):
        return of(BOOL)
    if TOP_ATOM in operand:
        return TOP
    out = set()
    for atom in operand:
        name = head(atom)
        if name == BOOL:
            out.add(BOOL if isinstance(op, ast.Invert) else INT)
        elif name in (INT, FLOAT, ARRAY, COMPLEX):
            out.add(name)
        else:
            return TOP
    return frozenset(out)


# ---------------------------------------------------------------- calls
def _math_result(function: Any) -> Kind:
    name = getattr(function, "__name__", "")
    if name in ("floor", "ceil", "trunc", "factorial", "gcd", "lcm", "isqrt", "comb", "perm"):
        return of(INT)
    if name.startswith("is"):
        return of(BOOL)
    if name in ("frexp", "modf"):
        return container(TUPLE, of(FLOAT, INT))
    return of(FLOAT)


def dict_source(source: Kind) -> Kind:
    """The kind of ``dict(source)``: a copy of a dict, or a dict of (key, value) pairs."""
    out: list[Kind] = []
    for atom in source:
        if head(atom) == DICT:
            out.append(of(atom))
        elif head(atom) in (LIST, TUPLE, VIEW):
            pairs = [a for a in atom[1] if head(a) in (LIST, TUPLE)]
            values = [a[2][1] if head(a) == TUPLE and len(a) > 2 and a[2] is not None
                      and len(a[2]) == 2 else a[1] for a in pairs]
            out.append(dict_of(None, join(*values) if values else TOP))
        else:
            return of((DICT, TOP, None))
    return join(*out) if out else of((DICT, TOP, None))


# NumPy functions whose result is not one array.
_NUMPY_SPECIAL: dict[int, Kind] = {
    id(np.shape): container(TUPLE, of(INT)),
    id(np.ndim): of(INT),
    id(np.size): of(INT),
    **{id(f): container(LIST, of(ARRAY))
       for f in (np.split, np.array_split, np.hsplit, np.vsplit, np.dsplit)},
}


def static_call(function: Any, args: list[Kind]) -> Kind:
    """The kind of a call of a statically known function on arguments of ``args`` kinds."""
    first = args[0] if args else EMPTY
    declared = RESULT_KINDS.get(id(function))
    if declared is not None:
        shape, length = declared
        if shape == "tuple" and length is not None:
            return tuple_of([of(ARRAY)] * length)
        return container(LIST if shape == "list" else TUPLE, of(ARRAY))
    if function is float:
        return of(FLOAT)
    if function in (int, len):
        return of(INT)
    if function is bool or function in (isinstance, issubclass, callable, hasattr):
        return of(BOOL)
    if function in (str, repr, format, ascii):
        return of(STR)
    if function is abs:
        return unaryop(ast.UAdd(), first) if args else TOP
    if function is round:
        return of(INT) if len(args) == 1 and is_only(first, PY_NUMBERS) else (
            join(first, of(INT)) if len(args) == 1 else first)
    if function is pow and len(args) == 2:
        return binop(ast.Pow(), args[0], args[1])
    if function in (min, max):
        return elements(first) if len(args) == 1 else join(*args)
    if function is sum:
        start = args[1] if len(args) > 1 else of(INT)
        return binop(ast.Add(), start, elements(first)) if args else TOP
    if function is range:
        return of(RANGE)
    if function in (list, sorted):
        return container(LIST, elements(first) if args else EMPTY)
    if function is tuple:
        return container(TUPLE, elements(first) if args else EMPTY)
    if function is zip:
        return of((VIEW, tuple_of([elements(a) for a in args])))
    if function is enumerate:
        return of((VIEW, tuple_of([of(INT), elements(first)]))) if args else TOP
    if function is reversed:
        return of((VIEW, elements(first))) if args else TOP
    if function is dict:
        return dict_source(first) if args else dict_of({})
    if function is type:
        return of(CALLABLE)
    if function is stop_gradient:
        return first
    if id(function) in USER_RULES:
        return NUMERIC               # register_vjp is for functions of numbers and arrays
    if getattr(function, "__name__", "") == "recursive_call" and \
            getattr(function, "__module__", "") == "adtrans.recursion":
        # (value, pullback): recursion.py checks at run time that the value is a number
        # or an array.
        return tuple_of([NUMERIC, of(OBJECT)])
    module = getattr(function, "__module__", None) or ""
    if id(function) in _NUMPY_SPECIAL:
        return _NUMPY_SPECIAL[id(function)]
    if module == "math":
        return _math_result(function)
    if module.startswith("numpy") or isinstance(function, np.ufunc):
        name = getattr(function, "__name__", "")
        one_argument = name.startswith("atleast_") and len(args) == 1
        if (name in _NUMPY_NOT_ONE_ARRAY and not one_argument) or (
                name == "where" and len(args) == 1):
            return TOP
        if isinstance(function, np.ufunc) and function.nout > 1:
            return TOP
        return of(ARRAY)
    if module.startswith("scipy") and rule_for_function(function) is not None:
        return NUMERIC          # scipy functions with rules (logsumexp, stats.norm.logpdf)
    owner = getattr(function, "__self__", None)
    if isinstance(owner, np.ufunc) and owner.nout == 1 and \
            getattr(function, "__name__", "") in ("reduce", "accumulate", "outer", "reduceat"):
        return of(ARRAY)        # np.add.reduce(x), np.multiply.outer(x, y)
    return TOP


# NumPy functions that return a tuple or list of arrays (or something else).
_NUMPY_NOT_ONE_ARRAY = {
    "nonzero", "modf", "frexp", "divmod", "meshgrid", "split", "array_split", "hsplit",
    "vsplit", "dsplit", "gradient", "histogram", "histogram2d", "histogramdd", "unique",
    "svd", "eig", "eigh", "qr", "slogdet", "lstsq", "broadcast_arrays", "atleast_1d",
    "atleast_2d", "atleast_3d", "indices", "unravel_index", "tolist", "shape", "ndim", "size",
    "printoptions", "get_printoptions", "seterr", "geterr", "errstate", "load", "save",
    "savetxt", "loadtxt", "iterable", "isscalar", "result_type", "promote_types", "dtype",
    "finfo", "iinfo"}


_ARRAY_METHOD_RESULTS = {"tolist": TOP, "item": of(BOOL, INT, FLOAT, COMPLEX),
                         "nonzero": container(TUPLE, of(ARRAY))}
_LIST_METHOD_RESULTS = {"index": of(INT), "count": of(INT)}
_STR_METHOD_RESULTS = {"split": container(LIST, of(STR)), "find": of(INT), "count": of(INT),
                       "index": of(INT), "startswith": of(BOOL), "endswith": of(BOOL)}


def method_call(receiver: Kind, method: str, args: list[Kind] | None = None,
                keys: list[ast.expr] | None = None) -> Kind:
    """The kind of ``receiver.method(*args)`` (``keys``: the argument expressions)."""
    args = args or []
    keys = keys or []
    out: list[Kind] = []
    for atom in receiver:
        name = head(atom)
        if name in NUMERIC:
            out.append(_ARRAY_METHOD_RESULTS.get(method, of(ARRAY)))
        elif name in (LIST, TUPLE):
            if method == "pop":
                out.append(atom[1])
            elif method == "copy":
                out.append(of(atom))
            else:
                out.append(_LIST_METHOD_RESULTS.get(method, of(NONE)))
        elif name == DICT:
            if method in ("get", "pop", "setdefault"):
                out.append(join(atom[1], args[1] if len(args) > 1 else of(NONE)))
                if keys and isinstance(keys[0], ast.Constant):
                    known = keyed(atom, keys[0].value)
                    if known is not None:
                        out[-1] = known          # the key is there: its value, not a default
            elif method == "copy":
                out.append(of(atom))
            elif method in ("update", "clear"):
                out.append(of(NONE))
            elif method == "items":
                out.append(of((VIEW, tuple_of([KEYS, atom[1]]))))
            elif method == "values":
                out.append(of((VIEW, atom[1])))
            elif method == "keys":
                out.append(of((VIEW, KEYS)))
            else:
                out.append(of(OBJECT))
        elif name == STR:
            out.append(_STR_METHOD_RESULTS.get(method, of(STR)))
        else:
            return TOP
    return join(*out) if out else TOP


_ATTRIBUTES = {"T": of(ARRAY), "mT": of(ARRAY), "shape": container(TUPLE, of(INT)),
               "ndim": of(INT), "size": of(INT), "itemsize": of(INT), "nbytes": of(INT),
               "dtype": of(OBJECT), "real": of(ARRAY), "imag": of(ARRAY), "flat": of(OBJECT)}


def attribute(receiver: Kind, attr: str) -> Kind:
    if heads(receiver) == {OBJECT}:
        known = [keyed(atom, attr) if isinstance(atom, tuple) else None for atom in receiver]
        return TOP if None in known else join(*known)
    if attr in ("real", "imag") and is_only(receiver, PY_NUMBERS):
        return of(FLOAT, INT)
    if is_only(receiver, NUMERIC):
        return _ATTRIBUTES.get(attr, TOP)
    return TOP


def subscript(value: Kind, index: ast.expr) -> Kind:
    """The kind of ``value[index]``."""
    sliced = isinstance(index, ast.Slice)
    out: list[Kind] = []
    for atom in value:
        name = head(atom)
        if name in NUMERIC:
            out.append(of(ARRAY))          # a Python number cannot be indexed: it raises
        elif name == TUPLE and not sliced and len(atom) > 2 and atom[2] is not None and \
                isinstance(index, ast.Constant) and type(index.value) is int and \
                -len(atom[2]) <= index.value < len(atom[2]):
            out.append(atom[2][index.value])
        elif name in (LIST, TUPLE):
            out.append(of(atom) if sliced else atom[1])
        elif name == DICT:
            known = keyed(atom, index.value) if isinstance(index, ast.Constant) else None
            out.append(known if known is not None else atom[1])
        elif name == STR:
            out.append(of(STR))
        elif name == RANGE:
            out.append(of(RANGE) if sliced else of(INT))
        else:
            return TOP
    return join(*out) if out else TOP


def constant(value: Any) -> Kind:
    atom = _SCALAR_TYPES.get(type(value))
    return of(atom) if atom else of(OBJECT)


__all__ = ["ARRAY", "NUMERIC", "TOP", "Kind", "binop", "describe", "is_numeric",
           "is_only", "join", "kind_of", "may_be"]
