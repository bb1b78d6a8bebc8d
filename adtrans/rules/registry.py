"""The rule table: how each primitive's cotangent is computed.

A rule is a Python function ``rule(g, ans, *args)`` whose body is a single
``return`` of one expression per differentiable argument (a tuple when there
are several).  ``g`` is the cotangent of the result, ``ans`` the result.  The
transformer inlines the returned expressions into generated code with the
names substituted, so the rule reads like the line of a derivative table and
the generated code reads like the chain rule.  The same function is callable
at run time, which is what ``register_vjp``-style user rules will use.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

NO_DEFAULT = object()


@dataclass
class Rule:
    """A vector-Jacobian product rule for one primitive."""

    name: str
    function: Callable[..., Any]
    params: list[str]                      # the primitive's parameters, after g and ans
    defaults: dict[str, Any]               # parameter -> default value (constants only)
    templates: list[ast.expr]              # one cotangent expression per differentiable param
    helpers: dict[str, Any] = field(default_factory=dict)  # free names the templates use

    @property
    def differentiable(self) -> list[str]:
        return self.params[: len(self.templates)]


FUNCTION_RULES: dict[int, Rule] = {}     # id(primitive) -> rule
PRIMITIVES: dict[int, Any] = {}          # id(primitive) -> primitive (keeps ids alive)
OPERATOR_RULES: dict[type, Rule] = {}    # ast operator class -> rule
METHOD_RULES: dict[str, Rule] = {}       # ndarray method name -> rule (receiver is 1st param)
ATTRIBUTE_RULES: dict[str, Rule] = {}    # ndarray attribute (x.T) -> rule
NON_DIFFERENTIABLE: dict[int, Any] = {}  # primitives whose output carries no gradient
NON_DIFFERENTIABLE_METHODS: set[str] = set()
NON_DIFFERENTIABLE_ATTRIBUTES = {"shape", "ndim", "size", "dtype", "itemsize", "nbytes"}


def _parse_rule(function: Callable[..., Any]) -> Rule:
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    fdef = tree.body[0]
    assert isinstance(fdef, ast.FunctionDef)
    body = [s for s in fdef.body if not (isinstance(s, ast.Expr)
                                         and isinstance(s.value, ast.Constant))]
    if len(body) != 1 or not isinstance(body[0], ast.Return) or body[0].value is None:
        raise ValueError(f"rule {function.__name__} must be a single return statement")
    value = body[0].value
    templates = list(value.elts) if isinstance(value, ast.Tuple) else [value]
    signature = inspect.signature(function)
    names = list(signature.parameters)
    if names[:2] != ["g", "ans"]:
        raise ValueError(f"rule {function.__name__} must start with (g, ans, ...)")
    params = names[2:]
    defaults = {p: signature.parameters[p].default for p in params
                if signature.parameters[p].default is not inspect.Parameter.empty}
    used = {n.id for t in templates for n in ast.walk(t) if isinstance(n, ast.Name)}
    helpers = {n: function.__globals__[n] for n in used
               if n not in names and n in function.__globals__}
    missing = used - set(names) - set(helpers) - set(dir(__builtins__))
    if missing:
        raise ValueError(f"rule {function.__name__} uses unknown names {sorted(missing)}")
    return Rule(function.__name__, function, params, defaults, templates, helpers)


def defvjp(*primitives: Any, ops: tuple[type, ...] = (), methods: tuple[str, ...] = (),
           attributes: tuple[str, ...] = ()) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated rule for functions, AST operators, methods and attributes."""

    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        rule = _parse_rule(function)
        for primitive in primitives:
            FUNCTION_RULES[id(primitive)] = rule
            PRIMITIVES[id(primitive)] = primitive
        for op in ops:
            OPERATOR_RULES[op] = rule
        for method in methods:
            METHOD_RULES[method] = rule
        for attribute in attributes:
            ATTRIBUTE_RULES[attribute] = rule
        return function

    return register


def nondifferentiable(*primitives: Any, methods: tuple[str, ...] = ()) -> None:
    """Declare primitives whose result has zero derivative (or is not a number)."""
    for primitive in primitives:
        NON_DIFFERENTIABLE[id(primitive)] = primitive
    NON_DIFFERENTIABLE_METHODS.update(methods)


def rule_for_function(primitive: Any) -> Rule | None:
    return FUNCTION_RULES.get(id(primitive))


def is_nondifferentiable(primitive: Any) -> bool:
    return id(primitive) in NON_DIFFERENTIABLE


def supported() -> list[str]:
    """Names of every primitive with a derivative rule, sorted."""
    names = set()
    for primitive in PRIMITIVES.values():
        module = getattr(primitive, "__module__", None) or ""
        prefix = "np." if module.startswith("numpy") or type(primitive).__name__ == "ufunc" else ""
        if module == "numpy.linalg":
            prefix = "np.linalg."
        elif module in ("math", "_operator"):
            prefix = module.lstrip("_") + "."
        names.add(prefix + getattr(primitive, "__name__", repr(primitive)))
    names.update(f"ndarray.{m}()" for m in METHOD_RULES)
    names.update(f"ndarray.{a}" for a in ATTRIBUTE_RULES)
    names.update(f"operator {op.__name__}" for op in OPERATOR_RULES)
    return sorted(names)
