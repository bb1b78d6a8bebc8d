"""Static analyses on core-form code: what each statement computes, and activity.

* ``classify`` tells, for each ``name = op`` statement, which primitive it
  applies, which rule differentiates it, which operands can carry a gradient,
  and what it may write into in place.  It reads the kinds of the operands
  (kinds.py), since ``a + b`` adds numbers but concatenates lists, and the
  closed world's catalogue of callees (closed_world.py).
* ``classify_effect`` does the same for a statement that is only a call
  (``xs.append(x)``, ``print(x)``), and ``nested_operations`` for the calls
  inside a condition or another expression evaluated whole.
* ``activity`` finds the *varied* variables (they depend on an input we
  differentiate with respect to) and the *useful* ones (the output depends on
  them).  Only statements whose target is both, with a varied operand, get
  adjoint code.  The analysis is flow-insensitive per variable name: it may
  call a variable active where it need not be (costing a little work), never
  the reverse.

Nothing here refuses: an operation that must not see a value carrying a
gradient says so (``kind`` "unknown" or "refused", with a message), and
closed-world checks in reverse.py raise, with the source location, where one
does.
"""

from __future__ import annotations

import ast
import types
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from . import kinds, rules
from .binding import bind_arguments
from .closed_world import Callee, attribute_category, method_callee, static_callee
from .kind_analysis import Env, KindAnalysis
from .kinds import Kind
from .printing import unparse
from .rules.registry import PIECEWISE_CONSTANT_ALONE, REFUSAL_HINTS, Rule
from .source import UNRESOLVED, FunctionSource

# Values that cannot change in place: passing them anywhere is harmless.
IMMUTABLE = frozenset({kinds.BOOL, kinds.INT, kinds.FLOAT, kinds.COMPLEX, kinds.STR,
                       kinds.NONE, kinds.RANGE})

# Containers whose elements a core statement can index (x[i], for e in x).
SEQUENCES = frozenset({kinds.ARRAY, kinds.LIST, kinds.TUPLE, kinds.STR, kinds.RANGE})


@dataclass
class Operation:
    """What one core statement computes, and what it may touch.

    ``kind`` is one of: copy, rule, index, pack (a list or tuple literal),
    constant (the result carries no gradient), effect (a call for its effect
    only), unknown (no derivative rule: must see no value that carries a
    gradient) and refused (``message`` says why; ``always`` when it is refused
    whatever it sees).
    """

    kind: str
    rule: Rule | None = None
    bindings: dict[str, ast.expr] = field(default_factory=dict)   # rule param -> operand
    operands: list[ast.expr] = field(default_factory=list)        # may carry a gradient
    description: str = ""
    seen: list[ast.expr] = field(default_factory=list)     # everything the operation is handed
    mutates: list[str] = field(default_factory=list)       # names whose objects it writes into
    stores: list[str] = field(default_factory=list)        # names it stores into those objects
    message: str = ""
    always: bool = False
    library: bool = False      # a NumPy / math / builtin function: writes into no argument
    positions: list[ast.expr] = field(default_factory=list)   # pack: where each operand goes
    call_args: list[ast.expr] = field(default_factory=list)   # a called rule's arguments
    call_keywords: list[ast.keyword] = field(default_factory=list)
    # An in-place change adtrans differentiates (mutations.py): "list.append",
    # "dict.setitem", "array.setitem", ...; None for those it can only refuse.
    mutation: str | None = None
    # A named function without a rule: register_vjp can give it one.
    registrable: str = ""
    hint: str = ""             # what to write instead, where this is refused (REFUSAL_HINTS)

    def operand_names(self) -> set[str]:
        return _names(self.operands)

    def seen_names(self) -> set[str]:
        return _names(self.seen)


def _names(exprs: list[ast.expr]) -> set[str]:
    return {n.id for e in exprs for n in ast.walk(e) if isinstance(n, ast.Name)}


