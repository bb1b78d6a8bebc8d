"""The rule table, grouped by kind; importing this package registers every rule."""

# Importing the modules registers their rules.
from . import (  # noqa: F401
    arithmetic,
    construct,
    containers,
    elementwise,
    joining,
    linalg,
    math_rules,
    more_numpy,
    products,
    reductions,
    selection,
    shapes,
    signal,
    statistics,
    ufunc_methods,
    world,
)
from .registry import (
    ATTRIBUTE_RULES,
    METHOD_RULES,
    OPERATOR_RULES,
    Rule,
    defvjp,
    rule_for_function,
    supported,
)

__all__ = ["ATTRIBUTE_RULES", "METHOD_RULES", "OPERATOR_RULES", "Rule", "defvjp",
           "rule_for_function", "supported"]
