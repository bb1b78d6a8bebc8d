"""The rule table, grouped by kind; importing this package registers every rule."""

# Importing the modules registers their rules.
from . import arithmetic, construct, containers, elementwise, linalg, reductions, shapes, world  # noqa: F401
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
