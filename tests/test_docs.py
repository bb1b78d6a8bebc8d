"""The documentation's Python examples run, and print what their comments say.

Each ```python block of README.md and docs/*.md runs in order, the blocks of a
file sharing one namespace (as a reader pasting them into one script would).
A block is written to a file first: adtrans reads functions' source from their
file.  ``print(expr)  # value`` lines are checked: where the comment is a value
(a number, a list, a NumPy array as NumPy prints it), ``expr`` must equal it to
the printed digits.  A block headed by ``<!-- docs-test: skip (why) -->`` is an
illustration that must not run (it would change adtrans's rule table).
"""

from __future__ import annotations

import ast
import re
import textwrap
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<lang>\w*)[ \t]*$")
SKIP = "<!-- docs-test: skip"
NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"


def python_blocks(path: Path) -> list[tuple[int, str]]:
    """(first line, source) of each ```python block of ``path`` that is not marked skip."""
    lines = path.read_text().splitlines()
    blocks: list[tuple[int, str]] = []
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        end = index + 1
        while end < len(lines) and not FENCE.match(lines[end]):
            end += 1
        skipped = index > 0 and lines[index - 1].strip().startswith(SKIP)
        if opening["lang"] == "python" and not skipped:
            body = textwrap.dedent("\n".join(lines[index + 1:end]))
            blocks.append((index + 2, body + "\n"))
        index = end + 1
    return blocks


def expected_value(comment: str):
    """The value a ``# comment`` states, or None where it is prose."""
    text = comment.strip()
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        pass
    if re.fullmatch(rf"\[\s*(?:{NUMBER}\s*)+\]", text):       # a NumPy array, printed
        return np.array([float(n) for n in re.findall(NUMBER, text)])
    return None


def digits(text: str) -> float:
    """Half a unit in the last printed digit of the least precise number in ``text``."""
    places = [len(n.split(".")[1].split("e")[0].split("E")[0]) if "." in n else 0
              for n in re.findall(NUMBER, text)]
    return 0.5 * 10.0 ** -min(places, default=0)


class Checked(ast.NodeTransformer):
    """``print(expr)  # value`` becomes a check that ``expr`` prints as ``value``."""

    def __init__(self, comments: dict[int, str]) -> None:
        self.comments = comments
        self.count = 0

    def visit_Expr(self, node: ast.Expr) -> ast.stmt:
        call = node.value
        comment = self.comments.get(node.lineno)
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and \
                call.func.id == "print" and len(call.args) == 1 and comment is not None \
                and expected_value(comment) is not None:
            self.count += 1
            check = ast.Call(func=ast.Name(id="__docs_check__", ctx=ast.Load()),
                             args=[call.args[0], ast.Constant(comment.strip()),
                                   ast.Constant(node.lineno)], keywords=[])
            return ast.copy_location(ast.Expr(value=check), node)
        return node


def check(value, comment: str, line: int) -> None:
    print(value)
    expected = expected_value(comment)
    tolerance = digits(comment)
    got = np.asarray(value, dtype=float)
    assert got.shape == np.shape(expected), f"line {line}: {value!r} is not {comment}"
    assert np.allclose(got, expected, rtol=0, atol=tolerance), \
        f"line {line}: printed {value!r}, the docs say {comment}"


def comments_of(source: str) -> dict[int, str]:
    found = {}
    for number, line in enumerate(source.splitlines(), start=1):
        if line.lstrip().startswith("print(") and "#" in line:
            found[number] = line.split("#", 1)[1]
    return found


@pytest.mark.parametrize("path", [p for p in DOCS if python_blocks(p)],
                         ids=lambda p: p.name)
def test_python_examples_run_and_print_what_they_say(path, tmp_path):
    namespace: dict = {"__name__": f"docs_{path.stem}", "__docs_check__": check}
    checks = 0
    for number, (first_line, source) in enumerate(python_blocks(path)):
        file = tmp_path / f"{path.stem}_block{number}.py"
        file.write_text(source)
        transformer = Checked(comments_of(source))
        tree = ast.fix_missing_locations(transformer.visit(ast.parse(source)))
        checks += transformer.count
        try:
            exec(compile(tree, str(file), "exec"), namespace)
        except Exception as exc:
            raise AssertionError(f"{path.name}, the block at line {first_line}: "
                                 f"{type(exc).__name__}: {exc}") from exc
    if path.name == "README.md":
        assert checks >= 2, "the README's examples should check what they print"


def test_comment_values_are_read_as_values():
    assert expected_value(" 0.19661193324148188") == pytest.approx(0.19661193324148188)
    np.testing.assert_array_equal(expected_value("[0.1 -2. 3e-1]"), [0.1, -2.0, 0.3])
    assert expected_value(" the generated gradient code, as Python source") is None
    assert digits("0.1966") == pytest.approx(5e-5)
    with pytest.raises(AssertionError):
        check(0.2, "0.19661193324148188", 1)
