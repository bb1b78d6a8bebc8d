"""The rule table, grouped by kind; importing this package registers every rule."""

from . import arithmetic, elementwise, linalg, reductions, shapes  # noqa: F401  (registration)
from .registry import (
                       ATTRIBUTE_RULES,
                       METHOD_RULES,
                       NON_DIFFERENTIABLE_ATTRIBUTES,
                       NON_DIFFERENTIABLE_METHODS,
                       OPERATOR_RULES,
                       Rule,
                       defvjp,
                       is_nondifferentiable,
                       rule_for_function,
                       supported,
)

__all__ = ["ATTRIBUTE_RULES", "METHOD_RULES", "NON_DIFFERENTIABLE_ATTRIBUTES",
           "NON_DIFFERENTIABLE_METHODS", "OPERATOR_RULES", "Rule", "defvjp",
           "is_nondifferentiable", "rule_for_function", "supported"]
