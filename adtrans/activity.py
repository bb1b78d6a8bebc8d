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

from .analysis import Operation, target_name
from .astutil import walk_statements


@dataclass
class Activity:
    varied: set[str]
    useful: set[str]

    def active(self, name: str) -> bool:
        return name in self.varied and name in self.useful


def flows(body: list[ast.stmt], operations: dict[int, list[Operation]]
          ) -> list[tuple[set[str], set[str]]]:
    """(targets, sources) of every statement that makes values from others: assignments,
    and in-place changes (``xs.append(v)`` makes ``xs`` from ``xs`` and ``v``)."""
    found = []
    for stmt in walk_statements(body):
        for operation in operations.get(id(stmt), []):
            if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name) and \
                    operation.kind not in ("constant", "effect"):
                found.append(({target_name(stmt)}, operation.operand_names()))
            if operation.mutates:
                changed = set(operation.mutates)
                found.append((changed, changed | set(operation.stores)))
    return found


def activity(body: list[ast.stmt], operations: dict[int, list[Operation]], wrt: list[str],
             result: str) -> Activity:
    """Varied and useful variables of a core body (a flow-insensitive fixpoint)."""
    edges = flows(body, operations)
    varied = set(wrt)
    changed = True
    while changed:
        changed = False
        for targets, sources in edges:
            if sources & varied and not targets <= varied:
                varied |= targets
                changed = True
    useful = {result}
    changed = True
    while changed:
        changed = False
        for targets, sources in reversed(edges):
            if targets & useful and not sources <= useful:
                useful |= sources
                changed = True
    return Activity(varied, useful)
