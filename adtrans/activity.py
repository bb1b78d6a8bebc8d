"""Activity: which variables depend on the inputs and reach the output.

The *varied* variables depend on an input we differentiate with respect to;
the *useful* ones reach the function's result.  Only statements whose target
is both, with a varied operand, get adjoint code.  The analysis is
flow-insensitive per variable name: it may call a variable active where it
need not be (costing a little work), never the reverse.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from .analysis import Operation, target_name, walk_assignments


@dataclass
class Activity:
    varied: set[str]
    useful: set[str]

    def active(self, name: str) -> bool:
        return name in self.varied and name in self.useful


def activity(body: list[ast.stmt], operations: dict[int, Operation], wrt: list[str],
             result: str) -> Activity:
    """Varied and useful variables of a core body (a flow-insensitive fixpoint)."""
    assignments = list(walk_assignments(body))
    varied = set(wrt)
    changed = True
    while changed:
        changed = False
        for stmt in assignments:
            target = target_name(stmt)
            operation = operations[id(stmt)]
            if target in varied or operation.kind == "constant":
                continue
            if operation.operand_names() & varied:
                varied.add(target)
                changed = True
    useful = {result}
    changed = True
    while changed:
        changed = False
        for stmt in reversed(assignments):
            target = target_name(stmt)
            operation = operations[id(stmt)]
            if target not in useful or operation.kind == "constant":
                continue
            new = operation.operand_names() - useful
            if new:
                useful |= new
                changed = True
    return Activity(varied, useful)