def walk_assignments(stmts: list[ast.stmt]) -> Iterator[ast.Assign]:
    """The assignments to names (``x = op``) of a core body, nested blocks included."""
    for stmt in stmts:
        if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
            yield stmt
        elif isinstance(stmt, (ast.If, ast.While, ast.For)):
            yield from walk_assignments(stmt.body)
            yield from walk_assignments(stmt.orelse)


def target_name(stmt: ast.Assign) -> str:
    target = stmt.targets[0]
    assert isinstance(target, ast.Name)
    return target.id


def describe(expr: ast.expr) -> str:
    return unparse(expr)


class Classifier:
    """Classifies core statements of one function, given the kinds before each."""

    def __init__(self, src: FunctionSource, local_names: set[str],
                 env_before: dict[int, Env], known: dict[str, object] | None = None
                 ) -> None:
        self.src = src
        self.local_names = local_names
        self.env_before = env_before
        self.env: Env = {}
        self.kinds = KindAnalysis(src, {}, local_names, known)

    # ------------------------------------------------------------ helpers
    def kind(self, expr: ast.expr) -> Kind:
        return self.kinds.expr(expr, self.env)

    def static(self, expr: ast.expr) -> object:
        if isinstance(expr, (ast.Name, ast.Attribute)):
            return self.kinds.resolve(expr)
        return UNRESOLVED

    def error_at(self, stmt: ast.stmt, message: str) -> Exception:
        return self.src.error(stmt, message)

    def mutable(self, exprs: list[ast.expr]) -> list[str]:
        """The names among ``exprs`` whose values could be changed in place."""
        out = []
        for expr in exprs:
            for node in ast.walk(expr):
                if isinstance(node, ast.Name) and not kinds.is_only(self.kind(node), IMMUTABLE):
                    out.append(node.id)
        return out

    # ------------------------------------------------------------ assignments
    def classify(self, stmt: ast.Assign) -> Operation:
        """Say what the core assignment ``stmt`` computes and how it is differentiated."""
        self.env = self.env_before.get(id(stmt), {})
        op = stmt.value
        if isinstance(op, ast.Name):
            if self.static(op) is not UNRESOLVED and op.id not in self.local_names:
                return Operation("constant")
            return Operation("copy", operands=[op], seen=[op], description="copy")
        if isinstance(op, ast.Constant):
            return Operation("constant")
        if isinstance(op, (ast.Compare, ast.BoolOp, ast.JoinedStr)) or (
                isinstance(op, ast.UnaryOp) and isinstance(op.op, (ast.Not, ast.Invert))):
            return self.opaque(stmt, op)
        if isinstance(op, ast.BinOp):
            return self.binop(stmt, op)
        if isinstance(op, ast.UnaryOp):
            return self.operator(stmt, op, [op.operand])
        if isinstance(op, ast.Subscript):
            return self.subscript(stmt, op)
        if isinstance(op, ast.Attribute):
            return self.attribute(stmt, op)
        if isinstance(op, ast.Call):
            operation = self.call(stmt, op)
            if operation.mutation in VALUE_MUTATIONS:
                # v = xs.pop(): the value comes out of the container, and flows like it.
                operation.kind = "mutation"
                operation.operands = [op.func.value]
            return operation
        if isinstance(op, (ast.Tuple, ast.List)):
            return Operation("pack", operands=list(op.elts), seen=list(op.elts),
                             description=describe(op),
                             positions=[ast.Constant(k) for k in range(len(op.elts))])
        if isinstance(op, ast.Dict):
            return Operation("pack", operands=list(op.values), seen=list(op.values),
                             description=describe(op), positions=list(op.keys))
        if isinstance(op, ast.Set):
            return Operation("refused", operands=list(op.elts), seen=list(op.elts),
                             description=describe(op),
                             message="a set of values that carry a gradient has no derivative "
                                     "(sets are unordered); use a list")
        everything = [n for n in ast.walk(op) if isinstance(n, ast.Name)]
        return Operation("unknown", operands=everything, seen=everything,
                         description=describe(op))

    def opaque(self, stmt: ast.stmt, op: ast.expr) -> Operation:
        """Comparisons, `not`, f-strings: values without gradient, evaluated whole."""
        nested = self.nested(op)
        mutates = [n for o in nested for n in o.mutates]
        stores = [n for o in nested for n in o.stores]
        refused = [o for o in nested if o.kind in ("unknown", "refused")]
        if refused:
            first = refused[0]
            return Operation(first.kind, seen=first.seen, description=first.description,
                             message=first.message, always=first.always, mutates=mutates,
                             stores=stores)
        return Operation("constant", mutates=mutates, stores=stores)

    def binop(self, stmt: ast.Assign, op: ast.BinOp) -> Operation:
        if isinstance(op.op, (ast.FloorDiv, ast.BitAnd, ast.BitOr, ast.BitXor, ast.LShift,
                              ast.RShift)):
            return Operation("constant")         # piecewise constant (integers and bools)
        return self.operator(stmt, op, [op.left, op.right])

    def operator(self, stmt: ast.Assign, op: ast.BinOp | ast.UnaryOp,
                 operands: list[ast.expr]) -> Operation:
        operand_kinds = [self.kind(o) for o in operands]
        if kinds.is_only(operand_kinds[0], {kinds.STR}) or (
                len(operands) == 2 and kinds.is_only(operand_kinds[1], {kinds.STR})):
            return Operation("constant")          # formatting or joining text: no number
        meaning = operator_meaning(op.op, operand_kinds)
        what = describe(op)
        container_rule = sequence_operator(op.op, operand_kinds)
        if container_rule is not None:
            return self.from_rule(stmt, container_rule, operands, [], f"`{what}`")
        if meaning != "numeric":
            nature = ("concatenates or repeats lists, tuples or strings" if meaning == "other"
                      else "may mean list concatenation or repetition as well as arithmetic")
            kinds_text = " and ".join(kinds.describe(k) for k in operand_kinds)
            return Operation("refused", operands=operands, seen=operands, description=what,
                             message=f"`{what}` on {kinds_text} {nature}; adtrans "
                                     "differentiates arithmetic on numbers and arrays only "
                                     "(for now)")
        rule = rules.OPERATOR_RULES.get(type(op.op))
        if rule is None:
            return Operation("unknown", operands=operands, seen=operands, description=what)
        return self.from_rule(stmt, rule, operands, [], f"the operator in `{what}`")

    def subscript(self, stmt: ast.Assign, op: ast.Subscript) -> Operation:
        what = describe(op)
        static = self.static(op.value)
        if static is not UNRESOLVED and not (isinstance(op.value, ast.Name)
                                             and op.value.id in self.local_names):
            rule = rules.rule_for_function(static)
            if rule is not None and rule.called:
                return self.index_object(stmt, op, rule)
            index_names = [n for n in ast.walk(op.slice) if isinstance(n, ast.Name)]
            return Operation("unknown", operands=index_names, seen=index_names,
                             description=f"indexing {describe(op.value)}")
        value_kind = self.kind(op.value)
        if kinds.is_only(value_kind, SEQUENCES | kinds.NUMERIC | {kinds.DICT}):
            return Operation("index", operands=[op.value], seen=[op.value], description=what)
        return Operation("refused", operands=[op.value], seen=[op.value], description=what,
                         message=f"cannot tell what indexing {describe(op.value)} "
                                 f"({kinds.describe(value_kind)}) means here")

    def index_object(self, stmt: ast.Assign, op: ast.Subscript, rule: Rule) -> Operation:
        """``np.r_[a, x, 0:3]``: an index object with a called rule, which is called with the
        items (slices as ``slice(...)``); a string directive (``np.r_["0,2", ...]``) is
        refused where a value that carries a gradient is joined."""
        what = describe(op)
        items = list(op.slice.elts) if isinstance(op.slice, ast.Tuple) else [op.slice]
        if any(isinstance(i, ast.Constant) and isinstance(i.value, str) for i in items):
            seen = [n for n in ast.walk(op.slice) if isinstance(n, ast.Name)]
            return Operation("refused", operands=seen, seen=seen, description=what,
                             message=f"`{what}` has a string directive, which adtrans does "
                                     "not differentiate; write np.concatenate / np.stack "
                                     "with np.reshape or np.expand_dims instead")
        args = [ast.Call(func=ast.Name(id="slice", ctx=ast.Load()),
                         args=[i.lower or ast.Constant(None), i.upper or ast.Constant(None),
                               i.step or ast.Constant(None)], keywords=[])
                if isinstance(i, ast.Slice) else i for i in items]
        return self.from_rule(stmt, rule, args, [], f"`{what}`")

    def attribute(self, stmt: ast.Assign, op: ast.Attribute) -> Operation:
        if self.static(op) is not UNRESOLVED:
            return Operation("constant")
        category, rule = attribute_category(op.attr, self.kind(op.value))
        if category == "constant":
            return Operation("constant")
        if category == "rule":
            return self.from_rule(stmt, rule, [op.value], [], f"`{describe(op)}`")
        return Operation("unknown", operands=[op.value], seen=[op.value],
                         description=f"the attribute .{op.attr}")

    # ------------------------------------------------------------ calls
    def callee(self, call: ast.Call) -> tuple[Callee | None, ast.expr | None]:
        """The callee's classification and, for a method, its receiver."""
        func = call.func
        function = self.static(func)
        if isinstance(func, ast.Attribute):
            receiver_static = self.static(func.value)
            local_receiver = receiver_static is UNRESOLVED
            if local_receiver or not _is_module(receiver_static):
                receiver_kind = self.kind(func.value)
                if function is not UNRESOLVED and not local_receiver and \
                        not isinstance(receiver_static, (list, dict, set, np.ndarray)):
                    callee = static_callee(function)
                    if callee.category == "rule":
                        # A library object's bound method with a rule (scipy.stats.norm.
                        # logpdf): its receiver is bound in, not an argument of the rule.
                        return callee, None
                    if callee.category in ("library", "unknown") and \
                            func.attr in _MUTATING_NAMES:
                        callee = Callee("mutating", callee.name)
                    return callee, func.value
                return method_callee(func.attr, receiver_kind), func.value
        if function is not UNRESOLVED:
            return static_callee(function), None
        return None, None

    def call(self, stmt: ast.Assign | ast.Expr, call: ast.Call) -> Operation:
        callee, receiver = self.callee(call)
        args = list(call.args)
        keywords = [k for k in call.keywords]
        values = args + [k.value for k in keywords]
        seen = ([receiver] if receiver is not None else []) + values
        what = describe(call)
        written = self.written_by_out(call, callee)
        if callee is None:
            return Operation("unknown", operands=[call.func, *values],
                             seen=[call.func, *values],
                             description=f"a call of the local value {describe(call.func)}",
                             mutates=self.mutable([call.func, *values]),
                             stores=_name_list(values))
        category = callee.category
        if category == "implicit":
            return Operation("refused", seen=seen, description=what, always=True,
                             message=f"{callee.name}() reads or writes the function's "
                                     "variables without naming them, so adtrans cannot know "
                                     "what it touches; write the expression out")
        if category == "higher_order":
            return Operation("refused", seen=seen, description=what, always=True,
                             message=f"{callee.name} is a gradient function made by adtrans; "
                                     "differentiating through it (higher-order derivatives) "
                                     "is not supported yet")
        if written:
            return Operation("refused" if category == "rule" else "effect", seen=seen,
                             description=what, mutates=written, stores=_name_list(values),
                             message=f"{what} writes its result into an existing array "
                                     "(out=...); drop out= and assign the result instead")
        if category == "rule" and len(args) == 1 and not keywords and \
                id(self.static(call.func)) in PIECEWISE_CONSTANT_ALONE:
            return Operation("constant", seen=seen)   # np.where(c) is np.nonzero(c): indices
        if category == "rule":
            operands = ([receiver] if receiver is not None else []) + args
            return self.from_rule(stmt, callee.rule, operands, keywords, f"`{what}`")
        if category == "constant":
            return Operation("constant", seen=seen)
        if category == "effect_free":
            return Operation("effect", seen=seen)
        if category == "mutating":
            if receiver is not None and callee.position is None:
                mutated, stored = [receiver], values
            else:
                position = callee.position or 0
                mutated = args[position:position + 1]
                stored = args[:position] + args[position + 1:] + [k.value for k in keywords]
            mutation = None
            if receiver is not None and isinstance(receiver, ast.Name) and \
                    callee.position is None:
                mutation = supported_mutation(call.func.attr, self.kind(receiver), call)
            return Operation("effect", seen=seen, description=what, mutation=mutation,
                             mutates=_name_list(mutated), stores=_name_list(stored),
                             hint=self.hint(call))
        library = category == "library"
        description = (f"{callee.name}" if library or receiver is None
                       else f"the method {callee.name}")
        if category == "python":
            description = (f"the Python function {callee.name} (adtrans inlines functions of "
                           "the user's own code, not of installed packages)")
        mutates = [] if library else self.mutable(seen)
        # An unknown function may write any value it is given into any mutable one.
        stores = _name_list(seen) if mutates else []
        hint = rules.registry.library_advice(self.static(call.func), call.func.attr if
                                             isinstance(call.func, ast.Attribute) else "")
        if hint:        # a library's own advice (frozen scipy.stats distributions)
            return Operation("refused", seen=seen, description=description, message=hint,
                             mutates=mutates, stores=stores)
        return Operation("unknown", operands=seen, seen=seen, description=description,
                         mutates=mutates, stores=stores, library=library,
                         registrable=callee.name if receiver is None else "",
                         hint=self.hint(call) if receiver is None else "")

    def hint(self, call: ast.Call) -> str:
        """What to write instead of a call of this function, where it is refused."""
        function = self.static(call.func)
        return "" if function is UNRESOLVED else REFUSAL_HINTS.get(id(function), "")

    def written_by_out(self, call: ast.Call, callee: Callee | None) -> list[str]:
        """Names an ``out=`` argument (or a ufunc's extra positional one) writes into."""
        out: list[ast.expr] = [k.value for k in call.keywords if k.arg == "out"
                               and not (isinstance(k.value, ast.Constant)
                                        and k.value.value is None)]
        function = self.static(call.func)
        if isinstance(function, np.ufunc) and len(call.args) > function.nin:
            out += call.args[function.nin:]
        return _name_list(out)

    def from_rule(self, stmt: ast.stmt, rule: Rule, args: list[ast.expr],
                  keywords: list[ast.keyword], what: str) -> Operation:
        values = list(args) + [k.value for k in keywords]
        if any(kinds.COMPLEX in kinds.heads(self.kind(v)) for v in values):
            return Operation("refused", seen=values, description=what,
                             message=f"{what} is given a complex number, and complex numbers "
                                     "are not supported yet; keep to real numbers (np.hypot, "
                                     "np.arctan2 for moduli and angles)")
        if rule.called:
            # Called with the call's own arguments; one cotangent per positional one.
            # Keyword values count as operands: a varied one is refused (adjoints.py).
            return Operation("rule", rule, operands=list(args) + [k.value for k in keywords],
                             description=what,
                             seen=list(args) + [k.value for k in keywords],
                             call_args=list(args), call_keywords=list(keywords))
        bindings = bind_arguments(self.src, stmt, rule, args, keywords, what)
        operands = [bindings[p] for p, template in zip(rule.differentiable, rule.templates,
                                                       strict=True)
                    if not (isinstance(template, ast.Constant) and template.value is None)]
        return Operation("rule", rule, bindings, operands, what,
                         seen=list(args) + [k.value for k in keywords])

    # ------------------------------------------------------------ statements and nesting
    def classify_store(self, stmt: ast.Assign) -> Operation:
        """``y[i] = v``: an in-place change of ``y``."""
        self.env = self.env_before.get(id(stmt), {})
        target = stmt.targets[0]
        index_names = [n for n in ast.walk(target.slice) if isinstance(n, ast.Name)]
        return Operation("effect", seen=[target.value, stmt.value, *index_names],
                         description=describe(stmt), mutates=[target.value.id],
                         stores=_name_list([stmt.value]),
                         mutation=supported_mutation("setitem", self.kind(target.value),
                                                     target.slice))

    def classify_delete(self, stmt: ast.Delete) -> Operation:
        """``del y[i]``: an in-place change of ``y``."""
        self.env = self.env_before.get(id(stmt), {})
        target = stmt.targets[0]
        return Operation("effect", seen=[target.value], description=describe(stmt),
                         mutates=[target.value.id],
                         mutation=supported_mutation("delitem", self.kind(target.value),
                                                     target.slice))

    def classify_effect(self, stmt: ast.Expr) -> Operation:
        """A statement that is only an expression (``xs.append(x)``, ``print(x)``)."""
        self.env = self.env_before.get(id(stmt), {})
        if isinstance(stmt.value, ast.Call):
            return _as_effect(self.call(stmt, stmt.value))
        return self.opaque(stmt, stmt.value)

    def nested(self, expr: ast.expr) -> list[Operation]:
        """The calls inside an expression evaluated whole (a condition, a comparison)."""
        found = []
        for node in ast.walk(expr):
            if isinstance(node, (ast.Lambda, ast.ListComp, ast.GeneratorExp, ast.DictComp,
                                 ast.SetComp)):
                continue
            if isinstance(node, ast.Call):
                found.append(_as_effect(self.call(ast.Expr(value=node), node)))
        return found

    def nested_operations(self, stmt: ast.stmt, expr: ast.expr) -> list[Operation]:
        self.env = self.env_before.get(id(stmt), {})
        return self.nested(expr)


