"""Static analyses on core-form code: what each statement computes, and activity.

* ``classify`` tells, for each ``name = op`` statement, which primitive it
  applies, which rule differentiates it, and which operands can carry a
  gradient.
* ``activity`` finds the *varied* variables (they depend on an input we
  differentiate with respect to) and the *useful* ones (the output depends on
  them).  Only statements whose target is both, with a varied operand, get
  adjoint code.  The analysis is flow-insensitive per variable name: it may
  call a variable active where it need not be (costing a little work), never
  the reverse.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from . import rules
from .normalize import is_opaque
from .rules.registry import NO_DEFAULT, Rule
from .source import UNRESOLVED, FunctionSource


@dataclass
class Operation:
    """What one core assignment computes."""

    kind: str                   # copy | rule | index | pack | nondiff | unknown
    rule: Rule | None = None
    bindings: dict[str, ast.expr] = field(default_factory=dict)   # rule param -> operand
    operands: list[ast.expr] = field(default_factory=list)        # may carry a gradient
    description: str = ""

    def operand_names(self) -> set[str]:
        return {n.id for op in self.operands for n in ast.walk(op) if isinstance(n, ast.Name)}


def walk_assignments(stmts: list[ast.stmt]) -> Iterator[ast.Assign]:
    for stmt in stmts:
        if isinstance(stmt, ast.Assign):
            yield stmt
        elif isinstance(stmt, (ast.If, ast.While, ast.For)):
            yield from walk_assignments(stmt.body)
            yield from walk_assignments(stmt.orelse)


def target_name(stmt: ast.Assign) -> str:
    target = stmt.targets[0]
    assert isinstance(target, ast.Name)
    return target.id


def _bind(src: FunctionSource, stmt: ast.Assign, rule: Rule, args: list[ast.expr],
          keywords: list[ast.keyword], what: str) -> dict[str, ast.expr]:
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
    return bindings


def _from_rule(src: FunctionSource, stmt: ast.Assign, rule: Rule, args: list[ast.expr],
               keywords: list[ast.keyword], what: str) -> Operation:
    bindings = _bind(src, stmt, rule, args, keywords, what)
    operands = [bindings[p] for p, template in zip(rule.differentiable, rule.templates, strict=True)
                if not (isinstance(template, ast.Constant) and template.value is None)]
    return Operation("rule", rule, bindings, operands, what)


def describe(expr: ast.expr) -> str:
    return ast.unparse(expr)


def classify(src: FunctionSource, stmt: ast.Assign, local_names: set[str]) -> Operation:
    """Say what the core assignment ``stmt`` computes and how it is differentiated."""
    op = stmt.value
    if isinstance(op, ast.Name):
        return Operation("copy", operands=[op], description="copy")
    if isinstance(op, ast.Constant) or is_opaque(op) and isinstance(op, (ast.Compare,
                                                                         ast.JoinedStr)):
        return Operation("nondiff")
    if isinstance(op, ast.UnaryOp) and isinstance(op.op, (ast.Not, ast.Invert)):
        return Operation("nondiff")
    if isinstance(op, ast.BinOp):
        rule = rules.OPERATOR_RULES.get(type(op.op))
        if rule is None:
            if isinstance(op.op, ast.FloorDiv):
                return Operation("nondiff")
            return Operation("unknown", operands=[op.left, op.right], description=describe(op))
        return _from_rule(src, stmt, rule, [op.left, op.right], [], f"the operator in "
                                                                    f"`{describe(op)}`")
    if isinstance(op, ast.UnaryOp):
        rule = rules.OPERATOR_RULES.get(type(op.op))
        if rule is None:
            return Operation("unknown", operands=[op.operand], description=describe(op))
        return _from_rule(src, stmt, rule, [op.operand], [], f"`{describe(op)}`")
    if isinstance(op, ast.Subscript):
        return Operation("index", operands=[op.value], description=describe(op))
    if isinstance(op, ast.Attribute):
        if src.resolve(op, local_names) is not UNRESOLVED:
            return Operation("nondiff")
        if op.attr in rules.NON_DIFFERENTIABLE_ATTRIBUTES:
            return Operation("nondiff")
        rule = rules.ATTRIBUTE_RULES.get(op.attr)
        if rule is None:
            return Operation("unknown", operands=[op.value], description=describe(op))
        return _from_rule(src, stmt, rule, [op.value], [], f"`{describe(op)}`")
    if isinstance(op, ast.Call):
        return _classify_call(src, stmt, op, local_names)
    if isinstance(op, (ast.Tuple, ast.List)):
        return Operation("pack", operands=list(op.elts), description=describe(op))
    everything = [n for n in ast.walk(op) if isinstance(n, ast.Name)]
    return Operation("unknown", operands=everything, description=describe(op))


def _classify_call(src: FunctionSource, stmt: ast.Assign, call: ast.Call,
                   local_names: set[str]) -> Operation:
    func = call.func
    what = f"`{describe(call)}`"
    resolved = src.resolve(func, local_names) if isinstance(func, (ast.Name, ast.Attribute)) \
        else UNRESOLVED
    if resolved is not UNRESOLVED:
        if rules.is_nondifferentiable(resolved):
            return Operation("nondiff")
        rule = rules.rule_for_function(resolved)
        if rule is None:
            return Operation("unknown", operands=list(call.args) + [k.value for k in
                                                                    call.keywords],
                             description=f"{describe(func)}")
        return _from_rule(src, stmt, rule, call.args, call.keywords, what)
    if isinstance(func, ast.Attribute):
        if func.attr in rules.NON_DIFFERENTIABLE_METHODS:
            return Operation("nondiff")
        rule = rules.METHOD_RULES.get(func.attr)
        if rule is None:
            return Operation("unknown", operands=[func.value, *call.args,
                                                  *[k.value for k in call.keywords]],
                             description=f"the method .{func.attr}()")
        return _from_rule(src, stmt, rule, [func.value, *call.args], call.keywords, what)
    return Operation("unknown", operands=[func, *call.args, *[k.value for k in call.keywords]],
                     description=f"a call of the local value {describe(func)}")


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
            if target in varied or operation.kind == "nondiff":
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
            if target not in useful or operation.kind == "nondiff":
                continue
            new = operation.operand_names() - useful
            if new:
                useful |= new
                changed = True
    return Activity(varied, useful)


def constant_value(expr: ast.expr) -> Any:
    return expr.value if isinstance(expr, ast.Constant) else UNRESOLVED
