"""Match a call's arguments to a derivative rule's parameters."""

from __future__ import annotations

import ast

from .rules.registry import NO_DEFAULT, Rule
from .source import FunctionSource


def bind_arguments(src: FunctionSource, stmt: ast.stmt, rule: Rule, args: list[ast.expr],
                   keywords: list[ast.keyword], what: str) -> dict[str, ast.expr]:
    """Match a call's arguments to a rule's parameters (defaults fill the rest)."""
    bindings: dict[str, ast.expr] = {}
    if len(args) > len(rule.params):
        raise src.error(stmt, f"{what} takes at most {len(rule.params)} positional arguments "
                              f"({', '.join(rule.params)}) in adtrans' rule; got {len(args)}")
    for param, arg in zip(rule.params, args, strict=False):
        bindings[param] = arg
    for keyword in keywords:
        if keyword.arg not in rule.params:
            raise src.error(stmt, f"{what} got the keyword {keyword.arg!r}, which its "
                                  f"derivative rule does not know ({', '.join(rule.params)})")
        bindings[keyword.arg] = keyword.value
    for param in rule.params:
        if param not in bindings:
            default = rule.defaults.get(param, NO_DEFAULT)
            if default is NO_DEFAULT:
                raise src.error(stmt, f"{what} is missing the argument {param!r}")
            bindings[param] = ast.Constant(default)
    if "out" in bindings and not (isinstance(bindings["out"], ast.Constant)
                                  and bindings["out"].value is None):
        raise src.error(stmt, f"{what} with out=... writes in place; drop out= and assign "
                              "the result instead")
    for param, reason in rule.refuse.items():
        value = bindings.get(param)
        default = rule.defaults.get(param, NO_DEFAULT)
        if not (isinstance(value, ast.Constant) and value.value == default):
            raise src.error(stmt, f"{what}: {reason}")
    return bindings
