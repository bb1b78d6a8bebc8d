"""Dead-store elimination for the backward sweep: drop ``d_x = None`` nothing reads.

The backward sweep resets an adjoint to None when the assignment it belongs to
has been passed (its value starts anew); where no later statement reads it,
the reset is noise.  A backward liveness pass over structured code, iterating
loops to a fixpoint.
"""

from __future__ import annotations

import ast

from .astutil import names_read


def eliminate_dead_resets(stmts: list[ast.stmt], adjoint_names: set[str],
                          live_out: set[str]) -> list[ast.stmt]:
    """Drop ``d_x = None`` statements whose value no later statement reads."""
    code, _ = _dse(stmts, adjoint_names, set(live_out))
    return code


def _dse(stmts: list[ast.stmt], names: set[str], live: set[str]
         ) -> tuple[list[ast.stmt], set[str]]:
    out: list[ast.stmt] = []
    for stmt in reversed(stmts):
        if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
            target = stmt.targets[0].id
            is_reset = isinstance(stmt.value, ast.Constant) and stmt.value.value is None
            if is_reset and target in names and target not in live:
                continue
            live = (live - {target}) | names_read(stmt.value)
            out.append(stmt)
        elif isinstance(stmt, ast.If):
            body, live_body = _dse(stmt.body, names, live)
            orelse, live_else = _dse(stmt.orelse, names, live)
            live = live_body | live_else | names_read(stmt.test)
            out.append(ast.If(test=stmt.test, body=body or [ast.Pass()], orelse=orelse))
        elif isinstance(stmt, (ast.For, ast.While)):
            head = set(live)
            while True:
                body, live_body = _dse(stmt.body, names, head)
                new_head = live | live_body
                if new_head == head:
                    break
                head = new_head
            live = head | names_read(stmt.iter if isinstance(stmt, ast.For) else stmt.test)
            fields = {f: getattr(stmt, f) for f in stmt._fields}
            fields["body"] = body or [ast.Pass()]
            out.append(type(stmt)(**fields))
        else:
            live = live | names_read(stmt)
            out.append(stmt)
    out.reverse()
    return out, live
