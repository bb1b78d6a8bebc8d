"""The command line: `python -m adtrans show` prints gradients, and problems in one line.

Every failure (a missing file or function, a construct adtrans refuses, a bad
``--wrt``, a module that does not import) is one line on stderr naming the
problem, a non-zero exit status, and no traceback.
"""

import subprocess
import sys
import textwrap

import pytest

PROGRAM = textwrap.dedent("""
    import numpy as np


    def sigmoid(x):
        return 1 / (1 + np.exp(-x))


    def two(x, y):
        return x * y


    def uses_eval(x):
        return eval("x * x")


    NOT_A_FUNCTION = 3
""")


def run(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "adtrans", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120)


@pytest.fixture()
def program(tmp_path):
    path = tmp_path / "model.py"
    path.write_text(PROGRAM)
    return path


def test_show_prints_the_generated_gradient(program):
    done = run("show", f"{program}:sigmoid")
    assert done.returncode == 0, done.stderr
    assert "def d_sigmoid(x, d_out=1.0):" in done.stdout
    assert "# backward sweep" in done.stdout


def test_show_with_wrt_by_name_and_position(program):
    by_name = run("show", f"{program}:two", "--wrt", "y")
    by_position = run("show", f"{program}:two", "--wrt", "1")
    assert by_name.returncode == 0 and by_position.returncode == 0
    assert "as_gradient(d_y, y)" in by_name.stdout
    assert by_name.stdout == by_position.stdout


@pytest.mark.parametrize("target, wrt, expected", [
    ("missing.py:f", [], "no such file: missing.py"),
    ("{program}:nothing", [], "defines no function 'nothing'"),
    ("{program}:NOT_A_FUNCTION", [], "is not a function"),
    ("{program}", [], "expected FILE.py:FUNCTION"),
    ("{program}:uses_eval", [], "eval() reads or writes the function's variables"),
    ("{program}:two", ["z"], "wrt='z' is not a parameter of two"),
    ("{program}:two", ["5"], "wrt=5 is out of range"),
])
def test_problems_are_one_line_without_traceback(program, tmp_path, target, wrt, expected):
    done = run("show", target.format(program=program), *(["--wrt", *wrt] if wrt else []),
               cwd=tmp_path)
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("adtrans: ")
    assert expected in lines[0]
    assert "Traceback" not in done.stderr


def test_a_refused_construct_names_file_and_line(program):
    done = run("show", f"{program}:uses_eval")
    assert f"{program}:14:" in done.stderr


@pytest.mark.parametrize("text, expected", [
    ("def f(x:\n    return x\n", "syntax error"),
    ("import no_such_module_anywhere\n", "ModuleNotFoundError"),
])
def test_a_module_that_does_not_import(tmp_path, text, expected):
    path = tmp_path / "broken.py"
    path.write_text(text)
    done = run("show", f"{path}:f")
    assert done.returncode != 0
    assert len(done.stderr.strip().splitlines()) == 1
    assert expected in done.stderr and "Traceback" not in done.stderr
