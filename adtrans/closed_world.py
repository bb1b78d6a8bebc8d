"""The closed world: what adtrans knows about every function and method a body calls.

adtrans differentiates only what it understands.  Each callee falls in one
of these categories (``Callee.category``):

* ``rule``: a primitive with a derivative rule (rules/);
* ``constant``: its result carries no gradient: a piecewise-constant function
  (``floor``, ``argmax``, ``len``; checked against finite differences by the
  tests), a non-numeric result (``str``, ``isinstance``), or the user's
  explicit ``stop_gradient``;
* ``effect_free``: called for an effect nothing computed depends on
  (``print``, logging): run in the forward sweep, never differentiated;
* ``mutating``: writes into one of its arguments or its receiver
  (``np.copyto``, ``xs.append``, ``y.sort()``, anything given ``out=``);
* ``library``: a NumPy / ``math`` / builtin function without a rule, which
  does not write into its arguments: fine on values that carry no gradient;
* ``implicit``: reaches variables without naming them (``eval``, ``locals``):
  always refused, since adtrans cannot see what it touches;
* ``higher_order``: a function adtrans generated (higher derivatives are
  not supported yet);
* ``python``: a Python function of the user's (not transformed yet);
* ``unknown``: anything else.  It may do anything to the values it is given,
  so it may see no value that carries a gradient, nor any value the backward
  sweep still needs.

The analyses (analysis.py, reverse.py) turn these categories into refusals
with a source location; this module only knows the callees.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import kinds, rules
from .kinds import Kind
from .rules import registry

PURE_BUILTINS = {id(f): f for f in (
    abs, all, any, ascii, bin, bool, callable, chr, complex, dict, divmod, enumerate, filter,
    float, format, frozenset, getattr, hasattr, hash, hex, id, int, isinstance, issubclass,
    len, list, map, max, min, oct, ord, pow, range, repr, reversed, round, set, slice, sorted,
    str, sum, tuple, type, zip)}
LIBRARY_MODULES = ("numpy", "math", "cmath", "scipy", "operator", "statistics")

# ndarray methods that write into the array; list / dict / set methods that change them.
ARRAY_MUTATING = {"sort", "fill", "put", "itemset", "resize", "partition", "setfield",
                  "setflags", "byteswap"}
CONTAINER_MUTATING = {"append", "extend", "insert", "pop", "remove", "clear", "reverse",
                      "sort", "update", "setdefault", "popitem", "add", "discard",
                      "difference_update", "intersection_update", "symmetric_difference_update"}


@dataclass(frozen=True)
class Callee:
    """What adtrans knows about one function or method."""

    category: str
    name: str
    rule: registry.Rule | None = None
    position: int | None = None        # for ``mutating`` functions: the argument written


def callable_name(function: Any) -> str:
    module = getattr(function, "__module__", None) or ""
    name = getattr(function, "__qualname__", None) or getattr(function, "__name__", None) \
        or repr(function)
    if isinstance(function, np.ufunc):
        return f"np.{function.__name__}"
    if module.startswith("numpy"):
        public = module.startswith("numpy.") and "._" not in module \
            and not module.startswith("numpy._")
        return "np." + (module.removeprefix("numpy.") + "." if public else "") + name
    if module in ("builtins", "", None):
        return name
    return f"{module}.{name}"


def static_callee(function: Any) -> Callee:
    """Classify a function that a body names statically (a global, ``np.exp``, ``math.log``)."""
    key = id(function)
    name = callable_name(function)
    base = id(getattr(function, "__func__", function))      # a bound method's function
    if getattr(function, "__adtrans__", None) is not None:
        return Callee("higher_order", name)
    if key in registry.IMPLICIT_SCOPE:
        return Callee("implicit", name)
    rule = rules.rule_for_function(function)
    if rule is not None:
        return Callee("rule", name, rule)
    if key in registry.PIECEWISE_CONSTANT or key in registry.NON_NUMERIC or \
            key in registry.DECLARED_CONSTANT:
        return Callee("constant", name)
    if key in registry.EFFECT_FREE or base in registry.EFFECT_FREE:
        return Callee("effect_free", name)
    if key in registry.MUTATING:
        return Callee("mutating", name, position=registry.MUTATING[key][1])
    owner = getattr(function, "__self__", None)
    if isinstance(owner, np.ufunc):
        # np.add.at(y, idx, v) writes into y; reduce / accumulate / outer only compute.
        method = getattr(function, "__name__", "")
        full = f"np.{owner.__name__}.{method}"
        return Callee("mutating", full, position=0) if method == "at" else \
            Callee("library", full)
    if key in PURE_BUILTINS:
        return Callee("library", name)
    module = getattr(function, "__module__", None) or ""
    if isinstance(function, np.ufunc) or module.split(".")[0] in LIBRARY_MODULES:
        if inspect.ismethod(function) or inspect.isbuiltin(function) and owner is not None \
                and not inspect.ismodule(owner):
            return Callee("unknown", name)     # a bound method of some object (rng.shuffle)
        return Callee("library", name)
    if inspect.isfunction(function):
        return Callee("python", name)          # user code: transformed in a later version
    return Callee("unknown", name)


def method_callee(method: str, receiver: Kind) -> Callee:
    """Classify ``receiver.method(...)`` for a receiver of the given kind."""
    name = f".{method}()"
    if kinds.is_only(receiver, kinds.NUMERIC):
        if method in ARRAY_MUTATING:
            return Callee("mutating", name)
        rule = rules.METHOD_RULES.get(method)
        if rule is not None:
            return Callee("rule", name, rule)
        if method in registry.PIECEWISE_CONSTANT_METHODS:
            return Callee("constant", name)
        return Callee("library", name)
    if kinds.is_only(receiver, {kinds.LIST, kinds.TUPLE, kinds.DICT, kinds.STR}):
        if method in CONTAINER_MUTATING:
            return Callee("mutating", name)
        found = [registry.CONTAINER_METHOD_RULES.get((owner, method))
                 for owner in kinds.heads(receiver)]
        if found and all(rule is not None and rule is found[0] for rule in found):
            return Callee("rule", name, found[0])
        if method in ("index", "count") or kinds.is_only(receiver, {kinds.STR}):
            return Callee("constant", name)
        return Callee("library", name)
    if method in CONTAINER_MUTATING | ARRAY_MUTATING:
        return Callee("mutating", name)
    return Callee("unknown", name)


def attribute_category(attr: str, receiver: Kind) -> tuple[str, registry.Rule | None]:
    """How ``receiver.attr`` is treated: ('rule', rule), ('constant', None) or ('unknown', None)."""
    if attr in registry.PIECEWISE_CONSTANT_ATTRIBUTES:
        return "constant", None
    if kinds.is_only(receiver, kinds.NUMERIC):
        rule = rules.ATTRIBUTE_RULES.get(attr)
        if rule is not None:
            return "rule", rule
    return "unknown", None


def is_implicit(function: Any) -> bool:
    return id(function) in registry.IMPLICIT_SCOPE


__all__ = ["Callee", "attribute_category", "method_callee", "static_callee"]
