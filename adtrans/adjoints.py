"""The cotangent contributions of each active assignment, as expressions.

For ``name = op`` the rule's template (rules/) is instantiated with the
generated code's names: ``h = np.tanh(t9)`` gives ``d_t9 <- d_h * (1.0 - h *
h)``, with placeholders ``G`` (the result's adjoint) and ``ANS`` (the result)
filled in by the backward sweep.  Contributions of one statement to one
variable are summed into one expression, identical ones computed once.
Copies pass the cotangent, literals index it, index reads scatter it into an
accumulator.  The mixin records which primal values each adjoint reads,
which the to-be-recorded analysis (recording.py) turns into saves.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

import numpy as np

from . import kinds
from .analysis import target_name
from .astutil import call, load, names_read
from .templates import instantiate, same

ANS, G, CT = "__adtrans_ans__", "__adtrans_g__", "__adtrans_ct__"


@dataclass
class StatementAdjoint:
    """The cotangent contributions of one active assignment, with placeholders G and ANS."""

    contributions: list[tuple[str, ast.expr]]      # (primal variable, expression)
    index: tuple[str, ast.expr] | None = None      # (indexed container, index) for t = x[i]
    reads_args: set[str] = field(default_factory=set)
    # Of reads_args, those read for their shape only (an index write, which keeps shapes,
    # need not be undone for them)
    shape_reads: set[str] = field(default_factory=set)
    reads_ans: bool = False
    call: ast.expr | None = None      # a called rule: its tuple of cotangents is CT
    maybe_none: set[str] = field(default_factory=set)   # contributions that may be None


class AdjointExpressions:
    """Mixin of ReverseBuilder: ``adjoints_of`` fills ``self.adjoints``."""

    # ------------------------------------------------------------ adjoint expressions
    def adjoints_of(self, stmt: ast.Assign) -> None:
        target = target_name(stmt)
        operation = self.operations[id(stmt)]
        if not self.active(target):
            return
        varied = [o for o in operation.operands
                  if isinstance(o, ast.Name) and o.id in self.activity.varied]
        if operation.kind not in ("copy", "pack", "index", "rule"):
            return                  # refusals.py has refused those that see a varied value
        if any(not isinstance(o, (ast.Name, ast.Constant)) and names_read(o)
               & self.activity.varied for o in operation.operands):
            raise self.src.error(stmt, f"{operation.description} receives a tuple or list of "
                                       "values that depend on the input; this is not "
                                       "supported yet")
        if not varied:
            return
        adjoint = StatementAdjoint([])
        if operation.kind == "copy":
            adjoint.contributions.append((operation.operands[0].id, load(G)))
        elif operation.kind == "pack":
            # A literal tuple, list or dict: its cotangent is indexed like the value itself.
            # Of repeated constant keys in a dict display only the last one's value is kept.
            last = {ast.dump(p): i for i, p in enumerate(operation.positions)}
            grouped: dict[str, list[ast.expr]] = {}
            for i, (element, position) in enumerate(zip(operation.operands,
                                                        operation.positions, strict=True)):
                if not (isinstance(element, ast.Name) and element.id in self.activity.varied):
                    continue
                if isinstance(position, ast.Constant) and last[ast.dump(position)] != i:
                    continue
                dict_display = isinstance(stmt.value, ast.Dict)
                if not isinstance(position, ast.Constant):
                    # A key known only at run time may repeat: ask at run time which is kept.
                    keys = ast.Tuple(elts=list(operation.positions), ctx=ast.Load())
                    item = call(self.runtime("dict_item_grad"), load(G), keys, ast.Constant(i))
                elif dict_display:
                    # A dict's cotangent holds only the keys that got one.
                    item = ast.Call(func=ast.Attribute(value=load(G), attr="get",
                                                       ctx=ast.Load()),
                                    args=[position], keywords=[])
                else:
                    item = ast.Subscript(value=load(G), slice=position, ctx=ast.Load())
                grouped.setdefault(element.id, []).append(item)
                if dict_display:
                    adjoint.maybe_none.add(element.id)
            for n, e in grouped.items():
                adder = self.runtime("tree_add" if n in self.tree_names else "add")
                adjoint.contributions.append(
                    (n, _sum(e, adder) if n in adjoint.maybe_none else self.sum(n, e)))
            adjoint.reads_args |= {n.id for p in operation.positions for n in ast.walk(p)
                                   if isinstance(n, ast.Name)}
        elif operation.kind == "index":
            container = operation.operands[0].id
            index = stmt.value.slice
            if container not in self.accumulator:
                self.accumulator[container] = self.namer.fresh(f"d_{container}_acc")
            adjoint.index = (container, index)
            adjoint.reads_args = {container} | names_read(index)
            if container not in names_read(index):
                adjoint.shape_reads = {container}       # add_at reads its shape
        elif operation.rule.called:
            self.called_rule_adjoint(operation, adjoint, stmt)
        else:
            rule = operation.rule
            if rule.by_rank:
                ranks = tuple(self.ranks.rank(operation.bindings[p], stmt)
                              if p in operation.bindings else None for p in rule.differentiable)
                rule = rule.by_rank.get(ranks, rule)
            mapping = {"g": load(G), "ans": load(ANS), **operation.bindings}
            # A list or tuple operand ([x, 0.7]) means the array NumPy makes of it; the
            # templates compute with arrays (`y - 1` is not defined for a list).
            env = self.kinds.get(id(stmt), {}) if rule.ufunc else {}
            for param, arg in operation.bindings.items():
                if isinstance(arg, ast.Name) and arg.id in env and \
                        kinds.heads(env[arg.id]) & {kinds.LIST, kinds.TUPLE}:
                    mapping[param] = call(self.helper("asarray", np.asarray), arg)
            helpers = {n: self.helper(n, obj) for n, obj in rule.helpers.items()}
            grouped: dict[str, list[ast.expr]] = {}
            for param, template in zip(rule.differentiable, rule.templates, strict=True):
                arg = operation.bindings[param]
                if not (isinstance(arg, ast.Name) and arg.id in self.activity.varied) or \
                        _is_none(template):
                    continue
                expr = instantiate(template, mapping, helpers)
                grouped.setdefault(arg.id, []).append(expr)
            # When every other argument is a number (0-d: ranks.py), the result has this
            # operand's shape: its cotangent needs no unbroadcast (1 / t3 gives
            # -d_out * out / t3), and the backward sweep need not keep it for its shape.
            unbroadcast = helpers.get("unbroadcast")
            for param in rule.differentiable:
                arg = operation.bindings[param]
                # Every other operand counts: a non-differentiable one (np.where's
                # condition) broadcasts the result too.  Constants (None, axis
                # numbers, strings) do not.
                others = [a for q, a in operation.bindings.items() if q != param]
                if isinstance(arg, ast.Name) and arg.id in grouped and \
                        all(_is_number(a) or isinstance(a, ast.Constant)
                            or self.ranks.rank(a, stmt) == 0 for a in others):
                    grouped[arg.id] = [_strip_call(e, unbroadcast) for e in grouped[arg.id]]
            for name, exprs in grouped.items():
                adjoint.contributions.append((name, self.sum(name, exprs)))
            for _, expr in adjoint.contributions:
                used = names_read(expr)
                adjoint.reads_ans |= ANS in used
                adjoint.reads_args |= used
            adjoint.shape_reads = _shape_only(
                [e for _, e in adjoint.contributions], helpers.get("unbroadcast"))
        self.global_reads |= adjoint.reads_args - self.local_names - {G, ANS}
        adjoint.reads_args &= self.local_names
        self.adjoints[id(stmt)] = adjoint

    def called_rule_adjoint(self, operation, adjoint: StatementAdjoint,
                            stmt: ast.stmt) -> None:
        """``ct = rule(g, ans, *args)``: the k-th entry of ``ct`` for the k-th argument."""
        rule = operation.rule
        for keyword in operation.call_keywords:
            if names_read(keyword.value) & self.activity.varied:
                # A called rule gives cotangents of positional arguments only.
                raise self.src.error(stmt, f"{operation.description} is given "
                                           f"{keyword.arg}= by keyword a value that depends "
                                           "on the input being differentiated; pass it "
                                           "positionally")
        function = self.helper(f"{rule.name}", rule.function)
        adjoint.call = ast.Call(func=load(function), args=[load(G), load(ANS),
                                                          *operation.call_args],
                                keywords=list(operation.call_keywords))
        grouped: dict[str, list[ast.expr]] = {}
        for k, arg in enumerate(operation.call_args):
            if isinstance(arg, ast.Name) and arg.id in self.activity.varied:
                grouped.setdefault(arg.id, []).append(
                    ast.Subscript(value=load(CT), slice=ast.Constant(k), ctx=ast.Load()))
        for name, exprs in grouped.items():
            adder = self.runtime("tree_add" if name in self.tree_names else "add")
            adjoint.contributions.append((name, _sum(exprs, adder) if len(exprs) > 1
                                          else exprs[0]))
            adjoint.maybe_none.add(name)
        adjoint.reads_ans = True
        adjoint.reads_args |= names_read(adjoint.call)

    def sum(self, name: str, exprs: list[ast.expr]) -> ast.expr:
        """The sum of contributions to ``name``'s adjoint (elementwise for containers)."""
        if name in self.tree_names:
            return _sum(exprs, self.runtime("tree_add"))
        return _sum(exprs)