_MUTATING_NAMES = {"append", "extend", "insert", "pop", "remove", "clear", "reverse", "sort",
                   "update", "setdefault", "popitem", "fill", "put", "itemset", "resize",
                   "partition"}


# Changes whose call has a value: it flows out of the container (v = xs.pop()).
VALUE_MUTATIONS = {"list.pop", "dict.pop", "dict.setdefault"}

# In-place changes adtrans differentiates, by the receiver's kind (mutations.py).
SUPPORTED_MUTATIONS = {
    kinds.LIST: {"append", "extend", "insert", "pop", "reverse", "remove", "clear",
                 "setitem", "delitem"},
    kinds.DICT: {"update", "pop", "setdefault", "clear", "setitem", "delitem"},
    kinds.ARRAY: {"setitem"},
}


def supported_mutation(method: str, receiver: Kind, node: ast.AST | None = None) -> str | None:
    """``"list.append"`` and the like, where adtrans can differentiate the change."""
    for head, methods in SUPPORTED_MUTATIONS.items():
        if kinds.is_only(receiver, {head}) and method in methods:
            if head == kinds.LIST and method in ("setitem", "delitem") and \
                    isinstance(node, ast.Slice):
                return None                    # slices change a list's length: not yet
            if isinstance(node, ast.Call) and any(k.arg is None for k in node.keywords):
                return None
            return f"{head}.{method}"
    return None


