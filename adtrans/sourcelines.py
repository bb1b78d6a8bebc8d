"""The lines of a ``def``, found quickly: a transform's first call need not tokenize.

``inspect.getsourcelines`` tokenizes the file from the definition on (and compiles
its tokenizer's regular expressions on first use): most of a cold transform's time.
A ``def``'s block is the decorator and header lines from ``co_firstlineno`` and then
every line that is blank or indented deeper than the header.  When that cut is wrong
(a string or bracket running back to the header's column), the text does not parse,
and callers fall back to ``inspect``.
"""

from __future__ import annotations

import ast
import linecache
import textwrap
from collections.abc import Callable
from typing import Any


def def_module(function: Callable[..., Any]) -> tuple[ast.Module, int] | None:
    """``function``'s ``def`` (decorators included) parsed from its dedented lines, and
    the number of its first line; None where this quick way cannot be sure: lambdas, no
    file, text that does not parse."""
    code = getattr(function, "__code__", None)
    if code is None or function.__name__ == "<lambda>":
        return None
    lines = linecache.getlines(code.co_filename, getattr(function, "__globals__", None))
    start = code.co_firstlineno - 1
    if not lines or start >= len(lines):
        return None
    indent = _indent(lines[start])
    header = start
    while header < len(lines) and not lines[header].lstrip().startswith(("def ", "async def ")):
        header += 1                   # decorator lines
    end = header + 1
    while end < len(lines):
        line = lines[end]
        if line.strip() and _indent(line) <= indent:
            break
        end += 1
    block = lines[start:end]
    while block and not block[-1].strip():
        block.pop()
    try:
        tree = ast.parse(textwrap.dedent("".join(block)))
    except SyntaxError:
        return None
    defs = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    if len(tree.body) != 1 or not defs or defs[0].name != function.__name__:
        return None
    return tree, start + 1


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())

