"""Refuse, with a source location, every operation adtrans does not understand.

The closed world's enforcement: analysis.py classifies each operation, this
module raises ``AdtransError`` where one would otherwise be dropped or treated
as a constant while it could touch a value that carries a gradient:

* an operation without a derivative rule that sees a *varied* value (one
  that depends on an input being differentiated), as an argument, keyword,
  receiver or element of a container;
* an operation refused whatever it sees (``eval``, ``locals``, a gradient
  function adtrans made);
* an in-place change (``xs.append``, ``y.sort()``, ``out=``, a call of an
  unknown function given a mutable value) of a varied value, of a parameter's
  object (the caller's data), or of any value the backward sweep still reads
  (it would read the changed value).  "May share memory" is answered by
  aliasing.py's classes, so ``v = y; v.fill(0)`` counts as a change of ``y``.
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Iterator

from .aliasing import observers
from .analysis import Operation
from .source import FunctionSource


def statements(stmts: list[ast.stmt]) -> Iterator[ast.stmt]:
    for stmt in stmts:
        yield stmt
        if isinstance(stmt, (ast.If, ast.While, ast.For)):
            yield from statements(stmt.body)
            yield from statements(stmt.orelse)


def _quote(names: list[str] | set[str]) -> str:
    return ", ".join(f"`{n}`" for n in sorted(set(names)))


def _loads(node: ast.AST) -> Counter[str]:
    return Counter(n.id for n in ast.walk(node) if isinstance(n, ast.Name)
                   and isinstance(n.ctx, ast.Load))


def check_operations(src: FunctionSource, body: list[ast.stmt],
                     operations: dict[int, list[Operation]], varied: set[str],
                     relations: tuple[dict[str, set[str]], dict[str, set[str]]]) -> None:
    """Refuse operations that see a varied value without a rule, and the always-refused.

    An in-place change that stores a varied value is harmless only where nothing
    in the function reads the changed object again (``history.append(loss)`` into
    a module-level list): then the result cannot depend on it.
    """
    everywhere: Counter[str] = Counter()
    for stmt in statements(body):
        if not isinstance(stmt, (ast.If, ast.While, ast.For)):
            everywhere += _loads(stmt)
        elif not isinstance(stmt, ast.For):
            everywhere += _loads(stmt.test)
    for stmt in statements(body):
        for operation in operations.get(id(stmt), []):
            seen = operation.seen_names() & varied
            if operation.kind == "refused" and (operation.always or seen):
                raise src.error(stmt, operation.message)
            if operation.kind == "unknown" and seen:
                if operation.hint:
                    raise src.error(stmt, f"adtrans has no derivative rule for "
                                          f"{operation.description}, and it is given "
                                          f"{_quote(seen)}, which depends on the input being "
                                          f"differentiated: {operation.hint}")
                raise src.error(stmt, f"adtrans has no derivative rule for "
                                      f"{operation.description}, and it is given "
                                      f"{_quote(seen)}, which depends on the input being "
                                      "differentiated; use a supported function "
                                      "(adtrans.supported() lists them), "
                                      + (f"give it a rule with @adtrans.register_vjp("
                                         f"{operation.registrable}), "
                                         if operation.registrable else
                                         "put the call in a function of your own and give "
                                         "that a rule with @adtrans.register_vjp, ")
                                      + "or wrap the value in adtrans.stop_gradient(...) if it "
                                        "needs no gradient")
            changed = set(operation.mutates) | set(operation.stores)
            if changed & varied and operation.mutation is None and \
                    not _never_read_again(operation, stmt, relations, everywhere):
                what = operation.description or "this call"
                instead = operation.hint or ("build a new list or array instead (xs = xs + "
                                             "[x], y = np.where(...))")
                raise src.error(stmt, f"{what} changes {_quote(set(operation.mutates))} in "
                                      f"place, and {_quote(changed & varied)} depends on the "
                                      "input being differentiated; in-place changes of such "
                                      f"values are not supported yet: {instead}")


def _never_read_again(operation: Operation, stmt: ast.stmt,
                      relations: tuple[dict[str, set[str]], dict[str, set[str]]],
                      everywhere: Counter[str]) -> bool:
    """Whether nothing but this statement reads what ``operation`` changes in place (or
    anything through which the change could be seen)."""
    here = _loads(stmt) if not isinstance(stmt, (ast.If, ast.While)) else _loads(stmt.test)
    for name in operation.mutates:
        for other in observers(name, *relations):
            if everywhere[other] - here[other] > 0:
                return False
    return bool(operation.mutates)


# Changes that keep a list's or an array's length: a loop over it reads each element as
# Python's iterator does, by position, so writing elements as it goes is fine.
KEEP_LENGTH = {"array.setitem", "list.setitem", "list.reverse"}


def check_mutation(src: FunctionSource, stmt: ast.stmt, operation: Operation,
                   relations: tuple[dict[str, set[str]], dict[str, set[str]]],
                   protected: set[str], params: set[str], walked: set[str],
                   derived: dict[str, set[str]], fresh: frozenset[str] = frozenset()) -> None:
    """Refuse an in-place change of a parameter's object, of a value still needed, or of
    a sequence an enclosing loop walks.

    ``protected`` holds the names whose current values the backward sweep reads
    (at this statement, or from a tape); ``walked`` the sequences of the loops
    around the statement (adtrans takes their length once, Python does not);
    ``derived`` for each name the names whose objects its value may be part of;
    ``fresh`` the names surely holding a copy made in the body here (fresh_objects.py):
    changing such a name's object changes no argument, but its items, taken out of a
    shallow copy, still are the caller's (``derived`` keeps those).
    """
    same, holds = relations
    for name in operation.mutates:
        shared = observers(name, same, holds)
        touched = shared & walked
        if touched and operation.mutation not in KEEP_LENGTH:
            raise src.error(stmt, f"{operation.description or 'this call'} changes "
                                  f"{_quote(touched)} while a loop iterates over it; iterate "
                                  "over a copy (`for x in list(xs):`) or over an index")
        touched = (({name} - fresh) | derived.get(name, set())) & params
        if touched and name not in touched:
            raise src.error(stmt, f"{operation.description or 'this call'} changes "
                                  f"`{name}` in place, which may be (part of) the argument "
                                  f"{_quote(touched)}: that would change the caller's data "
                                  "(a copy of a list or dict still holds the caller's "
                                  f"arrays); change a copy (`{name} = {name}.copy()`)")
        if touched:
            raise src.error(stmt, f"{operation.description or 'this call'} changes the "
                                  f"argument {_quote(touched)} in place, which would change "
                                  "the caller's data; work on a copy "
                                  f"(`{sorted(touched)[0]} = {sorted(touched)[0]}.copy()`)")
        touched = shared & protected
        if touched:
            raise src.error(stmt, f"{operation.description or 'this call'} changes "
                                  f"{_quote(touched)} in place, but the backward sweep still "
                                  "needs its earlier value; change a copy instead")
