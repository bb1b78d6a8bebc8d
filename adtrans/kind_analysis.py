"""The kinds analysis: a forward pass over the core form, joining at merges.

``analyse`` returns, for each core statement, the environment (variable ->
kind, see kinds.py) before it.  Parameters start with the kinds of the
arguments being compiled for; loops are iterated to a fixpoint (container
nesting is cut at a fixed depth, so one is reached).
"""

from __future__ import annotations

import ast
from typing import Any

from .kinds import (
    ARRAY,
    BOOL,
    DICT,
    INT,
    LIST,
    NUMERIC,
    STR,
    TOP,
    Kind,
    attribute,
    binop,
    constant,
    container,
    dict_of,
    elements,
    join,
    kind_of,
    method_call,
    of,
    static_call,
    subscript,
    tuple_of,
    unaryop,
)
from .rules.registry import FUNCTION_RULES
from .source import UNRESOLVED, FunctionSource

# ---------------------------------------------------------------- the analysis
Env = dict[str, Kind]


def join_envs(a: Env, b: Env) -> Env:
    out = dict(a)
    for name, kind in b.items():
        out[name] = join(out[name], kind) if name in out else kind
    return out


class KindAnalysis:
    """Forward analysis over a core body; ``before[id(stmt)]`` is the environment there."""

    def __init__(self, src: FunctionSource, params: Env, local_names: set[str],
                 known: dict[str, Any] | None = None) -> None:
        self.src = src
        self.params = params
        self.local_names = local_names
        self.known = known or {}         # names generated code binds (renamed builtins)
        self.before: dict[int, Env] = {}

    def run(self, body: list[ast.stmt]) -> dict[int, Env]:
        self.block(body, dict(self.params))
        return self.before

    def block(self, stmts: list[ast.stmt], env: Env) -> Env:
        for stmt in stmts:
            env = self.statement(stmt, env)
        return env

    def statement(self, stmt: ast.stmt, env: Env) -> Env:
        previous = self.before.get(id(stmt))
        self.before[id(stmt)] = env if previous is None else join_envs(previous, env)
        if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
            env = self.changed(stmt.value, env)          # xs.pop(), d.setdefault(k, v)
            return {**env, stmt.targets[0].id: self.expr(stmt.value, env)}
        if isinstance(stmt, ast.Assign):                 # y[i] = v
            target = stmt.targets[0]
            return self.stored(target.value.id, target.slice, self.expr(stmt.value, env), env)
        if isinstance(stmt, ast.Expr):
            return self.changed(stmt.value, env)
        if isinstance(stmt, ast.If):
            return join_envs(self.block(stmt.body, env), self.block(stmt.orelse, env))
        if isinstance(stmt, (ast.While, ast.For)):
            head_env = dict(env)
            if isinstance(stmt, ast.For):
                head_env[stmt.target.id] = of(INT)
            while True:
                after = self.block(stmt.body, head_env)
                joined = join_envs(head_env, after)
                if joined == head_env:
                    break
                head_env = joined
            self.before[id(stmt)] = head_env
            return head_env
        return env

    def stored(self, name: str, index: ast.expr | None, value: Kind, env: Env) -> Env:
        """The environment after storing a value of kind ``value`` into ``name``."""
        if name not in env:
            return env
        out = []
        for atom in env[name]:
            head = atom[0] if isinstance(atom, tuple) else atom
            if head == LIST:
                out.append(container(LIST, join(atom[1], value)))
            elif head == DICT:
                known = dict(atom[2]) if len(atom) > 2 and atom[2] is not None else None
                if known is not None and isinstance(index, ast.Constant):
                    known[index.value] = value
                elif known is not None:
                    known = None
                out.append(dict_of(known, join(atom[1], value)))
            else:
                out.append(of(atom))
        return {**env, name: join(*out)}

    def changed(self, node: ast.expr, env: Env) -> Env:
        """The environment after a method that stores values into its receiver."""
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id in env):
            return env
        name, method, args = node.func.value.id, node.func.attr, node.args
        if method == "append" and args:
            return self.stored(name, None, self.expr(args[0], env), env)
        if method == "insert" and len(args) == 2:
            return self.stored(name, None, self.expr(args[1], env), env)
        if method == "extend" and args:
            return self.stored(name, None, elements(self.expr(args[0], env)), env)
        if method == "setdefault" and len(args) == 2:
            return self.stored(name, args[0], self.expr(args[1], env), env)
        if method == "update":
            values = [elements(self.expr(a, env)) for a in args]
            values += [self.expr(k.value, env) for k in node.keywords]
            return self.stored(name, None, join(*values), env) if values else env
        return env

    def expr(self, node: ast.expr, env: Env) -> Kind:
        if isinstance(node, ast.Constant):
            return constant(node.value)
        if isinstance(node, ast.Name):
            if node.id in env:
                return env[node.id]
            return self.static(node)
        if isinstance(node, ast.Attribute):
            static = self.static(node)
            if static is not None and static != TOP:
                return static
            return attribute(self.expr(node.value, env), node.attr)
        if isinstance(node, ast.Subscript):
            if self.joins(node):
                return of(ARRAY)
            return subscript(self.expr(node.value, env), node.slice)
        if isinstance(node, ast.BinOp):
            return binop(node.op, self.expr(node.left, env), self.expr(node.right, env))
        if isinstance(node, ast.UnaryOp):
            return unaryop(node.op, self.expr(node.operand, env))
        if isinstance(node, ast.Compare):
            return of(BOOL, ARRAY)
        if isinstance(node, ast.BoolOp):
            return join(*(self.expr(v, env) for v in node.values))
        if isinstance(node, ast.Tuple):
            return tuple_of([self.expr(e, env) for e in node.elts])
        if isinstance(node, ast.List):
            return container(LIST, join(*(self.expr(e, env) for e in node.elts)))
        if isinstance(node, ast.Dict):
            if all(isinstance(k, ast.Constant) for k in node.keys):
                return dict_of({k.value: self.expr(v, env)
                                for k, v in zip(node.keys, node.values, strict=True)})
            return dict_of(None, join(*(self.expr(v, env) for v in node.values)))
        if isinstance(node, ast.JoinedStr):
            return of(STR)
        if isinstance(node, ast.Call):
            return self.call(node, env)
        return TOP

    def joins(self, node: ast.Subscript) -> bool:
        """Whether ``node`` indexes an index object with a rule (np.r_, np.c_), which gives an
        array unless a string directive asks for a matrix."""
        if not isinstance(node.value, (ast.Name, ast.Attribute)):
            return False
        value = self.resolve(node.value)
        items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        return value is not UNRESOLVED and id(value) in FUNCTION_RULES and not any(
            isinstance(i, ast.Constant) and isinstance(i.value, str) for i in items)

    def resolve(self, node: ast.expr) -> Any:
        if isinstance(node, ast.Name) and node.id in self.known:
            return self.known[node.id]
        return self.src.resolve(node, self.local_names, self.known)

    def static(self, node: ast.expr) -> Kind:
        value = self.resolve(node)
        if value is UNRESOLVED:
            return TOP
        return kind_of(value)

    def call(self, node: ast.Call, env: Env) -> Kind:
        func = node.func
        args = [self.expr(a, env) for a in node.args]
        if isinstance(func, (ast.Name, ast.Attribute)):
            function = self.resolve(func)
            if function is not UNRESOLVED:
                return static_call(function, args)
        if isinstance(func, ast.Attribute):
            return method_call(self.expr(func.value, env), func.attr, args, node.args)
        return TOP


def analyse(src: FunctionSource, body: list[ast.stmt], params: Env, local_names: set[str],
            known: dict[str, Any] | None = None) -> dict[int, Env]:
    """Environment (variable -> kind) before each core statement of ``body``."""
    return KindAnalysis(src, params, local_names, known).run(body)


def numeric_parameters(names: list[str]) -> Env:
    """The kinds assumed when no argument is at hand: every parameter a number or array."""
    return {name: NUMERIC for name in names}