def _as_effect(operation: Operation) -> Operation:
    """A call whose value no gradient flows through (a statement, part of a condition).

    Any callee without a rule is then harmless, unless it may write into a value
    (``mutates``, checked against what carries a gradient and what the backward
    sweep needs) or is refused whatever it sees.
    """
    if operation.kind in ("rule", "constant", "unknown"):
        return Operation("effect", seen=operation.seen, description=operation.description,
                         mutates=operation.mutates, stores=operation.stores)
    return operation


def _is_module(value: object) -> bool:
    return isinstance(value, (types.ModuleType, type))


def _name_list(exprs: list[ast.expr]) -> list[str]:
    return [n.id for e in exprs for n in ast.walk(e) if isinstance(n, ast.Name)]


def sequence_operator(op: ast.AST, operand_kinds: list[Kind]) -> Rule | None:
    """The rule of ``+`` on two lists or tuples, or ``*`` of one and an int, if that is it."""
    from .rules.containers import CONCAT, REPEAT
    if len(operand_kinds) != 2:
        return None
    left, right = operand_kinds
    sequences = {kinds.LIST, kinds.TUPLE}
    if isinstance(op, ast.Add) and kinds.is_only(left, sequences) and \
            kinds.heads(left) == kinds.heads(right) and len(kinds.heads(left)) == 1:
        return CONCAT
    counts = {kinds.INT, kinds.BOOL}
    if isinstance(op, ast.Mult) and (
            kinds.is_only(left, sequences) and kinds.is_only(right, counts)
            or kinds.is_only(right, sequences) and kinds.is_only(left, counts)):
        return REPEAT
    return None