def _shape_only(exprs: list[ast.expr], unbroadcast: str | None) -> set[str]:
    """Names read only as the shape argument of ``unbroadcast(g, x)``."""
    if unbroadcast is None:
        return set()
    as_shape: set[str] = set()
    elsewhere: set[str] = set()
    for expr in exprs:
        shape_args = set()
        for node in ast.walk(expr):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                    node.func.id == unbroadcast and len(node.args) == 2 and \
                    isinstance(node.args[1], ast.Name):
                shape_args.add(id(node.args[1]))
                as_shape.add(node.args[1].id)
        for node in ast.walk(expr):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and \
                    id(node) not in shape_args:
                elsewhere.add(node.id)
    return as_shape - elsewhere


def _is_none(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is None


def _is_number(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Constant) and type(expr.value) in (int, float)


def _strip_call(expr: ast.expr, func: str | None) -> ast.expr:
    """``func(e, ...)`` becomes ``e`` (used to drop unbroadcast where shapes agree)."""
    if func and isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and \
            expr.func.id == func:
        return expr.args[0]
    return expr


def _sum(exprs: list[ast.expr], adder: str | None = None) -> ast.expr:
    """Add contributions; identical ones are computed once and scaled.

    With ``adder`` (the helper adding container cotangents), the terms are combined
    by calls of it instead, and never scaled (``2 * list`` would repeat the list).
    """
    if adder is not None:
        total = exprs[0]
        for expr in exprs[1:]:
            total = call(adder, total, expr)
        return total
    groups: list[tuple[ast.expr, int]] = []
    for expr in exprs:
        for i, (seen, count) in enumerate(groups):
            if same(seen, expr):
                groups[i] = (seen, count + 1)
                break
        else:
            groups.append((expr, 1))
    terms = [e if n == 1 else ast.BinOp(left=ast.Constant(n), op=ast.Mult(), right=e)
             for e, n in groups]
    total = terms[0]
    for term in terms[1:]:
        total = ast.BinOp(left=total, op=ast.Add(), right=term)
    return total
