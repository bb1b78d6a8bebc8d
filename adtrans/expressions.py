"""Lowering of expressions: one primitive per assignment, operands reduced to atoms.

An atom is a name or a constant; every compound sub-expression is hoisted into
a temporary ``t1, t2, ...`` in evaluation order.  Conditions and comparisons
stay whole (they carry no gradient); ``a if c else b`` and ``a or b`` used as
values become ``if`` statements.
"""

from __future__ import annotations

import ast

from .astutil import load as _load
from .rules.registry import rule_for_function
from .source import UNRESOLVED

# Methods whose positional arguments NumPy also accepts as one tuple: x.reshape(2, 3).
PACKED_METHODS = {"reshape", "transpose"}


class Expressions:
    """Mixin of Normalizer: atoms, operations, calls and indices."""

    # ----------------------------------------------------------------- expressions
    def test(self, expr: ast.expr) -> ast.expr:
        """A condition: evaluated whole in the forward sweep (it carries no gradient), unless
        it calls a function of the user's, which is inlined: then it becomes a value."""
        self.reject_unsupported(expr)
        if self.calls_user_code(expr):
            return self.atom(expr)
        return expr

    def static_truth(self, expr: ast.expr) -> bool | None:
        """The truth of a condition fixed when compiling, or None.

        After inlining, ``if activation is None:`` may read ``if None is None:`` or
        ``if np.tanh is None:``; only one branch can run, and the other may not even be
        differentiable (it calls None).  Fixed operands: literals, and names bound to
        functions, classes or modules (never data globals, which may change later).
        """
        if isinstance(expr, ast.Constant):
            return bool(expr.value) if isinstance(expr.value, (bool, int, str, type(None))) \
                else None
        if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.Not):
            inner = self.static_truth(expr.operand)
            return None if inner is None else not inner
        if isinstance(expr, ast.BoolOp):
            truths = [self.static_truth(v) for v in expr.values]
            if None in truths:
                return None
            return all(truths) if isinstance(expr.op, ast.And) else any(truths)
        if isinstance(expr, ast.Compare) and len(expr.ops) == 1:
            op = expr.ops[0]
            left, right = (self.fixed_object(e) for e in (expr.left, expr.comparators[0]))
            if left is UNRESOLVED or right is UNRESOLVED:
                return None
            if isinstance(op, ast.Is):
                return left is right
            if isinstance(op, ast.IsNot):
                return left is not right
            literals = (bool, int, str, type(None))
            if isinstance(op, (ast.Eq, ast.NotEq)) and isinstance(left, literals) and \
                    isinstance(right, literals):
                return (left == right) == isinstance(op, ast.Eq)
        return None

    def fixed_object(self, expr: ast.expr) -> object:
        """The object of a literal or of a name bound to a function, class or module."""
        if isinstance(expr, ast.Constant):
            return expr.value
        if not isinstance(expr, (ast.Name, ast.Attribute)):
            return UNRESOLVED
        value = self.src.resolve(expr, self.local_names, self.known)
        if value is UNRESOLVED or not (callable(value) or isinstance(value, type(ast))):
            return UNRESOLVED
        return value

    def reject_unsupported(self, expr: ast.expr) -> None:
        for node in ast.walk(expr):
            if isinstance(node, (ast.NamedExpr, ast.Yield, ast.YieldFrom, ast.Await)):
                kind = {ast.NamedExpr: "the walrus operator :="}.get(type(node),
                                                                       type(node).__name__)
                raise self.error(expr, f"{kind} is not supported inside a function adtrans "
                                       "differentiates; use a plain loop or assignment")

    def is_static(self, expr: ast.expr) -> bool:
        """A name or attribute chain bound outside the function (np.pi, a global)."""
        return isinstance(expr, (ast.Name, ast.Attribute)) and \
            self.src.resolve(expr, self.local_names, self.known) is not UNRESOLVED

    def index_object(self, expr: ast.expr) -> bool:
        """Whether ``expr`` names an index object with a called rule (np.r_, np.c_)."""
        if not self.is_static(expr):
            return False
        rule = rule_for_function(self.src.resolve(expr, self.local_names, self.known))
        return rule is not None and rule.called

    def bind(self, value: ast.expr, base: str | None = None) -> ast.Name:
        """A name for an atom: itself if it is one, else a temporary assigned to it."""
        if isinstance(value, ast.Name):
            return value
        name = self.namer.fresh(base) if base else self.namer.temp()
        self.emit_assign(name, value)
        return _load(name)

    def element(self, expr: ast.expr) -> ast.expr:
        """An element of a list or tuple display: a nested display that holds more than
        constants gets a name, so gradients flow through nesting ([[x, y], [0, 1]])."""
        atom = self.atom(expr)
        if isinstance(atom, (ast.List, ast.Tuple)) and not all(
                isinstance(e, ast.Constant) for e in atom.elts):
            return self.bind(atom)
        return atom

    def named(self, expr: ast.expr) -> ast.expr:
        """An atom, with a list or tuple display bound to a name of its own."""
        atom = self.atom(expr)
        return self.bind(atom) if isinstance(atom, (ast.List, ast.Tuple)) else atom

    def atom(self, expr: ast.expr) -> ast.expr:
        """Reduce ``expr`` to a name or constant, emitting temporaries for its parts."""
        if isinstance(expr, ast.Constant):
            return expr
        if isinstance(expr, ast.Name):
            if expr.id in self.functions:
                raise self.error(expr, f"the function `{expr.id}` is used as a value; adtrans "
                                       "differentiates calls of functions defined here, and "
                                       "passing them to your own functions, map, filter, "
                                       "functools.reduce or sorted(key=...)")
            return _load(expr.id)
        if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.USub) and \
                isinstance(expr.operand, ast.Constant) and \
                isinstance(expr.operand.value, (int, float, complex)):
            return ast.Constant(-expr.operand.value)
        if isinstance(expr, ast.Attribute) and self.is_static(expr):
            return expr
        if isinstance(expr, (ast.Tuple, ast.List)):
            return type(expr)(elts=[self.element(e) for e in expr.elts], ctx=ast.Load())
        if isinstance(expr, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            return self.comprehension(expr)
        if isinstance(expr, ast.IfExp) or isinstance(expr, ast.BoolOp) and (
                not is_boolean(expr) or self.calls_user_code(expr)):
            name = self.namer.temp()
            self.assign(name, expr)
            return _load(name)
        operation = self.operation(expr)     # operands first, so temporaries count upwards
        name = self.namer.temp()
        self.emit_assign(name, operation)
        return _load(name)

    def operation(self, expr: ast.expr) -> ast.expr:
        """One primitive applied to atoms, or an opaque forward-only expression."""
        self.reject_unsupported(expr)
        if isinstance(expr, (ast.Constant, ast.Name)):
            return self.atom(expr)
        if isinstance(expr, ast.BinOp):
            # A list or tuple display gets a name, so `[x] + [y]` has a gradient to pass on.
            return ast.BinOp(left=self.named(expr.left), op=expr.op,
                             right=self.named(expr.right))
        if isinstance(expr, ast.UnaryOp):
            if isinstance(expr.op, ast.USub) and isinstance(expr.operand, ast.Constant):
                return self.atom(expr)
            if isinstance(expr.op, ast.Not) and not self.calls_user_code(expr):
                return expr
            return ast.UnaryOp(op=expr.op, operand=self.atom(expr.operand))
        if isinstance(expr, ast.Call):
            callee = self.callee_function(expr.func)
            if callee is not None:
                return self.inline(expr, callee)
            lowered = self.higher_order(expr)
            if lowered is not None:
                return lowered
            return self.call(expr)
        if isinstance(expr, ast.Attribute):
            if self.is_static(expr):
                return expr
            return ast.Attribute(value=self.atom(expr.value), attr=expr.attr, ctx=ast.Load())
        if isinstance(expr, ast.Subscript):
            if self.index_object(expr.value):
                # np.r_[a, 2 * x, 0:3]: the items are the arguments of a called rule.
                items = expr.slice.elts if isinstance(expr.slice, ast.Tuple) else [expr.slice]
                parts = [self.index(i) if isinstance(i, ast.Slice) or (
                    isinstance(i, ast.Constant) and isinstance(i.value, str))
                    else self.atom(i) for i in items]
                index = ast.Tuple(elts=parts, ctx=ast.Load()) \
                    if isinstance(expr.slice, ast.Tuple) else parts[0]
                return ast.Subscript(value=expr.value, slice=index, ctx=ast.Load())
            node = ast.Subscript(value=self.atom(expr.value), slice=self.index(expr.slice),
                                 ctx=ast.Load())
            node._adtrans_iterates = getattr(expr, "_adtrans_iterates", None)  # type: ignore
            return node
        if isinstance(expr, (ast.Tuple, ast.List, ast.ListComp, ast.SetComp, ast.DictComp,
                             ast.GeneratorExp)):
            return self.atom(expr)
        if isinstance(expr, ast.Dict):
            if any(key is None for key in expr.keys):
                return self.merged_dict([value if key is None else (key, value)
                                         for key, value in zip(expr.keys, expr.values,
                                                               strict=True)])
            return ast.Dict(keys=[self.atom(k) for k in expr.keys],
                            values=[self.atom(v) for v in expr.values])
        if isinstance(expr, ast.Set):
            return ast.Set(elts=[self.atom(e) for e in expr.elts])
        if isinstance(expr, ast.Compare) and self.calls_user_code(expr):
            # A comparison with a call to inline: its operands become atoms (all of them
            # are evaluated, where Python may stop a chained comparison early).
            return ast.Compare(left=self.atom(expr.left), ops=expr.ops,
                               comparators=[self.atom(c) for c in expr.comparators])
        if isinstance(expr, (ast.Compare, ast.BoolOp, ast.JoinedStr)):
            if self.calls_user_code(expr):
                raise self.error(expr, "a call of your function inside this expression is "
                                       "not supported; assign its value to a variable first")
            return expr
        raise self.error(expr, f"the expression `{type(expr).__name__}` is not supported; "
                               "rewrite it with arithmetic, NumPy calls, if and for")

    def call(self, expr: ast.Call) -> ast.Call:
        func = expr.func
        is_method = isinstance(func, ast.Attribute) and not self.is_static(func)
        if is_method:
            func = ast.Attribute(value=self.atom(func.value), attr=func.attr, ctx=ast.Load())
        elif not self.is_static(func):
            func = self.atom(func)
        args = []
        for arg in expr.args:
            if isinstance(arg, ast.Starred):
                raise self.error(expr, "calls with *args are not supported; pass the "
                                       "arguments one by one")
            if isinstance(arg, ast.List) or isinstance(arg, ast.Tuple) and not all(
                    isinstance(e, ast.Constant) for e in arg.elts):
                # A list or tuple display gets a name, so its elements' gradients can flow
                # (np.array([x, y]), max((a, b))); a tuple of constants (a shape) stays.
                args.append(self.bind(self.atom(arg)))
                continue
            args.append(self.atom(arg))
        keywords = []
        for keyword in expr.keywords:
            if keyword.arg is None:
                raise self.error(expr, "calls with **kwargs are not supported; pass the "
                                       "keyword arguments one by one")
            keywords.append(ast.keyword(arg=keyword.arg, value=self.atom(keyword.value)))
        if is_method and func.attr in PACKED_METHODS and len(args) > 1:
            args = [ast.Tuple(elts=args, ctx=ast.Load())]
        return ast.Call(func=func, args=args, keywords=keywords)

    def index(self, expr: ast.expr) -> ast.expr:
        """An index: integer arithmetic on names and constants stays inline, rest is hoisted."""
        if isinstance(expr, ast.Slice):
            parts = {k: self.index_part(getattr(expr, k)) for k in ("lower", "upper", "step")}
            return ast.Slice(**parts)
        if isinstance(expr, ast.Tuple):
            return ast.Tuple(elts=[self.index(e) for e in expr.elts], ctx=ast.Load())
        return self.index_part(expr)

    def index_part(self, expr: ast.expr | None) -> ast.expr | None:
        if expr is None or self.simple_index(expr):
            return expr
        return self.atom(expr)

    def simple_index(self, expr: ast.expr) -> bool:
        if isinstance(expr, (ast.Constant, ast.Name)):
            return True
        if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, (ast.USub, ast.UAdd)):
            return self.simple_index(expr.operand)
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Add, ast.Sub, ast.Mult,
                                                                ast.FloorDiv, ast.Mod)):
            return self.simple_index(expr.left) and self.simple_index(expr.right)
        return False


def is_boolean(expr: ast.expr) -> bool:
    """An expression whose value is a truth value (it carries no gradient)."""
    if isinstance(expr, ast.BoolOp):
        return all(is_boolean(v) for v in expr.values)
    return isinstance(expr, ast.Compare) or (
        isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.Not)) or (
        isinstance(expr, ast.Constant) and isinstance(expr.value, bool))