def operator_meaning(op: ast.AST, operand_kinds: list[Kind]) -> str:
    """'numeric' where the operator is arithmetic whatever the values turn out to be (or
    raises TypeError), 'other' where it concatenates, repeats or formats, 'ambiguous'
    where either may be.

    Among Python's own types only ``+`` (two lists, tuples or strings), ``*`` (one of
    those and an int) and ``%`` (a string on the left) mean something else; an object
    of unknown type may define any operator.
    """
    if all(kinds.is_numeric(k) for k in operand_kinds):
        return "numeric"
    if len(operand_kinds) == 1:
        return "ambiguous" if _may_define_operators(operand_kinds[0]) else "numeric"
    left, right = operand_kinds
    # An array operand makes NumPy handle the operator (lists become arrays); a float
    # operand leaves arithmetic or a TypeError, except `"%.2f" % x`.
    if kinds.is_only(left, {kinds.ARRAY}) or kinds.is_only(right, {kinds.ARRAY}):
        return "numeric"
    if _may_define_operators(left) or _may_define_operators(right):
        floats = kinds.is_only(left, {kinds.FLOAT}) or kinds.is_only(right, {kinds.FLOAT})
        return "numeric" if floats and not isinstance(op, ast.Mod) else "ambiguous"
    texts = {kinds.LIST, kinds.TUPLE, kinds.STR}
    counts = {kinds.INT, kinds.BOOL}
    if isinstance(op, ast.Add):
        other = bool(kinds.heads(left) & kinds.heads(right) & texts)
    elif isinstance(op, ast.Mult):
        other = bool(kinds.heads(left) & texts and kinds.heads(right) & counts
                     or kinds.heads(right) & texts and kinds.heads(left) & counts)
    elif isinstance(op, ast.Mod):
        other = kinds.may_be(left, kinds.STR)
    else:
        other = False
    if not other:
        return "numeric"
    if not any(kinds.heads(k) & (kinds.NUMERIC - counts) for k in operand_kinds) and \
            not (kinds.heads(left) & counts and kinds.heads(right) & counts):
        return "other"
    return "ambiguous"


def _may_define_operators(kind: Kind) -> bool:
    """Whether a value of this kind may be an object with operators of its own."""
    return kinds.may_be(kind, kinds.OBJECT, kinds.CALLABLE)



