"""docs/rules.md, generated from the rule table: each entry, its differentiable
arguments and its formula.

``python -m adtrans.rules.catalog > docs/rules.md`` writes it; a test fails when
the file and the table disagree.  A template rule's formula is its cotangent
expressions as written in the rule (``g`` the cotangent of the result, ``ans``
the result); a called rule's is the first paragraph of its docstring.
"""

from __future__ import annotations

import ast
import inspect

from ..printing import unparse
from . import registry

HEADER = """# The rule table

Generated from `adtrans/rules/` by `python -m adtrans.rules.catalog > docs/rules.md`;
a test fails when this file is out of date.

For each entry: the differentiable arguments and the cotangent each receives.
`g` is the cotangent of the result and `ans` the result. *Template* rules are
inlined into generated code as written here; *called* rules are functions that
generated code calls by name (their work depends on run-time structure), given
here by what they do. *linear* marks primitives linear in their differentiable
arguments (forward mode applies them to the tangents).

Functions adtrans knows to have no derivative (piecewise constant, such as
`np.floor` and `np.argmax`) are not listed; `adtrans.supported()` lists this table.
"""


def _entries() -> list[tuple[str, registry.Rule]]:
    """(supported() name, rule) for every entry of the table."""
    registry.load_optional_rules(installed=True)
    entries = []
    for key, primitive in registry.PRIMITIVES.items():
        entries.append((registry.display_name(primitive), registry.FUNCTION_RULES[key]))
    entries += [(f"ndarray.{m}()", rule) for m, rule in registry.METHOD_RULES.items()]
    entries += [(f"{kind}.{m}()", rule)
                for (kind, m), rule in registry.CONTAINER_METHOD_RULES.items()]
    entries += [(f"ndarray.{a}", rule) for a, rule in registry.ATTRIBUTE_RULES.items()]
    entries += [(f"operator {op.__name__}", rule)
                for op, rule in registry.OPERATOR_RULES.items()]
    return sorted(entries, key=lambda entry: entry[0])


def _summary(rule: registry.Rule) -> str:
    doc = inspect.getdoc(rule.function) or ""
    return " ".join(doc.split("\n\n")[0].split()) or f"`{rule.name}`"


def _row(name: str, rule: registry.Rule) -> str:
    flags = " (linear)" if rule.linear else ""
    if rule.called:
        params = [p for p in inspect.signature(rule.function).parameters][2:]
        arguments = ", ".join(f"`{p}`" for p in params)
        return f"| `{name}`{flags} | {arguments} | called `{rule.name}`: {_summary(rule)} |"
    # Parameters whose template is None (logsumexp's axis, np.heaviside's x) have none.
    pairs = [(param, template) for param, template in zip(rule.differentiable,
                                                          rule.templates, strict=True)
             if not (isinstance(template, ast.Constant) and template.value is None)]
    formulas = "<br>".join(f"`{param}`: `{unparse(template)}`".replace("|", "\\|")
                           for param, template in pairs)
    arguments = ", ".join(f"`{p}`" for p, _ in pairs)
    return f"| `{name}`{flags} | {arguments} | {formulas} |"


def render() -> str:
    """The text of docs/rules.md."""
    lines = [HEADER, "| entry | differentiable arguments | cotangent |", "|---|---|---|"]
    lines += [_row(name, rule) for name, rule in _entries()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    import sys

    from .. import rules  # noqa: F401  (registers every rule)
    sys.stdout.write(render())
